"""The OAuth2 password flow for people (care managers for now)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from backend.api.deps import CurrentUser, NowDep, SessionDep, StateDep
from backend.services import accounts
from backend.text import check as check_text

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str


@router.post("/auth/token", response_model=TokenOut)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    state: StateDep,
    now: NowDep,
) -> TokenOut:
    # OAuth2's own form: its fields get the text rule here (backend/text.py).
    check_text(form.username, "L'adresse e-mail (username)")
    check_text(form.password, "Le mot de passe (password)")
    # Unused, refused all the same.
    check_text(" ".join(form.scopes), "scope")
    check_text(form.client_id or "", "client_id")
    check_text(form.client_secret or "", "client_secret")
    ttl = timedelta(seconds=state.settings.access_token_ttl_seconds)
    result = accounts.login(session, form.username, form.password, now, ttl)
    if result is None:
        session.commit()  # keep the failure count
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Adresse e-mail ou mot de passe incorrect.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token, _user = result
    return TokenOut(access_token=token, expires_in=int(ttl.total_seconds()))


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role)
