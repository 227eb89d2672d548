"""Dependency audit: pip-audit of the lock never passes silently (scripts/audit_dependencies.py).

pip-audit says "No known vulnerabilities found" and exits 0 even when it audited nothing; the
script's verdict, checked here on pip-audit's real JSON shapes, tells the three cases apart.
The real audit runs in scripts/test (it needs PyPI), its verdict in var/reliability/audit.json.
"""

from __future__ import annotations

from scripts.audit_dependencies import LOCK, judge, locked_count

SKIPPED = {
    "name": "alembic",
    "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.20.1)",
}
CLEAN = {"name": "requests", "version": "2.32.3", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []}],
}


def test_a_known_vulnerability_fails_the_audit() -> None:
    """A locked version with a known vulnerability: verdict "vulnerable", naming it and its id."""
    verdict = judge({"dependencies": [CLEAN, VULNERABLE, SKIPPED]}, total=3)
    assert verdict.status == "vulnerable"
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95" in verdict.summary()


def test_versions_pypi_does_not_know_are_not_audited_never_clean() -> None:
    """Versions the vulnerability service does not know, or no answer at all: "not audited",
    with the versions listed — never reported as clean."""
    verdict = judge({"dependencies": [CLEAN, SKIPPED]}, total=2)
    assert verdict.status == "not audited"
    assert "NOT AUDITED: 1 of 2" in verdict.summary() and "alembic 1.20.1" in verdict.summary()
    offline = judge(None, total=96, error="ConnectionError: pypi.org unreachable")
    assert offline.status == "not audited" and "unreachable" in offline.summary()
    partial = judge({"dependencies": [CLEAN]}, total=2)
    assert partial.status == "not audited"


def test_clean_only_when_every_locked_version_was_checked() -> None:
    """ "clean" only when every pinned version of constraints.txt was checked."""
    total = locked_count(LOCK)
    assert total > 50
    verdict = judge({"dependencies": [dict(CLEAN, name=f"p{i}") for i in range(total)]}, total)
    assert verdict.status == "clean"
