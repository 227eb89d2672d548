"""The updater: installs the release the tablet asked for, as root, and tells the backend how it
went (docs/updates-tablet.md).

systemd starts it (`foyer apply-update`, systemd/foyer-update.service) when the tablet writes
<data>/update-request.json (systemd/foyer-update.path), and from a timer (reports kept while the
network was down, an update a power cut interrupted). One run:

1. sends the outcome reports still kept from an earlier run (a network cut, a reboot);
2. finishes an update a power cut interrupted after the switch (health check again, then keep
   or go back);
3. reads the request (written by the unprivileged tablet: untrusted, validated) and the device
   credential; a tablet busy with a call or a professional's session → nothing now (exit 75),
   the request stays and the tablet writes it again once free;
4. checks the signature of the offer (version, SHA-256, size) with the trusted release keys
   *before* downloading: a forged offer costs no download, is reported "failed" and whatever
   was downloaded for that digest is deleted;
5. downloads resumably into its own directory (root only, not the tablet's: a file the tablet
   could swap between check and install would let the kiosk user run code as root): a `.part`
   file continued with `Range: bytes=N-` after a cut, started again from zero when the server
   answers 416 or with the whole file, or when a resumed file ends with the wrong digest;
6. checks size and SHA-256, then installs with appliance.update (a new A/B slot, the switch, the
   tablet restarted and its health checked, the rollback when unhealthy), the busy file looked
   at once more just before the switch;
7. records the outcome (for the backend, in a file kept until the backend takes it; for the
   tablet, <data>/update-outcome.json, so it does not ask again), removes the request.

The device credential goes only into the Authorization header: never into a log line, a file
of ours or an exception message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import stat
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from packaging.version import InvalidVersion, Version

from appliance import update
from common import release_signature
from common.atomic_file import fsync_dir, write_atomically
from kiosk.update_window import (
    BUSY_FILE,
    BUSY_STALE_SECONDS,
    OUTCOME_FILE,
    REQUEST_FILE,
    Target,
    handled_offers,
    parse_target,
)
from provisioning import credentials

log = logging.getLogger(__name__)

EXIT_DONE = 0
EXIT_FAILED = 1
EXIT_LATER = 75  # EX_TEMPFAIL: busy, or the network; the unit counts it as success
REPORT_PATH = "/api/v1/device/updates/report"
# Small enough that a cut loses little of what was on its way (a read cut short is dropped).
CHUNK = 64 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_REASON = 500
KEEP_OUTCOMES = 20
_WHEEL = re.compile(r"^[A-Za-z0-9_.+-]+\.whl$")
_APPLYING = "applying.json"  # the switch may have happened: what to finish after a power cut
_FAILED = "failed-offers.json"  # (rollout, version) refused or rolled back here: not again
KEEP_FAILED = 200  # a few dozen bytes each; rollouts are rare
MAX_SMALL_FILE = 64 * 1024  # a request or an outcome file is a few hundred bytes
# Left free beyond the download and its unpacked copy: the new slot is built on the same card,
# and a full disk stops the tablet's own database.
DISK_MARGIN = 200 * 1024 * 1024

Installer = update.Installer


class Outcome(Enum):
    NOTHING = "nothing"
    BUSY = "busy"
    LATER = "later"  # the network, the disk: try again at the next trigger
    INSTALLED = "installed"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"


class Refused(Exception):
    """A definitive refusal of this offer (forged, wrong digest twice, install failed): the
    message is French words for the console (« Signature invalide… »)."""


class TryLater(Exception):
    """Nothing wrong with the offer: the network or the disk; the request stays."""


@dataclass(frozen=True)
class Request:
    target: Target
    backend_url: str

    @property
    def download_url(self) -> str:
        return self.backend_url + self.target.download


def read_small(path: Path) -> bytes:
    """A small regular file in the kiosk user's folder, read as root without trusting it: not
    through a symbolic link, never blocking on a FIFO put there, at most MAX_SMALL_FILE bytes.
    FileNotFoundError when absent; OSError (ELOOP, EFBIG…) when it is not such a file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        if info.st_size > MAX_SMALL_FILE:
            raise OSError(f"{path.name} is too big ({info.st_size} bytes)")
        return os.read(fd, MAX_SMALL_FILE + 1)[:MAX_SMALL_FILE]
    finally:
        os.close(fd)


def read_request(path: Path) -> Request | None:
    """The tablet's request, validated (it comes from the unprivileged kiosk user); None when
    there is none or it is unusable (then it is removed: nothing can come of it)."""
    try:
        raw = json.loads(read_small(path).decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.error("update request unreadable (%s): removed", exc)
        _unlink(path)
        return None
    target = parse_target(raw)
    backend = raw.get("backend_url") if isinstance(raw, dict) else None
    if target is None or not isinstance(backend, str) or not _good_url(backend):
        log.error("update request malformed: removed")
        _unlink(path)
        return None
    return Request(target, backend.rstrip("/"))


def _good_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.username or parts.password or parts.query or parts.fragment)
    )


def refuse_downgrade(offered: str, running: str | None) -> None:
    """Refused: an offered version that is not a PEP 440 version, or one older than the version
    running. Even signed, an older release may carry holes fixed since: neither the kiosk user
    (who writes the request) nor a compromised backend may take the tablet back to it."""
    try:
        wanted = Version(offered)
    except InvalidVersion as exc:
        raise Refused(f"Numéro de version illisible : {offered}.") from exc
    if running is None:
        return
    try:
        now = Version(running)
    except InvalidVersion:
        return  # nothing to compare with (a slot installed by hand): the signature decides
    if wanted < now:
        raise Refused(
            f"Version {offered} plus ancienne que la version en service ({running}) : "
            "retour en arrière refusé."
        )


def load_credential(data_dir: Path) -> credentials.DeviceCredential | None:
    """The device credential, read as root from the kiosk user's folder with read_small (no
    link followed, no FIFO waited on); None when absent or unusable (as unpaired)."""
    try:
        raw = json.loads(read_small(credentials.credential_path(data_dir)).decode("utf-8"))
        credential = credentials.DeviceCredential(
            backend_url=str(raw["backend_url"]),
            device_id=int(raw["device_id"]),
            beneficiary_id=int(raw["beneficiary_id"]),
            access_token=str(raw["access_token"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.error("device credential unreadable: %s", type(exc).__name__)
        return None
    return credential if _good_url(credential.backend_url) else None


# -- the download ----------------------------------------------------------------------------
def _etag_names(etag: str | None, sha256: str) -> bool:
    """Whether the server's ETag (if any) names the digest we expect."""
    if not etag:
        return True
    return etag.strip().removeprefix("W/").strip('"').lower() == sha256


def download(
    session: requests.Session,
    url: str,
    token: str,
    part: Path,
    final: Path,
    size: int,
    sha256: str,
    *,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """The whole file at `final` once checked, downloaded into `part` and resuming what an
    earlier attempt left there. TryLater when the network keeps failing (the .part stays for
    the next run); Refused when a complete download does not have the expected digest."""
    if final.exists():
        if release_signature.file_digest(final) == (sha256, size):
            return final
        final.unlink()
    restarted = False  # one fresh start from zero is allowed after a bad resume
    for attempt in range(1, attempts + 1):
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            _unlink(part)
            have = 0
        try:
            if have < size:
                _fetch(session, url, token, part, have, size, sha256)
        except _Restart as why:
            log.warning("update download: %s; starting again from zero", why)
            _unlink(part)
            continue
        except (requests.RequestException, OSError) as exc:
            if exc.errno == errno.ENOSPC and not isinstance(exc, requests.RequestException):
                _unlink(part)  # half a file on a full disk helps nobody: the space back
                raise TryLater("disque plein pendant le téléchargement") from exc
            log.warning(
                "update download cut at %s of %s bytes (attempt %d/%d): %s",
                part.stat().st_size if part.exists() else 0,
                size,
                attempt,
                attempts,
                type(exc).__name__,
            )
            if attempt < attempts:
                sleep(min(30.0, 2.0**attempt))
            continue
        if release_signature.file_digest(part) == (sha256, size):
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, final)
            fsync_dir(final.parent)
            return final
        _unlink(part)
        if have > 0 and not restarted:
            restarted = True  # the bytes kept from before were not the server's: afresh
            log.warning("update download: the resumed file is wrong; starting again from zero")
            continue
        raise Refused("Fichier reçu différent de celui annoncé (SHA-256 ou taille).")
    raise TryLater("le téléchargement n'a pas abouti")


class _Restart(Exception):
    pass


def _fetch(
    session: requests.Session,
    url: str,
    token: str,
    part: Path,
    have: int,
    size: int,
    sha256: str,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with session.get(
        url, headers=headers, stream=True, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT)
    ) as response:
        if response.status_code == 416:
            raise _Restart("the server's file is shorter than what we kept (416)")
        if response.status_code == 401:
            raise TryLater("credential refused (401)")
        if response.status_code not in (200, 206):
            raise requests.HTTPError(f"HTTP {response.status_code}")
        if not _etag_names(response.headers.get("ETag"), sha256):
            raise Refused("Le serveur propose un autre fichier que celui annoncé.")
        if response.status_code == 206:
            start = _range_start(response.headers.get("Content-Range"), size)
            if start != have:
                raise _Restart(f"the server resumed at {start}, not at {have}")
            mode = "ab"
        else:
            if have:
                log.info("update download: the server sent the whole file; from zero")
            mode = "wb"
        if have:
            log.info("update download: resuming at %d of %d bytes", have, size)
        part.parent.mkdir(parents=True, exist_ok=True)
        with part.open(mode) as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
                if out.tell() > size:
                    raise _Restart("the server sends more than the announced size")
            out.flush()
            os.fsync(out.fileno())
        got = part.stat().st_size
        if got < size:
            raise requests.ConnectionError(f"connection ended at {got} of {size} bytes")


def _range_start(content_range: str | None, size: int) -> int | None:
    match = re.match(r"^bytes (\d+)-(\d+)/(\d+|\*)$", (content_range or "").strip())
    if match is None:
        return None
    if match.group(3) != "*" and int(match.group(3)) != size:
        return None
    return int(match.group(1))


# -- the release's wheels ----------------------------------------------------------------------
def unpack_wheels(release: Path, into: Path) -> Path:
    """The wheels of a release into `into` (emptied first); returns Foyer's own wheel. A
    release is one wheel, or a .tar of wheels (Foyer's and the dependencies it adds to the
    tablet's wheelhouse). Only regular members named like a wheel are taken, by their base
    name: nothing in a tar can write outside `into`."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    if release.name.endswith(".whl"):
        shutil.copyfile(release, into / release.name)
    elif release.name.endswith(".tar"):
        try:
            with tarfile.open(release, "r:") as tar:
                for member in tar.getmembers():
                    name = Path(member.name).name
                    if not member.isreg() or not _WHEEL.match(name):
                        continue
                    source = tar.extractfile(member)
                    if source is None:
                        continue
                    with source, (into / name).open("wb") as out:
                        shutil.copyfileobj(source, out)
        except tarfile.TarError as exc:
            raise Refused(f"Archive de la version illisible ({exc}).") from exc
    else:
        raise Refused("Le fichier de la version n'est ni une roue (.whl) ni une archive .tar.")
    own = sorted(into.glob("foyer-*.whl"))
    if len(own) != 1:
        raise Refused("La version ne contient pas exactement une roue « foyer ».")
    return own[0]


def wheelhouse_installer(wheelhouse: Path, wheels: Path) -> Installer:
    """The appliance's installer: a venv built by pip from the release's wheels and the local
    wheelhouse only (`--no-index`: a tablet has no PyPI)."""
    return update.pip_installer(
        pip_args=["--no-index", "--find-links", str(wheels), "--find-links", str(wheelhouse)]
    )


def keep_in_wheelhouse(wheels: Path, wheelhouse: Path) -> None:
    """The release's wheels join the wheelhouse, so that the next release may need them
    without carrying them again (and a slot can be rebuilt)."""
    if not wheelhouse.is_dir():
        return
    for wheel in wheels.glob("*.whl"):
        target = wheelhouse / wheel.name
        if not target.exists():
            with contextlib.suppress(OSError):
                shutil.copyfile(wheel, target)


# -- reports -------------------------------------------------------------------------------------
def queue_report(
    state_dir: Path, backend_url: str, device_id: int | None, report: dict[str, Any]
) -> Path:
    """Kept until the backend takes it, with the tablet it is about (not its credential: that
    is read when sending)."""
    folder = state_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{int(report['rollout_id'])}.json"
    body = {"backend_url": backend_url, "device_id": device_id, "report": report}
    write_atomically(path, json.dumps(body).encode(), mode=0o600)
    return path


def send_reports(
    session: requests.Session, state_dir: Path, credential: credentials.DeviceCredential | None
) -> int:
    """Every kept report the backend takes is deleted; returns how many are still kept. A
    report about another pairing (a factory reset, paired again since) is dropped: the new
    tablet record did not do what it says."""
    folder = state_dir / "reports"
    if not folder.is_dir():
        return 0
    left = 0
    for path in sorted(folder.glob("*.json")):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            backend_url, report = str(body["backend_url"]), dict(body["report"])
            device_id = body.get("device_id")
        except (OSError, ValueError, KeyError, TypeError):
            log.error("update report %s unreadable: removed", path.name)
            _unlink(path)
            continue
        if credential is None:
            left += 1
            continue
        if report.get("from_version") == "":
            del report["from_version"]  # kept by an earlier updater: "" meant unknown
        if device_id is not None and device_id != credential.device_id:
            log.info("update report for device %s dropped: paired again since", device_id)
            _unlink(path)
            continue
        token = credential.access_token
        try:
            response = session.post(
                backend_url + REPORT_PATH,
                json=report,
                headers={"Authorization": f"Bearer {token}"},
                timeout=(CONNECT_TIMEOUT, 30.0),
            )
        except requests.RequestException as exc:
            log.info("update report for rollout %s kept: %s", report.get("rollout_id"), exc)
            left += 1
            continue
        if response.status_code == 200 or (
            400 <= response.status_code < 500 and response.status_code not in (408, 429)
        ):
            if response.status_code != 200:
                # Never accepted, whatever we do (unknown rollout, revoked tablet): dropped.
                log.warning(
                    "update report for rollout %s refused (HTTP %s): %s",
                    report.get("rollout_id"),
                    response.status_code,
                    response.text[:300],
                )
            else:
                log.info(
                    "update report sent: rollout %s, %s",
                    report.get("rollout_id"),
                    report.get("outcome"),
                )
            _unlink(path)
            continue
        log.info("update report kept: HTTP %s", response.status_code)
        left += 1
    return left


def note_outcome(data_dir: Path, report: dict[str, Any], now: datetime) -> None:
    """The tablet's copy (<data>/update-outcome.json): it will not ask for this offer again."""
    path = data_dir / OUTCOME_FILE
    try:
        old = json.loads(read_small(path).decode("utf-8"))
        items = [i for i in old.get("outcomes", []) if isinstance(i, dict)]
    except (OSError, ValueError, AttributeError):
        items = []
    items.append({**report, "at": now.isoformat()})
    data = json.dumps({"outcomes": items[-KEEP_OUTCOMES:]}).encode()
    write_atomically(path, data, mode=0o644)


# -- one run -------------------------------------------------------------------------------------
@dataclass
class Agent:
    data_dir: Path
    root: Path
    trusted_keys: Path
    state_dir: Path
    restart: update.Restart
    healthy: update.HealthCheck
    make_installer: Callable[[Path], Installer]  # (folder of the release's wheels) → installer
    wheelhouse: Path | None = None
    session: requests.Session | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sleep: Callable[[float], None] = time.sleep
    download_attempts: int = 3
    wall: Callable[[], float] = time.time  # for the busy file's age
    free_space: Callable[[Path], int] = lambda path: shutil.disk_usage(path).free
    _device_id: int | None = field(default=None, init=False)  # whom this run reports for

    def run(self) -> Outcome:
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._locked(), contextlib.ExitStack() as stack:
            session = self.session or stack.enter_context(_new_session())
            credential = load_credential(self.data_dir)
            self._device_id = credential.device_id if credential is not None else None
            if self._finish_interrupted() is Outcome.BUSY:
                send_reports(session, self.state_dir, credential)
                return Outcome.BUSY
            send_reports(session, self.state_dir, credential)
            outcome = self._apply(session, credential)
            send_reports(session, self.state_dir, credential)
            return outcome

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.state_dir / "agent.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise update.UpdateError("another update agent is running") from exc
            yield

    def busy(self) -> bool:
        """A call or a professional's session on the tablet (a busy file a dead tablet left
        behind, not written again for BUSY_STALE_SECONDS, does not count)."""
        try:
            age = self.wall() - (self.data_dir / BUSY_FILE).stat().st_mtime
        except FileNotFoundError:
            return False
        if age > BUSY_STALE_SECONDS:
            log.warning("update: the busy file is %d s old: the tablet left it; ignored", age)
            return False
        return True

    def _apply(
        self, session: requests.Session, credential: credentials.DeviceCredential | None
    ) -> Outcome:
        request_path = self.data_dir / REQUEST_FILE
        request = read_request(request_path)
        if request is None:
            return Outcome.NOTHING
        if credential is None:
            log.warning("update: the tablet is not paired; request removed")
            _unlink(request_path)
            return Outcome.NOTHING
        if request.backend_url != credential.backend_url.rstrip("/"):
            # The kiosk user writes the request: the credential goes nowhere but to the
            # backend the tablet was paired with.
            log.error("update request names another backend than the tablet's: removed")
            _unlink(request_path)
            return Outcome.NOTHING
        target = request.target
        if (target.rollout_id, target.version) in self._failed_here():
            # Rolled back or refused here already: a request the tablet wrote before it read
            # the outcome (it does not ask again after). Never a loop of restarts into it.
            log.info("update to %s: already failed here; request removed", target.version)
            _unlink(request_path)
            return Outcome.NOTHING
        running = update.current_version(self.root)
        if target.version == running:
            # Installed by an earlier run whose end a power cut took: say so (the backend takes
            # a report twice), and the tablet stops asking.
            log.info("update: %s already runs; request removed", target.version)
            self._conclude(
                request,
                _report(target, update.previous_version(self.root), outcome="installed"),
            )
            return Outcome.NOTHING
        if self.busy():
            log.info("update to %s: the tablet is busy; later", target.version)
            return Outcome.BUSY
        work = self.state_dir / "downloads"
        part = work / f"{target.sha256}.part"
        keys = release_signature.load_public_keys(self.trusted_keys)
        report = _report(target, running)
        try:
            refuse_downgrade(target.version, running)
            if not release_signature.verify(
                keys, target.version, target.sha256, target.size, target.signature
            ):
                raise Refused(
                    "Signature invalide : cette version n'est pas signée par la clé de Foyer."
                    if keys
                    else "Aucune clé de publication de confiance sur la tablette."
                )
            work.mkdir(parents=True, exist_ok=True, mode=0o700)
            _drop_superseded(work, target.sha256)
            self._check_space(work, part, work / target.sha256 / target.filename, target.size)
            named = download(
                session,
                request.download_url,
                credential.access_token,
                part,
                work / target.sha256 / target.filename,  # pip wants a wheel by its own name
                target.size,
                target.sha256,
                attempts=self.download_attempts,
                sleep=self.sleep,
            )
            if not self._still_asked(request):
                return Outcome.LATER
            wheels = work / target.sha256 / "wheels"
            own_wheel = unpack_wheels(named, wheels)
            outcome = self._install(request, str(own_wheel), wheels, report)
        except Refused as why:
            log.error("update to %s refused: %s", target.version, why)
            self._clean(target.sha256)
            self._conclude(request, {**report, "outcome": "failed", "reason": _short(str(why))})
            return Outcome.FAILED
        except TryLater as why:
            log.warning("update to %s: %s; later", target.version, why)
            return Outcome.LATER
        except OSError as exc:
            log.error("update to %s: %s; later", target.version, exc)
            return Outcome.LATER
        if outcome in (Outcome.INSTALLED, Outcome.ROLLED_BACK, Outcome.FAILED):
            self._clean(target.sha256)
        return outcome

    def _install(
        self, request: Request, source: str, wheels: Path, report: dict[str, Any]
    ) -> Outcome:
        target = request.target
        try:
            update.install_slot(self.root, target.version, source, self.make_installer(wheels))
        except update.UpdateLocked as exc:
            raise TryLater(str(exc)) from exc
        except update.UpdateError as exc:
            raise Refused(f"Installation impossible : {exc}") from exc
        if self.busy():  # a call began during the build: the slot waits, complete
            log.info("update to %s: the tablet became busy; later", target.version)
            return Outcome.BUSY
        if not self._still_asked(request):
            return Outcome.LATER
        self._mark_applying(request, report)
        try:
            result = update.update(
                self.root,
                target.version,
                source,
                self.make_installer(wheels),
                self.restart,
                self.healthy,
                before_rollback=lambda: self._mark_applying(request, report, verdict="unhealthy"),
            )
        except update.UpdateLocked as exc:
            _unlink(self.state_dir / _APPLYING)
            raise TryLater(str(exc)) from exc
        except update.UpdateError as exc:
            _unlink(self.state_dir / _APPLYING)
            raise Refused(f"Installation impossible : {exc}") from exc
        if result.rolled_back:
            words = (
                f"La version {target.version} n'a pas démarré correctement ; "
                f"retour à la version {result.version}."
            )
            outcome, final = Outcome.ROLLED_BACK, {**report, "outcome": "rolled_back"}
            final["reason"] = words
        else:
            if self.wheelhouse is not None:
                keep_in_wheelhouse(wheels, self.wheelhouse)
            outcome, final = Outcome.INSTALLED, {**report, "outcome": "installed"}
        self._conclude(request, final)
        _unlink(self.state_dir / _APPLYING)
        log.info("update to %s: %s", target.version, outcome.value)
        return outcome

    def _check_space(self, work: Path, part: Path, final: Path, size: int) -> None:
        """TryLater unless the disk holds what is left to download, the unpacked copy of the
        release and DISK_MARGIN besides."""
        have = part.stat().st_size if part.exists() else 0
        left = 0 if final.exists() else size - have
        needed = max(0, left) + size + DISK_MARGIN
        free = self.free_space(work)
        if free < needed:
            raise TryLater(
                f"place insuffisante sur le disque : {free // 2**20} Mo libres, "
                f"{-(-needed // 2**20)} Mo nécessaires"
            )

    def _still_asked(self, request: Request) -> bool:
        """Whether the tablet still asks for this: it withdraws its request when quiet hours
        begin or the rollout is paused or halted, maybe while we downloaded or built. Never
        switch (and restart it) on a request that is gone or changed."""
        now = read_request(self.data_dir / REQUEST_FILE)
        if now == request:
            return True
        log.info(
            "update to %s: the request was %s meanwhile; later",
            request.target.version,
            "withdrawn" if now is None else "changed",
        )
        return False

    def _failed_here(self) -> set[tuple[int, str]]:
        """The offers refused or rolled back here, from our own root-only state folder (the
        tablet's copy, in the kiosk user's folder, could be emptied to make us try again)."""
        try:
            kept = json.loads(read_small(self.state_dir / _FAILED).decode("utf-8"))
        except (OSError, ValueError):
            return set()
        if not isinstance(kept, dict) or not isinstance(kept.get("outcomes"), list):
            return set()
        return handled_offers({"outcomes": [i for i in kept["outcomes"] if isinstance(i, dict)]})

    def _remember_failure(self, report: dict[str, Any]) -> None:
        if report.get("outcome") not in ("failed", "rolled_back"):
            return
        path = self.state_dir / _FAILED
        try:
            old = json.loads(read_small(path).decode("utf-8"))["outcomes"]
            items = [i for i in old if isinstance(i, dict)]
        except (OSError, ValueError, KeyError, TypeError):
            items = []
        items.append({k: report[k] for k in ("rollout_id", "version", "outcome")})
        body = json.dumps({"outcomes": items[-KEEP_FAILED:]}).encode()
        write_atomically(path, body, mode=0o600)

    def _mark_applying(
        self, request: Request, report: dict[str, Any], verdict: str | None = None
    ) -> None:
        self._write_applying(report, request.backend_url, verdict)

    def _write_applying(
        self, report: dict[str, Any], backend_url: str, verdict: str | None = None
    ) -> None:
        """What to finish after a power cut; `verdict` "unhealthy" once the new version failed
        its check (then it is never started again, whatever `current` says)."""
        body: dict[str, Any] = {"report": report, "backend_url": backend_url}
        if verdict is not None:
            body["verdict"] = verdict
        write_atomically(self.state_dir / _APPLYING, json.dumps(body).encode(), mode=0o600)

    def _finish_interrupted(self) -> Outcome | None:
        """A power cut (or a kill) after the switch, before the verdict: `current` may name a
        version whose health nobody checked. Check it now; keep it or go back — not while a
        call or a professional's session is under way (the check restarts the tablet): BUSY,
        and the next run finishes it. A version already found unhealthy is not checked (nor
        started) again: back to the old one, or concluded if the cut came once back."""
        path = self.state_dir / _APPLYING
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            report, backend_url = dict(body["report"]), str(body["backend_url"])
            version, old = str(report["version"]), str(report.get("from_version") or "")
            unhealthy = body.get("verdict") == "unhealthy"
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            _unlink(path)
            return None
        current = update.current_version(self.root)
        old_complete = (
            bool(old) and (update.slot_path(self.root, old) / update.COMPLETE_MARK).exists()
        )
        back = {
            **report,
            "outcome": "rolled_back",
            "reason": (
                f"La version {version} n'a pas démarré correctement ; retour à la version {old}."
            ),
        }
        if unhealthy and current == old and old_complete:
            final = back  # the cut came right after going back: the old version runs
        elif current != version:
            _unlink(path)  # never switched, or already back: the request (if any) decides
            return None
        elif self.busy():
            log.info("update to %s: interrupted, to finish once the tablet is free", version)
            return Outcome.BUSY
        elif not unhealthy and update._check(self.restart, self.healthy):
            log.warning("update to %s was interrupted after the switch: healthy", version)
            if old_complete:
                update.point(self.root, update.PREVIOUS, old)
            final = {**report, "outcome": "installed"}
        elif old_complete:
            log.warning("update to %s: unhealthy; back to %s", version, old)
            self._write_applying(report, backend_url, verdict="unhealthy")
            update.point(self.root, update.CURRENT, old)
            update._check(self.restart, lambda: True)
            final = back
        else:
            final = {**report, "outcome": "failed", "reason": "Version en panne, sans retour."}
        if backend_url:
            queue_report(self.state_dir, backend_url, self._device_id, final)
        self._remember_failure(final)
        note_outcome(self.data_dir, final, self.clock())
        _unlink(self.data_dir / REQUEST_FILE)
        _unlink(path)
        return None

    def _conclude(self, request: Request, report: dict[str, Any]) -> None:
        """Kept for the backend first, told to the tablet, then the request goes: a power cut
        anywhere leaves either the request (done again) or the report (sent later)."""
        queue_report(self.state_dir, request.backend_url, self._device_id, report)
        self._remember_failure(report)
        note_outcome(self.data_dir, report, self.clock())
        _unlink(self.data_dir / REQUEST_FILE)

    def _clean(self, sha256: str) -> None:
        work = self.state_dir / "downloads"
        _unlink(work / f"{sha256}.part")
        shutil.rmtree(work / sha256, ignore_errors=True)


def _report(target: Target, from_version: str | None, **more: str) -> dict[str, Any]:
    """A report's fields; `from_version` only when known (the backend takes no empty one)."""
    report: dict[str, Any] = {"rollout_id": target.rollout_id, "version": target.version}
    if from_version:
        report["from_version"] = from_version
    return {**report, **more}


def _drop_superseded(work: Path, sha256: str) -> None:
    """Whatever an earlier offer left in the downloads folder (a .part of a release since
    replaced, an unpacked copy): only the offer just verified is worth the space."""
    for entry in work.iterdir():
        if entry.name in (sha256, f"{sha256}.part"):
            continue
        log.info("update: removing %s, left by an earlier offer", entry.name)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            _unlink(entry)


def _short(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _new_session() -> requests.Session:
    from common.version import __version__

    session = requests.Session()
    session.headers["User-Agent"] = f"foyer-update/{__version__}"
    return session


EXIT_CODES = {
    Outcome.NOTHING: EXIT_DONE,
    Outcome.INSTALLED: EXIT_DONE,
    Outcome.BUSY: EXIT_LATER,
    Outcome.LATER: EXIT_LATER,
    Outcome.ROLLED_BACK: EXIT_FAILED,
    Outcome.FAILED: EXIT_FAILED,
}
