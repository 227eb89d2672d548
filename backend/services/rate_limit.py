"""Fixed-window attempt counters kept in the database, shared by every backend worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import RateLimit


def seconds_blocked(
    session: Session, key: str, limit: int, window: timedelta, now: datetime
) -> int:
    """Seconds until `key` may try again; 0 when it is under its limit."""
    row = session.get(RateLimit, key)
    if row is None or now - row.window_start >= window or row.count < limit:
        return 0
    return max(1, int((row.window_start + window - now).total_seconds()) + 1)


def record_failure(session: Session, key: str, window: timedelta, now: datetime) -> int:
    """Count one failed attempt; returns the count in the current window."""
    # FOR UPDATE: two workers counting the same key must not both read the old count.
    row = session.scalars(select(RateLimit).where(RateLimit.key == key).with_for_update()).first()
    if row is None:
        row = RateLimit(key=key, window_start=now, count=0)
        session.add(row)
    elif now - row.window_start >= window:
        row.window_start = now
        row.count = 0
    row.count += 1
    session.flush()
    return row.count
