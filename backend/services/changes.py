"""The sync journal and the wake-up of waiting long-polls.

Every write a tablet must learn about calls `record_change` inside its transaction. After the
commit, every backend worker learns which beneficiary changed:
- on PostgreSQL through `NOTIFY foyer_changes` (delivered at commit, to every worker that
  LISTENs — so a long-poll on one worker wakes for a write made through another);
- on SQLite (one process) through an in-process signal fired after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from backend.db import normalize_url
from backend.models import Change

log = logging.getLogger(__name__)

CHANNEL = "foyer_changes"
_PENDING_KEY = "foyer_changed_beneficiaries"
# Any constant will do: every writer of the journal takes this one transaction-level lock.
_JOURNAL_LOCK = 862_8001


class ChangeHub:
    """Lets coroutines wait until a given beneficiary's data changes. Thread-safe publish.

    `publications` counts every publish: a long-poll reads it before checking the journal and
    again once subscribed; unchanged, nothing committed in between can have been missed, so
    the check needs no second read. `stop()` (the server is stopping) wakes every waiter and
    tells them, and the later ones, to answer at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self.publications = 0
        self.stopping = False

    def publish(self, beneficiary_id: int) -> None:
        with self._lock:
            self.publications += 1
            waiters = list(self._waiters.get(beneficiary_id, ()))
        for loop, ev in waiters:
            # RuntimeError: that loop has closed, and its waiter is gone with it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)

    def subscribe(self, beneficiary_id: int) -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
        """Register before reading the journal, so a change committed in between is not missed."""
        token = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(beneficiary_id, set()).add(token)
        return token

    def unsubscribe(
        self, beneficiary_id: int, token: tuple[asyncio.AbstractEventLoop, asyncio.Event]
    ) -> None:
        with self._lock:
            waiters = self._waiters.get(beneficiary_id)
            if waiters is not None:
                waiters.discard(token)
                if not waiters:
                    del self._waiters[beneficiary_id]

    def waiting_count(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._waiters.values())

    def stop(self) -> None:
        """Answer every held long-poll now: the server is stopping (never from a signal
        handler, which could interrupt a holder of the lock: schedule it on the loop)."""
        with self._lock:
            self.stopping = True
            self.publications += 1
            waiters = [token for tokens in self._waiters.values() for token in tokens]
        for loop, ev in waiters:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)


def record_change(
    session: Session, beneficiary_id: int, entity: str, entity_id: int, op: str
) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise journal writers until commit so that change ids become visible in id order:
        # otherwise a tablet could read id 11, move its cursor past 10, and never see 10.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _JOURNAL_LOCK})
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(beneficiary_id)})
    session.add(Change(beneficiary_id=beneficiary_id, entity=entity, entity_id=entity_id, op=op))
    session.info.setdefault(_PENDING_KEY, set()).add(beneficiary_id)


def latest_change_id(session: Session, beneficiary_id: int | None = None) -> int:
    query = select(func.max(Change.id))
    if beneficiary_id is not None:
        query = query.where(Change.beneficiary_id == beneficiary_id)
    return session.scalar(query) or 0


def install_local_publisher(factory: sessionmaker[Session], hub: ChangeHub) -> None:
    """For SQLite: after each commit, wake the long-polls of the beneficiaries it changed."""

    @event.listens_for(factory, "after_commit")
    def _after_commit(session: Session) -> None:
        changed = session.info.pop(_PENDING_KEY, None)
        if changed and session.get_bind().dialect.name != "postgresql":
            for beneficiary_id in changed:
                hub.publish(beneficiary_id)

    @event.listens_for(factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_PENDING_KEY, None)


class PostgresListener:
    """A thread that LISTENs on PostgreSQL and publishes every notification to the hub."""

    def __init__(self, database_url: str, hub: ChangeHub) -> None:
        self._dsn = normalize_url(database_url).replace("postgresql+psycopg://", "postgresql://")
        self._hub = hub
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)
        self.ready = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    delay = 0.5
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._publish(note.payload)
            except Exception:  # keep listening whatever happens; say why
                log.exception("PostgreSQL LISTEN connection lost; reconnecting in %.1f s", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)

    def _publish(self, payload: Any) -> None:
        try:
            self._hub.publish(int(payload))
        except ValueError:
            log.warning("ignoring malformed notification %r", payload)
