"""The last good weather report, kept on the tablet (data_dir/weather.json) across restarts.

Written by the weather service after each fetch; read by it before its first fetch, and by the
weather feature when the tablet starts, so that home's first picture already says "7°,
couvert" (this module needs neither the scheduler nor the HTTP library).
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from common.atomic_file import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "weather.json"


def read(path: Path) -> tuple[dict[str, Any], datetime] | None:
    """(report, received_at) as last saved; None when there is none or it is unreadable."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        report = saved["report"]
        received = datetime.fromisoformat(saved["received_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("weather: saved report unreadable (%s); ignored", exc)
        return None
    if not isinstance(report, dict) or received.tzinfo is None:
        return None
    return report, received


def write(path: Path, report: dict[str, Any], received: datetime) -> None:
    """Atomically (common.atomic_file); a full disk keeps the report in memory only."""
    text = json.dumps({"report": report, "received_at": received.isoformat()}, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
    except OSError as exc:  # a full or read-only disk: the value stays in memory
        log.warning("weather: cannot save the report (%s)", exc)


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
