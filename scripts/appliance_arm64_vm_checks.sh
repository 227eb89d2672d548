#!/bin/bash
# Inside the VM of scripts/appliance_arm64 (not on the image): the boot checks, run by a unit
# at each boot, printing "@@…" lines to the console (the VM's serial port), which
# scripts/appliance_arm64_vm.py reads; "@@SCREEN name" asks it for a screendump.
# A serial shell was tried first: input typed into it stopped being read after a few lines.
set -uo pipefail
STATE=/var/lib/foyer-vm-checks
mkdir -p "$STATE"
t0=$(date +%s)
say() { echo "@@RESULT [$(($(date +%s) - t0)) s] $*"; }
state() { systemctl show foyer-kiosk -p ActiveState -p NRestarts -p MainPID | sort | tr '\n' ' '; }
wait_active() { # seconds
  local end=$(($(date +%s) + $1))
  while [ "$(date +%s)" -lt "$end" ]; do
    [ "$(systemctl is-active foyer-kiosk)" = active ] && return 0
    sleep 5
  done
  return 1
}

if [ -e "$STATE/start-limit" ]; then
  # The boot after the start limit's reboot.
  say "start-limit: rebooted; the boot before: $(journalctl -b -1 -u foyer-kiosk --no-pager |
    grep -iE 'start request repeated|start-limit|reboot' | tail -3 | tr '\n' '|')"
  if wait_active 1500; then say "start-limit: held, the tablet is back after the reboot: $(state)"; else
    say "start-limit: FAILED, the tablet is not back after the reboot: $(state)"; fi
  rm -f "$STATE/start-limit"
  echo "@@DONE"
  exit 0
fi

say "boot: PID 1 is $(ps -p 1 -o comm=); $(systemd-analyze time 2>&1 | head -1)"
say "firstboot: $(systemctl show foyer-firstboot -p ActiveState -p Result | sort | tr '\n' ' ')$(journalctl -b -t foyer-firstboot --no-pager | tail -2 | tr '\n' '|')"
if ! wait_active 1800; then
  say "boot: FAILED, foyer-kiosk not active after 30 min: $(state)"
  systemctl status foyer-kiosk --no-pager -l | tail -25 | sed 's/^/@@LOG /'
  echo "@@SCREEN appliance-vm-stuck"
  sleep 20
  echo "@@DONE"
  exit 0
fi
say "boot: foyer-kiosk active (READY=1 sent): $(state)"
journalctl -b -t foyer-kiosk --no-pager | tail -12 | sed 's/^/@@LOG /'

# The pairing screen: the code comes from the backend on the host; then the screen.
for _ in $(seq 60); do [ -s /var/lib/foyer/pairing_code.json ] && break; sleep 5; done
sleep 20
echo "@@SCREEN appliance-vm-pairing"
sleep 20
say "pairing: the code the tablet keeps while it shows it: $(cat /var/lib/foyer/pairing_code.json 2>&1)"

# The watchdog: the tablet frozen (SIGSTOP to foyer-kiosk, cage's child) stops its pings.
before=$(state)
main=$(systemctl show foyer-kiosk -p MainPID --value)
pkill -STOP -P "$main" -f foyer-kiosk
say "watchdog: foyer-kiosk stopped (SIGSTOP); before: $before"
sleep 45
if wait_active 1200 && [ "$(state)" != "$before" ]; then
  say "watchdog: held: after $(state); $(journalctl -b -u foyer-kiosk --no-pager | grep -iE 'watchdog|abort' | tail -3 | tr '\n' '|')"
else
  say "watchdog: FAILED: after $(state)"
fi

# A bad update: its tablet exits 1 at once; the updater must go back.
current=$(readlink /opt/foyer/current)
out=$(/opt/foyer/current/bin/foyer update --version 0.0.99 \
  --source /root/bad-update/foyer-0.0.99-py3-none-any.whl --find-links /root/bad-update \
  --unit foyer-kiosk.service --settle 30 2>&1)
status=$?
after=$(readlink /opt/foyer/current)
if [ "$status" = 1 ] && [ "$after" = "$current" ] && wait_active 1200; then
  say "rollback: held: exit 1, current $current again, the tablet active: $(echo "$out" | tail -2 | tr '\n' '|')"
else
  say "rollback: FAILED: exit $status, current $current -> $after: $(echo "$out" | tail -3 | tr '\n' '|')"
fi

# The start limit: killed as soon as each start begins; the sixth start within ten minutes
# is refused, and StartLimitAction=reboot reboots.
touch "$STATE/start-limit"
say "start-limit: killing the tablet at each start"
for i in $(seq 12); do
  until [[ $(systemctl is-active foyer-kiosk) =~ ^(active|activating)$ ]]; do sleep 0.5; done
  say "start-limit: kill $i ($(state))"
  systemctl kill -s SEGV foyer-kiosk
  sleep 1
done
sleep 600
say "start-limit: FAILED, no reboot"
rm -f "$STATE/start-limit"
echo "@@DONE"
