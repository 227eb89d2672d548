"""What the album and the slideshow show, computed without Qt from the synced photos.

The records are kind "photos" of the local store, as the backend sends them
(backend/services/photos.py `photo_payload`): id, caption, sender_name, created_at, width,
height, display_hash, thumb_hash. Hidden and deleted photos never reach the tablet (sync sends
their deletion); a record that is malformed, or flagged hidden/deleted by an older backend, is
left out rather than shown. Newest first; photos not yet seen on this tablet are flagged new.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

CONTEXT = "PhotoWords"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    """Marks `text` for the catalogue without importing Qt; the photos feature passes
    `translate` (QCoreApplication.translate in CONTEXT) to build the words in the language."""
    return text


MONTHS = (
    QT_TRANSLATE_NOOP("PhotoWords", "janvier"),
    QT_TRANSLATE_NOOP("PhotoWords", "février"),
    QT_TRANSLATE_NOOP("PhotoWords", "mars"),
    QT_TRANSLATE_NOOP("PhotoWords", "avril"),
    QT_TRANSLATE_NOOP("PhotoWords", "mai"),
    QT_TRANSLATE_NOOP("PhotoWords", "juin"),
    QT_TRANSLATE_NOOP("PhotoWords", "juillet"),
    QT_TRANSLATE_NOOP("PhotoWords", "août"),
    QT_TRANSLATE_NOOP("PhotoWords", "septembre"),
    QT_TRANSLATE_NOOP("PhotoWords", "octobre"),
    QT_TRANSLATE_NOOP("PhotoWords", "novembre"),
    QT_TRANSLATE_NOOP("PhotoWords", "décembre"),
)
DAY_NAMES = (
    QT_TRANSLATE_NOOP("PhotoWords", "lundi"),
    QT_TRANSLATE_NOOP("PhotoWords", "mardi"),
    QT_TRANSLATE_NOOP("PhotoWords", "mercredi"),
    QT_TRANSLATE_NOOP("PhotoWords", "jeudi"),
    QT_TRANSLATE_NOOP("PhotoWords", "vendredi"),
    QT_TRANSLATE_NOOP("PhotoWords", "samedi"),
    QT_TRANSLATE_NOOP("PhotoWords", "dimanche"),
)
TODAY = QT_TRANSLATE_NOOP("PhotoWords", "aujourd'hui")
YESTERDAY = QT_TRANSLATE_NOOP("PhotoWords", "hier")
ON_DAY = QT_TRANSLATE_NOOP("PhotoWords", "le {day} {month}")
ON_DAY_OF_YEAR = QT_TRANSLATE_NOOP("PhotoWords", "le {day} {month} {year}")
FIRST = QT_TRANSLATE_NOOP("PhotoWords", "1er")
SENT_BY = QT_TRANSLATE_NOOP("PhotoWords", "Envoyée par {sender}, {when}")
SENT = QT_TRANSLATE_NOOP("PhotoWords", "Envoyée {when}")


def _same(text: str) -> str:
    return text


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


def when_words(moment: datetime, now: datetime, translate: Callable[[str], str] = _same) -> str:
    """ "aujourd'hui", "hier", "lundi" (this week), "le 3 novembre", "le 3 novembre 2025"."""
    local = moment.astimezone(now.tzinfo)
    day: date = local.date()
    today = now.date()
    delta = (today - day).days
    if delta <= 0:
        return translate(TODAY)
    if delta == 1:
        return translate(YESTERDAY)
    if delta < 7:
        return translate(DAY_NAMES[day.weekday()])
    first = translate(FIRST) if day.day == 1 else str(day.day)
    month = translate(MONTHS[day.month - 1])
    if day.year != today.year:
        return translate(ON_DAY_OF_YEAR).format(day=first, month=month, year=day.year)
    return translate(ON_DAY).format(day=first, month=month)


def sent_words(
    sender: str, moment: datetime, now: datetime, translate: Callable[[str], str] = _same
) -> str:
    """ "Envoyée par Marie, hier" (a photo is feminine in French); "Envoyée hier" if unknown."""
    when = when_words(moment, now, translate)
    sender = " ".join(sender.split())  # a name on one line
    if sender:
        return translate(SENT_BY).format(sender=sender, when=when)
    return translate(SENT).format(when=when)


def clamp_seconds(value: Any) -> int:
    """The slideshow pace from configuration, within bounds; the default when unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_SLIDESHOW_SECONDS
    return int(min(MAX_SLIDESHOW_SECONDS, max(MIN_SLIDESHOW_SECONDS, value)))


def _entry(
    raw: Mapping[str, Any],
    now: datetime,
    seen: Collection[int],
    translate: Callable[[str], str] = _same,
) -> PhotoEntry | None:
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
        sent=sent_words(sender, created, now, translate),
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
    translate: Callable[[str], str] = _same,
) -> AlbumView:
    """The album at `now` (aware, in the beneficiary's zone).

    `seen`: ids already shown on this tablet. `available`: when given, only these ids (the
    photos whose file is in the local cache) are listed, so nothing shows an empty frame.
    `translate`: the words ("Envoyée par…") in the language in force (see CONTEXT)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware, in the beneficiary's time zone")
    entries = []
    for raw in records:
        if not isinstance(raw, Mapping):
            continue
        entry = _entry(raw, now, seen, translate)
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
