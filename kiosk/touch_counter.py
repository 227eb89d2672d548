"""What the tablet counts of its own use, for the signs of life: touches per local hour, and
how many times the app started today. Counts only, never what was touched.

`TouchCounter`: every press in the window (`MainWindow.touched`, which may fire several times
for one press as it travels up the widgets: presses closer than `SAME_PRESS` are one) adds one
to the count of the local hour it falls in (the beneficiary's zone; an hour that happens twice
in the autumn is two hours, told apart by their offsets). The status report carries the
completed hours with at least one touch (`completed`) until a report that carried them was
accepted (`acknowledge`). Kept in `touches.json` in the data directory (replaced whole,
`common.atomic_file`): at the end of each hour, at most once a minute while touched
(`save_if_due`), and when the app closes, so that a restart loses nothing but, after a power
cut, the last minute. At most MAX_HOURS hours are kept (two weeks), the oldest dropped first.

`StartLog`: the app's starts of the day in `starts.json` (`note_start` once per start).

No Qt, no network: the controller calls `touched` on the GUI thread; the status report reads
and acknowledges on its worker thread (a lock keeps them apart).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from common.atomic_file import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "touches.json"
STARTS_FILE = "starts.json"
FORMAT = 1
MAX_HOURS = 24 * 14  # what one status report may carry (docs/device-protocol.md)
SAME_PRESS = 0.08  # seconds: `touched` signals closer than this are one press
SAVE_EVERY = timedelta(minutes=1)

Hour = tuple[datetime, int]  # (aware start of a local hour, touches in it)


def hour_start(moment: datetime) -> datetime:
    """The start of the local hour holding `moment` (aware, in the zone it is given in)."""
    if moment.tzinfo is None:
        raise ValueError("an aware time is expected")
    # `replace` keeps the fold: 02:40 the second time on an autumn night starts at 02:00 the
    # second time (+01:00 in Paris), not the first.
    return moment.replace(minute=0, second=0, microsecond=0)


class TouchCounter:
    def __init__(
        self,
        data_dir: Path,
        clock: Callable[[], datetime],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = data_dir / FILE_NAME
        self._clock = clock
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last_press: float | None = None
        self._hours: dict[str, int] = {}  # ISO start of a local hour (with its offset) → count
        self._last_touch: datetime | None = None
        self._dirty = False
        self._saved_at: datetime | None = None
        self._load()

    # -- the GUI thread ----------------------------------------------------------------------
    def touched(self) -> None:
        """A press somewhere in the window (nothing of where or what)."""
        at = self._monotonic()
        if self._last_press is not None and 0 <= at - self._last_press < SAME_PRESS:
            return  # the same press, seen again on a parent widget
        self._last_press = at
        now = self._clock()
        key = hour_start(now).isoformat()
        with self._lock:
            previous = self._current_key()
            self._hours[key] = self._hours.get(key, 0) + 1
            self._last_touch = now
            self._dirty = True
            self._trim()
        if previous is not None and previous != key:
            self.save()  # an hour ended: it is kept at once

    def save_if_due(self) -> None:
        """Write the counts if they changed and the last write is a minute old (the
        controller's tick calls this once a second)."""
        now = self._clock()
        with self._lock:
            due = self._dirty and (self._saved_at is None or now - self._saved_at >= SAVE_EVERY)
        if due:
            self.save()

    def save(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            text = json.dumps(self._document(), separators=(",", ":"))
            self._dirty = False
            self._saved_at = self._clock()
        try:
            write_atomically(self.path, text.encode("utf-8"), mode=0o600)
        except OSError as exc:
            log.error("touch counts not kept on disk: %s", exc)
            with self._lock:
                self._dirty = True

    def wipe(self) -> None:
        with self._lock:
            self._hours = {}
            self._last_touch = None
            self._dirty = False
        self.path.unlink(missing_ok=True)

    # -- the status report (its worker thread) -----------------------------------------------
    def last_touch(self) -> datetime | None:
        with self._lock:
            return self._last_touch

    def completed(self, now: datetime | None = None) -> list[Hour]:
        """The hours over by `now` with at least one touch, oldest first, at most MAX_HOURS."""
        now = now or self._clock()
        with self._lock:
            items = list(self._hours.items())
        hours = []
        for key, count in items:
            start = datetime.fromisoformat(key)
            if count > 0 and start + timedelta(hours=1) <= now:
                hours.append((start, count))
        hours.sort(key=lambda h: h[0])
        return hours[-MAX_HOURS:]

    def acknowledge(self, sent: Iterable[Hour]) -> None:
        """A report carrying `sent` was accepted: those hours are forgotten (unless their count
        grew since, a clock put back: then the larger count goes in the next report)."""
        changed = False
        with self._lock:
            for start, count in sent:
                key = start.isoformat()
                if self._hours.get(key) == count:
                    del self._hours[key]
                    changed = True
            if changed:
                self._dirty = True
        if changed:
            self.save()

    # -- on disk -----------------------------------------------------------------------------
    def _current_key(self) -> str | None:
        """The hour the latest touch went to (the caller holds the lock)."""
        if self._last_touch is None:
            return None
        return hour_start(self._last_touch).isoformat()

    def _trim(self) -> None:
        if len(self._hours) <= MAX_HOURS + 1:  # two weeks of completed hours and the current
            return
        ordered = sorted(self._hours, key=datetime.fromisoformat)
        for key in ordered[: len(self._hours) - MAX_HOURS - 1]:
            del self._hours[key]

    def _document(self) -> dict[str, object]:
        last = self._last_touch.isoformat() if self._last_touch is not None else None
        return {"format": FORMAT, "hours": dict(self._hours), "last_touch": last}

    def _load(self) -> None:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            hours = {}
            for key, count in dict(saved["hours"]).items():
                start = datetime.fromisoformat(key)
                if start.tzinfo is None or not isinstance(count, int) or count < 0:
                    raise ValueError(f"bad hour {key!r}")
                hours[start.isoformat()] = count
            last = saved.get("last_touch")
            last_touch = datetime.fromisoformat(last) if isinstance(last, str) else None
            if last_touch is not None and last_touch.tzinfo is None:
                last_touch = None
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("touch counts unreadable (%s); starting afresh", exc)
            return
        self._hours = hours
        self._last_touch = last_touch
        self._trim()


class StartLog:
    """How many times the app started on the beneficiary's current day (`starts.json`)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STARTS_FILE

    def note_start(self, today: date) -> int:
        """One more start today; returns today's count (1 for the first)."""
        count = self.count(today) + 1
        text = json.dumps({"day": today.isoformat(), "count": count})
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as exc:
            log.error("start count not kept on disk: %s", exc)
        return count

    def count(self, today: date) -> int:
        """Starts on `today` recorded so far (0 after midnight)."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            day = date.fromisoformat(saved["day"])
            count = saved["count"]
        except FileNotFoundError:
            return 0
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("start count unreadable (%s); counting afresh", exc)
            return 0
        if day != today or not isinstance(count, int) or count < 0:
            return 0
        return count

    def wipe(self) -> None:
        self.path.unlink(missing_ok=True)
