"""Dependencies shared by the routers: the database session, the clock, who is calling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.config import Settings
from backend.errors import ServiceError
from backend.models import Device, User
from backend.services import accounts, pairing
from backend.services.changes import ChangeHub
from backend.services.sync import QuickChecks


@dataclass
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]
    hub: ChangeHub

    _quick_checks: QuickChecks | None = None

    @property
    def engine(self) -> Engine:
        """The engine behind `sessions`, for the few reads that need no ORM session."""
        bind: Engine = self.sessions.kw["bind"]
        return bind

    @property
    def quick_checks(self) -> QuickChecks:
        """The tablets' idle-poll checks, with their own connections (opened on first use)."""
        if self._quick_checks is None:
            self._quick_checks = QuickChecks(self.engine)
        return self._quick_checks

    def close(self) -> None:
        """At shutdown: the connections this state holds outside the pool's checkouts."""
        if self._quick_checks is not None:
            self._quick_checks.close()


# Ids are 32-bit on PostgreSQL: a larger one is refused as invalid, never a database error.
MAX_ID = 2_147_483_647
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


async def get_state(request: Request) -> AppState:
    # async: FastAPI runs a plain `def` dependency in the thread pool, a hop per request for
    # a dictionary lookup (docs/performance.md, backend scale).
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
    """The application's clock. Tests replace it with `app.dependency_overrides[utc_now]`."""
    return datetime.now(UTC)


def clock_now(request: Request) -> datetime:
    """The application's clock (`utc_now` or its override) for this request."""
    clock: Callable[[], datetime] = request.app.dependency_overrides.get(utc_now, utc_now)
    return clock()


async def request_now(request: Request) -> datetime:
    # async: as a dependency `utc_now` itself, a plain `def`, would cost a thread-pool hop.
    return clock_now(request)


NowDep = Annotated[datetime, Depends(request_now)]

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
