"""Write docs/reliability.md from the fault and attack tests' own outcomes (a person runs this).

    .venv/bin/python scripts/reliability_report.py            # run the tests, rewrite the doc
    .venv/bin/python scripts/reliability_report.py --audit    # audit the lock first
    .venv/bin/python scripts/reliability_report.py --render-only   # from the last recorded run

It runs `pytest tests/reliability tests/security`, whose outcomes tests/reliability/recorder.py
records in var/reliability/results.json, then renders the table from them; nothing in the table
is typed by hand. Running the tests alone (pytest, scripts/test) never writes the doc;
tests/security/test_reliability_doc.py checks it and names this command when it is out of date.
The exit status is 1 when a fault or attack test failed (the doc is written all the same and
says so), 2 when the tests could not run to the end (the doc is left as it was).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "reliability" / "results.json"
AUDIT = ROOT / "var" / "reliability" / "audit.json"  # scripts/audit_dependencies.py
DOC = ROOT / "docs" / "reliability.md"
# Written by `bench.soak --doc docs/soak-results.md` (or `--report samples.json --doc ...`):
# a soak's figures come from its run, not from the tests, and are included as they are.
SOAK = ROOT / "docs" / "soak-results.md"

OUTCOME_WORDS = {
    "passed": "✔ holds",
    "failed": "✘ FAILED",
    "error": "✘ ERROR",
    "skipped": "— skipped",
}

COMMAND = ".venv/bin/python scripts/reliability_report.py"
TEST_DIRS = ("tests/reliability", "tests/security")

HEADER = """# Reliability and security: every fault and attack tried

Generated from the suite's own results by `scripts/reliability_report.py`, which runs
`tests/reliability/` and `tests/security/` and writes this file (a test run never does);
`tests/security/test_reliability_doc.py` fails when this table lists other tests than the suite
has. Each row is one test: what it does to Foyer and what must still hold, then how it ended
on the last run. Process-level fault tests (marked `e2e`) start real `foyer-backend` processes
and tablet drivers on loopback.
"""


# What these tests found when they were written, and what was changed (history, not outcomes:
# the outcomes are the table below).
FOUND = """Found by these tests when they were written, and fixed:

- the OpenAPI schema described FastAPI's default 422 body, not the French one really sent
  (`backend/openapi_errors.py`);
- no security headers on API answers (`backend/security_headers.py`);
- a health message delivered to a tablet by sync left no audit entry
  (`backend/services/messages.py`);
- wrong pairing codes were limited but not logged (`backend/services/pairing.py`);
- a right-to-left override made a message read otherwise on the tablet ("gpj.exe" shown as
  "exe.jpg"; `widgets/message_bubble.py` drops explicit bidi controls);
- with the disk full the tablet could not even open its store to show the day, and a sync or an
  outbox flush that could not write raised instead of backing off (`kiosk/sqlite_read.py`,
  `kiosk/store.py`, `kiosk/outbox.py`, `kiosk/sync.py`);
- when the wall clock jumped back an hour, every pending background job (sync retries, the
  outbox) waited that hour too (`kiosk/clock_guard.py`, started by `kiosk/cli.py`).
"""


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


AUDIT_PREFIX = "Dependency audit"


def audit_line(previous: str = "") -> str:
    """The audit's verdict from var/reliability/audit.json; without one, the line of the
    `previous` doc (an audit run elsewhere stays said until one runs here)."""
    try:
        audit = json.loads(AUDIT.read_text())
    except (OSError, ValueError):
        for line in previous.splitlines():
            if line.startswith(AUDIT_PREFIX):
                return line + "\n"
        return f"{AUDIT_PREFIX}: not run in this checkout (`scripts/audit_dependencies.py`).\n"
    return (
        "Dependency audit of the lock (`scripts/audit_dependencies.py`): "
        f"{cell(str(audit.get('summary', audit.get('status', '?'))))}. Known vulnerabilities fail "
        "CI; versions the vulnerability service cannot check are listed, and fail CI only with "
        "`FOYER_AUDIT_STRICT=1` (this lock comes from a private index PyPI does not know).\n"
    )


SOAK_METHOD = """## Soak: weeks alone, sped up (issue 19)

`nice -n 5 .venv/bin/python -m bench.soak --duration 7200` (and again with `--restart 100000`:
one backend life), then `bench.soak --report RUN1/samples.json RUN2/samples.json --doc
docs/soak-results.md` and a reading by hand at its end. Each run starts a real backend
(SQLite) and the real tablet app (offscreen, paired, long-polling through a TCP proxy that the
soak cuts), then, sped up: a message posted every ~10 s and a photo every ~30 s
(the oldest deleted, so the live data stays the same size and whatever grows is a leak, not
data; the photo cache downloads and forgets), a configuration change every ~60 s (slideshow
pace, photo frame after a minute, night mode on and off around the current hour: the night
screen and the screen power off, then back), a network cut (RST) or black-hole of 15 s every
~2 min, and the backend stopped with SIGTERM and started again every ~5 min, every third time
killed with SIGKILL instead. Every 20 s it reads /proc (RSS, PSS, USS, open files, threads of
both processes), the disk (photo cache, SQLite files and WAL on both sides, the tablet's log as
the journal's stand-in) and which screen the tablet shows. Verdict per metric: its growth per
hour (Theil–Sen's slope over the second half of the run; the WAL by the largest size seen)
against a stated bound; the backend's process figures are judged in the run where it lives
long, not in the one where it restarts every few minutes (mostly warm-up there). Samples:
`var/soak/<stamp>/samples.csv` and `samples.json`. Last runs:
"""


def soak_section() -> str:
    try:
        results = SOAK.read_text(encoding="utf-8").strip()
    except OSError:
        results = f"No soak run recorded here yet (`{SOAK.relative_to(ROOT)}` is missing)."
    return SOAK_METHOD + "\n" + results + "\n"


def render(results: dict[str, dict[str, Any]], previous: str = "") -> str:
    lines = [HEADER, audit_line(previous), FOUND, soak_section()]
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    summary = ", ".join(f"{n} {OUTCOME_WORDS.get(k, k)}" for k, n in sorted(counts.items()))
    # No times or durations here (they are in var/reliability/results.json): the file changes
    # only when a test or an outcome does, not at every run.
    lines.append("## Every fault and attack test\n")
    lines.append(f"{len(results)} tests: {summary}.\n")
    lines.append("| area | fault or attack, and what must hold | case | outcome | test |")
    lines.append("|---|---|---|---|---|")
    for nodeid in sorted(results, key=lambda n: (results[n]["area"], n)):
        e = results[nodeid]
        outcome = OUTCOME_WORDS.get(e["outcome"], e["outcome"])
        if e.get("reason"):
            outcome += f" ({e['reason']})"
        test = nodeid.split("[")[0]
        lines.append(
            f"| {cell(e['area'])} | {cell(e['description'])} | {cell(e.get('case', ''))} "
            f"| {cell(outcome)} | `{cell(test)}` |"
        )
    return "\n".join(lines) + "\n"


def documented_ids(text: str) -> set[tuple[str, str]]:
    """(test path without parameters, case) of every row of a rendered table."""
    rows = set()
    for line in text.splitlines():
        if line.startswith("| ") and line.endswith("` |"):
            cells = [c.strip() for c in line[1:-1].split(" | ")]
            rows.add((cells[-1].strip("`"), cells[2]))
    return rows


def load_results() -> dict[str, dict[str, Any]]:
    data = json.loads(RESULTS.read_text())
    if not isinstance(data, dict):
        raise ValueError("not a mapping of test ids")
    return data


def run_tests(pytest_args: list[str]) -> int:
    """pytest over both folders, whole (the recorder then drops the rows of tests that are gone);
    its exit status."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *TEST_DIRS, *pytest_args]
    print("$ " + " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def write_doc(results: dict[str, dict[str, Any]]) -> None:
    previous = DOC.read_text() if DOC.exists() else ""
    text = render(results, previous)
    if text == previous:
        print(f"{DOC.relative_to(ROOT)} is up to date ({len(results)} tests)")
    else:
        DOC.write_text(text)
        print(f"wrote {DOC.relative_to(ROOT)} ({len(results)} tests)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="do not run the tests: render the outcomes recorded by the last complete run",
    )
    parser.add_argument(
        "--audit", action="store_true", help="run scripts/audit_dependencies.py first"
    )
    parser.add_argument("pytest_args", nargs="*", help="more pytest options (after --)")
    args = parser.parse_args(argv)
    if args.audit:  # its verdict, even "vulnerable", goes into the doc
        audit = [sys.executable, str(ROOT / "scripts" / "audit_dependencies.py")]
        subprocess.run(audit, cwd=ROOT, check=False)
    if args.render_only:
        try:
            results = load_results()
        except (OSError, ValueError) as exc:
            print(f"no results to render ({exc}); run {COMMAND}", file=sys.stderr)
            return 2
        write_doc(results)
        return 0
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    status = run_tests(args.pytest_args)
    try:
        results = load_results()
    except (OSError, ValueError) as exc:
        print(f"the tests recorded nothing ({exc}); doc left as it was", file=sys.stderr)
        return 2
    not_run = sorted(n for n, e in results.items() if str(e.get("at", "")) < started)
    if status not in (0, 1) or not_run:
        print(
            f"pytest exited {status} and {len(not_run)} tests did not run "
            f"(e.g. {not_run[:3]}): doc left as it was",
            file=sys.stderr,
        )
        return 2
    write_doc(results)
    failed = sorted(n for n, e in results.items() if e["outcome"] in ("failed", "error"))
    if failed:
        print(f"{len(failed)} fault or attack tests failed: {failed[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
