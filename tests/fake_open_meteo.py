"""A local stand-in for Open-Meteo's forecast API: a real HTTP server on 127.0.0.1.

    with FakeOpenMeteo() as fake:
        settings.open_meteo_url = fake.url      # http://127.0.0.1:<port>/v1/forecast
        ...
        fake.mode = "down"                      # connection refused from now on
        assert fake.requests[-1]["latitude"] == "48.86"

Modes: "normal" (Open-Meteo's response shape: every top-level field, `current` +
`current_units`, `daily` + `daily_units` as parallel arrays), "down" (the port stops
listening: connection refused), "slow" (waits `slow_seconds`, longer than the client's read
timeout, before answering), "429" (over the free limits, with Open-Meteo's error JSON), "400"
(`{"error": true, "reason": …}`), "500", "malformed" (HTTP 200 with a truncated JSON body).

The same server answers Open-Meteo's geocoding search (`geocoding_url`,
http://127.0.0.1:<port>/v1/search?name=…&count=…&language=fr&format=json) from `places`: the
name searched (case and accents as typed, compared case-insensitively) to the results, in
Open-Meteo's shape (`results[]` with id, name, latitude, longitude, elevation, feature_code,
country_code, country, admin1, admin2, timezone, population, postcodes…; no `results` key at
all when nothing matches). The modes apply to both paths.

Every request that reaches the server is recorded (`requests`: the query, each parameter to
its value; `paths`). `tamper` may rewrite the normal answer (to test shape checks).
Usable from unit, API and end-to-end tests alike (the backend process only needs the URL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

MODES = ("normal", "down", "slow", "429", "400", "500", "malformed")
PATH = "/v1/forecast"
GEOCODING_PATH = "/v1/search"


def place(
    id: int,
    name: str,
    latitude: float,
    longitude: float,
    *,
    admin1: str,
    admin2: str = "",
    postcodes: tuple[str, ...] = (),
    timezone: str = "Europe/Paris",
    country: str = "France",
    country_code: str = "FR",
    population: int = 0,
) -> dict[str, Any]:
    """One geocoding result as Open-Meteo gives it (GeoNames data)."""
    result: dict[str, Any] = {
        "id": id,
        "name": name,
        "latitude": latitude,
        "longitude": longitude,
        "elevation": 35.0,
        "feature_code": "PPLA3",
        "country_code": country_code,
        "admin1_id": 3012874,
        "timezone": timezone,
        "population": population,
        "postcodes": list(postcodes),
        "country_id": 3017382,
        "country": country,
        "admin1": admin1,
    }
    if admin2:
        result["admin2_id"] = 2975246
        result["admin2"] = admin2
    return result


# What the fake knows by default: one Lyon, two Saint-Denis (Open-Meteo's order: the most
# populous first), nothing else.
DEFAULT_PLACES: dict[str, list[dict[str, Any]]] = {
    "lyon": [
        place(2996944, "Lyon", 45.74846, 4.84671, admin1="Auvergne-Rhône-Alpes",
              admin2="Rhône", postcodes=("69001", "69003"), population=472317),
    ],
    "saint-denis": [
        place(935264, "Saint-Denis", -20.88231, 55.4504, admin1="La Réunion",
              admin2="La Réunion", postcodes=("97400",), timezone="Indian/Reunion",
              population=137195),
        place(2980916, "Saint-Denis", 48.93564, 2.35387, admin1="Île-de-France",
              admin2="Seine-Saint-Denis", postcodes=("93200",), population=106785),
    ],
}  # fmt: skip
RATE_LIMITED = "Minutely API request limit exceeded. Please try again in one minute."


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a "slow" answer still sleeping must not hold up stop()
    fake: FakeOpenMeteo


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self.server.fake._answer(self)


class FakeOpenMeteo:
    """Open-Meteo on loopback; `mode` switches its behaviour at any time (thread-safe)."""

    timezone_abbreviations: ClassVar[dict[str, str]] = {"Europe/Paris": "CET", "UTC": "GMT"}

    def __init__(self, *, slow_seconds: float = 6.0) -> None:
        self.slow_seconds = slow_seconds
        self.current_temperature: float = 7.4
        self.current_code = 3
        self.is_day = 1
        # One (weather_code, max, min) per day, from today in the requested time zone.
        self.daily: list[tuple[int, float, float]] = [
            (61, 9.8, 4.1),
            (0, 11.2, 2.5),
            (95, 14.0, 8.3),
            (73, 1.5, -3.2),
        ]
        self.today: date | None = None  # None: today in the requested time zone
        self.tamper: Callable[[dict[str, Any]], Any] | None = None
        # Geocoding: the name searched, lower-cased, to Open-Meteo's results.
        self.places: dict[str, list[dict[str, Any]]] = {
            k: list(v) for k, v in DEFAULT_PLACES.items()
        }
        self.requests: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._mode = "normal"
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends the "slow" waits at stop()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> FakeOpenMeteo:
        self._release.clear()
        self._listen()
        return self

    def stop(self) -> None:
        self._release.set()
        self._close()

    def __enter__(self) -> FakeOpenMeteo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    @property
    def geocoding_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{GEOCODING_PATH}"

    @property
    def hits(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        with self._lock:
            self._mode = mode
        if mode == "down":
            self._close()
        elif self._server is None:
            self._listen()

    def _listen(self) -> None:
        # HTTPServer sets SO_REUSEADDR: the same port can be taken again after "down".
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.fake = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def _close(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(5)

    # --- answers ---------------------------------------------------------------------------

    def _answer(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append(query)
            self.paths.append(parts.path)
            mode = self._mode
        if parts.path not in (PATH, GEOCODING_PATH):
            self._send(handler, 404, b'{"error":true,"reason":"Not Found"}')
        elif parts.path == GEOCODING_PATH and mode in ("normal", "slow"):
            if mode == "slow":
                self._release.wait(self.slow_seconds)
            self._send(handler, 200, self._json(self.search(query)))
        elif mode == "slow":
            self._release.wait(self.slow_seconds)
            self._send(handler, 200, self._json(self.forecast(query)))
        elif mode == "429":
            self._send(handler, 429, self._json({"error": True, "reason": RATE_LIMITED}))
        elif mode == "400":
            reason = "Cannot initialize WeatherVariable from invalid String value tempeature_2m."
            self._send(handler, 400, self._json({"error": True, "reason": reason}))
        elif mode == "500":
            self._send(handler, 500, b"Internal Server Error", "text/plain")
        elif mode == "malformed":
            whole = self.search(query) if parts.path == GEOCODING_PATH else self.forecast(query)
            self._send(handler, 200, self._json(whole)[:57])
        elif "latitude" not in query or "longitude" not in query:
            reason = "Parameter 'latitude' and 'longitude' must have the same number of elements"
            self._send(handler, 400, self._json({"error": True, "reason": reason}))
        else:
            self._send(handler, 200, self._json(self.forecast(query)))

    @staticmethod
    def _json(data: Any) -> bytes:
        return json.dumps(data).encode()

    @staticmethod
    def _send(
        handler: _Handler, status: int, body: bytes, content_type: str = "application/json"
    ) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", f"{content_type}; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer to

    def search(self, query: dict[str, str]) -> Any:
        """The geocoding answer: `results` only when something matches (as Open-Meteo)."""
        found = self.places.get(query.get("name", "").strip().casefold(), [])
        body: dict[str, Any] = {"generationtime_ms": 0.7770061}
        if found:
            body["results"] = found[: int(query.get("count", "10"))]
        return self.tamper(body) if self.tamper is not None else body

    def forecast(self, query: dict[str, str]) -> Any:
        """The answer Open-Meteo gives for this query (the fields Foyer asks for)."""
        tz_name = query.get("timezone", "GMT")
        zone = ZoneInfo("UTC" if tz_name in ("GMT", "auto") else tz_name)
        local = datetime.now(UTC).astimezone(zone)
        today = self.today or local.date()
        current_time = local.replace(minute=local.minute - local.minute % 15, tzinfo=None)
        days = [today + timedelta(days=i) for i in range(len(self.daily))]
        offset = local.utcoffset() or timedelta(0)
        body: dict[str, Any] = {
            "latitude": float(query["latitude"]),
            "longitude": float(query["longitude"]),
            "generationtime_ms": 0.0489950180053711,
            "utc_offset_seconds": int(offset.total_seconds()),
            "timezone": tz_name,
            "timezone_abbreviation": self.timezone_abbreviations.get(tz_name, "GMT"),
            "elevation": 38.0,
            "current_units": {
                "time": "iso8601",
                "interval": "seconds",
                "temperature_2m": "°C",
                "weather_code": "wmo code",
                "is_day": "",
            },
            "current": {
                "time": current_time.strftime("%Y-%m-%dT%H:%M"),
                "interval": 900,
                "temperature_2m": self.current_temperature,
                "weather_code": self.current_code,
                "is_day": self.is_day,
            },
            "daily_units": {
                "time": "iso8601",
                "weather_code": "wmo code",
                "temperature_2m_max": "°C",
                "temperature_2m_min": "°C",
            },
            "daily": {
                "time": [d.isoformat() for d in days],
                "weather_code": [code for code, _, _ in self.daily],
                "temperature_2m_max": [high for _, high, _ in self.daily],
                "temperature_2m_min": [low for _, _, low in self.daily],
            },
        }
        return self.tamper(body) if self.tamper is not None else body


if __name__ == "__main__":  # python -m tests.fake_open_meteo: run it by hand, Ctrl-C to stop
    import time

    with FakeOpenMeteo() as fake:
        print(fake.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
