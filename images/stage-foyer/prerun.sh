#!/bin/bash -e
# pi-gen: this stage starts from the rootfs of the previous one (stage2, Raspberry Pi OS Lite).
# shellcheck disable=SC2154 # ROOTFS_DIR comes from pi-gen
if [ ! -d "${ROOTFS_DIR}" ]; then
  copy_previous
fi
