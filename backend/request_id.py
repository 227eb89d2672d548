"""A request id on every request: in the `X-Request-ID` answer header, in `request.state`,
and in the log lines of an unexpected error, so that what a person reports ("erreur
3f9c2a…") leads to the traceback in the journal.

A pure ASGI middleware (streamed photos and long-polls pass through untouched). An id sent by
a proxy in front (`X-Request-ID`, letters, digits, `-`, `_`, `.`, at most 64) is kept, so
that one id follows the request through both logs; otherwise a new random one.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
_SAFE = re.compile(rb"[A-Za-z0-9._-]{1,64}")


def new_id() -> str:
    return secrets.token_hex(8)


def request_id(request: Request) -> str:
    """This request's id (a new one if the middleware did not see it, e.g. in a unit test)."""
    state: dict[str, Any] = request.scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = new_id()
    return str(state["request_id"])


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(HEADER, b"")
        rid = sent.decode("ascii") if _SAFE.fullmatch(sent) else new_id()
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers") or [])
                if not any(bytes(name).lower() == HEADER for name, _ in headers):
                    headers.append((HEADER, rid.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)
