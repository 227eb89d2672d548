"""The systemd units: `systemd-analyze verify` on each, against the laid-out root, and the
properties the appliance relies on (watchdog, restart policy, last resort, sandbox)."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from appliance import cli as appliance_cli
from backend import cli as backend_cli
from kiosk import cli as kiosk_cli
from tests.appliance.conftest import REPO

BACKEND = "foyer-backend.service"
UNITS = sorted(
    p.name for p in (REPO / "systemd").iterdir() if p.suffix in (".service", ".path", ".timer")
)


@pytest.fixture(scope="session")
def verify_root(verify_root: Path) -> Path:
    """The conftest's root plus a stand-in `chvt` (kbd), which the kiosk unit runs first."""
    chvt = verify_root / "usr" / "bin" / "chvt"
    chvt.write_text("#!/bin/sh\nexit 0\n")
    chvt.chmod(0o755)
    return verify_root


def verify(root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    # As docs/appliance.md tells a technician to run it: man: links would be checked against
    # man-db, which a device may lack, so the units have none (test_no_man_page_links).
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", unit],
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
    assert UNITS == [
        "foyer-backend.service",
        "foyer-firstboot.service",
        "foyer-kiosk.service",
        "foyer-update.path",
        "foyer-update.service",
        "foyer-update.timer",
    ]


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_is_clean(verify_root: Path, unit: str) -> None:
    done = verify(verify_root, unit)
    # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_no_man_page_links() -> None:
    """`systemd-analyze verify` fails on a man: link whose page is not installed (man-db is not
    on every device): the documentation links are files and web pages."""
    for unit in UNITS:
        for link in " ".join(directives(unit)["Unit"].get("Documentation", [])).split():
            assert link.startswith(("file:", "https:")), (unit, link)


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
    # Its VT in front first, as root: at boot tty1 is (seen booting the image in QEMU).
    assert service["ExecStartPre"] == ["+/usr/bin/chvt 7"]
    assert service["TTYPath"] == ["/dev/tty7"]
    # No logind session: pam_systemd would move the tablet into the session's cgroup, and
    # systemd drops notifications from outside the unit's (READY=1 never arrived in QEMU).
    # The seat comes from seatd, Wayland's socket from a runtime directory of its own.
    assert "PAMName" not in service
    assert "seatd.service" in " ".join(head["Wants"]) and "seatd.service" in " ".join(head["After"])
    environment = " ".join(service["Environment"])
    assert "LIBSEAT_BACKEND=seatd" in environment
    assert "XDG_RUNTIME_DIR=/run/foyer-kiosk" in environment
    assert service["RuntimeDirectory"] == ["foyer-kiosk"]
    assert service["RestartPreventExitStatus"] == ["2"], "no reboot loop on a config error"
    assert service["User"] == ["foyer"] and "TTYPath" in service
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


def command_line(unit: str) -> list[str]:
    """ExecStart as the program receives it: after cage's `--`, environment expanded."""
    service = directives(unit)["Service"]
    env = dict(
        item.strip('"').split("=", 1)
        for value in service.get("Environment", [])
        for item in shlex.split(value)
    )
    argv = shlex.split(service["ExecStart"][0])
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    expanded: list[str] = []
    for arg in argv:
        expanded += shlex.split(env[arg[1:]]) if arg.startswith("$") else [arg]
    return expanded


def test_each_unit_calls_its_program_with_options_it_knows() -> None:
    """The units and the command-line parsers cannot drift apart unseen."""
    kiosk = command_line("foyer-kiosk.service")
    assert kiosk[0] == "/opt/foyer/current/bin/foyer-kiosk"
    args = kiosk_cli.parse_args([*kiosk[1:], "--backend", "http://x"])
    assert args.data == Path("/var/lib/foyer") and not args.windowed

    firstboot = command_line("foyer-firstboot.service")
    assert firstboot[0] == "/opt/foyer/current/bin/foyer"
    parser = argparse.ArgumentParser()
    appliance_cli.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(firstboot[1:])
    assert (args.command, args.boot, args.data, args.owner) == (
        "firstboot",
        Path("/boot/firmware"),
        Path("/var/lib/foyer"),
        "foyer",
    )
    assert args.apply_system

    backend = command_line("foyer-backend.service")
    assert backend[0] == "/opt/foyer/current/bin/foyer-backend"
    args = backend_cli._parser().parse_args(backend[1:])
    assert (args.command, args.data, args.host, args.port) == (
        "serve",
        Path("/var/lib/foyer-backend"),
        "127.0.0.1",
        8000,
    )
