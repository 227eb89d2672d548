#!/bin/bash -e
# pi-gen, inside the arm64 rootfs: Foyer in its own venv, at the slot path the updater uses
# (appliance/update.py), so that the first update can roll back to this one.
set -euo pipefail
VERSION="$(cat /tmp/foyer/VERSION)"
SLOT="/opt/foyer/slots/${VERSION}"
python3 -m venv "${SLOT}"
# The tablet's install set only: no server dependency on the appliance (pyproject.toml).
WHEEL="$(echo /tmp/foyer/*.whl)"
"${SLOT}/bin/python" -m pip install --no-cache-dir -c /tmp/foyer/constraints.txt "${WHEEL}[tablet]"
# The wheelhouse: every wheel of foyer[tablet] for this platform, so that an update installs
# a new slot without PyPI (docs/updates-tablet.md, "the wheelhouse and the wheel set").
install -d -m 0755 /opt/foyer/wheels
"${SLOT}/bin/python" -m pip download --no-cache-dir --only-binary=:all: \
  -c /tmp/foyer/constraints.txt -d /opt/foyer/wheels "${WHEEL}[tablet]"
# No wlopm: Trixie's cage (0.2) does not speak the wlr output-power protocol it needs, so night
# mode uses the backlight, DDC/CI or a black screen (docs/appliance.md, "Screen power").
# French first: the interface is French and so should the system's messages be.
sed -i 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
locale-gen
