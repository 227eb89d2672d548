"""Running the project's Python as another (unprivileged) user, for tests that need it.

The other user imports Foyer from this checkout (an editable install), so every folder above
the checkout must let others through. A clone made with `mktemp -d` sits in
a 0700 folder: there the test cannot run at all, and says so rather than failing on an import.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _blocking_folder(path: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def skip_unless_others_can_import_the_checkout() -> None:
    blocking = _blocking_folder(REPO)
    if blocking is not None:
        pytest.skip(
            f"{blocking} is closed to other users (mode "
            f"{stat.S_IMODE(blocking.stat().st_mode):o}), so an unprivileged user cannot "
            f"import Foyer from {REPO}: clone into a folder others may enter to run this test"
        )
