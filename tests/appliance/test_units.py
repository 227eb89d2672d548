"""The systemd units: `systemd-analyze verify` on each, against the laid-out root, and the
properties the appliance relies on (watchdog, restart policy, last resort, sandbox)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.appliance.conftest import REPO

BACKEND = "foyer-backend.service"
UNITS = sorted(p.name for p in (REPO / "systemd").glob("*.service"))


def verify(root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    # --man=no: Documentation=man:cage(1) names a page only the cage package installs.
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )


def directives(unit: str) -> dict[str, dict[str, list[str]]]:
    """section → key → values (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (REPO / "systemd" / unit).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def test_the_units_we_ship() -> None:
    assert UNITS == ["foyer-backend.service", "foyer-firstboot.service", "foyer-kiosk.service"]


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_is_clean(verify_root: Path, unit: str) -> None:
    done = verify(verify_root, unit)
    # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_verify_sees_a_missing_program(verify_root: Path, tmp_path: Path) -> None:
    """The check means something: without cage in the root, the kiosk unit fails it."""
    cage = verify_root / "usr" / "bin" / "cage"
    saved = cage.read_bytes()
    cage.unlink()
    try:
        done = verify(verify_root, "foyer-kiosk.service")
    finally:
        cage.write_bytes(saved)
        cage.chmod(0o755)
    assert done.returncode != 0
    assert "/usr/bin/cage" in done.stderr


def test_the_kiosk_is_watched_and_restarted_with_a_last_resort() -> None:
    unit = directives("foyer-kiosk.service")
    service, head = unit["Service"], unit["Unit"]
    assert service["Type"] == ["notify"]
    assert service["NotifyAccess"] == ["all"], "notifications come from cage's child"
    assert int(service["WatchdogSec"][0]) >= 10
    assert service["Restart"] == ["on-failure"]
    assert service["RestartPreventExitStatus"] == ["2"], "no reboot loop on a config error"
    assert service["User"] == ["foyer"] and "PAMName" in service and "TTYPath" in service
    assert service["SyslogIdentifier"] == ["foyer-kiosk"]
    assert service["ExecStart"][0].startswith("/usr/bin/cage -s -- /opt/foyer/current/bin/")
    # The rate limit belongs in [Unit]: in [Service] systemd ignores it.
    assert {"StartLimitIntervalSec", "StartLimitBurst", "StartLimitAction"} <= set(head)
    assert head["StartLimitAction"] == ["reboot"]


def test_the_backend_is_sandboxed(verify_root: Path) -> None:
    service = directives("foyer-backend.service")["Service"]
    assert service["ProtectSystem"] == ["strict"] and service["NoNewPrivileges"] == ["yes"]
    assert service["StateDirectory"] == ["foyer-backend"]
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", f"--root={verify_root}", BACKEND],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for foyer-backend.service: ([\d.]+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match.group(1)) <= 2.0, "systemd rates 0-10; below 2 is 'OK'"
