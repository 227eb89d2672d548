"""A real coturn (`turnserver`, Debian's `coturn` package) on loopback, for the tests and the
benchmarks that relay a call through TURN (docs/calls.md, "Running coturn").

It runs in the foreground (no daemon) with its own configuration, log, pid file and user
database in a temporary directory, listens on free ports of 127.0.0.1 only, plain UDP and TCP
(no TLS, no DTLS), and authenticates with the shared-secret scheme the backend issues
credentials for (`use-auth-secret`, `static-auth-secret`). `--allow-loopback-peers`: both peers
of a test call are on 127.0.0.1, which coturn refuses to relay to by default.

    with TurnServer.start(tmp_path, secret="…") as turn:
        turn.url  # "turn:127.0.0.1:PORT?transport=udp"

`turnserver_path()` is None when coturn is not installed: the tests that need it then skip
saying so (scripts/setup installs it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REALM = "foyer.test"
MISSING = "coturn's turnserver is not installed: run scripts/setup (it installs Debian's coturn)"
# Relayed ports come from a range; a small one, away from the ephemeral ports loopback tests
# take (Linux: 32768-60999), so two runs at once rarely collide.
RELAY_PORTS = 20


def turnserver_path() -> Path | None:
    found = shutil.which("turnserver") or (
        "/usr/bin/turnserver" if Path("/usr/bin/turnserver").exists() else None
    )
    return Path(found) if found else None


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _free_both() -> int:
    """A port free for UDP and TCP alike (TURN listens on both)."""
    for _ in range(50):
        port = _free_port(socket.SOCK_STREAM)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port for turnserver")


def _relay_range() -> int:
    """The first port of RELAY_PORTS consecutive free UDP ports in 20000-30000."""
    for start in range(20000 + (time.monotonic_ns() // 1000) % 9000, 30000, RELAY_PORTS):
        socks: list[socket.socket] = []
        try:
            for port in range(start, start + RELAY_PORTS):
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(udp)
                udp.bind(("127.0.0.1", port))
            return start
        except OSError:
            continue
        finally:
            for udp in socks:
                udp.close()
    raise RuntimeError("no free relay port range for turnserver")


def rest_credential(secret: str, name: str, ttl_seconds: int = 3600) -> tuple[str, str]:
    """The "TURN REST API" credentials coturn checks with `use-auth-secret`: the username is
    "<expiry>:<name>", the password base64(HMAC-SHA1(secret, username))."""
    username = f"{int(time.time()) + ttl_seconds}:{name}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


@dataclass
class TurnServer:
    process: subprocess.Popen[bytes]
    port: int
    secret: str
    directory: Path

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"

    @property
    def log_path(self) -> Path:
        return self.directory / "turnserver.log"

    def log(self) -> str:
        """Everything coturn logged (its log file, which it may suffix with a date)."""
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.directory.glob("*.log"))
        )

    def allocations(self) -> int:
        """How many relay allocations coturn made (one per side that relayed)."""
        return self.log().count("ALLOCATE processed, success")

    @classmethod
    def start(cls, directory: Path, secret: str) -> TurnServer:
        binary = turnserver_path()
        if binary is None:
            raise FileNotFoundError(MISSING)
        directory.mkdir(parents=True, exist_ok=True)
        port = _free_both()
        relay = _relay_range()
        config = directory / "turnserver.conf"
        # An empty configuration file of our own: without -c coturn reads /etc/turnserver.conf.
        config.write_text("# all settings on the command line (tests/turn_server.py)\n")
        command = [
            str(binary),
            "-c", str(config),
            "--listening-ip", "127.0.0.1",
            "--relay-ip", "127.0.0.1",
            "--listening-port", str(port),
            "--min-port", str(relay),
            "--max-port", str(relay + RELAY_PORTS - 1),
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm", REALM,
            "--fingerprint",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-rfc5780",
            "--no-software-attribute",
            "--no-stdout-log",
            "--simple-log",
            "--log-file", str(directory / "turnserver.log"),
            "--pidfile", str(directory / "turnserver.pid"),
            "--userdb", str(directory / "turndb.sqlite3"),
            "--verbose",
        ]  # fmt: skip
        with (directory / "turnserver.out").open("ab") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        server = cls(process, port, secret, directory)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 15) -> None:
        """Ready when it answers a STUN binding request on its UDP port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"turnserver exited at once:\n{self.log()}")
            if self._binding_answered():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"turnserver did not answer within {timeout} s:\n{self.log()}")

    def _binding_answered(self) -> bool:
        # RFC 5389: a Binding request, no attributes; the magic cookie 0x2112A442.
        transaction = bytes(range(12))
        request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + transaction
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(0.2)
            try:
                udp.sendto(request, ("127.0.0.1", self.port))
                answer = udp.recv(2048)
            except OSError:
                return False
        return answer[:2] == b"\x01\x01" and answer[8:20] == transaction

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> TurnServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
