"""Render docs/reliability.md from the fault and attack tests' own recorded outcomes.

    .venv/bin/pytest tests/reliability tests/security    # records, and rewrites the doc
    .venv/bin/python scripts/reliability_report.py        # re-render from var/reliability/

The outcomes come from var/reliability/results.json, written by tests/reliability/recorder.py at
the end of every run of those tests; nothing in the table is typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "reliability" / "results.json"
AUDIT = ROOT / "var" / "reliability" / "audit.json"  # scripts/audit_dependencies.py
DOC = ROOT / "docs" / "reliability.md"

OUTCOME_WORDS = {
    "passed": "✔ holds",
    "failed": "✘ FAILED",
    "error": "✘ ERROR",
    "skipped": "— skipped",
}

HEADER = """# Reliability and security: every fault and attack tried

Generated from the suite's own results by `tests/reliability/recorder.py` at the end of every
complete run of `tests/reliability/` and `tests/security/` (re-render with
`python scripts/reliability_report.py`); `tests/security/test_reliability_doc.py` fails when this
table lists other tests than the suite has. Each row is one test: what it does to Foyer and what
must still hold, then how it ended on the last run. Process-level fault tests (marked `e2e`)
start real `foyer-backend` processes and tablet drivers on loopback.
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


def audit_line() -> str:
    try:
        audit = json.loads(AUDIT.read_text())
    except (OSError, ValueError):
        return "Dependency audit: not run in this checkout (`scripts/audit_dependencies.py`).\n"
    return (
        "Dependency audit of the lock (`scripts/audit_dependencies.py`): "
        f"{cell(str(audit.get('summary', audit.get('status', '?'))))}. Known vulnerabilities fail "
        "CI; versions the vulnerability service cannot check are listed, and fail CI only with "
        "`FOYER_AUDIT_STRICT=1` (this lock comes from a private index PyPI does not know).\n"
    )


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [HEADER, audit_line(), FOUND]
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    summary = ", ".join(f"{n} {OUTCOME_WORDS.get(k, k)}" for k, n in sorted(counts.items()))
    # No times or durations here (they are in var/reliability/results.json): the file changes
    # only when a test or an outcome does, not at every run.
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


def main() -> int:
    try:
        results = json.loads(RESULTS.read_text())
    except (OSError, ValueError) as exc:
        print(f"no results to render ({exc}); run the tests first", file=sys.stderr)
        return 1
    DOC.write_text(render(results))
    print(f"wrote {DOC.relative_to(ROOT)} ({len(results)} tests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
