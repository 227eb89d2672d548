"""The tablet's identity on disk: which backend it belongs to and its device credential.

Written atomically (temporary file, fsync, rename) with mode 0600 from the first byte, so a
power cut leaves either the old file or the new one, and no other user can read the secret.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE_NAME = "device.json"


@dataclass(frozen=True)
class DeviceCredential:
    backend_url: str
    device_id: int
    beneficiary_id: int
    access_token: str


def credential_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def save(data_dir: Path, credential: DeviceCredential) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = credential_path(data_dir)
    tmp = target.with_name(target.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, json.dumps(asdict(credential)).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    _fsync_dir(data_dir)


def load(data_dir: Path) -> DeviceCredential | None:
    """The stored credential, or None when unpaired or the file is unreadable."""
    try:
        raw = json.loads(credential_path(data_dir).read_text())
        return DeviceCredential(
            backend_url=str(raw["backend_url"]),
            device_id=int(raw["device_id"]),
            beneficiary_id=int(raw["beneficiary_id"]),
            access_token=str(raw["access_token"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def erase(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        credential_path(data_dir).unlink()
    _fsync_dir(data_dir)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
