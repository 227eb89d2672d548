"""What the messages screen shows, computed from the synced message records without Qt.

The backend sends (sync kind "messages", `backend.services.messages._device_payloads`) the
daily messages and the health messages addressed to the beneficiary or written on a tablet,
each as {"id", "space", "body", "author_name", "created_at" (ISO, UTC), "reply_to_id",
"read"}. This module decides the order (unread first, then newest), who wrote it in plain
words, and *which kind* of day it was written on; the screen turns that into (translatable)
words such as "aujourd'hui à 9:05", "hier à 18:30" or "lundi 30 novembre".

Records that cannot be understood (a field missing or of the wrong type) are left out rather
than allowed to break the screen: the beneficiary sees the others.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from common.tablet_config import (
    DEFAULT_HEALTH_QUICK_REPLIES,
    DEFAULT_QUICK_REPLIES,
    QUICK_REPLY_MAX,
)

log = logging.getLogger(__name__)

HEALTH = "health"
DAILY = "daily"


class DayKind(Enum):
    """How far back a message's day is, for the words that date it."""

    TODAY = "today"  # "aujourd'hui à 9:05"
    YESTERDAY = "yesterday"  # "hier à 18:30"
    THIS_YEAR = "this_year"  # "lundi 30 novembre"
    OTHER_YEAR = "other_year"  # "lundi 30 novembre 2025"


@dataclass(frozen=True)
class MessageItem:
    id: int
    sender: str  # the author's name as the circle knows them; may be empty
    body: str  # plain text, exactly as written: never render it as rich text
    health: bool  # from the health space: shown the same way, with a discreet mark
    unread: bool
    mine: bool  # a reply written on this tablet (by the beneficiary)
    at: datetime  # aware, in the beneficiary's time zone
    day: DayKind
    reply_to_id: int | None

    @property
    def can_reply(self) -> bool:
        return not self.mine


@dataclass(frozen=True)
class MessagesView:
    items: tuple[MessageItem, ...]  # unread first, then newest first
    quick_replies: tuple[str, ...]  # under a daily message
    read_aloud: bool  # read-aloud enabled by configuration (the screen also needs a voice)
    now: datetime

    @property
    def unread_count(self) -> int:
        return sum(1 for item in self.items if item.unread)

    def find(self, message_id: int) -> MessageItem | None:
        return next((item for item in self.items if item.id == message_id), None)

    # Under a health message (a nurse's): neutral words, set apart (tablet_config).
    health_quick_replies: tuple[str, ...] = DEFAULT_HEALTH_QUICK_REPLIES

    def replies_for(self, item: MessageItem) -> tuple[str, ...]:
        """The quick replies offered under `item`: none under one's own reply; a health
        message gets the health space's (no "Je t'embrasse" to a nurse)."""
        if not item.can_reply:
            return ()
        return self.health_quick_replies if item.health else self.quick_replies


def day_kind(at: datetime, now: datetime) -> DayKind:
    """Which day `at` falls on, seen from `now` (both read in `now`'s time zone).

    Compared by calendar date, never by elapsed hours: 23:50 yesterday is "hier" at 00:10, and
    a 25-hour or 23-hour day (daylight saving) changes nothing.
    """
    if now.tzinfo is None or at.tzinfo is None:
        raise ValueError("at and now must be aware")
    day = at.astimezone(now.tzinfo).date()
    today = now.date()
    if day >= today:  # a clock a little ahead on the backend's side still says "today"
        return DayKind.TODAY
    if day == today - timedelta(days=1):
        return DayKind.YESTERDAY
    if day.year == today.year:
        return DayKind.THIS_YEAR
    return DayKind.OTHER_YEAR


def quick_replies_from(
    configured: Sequence[str] | None, default: tuple[str, ...] = DEFAULT_QUICK_REPLIES
) -> tuple[str, ...]:
    """The configured replies, blank ones dropped, duplicates once; the schema's default
    (common.tablet_config: the one place it is written) if none."""
    if configured is None:
        return default
    seen: list[str] = []
    for text in configured:
        if isinstance(text, str):
            clean = " ".join(text.split())
            if clean and clean not in seen:
                seen.append(clean)
    return tuple(seen[:QUICK_REPLY_MAX]) or default


def _parse(
    record: Mapping[str, Any], now: datetime, own_name: str, read_here: Collection[int]
) -> MessageItem | None:
    try:
        message_id = record["id"]
        body = record["body"]
        created = datetime.fromisoformat(str(record["created_at"]))
    except (KeyError, ValueError):
        return None
    if not isinstance(message_id, int) or isinstance(message_id, bool) or not isinstance(body, str):
        return None
    if created.tzinfo is None:
        return None  # the backend always sends an offset; a naive time would be a guess
    sender = record.get("author_name")
    sender = " ".join(sender.split()) if isinstance(sender, str) else ""
    reply_to = record.get("reply_to_id")
    reply_to_id = reply_to if isinstance(reply_to, int) and not isinstance(reply_to, bool) else None
    # The sync record does not say which messages were written on a tablet; the backend names
    # those after the beneficiary, and the beneficiary's own replies are sent back as read.
    mine = bool(own_name) and sender == own_name and reply_to_id is not None
    read = record.get("read") is True or message_id in read_here or mine
    at = created.astimezone(now.tzinfo)
    return MessageItem(
        id=message_id,
        sender=sender,
        body=body,
        health=record.get("space") == HEALTH,
        unread=not read,
        mine=mine,
        at=at,
        day=day_kind(at, now),
        reply_to_id=reply_to_id,
    )


def build_messages_view(
    records: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    beneficiary_name: str = "",
    quick_replies: Sequence[str] | None = None,
    health_quick_replies: Sequence[str] | None = None,
    read_aloud: bool = False,
    read_here: Collection[int] = (),
) -> MessagesView:
    """The list to show.

    `beneficiary_name` ("Jeanne Martin") tells the beneficiary's own replies apart (shown as
    "Vous", without quick replies); `read_here` holds ids whose read receipt this tablet has
    queued but the backend has not yet confirmed by sync.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    own_name = " ".join(beneficiary_name.split())
    items: list[MessageItem] = []
    for record in records:
        item = _parse(record, now, own_name, read_here) if isinstance(record, Mapping) else None
        if item is None:
            log.warning("message record left out: %.200r", record)
            continue
        items.append(item)
    items.sort(key=lambda i: (not i.unread, -i.at.timestamp(), -i.id))
    return MessagesView(
        items=tuple(items),
        quick_replies=quick_replies_from(quick_replies),
        read_aloud=read_aloud,
        now=now,
        health_quick_replies=quick_replies_from(health_quick_replies, DEFAULT_HEALTH_QUICK_REPLIES),
    )
