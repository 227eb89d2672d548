"""Real wheels built by hand for the update tests: no build step, no network (the test venv has
no `wheel` package for setuptools' bdist_wheel, and an isolated build would need PyPI)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path


def write_wheel(
    folder: Path,
    dist: str,
    version: str,
    files: Mapping[str, bytes],
    *,
    metadata: str = "",
    entry_points: str | None = None,
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """`files` (path in the wheel → content) as the wheel of `dist` `version`, with its
    dist-info as pip expects it: METADATA (plus the `metadata` lines), WHEEL, entry points when
    given, RECORD with every file's hash."""
    module = dist.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    content = dict(files)
    content[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n{metadata}"
    ).encode()
    content[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: foyer-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if entry_points is not None:
        content[f"{info}/entry_points.txt"] = entry_points.encode()
    record = []
    for path, data in content.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    content[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression) as zf:
        for path, data in content.items():
            zf.writestr(path, data)
    return wheel
