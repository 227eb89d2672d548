"""Dependencies shared by the routers: the database session, the clock, who is calling."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from backend.config import Settings
from backend.errors import ServiceError
from backend.models import Device, User
from backend.services import accounts, pairing
from backend.services.changes import ChangeHub


@dataclass
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]
    hub: ChangeHub


# Ids are 32-bit on PostgreSQL: a larger one is refused as invalid, never a database error.
MAX_ID = 2_147_483_647
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.foyer
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises.

    A route that must keep something although it answers with an error (a counted wrong
    guess, a poll time) commits explicitly before raising.
    """
    with state.sessions() as session:
        try:
            yield session
        except ServiceError as exc:
            if exc.keep_changes:
                session.commit()
            raise
        session.commit()


# scope="function": commit before the response goes out. With the default ("request") the
# commit would run after the client has its 201, which could act on a write not yet there.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def utc_now() -> datetime:
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(utc_now)]

_user_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_user(
    session: SessionDep, now: NowDep, token: Annotated[str | None, Depends(_user_bearer)]
) -> User:
    if not token:
        raise _unauthorized("Connexion requise.")
    user = accounts.user_for_token(session, token, now)
    if user is None:
        raise _unauthorized("Session expirée ou invalide : reconnectez-vous.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def care_manager(user: CurrentUser) -> User:
    if user.role != "care_manager":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Réservé aux conseillers autonomie.")
    return user


CareManager = Annotated[User, Depends(care_manager)]

# Record last_seen at most this often, so that frequent syncs do not each cost a write.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def current_device(session: SessionDep, now: NowDep, request: Request) -> Device:
    """The tablet making this request, from its bearer credential; 401 if unknown or revoked."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise _unauthorized("Device credential required.")
    device = pairing.device_for_credential(session, credential.strip())
    if device is None:
        raise _unauthorized("Unknown or revoked device credential.")
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_RESOLUTION:
        device.last_seen_at = now
    return device


CurrentDevice = Annotated[Device, Depends(current_device)]
