"""Retry delays shared by every client that retries (pairing, sync, outbox, weather, photos)."""

from __future__ import annotations

import random


def full_jitter(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """AWS "full jitter" backoff: uniform in [0, min(cap, base·2^attempt)], at least 1 s."""
    return max(1.0, rng.uniform(0, min(cap, base * 2 ** min(attempt, 20))))
