"""The messages list: order, who wrote, health mark, days across midnight and DST, bad records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common import tablet_config
from common.tablet_config import DEFAULT_QUICK_REPLIES
from kiosk.messages_view import (
    DayKind,
    build_messages_view,
    day_kind,
    quick_replies_from,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=PARIS)


def record(
    id_: int,
    at: datetime,
    *,
    body: str = "Bonjour",
    author: str = "Sophie Martin",
    space: str = "daily",
    read: bool = False,
    reply_to_id: int | None = None,
) -> dict[str, Any]:
    """A record exactly as backend.services.messages._device_payloads sends it."""
    return {
        "id": id_,
        "space": space,
        "body": body,
        "author_name": author,
        "created_at": at.astimezone(UTC).isoformat(),
        "reply_to_id": reply_to_id,
        "read": read,
    }


def test_unread_first_then_newest_first() -> None:
    records = [
        record(1, NOW - timedelta(days=3)),
        record(2, NOW - timedelta(hours=1), read=True),
        record(3, NOW - timedelta(days=1)),
        record(4, NOW - timedelta(minutes=5), read=True),
        record(5, NOW - timedelta(hours=2)),
    ]
    view = build_messages_view(records, NOW)
    assert [i.id for i in view.items] == [5, 3, 1, 4, 2]
    assert view.unread_count == 3


def test_same_instant_newest_id_first() -> None:
    at = NOW - timedelta(hours=1)
    view = build_messages_view([record(7, at), record(9, at)], NOW)
    assert [i.id for i in view.items] == [9, 7]


def test_health_messages_shown_like_the_others_with_a_mark() -> None:
    view = build_messages_view(
        [record(1, NOW, space="health", author="Claire Dupont"), record(2, NOW)], NOW
    )
    health = view.find(1)
    assert health is not None and health.health and health.sender == "Claire Dupont"
    assert health.can_reply
    daily = view.find(2)
    assert daily is not None and not daily.health


def test_the_beneficiarys_own_replies_are_hers_and_read() -> None:
    records = [
        record(1, NOW - timedelta(hours=2)),
        record(2, NOW - timedelta(hours=1), author="Jeanne Martin", reply_to_id=1),
    ]
    view = build_messages_view(records, NOW, beneficiary_name=" Jeanne  Martin ")
    mine = view.find(2)
    assert mine is not None and mine.mine and not mine.unread and not mine.can_reply
    # Without the beneficiary's name nothing is taken for hers.
    other = build_messages_view(records, NOW).find(2)
    assert other is not None and not other.mine


def test_read_receipts_queued_here_count_as_read() -> None:
    view = build_messages_view([record(1, NOW), record(2, NOW)], NOW, read_here={2})
    assert [(i.id, i.unread) for i in view.items] == [(1, True), (2, False)]


def test_times_are_in_the_beneficiarys_zone() -> None:
    at = datetime(2026, 12, 2, 8, 5, tzinfo=UTC)  # 9:05 in Paris
    item = build_messages_view([record(1, at)], NOW).items[0]
    assert (item.at.hour, item.at.minute) == (9, 5)
    assert item.at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("at", "now", "kind"),
    [
        # Across midnight: by calendar day, not by hours elapsed.
        (datetime(2026, 12, 1, 23, 50), datetime(2026, 12, 2, 0, 10), DayKind.YESTERDAY),
        (datetime(2026, 12, 2, 0, 5), datetime(2026, 12, 2, 23, 55), DayKind.TODAY),
        (datetime(2026, 11, 30, 23, 59), datetime(2026, 12, 2, 0, 1), DayKind.THIS_YEAR),
        # The day after the autumn change (25 hours long) and the spring one (23 hours).
        (datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 23, 30), DayKind.YESTERDAY),
        (datetime(2026, 3, 28, 23, 30), datetime(2026, 3, 29, 23, 30), DayKind.YESTERDAY),
        (datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 23, 30), DayKind.TODAY),
        (datetime(2025, 12, 31, 23, 0), datetime(2026, 1, 1, 9, 0), DayKind.YESTERDAY),
        (datetime(2025, 12, 30, 23, 0), datetime(2026, 1, 1, 9, 0), DayKind.OTHER_YEAR),
        # A backend clock slightly ahead: still today, never "tomorrow".
        (datetime(2026, 12, 3, 0, 1), datetime(2026, 12, 2, 23, 59), DayKind.TODAY),
    ],
)
def test_day_kind_in_paris(at: datetime, now: datetime, kind: DayKind) -> None:
    assert day_kind(at.replace(tzinfo=PARIS), now.replace(tzinfo=PARIS)) is kind


def test_day_kind_reads_utc_times_in_the_local_zone() -> None:
    # 23:30 UTC on 1 December is 00:30 on 2 December in Paris.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert day_kind(late, datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)) is DayKind.TODAY
    assert day_kind(late, datetime(2026, 12, 1, 23, 45, tzinfo=UTC)) is DayKind.TODAY


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_messages_view([], datetime(2026, 12, 2, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        day_kind(datetime(2026, 12, 2, 10, 0), NOW)


def test_unusable_records_are_left_out_not_fatal() -> None:
    good = record(1, NOW)
    bad: list[Any] = [
        {"id": 2, "body": "x"},  # no created_at
        {**record(3, NOW), "created_at": "hier"},
        {**record(4, NOW), "created_at": "2026-12-02T09:00:00"},  # naive
        {**record(5, NOW), "id": "5"},
        {**record(6, NOW), "id": True},
        {**record(7, NOW), "body": None},
        "not a record",
    ]
    view = build_messages_view([good, *bad], NOW)
    assert [i.id for i in view.items] == [1]


def test_odd_optional_fields_get_safe_values() -> None:
    rec = {**record(1, NOW), "author_name": None, "reply_to_id": "x", "read": "yes"}
    item = build_messages_view([rec], NOW).items[0]
    assert item.sender == "" and item.reply_to_id is None and item.unread


def test_text_is_kept_exactly() -> None:
    body = "<b>gras</b><script>alert(1)</script>\n  deux lignes 👩‍👩‍👧‍👦"
    item = build_messages_view([record(1, NOW, body=body)], NOW).items[0]
    assert item.body == body


def test_quick_replies_default_cleaned_and_bounded() -> None:
    assert quick_replies_from(None) == DEFAULT_QUICK_REPLIES
    # The view's default is the schema's, not a copy of it.
    assert list(DEFAULT_QUICK_REPLIES) == tablet_config.defaults()["quick_replies"]
    assert len(DEFAULT_QUICK_REPLIES) == 4
    assert quick_replies_from(["", "  "]) == DEFAULT_QUICK_REPLIES
    assert quick_replies_from([" Oui ", "Oui", "Non  merci", 3]) == ("Oui", "Non merci")  # type: ignore[list-item]
    assert len(quick_replies_from([f"R{i}" for i in range(20)])) == 6
    view = build_messages_view([], NOW, quick_replies=["Bisous"], read_aloud=True)
    assert view.quick_replies == ("Bisous",) and view.read_aloud
