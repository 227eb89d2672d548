"""A town's name → the coordinates the weather needs: Open-Meteo's geocoding search.

- `search` asks `Settings.geocoding_url` (https://geocoding-api.open-meteo.com/v1/search,
  `name`, `count`, `language=fr`, `format=json`) and keeps each answer in the
  `geocoding_cache` table for `Settings.geocoding_ttl_seconds` (a month: towns do not move),
  shared by every worker. Only the name typed leaves the backend, never a street address or a
  person's name.
- The answer is checked and reduced to what the console shows and stores (`Place`): name,
  coordinates, region, department, country, first postcode, time zone. Several results are
  offered as a choice, each with a label that tells them apart ("Saint-Denis (La Réunion)",
  "Saint-Denis (Seine-Saint-Denis)").
- Every failure (unreachable, too slow, an HTTP error, a body that is not the expected shape)
  is `Unavailable` (a 503 with a French message), never a 500. No answer is cached then.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.errors import ServiceError
from backend.models import GeocodingCache
from backend.services.open_meteo import FetchError, download

log = logging.getLogger(__name__)

COUNT = 10  # results asked for: enough to find the right Saint-Denis
LANGUAGE = "fr"
UNAVAILABLE = (
    "Le service de localisation (Open-Meteo) ne répond pas pour le moment : la commune n'a "
    "pas pu être située. Réessayez dans quelques minutes."
)
COUNTRY_OF_ORIGIN = "FR"  # the country left out of labels


class Unavailable(ServiceError):
    """Open-Meteo's geocoding could not answer; the message is for the care manager."""

    status_code = 503


@dataclass(frozen=True)
class Place:
    """One result, as the console shows and stores it."""

    id: int
    name: str
    latitude: float
    longitude: float
    country: str
    country_code: str
    admin1: str  # region ("Île-de-France", "La Réunion")
    admin2: str  # department ("Seine-Saint-Denis")
    postcode: str
    timezone: str
    label: str = ""  # set by `search`: the name and what tells it apart from the others

    @property
    def detail(self) -> str:
        """Everything known about where it is, for the choice ("93200 · Seine-Saint-Denis,
        Île-de-France, France")."""
        parts = _unique([self.admin2, self.admin1, self.country])
        where = ", ".join(parts)
        return f"{self.postcode} · {where}" if self.postcode and where else self.postcode or where


def _unique(parts: list[str]) -> list[str]:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return seen


def _labelled(places: list[Place]) -> list[Place]:
    """Each place with a label: its name and the most local area that is not its name
    (department, else region), the country when it is not France; the postcode as well when
    two labels would still be the same."""

    def base(p: Place) -> str:
        areas = [a for a in _unique([p.admin2, p.admin1]) if a != p.name]
        parts = areas[:1]
        if p.country_code != COUNTRY_OF_ORIGIN and p.country:
            parts.append(p.country)
        return f"{p.name} ({', '.join(parts)})" if parts else p.name

    labels = [base(p) for p in places]
    counts = Counter(labels)
    out = []
    for place, label in zip(places, labels, strict=True):
        if counts[label] > 1 and place.postcode:
            if label.endswith(")"):
                label = f"{label[:-1]}, {place.postcode})"
            else:
                label = f"{label} ({place.postcode})"
        out.append(Place(**{**asdict(place), "label": label}))
    return out


def normalize_query(name: str) -> str:
    """What identifies a search: spaces collapsed, case and Unicode form ignored."""
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def _key(query: str, settings: Settings) -> str:
    return hashlib.sha256(f"{settings.geocoding_url}\n{LANGUAGE}\n{query}".encode()).hexdigest()


def search_url(base_url: str, name: str) -> str:
    query = urlencode({"name": name, "count": COUNT, "language": LANGUAGE, "format": "json"})
    return f"{base_url}?{query}"


# --- asking Open-Meteo ----------------------------------------------------------------------


def _text(value: Any, limit: int = 200) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("un texte attendu")
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:limit]


def _number(value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("un nombre attendu")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError("coordonnées hors limites")
    return number


def _zone(value: Any) -> str:
    name = _text(value, 64)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


def parse(data: Any) -> list[Place]:
    """Open-Meteo's answer → places; ValueError/KeyError/TypeError when it has not the
    expected shape. No `results` key means nothing was found."""
    if not isinstance(data, dict):
        raise ValueError("un objet JSON attendu")
    results = data.get("results", [])
    if not isinstance(results, list):
        raise ValueError("results n'est pas une liste")
    places = []
    for item in results[:COUNT]:
        if not isinstance(item, dict):
            raise ValueError("un résultat n'est pas un objet")
        postcodes = item.get("postcodes") or []
        if not isinstance(postcodes, list):
            raise ValueError("postcodes n'est pas une liste")
        name = _text(item["name"], 100)
        if not name:
            continue
        places.append(
            Place(
                id=int(item.get("id") or 0),
                name=name,
                latitude=_number(item["latitude"], -90, 90),
                longitude=_number(item["longitude"], -180, 180),
                country=_text(item.get("country"), 100),
                country_code=_text(item.get("country_code"), 2).upper(),
                admin1=_text(item.get("admin1"), 100),
                admin2=_text(item.get("admin2"), 100),
                postcode=_text(postcodes[0], 20) if postcodes else "",
                timezone=_zone(item.get("timezone")),
            )
        )
    return places


def fetch(settings: Settings, name: str) -> list[Place]:
    try:
        status, body = download(search_url(settings.geocoding_url, name))
    except FetchError as exc:
        log.warning("geocoding: Open-Meteo unusable (%s)", exc)
        raise Unavailable(UNAVAILABLE) from exc
    if status != 200:
        log.warning("geocoding: Open-Meteo answered HTTP %s", status)
        raise Unavailable(UNAVAILABLE)
    try:
        return parse(json.loads(body))
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("geocoding: unexpected answer from Open-Meteo (%s)", exc)
        raise Unavailable(UNAVAILABLE) from exc


# --- the cache ------------------------------------------------------------------------------


def _cached(session: Session, key: str, now: datetime, ttl: timedelta) -> list[Place] | None:
    row = session.get(GeocodingCache, key)
    if row is None or not timedelta(0) <= now - row.fetched_at < ttl:
        return None
    try:
        return [Place(**item) for item in json.loads(row.payload)]
    except (TypeError, ValueError):
        log.warning("geocoding cache entry %s unreadable", key)
        return None


def _store(session: Session, key: str, places: list[Place], now: datetime) -> None:
    payload = json.dumps([asdict(p) for p in places], ensure_ascii=False)
    try:
        with session.begin_nested():  # another worker may store the same search meanwhile
            row = session.get(GeocodingCache, key)
            if row is None:
                session.add(GeocodingCache(query_key=key, fetched_at=now, payload=payload))
            else:
                row.fetched_at, row.payload = now, payload
    except IntegrityError:
        log.info("geocoding cache for %s written concurrently", key)


def search(session: Session, settings: Settings, name: str, now: datetime) -> list[Place]:
    """The places called `name` (at most COUNT, Open-Meteo's order: the most relevant
    first), from the cache or Open-Meteo; Unavailable when Open-Meteo cannot answer."""
    query = normalize_query(name)
    if len(query) < 2:  # Open-Meteo answers nothing below two characters
        return []
    key = _key(query, settings)
    ttl = timedelta(seconds=settings.geocoding_ttl_seconds)
    cached = _cached(session, key, now, ttl)
    if cached is not None:
        return _labelled(cached)
    places = fetch(settings, " ".join(name.split()))
    _store(session, key, places, now)
    return _labelled(places)
