"""The beneficiary's own say, from the tablet: who is in the circle and what each person sees
("Ce que mes proches voient"), and the pause of "Partager mon humeur".

- Sync kind `"circle"` (journal entity `circle_person`, one record per person, id = user id):
  `{"id", "name", "role", "role_label", "sees"}`, `sees` being a sorted subset of
  `SEES` derived from `backend.policy` (the permissions of that person's roles, and the pause
  below). A person's record is journaled again whenever something changes who they are for
  the beneficiary: joining or leaving (a personal invitation, an organisation shared or no
  longer, its staff), their name or profession, the care manager, the pause. Those writes are
  the circle service's and the accounts'; they are noticed here, at flush, whichever path made
  them (`_journal_circle_changes`), so no caller has to remember.
- Device action `"mood_sharing"`: `{"paused": bool, "at": ISO aware}` → `{"paused", "since"}`.
  While paused, family and friends no longer see the moods nor the trends (`wellbeing`'s reads
  answer 403 with a sentence saying so, `backend.policy.may_view_wellbeing`); the care manager
  and the professionals still do, and see since when it is paused. Each change is in the audit
  log (entity `mood_sharing`, by the tablet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from backend.errors import Invalid
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Device,
    Membership,
    User,
)
from backend.policy import Permission, Role, allowed, may_view_wellbeing
from backend.services import audit, circle, sync, wellbeing
from backend.services.changes import record_change

CIRCLE_ENTITY = "circle_person"
MOOD_ENTITY = "mood_sharing"

# What the tablet may say a person sees, and the permission it comes from (mood: see
# `sees`, which also heeds the pause).
SEES: dict[str, Permission] = {
    "agenda": Permission.VIEW_AGENDA,
    "messages": Permission.READ_DAILY,
    "photos": Permission.VIEW_PHOTOS,
    "mood": Permission.VIEW_WELLBEING,
    "visits": Permission.VIEW_VISITS,
}

# A person's main role, the first of theirs in this order.
ROLE_ORDER = (
    Role.CARE_MANAGER,
    Role.HEALTH_PROFESSIONAL,
    Role.CARE_WORKER,
    Role.VOLUNTEER,
    Role.FAMILY,
    Role.FRIEND,
)
# In French as the circle page says them (backend/console/circle.py), for the tablet.
ROLE_WORDS = {
    Role.CARE_MANAGER: "conseil autonomie",
    Role.HEALTH_PROFESSIONAL: "professionnel de santé",
    Role.CARE_WORKER: "aide à domicile",
    Role.VOLUNTEER: "bénévole",
    Role.FAMILY: "famille",
    Role.FRIEND: "ami ou voisin",
}
RELATION_WORDS = {"family": "famille", "friend": "ami·e", "neighbour": "voisin·e"}
PROFESSION_WORDS = {
    "nurse": "infirmière",
    "doctor": "médecin",
    "physiotherapist": "kinésithérapeute",
    "speech_therapist": "orthophoniste",
    "home_aide": "aide à domicile",
    "volunteer": "bénévole",
    "care_manager": "conseil autonomie",
}


# --- the mood-sharing pause ---------------------------------------------------------------------


@dataclass(frozen=True)
class MoodSharing:
    paused: bool
    since: datetime | None


def mood_sharing(beneficiary: Beneficiary) -> MoodSharing:
    since = beneficiary.mood_sharing_paused_at
    return MoodSharing(since is not None, since)


def mood_sharing_action(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The tablet's "Partager mon humeur" switch. Pausing again keeps the first "since"."""
    unknown = set(data) - {"paused", "at"}
    if unknown:
        raise Invalid("Champ inconnu : {name}.", name=sorted(unknown)[0][:40])
    paused = data.get("paused")
    if not isinstance(paused, bool):
        raise Invalid("« paused » doit valoir true ou false.")
    at = wellbeing.check_recent(wellbeing.parse_instant(data.get("at"), "at"), now, "at")
    # Serialise two switches at once (PostgreSQL; SQLite writes one at a time).
    # FOR NO KEY UPDATE, as wellbeing.check_alert: a mood another tablet of the same person
    # inserts meanwhile holds KEY SHARE on this row, and FOR UPDATE would deadlock with it.
    session.execute(
        select(Beneficiary.id)
        .where(Beneficiary.id == beneficiary.id)
        .with_for_update(key_share=True)
    )
    session.refresh(beneficiary, ["mood_sharing_paused_at"])
    was = beneficiary.mood_sharing_paused_at
    if paused != (was is not None):
        beneficiary.mood_sharing_paused_at = min(at, now) if paused else None
        audit.record(
            session,
            action="update",
            entity=MOOD_ENTITY,
            entity_id=beneficiary.id,
            beneficiary_id=beneficiary.id,
            device_id=device.id,
            at=now,
        )
        journal_everyone(session, beneficiary)
    since = beneficiary.mood_sharing_paused_at
    return {
        "paused": since is not None,
        "since": since.astimezone(UTC).isoformat() if since else None,
    }


# --- who is in the circle, and what they see ----------------------------------------------------


@dataclass(frozen=True)
class CirclePerson:
    user: User
    roles: frozenset[Role]
    relation: str | None  # family, friend, neighbour when invited personally

    @property
    def role(self) -> Role | None:
        return next((r for r in ROLE_ORDER if r in self.roles), None)


def people(session: Session, beneficiary: Beneficiary) -> list[CirclePerson]:
    """Everyone with a role for the beneficiary, by name."""
    found = circle.circle_of(session, beneficiary)
    relations = {p.user.id: relation for p, relation in found.members}
    everyone: dict[int, CirclePerson] = {}
    persons = [found.care_manager]
    persons += [p for shared in found.organisations for p, _role in shared.staff]
    persons += [p for p, _relation in found.members]
    for person in persons:
        if person.roles and person.user.id not in everyone:
            everyone[person.user.id] = CirclePerson(
                person.user, person.roles, relations.get(person.user.id)
            )
    return sorted(everyone.values(), key=lambda p: (p.user.name.casefold(), p.user.id))


def sees(roles: frozenset[Role], *, mood_sharing_paused: bool) -> list[str]:
    shown = []
    for what, permission in SEES.items():
        if what == "mood":
            if may_view_wellbeing(roles, mood_sharing_paused=mood_sharing_paused):
                shown.append(what)
        elif allowed(roles, permission):
            shown.append(what)
    return sorted(shown)


def role_label(person: CirclePerson) -> str:
    """In French for the tablet: the profession ("infirmière"), else the relation
    ("famille", "voisin·e"), else the role ("conseil autonomie")."""
    profession = PROFESSION_WORDS.get(person.user.profession or "")
    if profession:
        return profession
    if person.relation in RELATION_WORDS:
        return RELATION_WORDS[person.relation]
    role = person.role
    return ROLE_WORDS.get(role, "") if role is not None else ""


def person_payload(person: CirclePerson, paused: bool) -> dict[str, Any]:
    role = person.role
    return {
        "id": person.user.id,
        "name": person.user.name,
        "role": role.value if role is not None else "",
        "role_label": role_label(person),
        "sees": sees(person.roles, mood_sharing_paused=paused),
    }


def journal_everyone(session: Session, beneficiary: Beneficiary) -> None:
    for person in people(session, beneficiary):
        record_change(session, beneficiary.id, CIRCLE_ENTITY, person.user.id, "upsert")


def _sync_all(session: Session, beneficiary: Beneficiary, _device: Device) -> list[dict[str, Any]]:
    paused = beneficiary.mood_sharing_paused_at is not None
    return [person_payload(p, paused) for p in people(session, beneficiary)]


def _sync_some(
    session: Session, beneficiary: Beneficiary, _device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    paused = beneficiary.mood_sharing_paused_at is not None
    return [person_payload(p, paused) for p in people(session, beneficiary) if p.user.id in ids]


sync.register(sync.SyncedKind("circle", CIRCLE_ENTITY, _sync_all, _sync_some))


# --- noticing circle changes, whoever makes them --------------------------------------------------


def _changed(obj: object, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _value(obj: object, name: str, *, old: bool = False) -> Any:
    history = inspect(obj).attrs[name].history
    if old and history.deleted:
        return history.deleted[0]
    if history.added:
        return history.added[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, name, None)


def _beneficiaries_of_user(session: Session, user_id: int) -> set[int]:
    own = set(session.scalars(select(Beneficiary.id).where(Beneficiary.care_manager_id == user_id)))
    own |= set(
        session.scalars(select(CircleMember.beneficiary_id).where(CircleMember.user_id == user_id))
    )
    own |= set(
        session.scalars(
            select(BeneficiaryShare.beneficiary_id)
            .join(Membership, Membership.organisation_id == BeneficiaryShare.organisation_id)
            .where(Membership.user_id == user_id)
        )
    )
    return own


def _journal_circle_changes(session: Session, _context: UOWTransaction, _instances: object) -> None:
    touched: set[tuple[int, int]] = set()  # (beneficiary, person)
    new, deleted = list(session.new), list(session.deleted)
    dirty = [o for o in session.dirty if session.is_modified(o)]
    for obj in [*new, *deleted, *dirty]:
        if isinstance(obj, CircleMember):
            if obj in dirty and not _changed(obj, "relation", "user_id", "beneficiary_id"):
                continue
            touched.add((_value(obj, "beneficiary_id"), _value(obj, "user_id")))
        elif isinstance(obj, BeneficiaryShare):
            staff = session.scalars(
                select(Membership.user_id).where(
                    Membership.organisation_id == _value(obj, "organisation_id")
                )
            )
            touched.update((_value(obj, "beneficiary_id"), user_id) for user_id in staff)
        elif isinstance(obj, Membership):
            shared = session.scalars(
                select(BeneficiaryShare.beneficiary_id).where(
                    BeneficiaryShare.organisation_id == _value(obj, "organisation_id")
                )
            )
            touched.update((beneficiary_id, _value(obj, "user_id")) for beneficiary_id in shared)
        elif isinstance(obj, User) and obj in dirty and _changed(obj, "name", "profession"):
            touched.update((b, obj.id) for b in _beneficiaries_of_user(session, obj.id))
        elif isinstance(obj, Beneficiary) and obj in dirty and _changed(obj, "care_manager_id"):
            for user_id in (_value(obj, "care_manager_id", old=True), obj.care_manager_id):
                touched.add((obj.id, user_id))
    for beneficiary_id, user_id in sorted(touched):
        if beneficiary_id is not None and user_id is not None:
            record_change(session, beneficiary_id, CIRCLE_ENTITY, user_id, "upsert")


event.listen(Session, "before_flush", _journal_circle_changes)
