"""An organisation's updates, for its managers (issue 18): /o/{organisation_id}/updates.

What the page shows: how many of the organisation's tablets run each version; its rollouts,
newest first, each with its stage, how many tablets installed it, failed or still wait, and
the failures with the tablets' reasons; the forms that start a rollout (a signed release, a
channel, stages) and advance, pause, resume or halt one. The rules are the rollouts service's
(`backend.services.rollouts`): this page only shows its state and sends the manager's choices.
A rollout for every organisation (the operator's, started from the CLI) is shown, without its
buttons: nobody manages it from the console.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.web import ConsoleUser, Csrf, error_text, redirect, render, undo
from backend.errors import NotFound, ServiceError
from backend.models import Organisation, Release, Rollout, User
from backend.services import fleet, releases, rollouts
from backend.text import LINE

router = APIRouter(include_in_schema=False)

# The rollouts shown with their progress (each costs a few statements); older ones are done
# with and listed by version only.
SHOWN_WITH_PROGRESS = 10

# "done": every stage passed; not « terminé », which the call log says of a call (one catalogue).
STATE_LABELS = {
    "active": "en cours",
    "paused": "en pause",
    "halted": "arrêté",
    "done": "déployé partout",
}
CHANNEL_LABELS = {"stable": "stable", "beta": "bêta"}
NOTICES = {
    "created": "Déploiement lancé : les tablettes de la première étape le reçoivent.",
    "advanced": "Étape suivante : plus de tablettes reçoivent la mise à jour.",
    "paused": "Déploiement en pause : les tablettes sans cette version ne la reçoivent plus.",
    "resumed": "Déploiement repris à son étape.",
    "halted": "Déploiement arrêté.",
}


@dataclass(frozen=True)
class RolloutView:
    rollout: Rollout
    release: Release
    stages: list[int]
    progress: rollouts.RolloutProgress | None  # None for the older ones
    manageable: bool

    @property
    def pending(self) -> int:
        """In the current stage, no report yet (the service's count)."""
        return 0 if self.progress is None else self.progress.offered


def _views(session: Session, user: User, organisation_id: int) -> list[RolloutView]:
    found = rollouts.for_organisation(session, organisation_id)
    by_id = {r.id: r for r in releases.list_releases(session)}
    manageable = rollouts.can_manage(session, user, organisation_id)
    return [
        RolloutView(
            rollout=r,
            release=by_id[r.release_id],
            stages=rollouts.stages_of(r),
            progress=rollouts.progress(session, r) if n < SHOWN_WITH_PROGRESS else None,
            manageable=manageable and r.organisation_id == organisation_id,
        )
        for n, r in enumerate(found)
    ]


def _page(
    request: Request,
    session: Session,
    user: User,
    organisation: Organisation,
    status_code: int = 200,
    *,
    draft: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    versions = fleet.versions(session, organisation.id)
    total = sum(v.tablets for v in versions)
    return render(
        request,
        "updates.html",
        status_code,
        organisation=organisation,
        org_tab="updates",
        versions=versions,
        total=total,
        views=_views(session, user, organisation.id),
        releases=releases.list_releases(session),
        states=STATE_LABELS,
        channels=CHANNEL_LABELS,
        draft=draft or {"channel": "stable", "stages": "5,25,100"},
        **context,
    )


@router.get("/o/{organisation_id}/updates", response_class=HTMLResponse)
def updates_page(
    organisation_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    done: Annotated[str, Query(max_length=10), LINE] = "",
) -> Response:
    organisation = fleet.managed_organisation(session, user, organisation_id)
    return _page(request, session, user, organisation, notice=NOTICES.get(done))


@router.post("/o/{organisation_id}/rollouts", dependencies=[Csrf])
def create(
    organisation_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    release_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    channel: Annotated[str, Form(max_length=10), LINE] = "stable",
    stages: Annotated[str, Form(max_length=60), LINE] = "5,25,100",
) -> Response:
    organisation = fleet.managed_organisation(session, user, organisation_id)
    draft = {"release_id": str(release_id), "channel": channel, "stages": stages}
    if not release_id:
        return _page(
            request, session, user, organisation, 422,
            draft=draft, error="Choisissez la version à déployer.",
        )  # fmt: skip
    try:
        rollouts.create_rollout(
            session,
            organisation_id=organisation_id,
            release_id=release_id,
            channel=channel,
            stages=rollouts.parse_stages(stages),
            created_by_id=user.id,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request, session, user, organisation, exc.status_code,
            draft=draft, error=error_text(request, exc),
        )  # fmt: skip
    return redirect(f"/o/{organisation_id}/updates?done=created")


def _act(
    organisation_id: int,
    rollout_id: int,
    request: Request,
    user: User,
    session: Session,
    action: Callable[[Rollout], None],
    done: str,
) -> Response:
    """One of the organisation's own rollouts changed by `action` (the service refuses a
    change its state does not allow: said on the page)."""
    organisation = fleet.managed_organisation(session, user, organisation_id)
    rollout = session.get(Rollout, rollout_id)
    if rollout is None or rollout.organisation_id != organisation_id:
        raise NotFound("Déploiement introuvable.")
    try:
        action(rollout)
    except ServiceError as exc:
        undo(session, exc)
        return _page(
            request, session, user, organisation, exc.status_code, error=error_text(request, exc)
        )
    return redirect(f"/o/{organisation_id}/updates?done={done}#rollout-{rollout_id}")


@router.post("/o/{organisation_id}/rollouts/{rollout_id}/advance", dependencies=[Csrf])
def advance(
    organisation_id: PathId,
    rollout_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _act(
        organisation_id, rollout_id, request, user, session,
        lambda r: rollouts.advance(session, r, now), "advanced",
    )  # fmt: skip


@router.post("/o/{organisation_id}/rollouts/{rollout_id}/pause", dependencies=[Csrf])
def pause(
    organisation_id: PathId,
    rollout_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _act(
        organisation_id, rollout_id, request, user, session,
        lambda r: rollouts.pause(session, r, now), "paused",
    )  # fmt: skip


@router.post("/o/{organisation_id}/rollouts/{rollout_id}/resume", dependencies=[Csrf])
def resume(
    organisation_id: PathId,
    rollout_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _act(
        organisation_id, rollout_id, request, user, session,
        lambda r: rollouts.resume(session, r, now), "resumed",
    )  # fmt: skip


@router.post("/o/{organisation_id}/rollouts/{rollout_id}/halt", dependencies=[Csrf])
def halt(
    organisation_id: PathId,
    rollout_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=500), LINE] = "",
) -> Response:
    return _act(
        organisation_id, rollout_id, request, user, session,
        lambda r: rollouts.halt(session, r, reason, now), "halted",
    )  # fmt: skip
