"""The verification page of the device flow (RFC 8628 §3.3): where a care manager types the
code a tablet shows (or lands from its QR code with it filled in), checks it is the one on the
screen, chooses the beneficiary, and approves. The pairing service counts wrong codes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from backend import security
from backend.api.deps import NowDep, SessionDep, StateDep, care_manager
from backend.console.web import ConsoleUser, Csrf, error_text, render, undo
from backend.errors import ServiceError
from backend.models import User
from backend.policy import Permission
from backend.services import access, dashboard, pairing
from backend.text import LINE

router = APIRouter(include_in_schema=False)

Code = Annotated[str, Form(max_length=32), LINE]


def _shown(code: str) -> str:
    """The code as the tablet shows it (XXXX-XXXX) when it can be one; else as typed."""
    normal = security.normalize_user_code(code)
    return security.display_user_code(normal) if normal else code.strip()


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    code: str,
    status_code: int = 200,
    **context: object,
) -> Response:
    choices = dashboard.followed(session, user, None)
    return render(request, "pair.html", status_code, code=_shown(code), choices=choices, **context)


@router.get("/pair", response_class=HTMLResponse)
def pair_page(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    code: Annotated[str, Query(max_length=32), LINE] = "",
    user_code: Annotated[str, Query(max_length=32), LINE] = "",
    beneficiary: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """`code` is what the tablet's QR code carries (verification_uri_complete)."""
    return _page(request, session, user, code or user_code, selected=beneficiary)


@router.post("/pair", dependencies=[Csrf])
def approve(
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    code: Code = "",
    beneficiary_id: Annotated[int, Form(ge=0, le=2_147_483_647)] = 0,
    confirm: Annotated[str, Form(max_length=10), LINE] = "",
    action: Annotated[str, Form(max_length=10), LINE] = "approve",
) -> Response:
    try:
        if action == "deny":
            care_manager(user)  # as the API: only care managers refuse a pairing
            pairing.deny(session, state.settings, user, code, now)
            return render(
                request, "pair_done.html", denied=True, beneficiary=None, maintenance_pin=None
            )
        if not confirm:
            return _page(
                request,
                session,
                user,
                code,
                422,
                selected=beneficiary_id,
                error="Cochez la case pour confirmer que ce code est bien celui affiché "
                "sur la tablette.",
            )
        beneficiary = access.require(session, user, beneficiary_id, Permission.MANAGE_DEVICES)
        approval = pairing.approve(session, state.settings, user, code, beneficiary, now)
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request,
            session,
            user,
            code,
            exc.status_code,
            selected=beneficiary_id,
            error=error_text(request, exc),
        )
    # The tablet's own maintenance PIN, shown this once (only its hash is kept).
    return render(
        request,
        "pair_done.html",
        denied=False,
        beneficiary=beneficiary,
        maintenance_pin=approval.maintenance_pin,
    )
