"""Updates with automatic rollback: A/B slots of whole virtual environments.

Layout under the install root (`/opt/foyer` on the appliance)::

    slots/0.1.0/     a complete venv (bin/foyer-kiosk, bin/foyer-backend, bin/foyer)
    slots/0.2.0/
    current  -> slots/0.2.0      what the units run (/opt/foyer/current/bin/…)
    previous -> slots/0.1.0      where a rollback goes

A new version is installed into a slot of its own, at its final path (a venv's scripts name
their interpreter by absolute path, so a venv cannot be moved after it is built). `current`
is then switched with one rename of a new symlink over the old one, which is atomic: a power
cut leaves either version, never a mix. The services restart on it and must pass a health
check — for the tablet, `systemctl restart` returns only once it has sent READY=1 (first
screen painted), and it must still be running without a watchdog restart a little later;
for the backend, `/healthz` answers. When the check fails, `current` goes back to the
previous slot and the services restart on it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from common.atomic_file import fsync_dir, write_atomically

log = logging.getLogger(__name__)

SLOTS = "slots"
CURRENT = "current"
PREVIOUS = "previous"
COMPLETE_MARK = ".foyer-slot-complete"
LOCK = ".update.lock"
SYSTEMCTL = "/usr/bin/systemctl"  # Debian (merged /usr): never whatever PATH finds first
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")

Installer = Callable[[Path, str], None]  # (slot directory, source) → a complete slot or raises
Restart = Callable[[], None]
HealthCheck = Callable[[], bool]


class UpdateError(RuntimeError):
    pass


class UpdateLocked(UpdateError):
    """Another update (or rollback) holds the install root: nothing wrong, try later."""


@dataclass(frozen=True)
class UpdateResult:
    version: str  # what runs now
    rolled_back: bool
    previous: str | None


def slot_path(root: Path, version: str) -> Path:
    if not _VERSION.match(version):
        raise UpdateError(f"version name {version!r} is not allowed (letters, digits, . _ + -)")
    return root / SLOTS / version


def _link_version(root: Path, name: str) -> str | None:
    try:
        target = os.readlink(root / name)
    except OSError:
        return None
    return Path(target).name


def current_version(root: Path) -> str | None:
    return _link_version(root, CURRENT)


def previous_version(root: Path) -> str | None:
    return _link_version(root, PREVIOUS)


def point(root: Path, name: str, version: str) -> None:
    """Make `root/name` point at the slot, atomically (new link, then rename over the old)."""
    if not (slot_path(root, version) / COMPLETE_MARK).exists():
        raise UpdateError(f"slot {version} is not a complete installation")
    tmp = root / f".{name}.new"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    # Relative, so the tree stays right when seen from a chroot or an image mount.
    os.symlink(f"{SLOTS}/{version}", tmp)
    os.replace(tmp, root / name)
    fsync_dir(root)


def pip_installer(python: str = sys.executable, pip_args: Sequence[str] = ()) -> Installer:
    """A venv built at the slot's path, then `pip install SOURCE[tablet]` (a wheel or a source
    tree, with the tablet's install set only; `pip_args` e.g. `--no-index --find-links DIR` for a
    wheelhouse carried on a USB stick)."""

    def install(slot: Path, source: str) -> None:
        pip = [str(slot / "bin" / "python"), "-m", "pip", "install", "--no-cache-dir"]
        for argv in ([python, "-m", "venv", str(slot)], [*pip, *pip_args, f"{source}[tablet]"]):
            done = subprocess.run(argv, capture_output=True, text=True, timeout=1800, check=False)
            if done.returncode != 0:
                raise UpdateError(f"{argv[0]} failed: {done.stderr.strip()[-500:]}")

    return install


def install_slot(root: Path, version: str, source: str, installer: Installer) -> Path:
    slot = slot_path(root, version)
    if (slot / COMPLETE_MARK).exists():
        return slot
    if version in (current_version(root), previous_version(root)):
        raise UpdateError(f"slot {version} is in use but incomplete: refusing to touch it")
    if slot.exists():  # an interrupted attempt
        remove_slot(slot)
    slot.parent.mkdir(parents=True, exist_ok=True)
    try:
        installer(slot, source)
    except Exception:
        remove_slot(slot)
        raise
    # The mark says "every file of this slot is on the disk": so the files first (pip wrote
    # thousands; one sync of them all, the appliance has nothing else writing much), then the
    # mark itself and its directory entry. A power cut never leaves the mark on half a slot.
    os.sync()
    write_atomically(slot / COMPLETE_MARK, (version + "\n").encode())
    return slot


def remove_slot(slot: Path) -> None:
    """The mark goes first (and durably): a power cut halfway through the removal leaves an
    unmarked slot, rebuilt when needed, never a marked one missing files."""
    mark = slot / COMPLETE_MARK
    if mark.exists():
        mark.unlink()
        fsync_dir(slot)
    shutil.rmtree(slot, ignore_errors=True)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UpdateLocked("another update is running") from exc
        yield


def update(
    root: Path,
    version: str,
    source: str,
    installer: Installer,
    restart: Restart,
    healthy: HealthCheck,
    before_rollback: Callable[[], None] | None = None,
) -> UpdateResult:
    """`before_rollback`, when the new version failed its check, is called before `current`
    goes back: the caller keeps the verdict (a power cut right after the switch back must not
    make it try the broken version again)."""
    with _locked(root):
        old = current_version(root)
        if old == version:
            raise UpdateError(f"{version} is already the current version")
        install_slot(root, version, source, installer)
        point(root, CURRENT, version)
        log.info("update: %s → %s, restarting", old, version)
        if _check(restart, healthy):
            if old is not None:
                point(root, PREVIOUS, old)
            _prune(root)
            log.info("update: %s is healthy", version)
            return UpdateResult(version, rolled_back=False, previous=old)
        if old is None:
            raise UpdateError(f"{version} is unhealthy and there is no previous version")
        log.error("update: %s failed its health check; back to %s", version, old)
        if before_rollback is not None:
            before_rollback()
        point(root, CURRENT, old)
        _check(restart, lambda: True)
        return UpdateResult(old, rolled_back=True, previous=version)


def rollback(root: Path, restart: Restart) -> str:
    """Go back to the previous slot by hand; the two swap places."""
    with _locked(root):
        old, new = previous_version(root), current_version(root)
        if old is None:
            raise UpdateError("there is no previous version to go back to")
        point(root, CURRENT, old)
        if new is not None:
            point(root, PREVIOUS, new)
        restart()
        return old


def _check(restart: Restart, healthy: HealthCheck) -> bool:
    try:
        restart()
        return healthy()
    except Exception:
        log.exception("update: restart or health check failed")
        return False


def _prune(root: Path) -> None:
    """Keep the current and previous slots only: an SD card is small."""
    keep = {current_version(root), previous_version(root)}
    for slot in (root / SLOTS).iterdir():
        if slot.name not in keep:
            remove_slot(slot)


# -- restarts and health checks on the appliance ----------------------------------------
def systemctl_restart(units: Sequence[str], timeout: float = 180.0) -> Restart:
    def restart() -> None:
        # For a Type=notify unit this returns once READY=1 came (or fails on TimeoutStartSec).
        done = subprocess.run(
            [SYSTEMCTL, "restart", *units],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise UpdateError(f"systemctl restart failed: {done.stderr.strip()[:300]}")

    return restart


def units_stay_up(
    units: Sequence[str], settle: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> HealthCheck:
    """Healthy when, `settle` seconds after the restart, every unit is active and systemd has
    not had to restart it (a missed watchdog or a crash counts in NRestarts)."""

    def check() -> bool:
        sleep(settle)
        for unit in units:
            done = subprocess.run(
                [SYSTEMCTL, "show", unit, "--property=ActiveState,NRestarts"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            props = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
            if props.get("ActiveState") != "active" or props.get("NRestarts", "0") != "0":
                log.error("update: %s is %s", unit, props or done.stderr.strip())
                return False
        return True

    return check


def http_ok(
    url: str, within: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> HealthCheck:
    """Healthy when `url` (the backend's /healthz) answers 200 within `within` seconds."""

    def check() -> bool:
        deadline = time.monotonic() + within
        while True:
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            if time.monotonic() >= deadline:
                return False
            sleep(1.0)

    return check


def all_of(*checks: HealthCheck) -> HealthCheck:
    return lambda: all(check() for check in checks)
