"""`foyer`: the appliance's own commands, for the tablet's systemd units and a technician::

    foyer firstboot --data DIR [--boot DIR] [--owner USER] [--apply-system]
    foyer factory-reset --data DIR
    foyer update [--root DIR] --version V --source WHEEL_OR_DIR [--find-links DIR] [--unit U]…
                 [--health-url URL] [--settle SECONDS]
    foyer rollback [--root DIR] [--unit U]…
    foyer apply-update --data DIR [--root DIR] [--trusted-keys DIR] [--state DIR]
                       [--wheelhouse DIR] [--unit U]… [--settle SECONDS]

Messages for whoever runs them go to stderr and the journal; exit status 0 means done.
`apply-update` (systemd/foyer-update.service) exits 75 when it must try later (the tablet is
in a call, the network is down) and 1 when the update was refused or rolled back.
"""

from __future__ import annotations

import argparse
import logging
import pwd
import sys
from pathlib import Path
from typing import Any

DEFAULT_UNITS = ["foyer-kiosk.service"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="foyer", description=__doc__)
    add_commands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


def add_commands(sub: Any) -> None:
    """`sub` is the parser's subparsers action (argparse gives it no public type)."""
    first = sub.add_parser(
        "firstboot", help="boot-time setup: settings from the boot partition, device identity"
    )
    first.add_argument("--data", type=Path, required=True, help="the tablet's data directory")
    first.add_argument(
        "--boot", type=Path, default=Path("/boot/firmware"), help="where foyer.toml may be"
    )
    first.add_argument("--owner", help="user who must own the data (the kiosk user)")
    first.add_argument(
        "--apply-system", action="store_true", help="also set the system time zone and locale"
    )
    reset = sub.add_parser("factory-reset", help="forget the credential and every local data")
    reset.add_argument("--data", type=Path, required=True, help="the tablet's data directory")
    upd = sub.add_parser("update", help="install a version in a new slot; roll back if unhealthy")
    upd.add_argument("--root", type=Path, default=Path("/opt/foyer"), help="install root")
    upd.add_argument("--version", required=True, help="name of the new slot, e.g. 0.2.0")
    upd.add_argument("--source", required=True, help="a wheel or source tree for pip")
    upd.add_argument(
        "--unit", action="append", help="unit to restart and watch (default foyer-kiosk.service)"
    )
    upd.add_argument(
        "--find-links", type=Path, help="offline: install only from the wheels in this folder"
    )
    upd.add_argument("--health-url", help="also require this URL to answer 200 (/healthz)")
    upd.add_argument(
        "--settle", type=float, default=60.0, help="seconds the units must stay up (default 60)"
    )
    back = sub.add_parser("rollback", help="go back to the previous version")
    back.add_argument("--root", type=Path, default=Path("/opt/foyer"), help="install root")
    back.add_argument("--unit", action="append", help="unit to restart")
    agent = sub.add_parser(
        "apply-update",
        help="install the release the tablet asked for (update-request.json), signed and checked",
    )
    agent.add_argument("--data", type=Path, required=True, help="the tablet's data directory")
    agent.add_argument("--root", type=Path, default=Path("/opt/foyer"), help="install root")
    agent.add_argument(
        "--trusted-keys",
        type=Path,
        default=Path("/usr/share/foyer/release-keys"),
        help="folder of the release public keys (*.pub) a release must be signed by",
    )
    agent.add_argument(
        "--state",
        type=Path,
        default=Path("/var/lib/foyer-update"),
        help="the updater's own folder (downloads, reports to send), root only",
    )
    agent.add_argument(
        "--wheelhouse",
        type=Path,
        default=Path("/opt/foyer/wheels"),
        help="the wheels laid out at image build (a tablet has no PyPI)",
    )
    agent.add_argument(
        "--unit", action="append", help="unit to restart and watch (default foyer-kiosk.service)"
    )
    agent.add_argument(
        "--settle", type=float, default=60.0, help="seconds the units must stay up (default 60)"
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if args.command == "firstboot":
        return _firstboot(args)
    if args.command == "factory-reset":
        from appliance.factory_reset import factory_reset

        removed = factory_reset(args.data)
        print(f"foyer: réinitialisation faite ({len(removed)} éléments effacés)")
        return 0
    if args.command in ("update", "rollback"):
        return _update(args)
    if args.command == "apply-update":
        return _apply_update(args)
    return 2


def _firstboot(args: argparse.Namespace) -> int:
    from appliance.firstboot import SettingsError, run_firstboot

    owner = None
    if args.owner:
        try:
            entry = pwd.getpwnam(args.owner)
        except KeyError:
            print(f"foyer firstboot: utilisateur « {args.owner} » inconnu", file=sys.stderr)
            return 2
        owner = (entry.pw_uid, entry.pw_gid)
    try:
        result = run_firstboot(args.boot, args.data, owner, args.apply_system)
    except (SettingsError, OSError) as exc:
        print(f"foyer firstboot: {exc}", file=sys.stderr)
        return 1
    print(f"foyer firstboot: appareil {result.device_id}")
    if result.settings_error:
        print(f"foyer firstboot: {result.settings_error}", file=sys.stderr)
        return 1
    return 0


def _update(args: argparse.Namespace) -> int:
    from appliance import update

    units = args.unit or DEFAULT_UNITS
    restart = update.systemctl_restart(units)
    try:
        if args.command == "rollback":
            version = update.rollback(args.root, restart)
            print(f"foyer rollback: {version} is current again")
            return 0
        pip_args = ["--no-index", "--find-links", str(args.find_links)] if args.find_links else []
        checks = [update.units_stay_up(units, args.settle)]
        if args.health_url:
            checks.append(update.http_ok(args.health_url))
        result = update.update(
            args.root,
            args.version,
            args.source,
            update.pip_installer(pip_args=pip_args),
            restart,
            update.all_of(*checks),
        )
    except update.UpdateError as exc:
        print(f"foyer {args.command}: {exc}", file=sys.stderr)
        return 1
    if result.rolled_back:
        print(
            f"foyer update: {result.previous} failed its health check; {result.version} runs again",
            file=sys.stderr,
        )
        return 1
    print(f"foyer update: {result.version} installed and healthy")
    return 0


def _apply_update(args: argparse.Namespace) -> int:
    from appliance import update, update_agent

    units = args.unit or DEFAULT_UNITS
    agent = update_agent.Agent(
        data_dir=args.data,
        root=args.root,
        trusted_keys=args.trusted_keys,
        state_dir=args.state,
        restart=update.systemctl_restart(units),
        healthy=update.units_stay_up(units, args.settle),
        make_installer=lambda wheels: update_agent.wheelhouse_installer(args.wheelhouse, wheels),
        wheelhouse=args.wheelhouse,
    )
    try:
        outcome = agent.run()
    except (update.UpdateError, OSError) as exc:  # another run, an unwritable state folder
        print(f"foyer apply-update: {exc}", file=sys.stderr)
        return update_agent.EXIT_LATER
    print(f"foyer apply-update: {outcome.value}", file=sys.stderr)
    return update_agent.EXIT_CODES[outcome]


if __name__ == "__main__":
    sys.exit(main())
