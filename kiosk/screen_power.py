"""Switch the display off and on for night mode, by the best path this hardware offers.

`vcgencmd display_power` is gone under KMS, so `detect()` tries, in order, and keeps the first
that works here:

1. **wlr output-power** — `wlopm` (the wlr-output-power-management protocol) when it is
   installed and the Wayland compositor speaks it (labwc, sway, wayfire; cage's current
   release does not, and `wlopm`'s probe then fails): every output is blanked, any screen,
   any connector, and stays in the layout, so a touch still reaches the tablet and wakes it.
   Not used: `wlr-randr --off` (output management, which cage has) takes the output out of
   the layout, and a touch on a screen that is not in the layout may reach no window — the
   tablet could not be woken by hand.
2. **backlight** — `/sys/class/backlight/*/bl_power` (0 on, 4 off: the official DSI panels
   and most laptop-style panels), else that device's `brightness` (written to 0, restored to
   the value read at start). Only when the file is writable by us (a udev rule in the image
   gives the `video` group write access).
3. **DDC/CI** — `ddcutil` when it is installed and a monitor answers over HDMI: VCP feature
   0xD6 (power mode) set to 4 (off) and 1 (on).
4. **paint black** — nothing can switch the panel off (or eglfs holds DRM master): the UI
   covers the screen with black, which at least stops the light. `needs_black_fallback` tells
   the UI to do so; `off()` and `on()` do nothing there.

Every command is run with an argument list and a timeout. `detect()`, `off()` and `on()` may
wait on a subprocess for seconds: never call them on the GUI thread. `ScreenPowerSwitch` runs
them on a worker of its own, one at a time and in order, and is what the UI talks to.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

COMMAND_TIMEOUT = 10.0  # ddcutil talks I2C at 100 kHz with retries; a few seconds is normal
BL_POWER_ON = "0"  # FB_BLANK_UNBLANK
BL_POWER_OFF = "4"  # FB_BLANK_POWERDOWN
DDC_POWER_MODE = "d6"
DDC_ON = "1"
DDC_OFF = "4"

Which = Callable[[str], str | None]


class ScreenPower:
    """One way to switch the display. `off()`/`on()` return True when the display obeyed."""

    name = "none"
    needs_black_fallback = False

    def off(self) -> bool:
        raise NotImplementedError

    def on(self) -> bool:
        raise NotImplementedError


def _run(argv: Sequence[str], env: Mapping[str, str] | None = None) -> bool:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            env=None if env is None else dict(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("screen power: %s failed: %s", argv[0], exc)
        return False
    if done.returncode != 0:
        log.warning(
            "screen power: %s exited %d: %s", argv[0], done.returncode, done.stderr.strip()[:200]
        )
        return False
    return True


class WlopmPower(ScreenPower):
    """`wlopm --off '*'`: every output of the compositor (names differ: HDMI-A-1, DSI-1…)."""

    name = "wlr-output-power"

    def __init__(self, wlopm: str, env: Mapping[str, str] | None = None) -> None:
        self._wlopm = wlopm
        self._env = env

    def off(self) -> bool:
        return _run([self._wlopm, "--off", "*"], self._env)

    def on(self) -> bool:
        return _run([self._wlopm, "--on", "*"], self._env)


class BacklightPower(ScreenPower):
    """A /sys/class/backlight device: `bl_power` when it has one, else `brightness`."""

    def __init__(self, device: Path) -> None:
        self.device = device
        self._bl_power = device / "bl_power"
        self._brightness = device / "brightness"
        self.uses_bl_power = _writable(self._bl_power)
        self.name = "backlight-bl_power" if self.uses_bl_power else "backlight-brightness"
        self._restore = _read(self._brightness) or _read(device / "max_brightness") or "1"
        if self._restore == "0":  # booted dark: coming back on must give some light
            self._restore = _read(device / "max_brightness") or "1"

    def off(self) -> bool:
        if self.uses_bl_power:
            return _write(self._bl_power, BL_POWER_OFF)
        current = _read(self._brightness)
        if current and current != "0":
            self._restore = current
        return _write(self._brightness, "0")

    def on(self) -> bool:
        if self.uses_bl_power:
            return _write(self._bl_power, BL_POWER_ON)
        return _write(self._brightness, self._restore)


class DdcPower(ScreenPower):
    """A monitor over DDC/CI (HDMI): VCP 0xD6, power mode."""

    name = "ddc-ci"

    def __init__(self, ddcutil: str) -> None:
        self._ddcutil = ddcutil

    def off(self) -> bool:
        return _run([self._ddcutil, "setvcp", DDC_POWER_MODE, DDC_OFF])

    def on(self) -> bool:
        return _run([self._ddcutil, "setvcp", DDC_POWER_MODE, DDC_ON])


class BlackFallback(ScreenPower):
    """Nothing to switch: the UI paints black. off()/on() succeed trivially."""

    name = "paint-black"
    needs_black_fallback = True

    def off(self) -> bool:
        return True

    def on(self) -> bool:
        return True


def detect(
    sys_root: Path = Path("/sys"),
    env: Mapping[str, str] | None = None,
    which: Which = shutil.which,
) -> ScreenPower:
    """The first path that works here (see the module docstring for the order)."""
    env = os.environ if env is None else env
    wlopm = which("wlopm")
    # `wlopm` with no argument lists the outputs: it fails when the compositor lacks the
    # protocol, and then the next path is tried.
    if wlopm and env.get("WAYLAND_DISPLAY") and _run([wlopm], env):
        log.info("screen power: wlr output-power through %s", wlopm)
        return WlopmPower(wlopm, env)
    backlight = sys_root / "class" / "backlight"
    try:
        devices = sorted(backlight.iterdir())
    except OSError:
        devices = []
    for device in devices:
        if _writable(device / "bl_power") or _writable(device / "brightness"):
            power = BacklightPower(device)
            log.info("screen power: %s through %s", power.name, device)
            return power
    ddcutil = which("ddcutil")
    # `getvcp d6` succeeds only when a monitor answers DDC/CI (many TVs do not).
    if ddcutil and _run([ddcutil, "getvcp", DDC_POWER_MODE]):
        log.info("screen power: DDC/CI through %s", ddcutil)
        return DdcPower(ddcutil)
    log.info("screen power: no way to switch the display off; night mode paints black")
    return BlackFallback()


class ScreenPowerSwitch:
    """The display's power, switched off the GUI thread: `set_power(False)` at night,
    `set_power(True)` on waking. Detection happens once, first, on the same worker.

    One worker, so commands never overtake each other; only the latest wish counts (a quick
    off-on while a slow DDC command runs ends "on", without a needless "off" first).
    """

    def __init__(self, detect_fn: Callable[[], ScreenPower] = detect) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-power")
        self._lock = threading.Lock()
        self._wanted_on = True
        self._is_on = True
        self.power: ScreenPower | None = None
        self._worker.submit(self._detect, detect_fn)

    def _detect(self, detect_fn: Callable[[], ScreenPower]) -> None:
        try:
            power = detect_fn()
        except Exception:  # a broken tool must not kill night mode: paint black
            log.exception("screen power: detection failed")
            power = BlackFallback()
        # A tablet restarted in the night (crash, update) finds the backlight still off: light
        # it, or it would stay dark until the next night ends.
        power.on()
        self.power = power

    def set_power(self, on: bool) -> Future[None]:
        with self._lock:
            self._wanted_on = on
        return self._worker.submit(self._apply)

    def _apply(self) -> None:
        with self._lock:
            wanted = self._wanted_on
        if wanted == self._is_on or self.power is None:
            return
        try:
            done = self.power.on() if wanted else self.power.off()
        except Exception:
            log.exception("screen power: %s failed", self.power.name)
            done = False
        if done:
            self._is_on = wanted

    def shutdown(self) -> None:
        """Light the screen again (never leave it dark behind a restart), then stop."""
        self.set_power(True)
        self._worker.shutdown(wait=True)


def _writable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.W_OK)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value + "\n")
    except OSError as exc:
        log.warning("screen power: cannot write %s: %s", path, exc)
        return False
    return True
