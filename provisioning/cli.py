"""`foyer`: commands around the whole product: the demo, and the appliance's own
(firstboot, factory-reset, update, rollback: provisioning/appliance_cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from provisioning import appliance_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="foyer", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="backend with demo data and a tablet paired to it (SQLite, loopback)"
    )
    demo.add_argument("--data", type=Path, default=Path("var/demo"), help="where demo data goes")
    demo.add_argument("--screenshot", type=Path, help="save the home screen to this PNG and exit")
    demo.add_argument("--port", type=int, help="backend port (default: a free one)")
    appliance_cli.add_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from provisioning.demo import run_demo

        return run_demo(args.data, args.screenshot, args.port)
    return appliance_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
