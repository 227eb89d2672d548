"""What the album and the slideshow show, computed without Qt from the synced photos.

The records are kind "photos" of the local store, as the backend sends them
(backend/services/photos.py `photo_payload`): id, caption, sender_name, created_at, width,
height, display_hash, thumb_hash. Hidden and deleted photos never reach the tablet (sync sends
their deletion); a record that is malformed, or flagged hidden/deleted by an older backend, is
left out rather than shown. Newest first; photos not yet seen on this tablet are flagged new.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

DEFAULT_SLIDESHOW_SECONDS = 8
MIN_SLIDESHOW_SECONDS = 3
MAX_SLIDESHOW_SECONDS = 120


@dataclass(frozen=True)
class PhotoEntry:
    id: int
    caption: str  # plain text, as written; may be empty
    sender: str  # "Marie Martin"; may be empty
    sent: str  # "Envoyée par Marie Martin, hier"
    created_at: datetime  # aware, in the beneficiary's zone
    display_hash: str
    thumb_hash: str
    width: int
    height: int
    is_new: bool


@dataclass(frozen=True)
class AlbumView:
    entries: tuple[PhotoEntry, ...]  # newest first
    slideshow_seconds: int = DEFAULT_SLIDESHOW_SECONDS

    @property
    def new_count(self) -> int:
        return sum(1 for e in self.entries if e.is_new)

    def index_of(self, photo_id: int) -> int | None:
        for i, entry in enumerate(self.entries):
            if entry.id == photo_id:
                return i
        return None


def when_words(moment: datetime, now: datetime) -> str:
    """ "aujourd'hui", "hier", "lundi" (this week), "le 3 novembre", "le 3 novembre 2025"."""
    local = moment.astimezone(now.tzinfo)
    day: date = local.date()
    today = now.date()
    delta = (today - day).days
    if delta <= 0:
        return "aujourd'hui"
    if delta == 1:
        return "hier"
    if delta < 7:
        return DAY_NAMES[day.weekday()]
    first = "1er" if day.day == 1 else str(day.day)
    text = f"le {first} {MONTHS[day.month - 1]}"
    if day.year != today.year:
        text += f" {day.year}"
    return text


def sent_words(sender: str, moment: datetime, now: datetime) -> str:
    """ "Envoyée par Marie, hier" (a photo is feminine in French); "Envoyée hier" if unknown."""
    when = when_words(moment, now)
    sender = " ".join(sender.split())  # a name on one line
    return f"Envoyée par {sender}, {when}" if sender else f"Envoyée {when}"


def clamp_seconds(value: Any) -> int:
    """The slideshow pace from configuration, within bounds; the default when unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_SLIDESHOW_SECONDS
    return int(min(MAX_SLIDESHOW_SECONDS, max(MIN_SLIDESHOW_SECONDS, value)))


def _entry(raw: Mapping[str, Any], now: datetime, seen: Collection[int]) -> PhotoEntry | None:
    photo_id = raw.get("id")
    display_hash = raw.get("display_hash")
    thumb_hash = raw.get("thumb_hash")
    if isinstance(photo_id, bool) or not isinstance(photo_id, int):
        return None
    if not isinstance(display_hash, str) or not display_hash:
        return None
    if raw.get("hidden") or raw.get("deleted") or raw.get("hidden_at") or raw.get("deleted_at"):
        return None
    try:
        created = datetime.fromisoformat(str(raw.get("created_at")))
    except ValueError:
        created = datetime.fromtimestamp(0, UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    created = created.astimezone(now.tzinfo)
    caption = raw.get("caption")
    sender = raw.get("sender_name")
    sender = sender.strip() if isinstance(sender, str) else ""
    width, height = raw.get("width"), raw.get("height")
    return PhotoEntry(
        id=photo_id,
        caption=caption.strip() if isinstance(caption, str) else "",
        sender=sender,
        sent=sent_words(sender, created, now),
        created_at=created,
        display_hash=display_hash,
        thumb_hash=thumb_hash if isinstance(thumb_hash, str) and thumb_hash else display_hash,
        width=width if isinstance(width, int) and width > 0 else 0,
        height=height if isinstance(height, int) and height > 0 else 0,
        is_new=photo_id not in seen,
    )


def build_album_view(
    records: Iterable[Mapping[str, Any]],
    now: datetime,
    seen: Collection[int] = (),
    slideshow_seconds: Any = DEFAULT_SLIDESHOW_SECONDS,
    available: Collection[int] | None = None,
) -> AlbumView:
    """The album at `now` (aware, in the beneficiary's zone).

    `seen`: ids already shown on this tablet. `available`: when given, only these ids (the
    photos whose file is in the local cache) are listed, so nothing shows an empty frame."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    entries = []
    for raw in records:
        if not isinstance(raw, Mapping):
            continue
        entry = _entry(raw, now, seen)
        if entry is None or (available is not None and entry.id not in available):
            continue
        entries.append(entry)
    # Newest first; the id breaks ties (two photos sent in the same upload).
    entries.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    return AlbumView(tuple(entries), clamp_seconds(slideshow_seconds))


def next_index(count: int, index: int, step: int) -> int:
    """The slideshow goes round: after the last photo comes the first again."""
    if count <= 0:
        return 0
    return (index + step) % count
