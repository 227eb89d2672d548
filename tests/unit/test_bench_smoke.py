"""The benchmarks' building blocks, at a tiny scale: they must measure the right thing.

Correctness only (sizes, counts, protocol answers), never speed: these machines are shared.
The full runs and their numbers are in docs/performance.md.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bench import backend as bench_backend
from bench import measure, photo_pipeline, tablet
from bench.load import run_load
from bench.sync import fill_week, measure_push, sync_path
from provisioning import credentials


def test_percentile_and_process_figures() -> None:
    values = [float(v) for v in range(1, 101)]
    assert measure.percentile(values, 0.5) == 50
    assert measure.percentile(values, 0.99) == 99
    assert measure.percentile([7.0], 0.99) == 7
    start = measure.cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert measure.cpu_seconds(os.getpid()) > start
    assert measure.status_kib("VmHWM") >= measure.status_kib("VmRSS") > 0


def test_photo_paths_make_the_same_portrait_display_variant(tmp_path: Path) -> None:
    data = photo_pipeline.make_source((2400, 1800))
    with Image.open(io.BytesIO(data)) as source:
        assert source.size == (2400, 1800)
        assert source.getexif()[photo_pipeline.ORIENTATION_TAG] == 6
    optimized = photo_pipeline.optimized(data)
    naive = photo_pipeline.naive(data)
    for variant in (optimized, naive):
        with Image.open(io.BytesIO(variant)) as shown:
            assert shown.size == (810, 1080)  # turned upright, fitted to 1920×1080
    assert photo_pipeline.psnr(optimized, naive) > 35
    assert photo_pipeline.psnr(optimized, optimized) == float("inf")
    source_file = tmp_path / "source.jpg"
    source_file.write_bytes(data)
    before, after = photo_pipeline.peak_rss_mib("naive", source_file)
    assert after > before > 10  # a fresh interpreter with Pillow loaded, then the photo's pixels


Running = tuple[bench_backend.Backend, bench_backend.Fleet, dict[str, str]]


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    """One real backend process (SQLite) with eight paired tablets, for the module."""
    with tempfile.TemporaryDirectory(prefix="foyer-bench-smoke-") as tmp:
        data_dir = Path(tmp) / "backend"
        url = f"sqlite:///{data_dir / 'foyer.sqlite3'}"
        bench_backend.migrate(data_dir, url)
        fleet = bench_backend.make_fleet(url, 8)
        server = bench_backend.start(data_dir, url)
        try:
            yield server, fleet, bench_backend.login(server.port, fleet.care_manager_email)
        finally:
            server.stop()


@pytest.mark.e2e
def test_unchanged_sync_is_counted_on_the_wire(running: Running) -> None:
    server, fleet, headers = running
    events = fill_week(server.port, headers, fleet.beneficiary_ids[0])
    assert len(events) == 20
    device = {"Authorization": f"Bearer {fleet.credentials[0]}"}
    full = bench_backend.request("127.0.0.1", server.port, "GET", sync_path(), headers=device)
    assert full.status == 200 and full.json()["full"] is True
    assert len(full.json()["upserts"]["events"]) == 20
    cursor = full.json()["cursor"]
    same = bench_backend.request("127.0.0.1", server.port, "GET", sync_path(cursor), headers=device)
    assert same.json() == {
        "cursor": cursor,
        "full": False,
        "beneficiary": None,
        "upserts": {},
        "deletes": {},
    }
    # Headers are counted too: what travels is more than the JSON, and far less than 1 KB.
    assert len(same.body) < same.received_bytes < 1024
    assert same.received_bytes * 10 < full.received_bytes


@pytest.mark.e2e
def test_push_reaches_the_tablet_store(running: Running, tmp_path: Path) -> None:
    server, fleet, headers = running
    latencies = measure_push(
        server.url,
        server.port,
        headers,
        fleet.beneficiary_ids[1],
        fleet.credentials[1],
        tmp_path / "tablet",
        2,
    )
    assert len(latencies) == 2 and all(0 < s < 25 for s in latencies)  # woken, not timed out


@pytest.mark.e2e
def test_load_generator_polls_probes_and_pushes(running: Running) -> None:
    server, fleet, headers = running
    result = run_load(
        server.port,
        fleet.credentials[2:],
        fleet.beneficiary_ids[2:],
        headers,
        wait=0.5,
        duration=2.5,
        probes=1,
        change_every=0.3,
        cpu=lambda: measure.tree_cpu_seconds(server.pid),
    )
    assert result.tablets == 5 and result.error_count == 0, result.errors
    # The steady window (second half here) counts the polls answered in it and the backend's
    # CPU over it: what bench.scale divides into CPU per poll.
    assert 0 < result.window_polls <= result.polls
    assert result.window_requests >= result.window_polls
    assert result.window_cpu > 0 and 0 < result.window_seconds <= 2.5
    assert result.polls >= 5 and result.probe
    assert result.posted >= 2 and len(result.push) >= result.posted - 1
    assert result.lateness and all(-0.1 < s < 2 for s in result.lateness)


@pytest.mark.e2e
def test_floor_and_tablet_report_their_first_paint(running: Running, tmp_path: Path) -> None:
    server, fleet, headers = running
    with (tmp_path / "log").open("ab") as log:
        seconds, floor = tablet.spawn_until_ready(tablet.floor_command(), tmp_path, log)
        assert 0 < seconds < 60 and floor.poll() is None
        tablet.stop(floor)
        assert floor.poll() is not None
        data_dir = tmp_path / "tablet"
        data_dir.mkdir()
        credentials.save(
            data_dir,
            credentials.DeviceCredential(
                server.url, fleet.device_ids[7], fleet.beneficiary_ids[7], fleet.credentials[7]
            ),
        )
        paired = tablet.Tablet(server, data_dir, headers, fleet.beneficiary_ids[7], [])
        driven = tablet.Driven(paired, tmp_path, log)
        try:
            assert driven.ask("rss")["rss_kib"] > 10_000
            slides = driven.ask("slides 3")
            assert slides["done"] == "slides" and slides["count"] == 3
            assert driven.ask("home") == {"screen": "home"}
            seen = driven.ask("syncs")["changed"]
            bench_backend.request(
                "127.0.0.1",
                server.port,
                "POST",
                f"/api/v1/beneficiaries/{fleet.beneficiary_ids[7]}/messages",
                b'{"space": "daily", "body": "Bonjour"}',
                {**headers, "Content-Type": "application/json"},
            )
            assert driven.wait_for_change(seen)["changed"] > seen
        finally:
            driven.close()
        assert driven.process.poll() is not None


@pytest.mark.skipif(not bench_backend.pg_available(), reason="PostgreSQL is not reachable")
def test_the_escalation_bench_escalates_each_reminder_once() -> None:
    from bench import reminder_escalation

    result = reminder_escalation.fleet(tablets=3, per=2, workers=2)
    assert result["reminders"] == 6
    assert result["alerts"] == result["emails"] == result["emails_on_disk"] == 6
    assert result["exactly_once"] == 1.0


def test_the_card_bench_sees_each_card_painted_after_it_is_due(qapp: object) -> None:
    from PySide6.QtWidgets import QApplication

    from bench import reminder_card

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    delays = reminder_card.card_delays(app, 2)
    assert len(delays) == 2
    assert all(delay >= 0 for delay in delays)  # painted after the due instant, never before
