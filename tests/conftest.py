"""Suite-wide settings: Qt always offscreen, whatever the machine has."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Qt would otherwise warn that XDG_RUNTIME_DIR is unset on CI machines (and warnings fail tests).
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/foyer-test-runtime")
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
