"""Properties: recurrence expansion and the sync cursor, for any input hypothesis can find.

- Recurrence: common/recurrence.py against an oracle built only from dateutil (rrule for the
  rule, dateutil.tz for Europe/Paris, RFC 5545 for times in the spring-forward gap), over
  windows that cross the daylight-saving changes.
- Sync cursor: the real backend in-process on SQLite and the tablet's real LocalStore and
  Syncer; any sequence of changes with syncs at any points (twice from the same cursor too)
  ends in the same local state as one full sync.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.recurrence import AgendaEvent, occurrences_between
from kiosk.device_client import DeviceClient
from kiosk.store import LocalStore
from kiosk.sync import Syncer
from tests.api.factories import API
from tests.security.backend_app import RequestsLike, RunningApp, running_app

PARIS = ZoneInfo("Europe/Paris")
PARIS_DATEUTIL = dateutil_tz.gettz("Europe/Paris")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# --- recurrence -------------------------------------------------------------------------------

# Daylight-saving changes in Paris: last Sundays of March (02:00 → 03:00, a gap) and October
# (03:00 → 02:00, a repeated hour). Starts and windows are drawn around them.
CHANGES = (datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2027, 3, 28))
starts = st.builds(
    lambda change, days_before, hour, minute: (change - timedelta(days=days_before)).replace(
        hour=hour, minute=minute
    ),
    st.sampled_from(CHANGES),
    st.integers(0, 60),
    st.sampled_from([0, 1, 2, 2, 2, 3, 9, 23]),  # 02:xx: in the gap, or repeated
    st.sampled_from([0, 15, 30, 45]),
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    parts = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY', 'MONTHLY']))}"]
    interval = draw(st.integers(1, 3))
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if parts[0] == "FREQ=WEEKLY" and draw(st.booleans()):
        byday = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        parts.append("BYDAY=" + ",".join(byday))
    end = draw(st.sampled_from(["none", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif end == "until":
        parts.append(f"UNTIL={draw(st.sampled_from(['20261101T000000', '20270401T120000']))}")
    return ";".join(parts)


def _rfc5545_aware(wall: datetime) -> datetime:
    """The instant of a Paris wall-clock time, with dateutil's time zone: a time in the spring
    gap moves forward by the gap (RFC 5545 §3.3.5); a repeated time is the first (fold=0)."""
    aware = wall.replace(tzinfo=PARIS_DATEUTIL)
    if not dateutil_tz.datetime_exists(aware):
        aware = dateutil_tz.resolve_imaginary(aware)
    return aware.astimezone(UTC)


def _oracle(event: AgendaEvent, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    rule = rrulestr(event.rrule or "", dtstart=event.start_local)
    lo = (start.astimezone(UTC) - timedelta(days=3)).replace(tzinfo=None)
    hi = (end.astimezone(UTC) + timedelta(days=3)).replace(tzinfo=None)
    found = []
    for wall in rule.between(lo, hi, inc=True):
        if wall in event.exdates:
            continue
        begin = _rfc5545_aware(wall)
        finish = begin + event.duration
        if finish > start and begin < end:
            found.append((begin, finish))
    return sorted(found)


@given(
    rule=rules(),
    start_local=starts,
    minutes=st.sampled_from([15, 30, 45, 60, 90, 180]),
    skip=st.lists(st.integers(0, 10), max_size=3, unique=True),
    window_change=st.sampled_from(CHANGES),
    window_offset=st.integers(-10, 3),
    window_days=st.integers(1, 20),
)
@settings(max_examples=150, deadline=None, database=None, derandomize=True)
def test_recurrence_matches_dateutil_across_dst(
    rule: str,
    start_local: datetime,
    minutes: int,
    skip: list[int],
    window_change: datetime,
    window_offset: int,
    window_days: int,
) -> None:
    """Any weekly, daily or monthly rule, any start (in the DST gap and repeated hour too), any
    cancelled occurrences, any window: the tablet expands exactly what dateutil says."""
    walls = list(rrulestr(rule, dtstart=start_local))[:11] if "COUNT" in rule else []
    if not walls:
        walls = list(rrulestr(rule, dtstart=start_local).xafter(start_local, 11, inc=True))
    exdates = frozenset(walls[i] for i in skip if i < len(walls))
    event = AgendaEvent(
        id=7,
        title="Kiné",
        start_local=start_local,
        duration=timedelta(minutes=minutes),
        tz=PARIS,
        rrule=rule,
        exdates=exdates,
    )
    first = (window_change + timedelta(days=window_offset)).replace(tzinfo=PARIS)
    window = (first, first + timedelta(days=window_days))
    got = [
        (o.start.astimezone(UTC), o.end.astimezone(UTC))
        for o in occurrences_between([event], *window)
    ]
    assert got == _oracle(event, *window)
    for occurrence in occurrences_between([event], *window):
        assert occurrence.start.tzinfo is not None
        assert occurrence.start.utcoffset() == occurrence.start.astimezone(PARIS).utcoffset()


# --- sync cursor ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("cursor")) as app:
        yield app


class _Circle:
    """Changes made the way the console makes them, remembering what exists."""

    def __init__(self, app: RunningApp) -> None:
        self.app = app
        self.events: list[int] = []
        self.messages: list[int] = []

    def apply(self, op: tuple[str, int]) -> None:
        kind, n = op
        c, headers, bid = self.app.client, self.app.cm.headers, self.app.beneficiary_id
        if kind == "event":
            body: dict[str, Any] = {
                "title": f"Visite {n}",
                "start": f"2026-12-{1 + n % 28:02d}T09:00:00",
                "duration_minutes": 30,
            }
            if n % 3 == 0:
                body["rrule"] = "FREQ=WEEKLY"
            r = c.post(f"{API}/beneficiaries/{bid}/events", json=body, headers=headers)
            assert r.status_code == 201, r.text
            self.events.append(r.json()["id"])
        elif kind == "rename" and self.events:
            eid = self.events[n % len(self.events)]
            r = c.patch(f"{API}/events/{eid}", json={"title": f"Renommée {n}"}, headers=headers)
            assert r.status_code == 200, r.text
        elif kind == "drop_event" and self.events:
            r = c.delete(f"{API}/events/{self.events.pop(n % len(self.events))}", headers=headers)
            assert r.status_code == 204, r.text
        elif kind == "message":
            body = {"space": "daily", "body": f"Message {n}"}
            r = c.post(f"{API}/beneficiaries/{bid}/messages", json=body, headers=headers)
            assert r.status_code == 201, r.text
            self.messages.append(r.json()["id"])
        elif kind == "drop_message" and self.messages:
            mid = self.messages.pop(n % len(self.messages))
            r = c.delete(f"{API}/messages/{mid}", headers=headers)
            assert r.status_code == 204, r.text


def _records(store: LocalStore) -> dict[str, Any]:
    state = store.load()
    return {
        "beneficiary": state.beneficiary,
        "events": sorted((e.id, e.title, e.rrule) for e in state.events),
        "records": {k: sorted(r["id"] for r in v) for k, v in state.records.items() if v},
    }


# A change, then no sync, a delta sync, or the same delta fetched twice (an answer lost).
steps = st.lists(
    st.tuples(
        st.sampled_from(["event", "event", "rename", "drop_event", "message", "drop_message"]),
        st.integers(0, 50),
        st.sampled_from(["none", "sync", "sync", "sync_twice"]),
    ),
    min_size=1,
    max_size=12,
)


@given(ops=steps)
@settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_interleaving_of_syncs_ends_like_a_full_sync(
    backend: RunningApp, ops: list[tuple[str, int, str]]
) -> None:
    """Any sequence of changes (events created, renamed, deleted; messages posted, deleted),
    synced by delta at any points, ends in the same tablet state as one full sync."""
    circle = _Circle(backend)
    with tempfile.TemporaryDirectory() as tmp:
        session: Any = RequestsLike(backend.client)
        client = DeviceClient(session, "http://testserver", backend.device_token)
        tablet = LocalStore(Path(tmp) / "tablet")
        syncer = Syncer(client, tablet)
        syncer.run_once(wait=0)
        for kind, n, then in ops:
            circle.apply((kind, n))
            if then == "none":
                continue
            cursor = tablet.cursor()
            syncer.run_once(wait=0)
            if then == "sync_twice" and cursor is not None:
                moved_to = tablet.cursor()
                tablet.apply(client.sync(cursor, 0))  # applying it twice is harmless
                assert tablet.cursor() == moved_to
        syncer.run_once(wait=0)
        fresh = LocalStore(Path(tmp) / "fresh")
        Syncer(client, fresh).run_once(wait=0)
        assert _records(tablet) == _records(fresh)
