"""The audit log of health data: every read and change, with who, what and when.

Call `record` inside the same transaction as the access it describes, so that an access is
logged if and only if it happened.

Reading it (`entries`, the care manager's "Qui a consulté quoi" page, `view_audit`): one
beneficiary's entries, newest first, filtered by person, kind and dates, as the page and its CSV
export show them. Reading the log is itself logged (entity `audit_log`).

What an entry says of the way in: a person alone (the console or the API: an entry does not
tell them apart), the tablet alone (the beneficiary), or a person on the tablet (their personal
PIN, `backend.services.device_professional`).

Retention: entries are kept `RETENTION_DAYS` (one year) and then deleted, by a job
`audit_retention` once a day (dedupe `audit-retention:<date>`, each run planning the next;
`ensure_retention_planned` starts it again should the chain stop). docs/access.md says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.models import AuditEntry, Device, Job, User, utcnow
from backend.policy import AUDIT_RETENTION_DAYS
from backend.services import jobs

ACTIONS = ("read", "create", "update", "delete")
# Reading this log is in this log.
ENTITY = "audit_log"

RETENTION_DAYS = AUDIT_RETENTION_DAYS  # backend.policy: docs/access.md says it
RETENTION_JOB = "audit_retention"
RETENTION_AT = time(3, 30)  # UTC: the quiet of the night in Europe
PAGE_SIZE = 100
MAX_EXPORT = 50_000

# What each kind of entry is about, as the page says it (French, English).
ENTITY_WORDS: dict[str, tuple[str, str]] = {
    "wellbeing": ("humeurs et bien-être", "moods and well-being"),
    "alert": ("alertes", "alerts"),
    "message": ("messages de l'espace santé", "health-space messages"),
    "event_instructions": ("consignes de visite", "visit instructions"),
    "visit": ("visites (arrivées et départs)", "visits (arrivals and departures)"),
    "visit_absence": ("visites qui n'ont pas eu lieu", "visits that did not happen"),
    "reminder": ("rappels", "reminders"),
    "reminder_occurrence": ("confirmations des rappels", "reminder confirmations"),
    "reminder_editor": ("délégations des rappels", "reminder delegations"),
    "reminder_adherence": ("suivi des rappels", "reminder follow-up"),
    "sign_of_life": ("« Je vais bien »", "“I am fine”"),
    "mood_sharing": ("partage de l'humeur", "mood sharing"),
    "password": ("mot de passe", "password"),
    ENTITY: ("ce journal des consultations", "this access log"),
}
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "read": ("a consulté", "read"),
    "create": ("a enregistré", "recorded"),
    "update": ("a modifié", "changed"),
    "delete": ("a supprimé", "deleted"),
}
# The way in (see the module's docstring).
CHANNEL_WORDS: dict[str, tuple[str, str]] = {
    "web": ("console ou API", "console or API"),
    "tablet": ("la tablette", "the tablet"),
    "tablet_pin": ("la tablette, avec son code personnel", "the tablet, with their PIN"),
}


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    beneficiary_id: int | None,
    user_id: int | None = None,
    device_id: int | None = None,
    at: datetime | None = None,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if user_id is None and device_id is None:
        raise ValueError("an audit entry needs an actor (user or device)")
    session.add(
        AuditEntry(
            at=at or utcnow(),
            actor_user_id=user_id,
            actor_device_id=device_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            beneficiary_id=beneficiary_id,
        )
    )


# --- reading the log ----------------------------------------------------------------------------

TABLET = "tablet"  # the person filter's value for "the tablet itself"


@dataclass(frozen=True)
class Filters:
    person: str = ""  # a user id, TABLET, or "" for everyone
    entity: str = ""  # an entity, or "" for every kind
    start: date | None = None  # local dates, both included
    end: date | None = None


@dataclass(frozen=True)
class Shown:
    """One entry as the page says it."""

    id: int
    at: datetime
    who: str  # the person's name, or the tablet's (see `by_tablet`)
    action: str
    entity: str
    entity_id: int | None
    channel: str  # web, tablet, tablet_pin

    @property
    def by_tablet(self) -> bool:
        """The tablet itself (the beneficiary), not a person."""
        return self.channel == "tablet"


def who_words(shown: Shown, lang: str) -> str:
    """ "Inès Leroy", or "Tablette « Salon »" / "Tablet “Salon”"."""
    if not shown.by_tablet:
        return shown.who
    if shown.who.casefold().startswith(("tablette", "tablet")):
        return shown.who  # named so at pairing: "Tablette WDJB-MJHT"
    if lang == "en":
        return f"Tablet “{shown.who}”" if shown.who else "The tablet"
    return f"Tablette « {shown.who} »" if shown.who else "La tablette"


def channel_of(entry: AuditEntry) -> str:
    if entry.actor_device_id is not None:
        return "tablet_pin" if entry.actor_user_id is not None else "tablet"
    return "web"


def _query(beneficiary_id: int, filters: Filters, tz: ZoneInfo) -> Any:
    query = select(AuditEntry).where(AuditEntry.beneficiary_id == beneficiary_id)
    if filters.person == TABLET:
        query = query.where(
            AuditEntry.actor_user_id.is_(None), AuditEntry.actor_device_id.is_not(None)
        )
    elif filters.person.isdigit():
        query = query.where(AuditEntry.actor_user_id == int(filters.person))
    if filters.entity:
        query = query.where(AuditEntry.entity == filters.entity)
    if filters.start is not None:
        start = datetime.combine(filters.start, time(0), tzinfo=tz).astimezone(UTC)
        query = query.where(AuditEntry.at >= start)
    if filters.end is not None:
        end = datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        query = query.where(AuditEntry.at < end)
    return query


def _shown(session: Session, rows: list[AuditEntry]) -> list[Shown]:
    user_ids = {r.actor_user_id for r in rows if r.actor_user_id is not None}
    device_ids = {r.actor_device_id for r in rows if r.actor_device_id is not None}
    users: dict[int, str] = {
        uid: name
        for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    }
    devices: dict[int, str] = {
        did: name
        for did, name in session.execute(
            select(Device.id, Device.name).where(Device.id.in_(device_ids))
        )
    }
    shown = []
    for r in rows:
        if r.actor_user_id is not None:
            who = users.get(r.actor_user_id, "?")
        else:
            who = devices.get(r.actor_device_id or 0, "")
        shown.append(Shown(r.id, r.at, who, r.action, r.entity, r.entity_id, channel_of(r)))
    return shown


def _log_reading(session: Session, reader: User, beneficiary_id: int, now: datetime) -> None:
    """Reading the log (a page of it, or its export) is itself an entry."""
    record(
        session,
        action="read",
        entity=ENTITY,
        entity_id=None,
        beneficiary_id=beneficiary_id,
        user_id=reader.id,
        at=now,
    )


def entries(
    session: Session,
    reader: User,
    beneficiary_id: int,
    filters: Filters,
    tz: ZoneInfo,
    now: datetime,
    *,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Shown], bool]:
    """One page of the beneficiary's entries, newest first, and whether there are more. The
    caller checked `view_audit`; the reading is logged."""
    query = _query(beneficiary_id, filters, tz)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    _log_reading(session, reader, beneficiary_id, now)
    return _shown(session, rows[:limit]), len(rows) > limit


def people(session: Session, beneficiary_id: int) -> list[tuple[int, str]]:
    """Whoever appears in the beneficiary's log (the filter's choices), by name."""
    ids = select(AuditEntry.actor_user_id).where(
        AuditEntry.beneficiary_id == beneficiary_id, AuditEntry.actor_user_id.is_not(None)
    )
    return [
        (uid, name)
        for uid, name in session.execute(
            select(User.id, User.name).where(User.id.in_(ids.distinct())).order_by(User.name)
        )
    ]


def kinds(session: Session, beneficiary_id: int) -> list[str]:
    """The kinds of entries the beneficiary's log holds (the filter's choices)."""
    return sorted(
        session.scalars(
            select(AuditEntry.entity).where(AuditEntry.beneficiary_id == beneficiary_id).distinct()
        )
    )


def words(value: str, table: dict[str, tuple[str, str]], lang: str) -> str:
    pair = table.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]


CSV_HEADER = {
    "fr": ("date", "heure", "qui", "action", "quoi", "numéro", "par"),
    "en": ("date", "time", "who", "action", "what", "number", "through"),
}


def export_csv(
    session: Session,
    reader: User,
    beneficiary_id: int,
    filters: Filters,
    tz: ZoneInfo,
    now: datetime,
    lang: str = "fr",
) -> Iterator[str]:
    """Every matching entry (at most `MAX_EXPORT`, newest first) as CSV lines, in the page's
    words; the export is logged like a reading."""
    rows = list(
        session.scalars(
            _query(beneficiary_id, filters, tz).order_by(AuditEntry.id.desc()).limit(MAX_EXPORT)
        )
    )
    _log_reading(session, reader, beneficiary_id, now)
    shown = _shown(session, rows)

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER["en" if lang == "en" else "fr"])
        for s in shown:
            local = s.at.astimezone(tz)
            writer.writerow(
                (
                    local.date().isoformat(),
                    local.strftime("%H:%M"),
                    _cell(who_words(s, lang)),
                    words(s.action, ACTION_WORDS, lang),
                    words(s.entity, ENTITY_WORDS, lang),
                    "" if s.entity_id is None else s.entity_id,
                    words(s.channel, CHANNEL_WORDS, lang),
                )
            )
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if not shown:
            yield out.getvalue()

    return lines()


def _cell(text: str) -> str:
    """A name opened in a spreadsheet is text, never a formula (=, +, -, @ first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- retention ----------------------------------------------------------------------------------


def purge(session: Session, now: datetime) -> int:
    """Delete the entries older than `RETENTION_DAYS`; how many."""
    result = session.execute(
        delete(AuditEntry)
        .where(AuditEntry.at < now - timedelta(days=RETENTION_DAYS))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _retention_key(day: date) -> str:
    return f"audit-retention:{day.isoformat()}"


def _retention_at(day: date) -> datetime:
    return datetime.combine(day, RETENTION_AT, tzinfo=UTC)


def ensure_retention_planned(session: Session, now: datetime) -> bool:
    """Plan the next purge if no one did (in the caller's transaction)."""
    day = now.astimezone(UTC).date()
    if _retention_at(day) <= now:
        day += timedelta(days=1)
    key = _retention_key(day)
    if session.scalar(select(Job.id).where(Job.dedupe_key == key)) is not None:
        return False
    return jobs.enqueue(session, RETENTION_JOB, {"day": day.isoformat()}, _retention_at(day),
                        dedupe_key=key)  # fmt: skip


def _retention_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    purge(session, now)
    day = max(date.fromisoformat(str(payload["day"])), now.astimezone(UTC).date())
    following = day + timedelta(days=1)
    jobs.enqueue(
        session,
        RETENTION_JOB,
        {"day": following.isoformat()},
        _retention_at(following),
        dedupe_key=_retention_key(following),
    )


def oldest(session: Session, beneficiary_id: int) -> datetime | None:
    return session.scalar(
        select(func.min(AuditEntry.at)).where(AuditEntry.beneficiary_id == beneficiary_id)
    )


jobs.register(RETENTION_JOB, _retention_job, lease=timedelta(minutes=10))
