"""What the professionals' entry shows, computed without Qt: today's visits with their
instructions, and, once a professional has typed their PIN, who they are and the health
messages addressed to them.

Where the instructions come from, and why they wait for the PIN
----------------------------------------------------------------
The backend syncs each event's `instructions` to the tablet (`backend.services.agenda.
event_payload`): the tablet is in the beneficiary's home, professionals read them there, and
they must be there with no network. But instructions are care data that family and friends
never see in the console, and anyone in the home can touch the tablet. So the schedule is
shown to whoever taps "Je suis un professionnel" (times, what, who: the same as the home
screen), and the instructions only to a person the backend has identified by PIN *and* whose
role allows them (`may_view_instructions`); the backend audits that showing. `public()` is
the only schedule the screen gets before that.

The health messages addressed to a professional are not on the tablet at all (the health
space is for its recipients): they come from `kiosk.professional_client`, after the PIN.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from common.recurrence import AgendaEvent, occurrences_on
from kiosk.home_view import LineState, OccurrenceKey, key_of, occurrence_key
from kiosk.messages_view import MessageItem, build_messages_view

PIN_MIN_LENGTH = 4  # as the backend's PIN_PATTERN
PIN_MAX_LENGTH = 8
LOCAL_MAX_FAILURES = 5
LOCAL_LOCK = timedelta(minutes=1)
# As the backend matches an arrival to a planned visit (backend.services.visits).
MATCH_WINDOW = timedelta(minutes=90)
REASONS = ("no_answer", "refused", "forgotten", "cancelled")


class Outcome(Enum):
    """What happened to a planned visit, as synced (kinds "visits" and "visit_absences")."""

    NONE = "none"  # nobody came yet, nobody said anything
    IN_PROGRESS = "in_progress"  # someone arrived and has not left
    DONE = "done"  # someone came and left
    NOT_DONE = "not_done"  # someone said why it did not happen (`reason`)


@dataclass(frozen=True)
class VisitLine:
    event_id: int
    start: datetime  # aware, in the beneficiary's time zone
    end: datetime
    title: str  # written by people: plain text
    who: str
    kind: str
    state: LineState
    person_id: int | None  # the professional it is planned for, when the agenda says
    instructions: str  # "" when there are none, or before identification (see public())
    outcome: Outcome = Outcome.NONE
    reason: str = ""  # with NOT_DONE: no_answer, refused, forgotten or cancelled


@dataclass(frozen=True)
class ProfessionalView:
    now: datetime
    visits: tuple[VisitLine, ...]  # today's, in order, with their instructions

    def public(self) -> tuple[VisitLine, ...]:
        """Today's visits without their instructions, nor why one did not happen (a refusal
        is care data; "annulée" is not): what anybody may see."""
        return tuple(
            replace(v, instructions="", reason=v.reason if v.reason == "cancelled" else "")
            for v in self.visits
        )

    def has_instructions(self, line: VisitLine) -> bool:
        return any(v.event_id == line.event_id and v.instructions for v in self.visits)


@dataclass(frozen=True)
class OpenVisit:
    """The professional's arrival here with no departure yet, as the backend knows it."""

    arrived_at: datetime  # aware
    event_id: int | None  # the planned visit it was matched to
    occurrence_start: datetime | None


@dataclass(frozen=True)
class Professional:
    """Whom the backend recognised by their PIN (kiosk.professional_client.identify)."""

    user_id: int
    name: str
    may_record_visit: bool
    may_view_instructions: bool
    open_visit: OpenVisit | None = None  # then "Départ" is offered, not "Arrivée"


@dataclass(frozen=True)
class IdentifiedView:
    professional: Professional
    now: datetime
    visits: tuple[VisitLine, ...]  # with instructions only if the role allows
    messages: tuple[MessageItem, ...]  # health messages addressed to them: unread, then newest

    def own_visits(self) -> tuple[VisitLine, ...]:
        return tuple(v for v in self.visits if v.person_id == self.professional.user_id)

    def arrived_for(self) -> VisitLine | None:
        """The planned visit of the open arrival the backend told of, if any, today."""
        here = self.professional.open_visit
        if here is None or here.event_id is None or here.occurrence_start is None:
            return None
        wanted = (here.event_id, here.occurrence_start.astimezone(UTC))
        return next(
            (v for v in self.visits if (v.event_id, v.start.astimezone(UTC)) == wanted), None
        )


def match_visit(visits: Iterable[VisitLine], user_id: int, at: datetime) -> VisitLine | None:
    """The planned visit an arrival at `at` will be matched to, as the backend does it
    (docs/wellbeing.md, "Matching"): within 90 minutes, not already come to or called off;
    first the visitor's own, then one planned for nobody in particular, then anyone's; the
    closest start within a rank. (The tablet does not know the visitor's organisations: an
    organisation's visit ranks as anyone's here.)"""
    candidates = [
        v for v in visits if abs(v.start - at) <= MATCH_WINDOW and v.outcome is Outcome.NONE
    ]

    def rank(v: VisitLine) -> tuple[int, float]:
        tier = 0 if v.person_id == user_id else 1 if v.person_id is None else 2
        return tier, abs((v.start - at).total_seconds())

    return min(candidates, key=rank, default=None)


def outcomes_from(
    visit_records: Iterable[Mapping[str, Any]], absence_records: Iterable[Mapping[str, Any]]
) -> dict[OccurrenceKey, tuple[Outcome, str]]:
    """(event id, start in UTC) → what happened, from the synced records."""
    found: dict[OccurrenceKey, tuple[Outcome, str]] = {}
    for record in absence_records:
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        reason = record.get("reason") if isinstance(record, Mapping) else None
        if key is not None and reason in REASONS:
            found[key] = (Outcome.NOT_DONE, str(reason))
    for record in visit_records:  # someone came: that wins over a reason given before
        key = occurrence_key(record) if isinstance(record, Mapping) else None
        if key is not None:
            done = bool(record.get("departed_at"))
            found[key] = (Outcome.DONE if done else Outcome.IN_PROGRESS, "")
    return found


def instructions_by_event(records: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """event id → instructions, from the synced event records (absent key: none)."""
    found: dict[int, str] = {}
    for record in records:
        event_id, text = record.get("id"), record.get("instructions")
        if isinstance(event_id, int) and isinstance(text, str) and text.strip():
            found[event_id] = text.strip()
    return found


def people_by_event(records: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    found: dict[int, int] = {}
    for record in records:
        event_id, person = record.get("id"), record.get("person_id")
        if isinstance(event_id, int) and isinstance(person, int) and not isinstance(person, bool):
            found[event_id] = person
    return found


def build_professional_view(
    events: Iterable[AgendaEvent],
    event_records: Iterable[Mapping[str, Any]],
    now: datetime,
    outcomes: Mapping[OccurrenceKey, tuple[Outcome, str]] | None = None,
) -> ProfessionalView:
    """Today's visits (`common.recurrence` expands recurring ones) and their instructions;
    `outcomes` (`outcomes_from`): what happened to them. A visit over (done, or said not to
    happen) is never "en ce moment"; one with someone there is, whatever the clock."""
    outcomes = outcomes or {}
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    records = list(event_records)
    instructions = instructions_by_event(records)
    people = people_by_event(records)
    occurrences = occurrences_on(list(events), now.date(), now.tzinfo)  # type: ignore[arg-type]
    happened = {key_of(o): outcomes.get(key_of(o), (Outcome.NONE, "")) for o in occurrences}
    upcoming = next(
        (o for o in occurrences if o.start > now and happened[key_of(o)][0] is Outcome.NONE),
        None,
    )
    lines = []
    for occ in occurrences:
        outcome, reason = happened[key_of(occ)]
        if outcome is Outcome.IN_PROGRESS:
            state = LineState.CURRENT
        elif occ.end <= now or outcome in (Outcome.DONE, Outcome.NOT_DONE):
            state = LineState.PAST
        elif occ.is_current(now):
            state = LineState.CURRENT
        elif occ == upcoming:
            state = LineState.NEXT
        else:
            state = LineState.LATER
        lines.append(
            VisitLine(
                event_id=occ.event_id,
                start=occ.start.astimezone(now.tzinfo),
                end=occ.end.astimezone(now.tzinfo),
                title=occ.title,
                who=occ.who,
                kind=occ.kind,
                state=state,
                person_id=people.get(occ.event_id),
                instructions=instructions.get(occ.event_id, ""),
                outcome=outcome,
                reason=reason,
            )
        )
    return ProfessionalView(now, tuple(lines))


def build_identified_view(
    view: ProfessionalView,
    professional: Professional,
    message_records: Iterable[Mapping[str, Any]],
    now: datetime,
) -> IdentifiedView:
    visits = view.visits if professional.may_view_instructions else view.public()
    # These are all health messages (the backend answers no other kind).
    health = [{**record, "space": "health"} for record in message_records]
    messages = build_messages_view(health, now).items
    return IdentifiedView(professional, now, visits, messages)


def visit_action_data(user_id: int, pin: str, at: datetime) -> dict[str, object]:
    """The data of the tablet's "arrival" and "departure" outbox actions, as
    `backend.services.visits.arrival_action` expects it: {"user_id", "pin", "at"}."""
    if at.tzinfo is None:
        raise ValueError("at must be aware")
    return {"user_id": user_id, "pin": pin, "at": at.astimezone(UTC).isoformat()}


def is_pin(text: str) -> bool:
    return text.isascii() and text.isdigit() and PIN_MIN_LENGTH <= len(text) <= PIN_MAX_LENGTH


class PinLock:
    """Wrong PINs typed on this tablet: after LOCAL_MAX_FAILURES in a row the pad rests for
    LOCAL_LOCK (the backend counts too, for every tablet and worker; this spares it the
    guesses and tells the person kindly at once). Times are `time.monotonic()` seconds."""

    def __init__(
        self, max_failures: int = LOCAL_MAX_FAILURES, lock: timedelta = LOCAL_LOCK
    ) -> None:
        self._max = max_failures
        self._lock = lock.total_seconds()
        self._failures = 0
        self._until = 0.0

    def failure(self, now: float) -> bool:
        """Count a wrong PIN; True when this one locks the pad."""
        self._failures += 1
        if self._failures >= self._max:
            self._failures = 0
            self._until = now + self._lock
            return True
        return False

    def lock_for(self, seconds: float, now: float) -> None:
        """Rest at least `seconds` (the backend said 429 with a Retry-After)."""
        self._until = max(self._until, now + seconds)

    def success(self) -> None:
        self._failures = 0

    def remaining(self, now: float) -> float:
        """Seconds until the pad may be used again; 0 when it may."""
        return max(0.0, self._until - now)

    @property
    def failures(self) -> int:
        return self._failures
