"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the e-mail tests.

    @pytest.fixture
    def smtp_server() -> Iterator[SmtpServer]:
        with running_smtp_server() as server:
            yield server

    def test_x(smtp_server: SmtpServer) -> None:
        ... send to 127.0.0.1:smtp_server.port (no TLS) ...
        assert smtp_server.messages[0]["Subject"] == "…"

The server listens on a port free when the test starts; `stop()` and `start()` again keep that
port, so that a test can have the server down, then up ("retried later, then delivered").
`refuse_with` makes it answer every message with that reply (e.g. "451 4.3.0 Try later").
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        refusal = self._server.refuse_with
        if refusal is not None:
            return refusal
        self._server.record(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.host = "127.0.0.1"
        self.refuse_with: str | None = None
        self._lock = threading.Lock()
        self._received: list[tuple[str, list[str], EmailMessage]] = []
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            return
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def record(self, sender: str, recipients: list[str], content: bytes) -> None:
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._received.append((sender, recipients, message))

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [m for _, _, m in self._received]

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        with self._lock:
            return [(s, r) for s, r, _ in self._received]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope named `address`."""
        with self._lock:
            return [m for _, r, m in self._received if address in r]


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
