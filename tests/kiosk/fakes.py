"""Stand-ins the tablet tests share: a clock that moves only when told, photos served by the
loopback device server, and an address where nothing listens."""

from __future__ import annotations

import hashlib
import io
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image

from tests.kiosk.device_http import Answer, DeviceHttp

MONDAY = datetime(2026, 11, 23, 8, 50, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def jpeg(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=85)
    return out.getvalue()


class Photo:
    def __init__(self, photo_id: int, colour: tuple[int, int, int]) -> None:
        self.id = photo_id
        self.display = jpeg(1600, 1200, colour)
        self.thumb = jpeg(320, 240, colour)
        self.display_hash = hashlib.sha256(self.display).hexdigest()
        self.thumb_hash = hashlib.sha256(self.thumb).hexdigest()

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": "",
            "sender_name": "Marie",
            "created_at": f"2026-12-0{self.id}T10:00:00+00:00",
            "width": 1600,
            "height": 1200,
            "display_hash": self.display_hash,
            "thumb_hash": self.thumb_hash,
        }

    def serve(self, server: DeviceHttp) -> None:
        base = f"/api/v1/device/photos/{self.id}"
        server.routes[f"{base}/display"] = Answer(200, self.display)
        server.routes[f"{base}/thumbnail"] = Answer(200, self.thumb)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed
