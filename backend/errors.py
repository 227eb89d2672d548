"""Errors a service raises with a message meant for the person who made the request.

The message is a French template, its own message id: `Invalid("Fuseau horaire inconnu :
{name}.", name=name)`. The API answers `.message`, the French text; the console looks
`.template` up in its English catalogue (`backend/console/service_messages.py`) and fills it
with `.params`, falling back to `.message`. Never an f-string: a test finds every template in
the code and checks it has its English.
"""

from __future__ import annotations

from typing import Any


def _clean(text: str) -> str:
    # A message may quote what was sent (an unknown keyword): a lone surrogate in it could
    # not be encoded in the answer, so it becomes "?".
    return text.encode("utf-8", "replace").decode("utf-8")


class ServiceError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
        **params: Any,
    ) -> None:
        self.template = message
        self.params = {
            name: _clean(value) if isinstance(value, str) else value
            for name, value in params.items()
        }
        # Formatted only when there are params: a template without them may hold braces.
        message = _clean(message.format(**self.params) if self.params else message)
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        # True when what the request wrote must be kept although it fails (a counted guess).
        self.keep_changes = keep_changes


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class Invalid(ServiceError):
    status_code = 422


class TooManyAttempts(ServiceError):
    status_code = 429

    def __init__(self, message: str, retry_after: int, **params: Any) -> None:
        super().__init__(
            message, headers={"Retry-After": str(retry_after)}, keep_changes=True, **params
        )
        self.retry_after = retry_after


class Gone(ServiceError):
    status_code = 410
