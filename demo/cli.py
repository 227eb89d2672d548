"""`foyer-demo`: a backend on SQLite with demo data and a tablet paired to it (loopback)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="foyer-demo", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("var/demo"), help="where demo data goes")
    parser.add_argument("--screenshot", type=Path, help="save the home screen to this PNG and exit")
    parser.add_argument("--port", type=int, help="backend port (default: a free one)")
    args = parser.parse_args(argv)
    from demo.run import run_demo

    return run_demo(args.data, args.screenshot, args.port)


if __name__ == "__main__":
    sys.exit(main())
