"""Counting the SQL a piece of code sends, for the tests that bound it (a page, a batch)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


@contextmanager
def statements(bind: Engine | Connection) -> Iterator[list[str]]:
    """Every statement `bind` sends inside the block. An engine counts every connection's,
    the jobs worker's too when the application runs one; a session's own connection
    (`session.connection()`) counts only that session's."""
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(bind, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", before)
