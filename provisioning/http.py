"""The tablet's HTTP session: one place for timeouts and the User-Agent."""

from __future__ import annotations

import requests

from common.version import __version__

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = f"foyer-kiosk/{__version__}"
    return session
