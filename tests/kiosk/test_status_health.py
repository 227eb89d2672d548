"""The tablet's health in its status report (docs/device-protocol.md, "Status report"): the
fields, the last error as a code, memory from /proc/meminfo, a backend older than the tablet
(it refuses the health fields: the report goes again without them, and the touch counts wait),
and a clock off its backend's (told by the answers' `Date`) reported as "clock_wrong"."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.status_report import (
    BASE_FIELDS,
    ClockCheck,
    Status,
    error_code,
    memory_available,
    post_status,
)
from provisioning.http import new_session

PARIS = ZoneInfo("Europe/Paris")
HOUR = datetime(2026, 12, 4, 8, 0, tzinfo=PARIS)


def status(**fields: Any) -> Status:
    return Status("0.4.1", 11_200_000_000, None, 0, 3, **fields)


def test_the_health_fields_as_sent() -> None:
    night_end = datetime(2026, 12, 5, 7, 0, tzinfo=PARIS)
    sent = status(
        screen_on=False,
        screen_off_reason="night",
        screen_off_until=night_end,
        last_touch_at=datetime(2026, 12, 4, 21, 12, tzinfo=PARIS),
        started_at=datetime(2026, 12, 4, 6, 58, tzinfo=PARIS),
        restarts_today=2,
        memory_available_bytes=512_000_000,
        disk_total_bytes=31_000_000_000,
        last_error_code="backend_unreachable",
        touches=((HOUR, 14),),
    ).as_json()
    assert sent["screen_on"] is False
    assert sent["screen_off_reason"] == "night"
    assert sent["screen_off_until"] == "2026-12-05T07:00:00+01:00"
    assert sent["started_at"] == "2026-12-04T06:58:00+01:00"
    assert sent["restarts_today"] == 2
    assert sent["touches"] == [{"hour": "2026-12-04T08:00:00+01:00", "count": 14}]
    assert set(status().base_json()) == set(BASE_FIELDS)
    # Screen on: no reason and no end are said.
    on = status(screen_on=True, screen_off_reason="night", screen_off_until=night_end).as_json()
    assert on["screen_off_reason"] is None and on["screen_off_until"] is None
    # Unknown stays unknown.
    assert status().as_json()["screen_on"] is None and status().as_json()["touches"] == []


def test_the_last_error_as_a_code() -> None:
    assert error_code(None, online=True) is None
    assert error_code("backend_unreachable", online=False) == "backend_unreachable"
    assert error_code("backend_unreachable", online=True) is None  # it answers again
    refused = "configuration 4 refusée : Taille du texte : 3 n'est pas entre 0.8 et 1.3"
    assert error_code(refused, online=True) == "config_refused"
    assert error_code("exception inattendue (voir le journal)", online=True) == "unexpected_error"
    assert error_code("photo_download_failed", online=True) == "photo_download_failed"
    assert error_code("Traceback: KeyError 'x'", online=True) == "unexpected_error"
    assert error_code(None, online=True, free_disk_bytes=10_000_000) == "disk_full"
    assert error_code("backend_unreachable", online=False, free_disk_bytes=10**10) == (
        "backend_unreachable"
    )


def _off_by(minutes: float) -> ClockCheck:
    check = ClockCheck()
    check.offset = timedelta(minutes=minutes)
    return check


def test_a_clock_off_its_backends_is_the_tablets_problem() -> None:
    assert error_code(None, online=True, clock=_off_by(12)) == "clock_wrong"
    assert error_code(None, online=True, clock=_off_by(-12)) == "clock_wrong"  # behind too
    assert error_code(None, online=True, clock=_off_by(4)) is None  # within the tolerance
    assert error_code(None, online=True, clock=ClockCheck()) is None  # not known yet
    # It is today's problem, unlike an old note; a disk about to fill matters more.
    noted = "exception inattendue (voir le journal)"
    assert error_code(noted, online=True, clock=_off_by(12)) == "clock_wrong"
    assert error_code(None, online=True, free_disk_bytes=10, clock=_off_by(12)) == "disk_full"


def test_the_clock_is_checked_against_each_answers_date() -> None:
    tablet_now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    check = ClockCheck(lambda: tablet_now)
    check.observe("Fri, 04 Dec 2026 08:40:00 GMT")
    assert check.offset == timedelta(minutes=20) and check.wrong
    check.observe("Fri, 04 Dec 2026 08:58:30 GMT")  # set right since
    assert check.offset == timedelta(seconds=90) and not check.wrong
    for unusable in (None, "", "yesterday", "Fri, 04 Dec 2026 08:40:00"):  # the last: no zone
        check.observe(unusable)
        assert check.offset == timedelta(seconds=90)  # nothing learnt


def test_free_memory_from_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        "MemTotal:        3884000 kB\nMemFree:          201000 kB\nMemAvailable:    1500000 kB\n",
        encoding="ascii",
    )
    assert memory_available(meminfo) == 1_500_000 * 1024
    meminfo.write_text("MemTotal: 1 kB\n", encoding="ascii")
    assert memory_available(meminfo) is None
    assert memory_available(tmp_path / "absent") is None


class StatusBackend:
    """POST /api/v1/device/status on loopback: `strict` refuses any field it does not know
    (an older backend), as FastAPI's extra="forbid" does."""

    def __init__(self, strict: bool) -> None:
        self.bodies: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.bodies.append(body)
                refused = strict and set(body) - set(BASE_FIELDS)
                self.send_response(422 if refused else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def backends() -> Iterator[dict[bool, StatusBackend]]:
    made = {strict: StatusBackend(strict) for strict in (True, False)}
    yield made
    for backend in made.values():
        backend.close()


def test_an_older_backend_still_gets_the_report_and_the_touches_wait(
    backends: dict[bool, StatusBackend],
) -> None:
    report = status(screen_on=True, restarts_today=1, touches=((HOUR, 3),))
    accepted: list[Status] = []
    session = new_session()
    older = backends[True]
    assert post_status(session, older.url, "t", report, accepted.append)
    assert [set(b) for b in older.bodies] == [set(report.as_json()), set(BASE_FIELDS)]
    assert accepted == []  # the touches were not taken: they go again later
    current = backends[False]
    assert post_status(session, current.url, "t", report, accepted.append)
    assert len(current.bodies) == 1 and current.bodies[0]["touches"] == [
        {"hour": "2026-12-04T08:00:00+01:00", "count": 3}
    ]
    assert accepted == [report]


def test_a_report_learns_the_backends_time(backends: dict[bool, StatusBackend]) -> None:
    """The loopback backend dates its answers with the machine's clock, as uvicorn does: a
    tablet an hour ahead is found wrong, one on time is not."""
    ahead = ClockCheck(lambda: datetime.now(UTC) + timedelta(hours=1))
    on_time = ClockCheck()
    for check in (ahead, on_time):
        assert post_status(new_session(), backends[False].url, "t", status(), clock=check)
    assert ahead.wrong and error_code(None, online=True, clock=ahead) == "clock_wrong"
    assert on_time.offset is not None and not on_time.wrong


def test_nothing_listens_nothing_is_accepted() -> None:
    accepted: list[Status] = []
    assert not post_status(new_session(), "http://127.0.0.1:9", "t", status(), accepted.append)
    assert accepted == []  # the reporter tries again after the next sync
