"""Professionals' visits: arrival and departure (console or tablet with a personal PIN),
matched to the planned occurrences of the agenda, and the visits log with its flags.
Rules: docs/wellbeing.md ("Visits").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend import security
from backend.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts
from backend.models import Beneficiary, Device, Membership, User, VisitAbsence, VisitRecord
from backend.policy import Permission, allowed
from backend.services import access, agenda, audit, rate_limit, sync, wellbeing
from backend.services.changes import record_change
from backend.text import check as check_text
from common.recurrence import Occurrence, day_bounds, occurrences_between

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
PIN_MAX_FAILURES = 5
PIN_WINDOW = timedelta(minutes=15)

MATCH_WINDOW = timedelta(minutes=90)
LATE_AFTER = timedelta(minutes=15)
MISSED_AFTER = timedelta(minutes=30)
# An arrival left open longer than this (a forgotten departure) no longer blocks a new one.
STALE_OPEN = timedelta(hours=12)
MAX_RANGE_DAYS = 366
ENTITY = "visit"
ABSENCE_ENTITY = "visit_absence"
# Why a planned visit did not happen: code → the words the console and the tablet show.
REASONS = {
    "no_answer": "pas de réponse",
    "refused": "refusée par la personne",
    "forgotten": "oubliée",
    "cancelled": "annulée",
}
# What the tablet holds of recorded visits (to stop showing a visit done as "en ce moment").
SYNC_DAYS = 2
MAX_ID = 2_147_483_647  # ids are 32-bit on PostgreSQL


# --- PIN --------------------------------------------------------------------------------------


def set_pin(session: Session, user: User, pin: str) -> None:
    if not PIN_PATTERN.match(pin):
        raise Invalid("Le code personnel doit faire de 4 à 8 chiffres.")
    user.pin_hash = security.hash_password(pin)


def _pin_user(
    session: Session, device: Device, user_id: object, pin: object, now: datetime
) -> User:
    """The user whose PIN this is, or 403 (counted: 5 wrong PINs per 15 min → 429)."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 1 <= user_id <= MAX_ID:
        raise Invalid("user_id : identifiant de personne attendu.")
    if not isinstance(pin, str) or len(pin) > 64:
        raise Invalid("pin : code personnel attendu.")
    check_text(pin, "pin : le code personnel")
    key = f"pin:{device.id}:{user_id}"
    wait = rate_limit.seconds_blocked(session, key, PIN_MAX_FAILURES, PIN_WINDOW, now)
    if wait:
        minutes = max(1, round(wait / 60))
        raise TooManyAttempts(
            "Trop de codes erronés. Réessayez dans {minutes} minute(s).", wait, minutes=minutes
        )
    user = session.get(User, user_id)
    # Always one hash check, so the delay does not tell whether the person has a PIN.
    pin_hash = user.pin_hash if user is not None and user.pin_hash else security.dummy_hash()
    if not security.verify_password(pin_hash, pin) or user is None or not user.pin_hash:
        rate_limit.record_failure(session, key, PIN_WINDOW, now)
        # Kept although the action is refused: device_actions rolls back a refused action.
        session.commit()
        raise Forbidden("Code personnel incorrect.", keep_changes=True)
    return user


# --- arrival and departure --------------------------------------------------------------------


def _organisations_of(session: Session, user_id: int) -> set[int]:
    return set(
        session.scalars(select(Membership.organisation_id).where(Membership.user_id == user_id))
    )


def match_occurrence(
    session: Session, beneficiary: Beneficiary, user_id: int, at: datetime
) -> Occurrence | None:
    """The planned occurrence this arrival is for (docs/wellbeing.md, "Matching")."""
    events = {e.id: e for e in agenda.events_of(session, beneficiary.id)}
    if not events:
        return None
    candidates = [
        o
        for o in occurrences_between(
            [agenda.as_agenda_event(e) for e in events.values()],
            at - MATCH_WINDOW,
            at + MATCH_WINDOW + timedelta(seconds=1),
        )
        if abs(o.start - at) <= MATCH_WINDOW
    ]
    taken = {
        (r.event_id, r.occurrence_start)
        for r in session.scalars(
            select(VisitRecord).where(
                VisitRecord.beneficiary_id == beneficiary.id,
                VisitRecord.event_id.in_({o.event_id for o in candidates}),
            )
        )
    }
    candidates = [o for o in candidates if (o.event_id, o.start) not in taken]
    if not candidates:
        return None
    organisations = _organisations_of(session, user_id)

    def rank(o: Occurrence) -> tuple[int, float]:
        event = events[o.event_id]
        if event.person_id == user_id:
            tier = 0
        elif event.organisation_id is not None and event.organisation_id in organisations:
            tier = 1
        elif event.person_id is None and event.organisation_id is None:
            tier = 2  # planned for nobody in particular
        else:
            tier = 3  # planned for someone else: only when nothing else fits
        return tier, abs((o.start - at).total_seconds())

    return min(candidates, key=rank)


def _open_record(session: Session, beneficiary_id: int, user_id: int) -> VisitRecord | None:
    return session.scalars(
        select(VisitRecord)
        .where(
            VisitRecord.beneficiary_id == beneficiary_id,
            VisitRecord.user_id == user_id,
            VisitRecord.departed_at.is_(None),
        )
        .order_by(VisitRecord.arrived_at.desc(), VisitRecord.id.desc())
        .limit(1)
    ).first()


def arrive(
    session: Session,
    beneficiary: Beneficiary,
    user: User,
    at: datetime,
    source: str,
    *,
    device: Device | None = None,
) -> VisitRecord:
    current = _open_record(session, beneficiary.id, user.id)
    if current is not None and at - current.arrived_at < STALE_OPEN:
        raise Conflict("Une arrivée est déjà en cours : enregistrez d'abord le départ.")
    occurrence = match_occurrence(session, beneficiary, user.id, at)
    record = VisitRecord(
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        event_id=occurrence.event_id if occurrence else None,
        occurrence_start=occurrence.start.astimezone(UTC) if occurrence else None,
        arrived_at=at,
        source=source,
        created_at=at,
    )
    session.add(record)
    session.flush()
    _audit(session, "create", record, user, device, at)
    record_change(session, beneficiary.id, ENTITY, record.id, "upsert")
    if occurrence is not None:
        # Someone came after all: a reason given meanwhile for this visit no longer holds.
        _drop_absence(session, beneficiary, occurrence.event_id, occurrence.start)
    return record


def open_visit(
    session: Session, beneficiary: Beneficiary, user: User, now: datetime
) -> VisitRecord | None:
    """The person's arrival still open here (not older than STALE_OPEN), if any: the tablet
    then offers "Départ", not "Arrivée"."""
    record = _open_record(session, beneficiary.id, user.id)
    if record is None or now - record.arrived_at >= STALE_OPEN:
        return None
    return record


def depart(
    session: Session,
    beneficiary: Beneficiary,
    user: User,
    at: datetime,
    *,
    device: Device | None = None,
) -> VisitRecord:
    record = _open_record(session, beneficiary.id, user.id)
    if record is None:
        raise Conflict("Aucune arrivée en cours pour cette personne : enregistrez l'arrivée.")
    if at < record.arrived_at:
        raise Invalid("Le départ ne peut pas précéder l'arrivée.")
    record.departed_at = at
    _audit(session, "update", record, user, device, at)
    record_change(session, beneficiary.id, ENTITY, record.id, "upsert")
    return record


def _audit(
    session: Session,
    action: str,
    record: VisitRecord,
    user: User,
    device: Device | None,
    at: datetime,
) -> None:
    audit.record(
        session,
        action=action,
        entity=ENTITY,
        entity_id=record.id,
        beneficiary_id=record.beneficiary_id,
        user_id=user.id,
        device_id=device.id if device else None,
        at=at,
    )


def record_payload(record: VisitRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "user_id": record.user_id,
        "event_id": record.event_id,
        "occurrence_start": record.occurrence_start.isoformat()
        if record.occurrence_start
        else None,
        "arrived_at": record.arrived_at.isoformat(),
        "departed_at": record.departed_at.isoformat() if record.departed_at else None,
        "source": record.source,
    }


def _tablet_visit(
    session: Session,
    device: Device,
    beneficiary: Beneficiary,
    data: dict[str, Any],
    now: datetime,
    arrival: bool,
) -> dict[str, Any]:
    unknown = set(data) - {"user_id", "pin", "at"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    at = wellbeing.check_recent(wellbeing.parse_instant(data.get("at"), "at"), now, "at")
    user = _pin_user(session, device, data.get("user_id"), data.get("pin"), now)
    if not allowed(access.roles_of(session, user, beneficiary), Permission.RECORD_VISIT):
        raise Forbidden("Cette personne ne peut pas enregistrer de visite chez ce bénéficiaire.")
    if arrival:
        record = arrive(session, beneficiary, user, at, "tablet", device=device)
    else:
        record = depart(session, beneficiary, user, at, device=device)
    return {**record_payload(record), "user_name": user.name}


def arrival_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The tablet's "arrival" action: {"user_id": int, "pin": str, "at": ISO aware}."""
    return _tablet_visit(session, device, beneficiary, data, now, arrival=True)


def departure_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The tablet's "departure" action: same data as "arrival"."""
    return _tablet_visit(session, device, beneficiary, data, now, arrival=False)


# --- the log and its flags --------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    status: str  # on_time, late, missed, cancelled, upcoming, in_progress, unplanned
    late: bool
    occurrence: Occurrence | None
    record: VisitRecord | None
    visitor_name: str | None
    reason: str | None = None  # why it did not happen (REASONS), when someone said

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason or "", "")


def is_late(record: VisitRecord) -> bool:
    return (
        record.occurrence_start is not None
        and record.arrived_at > record.occurrence_start + LATE_AFTER
    )


def visit_log(
    session: Session, beneficiary: Beneficiary, start: datetime, end: datetime, now: datetime
) -> list[LogEntry]:
    """Planned visits (events of kind "visit") and recorded visits between start and end."""
    if end <= start or end - start > timedelta(days=MAX_RANGE_DAYS):
        raise Invalid("La période doit être positive et d'au plus 366 jours.")
    events = agenda.events_of(session, beneficiary.id)
    occurrences = occurrences_between([agenda.as_agenda_event(e) for e in events], start, end)
    records = session.execute(
        select(VisitRecord, User.name)
        .join(User, User.id == VisitRecord.user_id)
        .where(
            VisitRecord.beneficiary_id == beneficiary.id,
            VisitRecord.arrived_at >= start - MATCH_WINDOW,
            VisitRecord.arrived_at < end + MATCH_WINDOW,
        )
    ).all()
    by_occurrence: dict[tuple[int, datetime], tuple[VisitRecord, str]] = {}
    loose: list[tuple[VisitRecord, str]] = []
    for record, name in records:
        if record.event_id is not None and record.occurrence_start is not None:
            by_occurrence[(record.event_id, record.occurrence_start)] = (record, name)
        else:
            loose.append((record, name))
    reasons = {
        (a.event_id, a.occurrence_start): a.reason
        for a in session.scalars(
            select(VisitAbsence).where(
                VisitAbsence.beneficiary_id == beneficiary.id,
                VisitAbsence.occurrence_start >= start - MATCH_WINDOW,
                VisitAbsence.occurrence_start < end + MATCH_WINDOW,
            )
        )
    }
    entries: list[LogEntry] = []
    seen: set[int] = set()
    for o in occurrences:
        matched = by_occurrence.get((o.event_id, o.start))
        if matched is None:
            reason = reasons.get((o.event_id, o.start))
            if o.kind != "visit" and reason is None:
                continue
            if reason == "cancelled":
                status = "cancelled"
            elif reason is not None or now > o.end + MISSED_AFTER:
                status = "missed"  # someone said why, or nobody came
            else:
                # "upcoming" also while due or under way with nobody arrived yet.
                status = "upcoming"
            entries.append(LogEntry(status, False, o, None, None, reason))
            continue
        record, name = matched
        seen.add(record.id)
        late = is_late(record)
        finished = "late" if late else "on_time"
        status = "in_progress" if record.departed_at is None else finished
        entries.append(LogEntry(status, late, o, record, name))
    for record, name in [*loose, *by_occurrence.values()]:
        if record.id in seen or not start <= record.arrived_at < end:
            continue
        status = "in_progress" if record.departed_at is None else "unplanned"
        entries.append(LogEntry(status, False, None, record, name))

    def when(e: LogEntry) -> datetime:
        if e.occurrence is not None:
            return e.occurrence.start
        assert e.record is not None
        return e.record.arrived_at

    entries.sort(key=when)
    return entries


@dataclass(frozen=True)
class DaySummary:
    late: int
    missed: int


def today_summary(session: Session, beneficiary: Beneficiary, now: datetime) -> DaySummary:
    """Late arrivals and missed visits of the beneficiary's current day."""
    tz = ZoneInfo(beneficiary.timezone)
    today: date = now.astimezone(tz).date()
    start, end = day_bounds(today, tz)
    entries = visit_log(session, beneficiary, start, end, now)
    return DaySummary(
        late=sum(1 for e in entries if e.late),
        missed=sum(1 for e in entries if e.status == "missed"),
    )


# --- a visit that did not happen ----------------------------------------------------------------


def planned_occurrence(
    session: Session, beneficiary: Beneficiary, event_id: int, start: datetime
) -> Occurrence:
    """The occurrence of event `event_id` starting at `start`, or 404."""
    if start.tzinfo is None:
        raise Invalid("occurrence_start : une heure avec son décalage est attendue.")
    events = agenda.events_of(session, beneficiary.id)
    found = [
        o
        for o in occurrences_between(
            [agenda.as_agenda_event(e) for e in events],
            start - timedelta(seconds=1),
            start + timedelta(seconds=1),
        )
        if o.event_id == event_id and o.start == start
    ]
    if not found:
        raise NotFound("Cette visite n'est pas prévue à l'agenda.")
    return found[0]


def _drop_absence(
    session: Session, beneficiary: Beneficiary, event_id: int, start: datetime
) -> bool:
    absence = session.scalar(
        select(VisitAbsence).where(
            VisitAbsence.event_id == event_id,
            VisitAbsence.occurrence_start == start.astimezone(UTC),
        )
    )
    if absence is None:
        return False
    record_change(session, beneficiary.id, ABSENCE_ENTITY, absence.id, "delete")
    session.delete(absence)
    session.flush()
    return True


def record_absence(
    session: Session,
    beneficiary: Beneficiary,
    user: User,
    event_id: int,
    occurrence_start: datetime,
    reason: str,
    now: datetime,
) -> VisitAbsence:
    """Why the planned visit did not happen (set or changed). The caller holds RECORD_VISIT.
    409 if an arrival is recorded for it; only "cancelled" before the visit's start."""
    if reason not in REASONS:
        choices = ", ".join(f"{code} ({words})" for code, words in REASONS.items())
        raise Invalid("Motif inconnu. Motifs possibles : {choices}.", choices=choices)
    occurrence = planned_occurrence(session, beneficiary, event_id, occurrence_start)
    start = occurrence.start.astimezone(UTC)
    came = session.scalar(
        select(VisitRecord.id).where(
            VisitRecord.event_id == event_id, VisitRecord.occurrence_start == start
        )
    )
    if came is not None:
        raise Conflict("Une arrivée est enregistrée pour cette visite : elle a eu lieu.")
    if reason != "cancelled" and occurrence.start > now:
        raise Invalid("Cette visite n'a pas encore commencé : seule « annulée » se dit d'avance.")
    absence = session.scalar(
        select(VisitAbsence).where(
            VisitAbsence.event_id == event_id, VisitAbsence.occurrence_start == start
        )
    )
    if absence is None:
        absence = VisitAbsence(
            beneficiary_id=beneficiary.id, event_id=event_id, occurrence_start=start
        )
        session.add(absence)
    absence.reason = reason
    absence.recorded_by_id = user.id
    absence.recorded_at = now
    session.flush()
    audit.record(
        session,
        action="update",
        entity=ABSENCE_ENTITY,
        entity_id=absence.id,
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        at=now,
    )
    record_change(session, beneficiary.id, ABSENCE_ENTITY, absence.id, "upsert")
    return absence


def clear_absence(
    session: Session,
    beneficiary: Beneficiary,
    user: User,
    event_id: int,
    occurrence_start: datetime,
    now: datetime,
) -> None:
    """Take back a reason given by mistake (404 when there is none)."""
    occurrence = planned_occurrence(session, beneficiary, event_id, occurrence_start)
    if not _drop_absence(session, beneficiary, event_id, occurrence.start):
        raise NotFound("Aucun motif n'est enregistré pour cette visite.")
    audit.record(
        session,
        action="delete",
        entity=ABSENCE_ENTITY,
        entity_id=None,
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        at=now,
    )


# --- what the tablet holds -------------------------------------------------------------------
# Per planned occurrence, whether someone came (arrived, left) or why nobody did: the tablet
# stops showing a visit done as "En ce moment" and tells the professional. No names: the
# tablet already knows who is planned; it needs what happened, not who recorded it.


_TABLET_FIELDS = ("id", "event_id", "occurrence_start", "arrived_at", "departed_at")


def _visit_payload(record: VisitRecord) -> dict[str, Any]:
    """record_payload without who recorded it nor from where."""
    full = record_payload(record)
    return {key: full[key] for key in _TABLET_FIELDS}


def _absence_payload(absence: VisitAbsence) -> dict[str, Any]:
    return {
        "id": absence.id,
        "event_id": absence.event_id,
        "occurrence_start": absence.occurrence_start.isoformat(),
        "reason": absence.reason,
    }


def _synced_kind(
    key: str,
    entity: str,
    model: type[VisitRecord] | type[VisitAbsence],
    moment: InstrumentedAttribute[datetime],
    payload: Callable[[Any], dict[str, Any]],
) -> sync.SyncedKind:
    """Visits and absences reach the tablet alike: those of the last SYNC_DAYS (by `moment`)
    in a snapshot, and any journaled id of the beneficiary's in a delta."""

    def load_all(session: Session, beneficiary: Beneficiary, device: Device) -> list[Any]:
        recent = datetime.now(UTC) - timedelta(days=SYNC_DAYS)
        rows = session.scalars(
            select(model)
            .where(model.beneficiary_id == beneficiary.id, moment >= recent)
            .order_by(model.id)
        )
        return [payload(r) for r in rows]

    def load_some(
        session: Session, beneficiary: Beneficiary, device: Device, ids: set[int]
    ) -> list[Any]:
        rows = session.scalars(
            select(model).where(model.beneficiary_id == beneficiary.id, model.id.in_(ids))
        )
        return [payload(r) for r in rows]

    return sync.SyncedKind(key, entity, load_all, load_some)


sync.register(_synced_kind("visits", ENTITY, VisitRecord, VisitRecord.arrived_at, _visit_payload))
sync.register(
    _synced_kind(
        "visit_absences",
        ABSENCE_ENTITY,
        VisitAbsence,
        VisitAbsence.occurrence_start,
        _absence_payload,
    )
)
