"""Each install set of pyproject.toml holds what its packages import, and no more than it should.

A tablet installs `foyer[tablet]` (no server library), a server `foyer[server]` (no Qt). A
third-party import that only the test environment happens to have would break a real tablet or
server at start: this test maps every import of each Foyer package (read by grimp, as the
border contracts are) to its distribution and checks that the package's install set brings it,
directly or through a dependency.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PACKAGES = ("common", "widgets", "provisioning", "kiosk", "appliance", "backend", "demo")
# Which extras a machine running each package installs (base dependencies always).
INSTALLED_WITH = {
    "common": (),
    "widgets": ("tablet",),
    "provisioning": ("tablet",),
    "kiosk": ("tablet",),
    "appliance": ("tablet",),
    "backend": ("server",),
    "demo": ("demo",),
}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _own_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    wanted = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        for text in PROJECT["optional-dependencies"][extra]:
            req = Requirement(text)
            if _name(req.name) == "foyer":  # foyer[tablet,server]: the set includes others
                wanted += _own_requirements(tuple(sorted(req.extras)))
            else:
                wanted.append(req)
    return wanted


def install_set(extras: tuple[str, ...]) -> set[str]:
    """Distribution names pip would install for foyer[extras], from installed metadata."""
    found: set[str] = set()
    todo = [(r, r.extras) for r in _own_requirements(extras)]
    while todo:
        req, req_extras = todo.pop()
        name = _name(req.name)
        if name in found:
            continue
        found.add(name)
        for text in importlib.metadata.requires(req.name) or []:
            sub = Requirement(text)
            if sub.marker is None or any(
                sub.marker.evaluate({"extra": e}) for e in (*req_extras, "")
            ):
                todo.append((sub, sub.extras))
    return found


def third_party_imports(package: str) -> set[str]:
    graph = grimp.build_graph(package, include_external_packages=True)
    imported: set[str] = set()
    for module in graph.modules:
        if module == package or module.startswith(package + "."):
            for target in graph.find_modules_directly_imported_by(module):
                top = target.split(".")[0]
                if top not in PACKAGES and top not in sys.stdlib_module_names:
                    imported.add(top)
    return imported


@pytest.mark.parametrize("package", PACKAGES)
def test_every_import_is_brought_by_the_packages_install_set(package: str) -> None:
    distributions = importlib.metadata.packages_distributions()
    available = install_set(INSTALLED_WITH[package])
    missing = {
        top: distributions.get(top, [top])
        for top in third_party_imports(package)
        if not {_name(d) for d in distributions.get(top, [top])} & available
    }
    assert not missing, f"{package} imports {missing}, not in foyer{list(INSTALLED_WITH[package])}"


def test_a_tablet_installs_no_server_library_and_a_server_no_qt() -> None:
    tablet, server = install_set(("tablet",)), install_set(("server",))
    assert {"pyside6-essentials", "requests", "apscheduler", "segno"} <= tablet
    assert not {"fastapi", "sqlalchemy", "psycopg", "uvicorn", "jinja2", "pillow"} & tablet
    assert {"fastapi", "sqlalchemy", "psycopg", "uvicorn", "pillow", "requests"} <= server
    assert not {"pyside6-essentials", "shiboken6", "apscheduler", "segno"} & server
