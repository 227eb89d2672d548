#!/usr/bin/env bash
# Fill stage-foyer/00-foyer/files/ with what the stage installs: Foyer's wheel, its VERSION,
# the constraints the test suite ran with, the organisation's foyer.toml when given, and the
# files images/install-appliance.sh lays out. Run by images/build.sh (pi-gen) and by
# scripts/appliance_arm64 (the same stage on a Debian arm64 rootfs), so both install the same.
#
#   images/stage-files.sh [SETTINGS]
#
# SETTINGS: the organisation's foyer.toml (backend_url…), checked here, so a typo fails the
# build rather than every tablet. PYTHON: the interpreter that builds the wheel (python3).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(dirname "$HERE")"
FILES="$HERE/stage-foyer/00-foyer/files"
PYTHON="${PYTHON:-python3}"
SETTINGS="${1:-}"

rm -rf "$FILES"
mkdir -p "$FILES/foyer-src/images" "$FILES/foyer-src/docs"
VERSION="$("$PYTHON" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$SRC/pyproject.toml")"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$FILES" "$SRC"
echo "$VERSION" > "$FILES/VERSION"
# The versions the test suite ran with, not whatever is newest on the day of the build.
cp "$SRC/constraints.txt" "$FILES/constraints.txt"
if [ -n "$SETTINGS" ]; then
  PYTHONPATH="$SRC" "$PYTHON" -c 'import sys; from pathlib import Path
from appliance.firstboot import SettingsError, read_settings
try:
    read_settings(Path(sys.argv[1]))
except SettingsError as exc:
    sys.exit(f"build: {exc}")' "$SETTINGS"
  cp "$SETTINGS" "$FILES/foyer.toml"
fi
cp -a "$HERE/install-appliance.sh" "$HERE/files" "$FILES/foyer-src/images/"
cp -a "$SRC/systemd" "$FILES/foyer-src/"
cp -a "$SRC/docs/appliance.md" "$SRC/docs/updates-tablet.md" "$FILES/foyer-src/docs/"
echo "stage-files: Foyer $VERSION in $FILES"
