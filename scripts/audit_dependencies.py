"""pip-audit of the locked dependencies (constraints.txt), with an honest verdict.

    .venv/bin/python scripts/audit_dependencies.py [--strict]

pip-audit asks PyPI's vulnerability data about every pinned version (`--no-deps
--disable-pip`: the lock is complete, nothing is resolved or downloaded). pip-audit itself
reports "No known vulnerabilities found" and exits 0 even when it could audit *nothing* (a
version PyPI does not know, the service out of reach), so this script reads its JSON and says
which of three things happened:

- vulnerable: known vulnerabilities in locked versions → exit 1, always;
- not audited: some versions could not be checked (listed) → a loud warning and exit 0, or
  exit 3 with `--strict` or FOYER_AUDIT_STRICT=1;
- clean: every locked version checked, nothing known → exit 0.

CI (scripts/test) runs it before the tests. The lock here is served by a private package index
whose versions PyPI has never seen, so "not audited" is the expected verdict on these machines;
where PyPI's data covers the lock, set FOYER_AUDIT_STRICT=1 so that CI fails instead.
The verdict is also written to var/reliability/audit.json for docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"
RESULT = ROOT / "var" / "reliability" / "audit.json"
TIMEOUT_SECONDS = 10


@dataclass
class Verdict:
    status: str  # "clean", "vulnerable" or "not audited"
    audited: int
    total: int
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID, ID"
    unaudited: list[str] = field(default_factory=list)  # "name version"
    error: str = ""

    def summary(self) -> str:
        if self.status == "vulnerable":
            return (
                f"{len(self.vulnerable)} locked versions have known vulnerabilities: "
                + "; ".join(self.vulnerable)
            )
        if self.status == "not audited":
            why = self.error or "PyPI's vulnerability data does not know these versions"
            shown = ", ".join(self.unaudited[:8]) + (" …" if len(self.unaudited) > 8 else "")
            return (
                f"NOT AUDITED: {self.total - self.audited} of {self.total} locked versions could "
                f"not be checked ({why}): {shown}"
            )
        return f"{self.audited} locked versions audited, no known vulnerability"


def judge(report: dict[str, Any] | None, total: int, error: str = "") -> Verdict:
    """The verdict from pip-audit's JSON (None when pip-audit gave none)."""
    if report is None:
        return Verdict("not audited", 0, total, unaudited=["(all)"], error=error or "no report")
    deps = report.get("dependencies", [])
    vulnerable = [
        f"{d['name']} {d.get('version', '?')}: " + ", ".join(v["id"] for v in d["vulns"])
        for d in deps
        if d.get("vulns")
    ]
    # A skipped dependency has no "version" field; its reason ends with "(version)".
    unaudited = [
        f"{d['name']} {d.get('version') or d['skip_reason'].rsplit('(', 1)[-1].rstrip(')')}"
        for d in deps
        if "skip_reason" in d
    ]
    audited = len(deps) - len(unaudited)
    if vulnerable:
        return Verdict("vulnerable", audited, total, vulnerable, unaudited, error)
    if unaudited or audited < total:
        return Verdict("not audited", audited, total, [], unaudited, error)
    return Verdict("clean", audited, total)


def locked_count(lock: Path) -> int:
    return sum(
        1 for line in lock.read_text().splitlines() if line.strip() and not line.startswith("#")
    )


def run_pip_audit(lock: Path) -> tuple[dict[str, Any] | None, str]:
    command = [
        str(Path(sys.executable).with_name("pip-audit")),
        "--requirement",
        str(lock),
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        str(TIMEOUT_SECONDS),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return None, lines[-1] if lines else f"pip-audit exited {done.returncode}"
    return (report if isinstance(report, dict) else None), ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--strict", action="store_true", help="exit 3 when not everything is audited"
    )
    args = parser.parse_args(argv)
    strict = args.strict or os.environ.get("FOYER_AUDIT_STRICT") == "1"
    report, error = run_pip_audit(LOCK)
    verdict = judge(report, locked_count(LOCK), error)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                **asdict(verdict),
                "summary": verdict.summary(),
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            indent=1,
        )
    )
    print(
        f"pip-audit: {verdict.summary()}",
        file=sys.stderr if verdict.status != "clean" else sys.stdout,
    )
    if verdict.status == "vulnerable":
        return 1
    if verdict.status == "not audited":
        return 3 if strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
