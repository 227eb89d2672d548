"""The boot step of scripts/appliance_arm64: the arm64 rootfs booted for real in
qemu-system-aarch64 (virt machine, virtio-gpu, TCG: no KVM). The checks run inside the VM
(scripts/appliance_arm64_vm_checks.sh, a unit of the VM copy only) and speak on its serial
console; this side follows them, takes the VM's screen through QEMU's monitor when they ask
("@@SCREEN name"), and prints their results with its own clock:
  boot        systemd is PID 1, foyer-firstboot ran, foyer-kiosk is active (READY=1 sent)
  pairing     the VM's screen (QEMU `screendump`): the pairing screen under cage
  watchdog    the tablet frozen with SIGSTOP: systemd's watchdog kills it, it starts again
  rollback    `foyer update` to a version whose tablet exits at once: rolled back
  start-limit the tablet killed at each start: systemd reboots the machine, and the tablet is
              back after the reboot

Also `--make-bad-wheel DIR`: the bad version (a wheel named foyer whose foyer-kiosk exits 1).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
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
    """The VM's serial console, read into a log and a buffer."""

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
        self.log = log.open("w", encoding="utf-8", errors="replace")
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

    def lines_from(self, since: int) -> tuple[list[str], int]:
        """Complete lines printed since offset `since`, and the offset after them."""
        with self.lock:
            end = self.text.rfind("\n", since) + 1
            if end <= since:
                return [], since
            return self.text[since:end].splitlines(), end


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
    def __init__(self, out: Path, screens: Path) -> None:
        self.out = out
        self.screens = screens
        self.started = time.monotonic()
        self.results: list[str] = []

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {text}", flush=True)

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

    def screendump(self, monitor: Monitor, name: str) -> None:
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

    def follow(self, serial: Serial, monitor: Monitor, timeout: float) -> bool:
        """What the checks inside say, until "@@DONE" (True) or the time is up."""
        since = 0
        end = time.monotonic() + timeout
        milestones = {
            "Reached target multi-user.target": "multi-user.target reached",
            "Started foyer-kiosk.service": "foyer-kiosk started",
            "reboot: Restarting system": "the VM reboots",
        }
        while time.monotonic() < end and not serial.closed:
            lines, since = serial.lines_from(since)
            for line in lines:
                clean = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line).strip()
                for needle, said in milestones.items():
                    if needle in clean:
                        self.say(said)
                found = re.search(r"@@(RESULT|LOG|SCREEN|DONE)\s?(.*)", clean)
                if not found or "echo" in clean:
                    continue
                kind, text = found.groups()
                if kind == "RESULT":
                    self.results.append(text)
                    self.say(text)
                elif kind == "LOG":
                    self.say("  " + text)
                elif kind == "SCREEN":
                    self.screendump(monitor, text.strip())
                else:
                    return True
            time.sleep(1)
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="vmlinuz, initrd.img, disk.img; logs")
    parser.add_argument("--screens", type=Path, help="where the screenshots go")
    parser.add_argument("--timeout", type=float, default=5400, help="seconds for everything")
    parser.add_argument("--make-bad-wheel", type=Path, metavar="DIR")
    args = parser.parse_args()
    if args.make_bad_wheel:
        print(make_bad_wheel(args.make_bad_wheel))
        return 0
    if args.out is None or args.screens is None:
        parser.error("--out and --screens are needed")
    run = Run(args.out, args.screens)
    vm, serial, monitor = run.start_vm()
    try:
        done = run.follow(serial, monitor, args.timeout)
    finally:
        with contextlib.suppress(OSError):
            monitor.command("quit")
        try:
            vm.wait(timeout=60)
        except subprocess.TimeoutExpired:
            vm.kill()
    print("results:" if done else "results (unfinished: time up or the VM gone):")
    for outcome in run.results:
        print(f"  {outcome}")
    return 0 if done and all("FAILED" not in o for o in run.results) else 1


if __name__ == "__main__":
    sys.exit(main())
