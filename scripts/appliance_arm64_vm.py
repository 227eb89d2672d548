"""The boot step of scripts/appliance_arm64: the arm64 rootfs booted for real in
qemu-system-aarch64 (virt machine, virtio-gpu, TCG: no KVM), driven through its serial console
(a root shell the VM copy has, the image has none) and QEMU's monitor (the screen).

What it checks, in order, each reported with its time; a check that fails is said and the
next ones still run where they can:
  boot        systemd is PID 1, foyer-firstboot ran, foyer-kiosk is active (READY=1 sent)
  pairing     the VM's screen (QEMU `screendump`) saved: the pairing screen under cage
  watchdog    the tablet frozen with SIGSTOP: systemd's watchdog kills it, it starts again
  rollback    `foyer update` to a version whose tablet exits at once: rolled back
  start-limit the tablet killed at each start: after five, systemd reboots the machine, and
              the tablet is back after the reboot

Also `--make-bad-wheel DIR`: the bad version (a wheel named foyer whose foyer-kiosk exits 1).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

BAD_VERSION = "0.0.99"


def make_bad_wheel(folder: Path) -> Path:
    """A well-formed wheel `foyer` BAD_VERSION with a `tablet` extra and entry points that
    exit 1 at once: it installs, the kiosk cannot start."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"foyer-{BAD_VERSION}.dist-info"
    files = {
        "foyer_bad/__init__.py": "import sys\n\n\ndef main():\n"
        '    print("foyer (bad build): cannot start", file=sys.stderr)\n    sys.exit(1)\n',
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: foyer\nVersion: {BAD_VERSION}\n"
        "Provides-Extra: tablet\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: appliance_arm64\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{dist}/entry_points.txt": "[console_scripts]\n"
        + "".join(f"{name} = foyer_bad:main\n" for name in ("foyer", "foyer-kiosk")),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"foyer-{BAD_VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


class Serial:
    """The VM's serial console: everything it prints goes to a log; commands are run in its
    root shell between markers the typed line cannot contain."""

    def __init__(self, path: Path, log: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                self.sock.connect(str(path))
                break
            except OSError:
                time.sleep(0.2)
        self.text = ""
        self.lock = threading.Lock()
        self.log = log.open("a", encoding="utf-8", errors="replace")
        self.count = 1000
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True  # the VM is gone
                return
            chunk = data.decode("utf-8", errors="replace")
            with self.lock:
                self.text += chunk
            self.log.write(chunk)
            self.log.flush()

    def mark(self) -> int:
        with self.lock:
            return len(self.text)

    def wait_for(self, pattern: str, timeout: float, since: int = 0) -> re.Match[str] | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                found = re.search(pattern, self.text[since:])
            if found:
                return found
            if self.closed:
                return None
            time.sleep(0.5)
        return None

    def run(self, command: str, timeout: float = 300) -> tuple[int | None, str]:
        if self.closed:
            return None, ""
        self.count += 1
        n = self.count
        since = self.mark()
        line = f"echo @@S$(({n}-1)); {command}; echo @@E$(({n}-1)):$?\n"
        self.sock.sendall(line.encode())
        found = self.wait_for(rf"@@S{n - 1}\r?\n(.*?)@@E{n - 1}:(\d+)", timeout, since)
        if found is None:
            return None, ""
        return int(found.group(2)), found.group(1).replace("\r", "")


class Monitor:
    def __init__(self, path: Path) -> None:
        self.path = path

    def command(self, text: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(self.path))
            sock.settimeout(30)
            sock.sendall(text.encode() + b"\n")
            time.sleep(2)
            return sock.recv(65536).decode(errors="replace")


class Run:
    def __init__(self, out: Path, screens: Path, port: int) -> None:
        self.out = out
        self.screens = screens
        self.port = port
        self.started = time.monotonic()
        self.results: list[tuple[str, str]] = []

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {text}", flush=True)

    def result(self, check: str, outcome: str) -> None:
        self.results.append((check, outcome))
        self.say(f"{check}: {outcome}")

    def start_vm(self) -> tuple[subprocess.Popen[bytes], Serial, Monitor]:
        serial_sock = self.out / "serial.sock"
        monitor_sock = self.out / "monitor.sock"
        for sock in (serial_sock, monitor_sock):
            sock.unlink(missing_ok=True)
        command = [
            "qemu-system-aarch64",
            *("-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "2048"),
            *("-kernel", str(self.out / "vmlinuz"), "-initrd", str(self.out / "initrd.img")),
            *("-append", "root=/dev/vda rw console=ttyAMA0 loglevel=4"),
            *("-drive", f"file={self.out / 'disk.img'},format=raw,if=none,id=disk"),
            *("-device", "virtio-blk-pci,drive=disk"),
            *("-device", "virtio-gpu-pci", "-display", "none"),
            *("-device", "virtio-keyboard-pci", "-device", "virtio-tablet-pci"),
            *("-netdev", "user,id=net", "-device", "virtio-net-pci,netdev=net,romfile="),
            # A hardware watchdog for systemd's RuntimeWatchdogSec (a Pi has its own).
            *("-device", "i6300esb", "-action", "watchdog=reset"),
            *("-chardev", f"socket,id=ser,path={serial_sock},server=on,wait=off"),
            *("-serial", "chardev:ser"),
            *("-monitor", f"unix:{monitor_sock},server,nowait"),
        ]
        self.say("qemu: " + " ".join(command))
        vm = subprocess.Popen(command)
        time.sleep(2)
        return vm, Serial(serial_sock, self.out / "serial.log"), Monitor(monitor_sock)

    def screendump(self, monitor: Monitor, name: str) -> Path:
        from PIL import Image

        ppm = self.out / f"{name}.ppm"
        ppm.unlink(missing_ok=True)
        monitor.command(f"screendump {ppm}")
        for _ in range(30):
            if ppm.exists() and ppm.stat().st_size > 0:
                break
            time.sleep(1)
        png = self.screens / f"{name}.png"
        Image.open(ppm).save(png)
        self.say(f"screen saved to {png}")
        return png

    def wait_active(self, serial: Serial, unit: str, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            _, text = serial.run(f"systemctl is-active {unit}", timeout=120)
            if text.strip() == "active":
                return True
            time.sleep(10)
        return False

    def kiosk_state(self, serial: Serial) -> str:
        """ "ActiveState=… MainPID=… NRestarts=…" of the tablet's unit."""
        _, text = serial.run("systemctl show foyer-kiosk -p ActiveState -p NRestarts -p MainPID")
        return " ".join(sorted(text.split()))

    def check_boot(self, serial: Serial, login_timeout: float) -> bool:
        found = serial.wait_for(r"root@foyer:~# ", login_timeout)
        if found is None:
            self.result("boot", f"no root shell on the serial console within {login_timeout:.0f} s")
            return False
        self.say("root shell on the serial console")
        serial.run("stty cols 250; export SYSTEMD_PAGER= SYSTEMD_COLORS=0")
        _, pid1 = serial.run("ps -p 1 -o comm=")
        _, analyze = serial.run("systemd-analyze time", timeout=600)
        _, firstboot = serial.run(
            "systemctl show foyer-firstboot -p ActiveState -p Result --value | tr '\\n' ' '; "
            "journalctl -b -t foyer-firstboot --no-pager | tail -5"
        )
        self.say(f"PID 1: {pid1.strip()}; {analyze.strip()}")
        self.say(f"foyer-firstboot: {firstboot.strip()}")
        started = time.monotonic()
        active = self.wait_active(serial, "foyer-kiosk", 1500)
        _, journal = serial.run("journalctl -b -t foyer-kiosk --no-pager | tail -25")
        (self.out / "kiosk-journal.txt").write_text(journal)
        if not active:
            _, status = serial.run("systemctl status foyer-kiosk --no-pager -l | tail -30")
            self.say(status)
            self.result("boot", "foyer-kiosk never became active (READY=1): " + status[-300:])
            return False
        self.result(
            "boot",
            f"systemd is PID 1 ({pid1.strip()}), firstboot {firstboot.split()[0:2]}, "
            f"foyer-kiosk active {time.monotonic() - started:.0f} s after the shell",
        )
        return True

    def check_pairing(self, serial: Serial, monitor: Monitor) -> None:
        # The pairing screen asks the backend for a code first: give it time to be painted.
        for _ in range(60):
            status, _ = serial.run("test -s /var/lib/foyer/pairing_code.json")
            if status == 0:
                break
            time.sleep(10)
        time.sleep(20)
        png = self.screendump(monitor, "appliance-vm-pairing")
        _, code = serial.run("cat /var/lib/foyer/pairing_code.json")
        self.result(
            "pairing", f"screen saved ({png.name}); the tablet's pending code: {code.strip()}"
        )

    def check_watchdog(self, serial: Serial) -> None:
        before = self.kiosk_state(serial)
        status, _ = serial.run("pkill -STOP -u foyer -f bin/foyer-kiosk")
        self.say(f"SIGSTOP sent (pkill {status}); before: {before}")
        stopped = time.monotonic()
        seen = serial.wait_for(r"[Ww]atchdog timeout", 180, 0)
        restarted = self.wait_active(serial, "foyer-kiosk", 900)
        after = self.kiosk_state(serial)
        _, journal = serial.run(
            "journalctl -b -u foyer-kiosk --no-pager"
            " | grep -iE 'watchdog|abort|Scheduled restart' | tail -5"
        )
        restarts = [re.findall(r"NRestarts=(\d+)", state) for state in (before, after)]
        ok = restarted and restarts[0] != restarts[1]
        self.result(
            "watchdog",
            f"{'held' if ok else 'FAILED'}: before {before!r}, after {after!r}, "
            f"{time.monotonic() - stopped:.0f} s; journal: {journal.strip()!r}"
            + ("" if seen else " (no watchdog line on the console)"),
        )

    def check_rollback(self, serial: Serial) -> None:
        _, before = serial.run("readlink /opt/foyer/current")
        started = time.monotonic()
        status, text = serial.run(
            f"/opt/foyer/current/bin/foyer update --version {BAD_VERSION} "
            f"--source /root/bad-update/foyer-{BAD_VERSION}-py3-none-any.whl "
            "--find-links /root/bad-update --unit foyer-kiosk.service --settle 30 2>&1 | tail -5; "
            "exit_status=${PIPESTATUS[0]}; (exit $exit_status)",
            timeout=3000,
        )
        _, after = serial.run("readlink /opt/foyer/current")
        active = self.wait_active(serial, "foyer-kiosk", 900)
        ok = status == 1 and before.strip() == after.strip() and active
        self.result(
            "rollback",
            f"{'held' if ok else 'FAILED'}: foyer update exit {status}, current {before.strip()} "
            f"→ {after.strip()}, kiosk {'active' if active else 'not active'} again, "
            f"{time.monotonic() - started:.0f} s; said: {text.strip()[-300:]!r}",
        )

    def check_start_limit(self, serial: Serial, monitor: Monitor) -> None:
        """Kill the tablet as soon as each start begins (a start under TCG takes minutes; the
        limit counts starts within ten minutes): the sixth is refused and
        StartLimitAction=reboot reboots."""
        started = time.monotonic()
        since = serial.mark()
        serial.sock.sendall(
            b"for i in $(seq 12); do "
            b"until [[ $(systemctl is-active foyer-kiosk) =~ ^(active|activating)$ ]]; "
            b"do sleep 0.5; done; echo kill $i; systemctl kill -s SEGV foyer-kiosk; sleep 1; done\n"
        )
        rebooted = serial.wait_for(r"(reboot: Restarting system|Booting Linux)", 1800, since)
        if rebooted is None:
            self.result("start-limit", "FAILED: no reboot within 30 min")
            return
        self.say(f"reboot after {time.monotonic() - started:.0f} s")
        back = serial.wait_for(r"root@foyer:~# ", 1800, rebooted.end() + since)
        if back is None:
            self.result("start-limit", "rebooted, but no shell after the reboot")
            return
        serial.run("stty cols 250; export SYSTEMD_PAGER= SYSTEMD_COLORS=0")
        _, why = serial.run(
            "journalctl -b -1 -u foyer-kiosk --no-pager"
            " | grep -iE 'start request|start-limit|reboot' | tail -4"
        )
        active = self.wait_active(serial, "foyer-kiosk", 1500)
        self.result(
            "start-limit",
            f"{'held' if active else 'FAILED'}: rebooted by the start limit "
            f"({time.monotonic() - started:.0f} s), the journal of the boot before: "
            f"{why.strip()!r}; kiosk {'active' if active else 'not active'} after the reboot",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="vmlinuz, initrd.img, disk.img; logs")
    parser.add_argument("--screens", type=Path, help="where the screenshots go")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--login-timeout", type=float, default=1800)
    parser.add_argument("--checks", default="pairing,watchdog,rollback,start-limit")
    parser.add_argument("--make-bad-wheel", type=Path, metavar="DIR")
    args = parser.parse_args()
    if args.make_bad_wheel:
        print(make_bad_wheel(args.make_bad_wheel))
        return 0
    if args.out is None or args.screens is None:
        parser.error("--out and --screens are needed")
    run = Run(args.out, args.screens, args.port)
    vm, serial, monitor = run.start_vm()
    checks = args.checks.split(",")
    try:
        if run.check_boot(serial, args.login_timeout):
            if "pairing" in checks:
                run.check_pairing(serial, monitor)
            if "watchdog" in checks:
                run.check_watchdog(serial)
            if "rollback" in checks:
                run.check_rollback(serial)
            if "start-limit" in checks:
                run.check_start_limit(serial, monitor)
        elif vm.poll() is None:
            run.screendump(monitor, "appliance-vm-stuck")
    finally:
        serial.run("systemctl poweroff", timeout=5)
        try:
            vm.wait(timeout=120)
        except subprocess.TimeoutExpired:
            vm.kill()
    print("results:")
    for check, outcome in run.results:
        print(f"  {check}: {outcome}")
    return 0 if run.results and all("FAILED" not in o for _, o in run.results) else 1


if __name__ == "__main__":
    sys.exit(main())
