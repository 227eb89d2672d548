"""The package borders of docs/architecture.md, enforced with import-linter.

The contracts live in pyproject.toml (`[tool.importlinter]`). The first test holds the real tree
to them; the second proves that the contracts bite, on a small tree that breaks each of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, config: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_real_tree_keeps_every_border() -> None:
    done = lint_imports(ROOT, ROOT / "pyproject.toml", ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert f"Contracts: {len(contracts['contracts'])} kept, 0 broken." in done.stdout


def test_the_contracts_refuse_a_backend_importing_the_tablet_and_a_cycle(tmp_path: Path) -> None:
    packages = ["common", "widgets", "provisioning", "kiosk", "appliance", "backend", "demo"]
    for name in packages:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "backend" / "agenda.py").write_text("from kiosk import store\n")
    (tmp_path / "kiosk" / "store.py").write_text("")
    (tmp_path / "widgets" / "clock.py").write_text("import kiosk.store\n")
    (tmp_path / "common" / "recurrence.py").write_text("import PySide6\n")
    (tmp_path / "appliance" / "firstboot.py").write_text(
        "def reset():\n    from appliance import factory_reset\n"
    )
    (tmp_path / "appliance" / "factory_reset.py").write_text(
        "from appliance.firstboot import reset\n"
    )
    done = lint_imports(tmp_path, ROOT / "pyproject.toml", tmp_path)
    out = " ".join(done.stdout.split())
    assert done.returncode != 0
    assert "the backend never imports the tablet's side nor Qt BROKEN" in out
    assert "widgets/ know nothing of the tablet, the backend or the network BROKEN" in out
    assert "common/ is shared by both sides and imports neither" in out
    assert "no import cycle among the modules of any package BROKEN" in out
    assert "Contracts: 3 kept, 4 broken." in out
