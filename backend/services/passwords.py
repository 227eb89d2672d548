"""Changing one's password, and a care manager resetting the password of someone they follow.

Both end the person's other sessions: whoever knew the old password is signed out. The
care manager reset is for people who lost theirs (an elderly person's daughter, a volunteer)
and who have no e-mail reset to fall back on: the care manager gives them a temporary password
by phone. It is allowed only for a member of the circle of a beneficiary whose circle the care
manager manages, and never for another care manager (they reset their own with their
organisation).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend import security
from backend.errors import Forbidden, Invalid, NotFound
from backend.models import AccessToken, User
from backend.policy import Permission, allowed
from backend.services import access, audit

ENTITY = "password"
TEMPORARY_LENGTH = 12


def _check_new(password: str) -> None:
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise Invalid(
            "Le mot de passe doit faire au moins {n} caractères.",
            n=security.MIN_PASSWORD_LENGTH,
        )
    if len(password) > 1000:
        raise Invalid("Ce mot de passe est trop long.")


def _end_sessions(session: Session, user: User, keep_token: str | None) -> None:
    query = delete(AccessToken).where(AccessToken.user_id == user.id)
    if keep_token is not None:
        query = query.where(AccessToken.token_hash != security.secret_digest(keep_token))
    session.execute(query)


def change_password(
    session: Session, user: User, current: str, new: str, keep_token: str | None
) -> None:
    """The signed-in person's own change; the session making it (`keep_token`) stays open."""
    if not security.verify_password(user.password_hash, current):
        raise Forbidden("Le mot de passe actuel est incorrect.")
    _check_new(new)
    user.password_hash = security.hash_password(new)
    _end_sessions(session, user, keep_token)


def may_reset(session: Session, actor: User, target: User) -> bool:
    if target.id == actor.id or target.role == "care_manager":
        return False
    for beneficiary in access.visible_beneficiaries(session, actor):
        if not allowed(access.roles_of(session, actor, beneficiary), Permission.MANAGE_CIRCLE):
            continue
        if access.roles_of(session, target, beneficiary):
            return True
    return False


def reset_by_care_manager(
    session: Session, actor: User, target_user_id: int, now: datetime
) -> tuple[User, str]:
    """A new temporary password for `target_user_id` (shown once to the care manager)."""
    target = session.get(User, target_user_id)
    if target is None:
        raise NotFound("Personne introuvable.")
    if not may_reset(session, actor, target):
        # Someone outside the care manager's circles does not exist for them.
        if target.role == "care_manager" or target.id == actor.id:
            raise Forbidden(
                "Le mot de passe d'un conseiller autonomie ne se réinitialise pas ici : "
                "changez le vôtre dans « Mon compte »."
            )
        raise NotFound("Personne introuvable.")
    temporary = "".join(
        secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(TEMPORARY_LENGTH)
    )
    target.password_hash = security.hash_password(temporary)
    _end_sessions(session, target, None)
    audit.record(
        session,
        action="update",
        entity=ENTITY,
        entity_id=target.id,
        beneficiary_id=None,
        user_id=actor.id,
        at=now,
    )
    return target, temporary


def sign_out(session: Session, token: str) -> None:
    """End one session (the console's logout): its token no longer opens anything."""
    session.execute(
        delete(AccessToken).where(AccessToken.token_hash == security.secret_digest(token))
    )
