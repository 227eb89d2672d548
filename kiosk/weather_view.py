"""What the weather screen shows, computed without Qt from the backend's normalized report.

The report is the body of `GET /api/v1/device/weather` (backend/api/weather.py): `current`
(temperature, WMO code, is_day), four `days` (ISO date in the beneficiary's zone, code, min,
max), `fetched_at` (UTC) and `stale`. This module decides the words: the French name of every
WMO code, "Aujourd'hui", "Demain", the day names, and "mis à jour il y a 2 h" once the values
are old enough for it to matter. No report at all gives the friendly "Météo indisponible".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

CONTEXT = "WeatherWords"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    """Marks `text` for the catalogue without importing Qt: the weather screen and home ask
    QCoreApplication.translate(CONTEXT, text) for the words of the language in force."""
    return text


# WMO weather interpretation codes (Open-Meteo), in the words the tablet says.
WORDS: dict[int, str] = {
    0: QT_TRANSLATE_NOOP("WeatherWords", "Ciel dégagé"),
    1: QT_TRANSLATE_NOOP("WeatherWords", "Ciel plutôt dégagé"),
    2: QT_TRANSLATE_NOOP("WeatherWords", "Partiellement nuageux"),
    3: QT_TRANSLATE_NOOP("WeatherWords", "Couvert"),
    45: QT_TRANSLATE_NOOP("WeatherWords", "Brouillard"),
    48: QT_TRANSLATE_NOOP("WeatherWords", "Brouillard givrant"),
    51: QT_TRANSLATE_NOOP("WeatherWords", "Bruine légère"),
    53: QT_TRANSLATE_NOOP("WeatherWords", "Bruine modérée"),
    55: QT_TRANSLATE_NOOP("WeatherWords", "Bruine dense"),
    56: QT_TRANSLATE_NOOP("WeatherWords", "Bruine verglaçante légère"),
    57: QT_TRANSLATE_NOOP("WeatherWords", "Bruine verglaçante dense"),
    61: QT_TRANSLATE_NOOP("WeatherWords", "Pluie faible"),
    63: QT_TRANSLATE_NOOP("WeatherWords", "Pluie modérée"),
    65: QT_TRANSLATE_NOOP("WeatherWords", "Pluie forte"),
    66: QT_TRANSLATE_NOOP("WeatherWords", "Pluie verglaçante faible"),
    67: QT_TRANSLATE_NOOP("WeatherWords", "Pluie verglaçante forte"),
    71: QT_TRANSLATE_NOOP("WeatherWords", "Neige faible"),
    73: QT_TRANSLATE_NOOP("WeatherWords", "Neige modérée"),
    75: QT_TRANSLATE_NOOP("WeatherWords", "Neige forte"),
    77: QT_TRANSLATE_NOOP("WeatherWords", "Grains de neige"),
    80: QT_TRANSLATE_NOOP("WeatherWords", "Averses de pluie faibles"),
    81: QT_TRANSLATE_NOOP("WeatherWords", "Averses de pluie modérées"),
    82: QT_TRANSLATE_NOOP("WeatherWords", "Averses de pluie violentes"),
    85: QT_TRANSLATE_NOOP("WeatherWords", "Averses de neige faibles"),
    86: QT_TRANSLATE_NOOP("WeatherWords", "Averses de neige fortes"),
    95: QT_TRANSLATE_NOOP("WeatherWords", "Orage"),
    96: QT_TRANSLATE_NOOP("WeatherWords", "Orage avec grêle"),
    99: QT_TRANSLATE_NOOP("WeatherWords", "Orage avec forte grêle"),
}
UNKNOWN_WORDS = QT_TRANSLATE_NOOP("WeatherWords", "Temps inconnu")
UNAVAILABLE = QT_TRANSLATE_NOOP("WeatherWords", "Météo indisponible")

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAY_TITLES = (
    QT_TRANSLATE_NOOP("WeatherWords", "Lundi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Mardi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Mercredi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Jeudi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Vendredi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Samedi"),
    QT_TRANSLATE_NOOP("WeatherWords", "Dimanche"),
)
TODAY = QT_TRANSLATE_NOOP("WeatherWords", "Aujourd'hui")
TOMORROW = QT_TRANSLATE_NOOP("WeatherWords", "Demain")

# Below this age the values are as fresh as the backend's cache allows (30 min): say nothing.
OLD_AFTER = timedelta(hours=1)
FORECAST_DAYS = 4  # today and the next three
# Older than this, "now" is no longer now: the current temperature is left out, days stay.
CURRENT_USEFUL_FOR = timedelta(hours=6)

# Pictogram names, drawn by widgets.weather_icons (which knows nothing of WMO codes).
SUN, MOON = "sun", "moon"
PARTLY_DAY, PARTLY_NIGHT = "partly_day", "partly_night"
CLOUD, FOG, DRIZZLE, RAIN, SNOW = "cloud", "fog", "drizzle", "rain", "snow"
SHOWERS, SNOW_SHOWERS, THUNDER = "showers", "snow_showers", "thunder"


def words_for(code: int) -> str:
    return WORDS.get(code, UNKNOWN_WORDS)


def pictogram_for(code: int, is_day: bool = True) -> str:
    """The pictogram of a WMO code; clear and partly cloudy skies show the moon at night."""
    if code in (0, 1):
        return SUN if is_day else MOON
    if code == 2:
        return PARTLY_DAY if is_day else PARTLY_NIGHT
    if code in (45, 48):
        return FOG
    if 51 <= code <= 57:
        return DRIZZLE
    if 61 <= code <= 67:
        return RAIN
    if 71 <= code <= 77:
        return SNOW
    if 80 <= code <= 82:
        return SHOWERS
    if code in (85, 86):
        return SNOW_SHOWERS
    if code >= 95:
        return THUNDER
    return CLOUD  # 3 (overcast) and anything unknown


def degrees(value: float | None) -> str:
    """ "8°", "-2°": rounded half away from zero, never "-0°"; "–" when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    rounded = math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)
    return f"{rounded}°"


UPDATED_MINUTES = QT_TRANSLATE_NOOP("WeatherWords", "mis à jour il y a {n} min")
UPDATED_HOURS = QT_TRANSLATE_NOOP("WeatherWords", "mis à jour il y a {n} h")
UPDATED_YESTERDAY = QT_TRANSLATE_NOOP("WeatherWords", "mis à jour hier")
UPDATED_DAYS = QT_TRANSLATE_NOOP("WeatherWords", "mis à jour il y a {n} jours")
NOT_UPDATED = QT_TRANSLATE_NOOP("WeatherWords", "mise à jour impossible pour le moment")


def _same(text: str) -> str:
    return text


def age_words(age: timedelta, translate: Callable[[str], str] = _same) -> str:
    """ "mis à jour il y a 2 h" (as said aloud: minutes, hours, then days); `translate` gives
    the words in the language in force (see CONTEXT)."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return translate(UPDATED_MINUTES).format(n=max(minutes, 1))
    hours = minutes // 60
    if hours < 24:
        return translate(UPDATED_HOURS).format(n=hours)
    days = hours // 24
    if days == 1:
        return translate(UPDATED_YESTERDAY)
    return translate(UPDATED_DAYS).format(n=days)


def day_name(day: date, today: date) -> str:
    if day == today:
        return TODAY
    if day == today + timedelta(days=1):
        return TOMORROW
    return DAY_TITLES[day.weekday()]


@dataclass(frozen=True)
class DayForecast:
    day: date
    name: str  # "Aujourd'hui", "Demain", "Samedi"
    words: str  # "Pluie faible"
    pictogram: str
    high: str  # "12°"
    low: str  # "4°"


@dataclass(frozen=True)
class CurrentWeather:
    temperature: str  # "8°"
    words: str
    pictogram: str


@dataclass(frozen=True)
class WeatherView:
    available: bool
    location: str = ""
    current: CurrentWeather | None = None
    days: tuple[DayForecast, ...] = ()  # today first, at most four
    updated: str = ""  # "mis à jour il y a 2 h" when old, else ""
    message: str = ""  # UNAVAILABLE when there is nothing to show
    # Why there is nothing to show, when known: kiosk.weather_service.OFFLINE or a
    # kiosk.client_errors.WeatherMissing reason ("" while nothing was asked yet).
    missing: str = ""
    attribution: str = ""


def glance(view: WeatherView, translate: Callable[[str], str] = lambda text: text) -> str:
    """One line for the home screen: "8°, pluie faible"; "" when there is nothing current.
    `translate` gives the words in the language in force (see CONTEXT)."""
    if not view.available or view.current is None:
        return ""
    words = translate(view.current.words)
    return f"{view.current.temperature}, {words[:1].lower()}{words[1:]}"


def unavailable() -> WeatherView:
    return WeatherView(available=False, message=UNAVAILABLE)


def _fetched_at(report: Mapping[str, Any], received_at: datetime | None) -> datetime | None:
    raw = report.get("fetched_at")
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        if moment is not None:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    age = report.get("age_seconds")
    if received_at is not None and isinstance(age, int | float):
        return received_at - timedelta(seconds=float(age))
    return None


def _code(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def build_weather_view(
    report: Mapping[str, Any] | None,
    now: datetime,
    received_at: datetime | None = None,
    translate: Callable[[str], str] = _same,
) -> WeatherView:
    """The view of `report` at `now` (aware, in the beneficiary's zone).

    `received_at` is when the tablet got the report; it dates the values when the report has
    no usable `fetched_at`. Anything malformed gives the unavailable view, never an error."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    if not isinstance(report, Mapping):
        return unavailable()
    current = report.get("current")
    if not isinstance(current, Mapping) or _number(current.get("temperature")) is None:
        return unavailable()
    code = _code(current.get("code"))
    now_view: CurrentWeather | None = CurrentWeather(
        temperature=degrees(_number(current.get("temperature"))),
        words=words_for(code),
        pictogram=pictogram_for(code, current.get("is_day") is not False),
    )
    today = now.date()
    days: list[DayForecast] = []
    raw_days = report.get("days")
    for raw in raw_days if isinstance(raw_days, list) else []:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("date"), str):
            continue
        try:
            day = date.fromisoformat(raw["date"])
        except ValueError:
            continue
        if day < today:  # an old report: yesterday is no forecast
            continue
        day_code = _code(raw.get("code"))
        days.append(
            DayForecast(
                day=day,
                name=day_name(day, today),
                words=words_for(day_code),
                pictogram=pictogram_for(day_code),
                high=degrees(_number(raw.get("max"))),
                low=degrees(_number(raw.get("min"))),
            )
        )
    days.sort(key=lambda d: d.day)
    fetched = _fetched_at(report, received_at)
    updated = ""
    if fetched is not None:
        age = now - fetched
        if age >= OLD_AFTER:
            updated = age_words(age, translate)
        if age >= CURRENT_USEFUL_FOR:
            now_view = None
    elif report.get("stale") is True:
        updated = translate(NOT_UPDATED)
    if now_view is None and not days:
        return unavailable()
    location = report.get("location")
    attribution = report.get("attribution")
    return WeatherView(
        available=True,
        location=location if isinstance(location, str) else "",
        current=now_view,
        days=tuple(days[:FORECAST_DAYS]),
        updated=updated,
        attribution=attribution if isinstance(attribution, str) else "",
    )
