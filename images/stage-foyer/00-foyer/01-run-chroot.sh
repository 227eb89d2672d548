#!/bin/bash -e
# pi-gen, inside the arm64 rootfs: Foyer in its own venv, at the slot path the updater uses
# (appliance/update.py), so that the first update can roll back to this one.
VERSION="$(cat /tmp/foyer/VERSION)"
SLOT="/opt/foyer/slots/${VERSION}"
python3 -m venv "${SLOT}"
# The tablet's install set only: no server dependency on the appliance (pyproject.toml).
WHEEL="$(echo /tmp/foyer/*.whl)"
"${SLOT}/bin/python" -m pip install --no-cache-dir -c /tmp/foyer/constraints.txt "${WHEEL}[tablet]"
# Night mode switches the screen off through the compositor with wlopm when the
# distribution has it; without it the backlight, DDC/CI or a black screen are used.
apt-get install -y --no-install-recommends wlopm ||
  echo "foyer: wlopm unavailable; night mode uses the backlight, DDC/CI or black"
# French first: the interface is French and so should the system's messages be.
sed -i 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
locale-gen
