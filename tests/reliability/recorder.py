"""Records what every fault and attack test tried and how it ended, for docs/reliability.md.

Loaded by tests/reliability/conftest.py and tests/security/conftest.py (once per session, whichever
comes first). Each test's description is its docstring; its area is its module's docstring's
first line. At the end of a run the outcomes are merged into var/reliability/results.json (by
test id, so running one file updates only its rows; var/ is not tracked). A test run never
writes docs/reliability.md: `scripts/reliability_report.py` does, when a person runs it.
tests/security/test_reliability_doc.py fails when the table lists other tests than the suite has.
"""

from __future__ import annotations

import fcntl
import inspect
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "reliability" / "results.json"
DIRS = ("tests/reliability/", "tests/security/")
# Checks the document itself: not a fault or an attack, so not a row of it (the row would say
# how the check ended before the document it checks was written).
NOT_RECORDED = ("tests/security/test_reliability_doc.py",)
PLUGIN_NAME = "foyer-reliability-recorder"


def first_line(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "")
    return " ".join(text.split("\n\n")[0].split())


def describe(item: pytest.Item) -> dict[str, str]:
    """Area, description and parameter of one collected test."""
    module = getattr(item, "module", None)
    function = getattr(item, "function", None)
    callspec = getattr(item, "callspec", None)
    return {
        "area": first_line(getattr(module, "__doc__", None)).split(":")[0].rstrip("."),
        "description": first_line(getattr(function, "__doc__", None)),
        "case": callspec.id if callspec is not None else "",
    }


def is_recorded(nodeid: str) -> bool:
    return nodeid.startswith(DIRS) and not nodeid.startswith(NOT_RECORDED)


class Recorder:
    def __init__(self) -> None:
        self.described: dict[str, dict[str, str]] = {}
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.collect_only = False

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        self.collect_only = bool(config.getoption("collectonly"))
        for item in items:
            if is_recorded(item.nodeid):
                self.described[item.nodeid] = describe(item)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.described:
            return
        entry = self.outcomes.setdefault(report.nodeid, {"outcome": "passed", "seconds": 0.0})
        entry["seconds"] = round(entry["seconds"] + report.duration, 2)
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"
            entry["reason"] = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.collect_only or not self.outcomes:
            return
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        # Several pytest processes (xdist workers, a second run) may finish at once: one at a
        # time reads, merges and writes, so that none loses another's rows.
        with RESULTS.with_name("results.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            results = load_results()
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for nodeid, outcome in self.outcomes.items():
                results[nodeid] = {**self.described[nodeid], **outcome, "at": stamp}
            if self._complete(session):  # tests that no longer exist leave the table
                results = {k: v for k, v in results.items() if k in self.described}
            text = json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True)
            partial = RESULTS.with_name(f"results.{os.getpid()}.tmp")
            partial.write_text(text)
            partial.replace(RESULTS)

    def _complete(self, session: pytest.Session) -> bool:
        """Every test of both folders was selected and has run (no -k, no single file)."""
        return covers_everything(session) and set(self.outcomes) == set(self.described)


def covers_everything(session: pytest.Session) -> bool:
    """The session selected every test of both folders (whole folders, no -k, no -m)."""
    args = [str(a).split("::")[0] for a in session.config.args]
    whole = all(
        any(
            (ROOT / a).resolve() in ((ROOT / d).resolve(), *(ROOT / d).resolve().parents)
            for a in args
        )
        for d in DIRS
    )
    return (
        whole
        and not session.config.getoption("keyword")
        and not session.config.getoption("markexpr")
        and not session.config.getoption("deselect")
        and not session.config.getoption("lf", False)
    )


def load_results() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def register(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN_NAME):
        config.pluginmanager.register(Recorder(), PLUGIN_NAME)
