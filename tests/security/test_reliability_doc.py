"""The reliability table: docs/reliability.md lists exactly the fault and attack tests there are.

The table is written by scripts/reliability_report.py, which a person runs (it runs
tests/reliability and tests/security and renders their recorded outcomes); this test fails when
a test was added, renamed or removed since, so the table cannot drift from the suite, and says
which command to run. A test run itself never writes the doc (it leaves the checkout as it was).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scripts.reliability_report import COMMAND, DOC, documented_ids
from tests.reliability import recorder
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
    return [line for line in collected.stdout.splitlines() if "::" in line and is_recorded(line)]


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
    fix = f"run {COMMAND}: it runs tests/reliability and tests/security and rewrites the table"
    assert sorted(expected - documented) == [], f"tests missing from docs/reliability.md; {fix}"
    assert sorted(documented - expected) == [], f"rows for tests that are gone; {fix}"


def test_a_complete_run_records_outcomes_and_never_writes_the_doc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder, at the end of a run that covered every fault and attack test, writes the
    outcomes under var/ (untracked) and leaves docs/reliability.md byte for byte as it was."""
    results = tmp_path / "results.json"
    monkeypatch.setattr(recorder, "RESULTS", results)
    before = DOC.read_bytes()
    nodeid = "tests/security/test_example.py::test_one"
    rec = recorder.Recorder()
    rec.described[nodeid] = {"area": "Example", "description": "One.", "case": ""}
    report: Any = SimpleNamespace(
        nodeid=nodeid, duration=0.1, failed=False, skipped=False, when="call"
    )
    rec.pytest_runtest_logreport(report)
    monkeypatch.setattr(recorder, "covers_everything", lambda _session: True)
    session: Any = SimpleNamespace()
    rec.pytest_sessionfinish(session)
    assert nodeid in results.read_text()
    assert DOC.read_bytes() == before
