"""Care manager accounts and the password flow's bearer tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend import security
from backend.errors import Conflict, Invalid, TooManyAttempts
from backend.models import AccessToken, User
from backend.services import rate_limit

ROLES = ("care_manager", "member")  # member: everyone who is not a care manager
LOGIN_MAX_FAILURES = 10
LOGIN_WINDOW = timedelta(minutes=15)


def create_user(session: Session, email: str, password: str, name: str, role: str) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid("Adresse e-mail invalide.")
    if role not in ROLES:
        raise Invalid(
            "Rôle inconnu : {role}. Rôles possibles : {roles}.", role=role, roles=", ".join(ROLES)
        )
    if len(password) < security.MIN_PASSWORD_LENGTH:
        raise Invalid(
            "Le mot de passe doit faire au moins {n} caractères.",
            n=security.MIN_PASSWORD_LENGTH,
        )
    if not name.strip():
        raise Invalid("Le nom est obligatoire.")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.")
    user = User(
        email=email, name=name.strip(), role=role, password_hash=security.hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


def login(
    session: Session, email: str, password: str, now: datetime, ttl: timedelta
) -> tuple[str, User] | None:
    """A new bearer token for valid credentials; None for wrong ones (counted, then limited)."""
    email = email.strip().lower()
    # Hashed: emails may be 254 characters, keys are bounded, and a key holds no address.
    key = "login:" + security.secret_digest(email)
    wait = rate_limit.seconds_blocked(session, key, LOGIN_MAX_FAILURES, LOGIN_WINDOW, now)
    if wait:
        raise TooManyAttempts("Trop d'essais de connexion. Réessayez plus tard.", wait)
    user = session.scalar(select(User).where(User.email == email))
    # An unknown address costs a hash check too, so the answer's delay does not tell
    # which addresses have an account.
    password_hash = user.password_hash if user is not None else security.dummy_hash()
    if not security.verify_password(password_hash, password) or user is None:
        rate_limit.record_failure(session, key, LOGIN_WINDOW, now)
        return None
    token = security.new_secret("fyu_")
    session.add(
        AccessToken(
            token_hash=security.secret_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    # Expired tokens of this user are of no use to anyone.
    session.execute(
        delete(AccessToken).where(AccessToken.user_id == user.id, AccessToken.expires_at < now)
    )
    return token, user


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    row = session.scalar(
        select(AccessToken).where(AccessToken.token_hash == security.secret_digest(token))
    )
    if row is None or row.expires_at <= now:
        return None
    return session.get(User, row.user_id)
