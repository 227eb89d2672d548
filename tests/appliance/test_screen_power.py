"""Screen power: each path detected in order, against fake sysfs trees and fake tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import screen_power
from kiosk.screen_power import (
    BacklightPower,
    BlackFallback,
    DdcPower,
    ScreenPower,
    ScreenPowerSwitch,
    WlopmPower,
    detect,
)
from tests.appliance.unprivileged import skip_unless_others_can_import_the_checkout


def fake_tool(bin_dir: Path, name: str, exit_code: int = 0) -> Path:
    """A script that appends its arguments to NAME.log and exits with `exit_code`."""
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    log = bin_dir / f"{name}.log"
    tool.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexit {exit_code}\n')
    tool.chmod(0o755)
    return tool


def calls(bin_dir: Path, name: str) -> list[str]:
    log = bin_dir / f"{name}.log"
    return log.read_text().splitlines() if log.exists() else []


def which_in(bin_dir: Path) -> Callable[[str], str | None]:
    return lambda name: shutil.which(name, path=str(bin_dir))


def backlight(sys_root: Path, name: str, brightness: str, bl_power: bool) -> Path:
    device = sys_root / "class" / "backlight" / name
    device.mkdir(parents=True)
    (device / "brightness").write_text(brightness + "\n")
    (device / "max_brightness").write_text("255\n")
    if bl_power:
        (device / "bl_power").write_text("0\n")
    return device


def test_wlopm_under_wayland_comes_first(tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    fake_tool(bins, "wlopm")
    fake_tool(bins, "ddcutil")
    backlight(tmp_path / "sys", "10-0045", "200", bl_power=True)
    power = detect(tmp_path / "sys", {"WAYLAND_DISPLAY": "wayland-0"}, which_in(bins))
    assert isinstance(power, WlopmPower)
    assert power.name == "wlr-output-power" and not power.needs_black_fallback
    assert power.off() and power.on()
    assert calls(bins, "wlopm") == ["", "--off *", "--on *"]


def test_wlopm_without_wayland_or_protocol_falls_through(tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    fake_tool(bins, "wlopm", exit_code=1)  # compositor without wlr-output-power
    sys_root = tmp_path / "sys"
    assert isinstance(detect(sys_root, {}, which_in(bins)), BlackFallback)
    assert calls(bins, "wlopm") == [], "no Wayland display: wlopm is not even tried"
    power = detect(sys_root, {"WAYLAND_DISPLAY": "wayland-0"}, which_in(bins))
    assert isinstance(power, BlackFallback)
    assert calls(bins, "wlopm") == [""]


def test_dsi_panel_bl_power(tmp_path: Path) -> None:
    device = backlight(tmp_path / "sys", "10-0045", "200", bl_power=True)
    power = detect(tmp_path / "sys", {}, which_in(tmp_path / "nothing"))
    assert isinstance(power, BacklightPower) and power.name == "backlight-bl_power"
    assert power.off()
    assert (device / "bl_power").read_text().strip() == "4"
    assert power.on()
    assert (device / "bl_power").read_text().strip() == "0"
    assert (device / "brightness").read_text().strip() == "200", "brightness untouched"


def test_brightness_only_restores_the_level_it_found(tmp_path: Path) -> None:
    device = backlight(tmp_path / "sys", "rpi_backlight", "180", bl_power=False)
    power = detect(tmp_path / "sys", {}, which_in(tmp_path / "nothing"))
    assert isinstance(power, BacklightPower) and power.name == "backlight-brightness"
    (device / "brightness").write_text("120\n")  # someone dimmed it during the day
    assert power.off()
    assert (device / "brightness").read_text().strip() == "0"
    assert power.on()
    assert (device / "brightness").read_text().strip() == "120"


def test_a_panel_booted_dark_comes_back_at_full_brightness(tmp_path: Path) -> None:
    device = backlight(tmp_path / "sys", "panel", "0", bl_power=False)
    power = detect(tmp_path / "sys", {}, which_in(tmp_path / "nothing"))
    assert power.on()
    assert (device / "brightness").read_text().strip() == "255"


def test_read_only_backlight_is_skipped() -> None:
    """The kiosk user cannot write the panel (no udev rule): that path is not offered. Run as
    an unprivileged user, since root may write any file."""
    skip_unless_others_can_import_the_checkout()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        device = backlight(root / "sys", "panel", "100", bl_power=True)
        for f in ("brightness", "bl_power"):
            (device / f).chmod(0o644)
        code = (
            "import sys; from pathlib import Path; from kiosk.screen_power import detect;"
            f"print(detect(Path({str(root / 'sys')!r}), {{}}, lambda n: None).name)"
        )
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        done = subprocess.run(
            [*(nobody if os.geteuid() == 0 else []), sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "paint-black"


def test_ddc_when_a_monitor_answers(tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    fake_tool(bins, "ddcutil")
    power = detect(tmp_path / "sys", {}, which_in(bins))
    assert isinstance(power, DdcPower) and power.name == "ddc-ci"
    assert power.off() and power.on()
    assert calls(bins, "ddcutil") == ["getvcp d6", "setvcp d6 4", "setvcp d6 1"]


def test_ddc_without_an_answering_monitor_paints_black(tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    fake_tool(bins, "ddcutil", exit_code=1)  # "Display not found"
    power = detect(tmp_path / "sys", {}, which_in(bins))
    assert isinstance(power, BlackFallback)
    assert power.needs_black_fallback and power.name == "paint-black"
    assert power.off() and power.on()


def test_a_hung_tool_times_out_and_reports_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bins = tmp_path / "bin"
    bins.mkdir()
    hung = bins / "wlopm"
    hung.write_text("#!/bin/sh\nexec sleep 30\n")
    hung.chmod(0o755)
    monkeypatch.setattr(screen_power, "COMMAND_TIMEOUT", 0.3)
    power = WlopmPower(str(hung))
    assert power.off() is False


class Recorder(ScreenPower):
    name = "recorder"

    def __init__(self, slow: threading.Event | None = None) -> None:
        self.calls: list[str] = []
        self.slow = slow
        self.in_off = threading.Event()

    def off(self) -> bool:
        self.in_off.set()
        if self.slow is not None:
            self.slow.wait(5)
        self.calls.append("off")
        return True

    def on(self) -> bool:
        self.calls.append("on")
        return True


def test_the_switch_lights_the_screen_at_start_and_follows_the_night() -> None:
    power = Recorder()
    switch = ScreenPowerSwitch(lambda: power)
    switch.set_power(False).result(5)
    switch.set_power(False).result(5)  # already off: nothing sent again
    switch.set_power(True).result(5)
    switch.shutdown()
    assert power.calls == ["on", "off", "on"]


def test_only_the_latest_wish_counts_while_a_command_is_slow() -> None:
    gate = threading.Event()
    power = Recorder(slow=gate)
    switch = ScreenPowerSwitch(lambda: power)
    first = switch.set_power(False)  # blocks in off() until the gate opens
    assert power.in_off.wait(5)
    switch.set_power(True)
    switch.set_power(False)
    last = switch.set_power(True)
    gate.set()
    first.result(5)
    last.result(5)
    switch.shutdown()
    assert power.calls == ["on", "off", "on"], "never a burst of off/on on the panel"


def test_a_detection_that_crashes_paints_black() -> None:
    def broken() -> ScreenPower:
        raise OSError("i2c bus gone")

    switch = ScreenPowerSwitch(broken)
    switch.set_power(False).result(5)
    assert switch.power is not None and switch.power.needs_black_fallback
    switch.shutdown()


def test_the_full_screen_tablet_detects_its_path_and_lights_the_screen(tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    fake_tool(bins, "wlopm")
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text('{"backend_url": "http://127.0.0.1:9"}')
    env = dict(os.environ, PATH=f"{bins}:{os.environ['PATH']}", WAYLAND_DISPLAY="wayland-test")
    with subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data", str(data)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as tablet:
        try:
            deadline = time.monotonic() + 60
            while calls(bins, "wlopm") != ["", "--on *"] and time.monotonic() < deadline:
                assert tablet.poll() is None, "the tablet died"
                time.sleep(0.1)
        finally:
            tablet.terminate()
            tablet.wait(timeout=30)
    assert calls(bins, "wlopm") == ["", "--on *"]
