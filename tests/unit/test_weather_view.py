"""The weather screen's words, computed without Qt: every WMO code, day names, age, no data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.weather_view import (
    UNKNOWN_WORDS,
    WORDS,
    age_words,
    build_weather_view,
    degrees,
    glance,
    pictogram_for,
    words_for,
)

PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)

# Every code of /work/shared/FACTS.md (WMO, as Open-Meteo uses them), with its French words.
EXPECTED = {
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


def report(
    fetched: datetime, codes: tuple[int, ...] = (61, 3, 82, 96), **extra: Any
) -> dict[str, Any]:
    first = fetched.astimezone(PARIS).date()
    return {
        "location": "Lyon",
        "fetched_at": fetched.astimezone(UTC).isoformat(timespec="seconds"),
        "age_seconds": 0,
        "stale": False,
        "current": {"temperature": 7.6, "code": codes[0], "is_day": True, "label": "x"},
        "days": [
            {
                "date": (first + timedelta(days=i)).isoformat(),
                "code": c,
                "min": 1.0 + i,
                "max": 9.4 + i,
                "label": "x",
            }
            for i, c in enumerate(codes)
        ],
        "attribution": "Weather data by Open-Meteo.com (CC BY 4.0)",
        **extra,
    }


@pytest.mark.parametrize(("code", "words"), sorted(EXPECTED.items()))
def test_every_wmo_code_has_its_french_words(code: int, words: str) -> None:
    assert words_for(code) == words
    view = build_weather_view(report(WEDNESDAY, (code, code, code, code)), WEDNESDAY)
    assert view.current is not None and view.current.words == words
    assert all(day.words == words for day in view.days)


def test_the_table_has_exactly_the_documented_codes_and_unknown_ones_say_so() -> None:
    assert set(WORDS) == set(EXPECTED)
    assert words_for(42) == UNKNOWN_WORDS
    assert pictogram_for(42) == "cloud"


def test_pictograms_follow_the_sky_and_night_shows_the_moon() -> None:
    assert pictogram_for(0, is_day=True) == "sun"
    assert pictogram_for(0, is_day=False) == "moon"
    assert pictogram_for(2, is_day=False) == "partly_night"
    assert {pictogram_for(c) for c in (45, 48)} == {"fog"}
    assert {pictogram_for(c) for c in (51, 53, 55, 56, 57)} == {"drizzle"}
    assert {pictogram_for(c) for c in (61, 63, 65, 66, 67)} == {"rain"}
    assert {pictogram_for(c) for c in (71, 73, 75, 77)} == {"snow"}
    assert {pictogram_for(c) for c in (80, 81, 82)} == {"showers"}
    assert {pictogram_for(c) for c in (85, 86)} == {"snow_showers"}
    assert {pictogram_for(c) for c in (95, 96, 99)} == {"thunder"}


def test_today_and_the_next_three_days_by_their_french_names() -> None:
    view = build_weather_view(report(WEDNESDAY - timedelta(minutes=10)), WEDNESDAY)
    assert view.available
    assert [d.name for d in view.days] == ["Aujourd'hui", "Demain", "Vendredi", "Samedi"]
    assert (view.days[0].high, view.days[0].low) == ("9°", "1°")
    assert view.current is not None and view.current.temperature == "8°"
    assert view.updated == ""  # fresh values: nothing to say
    assert view.location == "Lyon"


def test_old_values_say_how_old() -> None:
    view = build_weather_view(report(WEDNESDAY - timedelta(hours=2, minutes=5)), WEDNESDAY)
    assert view.updated == "mis à jour il y a 2 h"
    assert view.current is not None  # two hours old: still worth showing


def test_values_from_days_ago_drop_yesterday_and_the_current_temperature() -> None:
    fetched = WEDNESDAY - timedelta(days=2)
    view = build_weather_view(report(fetched), WEDNESDAY)
    assert view.current is None  # "8°" from Monday is not the temperature now
    assert [d.name for d in view.days] == ["Aujourd'hui", "Demain"]
    assert view.updated == "mis à jour il y a 2 jours"


def test_age_from_received_time_when_fetched_at_is_missing() -> None:
    raw = report(WEDNESDAY)
    del raw["fetched_at"]
    raw["age_seconds"] = 1800
    received = WEDNESDAY - timedelta(hours=3)
    view = build_weather_view(raw, WEDNESDAY, received_at=received)
    assert view.updated == "mis à jour il y a 3 h"


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=20), "mis à jour il y a 1 min"),
        (timedelta(minutes=75), "mis à jour il y a 1 h"),
        (timedelta(hours=23, minutes=59), "mis à jour il y a 23 h"),
        (timedelta(hours=30), "mis à jour hier"),
        (timedelta(days=5), "mis à jour il y a 5 jours"),
    ],
)
def test_age_words(age: timedelta, words: str) -> None:
    assert age_words(age) == words


@pytest.mark.parametrize("bad", [None, {}, {"current": "x"}, {"current": {"temperature": "8"}}, []])
def test_no_usable_report_is_a_friendly_message(bad: Any) -> None:
    view = build_weather_view(bad, WEDNESDAY)
    assert not view.available
    assert view.message == "Météo indisponible"
    assert view.current is None and view.days == ()


def test_malformed_days_are_skipped_not_fatal() -> None:
    raw = report(WEDNESDAY)
    raw["days"] = [{"date": "demain"}, "x", {"date": "2026-12-03", "code": True, "max": None}]
    view = build_weather_view(raw, WEDNESDAY)
    assert [(d.name, d.words, d.high) for d in view.days] == [("Demain", UNKNOWN_WORDS, "–")]


@pytest.mark.parametrize(
    ("value", "text"), [(7.5, "8°"), (-0.4, "0°"), (-2.5, "-3°"), (12.49, "12°"), (None, "–")]
)
def test_degrees_round_like_a_forecast(value: float | None, text: str) -> None:
    assert degrees(value) == text


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_weather_view(None, datetime(2026, 12, 2, 10, 0))


def test_a_glance_for_the_home_screen() -> None:
    assert glance(build_weather_view(report(WEDNESDAY), WEDNESDAY)) == "8°, pluie faible"
    assert glance(build_weather_view(report(WEDNESDAY - timedelta(days=2)), WEDNESDAY)) == ""
    assert glance(build_weather_view(None, WEDNESDAY)) == ""


def test_age_is_right_across_the_autumn_clock_change() -> None:
    # 02:30 CEST, then 02:30 CET one hour later: the same wall clock, one real hour.
    fetched = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    now = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)
    assert now - fetched == timedelta(hours=1)
    assert build_weather_view(report(fetched), now).updated == "mis à jour il y a 1 h"
