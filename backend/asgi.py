"""Entry point for uvicorn worker processes: settings come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from backend.app import create_app
from backend.config import Settings

app = create_app(
    Settings.for_data_dir(
        Path(os.environ["FOYER_DATA"]),
        os.environ.get("FOYER_DATABASE_URL"),
        os.environ.get("FOYER_PUBLIC_URL"),
        os.environ.get("FOYER_OPEN_METEO_URL"),
        database_connections=int(os.environ.get("FOYER_DATABASE_CONNECTIONS", "0")) or None,
        workers=int(os.environ.get("FOYER_WORKERS", "1")),
        geocoding_url=os.environ.get("FOYER_GEOCODING_URL"),
    ),
    migrate=False,
)
