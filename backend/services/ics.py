"""The agenda as iCalendar (RFC 5545): a subscribable feed for family calendars, and the import
of a home-care service's planning export.

Feed: one secret URL per beneficiary (only its SHA-256 is stored). Events keep their wall-clock
start with the IANA TZID (and a VTIMEZONE); a changed occurrence is a VEVENT with the series'
UID and a RECURRENCE-ID. Care instructions are never in it.

Import: each VEVENT becomes an event keyed by its UID, created or updated in place, so that a
planning re-imported every week changes only what changed (nothing written, nothing sent to the
tablet, when nothing did). A series' changed occurrences (RECURRENCE-ID) become overrides; its
EXDATEs, and the starts its overrides replace, become the parent's exdates. The file is the
reference for the series it carries: an occurrence changed by hand in Foyer is replaced by the
file's version on the next import.

Which file an event came from is kept in `external_uid` itself, as "<file key>:<UID>" (the file
key is a hash of the file name), so that `prune` deletes only the events that disappeared from
*that* file, never those of another service's planning. The UID alone is the identity: the same
UID from a renamed file updates the same event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import security
from backend.errors import Invalid
from backend.models import Beneficiary, Event, utcnow
from backend.services import agenda
from backend.services.changes import record_change
from common import text as text_rule
from common.recurrence import RecurrenceError, normalize_rrule

PRODID = "-//Foyer//Agenda//FR"
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_EVENTS = 2000
DEFAULT_TITLE = "Rendez-vous"
_FILE_KEY_LENGTH = 16
_MAX_UID = 255 - _FILE_KEY_LENGTH - 1


def feed_uid(event_id: int) -> str:
    return f"foyer-event-{event_id}@foyer"


# --- the feed -----------------------------------------------------------------------------


def _until_in_utc(rule: str, tz: ZoneInfo) -> str:
    """RFC 5545 §3.3.10: with a DTSTART in a time zone, UNTIL must be in UTC. We keep it as
    wall-clock time (a date is midnight, as dateutil reads it)."""
    parts = []
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name == "UNTIL":
            pattern = "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d"
            wall = datetime.strptime(value, pattern)  # noqa: DTZ007 - wall-clock time in tz
            moment = wall.replace(tzinfo=tz).astimezone(UTC)
            value = moment.strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{name}={value}")
    return ";".join(parts)


def _vevent(event: Event, uid: str) -> VEvent:
    tz = ZoneInfo(event.timezone)
    vevent = VEvent()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", event.updated_at)
    vevent.add("CREATED", event.created_at)
    vevent.add("LAST-MODIFIED", event.updated_at)
    vevent.add("SUMMARY", f"{event.title} ({event.who})" if event.who else event.title)
    vevent.add("DTSTART", event.start_local.replace(tzinfo=tz))
    vevent.add("DURATION", timedelta(minutes=event.duration_minutes))
    vevent.add("CATEGORIES", [event.kind])
    return vevent


def build_feed(session: Session, beneficiary: Beneficiary) -> bytes:
    """The whole agenda as an iCalendar document (instructions left out)."""
    calendar = Calendar.new(
        prodid=PRODID,
        name=f"Agenda de {beneficiary.first_name} {beneficiary.last_name}",
        refresh_interval=timedelta(hours=1),
    )
    calendar.add("X-WR-TIMEZONE", beneficiary.timezone)
    events = agenda.events_of(session, beneficiary.id)
    by_id = {e.id: e for e in events}
    replaced: dict[int, set[datetime]] = {}
    for event in events:
        parent = by_id.get(event.recurrence_parent_id or 0)
        if parent is not None and parent.rrule and event.recurrence_start_local is not None:
            replaced.setdefault(parent.id, set()).add(event.recurrence_start_local)
    for event in events:
        tz = ZoneInfo(event.timezone)
        parent = by_id.get(event.recurrence_parent_id or 0)
        if parent is not None and parent.rrule and event.recurrence_start_local is not None:
            vevent = _vevent(event, feed_uid(parent.id))
            vevent.add("RECURRENCE-ID", event.recurrence_start_local.replace(tzinfo=tz))
        else:
            vevent = _vevent(event, feed_uid(event.id))
            if event.rrule:
                vevent.add("RRULE", _until_in_utc(event.rrule, tz))
                # A start replaced by an override is not excluded: the override stands for it.
                excluded = sorted(set(agenda.exdates_of(event)) - replaced.get(event.id, set()))
                if excluded:
                    vevent.add("EXDATE", [d.replace(tzinfo=tz) for d in excluded])
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


# --- the import ---------------------------------------------------------------------------


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skip(self, uid: str, reason: str) -> None:
        self.skipped.append({"uid": uid, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "skipped": self.skipped,
        }


@dataclass
class _Planned:
    """One VEVENT, read and checked, in the beneficiary's wall-clock time."""

    uid: str
    title: str
    who: str | None  # None: the file does not say (keep ours)
    instructions: str | None
    start_local: datetime
    duration_minutes: int
    rrule: str | None
    exdates: set[datetime]
    recurrence_id: datetime | None
    cancelled: bool


class _Skip(Exception):
    """A VEVENT that cannot be imported; the reason is shown to the care manager."""


def _file_key(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return hashlib.sha256(name.encode()).hexdigest()[:_FILE_KEY_LENGTH]


def _uid_key(uid: str) -> str:
    if len(uid) <= _MAX_UID:
        return uid
    return "sha256=" + hashlib.sha256(uid.encode()).hexdigest()


def _split_external(external_uid: str) -> tuple[str, str]:
    """(file key, uid key) of a stored external_uid."""
    return external_uid[:_FILE_KEY_LENGTH], external_uid[_FILE_KEY_LENGTH + 1 :]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Planning software on Windows still writes cp1252 now and then.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise Invalid("Le fichier n'est pas un texte lisible (encodage inconnu).") from exc


def parse_calendar(data: bytes) -> list[VEvent]:
    """The VEVENTs of an iCalendar file, or 422 with the reason."""
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("Le fichier dépasse 1 Mo.")
    text = _decode(data)
    if "BEGIN:VCALENDAR" not in text.upper():
        raise Invalid("Ce fichier n'est pas un calendrier iCalendar (.ics).")
    try:
        calendar = Calendar.from_ical(text)
        # Any failure of a third-party parser on a hostile file is the file's fault: 422.
    except Exception as exc:
        raise Invalid("Calendrier illisible : le fichier .ics est mal formé.") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise Invalid("Ce fichier n'est pas un calendrier iCalendar (.ics).")
    try:
        vevents = [c for c in calendar.walk("VEVENT") if isinstance(c, VEvent)]
    except Exception as exc:
        raise Invalid("Calendrier illisible : le fichier .ics est mal formé.") from exc
    if len(vevents) > MAX_IMPORT_EVENTS:
        raise Invalid("Le fichier contient plus de {n} rendez-vous.", n=MAX_IMPORT_EVENTS)
    return vevents


def _wall(value: Any, tz: ZoneInfo, what: str) -> datetime:
    """A DTSTART-like value as wall-clock time in tz (a floating time is taken as such)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(microsecond=0)
        return value.astimezone(tz).replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        raise _Skip(f"{what} : les rendez-vous sur la journée entière ne sont pas pris en charge.")
    raise _Skip(f"{what} illisible.")


def _one_line(value: Any, limit: int) -> str:
    return " ".join(str(value).split())[:limit]


def _who(vevent: VEvent) -> str | None:
    """Who comes: the first attendee's name (the home aide), else the organizer's."""
    attendees = vevent.get("ATTENDEE")
    candidates = attendees if isinstance(attendees, list) else [attendees]
    candidates.append(vevent.get("ORGANIZER"))
    for candidate in candidates:
        params = getattr(candidate, "params", None)
        name = params.get("CN") if params is not None else None
        if name and str(name).strip():
            return _one_line(name, agenda.MAX_WHO)
    return None


def _rule(vevent: VEvent, tz: ZoneInfo) -> str | None:
    rules = vevent.get("RRULE")
    if rules is None:
        return None
    if isinstance(rules, list):
        if len(rules) > 1:
            raise _Skip("Plusieurs règles de récurrence : non pris en charge.")
        rules = rules[0]
    parts = []
    for part in rules.to_ical().decode().split(";"):
        name, _, value = part.partition("=")
        if name.upper() == "UNTIL":
            until = rules.get("UNTIL")[0]
            if isinstance(until, datetime):
                value = _wall(until, tz, "UNTIL").strftime("%Y%m%dT%H%M%S")
        parts.append(f"{name}={value}")
    try:
        return normalize_rrule(";".join(parts))
    except RecurrenceError as exc:
        raise _Skip(str(exc)) from exc


def _checked(value: str | None, what: str, *, multiline: bool = False) -> str | None:
    """The text rule (common/text.py): an event with a control character is skipped."""
    reason = None if value is None else text_rule.problem(value, multiline=multiline)
    if reason is not None:
        raise _Skip(f"{what} {reason}.")
    return value


def _read(vevent: VEvent, tz: ZoneInfo) -> _Planned:
    uid = str(vevent.get("UID", "")).strip()
    _checked(uid, "L'UID")
    if not uid:
        raise _Skip("Rendez-vous sans UID.")
    broken = [name for name, _ in getattr(vevent, "errors", [])]
    if broken:
        raise _Skip(f"Propriété illisible : {', '.join(broken)}.")
    if "DTSTART" not in vevent:
        raise _Skip("Rendez-vous sans date de début (DTSTART).")
    if vevent.get("RDATE") is not None:
        raise _Skip("Dates supplémentaires (RDATE) non prises en charge.")
    start = _wall(vevent.decoded("DTSTART"), tz, "DTSTART")
    duration = vevent.duration
    minutes = int(duration.total_seconds() // 60)
    if not 1 <= minutes <= 24 * 60:
        raise _Skip("La durée doit être comprise entre 1 minute et 24 heures.")
    recurrence_id = None
    if "RECURRENCE-ID" in vevent:
        recurrence_id = _wall(vevent.decoded("RECURRENCE-ID"), tz, "RECURRENCE-ID")
    exdates = set()
    for day in vevent.exdates:
        if isinstance(day, datetime):
            exdates.add(_wall(day, tz, "EXDATE"))
        else:  # a date: that day's occurrence
            exdates.add(datetime.combine(day, start.time()))
    description = vevent.get("DESCRIPTION")
    instructions = str(description).strip()[: agenda.MAX_INSTRUCTIONS] if description else None
    return _Planned(
        uid=uid,
        title=_checked(_one_line(vevent.get("SUMMARY", ""), 200), "Le titre") or DEFAULT_TITLE,
        who=_checked(_who(vevent), "L'intervenant"),
        instructions=_checked(instructions, "Le texte des consignes", multiline=True) or None,
        start_local=start,
        duration_minutes=minutes,
        rrule=None if recurrence_id is not None else _rule(vevent, tz),
        exdates=exdates,
        recurrence_id=recurrence_id,
        cancelled=str(vevent.get("STATUS", "")).upper() == "CANCELLED",
    )


def _apply(session: Session, event: Event, wanted: dict[str, Any]) -> bool:
    """Write what differs; journal it. False when nothing did (nothing written)."""
    changed = {k: v for k, v in wanted.items() if getattr(event, k) != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(event, name, value)
    event.updated_at = utcnow()
    record_change(session, event.beneficiary_id, "event", event.id, "upsert")
    return True


def _fields(planned: _Planned, tz_name: str) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        "title": planned.title,
        "start_local": planned.start_local,
        "duration_minutes": planned.duration_minutes,
        "timezone": tz_name,
    }
    if planned.who is not None:
        wanted["who"] = planned.who
    if planned.instructions is not None:
        wanted["instructions"] = planned.instructions
    return wanted


def _create(session: Session, beneficiary: Beneficiary, wanted: dict[str, Any]) -> Event:
    fields: dict[str, Any] = {
        "kind": "visit",
        "who": "",
        "instructions": "",
        "rrule": None,
        "exdates": "[]",
        **wanted,
    }
    event = Event(beneficiary_id=beneficiary.id, **fields)
    session.add(event)
    session.flush()
    record_change(session, beneficiary.id, "event", event.id, "upsert")
    return event


def import_calendar(
    session: Session, beneficiary: Beneficiary, data: bytes, filename: str, *, prune: bool
) -> ImportSummary:
    tz = agenda.zone(beneficiary.timezone)
    vevents = parse_calendar(data)
    summary = ImportSummary()
    file_key = _file_key(filename)

    masters: dict[str, _Planned] = {}
    changed_occurrences: dict[str, dict[datetime, _Planned]] = {}
    for vevent in vevents:
        uid = str(vevent.get("UID", "")).strip()
        try:
            planned = _read(vevent, tz)
        except _Skip as exc:
            summary.skip(uid, str(exc))
            continue
        except Exception:  # a hostile or broken VEVENT: skip it, never a server error
            summary.skip(uid, "Rendez-vous illisible.")
            continue
        if planned.recurrence_id is not None:
            by_start = changed_occurrences.setdefault(planned.uid, {})
            if planned.recurrence_id in by_start:
                summary.skip(uid, "Occurrence modifiée en double.")
            else:
                by_start[planned.recurrence_id] = planned
        elif planned.uid in masters:
            summary.skip(uid, "UID en double dans le fichier.")
        else:
            masters[planned.uid] = planned

    existing: dict[str, Event] = {}
    for row in session.scalars(
        select(Event).where(Event.beneficiary_id == beneficiary.id, Event.external_uid.is_not(None))
    ):
        assert row.external_uid is not None
        existing[_split_external(row.external_uid)[1]] = row

    for uid, planned in masters.items():
        key = _uid_key(uid)
        event = existing.get(key)
        if planned.cancelled:
            if event is not None:
                agenda.delete_event(session, event)
                summary.deleted += 1
            else:
                summary.skip(uid, "Rendez-vous annulé.")
            continue
        occurrences = changed_occurrences.pop(uid, {})
        kept: dict[datetime, _Planned] = {}
        for wall, changed in occurrences.items():
            if not agenda.is_occurrence(planned.rrule, planned.start_local, wall):
                summary.skip(
                    uid, f"Occurrence modifiée inconnue de la série : {wall:%d/%m/%Y %H:%M}."
                )
                continue
            planned.exdates.add(wall)
            if not changed.cancelled:
                kept[wall] = changed
        wanted = _fields(planned, beneficiary.timezone)
        wanted["rrule"] = planned.rrule
        wanted["exdates"] = agenda.dump_exdates(planned.exdates)
        wanted["external_uid"] = f"{file_key}:{key}"
        wanted["recurrence_parent_id"] = None
        wanted["recurrence_start_local"] = None
        if event is None:
            event = _create(session, beneficiary, wanted)
            summary.created += 1
        elif _apply(session, event, wanted):
            summary.updated += 1
        else:
            summary.unchanged += 1
        _sync_overrides(session, beneficiary, event, kept, summary)

    for uid in changed_occurrences:
        summary.skip(uid, "Occurrence modifiée d'une série absente du fichier.")

    if prune:
        in_file = {_uid_key(uid) for uid in masters}
        for key, gone in existing.items():
            assert gone.external_uid is not None
            if _split_external(gone.external_uid)[0] == file_key and key not in in_file:
                agenda.delete_event(session, gone)
                summary.deleted += 1
    return summary


def _sync_overrides(
    session: Session,
    beneficiary: Beneficiary,
    parent: Event,
    wanted: dict[datetime, _Planned],
    summary: ImportSummary,
) -> None:
    """Make the parent's overrides those of the file: update, create, delete."""
    current = {
        o.recurrence_start_local: o
        for o in agenda.overrides_of(session, parent)
        if o.recurrence_start_local is not None
    }
    for wall, planned in sorted(wanted.items()):
        fields = _fields(planned, beneficiary.timezone)
        override = current.pop(wall, None)
        if override is None:
            _create(
                session,
                beneficiary,
                {
                    "who": parent.who,
                    "instructions": parent.instructions,
                    "person_id": parent.person_id,
                    "organisation_id": parent.organisation_id,
                    "kind": parent.kind,
                    **fields,
                    "recurrence_parent_id": parent.id,
                    "recurrence_start_local": wall,
                },
            )
            summary.created += 1
        elif _apply(session, override, fields):
            summary.updated += 1
        else:
            summary.unchanged += 1
    for override in current.values():
        agenda.delete_event(session, override)
        summary.deleted += 1


# --- the feed's secret ----------------------------------------------------------------------


def new_feed_token(beneficiary: Beneficiary) -> str:
    """A new secret for the feed URL; the previous one stops working at once."""
    token = security.new_secret("ics_")
    beneficiary.ics_token_hash = security.secret_digest(token)
    return token


def disable_feed(beneficiary: Beneficiary) -> None:
    beneficiary.ics_token_hash = None


def beneficiary_for_feed(session: Session, token: str) -> Beneficiary | None:
    if not token.startswith("ics_") or len(token) > 100:
        return None
    return session.scalar(
        select(Beneficiary).where(Beneficiary.ics_token_hash == security.secret_digest(token))
    )
