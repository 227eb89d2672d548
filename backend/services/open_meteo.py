"""Asking Open-Meteo, for the forecast (`weather`) and for places (`geocoding`): one bounded
download, so that a slow, trickling or huge answer never holds a worker or its memory."""

from __future__ import annotations

import time

import requests

# (connect, read) seconds; the whole download is also capped at their sum. A care manager may
# be waiting in front of a form, a tablet behind its long-poll.
TIMEOUT: tuple[float, float] = (3.0, 5.0)
# An answer for one place is a few kilobytes at most; refuse anything absurdly large.
MAX_BODY_BYTES = 1_000_000
_HEADERS = {"Accept": "application/json", "User-Agent": "Foyer (home tablet)"}


class FetchError(Exception):
    """Open-Meteo could not give an answer; the message says why, in French (for logs and the
    weather's last_error)."""


def download(url: str) -> tuple[int, bytes]:
    """(HTTP status, body) of a GET; FetchError when unreachable, too slow or too large."""
    connect, read = TIMEOUT
    deadline = time.monotonic() + connect + read
    try:
        with requests.get(url, timeout=(connect, read), stream=True, headers=_HEADERS) as answer:
            body = bytearray()
            for chunk in answer.iter_content(16384):
                body.extend(chunk)
                if len(body) > MAX_BODY_BYTES:
                    raise FetchError("réponse trop volumineuse")
                if time.monotonic() > deadline:  # a server trickling bytes
                    raise FetchError("délai dépassé")
            return answer.status_code, bytes(body)
    except requests.Timeout as exc:
        raise FetchError("délai dépassé") from exc
    except requests.RequestException as exc:
        raise FetchError(f"injoignable ({type(exc).__name__})") from exc
