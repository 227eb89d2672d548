"""May the tablet update now? Pure decisions, no Qt, no clock of its own, no disk.

The backend offers at most one update per tablet through sync (kind "updates", docs/updates.md):
a version, its file's size, SHA-256 and signature, where to download it, and the quiet hours
the care manager chose ("Pas de mise à jour entre 8 h et 12 h"). The tablet asks the updater
(appliance/update_agent.py, as root) to install it only when

- the offered version differs from the one running,
- nobody is using it for something that a restart would break: a call (ringing or under way)
  or a professional's session (their screen, or the technician's maintenance screen),
- and it is outside the quiet hours, read on the beneficiary's wall clock: 21:00–08:00 wraps
  midnight, and on the days the clocks change the hours stay the local ones (the check is made
  on `now` converted to the beneficiary's zone, never on a fixed UTC offset).

The updater restarts the tablet (about ten seconds of a blank screen): these rules keep that
out of a conversation and out of the hours the family asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

KIND = "updates"
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# As appliance/update.py names slots; anything else is refused here already.
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$")


@dataclass(frozen=True)
class Target:
    """The update sync offers this tablet, as received (validated)."""

    rollout_id: int
    version: str
    filename: str
    size: int
    sha256: str
    signature: str
    download: str  # a path on the backend, /api/v1/device/releases/<id>/file
    quiet_hours: tuple[str, str] | None

    def as_request(self, backend_url: str) -> dict[str, Any]:
        """What the tablet hands the updater (<data>/update-request.json)."""
        return {
            "rollout_id": self.rollout_id,
            "version": self.version,
            "filename": self.filename,
            "size": self.size,
            "sha256": self.sha256,
            "signature": self.signature,
            "download": self.download,
            "quiet_hours": list(self.quiet_hours) if self.quiet_hours else None,
            "backend_url": backend_url.rstrip("/"),
        }


def parse_hhmm(text: object) -> time | None:
    if not isinstance(text, str):
        return None
    match = _HHMM.match(text)
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def parse_target(record: object) -> Target | None:
    """A Target from one synced record, or None when it is not a usable one (a record the
    backend should never send: nothing is installed from it)."""
    if not isinstance(record, dict):
        return None
    try:
        rollout_id = record["rollout_id"]
        version = record["version"]
        filename = record["filename"]
        size = record["size"]
        sha256 = record["sha256"]
        signature = record["signature"]
        download = record["download"]
    except KeyError:
        return None
    if not (isinstance(rollout_id, int) and isinstance(size, int)) or size <= 0:
        return None
    if isinstance(rollout_id, bool) or isinstance(size, bool):
        return None
    texts = (version, filename, sha256, signature, download)
    if not all(isinstance(t, str) for t in texts):
        return None
    if not (_VERSION.match(version) and _FILENAME.match(filename) and _SHA256.match(sha256)):
        return None
    if not download.startswith("/") or download.startswith("//"):
        return None  # a path on the tablet's own backend, never another host
    quiet = record.get("quiet_hours")
    hours: tuple[str, str] | None = None
    if quiet is not None:
        if not (isinstance(quiet, list | tuple) and len(quiet) == 2):
            return None
        start, end = quiet
        if parse_hhmm(start) is None or parse_hhmm(end) is None:
            return None
        hours = (str(start), str(end))
    return Target(rollout_id, version, filename, size, sha256, signature, download, hours)


def target_of(records: Iterable[dict[str, Any]]) -> Target | None:
    """The offer among the synced "updates" records (at most one is sent: the asking device's).
    Several, by a backend's mistake: the newest rollout."""
    targets = [t for t in (parse_target(r) for r in records) if t is not None]
    return max(targets, key=lambda t: t.rollout_id) if targets else None


def in_quiet_hours(now: datetime, quiet_hours: tuple[str, str] | None, tz: ZoneInfo) -> bool:
    """Whether `now` (aware) falls in [start, end) on the beneficiary's wall clock. The window
    may wrap midnight (21:00–08:00); start == end means no quiet hours."""
    if quiet_hours is None:
        return False
    start, end = parse_hhmm(quiet_hours[0]), parse_hhmm(quiet_hours[1])
    if start is None or end is None:
        raise ValueError(f"quiet hours {quiet_hours!r} are not HH:MM")
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    at = now.astimezone(tz).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


class Verdict(Enum):
    UPDATE = "update"
    NO_TARGET = "no_target"  # nothing offered (or the rollout was paused / halted)
    UP_TO_DATE = "up_to_date"  # the offered version is the one running
    HANDLED = "handled"  # the updater already installed, rolled back or refused this offer here
    BUSY = "busy"  # a call or a professional's session
    QUIET_HOURS = "quiet_hours"


def decide(
    target: Target | None,
    running_version: str,
    *,
    busy: bool,
    now: datetime,
    tz: ZoneInfo,
    handled: Iterable[tuple[int, str]] = (),
) -> Verdict:
    """Whether to ask the updater for `target` now. `handled`: (rollout id, version) pairs the
    updater installed, rolled back or refused on this tablet (`handled_offers`). They are not
    asked for again: a tablet that rolled back would otherwise restart into the bad version
    every few minutes, and one whose release names its version wrongly would ask forever."""
    if target is None:
        return Verdict.NO_TARGET
    if target.version == running_version:
        return Verdict.UP_TO_DATE
    if (target.rollout_id, target.version) in set(handled):
        return Verdict.HANDLED
    if busy:
        return Verdict.BUSY
    if in_quiet_hours(now, target.quiet_hours, tz):
        return Verdict.QUIET_HOURS
    return Verdict.UPDATE


# -- the files between the tablet (user foyer) and the updater (root), in <data> -------------
REQUEST_FILE = "update-request.json"  # written by the tablet; the updater's path unit watches it
BUSY_FILE = "busy"  # present while a call or a professional's session goes on
OUTCOME_FILE = "update-outcome.json"  # written by the updater: the last outcomes, for the tablet
# The tablet writes the busy file again this often while busy; the updater takes a busy file
# older than BUSY_STALE_SECONDS for one a dead tablet left behind (the tablet removes it at
# start, but one that cannot start must still be updatable: an update may be its repair).
BUSY_REFRESH_SECONDS = 60
BUSY_STALE_SECONDS = 300


OUTCOMES = ("installed", "rolled_back", "failed")


def handled_offers(outcomes: object) -> set[tuple[int, str]]:
    """(rollout id, version) of every offer the updater's outcome file names (installed,
    rolled back or refused here)."""
    found: set[tuple[int, str]] = set()
    if not isinstance(outcomes, dict) or not isinstance(outcomes.get("outcomes"), list):
        return found
    for item in outcomes["outcomes"]:
        if not isinstance(item, dict) or item.get("outcome") not in OUTCOMES:
            continue
        rollout_id, version = item.get("rollout_id"), item.get("version")
        if isinstance(rollout_id, int) and isinstance(version, str):
            found.add((rollout_id, version))
    return found
