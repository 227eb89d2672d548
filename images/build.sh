#!/usr/bin/env bash
# Build the Foyer SD-card image: Raspberry Pi OS Lite (Trixie, 64-bit) plus stage-foyer, with
# pi-gen. PySide6's aarch64 wheels need glibc 2.39: Trixie (2.41), not Bookworm (2.36).
#
#   FOYER_ADMIN_PASSWORD=… [FOYER_SETTINGS=foyer.toml] images/build.sh [PI_GEN_DIR]
#
# FOYER_SETTINGS: the organisation's foyer.toml (backend_url…), put on the image's boot
# partition; checked here, so a typo fails the build rather than every tablet.
# Needs a Debian host with pi-gen's dependencies (or Docker: FOYER_DOCKER=1), root, the
# network and about 20 GB. The image lands in PI_GEN_DIR/deploy/. Not run by the tests: they
# run images/install-appliance.sh, which this build runs too (stage-foyer/00-foyer/02-run.sh).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(dirname "$HERE")"
PI_GEN="$(realpath -m "${1:-$SRC/var/pi-gen}")"
STAGE="$HERE/stage-foyer"

if [ -z "${FOYER_ADMIN_PASSWORD:-}" ]; then
  echo "build: set FOYER_ADMIN_PASSWORD (the password of the maintenance account foyer-admin)" >&2
  exit 2
fi
if [ ! -d "$PI_GEN" ]; then
  # The arm64 branch builds the 64-bit image.
  git clone --depth 1 --branch arm64 https://github.com/RPi-Distro/pi-gen.git "$PI_GEN"
fi

# What the stage installs (the wheel, its version, the files install-appliance.sh lays out).
images_files_args=()
if [ -n "${FOYER_SETTINGS:-}" ]; then
  images_files_args=("$FOYER_SETTINGS")
fi
"$HERE/stage-files.sh" "${images_files_args[@]}"
VERSION="$(cat "$STAGE/00-foyer/files/VERSION")"

# Inside the pi-gen folder, so that build-docker.sh (which sees only that folder) finds it too.
rm -rf "$PI_GEN/stage-foyer"
cp -a "$STAGE" "$PI_GEN/stage-foyer"

# Only our stage's image is wanted, not stage2's plain Lite one.
touch "$PI_GEN/stage2/SKIP_IMAGES"
cat > "$PI_GEN/config" <<CONFIG
IMG_NAME=foyer-${VERSION}
RELEASE=trixie
TARGET_HOSTNAME=foyer
LOCALE_DEFAULT=fr_FR.UTF-8
KEYBOARD_KEYMAP=fr
KEYBOARD_LAYOUT="French"
TIMEZONE_DEFAULT=Europe/Paris
# A maintenance account for a technician with a keyboard; the tablet itself needs no login.
FIRST_USER_NAME=foyer-admin
FIRST_USER_PASS='${FOYER_ADMIN_PASSWORD//\'/}'
# No first-boot wizard: the tablet must come up on its pairing screen by itself.
DISABLE_FIRST_BOOT_USER_RENAME=1
ENABLE_SSH=0
STAGE_LIST="stage0 stage1 stage2 stage-foyer"
CONFIG

cd "$PI_GEN"
if [ "${FOYER_DOCKER:-0}" = 1 ]; then
  ./build-docker.sh
else
  ./build.sh
fi
echo "build: image in $PI_GEN/deploy/"
