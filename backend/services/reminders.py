"""Reminders: the rules, the rights, what the tablet receives and sends, the escalation check
and the adherence figures. The contract between the parts is docs/reminders.md.

Rights: VIEW_REMINDERS to read; MANAGE_REMINDERS (the care manager) or a delegation the care
manager wrote (`ReminderEditor`, `backend.policy.may_manage_reminders`) to create, edit, pause,
resume and delete; only the care manager grants and revokes a delegation. Every function that
acts for a person takes the person and the beneficiary's id and decides there (404 outside the
circle, 403 inside without the right), so that the API and the console decide alike.

Every write journals a change (the tablet's sync kind "reminders") and bumps `version`; a
paused reminder is sent to the tablet as deleted. Reading reminders and their adherence is
written to the audit log (a title may name a treatment).

Escalation (docs/reminders.md, "Escalation, offline, exactly once"): each occurrence of a
reminder that wants a confirmation gets one job "reminder_check" at `due + window`, where the
window is `escalate_after_minutes`, or DECIDE_WITHOUT_ESCALATION when the reminder raises no
alert (its outcome is still recorded, for the adherence). The first check of an occurrence
plans the next occurrence's; an undecided one ("unknown", the tablet offline) is checked again
every RECHECK_EVERY, for at most GIVE_UP_AFTER.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.models import (
    Alert,
    Beneficiary,
    Device,
    ReminderEditor,
    ReminderOccurrence,
    ReminderWatcher,
    User,
)
from backend.models import Reminder as ReminderRow
from backend.policy import Permission, allowed, may_manage_reminders
from backend.services import access, agenda, alerts, alerts_bulk, audit, jobs, sync
from backend.services.changes import record_change
from backend.services.wellbeing import check_recent, parse_instant
from backend.text import check as check_text
from common import reminders as schedule
from common.recurrence import RecurrenceError

ENTITY = "reminder"
OCCURRENCE_ENTITY = "reminder_occurrence"
SYNC_KEY = "reminders"
JOB_KIND = "reminder_check"
ALERT_KIND = "reminder_missed"
MAX_ID = 2_147_483_647  # ids are 32-bit on PostgreSQL
MAX_WATCHERS = 20
MAX_WEEKS = 52
# The escalation check's timing (docs/reminders.md).
RECHECK_EVERY = timedelta(minutes=15)
DECIDE_WITHOUT_ESCALATION = timedelta(hours=24)
GIVE_UP_AFTER = timedelta(days=7)
# A start more than a year back, or far ahead, is a typing mistake (and an old start makes
# every expansion, here and on the tablet, walk the years in between).
YEARS_BACK, YEARS_AHEAD = 1, 10
# How far ahead the next due time is looked for (a yearly reminder is within it).
NEXT_DUE_HORIZON = timedelta(days=400)
# A tablet's clock may be a little ahead; a confirmation before the due time is taken as at it.
CONFIRM_SKEW = timedelta(minutes=5)

KINDS = tuple(k.value for k in schedule.Kind)
KIND_LABELS = {k.value: label for k, label in schedule.KIND_LABELS_FR.items()}
# Fields `update` accepts (the API's PATCH body, the console's form).
FIELDS = (
    "title",
    "detail",
    "kind",
    "start",
    "rrule",
    "confirm_wanted",
    "repeat_every_minutes",
    "repeat_count",
    "escalate_after_minutes",
    "critical",
    "watcher_ids",
)


# --- rights -----------------------------------------------------------------------------------


def _is_editor(session: Session, user_id: int, beneficiary_id: int) -> bool:
    found = session.scalar(
        select(ReminderEditor.id).where(
            ReminderEditor.beneficiary_id == beneficiary_id, ReminderEditor.user_id == user_id
        )
    )
    return found is not None


def may_manage(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    """Whether `user` may create, edit, pause and delete this beneficiary's reminders (by
    role, or as a reminder editor). For showing buttons; every write checks again."""
    roles = access.roles_of(session, user, beneficiary)
    return may_manage_reminders(roles, delegated=_is_editor(session, user.id, beneficiary.id))


def may_manage_editors(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    """Whether `user` may grant and revoke reminder editors (the care manager, by role)."""
    return allowed(access.roles_of(session, user, beneficiary), Permission.MANAGE_REMINDERS)


def _viewer(session: Session, user: User, beneficiary_id: int) -> Beneficiary:
    return access.require(session, user, beneficiary_id, Permission.VIEW_REMINDERS)


def _manager(session: Session, user: User, beneficiary_id: int) -> Beneficiary:
    beneficiary = _viewer(session, user, beneficiary_id)
    if not may_manage(session, user, beneficiary):
        raise Forbidden(
            "Votre rôle ne permet pas de gérer les rappels : seuls le conseiller autonomie "
            "et les personnes qu'il y autorise les gèrent."
        )
    return beneficiary


def _row(session: Session, beneficiary: Beneficiary, reminder_id: int) -> ReminderRow:
    reminder = session.get(ReminderRow, reminder_id) if 1 <= reminder_id <= MAX_ID else None
    if reminder is None or reminder.beneficiary_id != beneficiary.id:
        raise NotFound("Rappel introuvable.")
    return reminder


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderInfo:
    """A reminder as the API and the console show it."""

    reminder: ReminderRow
    tz: ZoneInfo  # the beneficiary's: the schedule's wall-clock times are in it
    watcher_ids: list[int]
    next_due: datetime | None  # aware, in `tz`; None when paused or when it will not come again

    @property
    def paused(self) -> bool:
        return self.reminder.paused_at is not None

    @property
    def start(self) -> datetime:
        """The first due time as written: wall-clock time in `tz`, made aware."""
        return self.reminder.start_local.replace(tzinfo=self.tz)

    @property
    def kind_label(self) -> str:
        """In French: "Médicament", "Rendez-vous", "Boire", "Autre"."""
        return KIND_LABELS.get(self.reminder.kind, self.reminder.kind)


def zone_of(beneficiary: Beneficiary) -> ZoneInfo:
    """A reminder's wall-clock times are in its beneficiary's zone, whatever the zone was when
    it was written: if the beneficiary moves, "8 h" stays 8 h where they live, on the tablet as
    here."""
    return ZoneInfo(beneficiary.timezone)


def as_schedule(reminder: ReminderRow, tz: ZoneInfo) -> schedule.Reminder:
    return schedule.Reminder(
        id=reminder.id,
        title=reminder.title,
        start_local=reminder.start_local,
        tz=tz,
        kind=reminder.kind,
        detail=reminder.detail,
        rrule=reminder.rrule,
        confirm_wanted=reminder.confirm_wanted,
        repeat_every_minutes=reminder.repeat_every_minutes,
        repeat_count=reminder.repeat_count,
        critical=reminder.critical,
        version=reminder.version,
    )


def _watchers(session: Session, reminder_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(reminder_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(ReminderWatcher.reminder_id, ReminderWatcher.user_id)
        .where(ReminderWatcher.reminder_id.in_(ids))
        .order_by(ReminderWatcher.user_id)
    )
    for reminder_id, user_id in rows:
        found[reminder_id].append(user_id)
    return found


def _info(
    reminder: ReminderRow, tz: ZoneInfo, watcher_ids: list[int], now: datetime
) -> ReminderInfo:
    due = None
    if reminder.paused_at is None:
        due = as_schedule(reminder, tz).next_due(now - timedelta(microseconds=1), NEXT_DUE_HORIZON)
    return ReminderInfo(reminder, tz, watcher_ids, due.astimezone(tz) if due else None)


def _audit(
    session: Session,
    action: str,
    beneficiary_id: int,
    entity_id: int | None,
    now: datetime,
    *,
    user: User | None = None,
    device: Device | None = None,
    entity: str = ENTITY,
) -> None:
    audit.record(
        session,
        action=action,
        entity=entity,
        entity_id=entity_id,
        beneficiary_id=beneficiary_id,
        user_id=user.id if user else None,
        device_id=device.id if device else None,
        at=now,
    )


def list_reminders(
    session: Session, user: User, beneficiary_id: int, now: datetime
) -> list[ReminderInfo]:
    """The beneficiary's reminders: the active ones by next due time, then the paused ones."""
    beneficiary = _viewer(session, user, beneficiary_id)
    tz = zone_of(beneficiary)
    rows = list(
        session.scalars(
            select(ReminderRow)
            .where(ReminderRow.beneficiary_id == beneficiary.id)
            .order_by(ReminderRow.id)
        )
    )
    watchers = _watchers(session, (r.id for r in rows))
    infos = [_info(r, tz, watchers[r.id], now) for r in rows]
    _audit(session, "read", beneficiary.id, None, now, user=user)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(infos, key=lambda i: (i.paused, i.next_due or far, i.reminder.id))


def get_reminder(
    session: Session, user: User, beneficiary_id: int, reminder_id: int, now: datetime
) -> ReminderInfo:
    beneficiary = _viewer(session, user, beneficiary_id)
    reminder = _row(session, beneficiary, reminder_id)
    _audit(session, "read", beneficiary.id, reminder.id, now, user=user)
    return _info(
        reminder, zone_of(beneficiary), _watchers(session, [reminder.id])[reminder.id], now
    )


# --- checks -----------------------------------------------------------------------------------


def _title(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid("Le titre est obligatoire.")
    title = value.strip()
    if not title:
        raise Invalid("Le titre est obligatoire.")
    if len(title) > schedule.MAX_TITLE:
        raise Invalid("Titre trop long : {n} caractères au plus.", n=schedule.MAX_TITLE)
    # Markup is text like any other: kept as typed, escaped where it is shown.
    return check_text(title, "Le titre")


def _detail(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("Le détail doit être un texte.")
    detail = value.strip()
    if len(detail) > schedule.MAX_DETAIL:
        raise Invalid("Détail trop long : {n} caractères au plus.", n=schedule.MAX_DETAIL)
    return check_text(detail, "Le détail", multiline=True)


def _kind(value: object) -> str:
    if value not in KINDS:
        raise Invalid(
            "Type de rappel inconnu : {kind}. Types possibles : {choices}.",
            kind=str(value)[:40],
            choices=", ".join(KINDS),
        )
    return str(value)


def _int(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("{label} : un nombre entier est attendu.", label=label)
    return value


def _start(value: object, tz: ZoneInfo, now: datetime) -> datetime:
    """Wall-clock time in `tz`, to the minute (an aware time is converted to it)."""
    if not isinstance(value, datetime):
        raise Invalid("L'heure du rappel est obligatoire.")
    first, last = now.year - YEARS_BACK, now.year + YEARS_AHEAD
    if not first <= value.year <= last:
        raise Invalid(
            "L'heure du rappel doit tomber entre {first} et {last}.", first=first, last=last
        )
    return agenda.to_wall_clock(value, tz).replace(second=0)


def _rule(value: object, start_local: datetime, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("La règle de récurrence doit être un texte.")
    try:
        return schedule.check_schedule(start_local, value, tz)
    except RecurrenceError as exc:
        raise Invalid(exc.template, **exc.params) from exc


def _check_numbers(reminder: ReminderRow) -> None:
    low, high = schedule.REPEAT_EVERY_RANGE
    if not low <= reminder.repeat_every_minutes <= high:
        raise Invalid(
            "L'intervalle entre deux rappels doit être compris entre {low} et {high} minutes.",
            low=low,
            high=high,
        )
    if not 0 <= reminder.repeat_count <= schedule.MAX_REPEAT_COUNT:
        raise Invalid("Le rappel peut être répété de 0 à {n} fois.", n=schedule.MAX_REPEAT_COUNT)
    if reminder.escalate_after_minutes is not None:
        low, high = schedule.ESCALATE_AFTER_RANGE
        if not low <= reminder.escalate_after_minutes <= high:
            raise Invalid(
                "Le délai avant l'alerte doit être compris entre {low} et {high} minutes.",
                low=low,
                high=high,
            )
        if not reminder.confirm_wanted:
            raise Invalid(
                "Une alerte suppose une confirmation : demandez « C'est fait » ou retirez l'alerte."
            )


def _watcher_ids(session: Session, beneficiary: Beneficiary, value: object) -> list[int]:
    """The people to alert: each in the beneficiary's circle (else 422)."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple, set)):
        raise Invalid("watcher_ids : une liste de personnes est attendue.")
    ids = sorted({_int(v, "watcher_ids") for v in value})
    if len(ids) > MAX_WATCHERS:
        raise Invalid("Au plus {n} personnes à prévenir par rappel.", n=MAX_WATCHERS)
    for user_id in ids:
        person = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
        if person is None or not access.roles_of(session, person, beneficiary):
            raise Invalid(
                "La personne n° {id} ne fait pas partie de l'entourage du bénéficiaire : "
                "elle ne peut pas être prévenue.",
                id=user_id,
            )
    return ids


def _lock_beneficiary(session: Session, beneficiary: Beneficiary) -> None:
    """Writers of one beneficiary's reminders queue here (PostgreSQL), so that two creations
    at once cannot both pass the limit of active reminders. SQLite has one writer anyway.
    FOR NO KEY UPDATE: rows that merely refer to the beneficiary are not held up."""
    session.execute(
        select(Beneficiary.id)
        .where(Beneficiary.id == beneficiary.id)
        .with_for_update(key_share=True)
    )


def _check_room(session: Session, beneficiary: Beneficiary, exclude_id: int | None = None) -> None:
    query = select(func.count(ReminderRow.id)).where(
        ReminderRow.beneficiary_id == beneficiary.id, ReminderRow.paused_at.is_(None)
    )
    if exclude_id is not None:
        query = query.where(ReminderRow.id != exclude_id)
    active = session.scalar(query) or 0
    if active >= schedule.MAX_ACTIVE_PER_BENEFICIARY:
        raise Conflict(
            "Cette personne a déjà {n} rappels actifs, le plus que la tablette affiche : "
            "mettez-en un en pause ou supprimez-en un d'abord.",
            n=schedule.MAX_ACTIVE_PER_BENEFICIARY,
        )


def _set_watchers(session: Session, reminder: ReminderRow, ids: Sequence[int]) -> None:
    current = {
        w.user_id: w
        for w in session.scalars(
            select(ReminderWatcher).where(ReminderWatcher.reminder_id == reminder.id)
        )
    }
    for user_id, row in current.items():
        if user_id not in ids:
            session.delete(row)
    for user_id in ids:
        if user_id not in current:
            session.add(ReminderWatcher(reminder_id=reminder.id, user_id=user_id))


# --- writes -----------------------------------------------------------------------------------


def create_reminder(
    session: Session,
    user: User,
    beneficiary_id: int,
    *,
    title: str,
    start: datetime,
    now: datetime,
    kind: str = schedule.Kind.OTHER,
    detail: str = "",
    rrule: str | None = None,
    confirm_wanted: bool = True,
    repeat_every_minutes: int = 10,
    repeat_count: int = 3,
    escalate_after_minutes: int | None = None,
    critical: bool = False,
    watcher_ids: Sequence[int] = (),
) -> ReminderInfo:
    """A new reminder (MANAGE_REMINDERS or a delegation). `start`: naive, wall-clock time in
    the beneficiary's zone; aware, converted to it. Everything is checked before anything is
    stored: a refusal (422, or 409 at MAX_ACTIVE_PER_BENEFICIARY) leaves nothing behind."""
    beneficiary = _manager(session, user, beneficiary_id)
    tz = zone_of(beneficiary)
    start_local = _start(start, tz, now)
    reminder = ReminderRow(
        beneficiary_id=beneficiary.id,
        title=_title(title),
        detail=_detail(detail),
        kind=_kind(kind),
        start_local=start_local,
        timezone=beneficiary.timezone,
        rrule=_rule(rrule, start_local, tz),
        confirm_wanted=bool(confirm_wanted),
        repeat_every_minutes=_int(repeat_every_minutes, "repeat_every_minutes"),
        repeat_count=_int(repeat_count, "repeat_count"),
        escalate_after_minutes=None
        if escalate_after_minutes is None
        else _int(escalate_after_minutes, "escalate_after_minutes"),
        critical=bool(critical),
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    _check_numbers(reminder)
    watchers = _watcher_ids(session, beneficiary, list(watcher_ids))
    _lock_beneficiary(session, beneficiary)
    _check_room(session, beneficiary)
    session.add(reminder)
    session.flush()
    _set_watchers(session, reminder, watchers)
    record_change(session, beneficiary.id, ENTITY, reminder.id, "upsert")
    _audit(session, "create", beneficiary.id, reminder.id, now, user=user)
    plan_check(session, reminder, tz, now)
    session.flush()
    return _info(reminder, tz, watchers, now)


def update_reminder(
    session: Session,
    user: User,
    beneficiary_id: int,
    reminder_id: int,
    changes: dict[str, Any],
    now: datetime,
) -> ReminderInfo:
    """Change some fields (FIELDS; a key absent stays as is, `rrule` None makes it a single
    time, `escalate_after_minutes` None removes the alert, `detail` None empties it). Checked
    whole before anything is kept. Bumps `version`: the escalation planned before does nothing,
    the next occurrence's is planned again."""
    beneficiary = _manager(session, user, beneficiary_id)
    reminder = _row(session, beneficiary, reminder_id)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    tz = zone_of(beneficiary)
    before = as_schedule(reminder, tz)
    was_asking = reminder.paused_at is None and reminder.confirm_wanted

    def shown(due: datetime) -> bool:
        """The tablet showed this occurrence, asking for "C'est fait", before the edit."""
        return was_asking and is_due_at_schedule(before, due)

    # Checked on a copy: a refused change leaves the stored reminder untouched.
    start_local = _start(changes["start"], tz, now) if "start" in changes else None
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = _title(changes["title"])
    if "detail" in changes:
        values["detail"] = _detail(changes["detail"])
    if "kind" in changes:
        values["kind"] = _kind(changes["kind"])
    if start_local is not None:
        values["start_local"] = start_local
    if "rrule" in changes or start_local is not None:
        rule = changes.get("rrule", reminder.rrule)
        values["rrule"] = _rule(rule, start_local or reminder.start_local, tz)
    for name in ("confirm_wanted", "critical"):
        if name in changes:
            if not isinstance(changes[name], bool):
                raise Invalid("{name} : vrai ou faux est attendu.", name=name)
            values[name] = changes[name]
    for name in ("repeat_every_minutes", "repeat_count"):
        if name in changes:
            values[name] = _int(changes[name], name)
    if "escalate_after_minutes" in changes:
        value = changes["escalate_after_minutes"]
        values["escalate_after_minutes"] = (
            None if value is None else _int(value, "escalate_after_minutes")
        )
    probe = ReminderRow(
        confirm_wanted=values.get("confirm_wanted", reminder.confirm_wanted),
        repeat_every_minutes=values.get("repeat_every_minutes", reminder.repeat_every_minutes),
        repeat_count=values.get("repeat_count", reminder.repeat_count),
        escalate_after_minutes=values.get(
            "escalate_after_minutes", reminder.escalate_after_minutes
        ),
    )
    _check_numbers(probe)
    watchers = (
        _watcher_ids(session, beneficiary, changes["watcher_ids"])
        if "watcher_ids" in changes
        else None
    )
    for name, value in values.items():
        setattr(reminder, name, value)
    if watchers is not None:
        _set_watchers(session, reminder, watchers)
    reminder.timezone = beneficiary.timezone
    _touch(session, reminder, now, "upsert")
    _audit(session, "update", beneficiary.id, reminder.id, now, user=user)
    plan_check(session, reminder, tz, now, shown=shown)
    _replan_unknown(session, reminder, tz, now)
    session.flush()
    return _info(reminder, tz, _watchers(session, [reminder.id])[reminder.id], now)


def _touch(session: Session, reminder: ReminderRow, now: datetime, op: str) -> None:
    reminder.version += 1
    reminder.updated_at = now
    record_change(session, reminder.beneficiary_id, ENTITY, reminder.id, op)


def pause_reminder(
    session: Session, user: User, beneficiary_id: int, reminder_id: int, now: datetime
) -> ReminderInfo:
    """Stop showing it (the tablet drops it) and stop its escalation; kept, to resume. Pausing
    a paused reminder changes nothing."""
    beneficiary = _manager(session, user, beneficiary_id)
    reminder = _row(session, beneficiary, reminder_id)
    tz = zone_of(beneficiary)
    if reminder.paused_at is None:
        reminder.paused_at = now
        _touch(session, reminder, now, "delete")
        _audit(session, "update", beneficiary.id, reminder.id, now, user=user)
    return _info(reminder, tz, _watchers(session, [reminder.id])[reminder.id], now)


def resume_reminder(
    session: Session, user: User, beneficiary_id: int, reminder_id: int, now: datetime
) -> ReminderInfo:
    """Show it again from now on (409 at MAX_ACTIVE_PER_BENEFICIARY). Resuming an active
    reminder changes nothing."""
    beneficiary = _manager(session, user, beneficiary_id)
    reminder = _row(session, beneficiary, reminder_id)
    tz = zone_of(beneficiary)
    if reminder.paused_at is not None:
        _lock_beneficiary(session, beneficiary)
        _check_room(session, beneficiary, exclude_id=reminder.id)
        reminder.paused_at = None
        _touch(session, reminder, now, "upsert")
        _audit(session, "update", beneficiary.id, reminder.id, now, user=user)
        plan_check(session, reminder, tz, now)
        _replan_unknown(session, reminder, tz, now)
        session.flush()
    return _info(reminder, tz, _watchers(session, [reminder.id])[reminder.id], now)


def delete_reminder(
    session: Session, user: User, beneficiary_id: int, reminder_id: int, now: datetime
) -> None:
    """Delete it with its history of occurrences (the alerts it raised stay); its planned
    checks find nothing and do nothing; a confirmation still queued on the tablet is answered
    "gone"."""
    beneficiary = _manager(session, user, beneficiary_id)
    reminder = _row(session, beneficiary, reminder_id)
    record_change(session, beneficiary.id, ENTITY, reminder.id, "delete")
    _audit(session, "delete", beneficiary.id, reminder.id, now, user=user)
    session.delete(reminder)
    session.flush()


# --- reminder editors (the care manager's delegation) -----------------------------------------


@dataclass(frozen=True)
class EditorInfo:
    user_id: int
    name: str
    granted_by_id: int | None
    granted_at: datetime
    # False when the person no longer views reminders here (left the circle, another role):
    # the delegation then gives nothing, until revoked or the role comes back.
    effective: bool


def list_editors(session: Session, user: User, beneficiary_id: int) -> list[EditorInfo]:
    """Who the care manager allowed to manage the reminders (VIEW_REMINDERS to read)."""
    beneficiary = _viewer(session, user, beneficiary_id)
    rows = session.execute(
        select(ReminderEditor, User)
        .join(User, User.id == ReminderEditor.user_id)
        .where(ReminderEditor.beneficiary_id == beneficiary.id)
        .order_by(User.name, User.id)
    ).all()
    return [
        EditorInfo(
            user_id=person.id,
            name=person.name,
            granted_by_id=row.granted_by_id,
            granted_at=row.granted_at,
            effective=allowed(
                access.roles_of(session, person, beneficiary), Permission.VIEW_REMINDERS
            ),
        )
        for row, person in rows
    ]


def grant_editor(
    session: Session, user: User, beneficiary_id: int, editor_id: int, now: datetime
) -> EditorInfo:
    """Allow a family member or a health professional of the circle to manage the reminders
    (the care manager only). Granting twice changes nothing."""
    beneficiary = _viewer(session, user, beneficiary_id)
    if not may_manage_editors(session, user, beneficiary):
        raise Forbidden("Seul le conseiller autonomie choisit qui gère les rappels.")
    person = session.get(User, editor_id) if 1 <= editor_id <= MAX_ID else None
    roles = access.roles_of(session, person, beneficiary) if person is not None else frozenset()
    if person is None or not roles:
        raise Invalid("Cette personne ne fait pas partie de l'entourage du bénéficiaire.")
    if not allowed(roles, Permission.VIEW_REMINDERS):
        raise Invalid(
            "Seuls un membre de la famille ou un professionnel de santé de l'entourage peuvent "
            "gérer les rappels."
        )
    row = session.scalar(
        select(ReminderEditor).where(
            ReminderEditor.beneficiary_id == beneficiary.id, ReminderEditor.user_id == person.id
        )
    )
    if row is None:
        row = ReminderEditor(
            beneficiary_id=beneficiary.id, user_id=person.id, granted_by_id=user.id, granted_at=now
        )
        session.add(row)
        session.flush()
        _audit(session, "create", beneficiary.id, row.id, now, user=user, entity="reminder_editor")
    return EditorInfo(person.id, person.name, row.granted_by_id, row.granted_at, True)


def revoke_editor(
    session: Session, user: User, beneficiary_id: int, editor_id: int, now: datetime
) -> None:
    """Withdraw a delegation (the care manager only); 404 when there is none."""
    beneficiary = _viewer(session, user, beneficiary_id)
    if not may_manage_editors(session, user, beneficiary):
        raise Forbidden("Seul le conseiller autonomie choisit qui gère les rappels.")
    row = session.scalar(
        select(ReminderEditor).where(
            ReminderEditor.beneficiary_id == beneficiary.id, ReminderEditor.user_id == editor_id
        )
    )
    if row is None:
        raise NotFound("Cette personne ne gère pas les rappels.")
    _audit(session, "delete", beneficiary.id, row.id, now, user=user, entity="reminder_editor")
    session.delete(row)
    session.flush()


# --- what the tablet receives -----------------------------------------------------------------


def payload(reminder: ReminderRow) -> dict[str, Any]:
    """A reminder as the tablet holds it (docs/reminders.md, "What the tablet receives")."""
    return {
        "id": reminder.id,
        "title": reminder.title,
        "detail": reminder.detail,
        "kind": reminder.kind,
        "start_local": reminder.start_local.isoformat(),
        "rrule": reminder.rrule,
        "confirm_wanted": reminder.confirm_wanted,
        "repeat_every_minutes": reminder.repeat_every_minutes,
        "repeat_count": reminder.repeat_count,
        "critical": reminder.critical,
        "version": reminder.version,
    }


def _sync_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ReminderRow)
        .where(ReminderRow.beneficiary_id == beneficiary.id, ReminderRow.paused_at.is_(None))
        .order_by(ReminderRow.id)
    )
    return [payload(r) for r in rows]


def _sync_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    # A paused one is not returned: the tablet gets it as deleted.
    rows = session.scalars(
        select(ReminderRow).where(
            ReminderRow.beneficiary_id == beneficiary.id,
            ReminderRow.id.in_(ids),
            ReminderRow.paused_at.is_(None),
        )
    )
    return [payload(r) for r in rows]


sync.register(sync.SyncedKind(SYNC_KEY, ENTITY, _sync_all, _sync_some))


# --- what the tablet sends: "C'est fait" ------------------------------------------------------


def _window(reminder: ReminderRow) -> timedelta:
    """How long after the due time a confirmation is on time, and the check decides."""
    if reminder.escalate_after_minutes is not None:
        return timedelta(minutes=reminder.escalate_after_minutes)
    return DECIDE_WITHOUT_ESCALATION


def _lock_reminder(session: Session, reminder_id: int, beneficiary_id: int) -> ReminderRow | None:
    """The reminder, its row locked until commit (PostgreSQL): a confirmation and the check of
    the same reminder never interleave."""
    if not 1 <= reminder_id <= MAX_ID:
        return None
    return session.scalar(
        select(ReminderRow)
        .where(ReminderRow.id == reminder_id, ReminderRow.beneficiary_id == beneficiary_id)
        .with_for_update(key_share=True)
    )


def _occurrence(
    session: Session, reminder: ReminderRow, due: datetime
) -> ReminderOccurrence | None:
    return session.scalar(
        select(ReminderOccurrence).where(
            ReminderOccurrence.reminder_id == reminder.id, ReminderOccurrence.due_at == due
        )
    )


def is_due_at_schedule(reminder: schedule.Reminder, due: datetime) -> bool:
    found = reminder.due_between(due - timedelta(seconds=1), due + timedelta(seconds=1))
    return due.astimezone(UTC) in found


def is_due_at(reminder: ReminderRow, tz: ZoneInfo, due: datetime) -> bool:
    """Whether `due` is one of the reminder's occurrences (to the second)."""
    return is_due_at_schedule(as_schedule(reminder, tz), due)


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.hour} h {local.minute:02d}"


def confirm_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The tablet's "reminder_done": {"reminder_id", "due_at", "confirmed_at"} → {"state":
    "confirmed" | "late" | "gone"}. Confirmed when "C'est fait" was pressed within the
    reminder's window (`escalate_after_minutes`, or DECIDE_WITHOUT_ESCALATION), late after it;
    an alert raised meanwhile for this occurrence is closed ("Confirmé à 9 h 12 par la
    tablette"). "gone": the reminder is not (or no longer) this tablet's; nothing recorded."""
    unknown = set(data) - {"reminder_id", "due_at", "confirmed_at"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    reminder_id = data.get("reminder_id")
    if isinstance(reminder_id, bool) or not isinstance(reminder_id, int):
        raise Invalid("reminder_id : identifiant de rappel attendu.")
    due = check_recent(parse_instant(data.get("due_at"), "due_at"), now, "due_at")
    confirmed_at = check_recent(
        parse_instant(data.get("confirmed_at"), "confirmed_at"), now, "confirmed_at"
    )
    reminder = _lock_reminder(session, reminder_id, beneficiary.id)
    if reminder is None:
        return {"state": "gone"}
    tz = zone_of(beneficiary)
    if not is_due_at(reminder, tz, due):
        raise Invalid("due_at : ce rappel n'est pas prévu à cette heure.")
    # Pressed before it was shown: the tablet's clock is behind; taken as at the due time.
    confirmed_at = max(confirmed_at, due)
    occurrence = _occurrence(session, reminder, due)
    if occurrence is not None and occurrence.state in (
        schedule.Outcome.CONFIRMED,
        schedule.Outcome.LATE,
    ):
        return {"state": occurrence.state}  # another tablet, or the same twice: the first counts
    if occurrence is None:
        occurrence = ReminderOccurrence(
            reminder_id=reminder.id, beneficiary_id=beneficiary.id, due_at=due
        )
        session.add(occurrence)
    on_time = confirmed_at <= due + _window(reminder)
    occurrence.state = schedule.Outcome.CONFIRMED if on_time else schedule.Outcome.LATE
    occurrence.confirmed_at = confirmed_at
    occurrence.received_at = now
    occurrence.device_id = device.id
    occurrence.decided_at = now
    alert_id = occurrence.alert_id or session.scalar(
        select(Alert.id).where(Alert.dedupe_key == alert_key(reminder.id, due))
    )
    if alert_id is not None:
        alerts.auto_close(
            session, alert_id, f"Confirmé à {_clock(confirmed_at, tz)} par la tablette", now
        )
    session.flush()
    _audit(session, "update", beneficiary.id, occurrence.id, now, device=device,
           entity=OCCURRENCE_ENTITY)  # fmt: skip
    return {"state": occurrence.state}


# --- the escalation check ---------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def check_key(reminder_id: int, version: int, due: datetime) -> str:
    return f"reminder-check:{reminder_id}:{version}:{_iso(due)}"


def alert_key(reminder_id: int, due: datetime) -> str:
    return f"reminder:{reminder_id}:{_iso(due)}"


def _enqueue(
    session: Session, reminder: ReminderRow, due: datetime, run_at: datetime, *, first: bool
) -> bool:
    return jobs.enqueue_many(session, [_check_job(reminder, due, run_at, first=first)]) == 1


def _plan_after(
    session: Session, reminder: ReminderRow, tz: ZoneInfo, after: datetime
) -> datetime | None:
    """Plan the check of the first occurrence due strictly after `after`; its due time."""
    due = as_schedule(reminder, tz).next_due(after, NEXT_DUE_HORIZON)
    if due is not None:
        _enqueue(session, reminder, due, due + _window(reminder), first=True)
    return due


def plan_check(
    session: Session,
    reminder: ReminderRow,
    tz: ZoneInfo,
    now: datetime,
    *,
    shown: Callable[[datetime], bool] | None = None,
) -> datetime | None:
    """Plan the check of the reminder's next occurrence (on create, edit and resume); its due
    time, or None (paused, no confirmation asked, nothing due within NEXT_DUE_HORIZON).

    The next occurrence is the first due after `now`; or one due a moment ago whose window is
    still open, when `shown(due)` says the tablet showed it as it is now (an edit of the
    watchers at 8:05 keeps the 8:00 occurrence's alert; a new reminder, or one moved to 8:00
    at 8:05, was not shown at 8:00 and is not checked for it)."""
    if reminder.paused_at is not None or not reminder.confirm_wanted:
        return None
    if shown is not None:
        window = _window(reminder)
        current = as_schedule(reminder, tz).next_due(
            now - window, window + timedelta(microseconds=1)
        )
        if current is not None and current <= now and shown(current):
            _enqueue(session, reminder, current, current + window, first=True)
            return current
    return _plan_after(session, reminder, tz, now)


def _replan_unknown(session: Session, reminder: ReminderRow, tz: ZoneInfo, now: datetime) -> None:
    """After an edit or a resume (a new version), the occurrences still undecided for want of
    the tablet are checked again under the new version."""
    if reminder.paused_at is not None or not reminder.confirm_wanted:
        return
    for occurrence in session.scalars(
        select(ReminderOccurrence).where(
            ReminderOccurrence.reminder_id == reminder.id,
            ReminderOccurrence.state == schedule.Outcome.UNKNOWN,
            ReminderOccurrence.due_at > now - GIVE_UP_AFTER,
        )
    ):
        if is_due_at(reminder, tz, occurrence.due_at):
            _enqueue(session, reminder, occurrence.due_at, now + RECHECK_EVERY, first=False)


def tablet_seen_at(session: Session, beneficiary_id: int) -> datetime | None:
    """When one of the beneficiary's tablets (not revoked) last reached the backend."""
    seen: datetime | None = session.scalar(
        select(func.max(Device.last_seen_at)).where(
            Device.beneficiary_id == beneficiary_id, Device.revoked_at.is_(None)
        )
    )
    if seen is not None and seen.tzinfo is None:  # the aggregate bypasses UTCDateTime
        seen = seen.replace(tzinfo=UTC)
    return seen


def check_occurrence(session: Session, job: dict[str, Any], now: datetime) -> None:
    """The job "reminder_check" (docs/reminders.md): decide one occurrence.

    - the reminder is gone, paused, or edited since the job was planned (another version):
      nothing (the edit planned its own);
    - first check of an occurrence: the next occurrence's is planned;
    - confirmed (on time or late): nothing more;
    - not confirmed, a tablet seen since the due time (its outbox has delivered what was
      pressed offline): missed, and an alert when the reminder has `escalate_after_minutes`;
    - not confirmed, no tablet seen since: unknown, checked again every RECHECK_EVERY, until
      GIVE_UP_AFTER after the due time (then it stays unknown: no alert for something that
      old; a confirmation arriving later is still recorded).
    """
    check_occurrences(session, [job], now)


@dataclass
class _Batch:
    """What the checks of a batch read, loaded in one query per table."""

    reminders: dict[int, ReminderRow]
    beneficiaries: dict[int, Beneficiary]
    occurrences: dict[tuple[int, datetime], ReminderOccurrence]
    seen: dict[int, datetime]  # beneficiary id → when one of its tablets was last seen

    @classmethod
    def load(cls, session: Session, checks: list[tuple[int, datetime]]) -> _Batch:
        reminder_ids = sorted({reminder_id for reminder_id, _ in checks})
        # Locked in id order (PostgreSQL), as a confirmation locks its one reminder: a check
        # and a confirmation of the same reminder never interleave, and two batches sharing
        # reminders wait for each other rather than deadlock.
        reminders = {
            r.id: r
            for r in session.scalars(
                select(ReminderRow)
                .where(ReminderRow.id.in_(reminder_ids))
                .order_by(ReminderRow.id)
                .with_for_update(key_share=True)
            )
        }
        beneficiary_ids = {r.beneficiary_id for r in reminders.values()}
        beneficiaries = {
            b.id: b
            for b in session.scalars(
                select(Beneficiary).where(Beneficiary.id.in_(sorted(beneficiary_ids)))
            )
        }
        wanted = set(checks)
        occurrences = {
            (o.reminder_id, o.due_at): o
            for o in session.scalars(
                select(ReminderOccurrence).where(
                    ReminderOccurrence.reminder_id.in_(list(reminders)),
                    ReminderOccurrence.due_at.in_(sorted({due for _, due in checks})),
                )
            )
            if (o.reminder_id, o.due_at) in wanted
        }
        return cls(reminders, beneficiaries, occurrences, tablets_seen_at(session, beneficiary_ids))


def tablets_seen_at(session: Session, beneficiary_ids: Iterable[int]) -> dict[int, datetime]:
    """`tablet_seen_at` of several beneficiaries, in one query (those never seen are absent)."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    seen: dict[int, datetime] = {}
    for beneficiary_id, moment in session.execute(
        select(Device.beneficiary_id, func.max(Device.last_seen_at))
        .where(Device.beneficiary_id.in_(ids), Device.revoked_at.is_(None))
        .group_by(Device.beneficiary_id)
    ):
        if moment is not None:
            # The aggregate bypasses UTCDateTime: naive on SQLite.
            seen[beneficiary_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return seen


def _check_job(
    reminder: ReminderRow, due: datetime, run_at: datetime, *, first: bool
) -> jobs.Planned:
    key = check_key(reminder.id, reminder.version, due)
    if not first:
        key = f"{key}:{_iso(run_at)}"
    job_payload = {
        "reminder_id": reminder.id,
        "version": reminder.version,
        "due_at": _iso(due),
        "first": first,
    }
    return jobs.Planned(JOB_KIND, job_payload, run_at, key)


def check_occurrences(session: Session, batch: list[dict[str, Any]], now: datetime) -> None:
    """The jobs "reminder_check" of a claimed batch, decided in one transaction, each as
    `check_occurrence` says, in order, as if one after another: the batch's reminders (locked),
    beneficiaries, occurrences and tablets read in one query each, the next checks planned in
    one statement, the alerts raised together (`backend.services.alerts_bulk`)."""
    checks = [
        (int(job["reminder_id"]), datetime.fromisoformat(str(job["due_at"])).astimezone(UTC))
        for job in batch
    ]
    known = _Batch.load(session, checks)
    planned: list[jobs.Planned] = []
    added: list[ReminderOccurrence] = []
    missed: list[tuple[ReminderRow, Beneficiary, ReminderOccurrence, datetime]] = []
    decided = (schedule.Outcome.CONFIRMED, schedule.Outcome.LATE, schedule.Outcome.MISSED)
    for job, (reminder_id, due) in zip(batch, checks, strict=True):
        reminder = known.reminders.get(reminder_id)
        if reminder is None or reminder.paused_at is not None:
            continue
        if reminder.version != int(job["version"]) or not reminder.confirm_wanted:
            continue
        beneficiary = known.beneficiaries[reminder.beneficiary_id]
        tz = zone_of(beneficiary)
        if job.get("first", True):
            following = as_schedule(reminder, tz).next_due(due, NEXT_DUE_HORIZON)
            if following is not None:
                planned.append(
                    _check_job(reminder, following, following + _window(reminder), first=True)
                )
        if not is_due_at(reminder, tz, due):
            continue  # the beneficiary's zone changed since: not an occurrence any more
        occurrence = known.occurrences.get((reminder.id, due))
        if occurrence is not None and occurrence.state in decided:
            continue
        if occurrence is None:
            occurrence = ReminderOccurrence(
                reminder_id=reminder.id, beneficiary_id=beneficiary.id, due_at=due
            )
            known.occurrences[(reminder.id, due)] = occurrence
            added.append(occurrence)
        seen = known.seen.get(beneficiary.id)
        occurrence.decided_at = now
        if seen is None or seen < due:
            occurrence.state = schedule.Outcome.UNKNOWN
            if now + RECHECK_EVERY <= due + GIVE_UP_AFTER:
                planned.append(_check_job(reminder, due, now + RECHECK_EVERY, first=False))
            continue
        occurrence.state = schedule.Outcome.MISSED
        if reminder.escalate_after_minutes is not None:
            missed.append((reminder, beneficiary, occurrence, due))
    raised = alerts_bulk.raise_alerts(session, _alert_requests(session, missed), now)
    for reminder, _, occurrence, due in missed:
        alert = raised.get(alert_key(reminder.id, due))
        if alert is not None:
            occurrence.alert_id = alert.id
    session.add_all(added)  # after the alerts: their ids go in the INSERT
    jobs.enqueue_many(session, planned)
    session.flush()


def _alert_requests(
    session: Session, missed: list[tuple[ReminderRow, Beneficiary, ReminderOccurrence, datetime]]
) -> list[alerts_bulk.AlertRequest]:
    """The alerts of the missed occurrences: each to the reminder's watchers still in the
    circle (the care managers see every alert); the watchers and their rights read once."""
    if not missed:
        return []
    watchers = _watchers(session, {reminder.id for reminder, *_ in missed})
    people = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_(sorted({i for ids in watchers.values() for i in ids})))
        )
    }
    in_circle: dict[tuple[int, int], bool] = {}

    def still_in(user: User, beneficiary: Beneficiary) -> bool:
        key = (user.id, beneficiary.id)
        if key not in in_circle:
            in_circle[key] = bool(access.roles_of(session, user, beneficiary))
        return in_circle[key]

    requests = []
    for reminder, beneficiary, _, due in missed:
        named = [people[i] for i in watchers[reminder.id] if i in people]
        requests.append(
            alerts_bulk.AlertRequest(
                beneficiary=beneficiary,
                kind=ALERT_KIND,
                # No title: it may name a treatment, and the alert may be e-mailed.
                message=f"Un rappel n'a pas été confirmé pour {beneficiary.first_name} "
                f"{beneficiary.last_name}",
                dedupe_key=alert_key(reminder.id, due),
                recipients=[user for user in named if still_in(user, beneficiary)],
                critical=reminder.critical,
            )
        )
    return requests


jobs.register(JOB_KIND, check_occurrence, batch=check_occurrences)


# --- adherence --------------------------------------------------------------------------------


@dataclass
class Counts:
    """What became of the occurrences due in a period. `pending`: due, not yet decided (within
    its window); `confirmed_share`: (confirmed + late) / (confirmed + late + missed), None
    when none of these (unknown ones are left out: no one knows)."""

    expected: int = 0
    confirmed: int = 0
    late: int = 0
    missed: int = 0
    unknown: int = 0
    pending: int = 0

    @property
    def confirmed_share(self) -> float | None:
        known = self.confirmed + self.late + self.missed
        return None if known == 0 else round((self.confirmed + self.late) / known, 4)

    def add(self, state: str) -> None:
        self.expected += 1
        if state == schedule.Outcome.CONFIRMED:
            self.confirmed += 1
        elif state == schedule.Outcome.LATE:
            self.late += 1
        elif state == schedule.Outcome.MISSED:
            self.missed += 1
        elif state == schedule.Outcome.UNKNOWN:
            self.unknown += 1
        else:
            self.pending += 1


@dataclass
class WeekAdherence:
    week: str  # ISO week, "2026-W49"
    start: datetime  # Monday 00:00 in the beneficiary's zone
    end: datetime  # the next Monday 00:00 (or now, for the current week)
    counts: Counts = field(default_factory=Counts)


@dataclass
class ReminderAdherence:
    reminder_id: int
    title: str
    kind: str
    paused: bool
    total: Counts
    weeks: list[WeekAdherence]


@dataclass
class Adherence:
    weeks: list[WeekAdherence]  # oldest first, the current week last
    reminders: list[ReminderAdherence]  # those with an occurrence in the period


def _week_starts(today: date, weeks: int, tz: ZoneInfo) -> list[datetime]:
    monday = today - timedelta(days=today.weekday())
    return [
        datetime.combine(monday - timedelta(weeks=weeks - 1 - i), time(0), tzinfo=tz)
        for i in range(weeks + 1)
    ]


def adherence(
    session: Session, user: User, beneficiary_id: int, weeks: int, now: datetime
) -> Adherence:
    """Per ISO week of the beneficiary's zone (the last `weeks`, this one included, up to
    now), and per reminder: the occurrences of reminders that want a confirmation, by outcome.

    Counted: every recorded outcome, and the occurrences of the active reminders due within
    their window (pending). An occurrence due while the reminder was paused has no outcome and
    is not counted; a deleted reminder's history is gone with it."""
    beneficiary = _viewer(session, user, beneficiary_id)
    if isinstance(weeks, bool) or not 1 <= weeks <= MAX_WEEKS:
        raise Invalid("Le nombre de semaines doit être compris entre 1 et {n}.", n=MAX_WEEKS)
    tz = zone_of(beneficiary)
    bounds = _week_starts(now.astimezone(tz).date(), weeks, tz)
    start, end = bounds[0], min(bounds[-1], now)
    rows = list(
        session.scalars(
            select(ReminderRow)
            .where(ReminderRow.beneficiary_id == beneficiary.id)
            .order_by(ReminderRow.id)
        )
    )
    by_reminder: dict[int, dict[datetime, str]] = {r.id: {} for r in rows}
    for occurrence in session.scalars(
        select(ReminderOccurrence).where(
            ReminderOccurrence.beneficiary_id == beneficiary.id,
            ReminderOccurrence.due_at >= start,
            ReminderOccurrence.due_at < end,
        )
    ):
        by_reminder.setdefault(occurrence.reminder_id, {})[occurrence.due_at] = occurrence.state
    for reminder in rows:
        if reminder.paused_at is not None or not reminder.confirm_wanted:
            continue
        # Not before it existed (a reminder written at 8:10 was never due at 8:00).
        recent = max(start, now - _window(reminder), reminder.created_at)
        for due in as_schedule(reminder, tz).due_between(recent, now + timedelta(microseconds=1)):
            by_reminder[reminder.id].setdefault(due, schedule.Outcome.PENDING)

    def empty_weeks() -> list[WeekAdherence]:
        return [
            WeekAdherence(
                f"{lo.isocalendar().year}-W{lo.isocalendar().week:02d}",
                lo,
                min(hi, now.astimezone(tz)),
            )
            for lo, hi in itertools.pairwise(bounds)
        ]

    def week_index(due: datetime) -> int:
        local = due.astimezone(tz)
        return next(i for i in range(weeks) if bounds[i] <= local < bounds[i + 1])

    overall = empty_weeks()
    per_reminder: list[ReminderAdherence] = []
    for reminder in rows:
        states = by_reminder.get(reminder.id, {})
        if not states:
            continue
        mine = empty_weeks()
        total = Counts()
        for due, state in sorted(states.items()):
            index = week_index(due)
            mine[index].counts.add(state)
            overall[index].counts.add(state)
            total.add(state)
        per_reminder.append(
            ReminderAdherence(
                reminder.id,
                reminder.title,
                reminder.kind,
                reminder.paused_at is not None,
                total,
                mine,
            )
        )
    _audit(session, "read", beneficiary.id, None, now, user=user, entity="reminder_adherence")
    return Adherence(overall, per_reminder)
