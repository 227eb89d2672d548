"""Sync: what an unchanged sync costs, and how fast a message reaches a long-polling tablet.

    .venv/bin/python -m bench.sync [--repeat 50] [--messages 10]

A real backend process (SQLite) on loopback, one beneficiary with a realistic week (20 agenda
entries, 40 messages) and one paired tablet. Measured, same run:

- bytes on the wire (request and answer, headers included) and round-trip time of a full
  snapshot (the baseline: what a tablet would fetch without cursors) and of an unchanged sync
  (cursor, no wait: the empty delta);
- push latency: the tablet's real sync step (`kiosk.sync.Syncer`: long-poll `wait=25`, apply to
  the local SQLite store) runs in a thread; a care manager posts a message through the API; the
  time from the POST being sent to the message being in the tablet's local store.

Last line: the unchanged sync's size and the push latency's worst case.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench import backend as bench_backend
from bench.measure import median_seconds
from kiosk.device_client import DeviceClient
from kiosk.store import LocalStore
from kiosk.sync import Syncer

EVENTS = 20
MESSAGES = 40


def post(port: int, path: str, payload: object, headers: dict[str, str]) -> bench_backend.Answer:
    answer = bench_backend.request(
        "127.0.0.1",
        port,
        "POST",
        path,
        json.dumps(payload).encode(),
        {**headers, "Content-Type": "application/json"},
    )
    if answer.status >= 300:
        raise RuntimeError(f"POST {path}: {answer.status} {answer.body[:300]!r}")
    return answer


def fill_week(port: int, headers: dict[str, str], beneficiary_id: int) -> list[int]:
    """What a beneficiary's tablet typically holds: a week of visits and a month of messages.
    Returns the ids of the agenda entries."""
    base = f"/api/v1/beneficiaries/{beneficiary_id}"
    events = []
    for i in range(EVENTS):
        answer = post(
            port,
            base + "/events",
            {
                "title": ["Soins infirmiers", "Aide à domicile", "Kiné", "Visite de Marc"][i % 4],
                "start": f"2026-12-{1 + i % 7:02d}T{8 + i % 9:02d}:00:00",
                "duration_minutes": 30 + 15 * (i % 3),
            },
            headers,
        )
        events.append(int(answer.json()["id"]))
    for i in range(MESSAGES):
        post(
            port,
            base + "/messages",
            {"space": "daily", "body": f"Message n° {i} : je passe jeudi vers 15 h, bises."},
            headers,
        )
    return events


def sync_path(cursor: str | None = None, wait: float = 0) -> str:
    path = "/api/v1/device/sync"
    if cursor is not None:
        path += f"?cursor={cursor}" + (f"&wait={wait:g}" if wait else "")
    return path


def _poll_once(syncer: Syncer, done: threading.Event) -> None:
    syncer.run_once(25)
    done.set()


def measure_push(
    url: str,
    port: int,
    headers: dict[str, str],
    beneficiary_id: int,
    credential: str,
    store_dir: Path,
    count: int,
) -> list[float]:
    """Seconds from a message POSTed to it stored by a long-polling tablet, `count` times."""
    store = LocalStore(store_dir)
    with requests.Session() as session:
        syncer = Syncer(DeviceClient(session, url, credential), store)
        syncer.run_once(0)  # the first, full sync
        latencies = []
        for i in range(count):
            done = threading.Event()
            worker = threading.Thread(target=_poll_once, args=(syncer, done))
            worker.start()
            time.sleep(0.3)  # the long-poll is now held by the backend
            start = time.perf_counter()
            body = f"Mesure de latence {i}"
            post(
                port,
                f"/api/v1/beneficiaries/{beneficiary_id}/messages",
                {"space": "daily", "body": body},
                headers,
            )
            if not done.wait(30):
                raise RuntimeError("the long-poll did not answer")
            latencies.append(time.perf_counter() - start)
            worker.join()
            bodies = {m.get("body") for m in store.load().of("messages")}
            if body not in bodies:
                raise RuntimeError(f"message {i} not in the tablet's store after its sync")
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.sync", description=__doc__)
    parser.add_argument("--repeat", type=int, default=50, help="timed syncs per kind (median)")
    parser.add_argument("--messages", type=int, default=10, help="push latency samples")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="foyer-bench-sync-") as tmp:
        work = Path(tmp)
        url_of_db = f"sqlite:///{work / 'backend' / 'foyer.sqlite3'}"
        bench_backend.migrate(work / "backend", url_of_db)
        fleet = bench_backend.make_fleet(url_of_db, 1)
        server = bench_backend.start(work / "backend", url_of_db)
        try:
            port = server.port
            headers = bench_backend.login(port, fleet.care_manager_email)
            beneficiary_id = fleet.beneficiary_ids[0]
            fill_week(port, headers, beneficiary_id)
            device = {"Authorization": f"Bearer {fleet.credentials[0]}"}

            def get(path: str) -> bench_backend.Answer:
                return bench_backend.request("127.0.0.1", port, "GET", path, headers=device)

            full = get(sync_path())
            cursor = full.json()["cursor"]
            unchanged = get(sync_path(cursor))
            assert unchanged.status == 200 and unchanged.json()["cursor"] == cursor
            times = {
                "snapshot": median_seconds(lambda: get(sync_path()), args.repeat),
                "unchanged": median_seconds(lambda: get(sync_path(cursor)), args.repeat),
            }
            for name, answer in (("snapshot", full), ("unchanged", unchanged)):
                print(
                    f"{name:>9}: {answer.sent_bytes} B sent + {answer.received_bytes} B received"
                    f" ({len(answer.body)} B of JSON), "
                    f"{times[name] * 1000:.1f} ms median round trip"
                )
            print(f"unchanged sync body: {unchanged.body.decode()}")
            size_ratio = full.received_bytes / unchanged.received_bytes
            time_ratio = times["snapshot"] / times["unchanged"]
            print(f"unchanged vs snapshot: {size_ratio:.0f}x fewer bytes, {time_ratio:.1f}x faster")
            latencies = measure_push(
                server.url,
                port,
                headers,
                beneficiary_id,
                fleet.credentials[0],
                work / "tablet",
                args.messages,
            )
        finally:
            server.stop()
    print(
        f"push latency (POST → in the tablet's store), {len(latencies)} messages: "
        f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    total = unchanged.sent_bytes + unchanged.received_bytes
    print(
        f"sync: unchanged {total} B on the wire (target < 1024), "
        f"push latency max {max(latencies):.2f} s (target < 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
