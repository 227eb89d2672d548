"""Organisations, the people around each beneficiary, and invitations into their circle.

A person enters a beneficiary's circle in one of three ways (see backend.policy): as the
beneficiary's care manager, as staff of an organisation the beneficiary is shared with
(`BeneficiaryShare`), or personally, by accepting an invitation (`CircleMember`, with a
relation). Removing a share or a member takes their access away at once: every request
resolves roles afresh (backend.services.access).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend import security
from backend.errors import Conflict, Forbidden, Gone, Invalid, NotFound, TooManyAttempts
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Invitation,
    Membership,
    Organisation,
    User,
)
from backend.policy import (
    ORGANISATION_KINDS,
    PERMISSIONS,
    PROFESSIONS,
    RELATIONS,
    Permission,
    Role,
    allowed,
)
from backend.services import access, accounts, rate_limit, rollouts

MEMBERSHIP_ROLES = ("staff", "manager")
INVITATION_TOKEN_PREFIX = "fyi_"  # noqa: S105 - a prefix that names the secret in logs
MEMBER_ROLE = "member"
# Invitation tokens carry 256 bits: guessing is hopeless, but a client that keeps presenting
# unknown ones is slowed down all the same.
WRONG_TOKEN_LIMIT = 20
WRONG_TOKEN_WINDOW = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid("Adresse e-mail invalide.")
    return email


# --- organisations ----------------------------------------------------------------------------


def create_organisation(
    session: Session, creator: User, name: str, kind: str, *, join: bool = True
) -> Organisation:
    """A new organisation; its creator manages it (adds and removes staff) in any case, and
    is a member of it (its manager, so holding its staff's role for the people shared with
    it) only with `join`."""
    if kind not in ORGANISATION_KINDS:
        raise Invalid(
            "Type d'organisation inconnu : {kind}. Types possibles : {kinds}.",
            kind=kind,
            kinds=", ".join(ORGANISATION_KINDS),
        )
    organisation = Organisation(name=name, kind=kind, created_by_id=creator.id)
    session.add(organisation)
    session.flush()
    if join:
        session.add(Membership(user_id=creator.id, organisation_id=organisation.id, role="manager"))
        session.flush()
        rollouts.care_manager_changed(session, creator.id)  # their tablets' rollouts
    return organisation


def organisations_of(
    session: Session, user: User, limit: int, before_id: int | None
) -> list[Organisation]:
    """Those `user` belongs to or created, newest first."""
    member_of = select(Membership.organisation_id).where(Membership.user_id == user.id)
    query = select(Organisation).where(
        (Organisation.id.in_(member_of)) | (Organisation.created_by_id == user.id)
    )
    if before_id is not None:
        query = query.where(Organisation.id < before_id)
    return list(session.scalars(query.order_by(Organisation.id.desc()).limit(limit)).all())


def membership(session: Session, user_id: int, organisation_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )


def organisation_for(
    session: Session, user: User, organisation_id: int, *, manage: bool = False
) -> Organisation:
    """The organisation, if `user` belongs to it or created it (else 404, as if it did not
    exist); with `manage`, only for its managers and its creator (else 403)."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Organisation introuvable.")
    own = membership(session, user.id, organisation_id)
    is_creator = organisation.created_by_id == user.id
    if own is None and not is_creator:
        raise NotFound("Organisation introuvable.")
    if manage and not is_creator and (own is None or own.role != "manager"):
        raise Forbidden("Seuls les responsables de l'organisation peuvent faire cela.")
    return organisation


def may_manage(session: Session, user: User, organisation: Organisation) -> bool:
    if organisation.created_by_id == user.id:
        return True
    own = membership(session, user.id, organisation.id)
    return own is not None and own.role == "manager"


def members_of(session: Session, organisation_id: int) -> list[tuple[Membership, User]]:
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(User.name, User.id)
    ).all()
    return [(m, u) for m, u in rows]


def add_member(
    session: Session, organisation: Organisation, email: str, role: str, now: datetime
) -> tuple[Membership, User]:
    if role not in MEMBERSHIP_ROLES:
        raise Invalid(
            "Rôle inconnu : {role}. Rôles possibles : {roles}.",
            role=role,
            roles=", ".join(MEMBERSHIP_ROLES),
        )
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(
            "Aucun compte avec cette adresse : invitez d'abord cette personne dans le cercle "
            "d'un bénéficiaire."
        )
    if membership(session, user.id, organisation.id) is not None:
        raise Conflict("Cette personne fait déjà partie de l'organisation.")
    row = Membership(user_id=user.id, organisation_id=organisation.id, role=role, created_at=now)
    session.add(row)
    session.flush()
    rollouts.care_manager_changed(session, user.id)  # their tablets' rollouts
    return row, user


def remove_member(session: Session, actor: User, organisation_id: int, user_id: int) -> None:
    """A manager (or the creator) removes anyone; anyone may leave. The last manager stays."""
    leaving = user_id == actor.id
    organisation = organisation_for(session, actor, organisation_id, manage=not leaving)
    row = membership(session, user_id, organisation.id)
    if row is None:
        raise NotFound("Cette personne ne fait pas partie de l'organisation.")
    if row.role == "manager":
        managers = session.scalars(
            select(Membership.id).where(
                Membership.organisation_id == organisation.id, Membership.role == "manager"
            )
        ).all()
        if len(managers) <= 1:
            raise Conflict("L'organisation doit garder au moins un responsable.")
    session.delete(row)
    session.flush()
    rollouts.care_manager_changed(session, user_id)  # their tablets' rollouts


# --- sharing ----------------------------------------------------------------------------------


def share(
    session: Session, actor: User, beneficiary: Beneficiary, organisation_id: int, now: datetime
) -> tuple[BeneficiaryShare, Organisation]:
    """Share with an organisation the actor belongs to or created: all its staff join."""
    organisation = organisation_for(session, actor, organisation_id)
    existing = session.scalar(
        select(BeneficiaryShare).where(
            BeneficiaryShare.beneficiary_id == beneficiary.id,
            BeneficiaryShare.organisation_id == organisation.id,
        )
    )
    if existing is not None:
        raise Conflict("Ce bénéficiaire est déjà partagé avec cette organisation.")
    row = BeneficiaryShare(
        beneficiary_id=beneficiary.id, organisation_id=organisation.id, created_at=now
    )
    session.add(row)
    session.flush()
    return row, organisation


def unshare(session: Session, beneficiary: Beneficiary, organisation_id: int) -> None:
    row = session.scalar(
        select(BeneficiaryShare).where(
            BeneficiaryShare.beneficiary_id == beneficiary.id,
            BeneficiaryShare.organisation_id == organisation_id,
        )
    )
    if row is None:
        raise NotFound("Ce bénéficiaire n'est pas partagé avec cette organisation.")
    session.delete(row)
    session.flush()


# --- the circle -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user: User
    roles: frozenset[Role]


@dataclass(frozen=True)
class SharedOrganisation:
    organisation: Organisation
    staff: list[tuple[Person, str]]  # the person and their role in the organisation


@dataclass(frozen=True)
class Circle:
    care_manager: Person
    organisations: list[SharedOrganisation]
    members: list[tuple[Person, str]]  # the person and their relation


def circle_of(session: Session, beneficiary: Beneficiary) -> Circle:
    cache: dict[int, Person] = {}

    def person(user: User) -> Person:
        if user.id not in cache:
            cache[user.id] = Person(user, access.roles_of(session, user, beneficiary))
        return cache[user.id]

    manager = session.get(User, beneficiary.care_manager_id)
    assert manager is not None  # a foreign key
    organisations = session.scalars(
        select(Organisation)
        .join(BeneficiaryShare, BeneficiaryShare.organisation_id == Organisation.id)
        .where(BeneficiaryShare.beneficiary_id == beneficiary.id)
        .order_by(Organisation.name, Organisation.id)
    ).all()
    shared = [
        SharedOrganisation(o, [(person(u), m.role) for m, u in members_of(session, o.id)])
        for o in organisations
    ]
    rows = session.execute(
        select(CircleMember, User)
        .join(User, User.id == CircleMember.user_id)
        .where(CircleMember.beneficiary_id == beneficiary.id)
        .order_by(User.name, User.id)
    ).all()
    members = [(person(u), cm.relation) for cm, u in rows]
    return Circle(person(manager), shared, members)


def remove_circle_member(session: Session, beneficiary: Beneficiary, user_id: int) -> None:
    row = session.scalar(
        select(CircleMember).where(
            CircleMember.beneficiary_id == beneficiary.id, CircleMember.user_id == user_id
        )
    )
    if row is None:
        raise NotFound("Cette personne n'a pas été invitée personnellement dans ce cercle.")
    session.delete(row)
    session.flush()


# --- invitations ------------------------------------------------------------------------------


def invitation_status(invitation: Invitation, now: datetime) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


def create_invitation(
    session: Session,
    inviter: User,
    beneficiary: Beneficiary,
    *,
    email: str,
    name: str,
    relation: str,
    profession: str | None,
    organisation_id: int | None,
    now: datetime,
    ttl: timedelta,
) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once; only its SHA-256 is kept)."""
    email = normalize_email(email)
    if relation not in RELATIONS:
        raise Invalid(
            "Relation inconnue : {relation}. Relations possibles : {relations}.",
            relation=relation,
            relations=", ".join(RELATIONS),
        )
    if relation == "professional":
        if profession is None:
            raise Invalid("Indiquez la profession de ce professionnel.")
    elif profession is not None:
        raise Invalid("La profession ne s'indique que pour un professionnel.")
    if profession is not None and profession not in PROFESSIONS:
        raise Invalid(
            "Profession inconnue : {profession}. Professions possibles : {professions}.",
            profession=profession,
            professions=", ".join(PROFESSIONS),
        )
    if organisation_id is not None:
        # Only someone who manages the organisation may bring people into it.
        organisation_for(session, inviter, organisation_id, manage=True)
    existing_user = session.scalar(select(User).where(User.email == email))
    if existing_user is not None and (
        existing_user.id == beneficiary.care_manager_id
        or session.scalar(
            select(CircleMember.id).where(
                CircleMember.beneficiary_id == beneficiary.id,
                CircleMember.user_id == existing_user.id,
            )
        )
        is not None
    ):
        raise Conflict("Cette personne fait déjà partie du cercle.")
    # A new invitation to the same address replaces the pending one (a resent link).
    for old in session.scalars(
        select(Invitation).where(
            Invitation.beneficiary_id == beneficiary.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
    token = security.new_secret(INVITATION_TOKEN_PREFIX)
    invitation = Invitation(
        token_hash=security.secret_digest(token),
        beneficiary_id=beneficiary.id,
        email=email,
        name=name,
        relation=relation,
        profession=profession,
        organisation_id=organisation_id,
        invited_by_id=inviter.id,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def invitations_of(
    session: Session, beneficiary: Beneficiary, limit: int, before_id: int | None
) -> list[Invitation]:
    query = select(Invitation).where(Invitation.beneficiary_id == beneficiary.id)
    if before_id is not None:
        query = query.where(Invitation.id < before_id)
    return list(session.scalars(query.order_by(Invitation.id.desc()).limit(limit)).all())


def revoke_invitation(
    session: Session, beneficiary: Beneficiary, invitation_id: int, now: datetime
) -> None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.beneficiary_id != beneficiary.id:
        raise NotFound("Invitation introuvable.")
    if invitation.accepted_at is not None:
        raise Conflict(
            "Cette invitation a déjà été acceptée : retirez la personne du cercle à la place."
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = now


def _wrong_token_key(client_ip: str) -> str:
    return "invitation:" + security.secret_digest(client_ip)


def invitation_for_token(
    session: Session, token: str, client_ip: str, now: datetime, *, for_update: bool = False
) -> Invitation:
    """A usable invitation; 404 for an unknown token (counted per address), 410 for one that
    expired, was revoked or was already used. `for_update` locks it (PostgreSQL) so that the
    same link accepted twice at once is used once."""
    key = _wrong_token_key(client_ip)
    wait = rate_limit.seconds_blocked(session, key, WRONG_TOKEN_LIMIT, WRONG_TOKEN_WINDOW, now)
    if wait:
        raise TooManyAttempts("Trop de liens d'invitation inconnus. Réessayez plus tard.", wait)
    query = select(Invitation).where(Invitation.token_hash == security.secret_digest(token))
    invitation = session.scalar(query.with_for_update() if for_update else query)
    if invitation is None:
        rate_limit.record_failure(session, key, WRONG_TOKEN_WINDOW, now)
        raise NotFound("Invitation introuvable : vérifiez le lien.", keep_changes=True)
    status = invitation_status(invitation, now)
    if status == "revoked":
        raise Gone("Cette invitation a été annulée. Demandez-en une nouvelle.")
    if status == "accepted":
        raise Gone("Cette invitation a déjà été utilisée. Connectez-vous avec votre compte.")
    if status == "expired":
        raise Gone("Cette invitation a expiré. Demandez-en une nouvelle.")
    return invitation


def _create_member_account(
    session: Session, email: str, password: str, name: str, profession: str | None
) -> User:
    # accounts.create_user holds the rules for every account (address, password length,
    # name, one account per address).
    user = accounts.create_user(session, email, password, name, MEMBER_ROLE)
    user.profession = profession
    session.flush()
    return user


def accept_invitation(
    session: Session,
    invitation: Invitation,
    *,
    user: User | None,
    name: str | None,
    password: str | None,
    now: datetime,
) -> User:
    """Join the circle: as the signed-in `user` (whose address must be the invited one), or
    with a new account made from `name` and `password`."""
    if user is None:
        if session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
            raise Conflict(
                "Un compte existe déjà avec cette adresse e-mail : connectez-vous, puis "
                "acceptez l'invitation."
            )
        if not name or not password:
            raise Invalid("Indiquez votre nom et choisissez un mot de passe.")
        user = _create_member_account(
            session, invitation.email, password, name, invitation.profession
        )
    else:
        if user.email != invitation.email:
            raise Forbidden(
                "Cette invitation a été envoyée à une autre adresse e-mail que celle de votre "
                "compte."
            )
        # The profession is the person's own (see update_profile); an invitation only fills
        # it in when they had none.
        if user.profession is None and invitation.profession is not None:
            user.profession = invitation.profession
    joined = False
    member = session.scalar(
        select(CircleMember).where(
            CircleMember.beneficiary_id == invitation.beneficiary_id,
            CircleMember.user_id == user.id,
        )
    )
    if member is None:
        session.add(
            CircleMember(
                beneficiary_id=invitation.beneficiary_id,
                user_id=user.id,
                relation=invitation.relation,
                created_at=now,
            )
        )
    else:
        member.relation = invitation.relation
    if (
        invitation.organisation_id is not None
        and membership(session, user.id, invitation.organisation_id) is None
    ):
        session.add(
            Membership(
                user_id=user.id,
                organisation_id=invitation.organisation_id,
                role="staff",
                created_at=now,
            )
        )
        joined = True
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    try:
        session.flush()
    except IntegrityError as exc:  # the same link accepted twice at the same moment
        raise Gone("Cette invitation a déjà été utilisée.") from exc
    if joined:
        rollouts.care_manager_changed(session, user.id)  # their tablets' rollouts
    return user


# --- one's own profile ------------------------------------------------------------------------


def _grants(profession: str | None) -> frozenset[Permission]:
    # Without a profession, staff of an independent organisation count as care workers
    # (backend.policy.role_for_organisation): the most a missing profession may grant.
    return PERMISSIONS[PROFESSIONS[profession] if profession else Role.CARE_WORKER]


def update_profile(
    session: Session, user: User, *, name: str | None, profession: str | None, set_profession: bool
) -> User:
    if name is not None:
        user.name = name
    if set_profession and profession != user.profession:
        if profession is not None and profession not in PROFESSIONS:
            raise Invalid(
                "Profession inconnue : {profession}. Professions possibles : {professions}.",
                profession=profession,
                professions=", ".join(PROFESSIONS),
            )
        # A profession decides roles (an invited professional, an independent organisation's
        # staff): one may change it only for one that grants no more.
        if not _grants(profession) <= _grants(user.profession):
            raise Forbidden(
                "Cette profession donnerait plus de droits : demandez à votre conseiller "
                "autonomie de vous inviter avec elle."
            )
        user.profession = profession
    session.flush()
    return user


def may_manage_circle(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    return allowed(access.roles_of(session, user, beneficiary), Permission.MANAGE_CIRCLE)
