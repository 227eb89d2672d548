"""Resolve a person's roles for a beneficiary, and enforce permissions (backend.policy)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Forbidden, NotFound
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Membership,
    Organisation,
    User,
)
from backend.policy import Permission, Role, allowed, role_for_organisation, role_for_relation


def roles_of(session: Session, user: User, beneficiary: Beneficiary) -> frozenset[Role]:
    return roles_for_many(session, user, [beneficiary])[beneficiary.id]


def roles_for_many(
    session: Session, user: User, beneficiaries: Sequence[Beneficiary]
) -> dict[int, frozenset[Role]]:
    """`user`'s roles for each of `beneficiaries`, by id, in two statements whatever their
    number (a care manager following 2,000 people: every console page lists them)."""
    ids = [b.id for b in beneficiaries]
    roles: dict[int, set[Role]] = {b.id: set() for b in beneficiaries}
    for b in beneficiaries:
        if b.care_manager_id == user.id:
            roles[b.id].add(Role.CARE_MANAGER)
    if not ids:
        return {}
    shared_kinds = session.execute(
        select(BeneficiaryShare.beneficiary_id, Organisation.kind)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .join(BeneficiaryShare, BeneficiaryShare.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, BeneficiaryShare.beneficiary_id.in_(ids))
    ).all()
    for beneficiary_id, kind in shared_kinds:
        role = role_for_organisation(kind, user.profession)
        if role is not None:
            roles[beneficiary_id].add(role)
    relations = session.execute(
        select(CircleMember.beneficiary_id, CircleMember.relation).where(
            CircleMember.user_id == user.id, CircleMember.beneficiary_id.in_(ids)
        )
    ).all()
    for beneficiary_id, relation in relations:
        role = role_for_relation(relation, user.profession)
        if role is not None:
            roles[beneficiary_id].add(role)
    return {beneficiary_id: frozenset(found) for beneficiary_id, found in roles.items()}


def require(
    session: Session, user: User, beneficiary_id: int, permission: Permission
) -> Beneficiary:
    """The beneficiary, if `user` holds `permission` for them.

    Someone outside the circle gets 404, as if the beneficiary did not exist (ids cannot be
    probed); someone inside it without this permission gets 403 with the reason.
    """
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise NotFound("Bénéficiaire introuvable.")
    roles = roles_of(session, user, beneficiary)
    if not roles:
        raise NotFound("Bénéficiaire introuvable.")
    if not allowed(roles, permission):
        raise Forbidden("Votre rôle auprès de cette personne ne permet pas cette action.")
    return beneficiary


def visible_beneficiaries(session: Session, user: User) -> list[Beneficiary]:
    """Everyone whose circle `user` belongs to, in any role."""
    own = select(Beneficiary.id).where(Beneficiary.care_manager_id == user.id)
    shared = (
        select(BeneficiaryShare.beneficiary_id)
        .join(Membership, Membership.organisation_id == BeneficiaryShare.organisation_id)
        .where(Membership.user_id == user.id)
    )
    personal = select(CircleMember.beneficiary_id).where(CircleMember.user_id == user.id)
    ids = own.union(shared, personal).subquery()
    beneficiaries = session.scalars(
        select(Beneficiary)
        .where(Beneficiary.id.in_(select(ids.c[0])))
        .order_by(Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id)
    ).all()
    # A share with an organisation of a kind that grants nothing leaves no role: filter.
    roles = roles_for_many(session, user, beneficiaries)
    return [b for b in beneficiaries if roles[b.id]]
