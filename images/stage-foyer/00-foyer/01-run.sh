#!/bin/bash -e
# pi-gen, host side: bring Foyer's wheel into the rootfs for 01-run-chroot.sh.
# files/ is filled by images/build.sh (a wheel, its VERSION, a snapshot of the sources).
# shellcheck disable=SC2154 # ROOTFS_DIR comes from pi-gen
install -d "${ROOTFS_DIR}/tmp/foyer"
install -m 0644 files/VERSION files/constraints.txt files/*.whl "${ROOTFS_DIR}/tmp/foyer/"
