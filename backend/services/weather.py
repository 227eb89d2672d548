"""The weather shown on the tablet: Open-Meteo's forecast, cached per place in the database.

- One request to Open-Meteo per place (coordinates rounded to 2 decimals, about 1 km, and time
  zone) and per `Settings.weather_ttl_seconds`, whatever the number of tablets, consoles and
  workers: the cache is the `weather_cache` table. Only the rounded position leaves the
  backend: Open-Meteo never learns the exact address.
- The answer is checked and normalized (codes, °C, four days) before it is stored; the French
  words for the WMO codes are added when it is served.
- When Open-Meteo fails (unreachable, too slow, 429/5xx, unexpected body), the last good value
  is served with its age and `stale: true`, and nobody asks Open-Meteo again for that place
  before `RETRY_AFTER`. With nothing to serve: 503 "Météo indisponible pour le moment".
- No database transaction is open while Open-Meteo is asked: the cache is read in one short
  transaction, the fetch is claimed in another (so that only one worker asks at a time),
  and the result is written in a third.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.config import Settings
from backend.errors import Invalid, ServiceError
from backend.models import Beneficiary, WeatherCache
from backend.services.open_meteo import FetchError, download

log = logging.getLogger(__name__)

ATTRIBUTION = "Weather data by Open-Meteo.com (CC BY 4.0)"
# After a failed attempt, or while another worker is asking, wait this long before asking again.
RETRY_AFTER = timedelta(seconds=60)
FORECAST_DAYS = 4
CURRENT_FIELDS = "temperature_2m,weather_code,is_day"
DAILY_FIELDS = "weather_code,temperature_2m_max,temperature_2m_min"
UNAVAILABLE = "Météo indisponible pour le moment. Nouvel essai dans quelques minutes."
NO_POSITION = (
    "Commune du domicile non renseignée : la météo s'affichera quand le conseiller l'aura "
    "indiquée dans la console (page « Modifier ses informations »)."
)

# WMO weather interpretation codes, as used by Open-Meteo, in words for the tablet.
LABELS: dict[int, str] = {
    0: "Ciel dégagé",
    1: "Ciel plutôt dégagé",
    2: "Partiellement nuageux",
    3: "Couvert",
    45: "Brouillard",
    48: "Brouillard givrant",
    51: "Bruine légère",
    53: "Bruine modérée",
    55: "Bruine dense",
    56: "Bruine verglaçante légère",
    57: "Bruine verglaçante dense",
    61: "Pluie faible",
    63: "Pluie modérée",
    65: "Pluie forte",
    66: "Pluie verglaçante faible",
    67: "Pluie verglaçante forte",
    71: "Neige faible",
    73: "Neige modérée",
    75: "Neige forte",
    77: "Grains de neige",
    80: "Averses de pluie faibles",
    81: "Averses de pluie modérées",
    82: "Averses de pluie violentes",
    85: "Averses de neige faibles",
    86: "Averses de neige fortes",
    95: "Orage",
    96: "Orage avec grêle",
    99: "Orage avec forte grêle",
}
UNKNOWN_LABEL = "Temps inconnu"


def label(code: int) -> str:
    return LABELS.get(code, UNKNOWN_LABEL)


class Unavailable(ServiceError):
    """Open-Meteo failed and there is no earlier value to show."""

    status_code = 503


@dataclass(frozen=True)
class Place:
    """What the weather depends on: where the person lives."""

    latitude: float
    longitude: float
    timezone: str
    name: str

    @property
    def rounded(self) -> tuple[float, float]:
        # + 0.0 turns -0.0 into 0.0, so that both spell the same key.
        return round(self.latitude, 2) + 0.0, round(self.longitude, 2) + 0.0

    @property
    def key(self) -> str:
        lat, lon = self.rounded
        key = f"{lat:.2f},{lon:.2f},{self.timezone}"
        if len(key) <= 40:  # weather_cache.location_key is VARCHAR(40)
            return key
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:33]


def place_of(beneficiary: Beneficiary) -> Place:
    if beneficiary.latitude is None or beneficiary.longitude is None:
        raise Invalid(NO_POSITION)
    return Place(
        latitude=beneficiary.latitude,
        longitude=beneficiary.longitude,
        timezone=beneficiary.timezone,
        name=beneficiary.place_name,
    )


@dataclass(frozen=True)
class Report:
    """The normalized weather for one place, as served, and its (weak) entity tag."""

    body: dict[str, Any]
    etag: str


# --- asking Open-Meteo ----------------------------------------------------------------------


def forecast_url(base_url: str, place: Place) -> str:
    lat, lon = place.rounded
    query = urlencode(
        {
            "latitude": f"{lat:.2f}",
            "longitude": f"{lon:.2f}",
            "current": CURRENT_FIELDS,
            "daily": DAILY_FIELDS,
            "timezone": place.timezone,
            "forecast_days": FORECAST_DAYS,
        },
        safe=",/",  # the query as Open-Meteo documents it, readable in logs
    )
    return f"{base_url}?{query}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas un nombre")


def _error_reason(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("reason"), str):
        return f" : {data['reason'][:200]}"
    return ""


def fetch(base_url: str, place: Place) -> dict[str, Any]:
    """Ask Open-Meteo and return the normalized core (no labels); FetchError if unusable."""
    status, body = download(forecast_url(base_url, place))
    if status != 200:
        raise FetchError(f"HTTP {status}{_error_reason(body)}")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except ValueError as exc:
        raise FetchError("réponse illisible (pas du JSON)") from exc
    try:
        return normalize(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise FetchError(f"réponse inattendue ({exc})") from exc


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} n'est pas un nombre")
    return float(value)


def _optional_number(value: Any, what: str) -> float | None:
    return None if value is None else _number(value, what)


def _code(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 99:
        raise ValueError(f"{what} n'est pas un code météo")
    return value


def normalize(data: Any) -> dict[str, Any]:
    """Open-Meteo's answer → {"current": {...}, "days": [...]}; ValueError/KeyError/TypeError
    when it does not have the expected shape."""
    current = data["current"]
    is_day = current["is_day"]
    if is_day not in (0, 1) or isinstance(is_day, bool):
        raise ValueError("current.is_day n'est pas 0 ou 1")
    daily = data["daily"]
    columns = [
        daily[name] for name in ("time", "weather_code", "temperature_2m_max", "temperature_2m_min")
    ]
    if not all(isinstance(c, list) for c in columns) or len({len(c) for c in columns}) != 1:
        raise ValueError("daily n'a pas des colonnes de même longueur")
    if len(columns[0]) < FORECAST_DAYS:
        raise ValueError(f"daily a moins de {FORECAST_DAYS} jours")
    days = []
    for day, code, high, low in list(zip(*columns, strict=True))[:FORECAST_DAYS]:
        if not isinstance(day, str):
            raise ValueError("daily.time n'est pas une date")
        days.append(
            {
                "date": date.fromisoformat(day).isoformat(),
                "code": _code(code, "daily.weather_code"),
                "min": _optional_number(low, "daily.temperature_2m_min"),
                "max": _optional_number(high, "daily.temperature_2m_max"),
            }
        )
    return {
        "current": {
            "temperature": _number(current["temperature_2m"], "current.temperature_2m"),
            "code": _code(current["weather_code"], "current.weather_code"),
            "is_day": is_day == 1,
        },
        "days": days,
    }


# --- the cache ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    fetched_at: datetime
    core: dict[str, Any] | None  # None: never a good answer for this place
    last_error: str | None
    last_attempt_at: datetime | None

    def fresh(self, now: datetime, ttl: timedelta) -> bool:
        # A clock slightly behind another worker's sees a future fetched_at: still fresh.
        return self.core is not None and now - self.fetched_at < ttl

    def may_ask(self, now: datetime) -> bool:
        """False during RETRY_AFTER after a failure, or while another worker is asking."""
        if self.last_attempt_at is None:
            return True
        succeeded = self.last_error is None and self.last_attempt_at <= self.fetched_at
        if succeeded and self.core is not None:
            return True
        return not timedelta(0) <= now - self.last_attempt_at < RETRY_AFTER


def _read(session: Session, key: str) -> _Entry | None:
    row = session.get(WeatherCache, key)
    if row is None:
        return None
    core: dict[str, Any] | None = None
    if row.payload:
        try:
            core = json.loads(row.payload)
        except ValueError:  # not written by this code: as if there were no value
            log.warning("unreadable weather cache entry %s", key)
    return _Entry(row.fetched_at, core, row.last_error, row.last_attempt_at)


def _claim(sessions: sessionmaker[Session], key: str, entry: _Entry | None, now: datetime) -> bool:
    """Note the attempt, unless another worker noted one since `entry` was read."""
    try:
        with sessions() as session, session.begin():
            if entry is None:
                # No good value yet: an empty payload, fetched_at meaningless.
                session.add(
                    WeatherCache(location_key=key, fetched_at=now, payload="", last_attempt_at=now)
                )
                session.flush()
                return True
            column = WeatherCache.last_attempt_at
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(WeatherCache)
                    .where(
                        WeatherCache.location_key == key,
                        column.is_(None)
                        if entry.last_attempt_at is None
                        else column == entry.last_attempt_at,
                    )
                    .values(last_attempt_at=now)
                ),
            )
            return result.rowcount == 1
    except IntegrityError:  # another worker inserted the row first
        return False


def _store(
    sessions: sessionmaker[Session],
    key: str,
    now: datetime,
    core: dict[str, Any] | None,
    error: str | None,
) -> None:
    """A good answer (core) or a failure (error), in one short transaction."""
    try:
        with sessions() as session, session.begin():
            row = session.get(WeatherCache, key)
            if row is None:
                row = WeatherCache(location_key=key, fetched_at=now, payload="")
                session.add(row)
            if core is not None:
                row.payload = json.dumps(core, separators=(",", ":"))
                row.fetched_at = now
            row.last_error = error
            row.last_attempt_at = now
    except IntegrityError:  # inserted meanwhile by another worker, which wins
        log.info("weather cache for %s written concurrently", key)


def _report(place: Place, entry: _Entry, now: datetime, ttl: timedelta) -> Report:
    assert entry.core is not None
    current = entry.core["current"]
    body: dict[str, Any] = {
        "location": place.name,
        "fetched_at": entry.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        "age_seconds": 0,
        "stale": not entry.fresh(now, ttl),
        "current": {**current, "label": label(current["code"])},
        "days": [{**day, "label": label(day["code"])} for day in entry.core["days"]],
        "attribution": ATTRIBUTION,
    }
    # The age changes every second; the tag covers everything else (RFC 9110 weak validator).
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    tag = hashlib.sha256(canonical).hexdigest()[:32]
    body["age_seconds"] = max(0, int((now - entry.fetched_at).total_seconds()))
    return Report(body=body, etag=f'W/"{tag}"')


def _unavailable(entry: _Entry | None, now: datetime) -> Unavailable:
    wait = RETRY_AFTER
    if entry is not None and entry.last_attempt_at is not None:
        wait = min(RETRY_AFTER, max(timedelta(0), entry.last_attempt_at + RETRY_AFTER - now))
    seconds = max(1, math.ceil(wait.total_seconds()))
    return Unavailable(UNAVAILABLE, headers={"Retry-After": str(seconds)})


def weather_for(
    sessions: sessionmaker[Session], settings: Settings, place: Place, now: datetime
) -> Report:
    """The weather for `place`, from the cache or Open-Meteo; Unavailable (503) if none.

    Call it with no transaction of yours open: it may wait several seconds on Open-Meteo.
    """
    ttl = timedelta(seconds=settings.weather_ttl_seconds)
    key = place.key
    with sessions() as session:
        entry = _read(session, key)
    if entry is not None and entry.fresh(now, ttl):
        return _report(place, entry, now, ttl)
    if entry is not None and not entry.may_ask(now):
        if entry.core is None:
            raise _unavailable(entry, now)
        return _report(place, entry, now, ttl)
    if not _claim(sessions, key, entry, now) and entry is not None and entry.core is not None:
        # Another worker is asking right now: serve what we have rather than ask twice.
        return _report(place, entry, now, ttl)
    try:
        core = fetch(settings.open_meteo_url, place)
    except FetchError as exc:
        error = f"Open-Meteo : {exc}"
        log.warning("weather for %s: %s", key, error)
        _store(sessions, key, now, None, error)
        if entry is None or entry.core is None:
            raise Unavailable(
                UNAVAILABLE, headers={"Retry-After": str(int(RETRY_AFTER.total_seconds()))}
            ) from exc
        return _report(place, entry, now, ttl)
    _store(sessions, key, now, core, None)
    return _report(place, _Entry(now, core, None, now), now, ttl)


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: If-None-Match uses the weak comparison (W/ prefixes ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))
