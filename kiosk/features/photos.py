"""Photos: the album with its slideshow ("photos") and the idle photo frame ("photos_frame").

The service lives while the tablet is paired (a wiped service is done for: a new pairing
makes a new one); the screens live for the app and are wired once to this feature, which
passes their requests on to the service of the moment. The album lists only photos whose
file is on the tablet, so nothing ever shows an empty frame; the frame is offered by the
idle logic only when there is at least one (`frame_ready`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from kiosk import idle
from kiosk.features.base import Feature, Host, Link
from kiosk.photo_cache import DEFAULT_BUDGET_BYTES, PhotoCache
from kiosk.photo_seen import SeenPhotos
from kiosk.photo_service import PhotoService
from kiosk.photos_view import CONTEXT as PHOTO_CONTEXT
from kiosk.photos_view import AlbumView, build_album_view
from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen
from kiosk.store import LocalState

PHOTOS = "photos"
FOLDER = "photos"
SEEN_FILE = "seen.sqlite3"


def photo_words(text: str) -> str:
    """kiosk.photos_view's words ("Envoyée par…") in the language in force."""
    return QCoreApplication.translate(PHOTO_CONTEXT, text)


def _drawn_already() -> None:
    """The screens were redrawn by PhotosFeature.on_state."""


class PhotosFeature(Feature):
    def __init__(
        self,
        host: Host,
        scheduler: BackgroundScheduler,
        data_dir: Path,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
    ) -> None:
        self._host = host
        self._scheduler = scheduler
        self._folder = data_dir / FOLDER
        self._budget = budget_bytes
        self.service: PhotoService | None = None
        self.screen = PhotosScreen()
        self.frame = PhotoFrameScreen()
        self._view = AlbumView(())
        self._connect_screens()
        # on_state redraws both screens whether shown or not (home's badge needs the count).
        host.register_screen(PHOTOS, self.screen, on_open=self.show, on_change=_drawn_already)
        host.register_screen(
            idle.PHOTO_FRAME, self.frame, on_open=self.show, on_change=_drawn_already
        )

    def _connect_screens(self) -> None:
        self.screen.thumbnail_wanted.connect(self._thumbnail_wanted)
        self.screen.photo_wanted.connect(self._photo_wanted)
        self.frame.photo_wanted.connect(self._photo_wanted)
        # Seen in the album's slideshow only: the frame runs when nobody may be looking.
        self.screen.photo_seen.connect(self._photo_seen)

    def _connect_service(self, service: PhotoService) -> None:
        service.available_changed.connect(self.show)
        service.seen_changed.connect(self.show)
        service.thumbnail_ready.connect(self.screen.set_thumbnail)
        service.photo_ready.connect(self._photo_ready)
        service.photo_missing.connect(self._photo_missing)
        service.revoked.connect(self._host.credential_revoked)

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        if self.service is None:
            self.service = PhotoService(
                link.client,
                PhotoCache(self._folder, self._budget),
                SeenPhotos(self._folder / SEEN_FILE),
                self._scheduler,
            )
            self._connect_service(self.service)
        self.service.start()
        # Nothing is downloaded before the first list: give it the local one at once.
        self.service.set_photos(self._host.state.of(PHOTOS))
        self.show()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()

    def wipe(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            service.blockSignals(True)  # a pass finishing late speaks for a finished service
            service.wipe()  # stops it; cache and seen marks leave the disk in the background
        self.show()

    def shutdown(self) -> None:
        self.stop()
        if self.service is not None:
            self.service.blockSignals(True)  # the screens may go before its last job ends

    def on_state(self, state: LocalState) -> None:
        if self.service is not None:
            self.service.set_photos(state.of(PHOTOS))
        self.show()

    def on_config(self, config: dict[str, Any]) -> None:
        self.show()  # slideshow pace

    def badges(self) -> dict[str, int]:
        return {PHOTOS: self._view.new_count}

    @property
    def frame_ready(self) -> bool:
        """Whether the idle photo frame has something to show."""
        return bool(self._view.entries)

    # -- views -------------------------------------------------------------------------------
    def album(self) -> AlbumView:
        service = self.service
        return build_album_view(
            self._host.state.of(PHOTOS),
            self._host.now(),
            seen=service.seen if service is not None else (),
            slideshow_seconds=self._host.config.get("slideshow_seconds"),
            available=service.available if service is not None else frozenset(),
            translate=photo_words,
        )

    def show(self, *_args: object) -> None:
        view = self.album()
        changed = view != self._view
        self._view = view
        self.screen.show_album(view)
        self.frame.show_album(view)
        if changed:
            self._host.refresh_badges()

    # -- between the screens and the service of the moment ----------------------------------
    def _thumbnail_wanted(self, photo_id: int, side: int) -> None:
        if self.service is not None:
            self.service.request_thumbnail(photo_id, side)

    def _photo_wanted(self, photo_id: int, width: int, height: int) -> None:
        if self.service is not None:
            self.service.request_photo(photo_id, width, height)
        else:
            self._photo_missing(photo_id)

    def _photo_ready(self, photo_id: int, image: QImage) -> None:
        self.screen.set_photo(photo_id, image)
        self.frame.set_photo(photo_id, image)

    def _photo_missing(self, photo_id: int) -> None:
        self.screen.photo_unavailable(photo_id)
        self.frame.photo_unavailable(photo_id)

    def _photo_seen(self, photo_id: int) -> None:
        if self.service is not None:
            self.service.mark_seen(photo_id)
