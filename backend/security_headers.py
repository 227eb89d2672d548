"""Security headers on every answer of the backend, API and console alike.

A pure ASGI middleware (it only edits the response start message, so streamed photo files and
long-polls pass through untouched). Headers a route set itself win: the console's pages carry
their own Content-Security-Policy (backend/console/web.py) and photo files their own long
`Cache-Control` (they are immutable, addressed by content hash).

- `X-Content-Type-Options: nosniff`: an uploaded file is never sniffed into HTML or script.
- `Referrer-Policy: no-referrer`: invitation and pairing links carry secrets in their URL.
- `X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`: no page can be framed (clickjacking).
- `Content-Security-Policy`: JSON and files need nothing at all (`default-src 'none'`). The
  interactive API docs (/docs, /redoc) load FastAPI's inline script and CDN assets; they get no
  CSP rather than a broken page (they show only the schema, never data).
- `Cache-Control: no-store` on answers to authenticated requests (bearer token or console
  session cookie) that did not choose their own: personal data stays out of shared caches.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ALWAYS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
}
NO_CSP_PATHS = ("/docs", "/redoc")
SESSION_COOKIE_HINT = b"foyer_session="  # backend/console/web.py SESSION_COOKIE


def _authenticated(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"authorization":
            return True
        if name == b"cookie" and SESSION_COOKIE_HINT in value:
            return True
    return False


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        wants_csp = not any(path == p or path.startswith(p + "/") for p in NO_CSP_PATHS)
        authenticated = _authenticated(list(scope.get("headers") or []))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers") or [])
                present = {bytes(name).lower() for name, _ in headers}
                extra = {k: v for k, v in ALWAYS.items() if k not in present}
                if wants_csp and b"content-security-policy" not in present:
                    extra[b"content-security-policy"] = API_CSP.encode()
                if authenticated and b"cache-control" not in present:
                    extra[b"cache-control"] = b"no-store"
                message = {**message, "headers": [*headers, *extra.items()]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
