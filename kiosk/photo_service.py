"""Photos for the screens: downloads into the local cache, and images decoded for the screen,
all off the GUI thread; results come back as Qt signals.

- `set_photos(records)` (GUI thread, cheap) gives the synced list. A background pass then
  removes the files of photos that left the album, fetches missing thumbnails (newest first, so
  the album fills from the top), then missing display variants. It keeps the newest photos that
  fit in the cache's disk budget and stops there rather than evict what it just fetched.
- Backend unreachable: the pass is retried with capped "full jitter" backoff
  (kiosk.retrying_job: one pass at a time, woken again by a new list); 401 means the
  tablet was revoked (`revoked`); 404 means the photo went since the last sync (skipped).
- `request_photo` / `request_thumbnail` read the file, check it (a damaged file is dropped and
  fetched again, never shown), decode it with QImageReader scaled once to the size asked for,
  and emit a QImage (QPixmap is for the GUI thread only: the screen makes it).
- Which photos were already seen on this tablet is kept on disk (`kiosk.photo_seen`), so the
  "Nouvelle" marks survive restarts; `seen_changed` announces the set.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader

from kiosk.client_errors import PhotoGone, Revoked, Unreachable
from kiosk.device_client import DeviceClient
from kiosk.photo_cache import CorruptDownload, PhotoCache, is_hash
from kiosk.photo_seen import SeenPhotos
from kiosk.retrying_job import FAILED, SUCCEEDED, JobOutcome, JobResult, RetryingJob, guarded

log = logging.getLogger(__name__)

DOWNLOAD_JOB = "photos-download"
DECODE_JOB = "photos-decode"


@dataclass(frozen=True)
class _Wanted:
    photo_id: int
    display_hash: str
    thumb_hash: str
    created_at: str


def wanted_photos(records: Iterable[Mapping[str, Any]]) -> list[_Wanted]:
    """The synced photos worth fetching, newest first; malformed records are skipped."""
    wanted = []
    for raw in records:
        photo_id, display, thumb = raw.get("id"), raw.get("display_hash"), raw.get("thumb_hash")
        if isinstance(photo_id, bool) or not isinstance(photo_id, int):
            continue
        if not isinstance(display, str) or not is_hash(display):
            continue
        thumb = thumb if isinstance(thumb, str) and is_hash(thumb) else display
        wanted.append(_Wanted(photo_id, display, thumb, str(raw.get("created_at", ""))))
    wanted.sort(key=lambda w: (w.created_at, w.photo_id), reverse=True)
    return wanted


def decode_scaled(data: bytes, width: int, height: int) -> QImage | None:
    """Decode JPEG/PNG bytes to an image that fits in width×height (aspect kept, never
    enlarged). JPEG is scaled while decoding (much less memory and time than decode-then-
    scale). None when the bytes are no image."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    try:
        reader = QImageReader(buffer)
        reader.setAutoTransform(False)  # the backend applied the orientation already
        size = reader.size()
        box = QSize(max(1, width), max(1, height))
        if size.isValid() and (size.width() > box.width() or size.height() > box.height()):
            reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
    finally:
        buffer.close()
    if image.isNull():
        return None
    return image


class PhotoService(QObject):
    available_changed = Signal(object)  # frozenset[int]: ids whose display file is here
    seen_changed = Signal(object)  # frozenset[int]: ids already shown full screen
    photo_ready = Signal(int, QImage)  # photo id, display image scaled for the screen
    thumbnail_ready = Signal(int, QImage)  # photo id, thumbnail scaled for a tile
    photo_missing = Signal(int)  # asked for, but not (or no longer) on this tablet
    revoked = Signal()

    def __init__(
        self,
        client: DeviceClient,
        cache: PhotoCache,
        seen: SeenPhotos,
        scheduler: BackgroundScheduler,
        rng: random.Random | None = None,
        decode: Callable[[bytes, int, int], QImage | None] = decode_scaled,
    ) -> None:
        super().__init__()
        self._client = client
        self._cache = cache
        self._seen = seen
        self._scheduler = scheduler
        self._decode = decode
        self._lock = threading.RLock()
        self._stopped = threading.Event()
        self._wiped = threading.Event()  # revoked: no mark may be written any more
        self._wanted: list[_Wanted] = []
        self._generation = 0  # bumped by set_photos: a pass for an older list starts over
        self._available: frozenset[int] = frozenset()
        self._seen_ids: frozenset[int] = frozenset()
        self._job_ids = itertools.count(1)
        # A pass runs when woken (a new list, a new budget, a damaged file) and again with
        # backoff while the backend is out of reach; once done it waits for the next wake.
        self._downloads = RetryingJob(
            DOWNLOAD_JOB, self._download_pass, scheduler, interval=None, retry_cap=300.0, rng=rng
        )
        self._known = False  # set_photos called: the list is the synced one, not "none yet"
        # One pass at a time: a pass already dispatched cannot always be cancelled.
        self._pass_lock = threading.Lock()
        # Files that did not fit in the budget, with their size: not fetched again for nothing.
        self._no_room: dict[str, int] = {}

    # -- life cycle (GUI thread) ----------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            self._stopped.clear()
        self._submit(DECODE_JOB, self._load_seen)
        # Nothing to fetch before the first list (set_photos wakes it).
        self._downloads.start(run_now=self._known)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
        self._downloads.stop()

    @property
    def failures(self) -> int:
        return self._downloads.failures

    @property
    def downloads_idle(self) -> bool:
        """No download pass running or planned."""
        return self._downloads.idle

    def next_download(self) -> datetime | None:
        """When the next download pass is planned (a retry); None when none is."""
        return self._downloads.next_run_time()

    @property
    def available(self) -> frozenset[int]:
        return self._available

    @property
    def seen(self) -> frozenset[int]:
        return self._seen_ids

    # -- intents (GUI thread, never blocking) ---------------------------------------------
    def set_photos(self, records: Iterable[Mapping[str, Any]]) -> None:
        wanted = wanted_photos(records)
        with self._lock:
            if wanted == self._wanted and self._known:
                return
            self._known = True
            self._wanted = wanted
            self._generation += 1
        self._downloads.wake(reset_failures=True)

    def set_budget(self, budget_bytes: int) -> None:
        """A new disk budget (remote configuration): applied in the background; a larger one
        lets older photos come down too, a smaller one evicts the least recently used."""

        def run() -> None:
            with self._pass_lock:
                wanted = list(self._wanted)
                # Spare what a pass would keep (thumbnails, then the newest photos that fit),
                # so that eviction does not throw out what the next pass would fetch again.
                keep: set[str] = set()
                total = 0
                for key in [w.thumb_hash for w in wanted] + [w.display_hash for w in wanted]:
                    size = self._cache.size_of(key)
                    if size is None or key in keep:
                        continue
                    if total + size > budget_bytes and keep:
                        break
                    keep.add(key)
                    total += size
                self._cache.set_budget(budget_bytes, keep=keep)
            self._publish_available(wanted)
            self._downloads.wake()

        self._submit(DECODE_JOB, run)

    def request_photo(self, photo_id: int, width: int, height: int) -> None:
        self._request(photo_id, width, height, thumbnail=False)

    def request_thumbnail(self, photo_id: int, side: int) -> None:
        self._request(photo_id, side, side, thumbnail=True)

    def mark_seen(self, photo_id: int) -> None:
        with self._lock:
            if photo_id in self._seen_ids:
                return
            self._seen_ids = self._seen_ids | {photo_id}
            seen = self._seen_ids
        self.seen_changed.emit(seen)

        def run() -> None:
            if not self._wiped.is_set():
                self._seen.mark([photo_id])

        self._submit(DECODE_JOB, run)

    def wipe(self) -> None:
        """Revoked: stop, and every photo and mark leaves the disk (in the background). The
        service is done for: after a new pairing, make a new one."""
        self._wiped.set()
        self.stop()
        with self._lock:
            self._wanted = []
            self._available = frozenset()
            self._seen_ids = frozenset()

        def run() -> None:
            with self._pass_lock:  # after any pass under way: nothing is written after this
                self._cache.wipe()
                self._seen.wipe()

        # Not through _submit: it refuses work once stopped.
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.add_job(guarded("photos-wipe", run))

    # -- scheduling -----------------------------------------------------------------------
    def _submit(self, name: str, work: Callable[[], None]) -> None:
        if self._stopped.is_set() or self._scheduler.state == STATE_STOPPED:
            return
        # A fresh id per job: APScheduler counts running instances per id.
        self._scheduler.add_job(guarded(name, work), id=f"{name}-{next(self._job_ids)}")

    # -- worker side ----------------------------------------------------------------------
    def _load_seen(self) -> None:
        ids = self._seen.ids()
        with self._lock:
            self._seen_ids = self._seen_ids | ids
            seen = self._seen_ids
        self.seen_changed.emit(seen)

    def _request(self, photo_id: int, width: int, height: int, *, thumbnail: bool) -> None:
        with self._lock:
            item = next((w for w in self._wanted if w.photo_id == photo_id), None)
        if item is None:
            self.photo_missing.emit(photo_id)
            return
        key = item.thumb_hash if thumbnail else item.display_hash

        def run() -> None:
            present = self._cache.contains(key)
            data = self._cache.read(key)  # None when absent, or damaged (then removed)
            image = self._decode(data, width, height) if data is not None else None
            if image is None:
                if data is not None:  # checked, yet no image: not worth keeping
                    self._cache.remove(key)
                self.photo_missing.emit(photo_id)
                if present:  # it was here but unusable: fetch it again now
                    self._downloads.wake()
                return
            (self.thumbnail_ready if thumbnail else self.photo_ready).emit(photo_id, image)

        self._submit(DECODE_JOB, run)

    def _download_pass(self) -> JobResult:
        with self._lock:
            wanted, generation = list(self._wanted), self._generation
        with self._pass_lock:
            return self._fetch_all(wanted, generation)

    def _fetch_all(self, wanted: list[_Wanted], generation: int) -> JobResult:
        """One pass: FAILED when it must be retried (backend out of reach), STOPPED when
        revoked, else SUCCEEDED (all fetched, or the budget is full)."""
        keys = {w.display_hash for w in wanted} | {w.thumb_hash for w in wanted}
        removed = self._cache.retain_only(keys)
        if removed:
            log.info("photos: %d file(s) of photos no longer in the album removed", removed)
        self._seen.retain_only({w.photo_id for w in wanted})
        kept: set[str] = set()
        kept_bytes = 0
        full = False
        unreachable = False
        # Thumbnails first (small, and the album needs them all), then display variants.
        plan = [(w, w.thumb_hash, "thumbnail") for w in wanted]
        plan += [(w, w.display_hash, "display") for w in wanted]
        for item, key, variant in plan:
            if self._stopped.is_set() or generation != self._generation:
                return SUCCEEDED  # stopped, or a newer list: its own pass follows
            if full or unreachable:
                break
            if self._cache.contains(key):
                kept.add(key)
                kept_bytes += self._cache.size_of(key) or 0
                continue
            known = self._no_room.get(key)
            if known is not None and kept and kept_bytes + known > self._cache.budget_bytes:
                full = True  # it did not fit last time and still would not: not fetched again
                break
            try:
                data = self._client.photo_file(item.photo_id, variant)
                self._cache.put(key, data, keep=kept)
            except Revoked:
                self._stopped.set()
                return JobResult(JobOutcome.STOPPED, [self.revoked.emit])
            except PhotoGone:
                log.info("photos: photo %d went since the last sync", item.photo_id)
                continue
            except Unreachable as exc:
                log.info("photos: backend unreachable (%s)", exc)
                unreachable = True
                break
            except CorruptDownload as exc:
                log.warning("photos: download of photo %d damaged (%s)", item.photo_id, exc)
                unreachable = True  # a proxy or a network fault: try again later
                break
            except OSError as exc:
                log.warning("photos: cannot store photo %d (%s)", item.photo_id, exc)
                full = True
                break
            if self._cache.total_bytes() > self._cache.budget_bytes and kept:
                # What is kept already fills the budget: older photos stay on the backend.
                self._cache.remove(key)
                self._no_room[key] = len(data)
                full = True
                break
            self._no_room.pop(key, None)
            kept.add(key)
            kept_bytes += len(data)
            if variant == "display":
                self._publish_available(wanted)
        self._publish_available(wanted)
        return FAILED if unreachable else SUCCEEDED

    def _publish_available(self, wanted: list[_Wanted]) -> None:
        available = frozenset(w.photo_id for w in wanted if self._cache.contains(w.display_hash))
        with self._lock:
            if available == self._available:
                return
            self._available = available
        self.available_changed.emit(available)
