"""Backend scale: 1,000 / 5,000 / 10,000 simulated tablets long-polling, SQLite and PostgreSQL.

    .venv/bin/python -m bench.scale [--sizes 1000,5000,10000] [--configs sqlite:1,postgresql:2]
                                    [--duration 60] [--wait 25] [--idle]

For each configuration (database : uvicorn workers) a fresh database gets a fleet of paired
tablets (bulk rows, see `bench.backend.make_fleet`); PostgreSQL gets a new database
`foyer_bench_<random>` on 127.0.0.1:5432, dropped at the end. Each step starts a fresh backend
process and runs `bench.load` for `duration` seconds: tablets long-poll with `wait` seconds
(25 s, the tablet's value: requests arrive at N/25 per second), four probes time a plain
unchanged sync, and a message is posted every second to a waiting tablet.

Per step: probe round trip p50/p99, push latency p50/p99, lateness of held polls (answered
after their wait) p99, errors, CPU of the backend processes (and of PostgreSQL's, and of this
generator) as a share of one core, and *CPU per poll*: the backend's CPU time over the steady
window (from wait + 2 s, when every tablet has polled once, to the end) divided by the long-polls
answered in it — probes and messages included in the numerator, so an upper bound; with
`--idle` (no probes, no messages) exactly the cost of an idle poll. The load average at the
start of each step says how busy the shared machine was. Last line: the knee — the largest
fleet each configuration serves with no errors, probe p99 under 1 s and every message pushed
within 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import backend as bench_backend
from bench.load import LoadResult, run_load
from bench.measure import command_cpu_seconds, percentile, tree_cpu_seconds, tree_rss_kib

PROBES = 4


@dataclass
class Step:
    config: str
    tablets: int
    result: LoadResult
    backend_cpu: float  # share of one core, all backend processes
    postgres_cpu: float
    generator_cpu: float
    backend_rss_mib: float
    load_average: float
    idle: bool = False

    @property
    def healthy(self) -> bool:
        r = self.result
        if self.idle:
            return r.error_count == 0 and r.window_polls > 0
        pushed_all = r.posted > 0 and len(r.push) >= r.posted * 0.95
        return (
            r.error_count == 0
            and bool(r.probe)
            and percentile(r.probe, 0.99) < 1.0
            and pushed_all
            and (not r.push or max(r.push) < 2.0)
        )


def _ms(values: list[float], fraction: float) -> str:
    return f"{percentile(values, fraction) * 1000:7.0f}" if values else "      -"


def header() -> str:
    return (
        "config          tablets  probe p50/p99 ms   push p50/p99 ms   late p99 ms  polls  "
        "errors  backend CPU  pg CPU  gen CPU  RSS MiB  CPU/poll ms  load"
    )


def row(step: Step) -> str:
    r = step.result
    return (
        f"{step.config:<14} {step.tablets:>8} {_ms(r.probe, 0.5)} {_ms(r.probe, 0.99)}   "
        f"{_ms(r.push, 0.5)} {_ms(r.push, 0.99)}   {_ms(r.lateness, 0.99)}    {r.polls:>6} "
        f"{r.error_count:>6}  {step.backend_cpu * 100:9.0f} % {step.postgres_cpu * 100:5.0f} % "
        f"{step.generator_cpu * 100:5.0f} %  {step.backend_rss_mib:7.0f}  "
        f"{r.cpu_per_poll_ms:11.2f}  {step.load_average:4.1f}"
        + (f"  {dict(r.errors)}" if r.errors else "")
    )


def run_step(
    config: str,
    data_dir: Path,
    database_url: str,
    workers: int,
    fleet: bench_backend.Fleet,
    tablets: int,
    duration: float,
    wait: float,
    idle: bool = False,
) -> Step:
    probes = 0 if idle else PROBES
    bench_backend.spread_last_seen(database_url, fleet.device_ids[: tablets + probes])
    server = bench_backend.start(data_dir, database_url, workers)
    try:
        headers = bench_backend.login(server.port, fleet.care_manager_email)
        count = tablets + probes
        load_average = os.getloadavg()[0]
        backend_before = tree_cpu_seconds(server.pid)
        pg_before = command_cpu_seconds("postgres")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        gen_before = usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        result = run_load(
            server.port,
            fleet.credentials[:count],
            fleet.beneficiary_ids[:count],
            headers,
            wait=wait,
            duration=duration,
            probes=probes,
            change_every=0.0 if idle else 1.0,
            cpu=lambda: tree_cpu_seconds(server.pid),
        )
        elapsed = time.perf_counter() - start
        rss = tree_rss_kib(server.pid) / 1024
        backend_cpu = (tree_cpu_seconds(server.pid) - backend_before) / elapsed
        pg_cpu = (command_cpu_seconds("postgres") - pg_before) / elapsed
        usage = resource.getrusage(resource.RUSAGE_SELF)
        gen_cpu = (usage.ru_utime + usage.ru_stime - gen_before) / elapsed
    finally:
        server.stop()
    if result.errors:  # keep the backend's side of the story: the data directory goes away
        kept = Path(tempfile.gettempdir()) / f"foyer-bench-scale-{workers}w-{tablets}.log"
        shutil.copyfile(server.log_path, kept)
        print(f"  (backend log of that step: {kept})")
    return Step(config, tablets, result, backend_cpu, pg_cpu, gen_cpu, rss, load_average, idle)


def run_config(
    database: str, workers: int, sizes: list[int], duration: float, wait: float, idle: bool
) -> list[Step]:
    config = f"{database} ×{workers}"
    steps = []
    with tempfile.TemporaryDirectory(prefix="foyer-bench-scale-") as tmp:
        data_dir = Path(tmp) / "backend"
        if database == "postgresql":
            database_url = bench_backend.create_pg_database()
        else:
            database_url = f"sqlite:///{data_dir / 'foyer.sqlite3'}"
        try:
            bench_backend.migrate(data_dir, database_url)
            fleet = bench_backend.make_fleet(database_url, max(sizes) + PROBES)
            for tablets in sizes:
                step = run_step(
                    config, data_dir, database_url, workers, fleet, tablets, duration, wait, idle
                )
                print(row(step), flush=True)
                steps.append(step)
        finally:
            if database == "postgresql":
                bench_backend.drop_pg_database(database_url)
    return steps


def knee(steps: list[Step]) -> str:
    parts = []
    for config in dict.fromkeys(s.config for s in steps):
        ok = [s.tablets for s in steps if s.config == config and s.healthy]
        parts.append(f"{config}: {max(ok):,} tablets" if ok else f"{config}: none tested")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.scale", description=__doc__)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--configs", default="sqlite:1,postgresql:1,postgresql:2,postgresql:4")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--wait", type=float, default=25.0)
    parser.add_argument(
        "--idle",
        action="store_true",
        help="an idle fleet only (no probes, no messages): the CPU of an idle poll",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = []
    for spec in args.configs.split(","):
        database, _, workers = spec.partition(":")
        if database == "postgresql" and not bench_backend.pg_available():
            print(f"skipping {spec}: PostgreSQL does not answer on 127.0.0.1:5432")
            continue
        configs.append((database, int(workers or 1)))
    print(
        f"{args.duration:g} s per step, tablets long-poll with wait={args.wait:g} s "
        f"(≈ {1 / args.wait:.2f} requests per tablet per second), "
        + ("idle: no probes, no messages" if args.idle else f"{PROBES} probes, 1 message/s")
    )
    print(header())
    steps: list[Step] = []
    for database, workers in configs:
        steps += run_config(database, workers, sizes, args.duration, args.wait, args.idle)
    print(
        f"median backend CPU per 1,000 tablets: "
        f"{statistics.median(s.backend_cpu / s.tablets * 1000 for s in steps) * 100:.0f} % "
        "of a core"
        if steps
        else "no step ran"
    )
    if args.idle:
        per_poll = [s.result.cpu_per_poll_ms for s in steps if s.result.window_polls]
        print(
            f"backend CPU per idle poll: median {statistics.median(per_poll):.2f} ms"
            if per_poll
            else "no idle poll answered in a steady window"
        )
    else:
        print(f"knee (no errors, probe p99 < 1 s, every message within 2 s): {knee(steps)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
