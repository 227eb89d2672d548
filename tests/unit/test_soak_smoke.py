"""bench/soak.py: its verdicts see a leak and not a restart, its figures are read where they
are, and a short real run drives everything and leaves no process behind.

Correctness only, never speed. The long runs and their figures: docs/reliability.md (Soak).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench import soak
from scripts.reliability_report import documented_ids


def _samples(metric: str, values: list[float], every: float = 20, **extra: Any) -> list[dict]:
    return [{"t": i * every, metric: v, **extra} for i, v in enumerate(values)]


def test_the_slope_is_per_hour_and_shrugs_off_a_spike() -> None:
    assert soak.theil_sen_per_hour([(0, 1.0), (1800, 2.0), (3600, 3.0)]) == pytest.approx(2.0)
    assert soak.theil_sen_per_hour([(0, 5.0)]) == 0
    flat_with_a_spike = [(t * 20.0, 7.0) for t in range(30)]
    flat_with_a_spike[-1] = (flat_with_a_spike[-1][0], 12.0)  # a socket open at the last sample
    assert soak.theil_sen_per_hour(flat_with_a_spike) == 0


def test_a_leak_grows_and_a_plateau_holds() -> None:
    # One file descriptor more every minute: 60 an hour, far over the bound.
    leaking = soak.verdicts(_samples("tablet_fds", [10 + i / 3 for i in range(90)]))
    assert [(v["metric"], v["holds"]) for v in leaking] == [("tablet_fds", False)]
    assert leaking[0]["slope_per_hour"] == pytest.approx(60, rel=0.01)
    # A cache that fills during the first half then stays: the second half is flat.
    filling = [min(i, 40) * 0.5 for i in range(90)]
    plateau = soak.verdicts(_samples("tablet_photo_cache_mib", filling))
    assert plateau[0]["holds"] and plateau[0]["max"] == 20


def test_a_wal_is_judged_by_its_ceiling() -> None:
    """A WAL that fills to SQLite's checkpoint (4 MiB) and starts again is bounded; one that
    passes 8 MiB is not, whatever its slope."""
    sawtooth = [(i % 20) * 0.2 for i in range(90)]
    assert soak.verdicts(_samples("backend_wal_mib", sawtooth))[0]["holds"] is True
    starving = [min(i * 0.1, 8.5) for i in range(90)]  # flat at the end, but 8.5 MiB
    assert soak.verdicts(_samples("backend_wal_mib", starving))[0]["holds"] is False


def test_a_backend_restarted_every_few_minutes_is_not_judged_a_long_life_is() -> None:
    """Five-minute lives are mostly warm-up: shown, not judged. One long life that leaks a file
    descriptor a minute is judged, and grows."""
    short_lives = [
        {"t": (life * 15 + i) * 20.0, "backend_pid": 100 + life, "backend_fds": 10 + i}
        for life in range(6)
        for i in range(15)
    ]
    verdict = soak.verdicts(short_lives)[0]
    assert verdict["metric"] == "backend_fds" and verdict["holds"] is None
    assert verdict["how"].startswith("not judged: 6 process lives of 5 min")
    one_life = [{**s, "backend_pid": 100, "backend_fds": 10 + s["t"] / 60} for s in short_lives]
    assert soak.verdicts(one_life)[0]["holds"] is False
    flat = [{**s, "backend_fds": 12} for s in one_life]
    assert soak.verdicts(flat)[0]["holds"] is True


def test_disk_figures_sort_photos_sqlite_and_wal(tmp_path: Path) -> None:
    (tmp_path / "photos" / "files" / "ab").mkdir(parents=True)
    (tmp_path / "photos" / "files" / "ab" / "ab12.jpg").write_bytes(b"j" * 3000)
    (tmp_path / "photos" / "index.sqlite3").write_bytes(b"i" * 1000)
    (tmp_path / "store.sqlite3").write_bytes(b"s" * 2000)
    (tmp_path / "store.sqlite3-wal").write_bytes(b"w" * 500)
    (tmp_path / "config.json").write_bytes(b"c" * 100)
    found = soak.disk_figures(tmp_path, "tablet", "photos")
    mib = 1024 * 1024
    assert found["tablet_disk_mib"] * mib == pytest.approx(6600)
    assert found["tablet_photo_cache_mib"] * mib == pytest.approx(3000)
    assert found["tablet_photo_cache_files"] == 1
    assert found["tablet_sqlite_mib"] * mib == pytest.approx(3500)
    assert found["tablet_wal_mib"] * mib == pytest.approx(500)


def test_process_figures_of_a_live_and_a_gone_process() -> None:
    found = soak.process_figures(os.getpid(), "tablet", pss=True)
    assert found["tablet_rss_mib"] >= found["tablet_pss_mib"] >= found["tablet_uss_mib"] > 1
    assert found["tablet_fds"] >= 3 and found["tablet_threads"] >= 1
    assert soak.process_figures(None, "backend", pss=False) == {}


def test_the_summary_is_no_row_of_the_reliability_table() -> None:
    """docs/reliability.md includes the soak's summary; its table must not be read as tests."""
    samples = _samples("tablet_rss_mib", [80.0 + (i % 3) for i in range(30)], backend_pid=1)
    results = {
        "started": "20261205T000000Z",
        "duration_s": samples[-1]["t"],
        "periods": vars(soak.Periods(10, 30, 60, 120, 15, 300, 20)),
        "counters": vars(soak.Counters()),
        "verdicts": soak.verdicts(samples),
        "samples": samples,
    }
    text = soak.render_summary(results)
    assert "| tablet_rss_mib | 80.0 |" in text and "holds" in text
    assert documented_ids(text) == set()


@pytest.mark.e2e
def test_a_short_soak_drives_everything_and_stops_everything(tmp_path: Path) -> None:
    status = soak.main(
        [
            "--duration", "40", "--sample", "4", "--message", "3", "--photo", "6",
            "--config", "5", "--cut", "12", "--cut-length", "2", "--restart", "15",
            "--out", str(tmp_path), "--doc", str(tmp_path / "summary.md"),
        ]
    )  # fmt: skip
    assert status in (0, 1)  # 40 s is too short for a verdict; it must run and measure
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    results = json.loads((run / "samples.json").read_text())
    counters = results["counters"]
    assert counters["messages"] >= 3 and counters["photos"] >= 2 and counters["configs"] >= 2
    assert counters["cuts"] + counters["blackholes"] >= 1
    assert counters["restarts"] + counters["kills"] >= 1
    assert counters["tablet_restarts"] == 0, counters["errors"]
    last = results["samples"][-1]
    assert last["tablet_rss_mib"] > 10 and last["tablet_fds"] > 0
    assert last["tablet_photo_cache_files"] >= 1  # photos reached the tablet through the proxy
    assert last["tablet_syncs_changed"] >= 2
    assert {s["screen"] for s in results["samples"] if "screen" in s} <= {
        "home", "night", "photos_frame"
    }  # fmt: skip
    assert results["configs_applied"] >= 2  # as the tablet's log says
    assert (run / "samples.csv").read_text().startswith("t,")
    assert (tmp_path / "summary.md").read_text() == (run / "summary.md").read_text()
    # Nothing left running: the tablet and every backend started.
    pids = {s["backend_pid"] for s in results["samples"] if s.get("backend_pid")}
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "Z"
