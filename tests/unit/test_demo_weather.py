"""The demo's recorded Open-Meteo answer: in Open-Meteo's shape (the backend reads it as it
reads the real one), with its days moved to today in the asked zone, served on loopback."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import requests

from backend.services.weather import FORECAST_DAYS, normalize
from demo.recorded_weather import PATH, RecordedWeather, answer_for

NIGHT_IN_PARIS = datetime(2026, 12, 4, 23, 50, tzinfo=ZoneInfo("Europe/Paris"))


def test_the_recorded_answer_reads_as_open_meteo_and_starts_today() -> None:
    core = normalize(answer_for("Europe/Paris", NIGHT_IN_PARIS))
    assert [d["date"] for d in core["days"]] == [
        "2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"
    ][:FORECAST_DAYS]  # fmt: skip
    assert core["current"]["temperature"] == 7.6
    # Already the 5th in Auckland: its days start there.
    auckland = normalize(answer_for("Pacific/Auckland", NIGHT_IN_PARIS))
    assert auckland["days"][0]["date"] == date(2026, 12, 5).isoformat()


def test_served_on_loopback_as_the_backend_asks_for_it() -> None:
    server = RecordedWeather()
    try:
        assert server.url.endswith(PATH)
        answer = requests.get(server.url, params={"timezone": "Europe/Paris"}, timeout=5)
        assert answer.status_code == 200
        assert len(normalize(answer.json())["days"]) == FORECAST_DAYS
        assert requests.get(server.url.replace(PATH, "/other"), timeout=5).status_code == 404
    finally:
        server.close()
