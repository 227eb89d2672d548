"""What was answered on this tablet to its reminders, kept across a restart and a power cut.

One small JSON file in the tablet's data directory (`reminder_record.json`), replaced whole
with `common.atomic_file` (flushed to the disk, then renamed: a power cut leaves the record
before the tap or after it, never half of one). One line per occurrence answered: "C'est fait"
(done), "D'accord" (seen) or "Plus tard" (put off until a time), by the reminder's id and the
occurrence's due instant in UTC.

Small by construction: only occurrences due in the last KEEP days are kept (today's list and
the longest window still open need less), and at most MAX_MARKS of them. An unreadable file
is logged and started afresh: the cards then ask again, which is safer than not asking. The
feature's `wipe()` deletes it (revoked or re-paired tablet).

No Qt: `kiosk.features.reminders` calls it on the GUI thread at a tap (one small write).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common.atomic_file import write_atomically
from kiosk.reminders_view import Key, Mark, MarkState, key_of

log = logging.getLogger(__name__)

FILE_NAME = "reminder_record.json"
FORMAT = 1
KEEP = timedelta(days=3)
MAX_MARKS = 5000  # 100 reminders × 12 a day × 3 days is 3,600


class ReminderRecord:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._marks: dict[Key, Mark] = self._load()

    @property
    def marks(self) -> Mapping[Key, Mark]:
        return self._marks

    def get(self, reminder_id: int, due_at: datetime) -> Mark | None:
        return self._marks.get(key_of(reminder_id, due_at))

    def is_final(self, reminder_id: int, due_at: datetime) -> bool:
        """Whether the occurrence was confirmed or seen here: nothing more to ask or send."""
        mark = self.get(reminder_id, due_at)
        return mark is not None and mark.state in (MarkState.DONE, MarkState.SEEN)

    def note(self, reminder_id: int, due_at: datetime, mark: Mark, now: datetime) -> bool:
        """Record an answer, durably on return. A final answer ("C'est fait", "D'accord") is
        never replaced: False then, and nothing is written. True when recorded (even if the
        disk refused: the answer holds until the app closes, and the failure is logged)."""
        key = key_of(reminder_id, due_at)
        if self.is_final(*key):
            return False
        self._marks[key] = mark
        self._prune(now)
        self._save()
        return True

    def wipe(self) -> None:
        self._marks = {}
        self.path.unlink(missing_ok=True)

    # -- on disk -----------------------------------------------------------------------------
    def _prune(self, now: datetime) -> None:
        oldest = now - KEEP
        kept = {k: m for k, m in self._marks.items() if k[1] >= oldest}
        if len(kept) > MAX_MARKS:
            newest = sorted(kept, key=lambda k: k[1])[-MAX_MARKS:]
            kept = {k: kept[k] for k in newest}
        self._marks = kept

    def _save(self) -> None:
        lines = [
            {
                "reminder_id": reminder_id,
                "due_at": due_at.isoformat(),
                "state": mark.state.value,
                "at": mark.at.isoformat(),
                "until": None if mark.until is None else mark.until.isoformat(),
            }
            for (reminder_id, due_at), mark in sorted(self._marks.items())
        ]
        text = json.dumps({"format": FORMAT, "marks": lines}, separators=(",", ":"))
        try:
            write_atomically(self.path, text.encode("utf-8"))
        except OSError as exc:
            log.error("could not keep the reminders' record: %s", exc)

    def _load(self) -> dict[Key, Mark]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            lines = saved["marks"]
            if not isinstance(lines, list):
                raise TypeError("marks is not a list")
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("reminders' record unreadable (%s); starting afresh", exc)
            return {}
        marks: dict[Key, Mark] = {}
        for line in lines[-MAX_MARKS:]:
            try:
                key, mark = _parse(line)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("reminders' record: a line skipped (%s)", exc)
                continue
            marks[key] = mark
        return marks


def _aware(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"not an aware time: {text!r}")
    return moment


def _parse(line: Any) -> tuple[Key, Mark]:
    if not isinstance(line, dict):
        raise TypeError("not an object")
    reminder_id = line["reminder_id"]
    if not isinstance(reminder_id, int) or isinstance(reminder_id, bool):
        raise TypeError("reminder_id is not an integer")
    until = line.get("until")
    mark = Mark(
        MarkState(line["state"]),
        _aware(line["at"]),
        None if until is None else _aware(until),
    )
    return (reminder_id, _aware(line["due_at"]).astimezone(UTC)), mark
