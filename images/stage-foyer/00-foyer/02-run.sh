#!/bin/bash -e
# pi-gen, host side: units, the kiosk user, modes and enabled services, by the same script the
# tests run on a temporary root (images/install-appliance.sh).
# shellcheck disable=SC2154 # ROOTFS_DIR comes from pi-gen
VERSION="$(cat files/VERSION)"
SETTINGS=()
# The organisation's foyer.toml, when build.sh was given one, goes on the boot partition.
if [ -f files/foyer.toml ]; then
  SETTINGS=(--settings files/foyer.toml)
fi
files/foyer-src/images/install-appliance.sh --slot "${VERSION}" "${SETTINGS[@]}" "${ROOTFS_DIR}"
rm -rf "${ROOTFS_DIR}/tmp/foyer"
