#!/usr/bin/env bash
# Lay the Foyer appliance out into a root folder: the image build runs it on the pi-gen
# rootfs (images/stage-foyer/01-run.sh), the tests on a temporary folder
# (tests/appliance/test_install.py). It never touches the machine it runs on.
#
#   images/install-appliance.sh [--slot VERSION] [--settings FILE] ROOT
#
# --slot VERSION: ROOT/opt/foyer/slots/VERSION already holds Foyer's venv (made by
# 01-run-chroot.sh); mark it complete and point /opt/foyer/current at it.
# --settings FILE: a foyer.toml for the boot partition (the organisation's backend address),
# which whoever prepares a card may still edit.
#
# What it writes, with its mode and intended owner, is listed in
# ROOT/usr/share/foyer/install-manifest (path mode user:group uid:gid): ownership is applied
# when running as root, and the manifest lets a test check it either way.
set -euo pipefail

usage() {
  echo "usage: $0 [--slot VERSION] [--settings FILE] ROOT" >&2
  exit 2
}

SLOT=""
SETTINGS=""
while [ $# -gt 1 ]; do
  case "$1" in
    --slot) SLOT="$2"; shift 2 ;;
    --settings) SETTINGS="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ $# -eq 1 ] || usage
ROOT="$(realpath -m "$1")"
[ "$ROOT" != "/" ] || { echo "install-appliance: refusing to install into / (give a root folder)" >&2; exit 2; }

HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$(dirname "$HERE")"
FILES="$HERE/files"
MANIFEST_REL=usr/share/foyer/install-manifest
mkdir -p "$ROOT/usr/share/foyer"
: > "$ROOT/$MANIFEST_REL"

# systemd-sysusers and systemctl: the target's own when ROOT is a system that has them (the
# image's rootfs: pi-gen's Docker container has no systemd, and the target's version is the one
# the device will run), run inside it with chroot (as pi-gen's on_chroot does, through
# qemu-user for an arm64 rootfs); else the host's with --root (a bare folder: the tests).
target_systemd() {
  [ "$(id -u)" -eq 0 ] && [ -x "$ROOT/usr/bin/systemd-sysusers" ] && [ -x "$ROOT/usr/bin/systemctl" ]
}
sysusers() {
  if target_systemd; then
    chroot "$ROOT" /usr/bin/systemd-sysusers "/$1"
  else
    systemd-sysusers --root="$ROOT" "$ROOT/$1"
  fi
}
enable_units() {
  if target_systemd; then
    chroot "$ROOT" /usr/bin/systemctl enable "$@"
  else
    systemctl --root="$ROOT" enable "$@"
  fi
}

# The kiosk user, made the systemd way: sysusers.d in the image (so a later
# `systemd-sysusers` on the device agrees), applied to ROOT's /etc/passwd now.
install -D -m 0644 "$FILES/sysusers-foyer.conf" "$ROOT/usr/lib/sysusers.d/foyer.conf"
mkdir -p "$ROOT/etc"
sysusers usr/lib/sysusers.d/foyer.conf

# uid:gid of a user in ROOT's own /etc/passwd (the host's may differ, or lack it).
ids_of() {
  awk -F: -v u="$1" '$1 == u { print $3 ":" $4; found = 1 } END { exit !found }' "$ROOT/etc/passwd"
}
FOYER_IDS="$(ids_of foyer)"

# place MODE OWNER SOURCE TARGET: copy a file (or, with SOURCE "-", make a directory).
place() {
  local mode="$1" owner="$2" source="$3" target="$4" ids
  if [ "$source" = "-" ]; then
    install -d -m "$mode" "$ROOT/$target"
  else
    install -D -m "$mode" "$source" "$ROOT/$target"
  fi
  if [ "$owner" = "foyer:foyer" ]; then ids="$FOYER_IDS"; else ids="0:0"; fi
  if [ "$(id -u)" -eq 0 ]; then
    chown "$ids" "$ROOT/$target"
  fi
  echo "/$target $mode $owner $ids" >> "$ROOT/$MANIFEST_REL"
}

for unit in foyer-kiosk.service foyer-firstboot.service foyer-backend.service \
  foyer-update.path foyer-update.service foyer-update.timer; do
  place 0644 root:root "$SRC/systemd/$unit" "etc/systemd/system/$unit"
done
# The keys a release must be signed with to be installed (common/release_signature.py).
place 0644 root:root "$FILES/foyer-release-key.pub" usr/share/foyer/release-keys/foyer-release-key.pub
place 0644 root:root "$SRC/systemd/journald.conf.d/foyer.conf" etc/systemd/journald.conf.d/foyer.conf
place 0644 root:root "$SRC/systemd/system.conf.d/foyer-watchdog.conf" \
  etc/systemd/system.conf.d/foyer-watchdog.conf
place 0644 root:root "$FILES/70-foyer-backlight.rules" etc/udev/rules.d/70-foyer-backlight.rules
# NetworkManager lets the kiosk user join networks, scan and run the hotspot (docs/network.md).
place 0644 root:root "$FILES/50-foyer-network.rules" etc/polkit-1/rules.d/50-foyer-network.rules
# DDC/CI (night mode on HDMI monitors): the i2c character devices for the `i2c` group,
# loaded at boot (docs/appliance.md, "Users and groups").
place 0644 root:root "$FILES/71-foyer-i2c.rules" etc/udev/rules.d/71-foyer-i2c.rules
place 0644 root:root "$FILES/modules-load-foyer-i2c.conf" etc/modules-load.d/foyer-i2c.conf
place 0755 root:root "$FILES/foyer-factory-reset" usr/local/sbin/foyer-factory-reset
place 0644 root:root "$SRC/docs/appliance.md" usr/share/doc/foyer/appliance.md
place 0644 root:root "$SRC/docs/updates-tablet.md" usr/share/doc/foyer/updates-tablet.md
# A commented example where whoever prepares the card will see it.
place 0644 root:root "$FILES/foyer.toml.example" boot/firmware/foyer.toml.example
if [ -n "$SETTINGS" ]; then
  place 0644 root:root "$SETTINGS" boot/firmware/foyer.toml
fi
# The tablet's data: credential (0600 inside), store, outbox. Only the kiosk user enters.
place 0700 foyer:foyer - var/lib/foyer
place 0755 root:root - opt/foyer/slots
# The wheelhouse updates install from (filled by 01-run-chroot.sh; docs/updates-tablet.md).
place 0755 root:root - opt/foyer/wheels

if [ -n "$SLOT" ]; then
  slot_dir="$ROOT/opt/foyer/slots/$SLOT"
  [ -x "$slot_dir/bin/foyer-kiosk" ] || {
    echo "install-appliance: $slot_dir/bin/foyer-kiosk is missing: build the venv first" >&2
    exit 1
  }
  # What appliance/update.py expects of a slot, and the relative link it makes.
  echo "$SLOT" > "$slot_dir/.foyer-slot-complete"
  ln -sfn "slots/$SLOT" "$ROOT/opt/foyer/current"
  echo "/opt/foyer/current -> slots/$SLOT" >> "$ROOT/$MANIFEST_REL"
fi

# Enabled the way `systemctl enable` does it on a running system: symlinks in *.wants/.
# The backend stays disabled: a tablet talks to a remote one.
# The updater is started by the tablet's request (the .path unit) and now and then (the
# timer), never by itself at boot.
enable_units foyer-firstboot.service foyer-kiosk.service foyer-update.path foyer-update.timer
echo "install-appliance: Foyer laid out in $ROOT"
