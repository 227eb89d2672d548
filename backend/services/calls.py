"""Video calls (docs/calls.md): approved callers, the calls themselves, their signals.

The backend never sees a call's media: it keeps who may call whom (`CallCaller`), the call log
(`Call`: ringing → answered → ended, with an outcome), and passes the two SDPs between the
sides (`CallSignal`: the console's offer, the tablet's answer), deleted when the call ends.

Every right is decided here:
- a person acts on a call only if it is theirs (404 outside the beneficiary's circle, 403 for
  a call of the circle that is someone else's); a tablet only on its beneficiary's calls (404);
- calling, either way, needs the person's CALL role *and* the care manager's approval
  (`backend.policy.may_call`).

Every state change and every signal journals the call (`record_change`): the tablet's sync
wakes, and so does every long-poll waiting on the beneficiary in the `ChangeHub` (the signal
reads and the console's incoming calls), on whichever worker it waits.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, func, or_, select, text
from sqlalchemy.orm import Session, UOWTransaction

from backend.config import Settings
from backend.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from backend.models import (
    Beneficiary,
    Call,
    CallCaller,
    CallSignal,
    Change,
    CircleMember,
    Device,
    User,
)
from backend.policy import Permission, Role, allowed, may_call
from backend.services import access, jobs, messages, sync, turn
from backend.services.changes import record_change
from backend.services.consent import CIRCLE_ENTITY, PROFESSION_WORDS, RELATION_WORDS
from backend.text import check as check_text

CALL_ENTITY = "call"
CALLER_ENTITY = "caller"
RING_JOB = "call_ring_timeout"

TO_TABLET, FROM_TABLET = "to_tablet", "from_tablet"
RINGING, ANSWERED, ENDED = "ringing", "answered", "ended"
TABLET, CONSOLE, SYSTEM = "tablet", "console", "system"
OFFER, ANSWER = "offer", "answer"
# Who sends which SDP: the console always offers, the tablet always answers.
KIND_OF_SIDE = {CONSOLE: OFFER, TABLET: ANSWER}
REFUSE_REASONS = ("refused", "busy")
HANGUP_REASONS = ("hangup", "network")
SDP_MAX_BYTES = 64 * 1024
# How long an ended call stays in the tablet's sync (a ringing tablet learns the caller gave up).
RECENT_ENDED = timedelta(minutes=10)
# An answered call nobody hung up (both sides gone) stops counting as "busy" after this long.
STALE_ANSWERED = timedelta(hours=6)
LOG_PAGE = 100
# Each side sends one SDP (two at most with an ICE restart): more is refused, not stored.
MAX_SIGNALS_PER_SIDE = 8
# The advisory locks' first key for calls (any constant other modules do not use).
_CALLS_LOCK_SPACE = 17_0017


# --- who is acting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """One side of a call: a person on the console, or the beneficiary's tablet."""

    user: User | None = None
    device: Device | None = None

    @property
    def side(self) -> str:
        return TABLET if self.device is not None else CONSOLE

    @property
    def subject_suffix(self) -> str:
        return "tablet" if self.user is None else f"user{self.user.id}"


def person(user: User) -> Party:
    return Party(user=user)


def tablet(device: Device) -> Party:
    return Party(device=device)


def _callee_side(call: Call) -> str:
    return TABLET if call.direction == TO_TABLET else CONSOLE


def _first_name(beneficiary: Beneficiary) -> str:
    return beneficiary.first_name or messages.full_name(beneficiary)


def _approval(session: Session, beneficiary_id: int, user_id: int) -> CallCaller | None:
    return session.get(CallCaller, (beneficiary_id, user_id))


def person_may_call(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    """Whether `user` may call `beneficiary` (and be called from her tablet) now."""
    roles = access.roles_of(session, user, beneficiary)
    approved = _approval(session, beneficiary.id, user.id) is not None
    return may_call(roles, approved=approved)


def _call_for(session: Session, party: Party, call_id: int, *, lock: bool = False) -> Call:
    """The call if `party` is one of its sides: 404 outside the beneficiary's circle (or
    another beneficiary's tablet), 403 for a call of the circle that is someone else's."""
    query = select(Call).where(Call.id == call_id)
    if lock:
        query = query.with_for_update()
    call = session.scalar(query)
    if call is None:
        raise NotFound("Appel introuvable.")
    if party.device is not None:
        if party.device.beneficiary_id != call.beneficiary_id:
            raise NotFound("Appel introuvable.")
        return call
    assert party.user is not None
    beneficiary = session.get(Beneficiary, call.beneficiary_id)
    assert beneficiary is not None
    if not access.roles_of(session, party.user, beneficiary):
        raise NotFound("Appel introuvable.")
    if call.user_id != party.user.id:
        raise Forbidden(
            "Votre place dans l'entourage ne permet pas d'ouvrir l'appel d'une autre personne."
        )
    return call


def call_for_person(session: Session, user: User, call_id: int) -> Call:
    """The call as its person sees it (the console's call page): 404 / 403 as above."""
    return _call_for(session, person(user), call_id)


# --- what each side receives --------------------------------------------------------------------


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def duration_seconds(call: Call) -> int | None:
    """How long the two spoke: from the answer to the end (None if never answered)."""
    if call.answered_at is None or call.ended_at is None:
        return None
    return max(0, round((call.ended_at - call.answered_at).total_seconds()))


def call_payload(session: Session, call: Call, now: datetime) -> dict[str, Any]:
    """The `<call>` record of docs/calls.md (the `calls` sync kind and every answer)."""
    user = session.get(User, call.user_id)
    beneficiary = session.get(Beneficiary, call.beneficiary_id)
    assert user is not None and beneficiary is not None
    left = 0
    if call.state == RINGING:
        left = max(0, math.ceil((call.ring_until - now).total_seconds()))
    return {
        "id": call.id,
        "direction": call.direction,
        "state": call.state,
        "outcome": call.outcome,
        # The person on the console side, whichever way the call goes.
        "caller": {"id": user.id, "name": user.name, "initials": initials(user.name)},
        "beneficiary": {
            "id": beneficiary.id,
            "first_name": beneficiary.first_name,
            "name": messages.full_name(beneficiary),
        },
        "auto_answer": call.auto_answer,
        "created_at": _iso(call.created_at),
        "ring_until": _iso(call.ring_until),
        "ring_seconds_left": left,
        "answered_at": _iso(call.answered_at),
        "ended_at": _iso(call.ended_at),
        "ended_by": call.ended_by,
        "end_reason": call.end_reason,
        "duration_seconds": duration_seconds(call),
    }


def joined(
    session: Session, settings: Settings, party: Party, call: Call, now: datetime
) -> dict[str, Any]:
    """The answer to a side that joins a call: the call and its ICE servers."""
    subject = f"call{call.id}-{party.subject_suffix}"
    return {
        "call": call_payload(session, call, now),
        "ice_servers": turn.ice_servers(settings, subject, now),
    }


# --- state changes --------------------------------------------------------------------------------


def _touch(session: Session, call: Call) -> None:
    """Journal the call: the tablet's sync and every long-poll on the beneficiary wake."""
    session.flush()
    record_change(session, call.beneficiary_id, CALL_ENTITY, call.id, "upsert")


def _end(
    session: Session,
    call: Call,
    *,
    outcome: str,
    by: str,
    reason: str,
    at: datetime,
) -> None:
    call.state = ENDED
    call.outcome = outcome
    call.ended_by = by
    call.end_reason = reason
    call.ended_at = max(at, call.answered_at or call.created_at)
    # Nothing of a call is kept once it is over (its SDPs name the two sides' addresses).
    session.execute(delete(CallSignal).where(CallSignal.call_id == call.id))
    _touch(session, call)


def _settle(session: Session, call: Call, now: datetime) -> None:
    """Bring a call up to date before acting on it: still ringing after `ring_until` (its job
    not run yet) is missed; answered long ago with nobody left is over."""
    if call.state == RINGING and now >= call.ring_until:
        _miss(session, call)
    elif (
        call.state == ANSWERED
        and call.answered_at is not None
        and now - call.answered_at >= STALE_ANSWERED
    ):
        _end(session, call, outcome="failed", by=SYSTEM, reason="network", at=now)


def _lock_beneficiary(session: Session, beneficiary_id: int) -> None:
    """Two calls at once for the same beneficiary: the second waits for the first, sees it and
    is busy. A lock of its own (PostgreSQL's advisory lock on this beneficiary's calls), not
    the beneficiary's row: a writer holding the journal's lock may be waiting to update that
    row, and this transaction takes the journal's lock next. SQLite writes one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :beneficiary)"),
            {"space": _CALLS_LOCK_SPACE, "beneficiary": beneficiary_id},
        )


def _active_call(session: Session, beneficiary_id: int, now: datetime) -> Call | None:
    for call in session.scalars(
        select(Call)
        .where(Call.beneficiary_id == beneficiary_id, Call.state.in_((RINGING, ANSWERED)))
        .order_by(Call.id)
    ).all():
        _settle(session, call, now)
        if call.state != ENDED:
            return call
    return None


def _create(
    session: Session,
    settings: Settings,
    beneficiary: Beneficiary,
    user: User,
    direction: str,
    now: datetime,
    *,
    device_id: int | None = None,
) -> Call:
    """A new ringing call, or a busy one (logged, ended at once) raised as 409."""
    _lock_beneficiary(session, beneficiary.id)
    busy = _active_call(session, beneficiary.id, now) is not None
    approval = _approval(session, beneficiary.id, user.id)
    auto = (
        direction == TO_TABLET
        and approval is not None
        and approval.auto_answer
        and approval.auto_answer_declined_at is None
    )
    call = Call(
        beneficiary_id=beneficiary.id,
        user_id=user.id,
        direction=direction,
        state=RINGING,
        auto_answer=auto and not busy,
        created_at=now,
        ring_until=now + timedelta(seconds=settings.call_ring_seconds),
    )
    session.add(call)
    session.flush()
    if busy:
        _end(session, call, outcome="busy", by=SYSTEM, reason="busy", at=now)
        if direction == FROM_TABLET:
            raise Conflict("Un appel est déjà en cours sur la tablette.", keep_changes=True)
        raise Conflict(
            "{name} est déjà en communication.", name=_first_name(beneficiary), keep_changes=True
        )
    payload = {"call_id": call.id}
    if device_id is not None:
        payload["device_id"] = device_id
    jobs.enqueue(session, RING_JOB, payload, call.ring_until, dedupe_key=f"call-ring:{call.id}")
    _touch(session, call)
    return call


def start_from_console(
    session: Session, settings: Settings, user: User, beneficiary_id: int, now: datetime
) -> dict[str, Any]:
    """A person calls the beneficiary's tablet: 201 with the call and the ICE servers."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_BENEFICIARY)
    if not person_may_call(session, user, beneficiary):
        raise Forbidden(
            "Vous ne pouvez pas appeler {name} : son conseiller autonomie doit d'abord vous "
            "ajouter aux personnes qui peuvent l'appeler.",
            name=_first_name(beneficiary),
        )
    call = _create(session, settings, beneficiary, user, TO_TABLET, now)
    return joined(session, settings, person(user), call, now)


def start_from_tablet(
    session: Session, settings: Settings, device: Device, user_id: Any, now: datetime
) -> dict[str, Any]:
    """The beneficiary calls an approved person from « Appeler »."""
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise Invalid("« user_id » doit être un nombre entier.")
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    assert beneficiary is not None
    user = session.get(User, user_id)
    roles = access.roles_of(session, user, beneficiary) if user is not None else frozenset()
    approved = user is not None and _approval(session, beneficiary.id, user.id) is not None
    if user is None or not may_call(roles, approved=approved):
        raise Forbidden("Cette personne ne fait pas partie des personnes à appeler.")
    if not allowed({Role.DEVICE}, Permission.CALL):  # the policy may close it one day
        raise Forbidden("Cette tablette ne peut pas passer d'appel.")
    call = _create(session, settings, beneficiary, user, FROM_TABLET, now, device_id=device.id)
    return joined(session, settings, tablet(device), call, now)


def answer(
    session: Session, settings: Settings, party: Party, call_id: int, now: datetime
) -> dict[str, Any]:
    """The called side picks up: ringing → answered; 409 once it no longer rings."""
    call = _call_for(session, party, call_id, lock=True)
    if party.side != _callee_side(call):
        raise Forbidden("Seule la personne appelée peut décrocher.")
    if party.user is not None:
        beneficiary = session.get(Beneficiary, call.beneficiary_id)
        assert beneficiary is not None
        if not person_may_call(session, party.user, beneficiary):
            raise Forbidden("Vous ne faites plus partie des personnes qui peuvent appeler.")
    _settle(session, call, now)
    if call.state == ANSWERED and party.side == _callee_side(call):
        # Answered twice (a retried request): the same answer again.
        return joined(session, settings, party, call, now)
    if call.state != RINGING:
        raise Conflict("L'appel a été annulé.", keep_changes=True)
    call.state = ANSWERED
    call.answered_at = now
    _touch(session, call)
    return joined(session, settings, party, call, now)


def refuse(
    session: Session, party: Party, call_id: int, reason: Any, now: datetime
) -> dict[str, Any]:
    """The called side says no (« Refuser »), or is busy: ringing → ended."""
    if reason not in REFUSE_REASONS:
        raise Invalid(
            "Raison inconnue : {reason}. Raisons possibles : {reasons}.",
            reason=str(reason)[:40],
            reasons=", ".join(REFUSE_REASONS),
        )
    call = _call_for(session, party, call_id, lock=True)
    if party.side != _callee_side(call):
        raise Forbidden("Seule la personne appelée peut refuser l'appel.")
    _settle(session, call, now)
    if call.state == ANSWERED:
        raise Conflict("L'appel est déjà décroché : raccrochez pour y mettre fin.")
    if call.state == RINGING:
        outcome = "busy" if reason == "busy" else "refused"
        _end(session, call, outcome=outcome, by=party.side, reason=reason, at=now)
    return {"call": call_payload(session, call, now)}


def hang_up(
    session: Session, party: Party, call_id: int, reason: Any, now: datetime
) -> dict[str, Any]:
    """Either side ends the call; an ended call is answered as it is (idempotent)."""
    if reason not in HANGUP_REASONS:
        raise Invalid(
            "Raison inconnue : {reason}. Raisons possibles : {reasons}.",
            reason=str(reason)[:40],
            reasons=", ".join(HANGUP_REASONS),
        )
    call = _call_for(session, party, call_id, lock=True)
    _settle(session, call, now)
    if call.state == ANSWERED:
        _end(session, call, outcome="completed", by=party.side, reason=reason, at=now)
    elif call.state == RINGING:
        if party.side == _callee_side(call):
            _end(session, call, outcome="refused", by=party.side, reason="refused", at=now)
        else:
            _end(session, call, outcome="cancelled", by=party.side, reason="cancelled", at=now)
    return {"call": call_payload(session, call, now)}


# --- signals ------------------------------------------------------------------------------------


def post_signal(
    session: Session, party: Party, call_id: int, kind: Any, sdp: Any, now: datetime
) -> dict[str, Any]:
    """One SDP from `party`'s side: the console's offer, the tablet's answer."""
    if kind not in (OFFER, ANSWER):
        raise Invalid(
            "Type de signal inconnu : {kind}. Types possibles : offer, answer.",
            kind=str(kind)[:40],
        )
    if not isinstance(sdp, str) or not sdp.strip():
        raise Invalid("« sdp » doit être un texte non vide.")
    if len(sdp.encode("utf-8", "replace")) > SDP_MAX_BYTES:
        raise Invalid("Signal trop long : 64 Ko au plus.")
    check_text(sdp, "Le signal", multiline=True)
    call = _call_for(session, party, call_id)
    if kind != KIND_OF_SIDE[party.side]:
        raise Invalid(
            "Ce côté de l'appel envoie « {expected} », pas « {kind} ».",
            expected=KIND_OF_SIDE[party.side],
            kind=kind,
        )
    _settle(session, call, now)
    if call.state == ENDED:
        raise Conflict("L'appel est terminé.", keep_changes=True)
    sent = session.scalar(
        select(func.count(CallSignal.id)).where(
            CallSignal.call_id == call.id, CallSignal.sender == party.side
        )
    )
    if (sent or 0) >= MAX_SIGNALS_PER_SIDE:
        raise Conflict("Trop de signaux pour cet appel.")
    signal = CallSignal(call_id=call.id, sender=party.side, kind=kind, sdp=sdp, created_at=now)
    session.add(signal)
    _touch(session, call)
    return {"id": signal.id}


@dataclass(frozen=True)
class SignalRead:
    beneficiary_id: int
    call: dict[str, Any]
    signals: list[dict[str, Any]]
    last: int

    @property
    def ended(self) -> bool:
        return bool(self.call["state"] == ENDED)

    @property
    def mark(self) -> tuple[Any, ...]:
        """What a long-poll waits to see change (besides signals)."""
        return (self.call["state"], self.call["answered_at"], self.call["ended_at"])


def read_signals(
    session: Session, party: Party, call_id: int, after: int, now: datetime
) -> SignalRead:
    """The other side's signals after the cursor `after`, and the call as it is."""
    call = _call_for(session, party, call_id)
    rows = session.scalars(
        select(CallSignal)
        .where(
            CallSignal.call_id == call.id,
            CallSignal.sender != party.side,
            CallSignal.id > after,
        )
        .order_by(CallSignal.id)
    ).all()
    signals = [{"id": s.id, "sender": s.sender, "kind": s.kind, "sdp": s.sdp} for s in rows]
    return SignalRead(
        call.beneficiary_id,
        call_payload(session, call, now),
        signals,
        max([after, *(s.id for s in rows)]),
    )


# --- the ring timeout -------------------------------------------------------------------------


def _miss(session: Session, call: Call, device_id: int | None = None) -> None:
    """Nobody answered in time: missed, and a message says so to the one who was called."""
    _end(session, call, outcome="missed", by=SYSTEM, reason="timeout", at=call.ring_until)
    beneficiary = session.get(Beneficiary, call.beneficiary_id)
    user = session.get(User, call.user_id)
    assert beneficiary is not None and user is not None
    tz = ZoneInfo(beneficiary.timezone)
    local = call.created_at.astimezone(tz)
    at = f"{local.hour} h {local.minute:02d}"
    if call.direction == TO_TABLET:
        # From the caller, in the daily space the tablet shows.
        first = user.name.split()[0] if user.name.split() else user.name
        # No message in their name if the caller left the circle meanwhile.
        with contextlib.suppress(ServiceError):
            messages.create_message(
                session,
                user,
                beneficiary.id,
                space=messages.DAILY,
                body=f"{first} a essayé de vous appeler à {at}.",
                now=call.ring_until,
            )
        return
    device = _device_of(session, beneficiary.id, device_id)
    if device is None:
        return
    # From the tablet, in the daily space (read by the whole circle: it names whom).
    messages._store(
        session,
        beneficiary,
        space=messages.DAILY,
        body=f"{_first_name(beneficiary)} a essayé d'appeler {user.name} à {at}.",
        now=call.ring_until,
        author_device_id=device.id,
    )


def _device_of(session: Session, beneficiary_id: int, device_id: int | None) -> Device | None:
    if device_id is not None:
        device = session.get(Device, device_id)
        if device is not None and device.beneficiary_id == beneficiary_id:
            return device
    return session.scalar(
        select(Device)
        .where(Device.beneficiary_id == beneficiary_id, Device.revoked_at.is_(None))
        .order_by(Device.id.desc())
    )


def ring_timeout(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Job `call_ring_timeout`, planned for `ring_until`: a call still ringing is missed. Run
    late it does the same (the call ended when it stopped ringing); an ended call is left
    alone; run early (a clock moved back) it plans itself again."""
    call = session.scalar(select(Call).where(Call.id == payload["call_id"]).with_for_update())
    if call is None or call.state != RINGING:
        return
    if now < call.ring_until:
        jobs.enqueue(
            session,
            RING_JOB,
            payload,
            call.ring_until,
            dedupe_key=f"call-ring:{call.id}:{call.ring_until.isoformat()}:{now.isoformat()}",
        )
        return
    device_id = payload.get("device_id")
    _miss(session, call, device_id if isinstance(device_id, int) else None)


jobs.register(RING_JOB, ring_timeout)


# --- incoming calls on the console, the call log -----------------------------------------------


def incoming_for(session: Session, user: User, now: datetime) -> list[dict[str, Any]]:
    """Tablet→console calls ringing now for `user` (still allowed to be called)."""
    calls = session.scalars(
        select(Call)
        .where(
            Call.user_id == user.id,
            Call.direction == FROM_TABLET,
            Call.state == RINGING,
            Call.ring_until > now,
        )
        .order_by(Call.id)
    ).all()
    shown = []
    for call in calls:
        beneficiary = session.get(Beneficiary, call.beneficiary_id)
        if beneficiary is not None and person_may_call(session, user, beneficiary):
            shown.append(call_payload(session, call, now))
    return shown


def beneficiaries_calling(session: Session, user: User) -> list[int]:
    """The beneficiaries whose tablet may call `user`: where an incoming call can come from."""
    return list(
        session.scalars(select(CallCaller.beneficiary_id).where(CallCaller.user_id == user.id))
    )


def call_log(
    session: Session,
    user: User,
    beneficiary_id: int,
    now: datetime,
    *,
    limit: int = LOG_PAGE,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """The beneficiary's calls, newest first (who, when, direction, outcome, duration)."""
    access.require(session, user, beneficiary_id, Permission.VIEW_CALL_LOG)
    query = select(Call).where(Call.beneficiary_id == beneficiary_id)
    if before_id is not None:
        query = query.where(Call.id < before_id)
    rows = session.scalars(query.order_by(Call.id.desc()).limit(max(1, min(limit, LOG_PAGE))))
    return [call_payload(session, call, now) for call in rows]


# --- approved callers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    user: User
    approval: CallCaller
    relation: str | None
    # Still holds CALL by role (someone who left the circle keeps a row but may not call).
    active: bool

    @property
    def auto_answer(self) -> bool:
        return self.approval.auto_answer

    @property
    def auto_answer_declined(self) -> bool:
        return self.approval.auto_answer_declined_at is not None


def _relation_word(session: Session, beneficiary_id: int, user: User) -> str | None:
    profession = PROFESSION_WORDS.get(user.profession or "")
    if profession:
        return profession
    relation = session.scalar(
        select(CircleMember.relation).where(
            CircleMember.beneficiary_id == beneficiary_id, CircleMember.user_id == user.id
        )
    )
    return RELATION_WORDS.get(relation or "")


def _callers(
    session: Session, beneficiary: Beneficiary, user_ids: set[int] | None = None
) -> list[Caller]:
    query = (
        select(CallCaller, User)
        .join(User, User.id == CallCaller.user_id)
        .where(CallCaller.beneficiary_id == beneficiary.id)
    )
    if user_ids is not None:
        query = query.where(CallCaller.user_id.in_(user_ids))
    found = []
    for approval, user in session.execute(query.order_by(User.name, User.id)).all():
        roles = access.roles_of(session, user, beneficiary)
        found.append(
            Caller(
                user,
                approval,
                _relation_word(session, beneficiary.id, user),
                may_call(roles, approved=True),
            )
        )
    return found


def callers(session: Session, user: User, beneficiary_id: int) -> list[Caller]:
    """The approved callers, for the care manager's page (and anyone with the call log)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_CALL_LOG)
    return _callers(session, beneficiary)


def approve_caller(
    session: Session,
    user: User,
    beneficiary_id: int,
    caller_id: int,
    now: datetime,
    *,
    auto_answer: bool = False,
) -> CallCaller:
    """The care manager lets a person of the circle call (again: sets auto-answer)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CALLERS)
    caller = session.get(User, caller_id)
    if caller is None or not access.roles_of(session, caller, beneficiary):
        raise NotFound("Cette personne ne fait pas partie de l'entourage.")
    if not allowed(access.roles_of(session, caller, beneficiary), Permission.CALL):
        raise Invalid("Le rôle de cette personne ne permet pas les appels vidéo.")
    approval = _approval(session, beneficiary.id, caller.id)
    if approval is None:
        approval = CallCaller(
            beneficiary_id=beneficiary.id,
            user_id=caller.id,
            auto_answer=auto_answer,
            approved_by_id=user.id,
            approved_at=now,
        )
        session.add(approval)
    else:
        approval.auto_answer = auto_answer
    session.flush()
    record_change(session, beneficiary.id, CALLER_ENTITY, caller.id, "upsert")
    return approval


def set_auto_answer(
    session: Session, user: User, beneficiary_id: int, caller_id: int, enabled: bool
) -> CallCaller:
    """The care manager's auto-answer switch for an approved caller."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CALLERS)
    approval = _approval(session, beneficiary.id, caller_id)
    if approval is None:
        raise NotFound("Cette personne ne fait pas partie des personnes qui peuvent appeler.")
    approval.auto_answer = enabled
    session.flush()
    record_change(session, beneficiary.id, CALLER_ENTITY, caller_id, "upsert")
    return approval


def remove_caller(session: Session, user: User, beneficiary_id: int, caller_id: int) -> None:
    """The care manager takes a person off the callers (no-op if they were not on it)."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_CALLERS)
    approval = _approval(session, beneficiary.id, caller_id)
    if approval is None:
        return
    session.delete(approval)
    session.flush()
    record_change(session, beneficiary.id, CALLER_ENTITY, caller_id, "delete")


def auto_answer_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Device action `call_auto_answer` {"user_id": 3, "declined": true}: the beneficiary
    takes herself off (or back on) auto-answer for that caller."""
    unknown = set(data) - {"user_id", "declined"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    user_id, declined = data.get("user_id"), data.get("declined")
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise Invalid("« user_id » doit être un nombre entier.")
    if not isinstance(declined, bool):
        raise Invalid("« declined » doit valoir true ou false.")
    approval = _approval(session, beneficiary.id, user_id)
    if approval is None:
        raise NotFound("Cette personne ne fait pas partie des personnes qui peuvent appeler.")
    if declined and approval.auto_answer_declined_at is None:
        approval.auto_answer_declined_at = now
    elif not declined:
        approval.auto_answer_declined_at = None
    session.flush()
    record_change(session, beneficiary.id, CALLER_ENTITY, user_id, "upsert")
    return {"user_id": user_id, "declined": approval.auto_answer_declined_at is not None}


# --- the tablet's sync kinds ----------------------------------------------------------------------


def caller_payload(caller: Caller) -> dict[str, Any]:
    return {
        "id": caller.user.id,
        "name": caller.user.name,
        "relation": caller.relation,
        "initials": initials(caller.user.name),
        "auto_answer": caller.auto_answer,
        "auto_answer_declined": caller.auto_answer_declined,
    }


def _callers_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[Any]:
    return [caller_payload(c) for c in _callers(session, beneficiary) if c.active]


def _callers_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[Any]:
    return [caller_payload(c) for c in _callers(session, beneficiary, ids) if c.active]


def _current(beneficiary_id: int, now: datetime) -> Any:
    return (Call.beneficiary_id == beneficiary_id) & or_(
        Call.state.in_((RINGING, ANSWERED)), Call.ended_at >= now - RECENT_ENDED
    )


def sync_now() -> datetime:
    """The moment a sync answers at (the sync's kinds are given no clock; tests replace this
    with theirs): `ring_seconds_left` is counted from the server's clock, not the tablet's."""
    return datetime.now(UTC)


def _calls_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[Any]:
    now = sync_now()
    rows = session.scalars(select(Call).where(_current(beneficiary.id, now)).order_by(Call.id))
    return [call_payload(session, call, now) for call in rows]


def _calls_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[Any]:
    now = sync_now()
    rows = session.scalars(
        select(Call).where(_current(beneficiary.id, now), Call.id.in_(ids)).order_by(Call.id)
    )
    return [call_payload(session, call, now) for call in rows]


def _journal_callers_with_circle(
    session: Session, _context: UOWTransaction, _instances: object
) -> None:
    """A person journaled for the beneficiary's circle (joining, leaving, a new name: noticed
    by `backend.services.consent` whichever path made it) is journaled as a caller too when
    approved: someone who left the circle leaves the tablet's « Appeler » at once."""
    journaled = {
        (change.beneficiary_id, change.entity_id)
        for change in session.new
        if isinstance(change, Change) and change.entity == CIRCLE_ENTITY
    }
    for beneficiary_id, user_id in sorted(journaled):
        if session.get(CallCaller, (beneficiary_id, user_id)) is not None:
            record_change(session, beneficiary_id, CALLER_ENTITY, user_id, "upsert")


# After consent's own listener (imported above), which adds the circle's journal rows.
event.listen(Session, "before_flush", _journal_callers_with_circle)

sync.register(sync.SyncedKind("callers", CALLER_ENTITY, _callers_all, _callers_some))
sync.register(sync.SyncedKind("calls", CALL_ENTITY, _calls_all, _calls_some))
