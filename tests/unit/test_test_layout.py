"""The tests' own layout: what tests share lives in helper modules or conftest fixtures, and no
file under tests/ imports a test module (`test_*.py`), whose import would also collect its tests
twice and tie one file's tests to another's helpers."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def _imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in `source` (a module of `package`), anywhere in
    it, relative imports resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            # `from tests.api import test_sync` imports a test module too
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def _is_test_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "tests" and parts[-1].startswith("test_")


def test_no_file_under_tests_imports_a_test_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, module in _imported_modules(path.read_text(encoding="utf-8"), _package_of(path))
        if _is_test_module(module)
    ]
    assert offenders == [], (
        "move what is shared into a helper module (e.g. tests/kiosk/screen_checks.py, "
        "tests/api/members.py) or a conftest fixture:\n" + "\n".join(offenders)
    )


def test_the_check_sees_every_form_of_import() -> None:
    """The check itself bites: absolute, `from package import test_x`, relative imports, and
    imports inside a function."""
    source = (
        "import tests.api.test_sync\n"
        "from tests.kiosk import test_screens\n"
        "from tests.kiosk.screen_checks import settle\n"
        "def f():\n"
        "    from .test_navigation import Clock\n"
    )
    modules = [m for _, m in _imported_modules(source, "tests.kiosk") if _is_test_module(m)]
    assert modules == [
        "tests.api.test_sync",
        "tests.kiosk.test_screens",
        "tests.kiosk.test_navigation",
    ]
