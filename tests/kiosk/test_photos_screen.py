"""The album, the slideshow and the photo frame: navigation, cross-fade, pace, plain-text
captions, timers that stop when hidden, and the layout at 1280×800 and 800×480."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTranslator
from PySide6.QtGui import QColor, QImage, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.photos_view import AlbumView, build_album_view
from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen, PhotoTile
from tests.kiosk.screen_checks import SIZES, assert_layout_fits, rect_in, settle
from widgets import sizing
from widgets.big_button import BigButton
from widgets.photo_view import PhotoView

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)
HTML = "<b>Léa</b> a 7 ans <img src=x onerror=alert(1)> & <i>Tom</i>"


def record(
    photo_id: int, hours_ago: float, caption: str = "", sender: str = "Marie"
) -> dict[str, Any]:
    return {
        "id": photo_id,
        "caption": caption,
        "sender_name": sender,
        "created_at": (NOW - timedelta(hours=hours_ago)).astimezone(UTC).isoformat(),
        "width": 1600,
        "height": 1200,
        "display_hash": f"{photo_id:064x}",
        "thumb_hash": f"{photo_id + 500:064x}",
    }


def album(count: int = 3, seen: set[int] | None = None, seconds: Any = 8) -> AlbumView:
    records = [record(i, i * 20, caption=f"Photo {i}") for i in range(1, count + 1)]
    records[0]["caption"] = HTML
    return build_album_view(records, NOW, seen=seen or set(), slideshow_seconds=seconds)


def image(photo_id: int, width: int = 800, height: int = 600) -> QImage:
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor.fromHsv((photo_id * 57) % 360, 180, 200))
    return img


def feed(screen: PhotosScreen | PhotoFrameScreen) -> None:
    """Answer the screen's requests at once, as the photo service would (later, by signal)."""
    screen.photo_wanted.connect(lambda pid, w, h: screen.set_photo(pid, image(pid, w, h)))
    if isinstance(screen, PhotosScreen):
        screen.thumbnail_wanted.connect(lambda pid, s: screen.set_thumbnail(pid, image(pid, s, s)))


def assert_touch_targets(top: QWidget) -> None:
    side = sizing.min_touch_px(top)
    buttons = [b for b in top.findChildren(QAbstractButton) if b.isVisible() and b.isEnabled()]
    assert buttons
    for button in buttons:
        assert button.width() >= side and button.height() >= side, button.objectName()
        assert top.rect().contains(rect_in(button, top)), button.objectName()


def tiles(screen: PhotosScreen) -> list[PhotoTile]:
    return screen.album.visible_tiles()


def test_album_newest_first_with_new_marks_then_slideshow_and_home(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(3, seen={2}))
    shown = tiles(screen)
    assert [t.entry.id for t in shown if t.entry] == [1, 2, 3]
    assert [t.badge.isVisible() for t in shown] == [True, False, True]
    assert shown[0].badge.text() == "Nouvelle"
    assert all(t.has_pixmap() for t in shown)  # thumbnails asked for and received

    seen: list[int] = []
    screen.photo_seen.connect(seen.append)
    qtbot.mouseClick(shown[1], Qt.MouseButton.LeftButton)
    slideshow = screen.slideshow
    assert screen.currentWidget() is slideshow
    assert slideshow.current_id() == 2
    assert slideshow.sender_text() == "Envoyée par Marie, lundi"  # 40 h before Wednesday 10:00
    assert slideshow.caption_text() == "Photo 2"
    assert seen == [2]

    assert slideshow.next_button is not None and slideshow.previous_button is not None
    qtbot.mouseClick(slideshow.next_button, Qt.MouseButton.LeftButton)
    assert slideshow.current_id() == 3
    qtbot.wait(450)  # past the big button's double-tap guard
    qtbot.mouseClick(slideshow.next_button, Qt.MouseButton.LeftButton)
    assert slideshow.current_id() == 1  # round again
    qtbot.mouseClick(slideshow.previous_button, Qt.MouseButton.LeftButton)
    assert slideshow.current_id() == 3
    assert seen == [2, 3, 1, 3]

    assert slideshow.album_button is not None and slideshow.home_button is not None
    qtbot.mouseClick(slideshow.album_button, Qt.MouseButton.LeftButton)
    assert screen.currentWidget() is screen.album
    qtbot.mouseClick(shown[0], Qt.MouseButton.LeftButton)
    with qtbot.wait_signal(screen.home_requested, timeout=1000):
        qtbot.mouseClick(slideshow.home_button, Qt.MouseButton.LeftButton)
    with qtbot.wait_signal(screen.home_requested, timeout=1000):
        qtbot.mouseClick(screen.album.home_button, Qt.MouseButton.LeftButton)


def test_a_double_tap_on_next_moves_one_photo_only(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(4))
    screen.open_photo(1)
    assert screen.slideshow.next_button is not None
    qtbot.mouseClick(screen.slideshow.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.slideshow.next_button, Qt.MouseButton.LeftButton)
    assert screen.slideshow.current_id() == 2


def test_captions_are_plain_text_even_with_html(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(2))
    screen.open_photo(1)
    caption = screen.slideshow.findChild(QWidget, "caption")
    assert caption is not None
    assert caption.textFormat() == Qt.TextFormat.PlainText  # type: ignore[attr-defined]
    assert screen.slideshow.caption_text() == HTML  # shown literally, tags and all


def test_a_long_caption_is_shortened_not_clipped(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (800, 480), qtbot)
    long = "Un très long souvenir de vacances " * 15
    screen.show_album(build_album_view([record(1, 1, caption=long)], NOW))
    screen.open_photo(1)
    text = screen.slideshow.caption_text()
    assert text.endswith("…") and len(text) < len(long)
    assert_layout_fits(screen.slideshow)


def test_the_slideshow_advances_at_its_pace_only_while_visible(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(3))
    screen.slideshow.set_pace_seconds(0.25)
    screen.open_photo(1)
    assert screen.slideshow.timer_active()
    qtbot.wait_until(lambda: screen.slideshow.current_id() == 2, timeout=3000)
    screen.hide()
    assert not screen.slideshow.timer_active()
    assert not screen.slideshow.photo.is_fading()
    assert screen.currentWidget() is screen.album  # coming back starts from the album


def test_a_rebuilt_view_does_not_hold_the_slideshow_back(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    view = album(3)
    screen.show_album(view)
    screen.slideshow.set_pace_seconds(0.4)
    seen: list[int] = []
    screen.photo_seen.connect(seen.append)
    screen.open_photo(1)
    for _ in range(6):  # the shell rebuilds the view often (syncs, downloads, minutes)
        qtbot.wait(100)
        screen.album.show_album(view)
        screen.slideshow.set_entries(view.entries)  # what show_album does, but the pace
        screen.slideshow.set_pace_seconds(0.4)  # unchanged: nothing restarts
    assert screen.slideshow.current_id() != 1  # it moved on all the same
    assert seen.count(1) == 1


def test_pace_comes_from_the_view(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    screen.show_album(album(2, seconds=15))
    assert screen.slideshow.pace_ms() == 15_000


def test_a_photo_deleted_while_shown_gives_way_to_the_next(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(3))
    screen.open_photo(2)
    records = [record(1, 20), record(3, 60)]
    screen.show_album(build_album_view(records, NOW))
    assert screen.slideshow.current_id() == 3
    assert [t.entry.id for t in tiles(screen) if t.entry] == [1, 3]


def test_a_photo_not_downloaded_yet_is_asked_for_again_once_it_is(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    settle(screen, (1280, 800), qtbot)
    wanted: list[int] = []
    screen.photo_wanted.connect(lambda pid, _w, _h: wanted.append(pid))
    view = album(2)
    screen.show_album(view)
    screen.open_photo(1)
    assert wanted[:1] == [1]
    screen.photo_unavailable(1)  # the service has no file yet
    wanted.clear()
    screen.show_album(view)  # the shell rebuilds the view when the download is done
    assert 1 in wanted
    screen.set_photo(1, image(1))
    assert screen.slideshow.photo.pixmap() is not None


def test_empty_album_says_so_kindly(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    settle(screen, (800, 480), qtbot)
    screen.show_album(AlbumView(()))
    empty = screen.album.findChild(QWidget, "albumEmpty")
    assert empty is not None and empty.isVisible()
    assert "Pas encore de photos" in empty.text()  # type: ignore[attr-defined]
    assert tiles(screen) == []
    assert_layout_fits(screen.album)


def test_album_pages_turn_with_big_buttons(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (800, 480), qtbot)  # 3 × 2 tiles
    screen.show_album(album(8))
    assert screen.album.page_count() == 2
    assert [t.entry.id for t in tiles(screen) if t.entry] == [1, 2, 3, 4, 5, 6]
    next_page = screen.album.findChild(BigButton, "nextPage")
    assert next_page is not None
    qtbot.mouseClick(next_page, Qt.MouseButton.LeftButton)
    assert [t.entry.id for t in tiles(screen) if t.entry] == [7, 8]
    label = screen.album.findChild(QWidget, "pageLabel")
    assert label is not None and label.text() == "Page 2 sur 2"  # type: ignore[attr-defined]
    assert not next_page.isEnabled()


@pytest.mark.parametrize("size", SIZES)
def test_layout_fits_and_targets_are_big_at_both_sizes(
    qtbot: QtBot, size: tuple[int, int], tmp_path: Any
) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, size, qtbot)
    screen.show_album(album(9))
    settle(screen, size, qtbot)
    assert_layout_fits(screen.album)
    assert_touch_targets(screen.album)
    screen.open_photo(1)
    settle(screen, size, qtbot)
    assert_layout_fits(screen.slideshow)
    assert_touch_targets(screen.slideshow)
    screen.grab().save(str(tmp_path / f"slideshow-{size[0]}x{size[1]}.png"))


@pytest.mark.parametrize("size", SIZES)
def test_the_largest_font_scale_still_fits(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, size, qtbot)
    screen.show_album(album(9))
    before = screen.album.title.font().pixelSize()
    sizing.set_font_scale(1.6)
    try:
        # As the shell applies it: a resize of the screen's own size.
        QApplication.sendEvent(screen, QResizeEvent(screen.size(), screen.size()))
        settle(screen, size, qtbot)
        assert screen.album.title.font().pixelSize() > before
        assert_layout_fits(screen.album)
        screen.open_photo(3)
        settle(screen, size, qtbot)
        assert_layout_fits(screen.slideshow)
        assert_touch_targets(screen.slideshow)
    finally:
        sizing.set_font_scale(1.0)


def test_high_contrast_from_the_shell_reaches_the_album(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    palette = screen.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#FFFFFF"))
    screen.setPalette(palette)  # what MainWindow.apply_look does
    assert screen.album.palette().color(QPalette.ColorRole.Window) == QColor("#FFFFFF")


# -- the photo frame ----------------------------------------------------------------------------


def test_photo_frame_has_no_buttons_and_any_touch_goes_home(qtbot: QtBot) -> None:
    frame = PhotoFrameScreen()
    qtbot.addWidget(frame)
    feed(frame)
    settle(frame, (800, 480), qtbot)
    frame.show_album(album(3))
    assert [b for b in frame.findChildren(QAbstractButton) if b.isVisible()] == []
    assert frame.current_id() == 1
    with qtbot.wait_signal(frame.home_requested, timeout=1000):
        qtbot.mouseClick(frame, Qt.MouseButton.LeftButton, pos=QPoint(400, 100))
    caption = frame.findChild(QWidget, "caption")
    assert caption is not None and caption.isVisible()
    with qtbot.wait_signal(frame.home_requested, timeout=1000):
        qtbot.mouseClick(caption, Qt.MouseButton.LeftButton)  # on the band, too
    with qtbot.wait_signal(frame.home_requested, timeout=1000):
        qtbot.mouseClick(frame.photo, Qt.MouseButton.LeftButton)
    assert_layout_fits(frame)


def test_photo_frame_without_photos_still_goes_home(qtbot: QtBot) -> None:
    frame = PhotoFrameScreen()
    qtbot.addWidget(frame)
    settle(frame, (1280, 800), qtbot)
    frame.show_album(AlbumView(()))
    assert not frame.timer_active()
    with qtbot.wait_signal(frame.home_requested, timeout=1000):
        qtbot.mouseClick(frame, Qt.MouseButton.LeftButton)


def test_photo_frame_runs_on_its_own_and_stops_when_hidden(qtbot: QtBot) -> None:
    frame = PhotoFrameScreen()
    qtbot.addWidget(frame)
    feed(frame)
    settle(frame, (1280, 800), qtbot)
    frame.show_album(album(2, seconds=3))
    frame.set_pace_seconds(0.2)
    qtbot.wait_until(lambda: frame.current_id() == 2, timeout=3000)
    frame.hide()
    assert not frame.timer_active()


# -- the cross-fade widget ----------------------------------------------------------------------


def pixmap(colour: str, width: int = 400, height: int = 300) -> QPixmap:
    pm = QPixmap(width, height)
    pm.fill(QColor(colour))
    return pm


def test_cross_fade_completes_and_stops_its_timer(qtbot: QtBot) -> None:
    view = PhotoView(fade_ms=200)
    qtbot.addWidget(view)
    settle(view, (640, 480), qtbot)
    view.set_pixmap(pixmap("#FF0000"))
    assert not view.is_fading()  # nothing to fade from
    view.set_pixmap(pixmap("#0000FF"))
    assert view.is_fading()
    with qtbot.wait_signal(view.fade_finished, timeout=2000):
        pass
    assert not view.is_fading()
    assert view.fade_progress() == 1.0
    # The photo is letterboxed, aspect ratio kept: 4:3 in 640×480 fills it; the middle is blue.
    grabbed = view.grab().toImage()
    assert grabbed.pixelColor(320, 240) == QColor("#0000FF")


def test_hiding_the_view_finishes_the_fade_at_once(qtbot: QtBot) -> None:
    view = PhotoView(fade_ms=5000)
    qtbot.addWidget(view)
    settle(view, (640, 480), qtbot)
    view.set_pixmap(pixmap("#FF0000"))
    view.set_pixmap(pixmap("#00FF00"))
    assert view.is_fading()
    view.hide()
    assert not view.is_fading()
    assert view.fade_progress() == 1.0


def test_letterbox_on_the_background(qtbot: QtBot) -> None:
    view = PhotoView(fade_ms=0, background="#123456")
    qtbot.addWidget(view)
    settle(view, (800, 400), qtbot)
    view.set_pixmap(pixmap("#FF0000", 400, 400))  # square in a wide box: bars left and right
    grabbed = view.grab().toImage()
    assert grabbed.pixelColor(10, 200) == QColor("#123456")
    assert grabbed.pixelColor(400, 200) == QColor("#FF0000")


class Shouting(QTranslator):
    """A stand-in catalogue: every string of the photo screens in capitals."""

    def isEmpty(self) -> bool:  # noqa: N802 (Qt override; Qt skips empty translators)
        return False

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if context in ("AlbumPage", "Slideshow") and "{" not in source:  # keep placeholders
            return source.upper()
        return ""


def test_switching_language_relabels_live(qtbot: QtBot) -> None:
    screen = PhotosScreen()
    qtbot.addWidget(screen)
    feed(screen)
    settle(screen, (1280, 800), qtbot)
    screen.show_album(album(9))
    app = QCoreApplication.instance()
    assert app is not None
    translator = Shouting()
    app.installTranslator(translator)
    try:
        QApplication.processEvents()
        assert screen.album.title.text() == "PHOTOS"
        assert screen.album.visible_tiles()[0].badge.text() == "NOUVELLE"
        assert screen.slideshow.next_button is not None
        assert screen.slideshow.next_button.text() == "SUIVANTE"
    finally:
        app.removeTranslator(translator)
    QApplication.processEvents()
    assert screen.album.title.text() == "Photos"
