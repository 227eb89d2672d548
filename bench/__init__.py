"""Foyer's performance benchmarks (issue 8). Method and latest numbers: docs/performance.md.

Each benchmark is one command, measures its baseline in the same run (these machines are shared
and noisy, so only ratios between neighbours in time mean something) and prints its ratio or
figure on its last line:

    .venv/bin/python -m bench.photo_pipeline   # 12 Mpx JPEG → display variant vs a naive decode
    .venv/bin/python -m bench.sync             # bytes and time of an unchanged sync; push latency
    .venv/bin/python -m bench.scale            # 1,000–10,000 long-polling tablets, SQLite and PG
    .venv/bin/python -m bench.tablet           # tablet start, idle CPU, memory vs PySide6/Chromium

Helpers: `measure` (medians, percentiles, RSS/PSS/CPU from /proc), `backend` (a real backend
process, a fleet of paired tablets made in its database, byte-counting HTTP/1.1), `load` (the
asyncio load generator), `floor_window` (the bare PySide6 window), `tablet_driver` (the real
tablet app with a stdin remote control).

Nothing here is imported by the product; tests/unit/test_bench_smoke.py runs the building blocks
at a tiny scale to keep them working.
"""
