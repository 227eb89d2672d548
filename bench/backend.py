"""A real backend process on loopback for the benchmarks, a fleet of tablets made in its
database, and a minimal HTTP/1.1 client that counts the bytes on the wire."""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import bindparam, insert, update

from backend import db, security
from backend.models import Beneficiary, Device, User

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password 2026"  # noqa: S105 - a throw-away benchmark account


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Backend:
    """`foyer-backend serve` in a subprocess; `pid` is the one to measure (with its workers)."""

    url: str
    port: int
    data_dir: Path
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def migrate(data_dir: Path, database_url: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(database_url)
    try:
        db.upgrade_to_head(engine)
    finally:
        engine.dispose()


def start(
    data_dir: Path,
    database_url: str | None = None,
    workers: int = 1,
    open_meteo_url: str | None = None,
) -> Backend:
    """Start the backend and wait until /healthz answers (the schema must be migrated)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url_of_db = database_url or f"sqlite:///{data_dir / 'foyer.sqlite3'}"
    port = free_port()
    log_path = data_dir / "backend.log"
    command = [sys.executable, "-m", "backend.cli", "serve", "--data", str(data_dir)]
    command += ["--port", str(port), "--workers", str(workers), "--database-url", url_of_db]
    if open_meteo_url is not None:
        command += ["--open-meteo-url", open_meteo_url]
    env = {**os.environ, "FOYER_BENCH": "1"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    backend = Backend(f"http://127.0.0.1:{port}", port, data_dir, url_of_db, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"backend exited early:\n{log_path.read_text()}")
        try:
            if request("127.0.0.1", port, "GET", "/healthz").status == 200:
                # Several workers: each answers /healthz; give the others a moment to start.
                time.sleep(0.5 * (workers - 1))
                return backend
        except OSError:
            time.sleep(0.1)
    backend.stop()
    raise RuntimeError(f"backend did not start:\n{log_path.read_text()}")


# --- PostgreSQL: a fresh database per run ----------------------------------------------------


def create_pg_database() -> str:
    name = f"foyer_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


# --- a fleet of paired tablets, made directly in the database --------------------------------


@dataclass(frozen=True)
class Fleet:
    care_manager_email: str
    beneficiary_ids: list[int]
    credentials: list[str]  # credentials[i] is the tablet of beneficiary_ids[i]
    device_ids: list[int]


def make_fleet(database_url: str, tablets: int) -> Fleet:
    """One care manager, `tablets` beneficiaries each with one paired tablet, in bulk.

    Going through pairing 10,000 times would take minutes and measure nothing we want here;
    the rows are the ones pairing makes (credential kept as its SHA-256)."""
    engine = db.make_engine(database_url)
    now = datetime.now(UTC)
    email = f"bench-{secrets.token_hex(3)}@foyer.example"
    credentials = [security.new_secret("fyd_") for _ in range(tablets)]
    try:
        with engine.begin() as conn:
            user_id = conn.execute(
                insert(User).returning(User.id),
                {
                    "email": email,
                    "name": "Claire Banc-d'essai",
                    "role": "care_manager",
                    "password_hash": security.hash_password(PASSWORD),
                    "created_at": now,
                },
            ).scalar_one()
            rows = [
                {
                    "first_name": "Jeanne",
                    "last_name": f"Test {i}",
                    "timezone": "Europe/Paris",
                    # A home with a position, so that the tablet's weather works as at home.
                    "place_name": "Paris",
                    "latitude": 48.8566,
                    "longitude": 2.3522,
                    "care_manager_id": user_id,
                    "created_at": now,
                }
                for i in range(tablets)
            ]
            ids = list(conn.execute(insert(Beneficiary).returning(Beneficiary.id), rows).scalars())
            device_ids = conn.execute(
                insert(Device).returning(Device.id),
                [
                    {
                        "beneficiary_id": beneficiary_id,
                        "name": f"Tablette {i}",
                        "credential_hash": security.secret_digest(credential),
                        "created_at": now,
                        # A fleet already running: last_seen is fresh, as in steady state.
                        "last_seen_at": now,
                    }
                    for i, (beneficiary_id, credential) in enumerate(
                        zip(ids, credentials, strict=True)
                    )
                ],
            ).scalars()
            devices = list(device_ids)
    finally:
        engine.dispose()
    return Fleet(email, ids, credentials, devices)


def spread_last_seen(database_url: str, device_ids: list[int], resolution: float = 60.0) -> None:
    """Give each tablet a `last_seen_at` at a random point of the last `resolution` seconds.

    The backend rewrites it once a minute per tablet (LAST_SEEN_RESOLUTION): a fleet that has
    run for a while does so evenly, about one write per tablet per minute, and a benchmark step
    should see that rate, neither a write at every tablet's first poll nor none at all."""
    engine = db.make_engine(database_url)
    now = datetime.now(UTC)
    rows = [
        {"device_id": device_id, "seen": now - timedelta(seconds=random.uniform(0, resolution))}
        for device_id in device_ids
    ]
    try:
        with engine.begin() as conn:
            conn.execute(
                update(Device)
                .where(Device.id == bindparam("device_id"))
                .values(last_seen_at=bindparam("seen")),
                rows,
            )
    finally:
        engine.dispose()


def login(port: int, email: str) -> dict[str, str]:
    body = f"username={email}&password={PASSWORD.replace(' ', '+')}".encode()
    answer = request(
        "127.0.0.1",
        port,
        "POST",
        "/api/v1/auth/token",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if answer.status != 200:
        raise RuntimeError(f"login failed: {answer.status} {answer.body[:200]!r}")
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


# --- HTTP/1.1 on a socket, counting bytes ------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent_bytes: int  # request line, headers and body, as written to the socket
    received_bytes: int  # status line, headers and body, as read from it
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def encode_request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a fresh connection (blocking); what travelled, byte for byte."""
    return asyncio.run(_one(host, port, method, path, body, headers))


async def _one(
    host: str, port: int, method: str, path: str, body: bytes, headers: dict[str, str] | None
) -> Answer:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        return await exchange(reader, writer, encode_request(method, path, body, headers))
    finally:
        writer.close()
        await writer.wait_closed()


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> Answer:
    """Send one request on an open keep-alive connection and read its whole answer."""
    start = time.perf_counter()
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status, headers = parse_head(head[:-4])
    length = int(headers.get("content-length", "0"))
    payload = await reader.readexactly(length) if length else b""
    return Answer(
        status, headers, payload, len(raw), len(head) + length, time.perf_counter() - start
    )
