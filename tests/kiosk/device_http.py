"""A small HTTP server on loopback standing in for the backend's device endpoints, so that the
tablet's services are tested through real sockets and the real `requests` session, with
answers the test controls (a revoked token, a photo gone, a body cut short, a backend down)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class DeviceHttp:
    """Routes are `path -> Answer` or `path -> callable(Seen) -> Answer`; anything else 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer | Callable[[Seen], Answer]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
                with owner._lock:
                    owner.requests.append(seen)
                    route = owner.routes.get(self.path.split("?")[0])
                answer = route(seen) if callable(route) else route
                answer = answer or Answer(404, b'{"detail": "introuvable"}')
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                return  # quiet tests

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
