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


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def audit_line() -> str:
    try:
        audit = json.loads(AUDIT.read_text())
    except (OSError, ValueError):
        return "Dependency audit: not run in this checkout (`scripts/audit_dependencies.py`).\n"
    return (
        f"Dependency audit of the lock (`scripts/audit_dependencies.py`, {audit.get('at', '?')}): "
        f"{cell(str(audit.get('summary', audit.get('status', '?'))))}. Known vulnerabilities fail "
        "CI; versions the vulnerability service cannot check are listed, and fail CI only with "
        "`FOYER_AUDIT_STRICT=1` (this lock comes from a private index PyPI does not know).\n"
    )


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [HEADER, audit_line()]
    counts: dict[str, int] = {}
    for entry in results.values():
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
    summary = ", ".join(f"{n} {OUTCOME_WORDS.get(k, k)}" for k, n in sorted(counts.items()))
    stamps = sorted(str(e.get("at", "")) for e in results.values())
    when = f" (last run {stamps[-1]})" if stamps else ""
    lines.append(f"{len(results)} tests: {summary}{when}.\n")
    lines.append("| area | fault or attack, and what must hold | case | outcome | s | test |")
    lines.append("|---|---|---|---|---|---|")
    for nodeid in sorted(results, key=lambda n: (results[n]["area"], n)):
        e = results[nodeid]
        outcome = OUTCOME_WORDS.get(e["outcome"], e["outcome"])
        if e.get("reason"):
            outcome += f" ({e['reason']})"
        test = nodeid.split("[")[0]
        lines.append(
            f"| {cell(e['area'])} | {cell(e['description'])} | {cell(e.get('case', ''))} "
            f"| {cell(outcome)} | {e.get('seconds', 0):.1f} | `{cell(test)}` |"
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
