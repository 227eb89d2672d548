"""Hostile files and texts: through the API, to the tablet's sync, its view builder and widget.

Files (tests/security/hostile.py): refused with a clear French 4xx and nothing stored, or
re-encoded into a clean JPEG (no HTML, no EXIF, no GPS) on every URL that serves it. Texts: kept
exactly as typed or refused with a French 422, and shown by the tablet as plain text only.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from backend.models import Message, Photo
from kiosk.messages_view import build_messages_view
from tests.api.factories import API, state_of
from tests.security import hostile
from tests.security.backend_app import RunningApp, running_app
from widgets.message_bubble import BIDI_CONTROLS, ZERO_WIDTH_SPACE, MessageBubble

PARIS = ZoneInfo("Europe/Paris")
FRENCH_WORDS = ("photo", "image", "fichier", "Fichier", "Cette")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("hostile")) as running:
        yield running


def _count(app: RunningApp, model: Any) -> int:
    with state_of(app.client).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _files_on_disk(app: RunningApp) -> set[Path]:
    root = state_of(app.client).settings.photo_dir
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _upload(app: RunningApp, filename: str, content: bytes) -> Any:
    return app.client.post(
        f"{API}/beneficiaries/{app.beneficiary_id}/photos",
        files={"files": (filename, content, "image/jpeg")},
        headers=app.cm.headers,
    )


def _assert_clean_jpeg(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "comment" not in image.info and "exif" not in image.info
    for needle in (b"Exif", b"<script", b"<html", b"GPS", b"Appareil de Paul"):
        assert needle not in data, needle
    assert data.endswith(b"\xff\xd9")


@pytest.mark.parametrize("hostile_file", hostile.files(), ids=lambda f: f.name)
def test_hostile_file_upload(app: RunningApp, hostile_file: hostile.HostileFile) -> None:
    """A hostile "photo" upload: refused with a French 4xx and nothing stored, or re-encoded so
    that neither the console's nor the tablet's URL serves HTML, EXIF or GPS."""
    photos_before, files_before = _count(app, Photo), _files_on_disk(app)
    response = _upload(app, hostile_file.filename, hostile_file.content)
    if hostile_file.refused_with is not None:
        expected = {hostile_file.refused_with}
        if hostile_file.name == "empty_file":
            expected = {415, 422}  # "not a photo" and "empty" are both right
        assert response.status_code in expected, response.text
        assert any(w in response.json()["detail"] for w in FRENCH_WORDS), response.text
        assert _count(app, Photo) == photos_before
        assert _files_on_disk(app) == files_before
        return
    assert response.status_code == 201, response.text
    photo_id = response.json()[0]["photo"]["id"]
    for url, headers in (
        (f"{API}/photos/{photo_id}/display", app.cm.headers),
        (f"{API}/photos/{photo_id}/thumbnail", app.cm.headers),
        (f"{API}/device/photos/{photo_id}/display", app.device_headers),
        (f"{API}/device/photos/{photo_id}/thumbnail", app.device_headers),
    ):
        served = app.client.get(url, headers=headers)
        assert served.status_code == 200, url
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        _assert_clean_jpeg(served.content)


def test_file_far_over_the_size_limit(tmp_path: Path) -> None:
    """A file 60 times over the size limit: 413 in French, nothing stored, nothing kept."""
    with running_app(tmp_path, photo_max_bytes=64 * 1024) as small:
        response = _upload(small, "enorme.jpg", b"\xff\xd8" + b"\x00" * (4 * 1024 * 1024))
        assert response.status_code == 413, response.text
        assert "volumineu" in response.json()["detail"] or "lourd" in response.json()["detail"]
        assert _count(small, Photo) == 0
        assert _files_on_disk(small) == set()


REFUSED_TEXTS = {
    "nul_byte": "body: contient un caractère de contrôle (U+0000)",
    "long_100000": "trop long",
}


@pytest.mark.parametrize("name", sorted(hostile.TEXTS))
def test_hostile_message_text(app: RunningApp, qtbot: Any, name: str) -> None:
    """A hostile message body: refused with a French 422, or kept exactly as typed through the
    API and the tablet's sync, and drawn by the tablet's bubble as plain text."""
    text = hostile.TEXTS[name]
    before = _count(app, Message)
    response = app.client.post(
        f"{API}/beneficiaries/{app.beneficiary_id}/messages",
        json={"space": "daily", "body": text},
        headers=app.cm.headers,
    )
    if name in REFUSED_TEXTS:
        assert response.status_code == 422, response.text
        assert REFUSED_TEXTS[name] in response.json()["detail"]
        assert _count(app, Message) == before
        return
    assert response.status_code == 201, response.text
    assert response.json()["body"] == text.strip()
    synced = app.client.get(f"{API}/device/sync", headers=app.device_headers).json()
    records = [m for m in synced["upserts"]["messages"] if m["id"] == response.json()["id"]]
    assert [m["body"] for m in records] == [text.strip()]
    _assert_plain_on_tablet(qtbot, records, text.strip())


def _assert_plain_on_tablet(qtbot: Any, records: list[dict[str, Any]], text: str) -> None:
    view = build_messages_view(records, datetime.now(PARIS))
    assert [i.body for i in view.items] == [text]
    bubble = MessageBubble()
    qtbot.addWidget(bubble)
    bubble.set_message(view.items[0].sender, "à l'instant", view.items[0].body)
    bubble.resize(800, 400)
    bubble.show()
    for label in (bubble.body_label, bubble.sender_label):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # Shown as written, in logical order: a right-to-left override cannot turn "gpj.exe" into
    # "exe.jpg" (or a phone number backwards) on the beneficiary's screen.
    shown = bubble.body_label.text().replace(ZERO_WIDTH_SPACE, "")
    assert shown == "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    assert not set(shown) & BIDI_CONTROLS
    assert not bubble.grab().isNull()


def test_tablet_copes_with_100000_characters_and_nul_from_any_backend(qtbot: Any) -> None:
    """Even if a backend sent a 100,000-character body with a NUL and markup, the tablet's list
    builder and bubble keep it plain, shortened in the list, without freezing."""
    body = hostile.TEXTS["long_100000"] + "\x00<script>x</script>"
    record = {
        "id": 1,
        "space": "daily",
        "body": body,
        "author_name": hostile.TEXTS["html_and_script"],
        "created_at": "2026-12-02T09:00:00+00:00",
        "reply_to_id": None,
        "read": False,
    }
    view = build_messages_view([record], datetime.now(PARIS))
    assert view.items[0].body == body
    bubble = MessageBubble(clickable=True, preview_chars=160)
    qtbot.addWidget(bubble)
    bubble.set_message(view.items[0].sender, "hier", view.items[0].body)
    bubble.resize(800, 300)
    bubble.show()
    assert len(bubble.body_label.text()) < 400
    sender = bubble.sender_label.text().replace(ZERO_WIDTH_SPACE, "")
    assert sender == hostile.TEXTS["html_and_script"]
    assert bubble.sender_label.textFormat() == Qt.TextFormat.PlainText
    assert not bubble.grab().isNull()
