"""Database errors that what a request sent caused: a 4xx with a French message, never a 500.

Input is validated before it reaches the database (backend/text.py, the request models, the
services); these are the last line: a constraint the services did not foresee (a duplicate
written by two requests at once: IntegrityError) or a value the database cannot hold
(DataError: a NUL in a text on PostgreSQL, a number out of range). The transaction is rolled
back by the session dependency (backend/api/deps.py): nothing of the request is kept.

SQLAlchemy wraps the driver's errors (sqlite3, psycopg) in its own classes; psycopg's own are
listed too for code that talks to psycopg directly.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError

CONFLICT = (
    "Cette modification entre en conflit avec des données déjà enregistrées (un doublon ?) : "
    "rien n'a été enregistré. Rechargez la page et réessayez."
)
INVALID = (
    "Une des valeurs envoyées ne peut pas être enregistrée (caractère ou taille non pris en "
    "charge) : rien n'a été enregistré."
)


def _classes() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    conflicts: list[type[Exception]] = [IntegrityError]
    invalid: list[type[Exception]] = [DataError]
    try:
        import psycopg  # a server on SQLite alone may do without it
    except ImportError:  # pragma: no cover - psycopg is in the server's install set
        pass
    else:
        conflicts.append(psycopg.IntegrityError)
        invalid.append(psycopg.DataError)
    return tuple(conflicts), tuple(invalid)


CONFLICT_ERRORS, INVALID_ERRORS = _classes()
INPUT_ERRORS = CONFLICT_ERRORS + INVALID_ERRORS


def answer(exc: Exception) -> tuple[int, str]:
    """(status, French message) for one of INPUT_ERRORS."""
    if isinstance(exc, CONFLICT_ERRORS):
        return 409, CONFLICT
    return 422, INVALID


# Two transactions that each waited for the other (PostgreSQL broke the tie), a serialisation
# failure, a lock not granted in time, SQLite's writer lock held too long: nothing was kept, and
# the same request sent again a moment later succeeds. SQLSTATEs: deadlock_detected,
# serialization_failure, lock_not_available.
_TRANSIENT_SQLSTATES = {"40P01", "40001", "55P03"}


def is_transient(exc: Exception) -> bool:
    """A database error that says "try again", not "this request is wrong" nor "I am broken"."""
    original = getattr(exc, "orig", exc)
    if getattr(original, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(original)
