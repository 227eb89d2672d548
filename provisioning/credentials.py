"""The tablet's identity on disk: which backend it belongs to and its device credential.

Written atomically (`common.atomic_file`: temporary file, fsync, rename) with mode 0600 from
the first byte, so a power cut leaves either the old file or the new one, and no other user can
read the secret.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from common.atomic_file import fsync_dir, write_atomically

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
    write_atomically(credential_path(data_dir), json.dumps(asdict(credential)).encode(), mode=0o600)


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
    fsync_dir(data_dir)
