"""A backend that stops (SIGTERM from systemd, Ctrl-C) answers every held long-poll cleanly.

A real `foyer-backend serve` on loopback, tablets long-polling an unchanged state, the signal:
each held poll gets the ordinary "nothing new" answer (200, the same cursor), which the tablet
reads as such and polls again (kiosk/sync.py). Before, uvicorn's graceful stop waited 5 s and
then cut them: 500s and tracebacks in the log.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import backend as bench_backend

TABLETS = 12
WAIT = 30  # the server's cap: a poll answered before it ends was answered by the stop


@pytest.fixture(params=["sqlite:1", "postgresql:2"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    kind, _, workers = str(request.param).partition(":")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'backend' / 'foyer.sqlite3'}", int(workers)
        return
    if not bench_backend.pg_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = bench_backend.create_pg_database()
    try:
        yield url, int(workers)
    finally:
        bench_backend.drop_pg_database(url)


async def _poll(port: int, credential: str) -> bench_backend.Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        raw = bench_backend.encode_request(
            "GET",
            f"/api/v1/device/sync?cursor=0&wait={WAIT}",
            headers={"Authorization": f"Bearer {credential}"},
        )
        return await bench_backend.exchange(reader, writer, raw)
    finally:
        writer.close()


async def _hold_then_stop(
    server: bench_backend.Backend, credentials: list[str], signum: int
) -> list[bench_backend.Answer | BaseException]:
    polls = [asyncio.create_task(_poll(server.port, c)) for c in credentials]
    # Time for the server to receive and hold them (a poll it had not held yet when the
    # signal came must be answered the same way, so this only makes the test harder).
    await asyncio.sleep(2)
    assert not any(p.done() for p in polls), "an unchanged long-poll was answered early"
    server.process.send_signal(signum)
    # Bounded well below WAIT: an answer within it came from the stop, not from the wait.
    done, _pending = await asyncio.wait(polls, timeout=WAIT - 10)
    for poll in polls:
        poll.cancel()
    return [
        (p.exception() or p.result()) if p in done else TimeoutError("no answer") for p in polls
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopping_backend_answers_every_held_long_poll(
    tmp_path: Path, database: tuple[str, int], signum: int
) -> None:
    url, workers = database
    data_dir = tmp_path / "backend"
    bench_backend.migrate(data_dir, url)
    fleet = bench_backend.make_fleet(url, TABLETS)
    server = bench_backend.start(data_dir, url, workers)
    try:
        answers = asyncio.run(_hold_then_stop(server, fleet.credentials, signum))
        returncode = server.process.wait(timeout=30)
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    for answer in answers:
        assert isinstance(answer, bench_backend.Answer), (answer, log[-3000:])
        assert answer.status == 200, (answer.status, answer.body, log[-3000:])
        assert answer.json() == {
            "cursor": "0",
            "full": False,
            "beneficiary": None,
            "upserts": {},
            "deletes": {},
        }
    # uvicorn re-raises the signal once stopped: killed by it, or exit 0.
    assert returncode in (0, -signum), log[-3000:]
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
