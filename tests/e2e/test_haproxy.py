"""Several `foyer-backend serve` processes on one PostgreSQL behind a real HAProxy running
`deploy/haproxy.cfg` (its loopback variant: tests/e2e/haproxy_helpers.py), TLS included.

Each process has its own data directory, as separate machines would, and they share only the
database and the console secret (FOYER_CONSOLE_SECRET). The tablet side is the tablet's own
code: DeviceClient, Outbox and its flush, over a requests session trusting the test's
certificate.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import re
import secrets
import signal
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from provisioning.http import new_session
from tests.e2e.conftest import RunningBackend, free_port, start_backend
from tests.e2e.haproxy_helpers import (
    API,
    PASSWORD,
    Account,
    Database,
    Haproxy,
    add_visit,
    care_manager,
    haproxy_binary,
    pair_device,
    temporary_database,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

SERVERS = ("app1", "app2", "app3")


@dataclass
class Cluster:
    database: Database
    servers: dict[str, RunningBackend]
    proxy: Haproxy
    account: Account
    device_token: str
    device_id: int

    def session(self) -> requests.Session:
        """The tablet's HTTP session, trusting the test's certificate."""
        session = new_session()
        # Not from the environment: REQUESTS_CA_BUNDLE, where set, would win over `verify`.
        session.trust_env = False
        session.verify = str(self.proxy.certificate)
        return session

    def device_client(self, token: str | None = None) -> DeviceClient:
        return DeviceClient(self.session(), self.proxy.url, token or self.device_token)

    def only(self, server: str) -> None:
        """Put every other server in maintenance (the admin socket's `disable server`), so that
        the next requests through HAProxy go to `server`."""
        for name in SERVERS:
            verb = "enable" if name == server else "disable"
            self.proxy.command(f"{verb} server foyer_servers/{name}")
        self.proxy.wait_for_status(server, "UP")


def _server_args(database: Database, proxy: Haproxy) -> tuple[str, ...]:
    # Three processes, each with a small pool: together well under max_connections (100),
    # which the other tests running at the same time share.
    return (
        "--database-url",
        database.url,
        "--database-connections",
        "6",
        "--public-url",
        proxy.url,
    )


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    haproxy_binary()  # skips first when HAProxy is not installed
    # The one secret every process signs the console's forms with (backend/console/secret.py);
    # the servers inherit it from this environment.
    monkeypatch.setenv("FOYER_CONSOLE_SECRET", secrets.token_hex(32))
    with temporary_database() as database:
        database.migrate(tmp_path / "migrate")
        ports = {name: free_port() for name in SERVERS}
        proxy = Haproxy(
            tmp_path / "haproxy", {name: f"127.0.0.1:{port}" for name, port in ports.items()}
        )
        servers: dict[str, RunningBackend] = {}
        # One photo directory for all, as a shared mount would be (docs/deployment.md): the
        # rest of each data directory is the server's own.
        shared_photos = tmp_path / "shared-photos"
        shared_photos.mkdir()
        for name in SERVERS:
            (tmp_path / name).mkdir()
            (tmp_path / name / "photos").symlink_to(shared_photos, target_is_directory=True)
        try:
            for name, port in ports.items():
                servers[name] = start_backend(
                    tmp_path / name, port, extra_args=_server_args(database, proxy)
                )
            proxy.start()
            for name in SERVERS:
                proxy.wait_for_status(name, "UP")
            servers["app1"].cli(
                "create-user",
                "--database-url",
                database.url,
                "--email",
                "cm@example.fr",
                "--password",
                PASSWORD,
                "--name",
                "Claire Dubois",
                "--role",
                "care_manager",
            )
            verify = str(proxy.certificate)
            account = care_manager(proxy.url, verify)
            token, device_id = pair_device(proxy.url, account, verify)
            yield Cluster(database, servers, proxy, account, token, device_id)
        finally:
            proxy.stop()
            for server in servers.values():
                server.stop(patience=1)


def _beneficiary(cluster: Cluster, first_name: str) -> Account:
    created = requests.post(
        cluster.proxy.url + f"{API}/beneficiaries",
        json={"first_name": first_name, "last_name": "Martin", "timezone": "Europe/Paris"},
        headers=cluster.account.headers,
        timeout=10,
        verify=str(cluster.proxy.certificate),
    )
    assert created.status_code == 201, created.text
    return Account(cluster.account.headers, int(created.json()["id"]))


def _kill(server: RunningBackend) -> None:
    """kill -9: no graceful shutdown, its connections cut by the kernel."""
    server.process.kill()
    server.process.wait()


def _wait_for(condition: Callable[[], bool], what: str, patience: float = 30) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def _answers(proxy: Haproxy, request: str) -> list[tuple[str, int, str]]:
    """(server, status, log line) of each `request` in HAProxy's log (option httplog: the
    status is -1 or a 5xx when the server's connection broke)."""
    found = []
    for line in proxy.log_path.read_text().splitlines():
        fields = line.split()
        if request in line and len(fields) > 5 and "/" in fields[3]:
            found.append((fields[3].split("/", 1)[1], int(fields[5]), line))
    return found


def _titles(payload: dict[str, Any]) -> set[str]:
    return {event["title"] for event in payload["upserts"].get("events", [])}


def test_a_long_poll_on_one_server_is_woken_by_a_write_through_another(cluster: Cluster) -> None:
    """The tablet's long-poll, through HAProxy, waits on app1; a care manager's write made
    directly on app2 answers it with the change (LISTEN/NOTIFY through PostgreSQL), long before
    its 25 s: a poll that times out answers the empty delta it read before waiting."""
    client = cluster.device_client()
    cursor = client.sync(None, 0)["cursor"]
    cluster.only("app1")
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def poll() -> None:
        try:
            answers.append(client.sync(cursor, 25))
        except BaseException as exc:
            errors.append(exc)

    polling = threading.Thread(target=poll)
    polling.start()
    time.sleep(1.5)  # the poll reaches app1 and waits there (a slower start only weakens this)
    assert polling.is_alive() and not answers, "nothing changed yet: the poll must be waiting"
    assert int(cluster.proxy.stats()["app1"]["scur"]) >= 1, "the poll is held on app1"
    written = time.monotonic()
    add_visit(cluster.servers["app2"].url, cluster.account, "Kiné avec Paul")
    polling.join(timeout=40)
    answered_after = time.monotonic() - written
    assert not errors, errors
    assert len(answers) == 1
    assert _titles(answers[0]) == {"Kiné avec Paul"}
    assert answers[0]["cursor"] != cursor
    print(f"long-poll on app1 answered {answered_after:.2f} s after the write on app2")


def test_b_server_killed_under_load_loses_no_write(cluster: Cluster, tmp_path: Path) -> None:
    """Three tablets send mood check-ins through HAProxy while app2 is killed with SIGKILL.
    What was in flight there fails (a 502 or a cut connection: the tablet's outbox keeps the
    write) or was committed before the kill (resent, the backend replays its answer): every
    write is in the database exactly once, with the key the tablet gave it."""
    # Two of the tablets are one person's (the living room's and the bedroom's): their moods
    # at the same moment once deadlocked in the mood alert check (FOR UPDATE against the KEY
    # SHARE of each other's insert) and were answered 500 until the outbox's retries got through.
    tokens = [(cluster.device_token, cluster.device_id)]
    verify = str(cluster.proxy.certificate)
    tokens.append(pair_device(cluster.proxy.url, cluster.account, verify))
    tokens.append(pair_device(cluster.proxy.url, _beneficiary(cluster, "Louis"), verify))
    writes_each = 30
    kill_after = 8
    halfway = threading.Event()
    keys: dict[int, list[str]] = {device_id: [] for _, device_id in tokens}
    not_delivered_at_once: list[str] = []
    failures: list[BaseException] = []

    def tablet(number: int, token: str, device_id: int) -> None:
        try:
            outbox = Outbox(tmp_path / f"tablet{number}")
            client = cluster.device_client(token)
            for i in range(writes_each):
                data = {"score": 4, "tags": [], "recorded_at": datetime.now(UTC).isoformat()}
                keys[device_id].append(outbox.enqueue("mood", data))
                if flush(outbox, client) is not FlushOutcome.EMPTY:
                    not_delivered_at_once.append(f"tablet {number}, write {i}")
                    time.sleep(0.2)  # the tablet's backoff, shortened
                if number == 0 and i == kill_after:
                    halfway.set()
            for _attempt in range(100):
                if flush(outbox, client) is FlushOutcome.EMPTY:
                    break
                time.sleep(0.3)
            assert outbox.pending_count() == 0, "writes still queued on the tablet"
            assert outbox.rejected() == [], "a write refused for good"
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=tablet, args=(n, token, device_id))
        for n, (token, device_id) in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    assert halfway.wait(timeout=120)
    # Frozen first, so that the kill finds a write in flight there: sent, not yet answered.
    app2 = cluster.servers["app2"].process
    app2.send_signal(signal.SIGSTOP)
    _wait_for(lambda: int(cluster.proxy.stats()["app2"]["scur"]) >= 1, "a write held on app2")
    _kill(cluster.servers["app2"])
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    for _, device_id in tokens:
        stored = cluster.database.rows(
            "SELECT key FROM idempotency_records WHERE device_id = %s", device_id
        )
        assert sorted(key for (key,) in stored) == sorted(keys[device_id])
        moods = cluster.database.rows(
            "SELECT COUNT(*) FROM mood_checkins WHERE device_id = %s", device_id
        )
        assert moods == [(writes_each,)]
    # The write held on app2 was cut by the kill: its tablet saw an error (a 502 or a closed
    # connection) and its outbox sent it again. The writes that went to app2 after it died were
    # refused there and passed on by HAProxy itself ("+1" in its log) until its check said DOWN.
    answers = _answers(cluster.proxy, "POST /api/v1/device/actions")
    assert not [line for _, status, line in answers if status == 500], "a 500 answered a write"
    failed = [line for _, status, line in answers if status != 200]
    redispatched = [line for _, _, line in answers if "/+" in line]
    print(
        f"{3 * writes_each} writes: {len(failed)} answered with an error by HAProxy, "
        f"{len(redispatched)} sent on to another server by HAProxy, "
        f"{len(not_delivered_at_once)} cut or refused and sent again from a tablet's outbox"
    )


def test_c_health_check_takes_a_dead_server_out_and_back(cluster: Cluster) -> None:
    """app3 killed: HAProxy's health check marks it DOWN and every request then succeeds on the
    two others; started again on its port, it is UP again."""
    killed = time.monotonic()
    _kill(cluster.servers["app3"])
    cluster.proxy.wait_for_status("app3", "DOWN")
    print(f"app3 DOWN {time.monotonic() - killed:.1f} s after kill -9")
    assert cluster.proxy.status("app1") == "UP" and cluster.proxy.status("app2") == "UP"
    client = cluster.device_client()
    cursor = client.sync(None, 0)["cursor"]
    session = cluster.session()
    for _ in range(20):
        assert client.sync(cursor, 0)["cursor"] == cursor
        assert session.get(cluster.proxy.url + "/healthz", timeout=10).status_code == 200
    port = int(cluster.servers["app3"].url.rsplit(":", 1)[1])
    cluster.servers["app3"] = start_backend(
        cluster.servers["app3"].data_dir,
        port,
        extra_args=_server_args(cluster.database, cluster.proxy),
    )
    cluster.proxy.wait_for_status("app3", "UP")


def test_d_tls_redirect_hsts_and_the_client_address(cluster: Cluster) -> None:
    """Plain HTTP is sent to HTTPS (308: a POST keeps its body); HTTPS answers carry HSTS; the
    backend sees each client's own address, not HAProxy's nor one the client made up: the
    per-address limit of wrong invitation links counts 127.0.0.2, the address this client
    connects from."""
    plain = requests.get(cluster.proxy.plain_url + "/healthz", allow_redirects=False, timeout=10)
    assert plain.status_code == 308
    assert plain.headers["Location"].startswith("https://127.0.0.1:")
    secure = cluster.session().get(cluster.proxy.url + "/healthz", timeout=10)
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"

    context = ssl.create_default_context(cafile=str(cluster.proxy.certificate))
    connection = http.client.HTTPSConnection(
        "127.0.0.1",
        cluster.proxy.ports.https,
        source_address=("127.0.0.2", 0),
        context=context,
        timeout=10,
    )
    try:
        connection.request(
            "GET",
            f"{API}/invitations/{secrets.token_urlsafe(24)}",
            headers={"X-Forwarded-For": "203.0.113.9", "Forwarded": "for=203.0.113.9"},
        )
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    assert answer.status == 404
    counted = cluster.database.rows("SELECT key FROM rate_limits WHERE key LIKE 'invitation:%%'")
    digest = hashlib.sha256(b"127.0.0.2").hexdigest()
    assert counted == [(f"invitation:{digest}",)]


def test_e_console_form_from_one_server_is_accepted_by_another(cluster: Cluster) -> None:
    """The login form rendered by app1 is posted to app3: its CSRF token, signed with the shared
    FOYER_CONSOLE_SECRET, is good there too (each process has its own data directory, so
    without that setting each would have made its own secret and refused the other's forms)."""
    browser = cluster.session()
    cluster.only("app1")
    page = browser.get(cluster.proxy.url + "/login", timeout=10)
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    cluster.only("app3")
    signed_in = browser.post(
        cluster.proxy.url + "/login",
        data={"csrf": match.group(1), "email": "cm@example.fr", "password": PASSWORD, "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code in (302, 303), signed_in.text[:500]
    assert "foyer_session" in signed_in.cookies


def test_f_photo_uploaded_through_one_server_is_served_by_another(cluster: Cluster) -> None:
    """With the photo directory shared (one mount on every machine), a photo Marie uploads
    through app1 reaches the tablet through app3: its record from the database, its file from
    the shared directory."""
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(picture, "JPEG")
    cluster.only("app1")
    uploaded = cluster.session().post(
        cluster.proxy.url + f"{API}/beneficiaries/{cluster.account.beneficiary_id}/photos",
        files=[("files", ("coucher.jpg", picture.getvalue(), "image/jpeg"))],
        headers=cluster.account.headers,
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    cluster.only("app3")
    client = cluster.device_client()
    photos = client.sync(None, 0)["upserts"]["photos"]
    assert len(photos) == 1
    display = client.photo_file(int(photos[0]["id"]), "display")
    assert Image.open(io.BytesIO(display)).format == "JPEG"
