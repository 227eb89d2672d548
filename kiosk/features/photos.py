"""Photos: the album with its slideshow ("photos") and the idle photo frame ("photos_frame").

The service lives while the tablet is paired (a wiped service is done for: a new pairing
makes a new one); the screens live for the app and are wired once to this feature, which
passes their requests on to the service of the moment. The album lists only photos whose
file is on the tablet, so nothing ever shows an empty frame; the frame is offered by the
idle logic only when there is at least one (`frame_ready`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from kiosk import idle
from kiosk.features.base import Feature, Host, Link
from kiosk.photos_view import CONTEXT as PHOTO_CONTEXT
from kiosk.photos_view import AlbumView, build_album_view
from kiosk.store import LocalState

if TYPE_CHECKING:
    from kiosk.photo_service import PhotoService
    from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen

PHOTOS = "photos"
FOLDER = "photos"
SEEN_FILE = "seen.sqlite3"


def photo_words(text: str) -> str:
    """kiosk.photos_view's words ("Envoyée par…") in the language in force."""
    return QCoreApplication.translate(PHOTO_CONTEXT, text)


class PhotosFeature(Feature):
    def __init__(
        self,
        host: Host,
        data_dir: Path,
        budget_bytes: int | None = None,  # None: kiosk.photo_cache's default (hashlib: later)
    ) -> None:
        self._host = host
        self._folder = data_dir / FOLDER
        self._budget = budget_bytes
        self.service: PhotoService | None = None
        # The album and the frame are built when first shown (the frame by the idle logic)
        # and given the album of the moment then: home's picture does not wait for them.
        self._screen: PhotosScreen | None = None
        self._frame: PhotoFrameScreen | None = None
        self._view = AlbumView(())
        # on_state redraws both screens whether shown or not (home's badge needs the count).
        host.register_screen(PHOTOS, lambda: self.screen, on_open=self.show)
        host.register_screen(idle.PHOTO_FRAME, lambda: self.frame, on_open=self.show)

    @property
    def screen(self) -> PhotosScreen:
        if self._screen is None:
            from kiosk.screens.photos_screen import PhotosScreen

            screen = PhotosScreen()
            screen.thumbnail_wanted.connect(self._thumbnail_wanted)
            screen.photo_wanted.connect(self._photo_wanted)
            # Seen in the album's slideshow only: the frame runs when nobody may be looking.
            screen.photo_seen.connect(self._photo_seen)
            screen.show_album(self._view)
            self._screen = screen
        return self._screen

    @property
    def frame(self) -> PhotoFrameScreen:
        if self._frame is None:
            from kiosk.screens.photos_screen import PhotoFrameScreen

            frame = PhotoFrameScreen()
            frame.photo_wanted.connect(self._photo_wanted)
            frame.show_album(self._view)
            self._frame = frame
        return self._frame

    def _built_screens(self) -> list[PhotosScreen | PhotoFrameScreen]:
        return [s for s in (self._screen, self._frame) if s is not None]

    def _connect_service(self, service: PhotoService) -> None:
        service.available_changed.connect(self.show)
        service.seen_changed.connect(self.show)
        service.thumbnail_ready.connect(self._thumbnail_ready)
        service.photo_ready.connect(self._photo_ready)
        service.photo_missing.connect(self._photo_missing)
        service.revoked.connect(self._host.credential_revoked)

    # -- life cycle --------------------------------------------------------------------------
    def start(self, link: Link) -> None:
        if self.service is None:
            from kiosk.photo_cache import PhotoCache
            from kiosk.photo_seen import SeenPhotos
            from kiosk.photo_service import PhotoService

            self.service = PhotoService(
                link.client,
                PhotoCache(self._folder)
                if self._budget is None
                else PhotoCache(self._folder, self._budget),
                SeenPhotos(self._folder / SEEN_FILE),
                link.scheduler,
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
        for screen in self._built_screens():
            screen.show_album(view)
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

    def _thumbnail_ready(self, photo_id: int, image: QImage) -> None:
        if self._screen is not None:
            self._screen.set_thumbnail(photo_id, image)

    def _photo_ready(self, photo_id: int, image: QImage) -> None:
        for screen in self._built_screens():
            screen.set_photo(photo_id, image)

    def _photo_missing(self, photo_id: int) -> None:
        for screen in self._built_screens():
            screen.photo_unavailable(photo_id)

    def _photo_seen(self, photo_id: int) -> None:
        if self.service is not None:
            self.service.mark_seen(photo_id)
