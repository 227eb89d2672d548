"""Errors a service raises with a message meant for the person who made the request."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, keep_changes: bool = False
    ) -> None:
        # A message may quote what was sent (an unknown keyword): a lone surrogate in it could
        # not be encoded in the answer, so it becomes "?".
        message = message.encode("utf-8", "replace").decode("utf-8")
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

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)}, keep_changes=True)
        self.retry_after = retry_after


class Gone(ServiceError):
    status_code = 410
