"""The weather for the tablet and the console: Open-Meteo, cached per place (services.weather).

The tablet asks often: an unchanged answer costs a 304 when it sends back the ETag it got.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from backend.api.deps import CurrentDevice, CurrentUser, NowDep, PathId, SessionDep, StateDep
from backend.errors import Forbidden
from backend.models import Beneficiary
from backend.policy import Permission, Role, allowed
from backend.services import access
from backend.services import weather as weather_service
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["weather"])

# Revalidate every time (cheap with If-None-Match); the answer is for the caller only.
CACHE_CONTROL = "private, no-cache"
ERRORS: dict[int | str, dict[str, str]] = {
    304: {"description": "Unchanged since the ETag sent in If-None-Match."},
    422: {"description": "The home's position is not set."},
    503: {"description": "Open-Meteo failed and there is no earlier value."},
}


class CurrentWeather(BaseModel):
    temperature: float  # °C
    code: int  # WMO weather code
    is_day: bool
    label: str  # in French: "Ciel dégagé", "Pluie modérée"…


class DayWeather(BaseModel):
    date: str  # ISO date, in the beneficiary's time zone
    code: int
    label: str
    min: float | None
    max: float | None


class WeatherOut(BaseModel):
    location: str
    fetched_at: str  # ISO 8601, UTC
    age_seconds: int
    stale: bool  # older than the cache lifetime: Open-Meteo could not be asked or failed
    current: CurrentWeather
    days: list[DayWeather]
    attribution: str


def _answer(
    session: Session,
    state: StateDep,
    beneficiary: Beneficiary,
    now: NowDep,
    if_none_match: str | None,
) -> Response:
    # Release the database (and the device's last_seen_at write) before Open-Meteo may be
    # asked: the service reads and writes the cache in its own short transactions.
    session.commit()
    place = weather_service.place_of(beneficiary)
    report = weather_service.weather_for(state.sessions, state.settings, place, now)
    headers = {"ETag": report.etag, "Cache-Control": CACHE_CONTROL}
    if weather_service.matches(if_none_match, report.etag):
        return Response(status_code=304, headers=headers)
    body = json.dumps(report.body, ensure_ascii=False, separators=(",", ":"))
    return Response(body, media_type="application/json", headers=headers)


@router.get("/device/weather", response_model=WeatherOut, responses=ERRORS)
def device_weather(
    device: CurrentDevice,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    if_none_match: Annotated[str | None, Header(), LINE] = None,
) -> Response:
    """The weather at the home of the tablet's own beneficiary (never anyone else's)."""
    if not allowed({Role.DEVICE}, Permission.VIEW_BENEFICIARY):
        raise Forbidden("Cette tablette ne peut pas afficher la météo.")
    beneficiary = session.get(Beneficiary, device.beneficiary_id)
    assert beneficiary is not None  # devices are deleted with their beneficiary
    return _answer(session, state, beneficiary, now, if_none_match)


@router.get("/beneficiaries/{beneficiary_id}/weather", response_model=WeatherOut, responses=ERRORS)
def beneficiary_weather(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    now: NowDep,
    if_none_match: Annotated[str | None, Header(), LINE] = None,
) -> Response:
    """The weather at the person's home, as their tablet shows it."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_BENEFICIARY)
    return _answer(session, state, beneficiary, now, if_none_match)
