"""A tablet without a screen: the real Outbox, LocalStore, Syncer and flush, in a process that a
fault test kills with SIGKILL in the middle of its writes.

    python -m tests.reliability.tablet_driver run   --data DIR --backend URL --token T
    python -m tests.reliability.tablet_driver drain --data DIR --backend URL --token T

`run` queues a mood check-in, prints `queued <key>` once `enqueue` has returned (the promise:
durable from then on), then delivers the outbox and syncs, and again, until killed. `drain`
delivers what is left and syncs once, then prints `drained` (exit 1 if it cannot in 30 s).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from kiosk.device_client import DeviceClient
from kiosk.outbox import FlushOutcome, Outbox, flush
from kiosk.store import LocalStore
from kiosk.sync import Outcome, Syncer
from provisioning.http import new_session

DRAIN_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("run", "drain"))
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--backend", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)
    outbox = Outbox(args.data)
    store = LocalStore(args.data)
    client = DeviceClient(new_session(), args.backend, args.token)
    syncer = Syncer(client, store)
    if args.mode == "drain":
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            delivered = flush(outbox, client) is FlushOutcome.EMPTY
            if delivered and syncer.run_once(wait=0).outcome in (
                Outcome.CHANGED,
                Outcome.UNCHANGED,
            ):
                print("drained", flush=True)
                return 0
            time.sleep(0.1)
        return 1
    for n in itertools.count():
        key = outbox.enqueue(
            "mood",
            {"score": 1 + n % 5, "tags": [], "recorded_at": datetime.now(UTC).isoformat()},
        )
        print(f"queued {key}", flush=True)
        flush(outbox, client)
        syncer.run_once(wait=0)
    return 0  # pragma: no cover - killed before


if __name__ == "__main__":
    sys.exit(main())
