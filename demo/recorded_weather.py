"""The demo's weather when Open-Meteo cannot be reached (no network, a closed CI machine).

`open_meteo_lyon.json` is an answer of Open-Meteo's forecast API recorded for Lyon, in its own
shape. When the public service does not answer, `foyer-demo` starts this tiny server on
loopback and gives its address to the backend (`foyer-backend serve --open-meteo-url`), so
that a new user sees the whole home, weather included. The recorded days are moved to today
in the asked time zone, and the current hour to now: the forecast is old, the dates are not.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

PUBLIC_URL = "https://api.open-meteo.com/v1/forecast"
PATH = "/v1/forecast"


def recorded() -> dict[str, Any]:
    text = resources.files("demo").joinpath("open_meteo_lyon.json").read_text(encoding="utf-8")
    answer: dict[str, Any] = json.loads(text)
    return answer


def answer_for(zone_name: str, now: datetime | None = None) -> dict[str, Any]:
    """The recorded answer with its days starting today in `zone_name`."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Paris")
    local = (now or datetime.now(zone)).astimezone(zone)
    answer = recorded()
    days = answer["daily"]["time"]
    answer["daily"]["time"] = [
        (local.date() + timedelta(days=i)).isoformat() for i in range(len(days))
    ]
    answer["current"]["time"] = local.replace(minute=local.minute // 15 * 15).strftime(
        "%Y-%m-%dT%H:%M"
    )
    answer["timezone"] = zone_name
    return answer


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != PATH:
            self.send_error(404)
            return
        zone = parse_qs(parts.query).get("timezone", ["Europe/Paris"])[0]
        body = json.dumps(answer_for(zone)).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the backend's log says when it asked


class RecordedWeather:
    """The recorded answer served on 127.0.0.1 on a free port, until `close()`."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def reachable(url: str = PUBLIC_URL, timeout: float = 2.0) -> bool:
    """Whether Open-Meteo answers at all (any HTTP answer counts; no answer in time does not)."""
    try:
        requests.get(url, params={"latitude": "45.76", "longitude": "4.84"}, timeout=timeout)
    except requests.RequestException:
        return False
    return True
