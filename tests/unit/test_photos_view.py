"""The album's entries, computed without Qt: order, words, new marks, what is left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.photos_view import (
    DEFAULT_SLIDESHOW_SECONDS,
    build_album_view,
    clamp_seconds,
    next_index,
    sent_words,
    when_words,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)  # a Wednesday


def record(photo_id: int, created: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": photo_id,
        "caption": f"photo {photo_id}",
        "sender_name": "Marie",
        "created_at": created.astimezone(UTC).isoformat(),
        "width": 1600,
        "height": 1200,
        "display_hash": f"{photo_id:064x}",
        "thumb_hash": f"{photo_id + 1000:064x}",
        **extra,
    }


def test_newest_first_with_sender_and_day_in_plain_words() -> None:
    records = [
        record(1, NOW - timedelta(days=1)),
        record(2, NOW - timedelta(hours=1), sender_name="Paul Martin"),
        record(3, NOW - timedelta(days=40), sender_name=""),
    ]
    view = build_album_view(records, NOW)
    assert [e.id for e in view.entries] == [2, 1, 3]
    assert [e.sent for e in view.entries] == [
        "Envoyée par Paul Martin, aujourd'hui",
        "Envoyée par Marie, hier",
        "Envoyée le 23 octobre",
    ]
    assert view.entries[0].created_at.tzinfo == PARIS


def test_photos_not_yet_seen_are_new() -> None:
    records = [record(i, NOW - timedelta(hours=i)) for i in (1, 2, 3)]
    view = build_album_view(records, NOW, seen={2})
    assert {e.id: e.is_new for e in view.entries} == {1: True, 2: False, 3: True}
    assert view.new_count == 2


def test_hidden_deleted_and_malformed_records_are_left_out() -> None:
    records = [
        record(1, NOW),
        record(2, NOW, hidden_at="2026-12-01T10:00:00+00:00"),
        record(3, NOW, deleted=True),
        {"id": "4", "display_hash": "ab"},
        {"id": True, "display_hash": "ab"},
        record(5, NOW, display_hash=""),
        "nonsense",
    ]
    view = build_album_view(records, NOW)  # type: ignore[arg-type]
    assert [e.id for e in view.entries] == [1]


def test_only_photos_whose_file_is_here_when_asked() -> None:
    records = [record(i, NOW - timedelta(hours=i)) for i in (1, 2, 3)]
    view = build_album_view(records, NOW, available={1, 3})
    assert [e.id for e in view.entries] == [1, 3]
    assert view.index_of(3) == 1
    assert view.index_of(2) is None


def test_a_caption_is_kept_as_written_and_a_name_on_one_line() -> None:
    html = "<b>Léa</b> & <i>Tom</i> <script>alert(1)</script>"
    view = build_album_view(
        [record(1, NOW, caption=f"  {html} ", sender_name="Marie\nDupont")], NOW
    )
    entry = view.entries[0]
    assert entry.caption == html
    assert entry.sent == "Envoyée par Marie Dupont, aujourd'hui"


def test_same_time_uploads_keep_a_stable_order() -> None:
    records = [record(i, NOW) for i in (4, 9, 6)]
    assert [e.id for e in build_album_view(records, NOW).entries] == [9, 6, 4]


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (datetime(2026, 12, 2, 0, 5, tzinfo=PARIS), "aujourd'hui"),
        # 23:30 UTC on the 1st is already the 2nd in Paris.
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "aujourd'hui"),
        (datetime(2026, 12, 1, 22, 30, tzinfo=UTC), "hier"),
        (datetime(2026, 11, 28, 12, 0, tzinfo=PARIS), "samedi"),
        (datetime(2026, 11, 25, 12, 0, tzinfo=PARIS), "le 25 novembre"),
        (datetime(2026, 11, 1, 12, 0, tzinfo=PARIS), "le 1er novembre"),
        (datetime(2025, 12, 24, 12, 0, tzinfo=PARIS), "le 24 décembre 2025"),
    ],
)
def test_when_words(moment: datetime, words: str) -> None:
    assert when_words(moment, NOW) == words


def test_sent_words_without_a_sender() -> None:
    assert sent_words("  ", NOW, NOW) == "Envoyée aujourd'hui"


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        (8, 8),
        (1, 3),
        (10_000, 120),
        (4.6, 4),
        ("5", DEFAULT_SLIDESHOW_SECONDS),
        (None, 8),
        (True, 8),
    ],
)
def test_slideshow_pace_is_bounded(raw: Any, seconds: int) -> None:
    assert clamp_seconds(raw) == seconds
    assert build_album_view([], NOW, slideshow_seconds=raw).slideshow_seconds == seconds


def test_the_slideshow_goes_round() -> None:
    assert next_index(3, 2, 1) == 0
    assert next_index(3, 0, -1) == 2
    assert next_index(0, 0, 1) == 0


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_album_view([], datetime(2026, 12, 2))
