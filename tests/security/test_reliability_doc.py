"""The reliability table: docs/reliability.md lists exactly the fault and attack tests there are.

The table is written from recorded outcomes by tests/reliability/recorder.py at the end of a
complete run of tests/reliability and tests/security; this test fails when a test was added,
renamed or removed since, so the table cannot drift from the suite.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from scripts.reliability_report import DOC, documented_ids
from tests.reliability.recorder import ROOT, covers_everything, is_recorded


def _collected(session: pytest.Session) -> list[str]:
    """Ids of every fault and attack test: from this session when it selected them all (the
    whole suite, CI), else from a `--collect-only` run (a few seconds)."""
    if covers_everything(session):
        return [item.nodeid for item in session.items if is_recorded(item.nodeid)]
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/reliability",
            "tests/security",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert collected.returncode == 0, collected.stdout[-2000:] + collected.stderr[-2000:]
    return [line for line in collected.stdout.splitlines() if "::" in line]


def test_docs_reliability_md_lists_every_fault_and_attack_test(
    request: pytest.FixtureRequest,
) -> None:
    """Every collected test of tests/reliability and tests/security has its row, and no row
    names a test that no longer exists."""
    nodeids = _collected(request.session)
    assert len(nodeids) > 50
    expected = set()
    for nodeid in nodeids:
        path, _, case = nodeid.partition("[")
        expected.add((path, case[:-1] if case else ""))
    documented = documented_ids(DOC.read_text())
    fix = "run .venv/bin/pytest tests/reliability tests/security: it rewrites the table at its end"
    assert sorted(expected - documented) == [], f"tests missing from docs/reliability.md; {fix}"
    assert sorted(documented - expected) == [], f"rows for tests that are gone; {fix}"
