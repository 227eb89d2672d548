"""The appliance laid out into a temporary root by images/install-appliance.sh, the script the
image build runs on the real rootfs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "images" / "install-appliance.sh"
VERSION = "0.1.0"
ENTRY_POINTS = ("foyer", "foyer-kiosk", "foyer-backend")


def fake_slot(root: Path, version: str = VERSION) -> Path:
    """Stand-ins for the venv's entry points (the real venv build is tested in test_update)."""
    bin_dir = root / "opt" / "foyer" / "slots" / version / "bin"
    bin_dir.mkdir(parents=True)
    for name in ENTRY_POINTS:
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def run_installer(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INSTALLER), *args, str(root)], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="session")
def appliance_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("appliance") / "root"
    fake_slot(root)
    done = run_installer(root, "--slot", VERSION)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="session")
def verify_root(tmp_path_factory: pytest.TempPathFactory, appliance_root: Path) -> Path:
    """The laid-out root plus what Raspberry Pi OS brings: systemd's own units (the targets,
    getty@, logind our units order against) and a cage executable."""
    root = tmp_path_factory.mktemp("verify") / "root"
    shutil.copytree(appliance_root, root, symlinks=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    cage = root / "usr" / "bin" / "cage"
    cage.parent.mkdir(parents=True, exist_ok=True)
    cage.write_text('#!/bin/sh\nexec "$@"\n')
    cage.chmod(0o755)
    return root
