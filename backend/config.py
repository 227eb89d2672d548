"""Where the backend keeps its data and how it is reached, decided once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    # The address people type or scan: shown on the tablet as the verification URI.
    public_url: str = "http://127.0.0.1:8000"
    # Pairing (RFC 8628): how long a code lives and how often the tablet may poll.
    pairing_code_ttl_seconds: int = 600
    pairing_poll_interval_seconds: int = 5
    # §5.1: wrong user codes a care manager may type in a window before 429.
    pairing_max_wrong_codes: int = 5
    pairing_wrong_code_window_seconds: int = 900
    access_token_ttl_seconds: int = 12 * 3600
    # Longest a sync request may wait for a change (the tablet asks for less).
    max_sync_wait_seconds: float = 30.0
    # Weather: Open-Meteo's forecast API (tests point this at a local fake server).
    open_meteo_url: str = "https://api.open-meteo.com/v1/forecast"
    weather_ttl_seconds: int = 1800
    # Geocoding: Open-Meteo's search by town name (a town typed in the console becomes the
    # coordinates the weather needs); answers are kept a month in the database.
    geocoding_url: str = "https://geocoding-api.open-meteo.com/v1/search"
    geocoding_ttl_seconds: int = 30 * 24 * 3600
    # Photos: the largest upload accepted, and where processed files are kept.
    photo_max_bytes: int = 25 * 1024 * 1024
    # Invitations into a circle stay valid this long.
    invitation_ttl_seconds: int = 14 * 24 * 3600
    # PostgreSQL: the most connections all workers together open (backend.db.pool_for), and
    # how many uvicorn worker processes share them.
    database_connections: int = 60
    workers: int = 1

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @classmethod
    def for_data_dir(
        cls,
        data_dir: Path,
        database_url: str | None = None,
        public_url: str | None = None,
        open_meteo_url: str | None = None,
        *,
        geocoding_url: str | None = None,
        database_connections: int | None = None,
        workers: int = 1,
    ) -> Settings:
        data_dir = data_dir.expanduser().resolve()
        url = database_url or f"sqlite:///{data_dir / 'foyer.sqlite3'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            public_url=(public_url or cls.public_url).rstrip("/"),
            open_meteo_url=open_meteo_url or cls.open_meteo_url,
            geocoding_url=geocoding_url or cls.geocoding_url,
            database_connections=database_connections or cls.database_connections,
            workers=workers,
        )
