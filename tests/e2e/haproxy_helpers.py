"""Several `foyer-backend serve` processes on one PostgreSQL behind a real HAProxy, on loopback.

HAProxy runs `deploy/haproxy.cfg` itself: `loopback_config` changes only what must differ on a
test machine (the listening addresses, the certificate, the `server` lines, the stats socket,
the process settings of `global`) and fails when one of the lines it changes is no longer in
the file, so that the tested configuration never drifts from the shipped one. TLS stays on: the
certificate is a self-signed one made here with `openssl` for 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_CONFIG = REPO / "deploy" / "haproxy.cfg"
BACKEND_POOL = "foyer_servers"  # the `backend` section of deploy/haproxy.cfg
API = "/api/v1"
CLIENT_ID = "foyer-kiosk"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PASSWORD = "correct horse 1"
PG_HOST = "127.0.0.1"
PG_PORT = 5432


def haproxy_binary() -> str:
    """Debian's haproxy (scripts/setup installs it); /usr/sbin is not on every user's PATH."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("haproxy is not installed (scripts/setup installs Debian's package)")
    return found


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: (HAProxy's PEM, certificate then key; the
    certificate alone, for the clients to trust)."""
    directory.mkdir(parents=True, exist_ok=True)
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    combined = directory / "foyer.pem"
    combined.write_bytes(cert.read_bytes() + key.read_bytes())
    combined.chmod(0o600)
    return combined, cert


def _replace_once(text: str, pattern: str, replacement: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"deploy/haproxy.cfg: expected one line matching {pattern!r}, found {count}"
    return new


@dataclass
class Ports:
    http: int = field(default_factory=free_port)
    https: int = field(default_factory=free_port)
    stats: int = field(default_factory=free_port)


def loopback_config(
    production: str, ports: Ports, pem: Path, stats_socket: Path, servers: dict[str, str]
) -> str:
    """`deploy/haproxy.cfg` for this machine: `servers` maps a name to `host:port`."""
    text = production
    # Process settings: in the foreground as the test's user, logging to its stderr.
    for directive in ("chroot", "user", "group", "daemon"):
        text = _replace_once(text, rf"^\s*{directive}\b.*\n", "")
    text, logs = re.subn(r"^\s*log /dev/log .*\n", "", text, flags=re.MULTILINE)
    assert logs >= 1, "deploy/haproxy.cfg: no `log /dev/log` line in global"
    text = _replace_once(
        text, r"^(\s*)maxconn 20000$", r"\1maxconn 2000\n\1log stderr format raw local0"
    )
    text = _replace_once(
        text, r"^(\s*stats socket) /run/haproxy/admin\.sock ", rf"\1 {stats_socket} "
    )
    text = _replace_once(text, r"^(\s*bind) :::80 v4v6$", rf"\1 127.0.0.1:{ports.http}")
    text = _replace_once(
        text,
        r"^(\s*bind) :::443 v4v6 ssl crt /etc/haproxy/certs/foyer\.pem ",
        rf"\1 127.0.0.1:{ports.https} ssl crt {pem} ",
    )
    text = _replace_once(text, r"^(\s*bind) 127\.0\.0\.1:8404$", rf"\1 127.0.0.1:{ports.stats}")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if re.match(r"\s*server app\d ", line))
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    lines = [line for line in lines if not re.match(r"\s*server app\d ", line)]
    for offset, (name, address) in enumerate(servers.items()):
        lines.insert(first + offset, f"{indent}server {name} {address}")
    return "\n".join(lines) + "\n"


class Haproxy:
    """A real haproxy process in the foreground, on the loopback variant of deploy/haproxy.cfg."""

    def __init__(self, directory: Path, servers: dict[str, str]) -> None:
        self.binary = haproxy_binary()
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.pem, self.certificate = make_certificate(directory / "tls")
        self.ports = Ports()
        # A short path: a Unix socket's address is at most 107 bytes, and pytest's temporary
        # directories can come close.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="foyer-haproxy-"))
        self.stats_socket = self.socket_dir / "admin.sock"
        self.config = directory / "haproxy.cfg"
        self.config.write_text(
            loopback_config(
                PRODUCTION_CONFIG.read_text(), self.ports, self.pem, self.stats_socket, servers
            )
        )
        self.log_path = directory / "haproxy.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.https}"

    @property
    def plain_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.http}"

    def check(self) -> str:
        out = subprocess.run(
            [self.binary, "-c", "-f", str(self.config)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def start(self) -> None:
        self.check()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited:\n{self.log_path.read_text()}")
            try:
                self.stats()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"haproxy's stats socket did not answer:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def command(self, line: str) -> str:
        """One command on the admin socket (what `socat stdio /run/haproxy/admin.sock` does)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> dict[str, dict[str, str]]:
        """`show stat` of the servers of the Foyer backend, by server name."""
        raw = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(raw))
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == BACKEND_POOL and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def status(self, server: str) -> str:
        """UP, DOWN, or a transition (`UP 1/2`, `DOWN 1/2`) as haproxy says it."""
        return self.stats()[server]["status"]

    def wait_for_status(self, server: str, wanted: str, patience: float = 60) -> None:
        """Until haproxy's health checks say `wanted` of `server` (a bound on waiting, not a
        speed claim: checks run every 2 s and need two results in a row)."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if self.status(server) == wanted:
                return
            time.sleep(0.1)
        raise AssertionError(
            f"{server} still {self.status(server)!r}, not {wanted!r}:\n{self.log_path.read_text()}"
        )


# --- PostgreSQL: a database of the test's own, which processes outside pytest can reach -------


def _admin() -> tuple[str, Any]:
    from tests.api.conftest import _connect_admin  # psycopg: only where PostgreSQL is wanted

    try:
        return _connect_admin()
    except ConnectionError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")


@dataclass
class Database:
    user: str
    name: str
    admin: Any  # psycopg.Connection, autocommit, on the maintenance database

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{PG_HOST}:{PG_PORT}/{self.name}"

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return list(conn.execute(sql, params).fetchall())

    def drop(self) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def migrate(self, data_dir: Path) -> None:
        """`foyer-backend migrate`: once, before the servers start (docs/deployment.md)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "backend.cli",
                "migrate",
                "--data",
                str(data_dir),
                "--database-url",
                self.url,
            ],
            check=True,
            capture_output=True,
        )


@contextmanager
def temporary_database() -> Iterator[Database]:
    """A new, empty database `foyer_e2e_<pid>_<random>`, dropped at the end (with its
    connections: a killed backend's may linger)."""
    user, admin = _admin()
    database = Database(user, f"foyer_e2e_{os.getpid()}_{secrets.token_hex(4)}", admin)
    admin.execute(f'CREATE DATABASE "{database.name}"')
    try:
        yield database
    finally:
        try:
            database.drop()
        finally:
            admin.close()


# --- the people and the tablet --------------------------------------------------------------


@dataclass
class Account:
    headers: dict[str, str]
    beneficiary_id: int


def care_manager(url: str, verify: bool | str = True) -> Account:
    """Sign in the care manager made by `create-user` and create Jeanne Martin."""
    token = requests.post(
        url + f"{API}/auth/token",
        data={"username": "cm@example.fr", "password": PASSWORD},
        timeout=10,
        verify=verify,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    beneficiary = requests.post(
        url + f"{API}/beneficiaries",
        json={"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"},
        headers=headers,
        timeout=10,
        verify=verify,
    ).json()
    return Account(headers, int(beneficiary["id"]))


def pair_device(url: str, account: Account, verify: bool | str = True) -> tuple[str, int]:
    """Pair a tablet as the tablet and its care manager do (RFC 8628): (credential, id)."""
    grant = requests.post(
        url + f"{API}/device/authorize", data={"client_id": CLIENT_ID}, timeout=10, verify=verify
    ).json()
    approved = requests.post(
        url + f"{API}/devices/approve",
        json={"user_code": grant["user_code"], "beneficiary_id": account.beneficiary_id},
        headers=account.headers,
        timeout=10,
        verify=verify,
    )
    assert approved.status_code == 200, approved.text
    issued = requests.post(
        url + f"{API}/device/token",
        data={
            "grant_type": DEVICE_GRANT,
            "device_code": grant["device_code"],
            "client_id": CLIENT_ID,
        },
        timeout=10,
        verify=verify,
    ).json()
    return str(issued["access_token"]), int(issued["device_id"])


def add_visit(url: str, account: Account, title: str, verify: bool | str = True) -> None:
    response = requests.post(
        url + f"{API}/beneficiaries/{account.beneficiary_id}/events",
        json={"title": title, "start": "2026-12-02T10:00:00", "duration_minutes": 30},
        headers=account.headers,
        timeout=10,
        verify=verify,
    )
    assert response.status_code == 201, response.text
