"""Photos: the album (big thumbnails, "Nouvelle" on those not yet seen), the full-screen
slideshow (cross-fade, caption and sender over a dark band, big previous/next buttons), and the
photo frame (the same slideshow with no buttons: any touch goes home).

The screens show a `kiosk.photos_view.AlbumView` (computed without Qt) and never read a file:
they ask for images with `thumbnail_wanted` / `photo_wanted` (the shell connects these to
`kiosk.photo_service.PhotoService`, which decodes off the GUI thread) and receive QImages via
`set_thumbnail` / `set_photo`, turned into QPixmaps here, on the GUI thread. Timers run only
while a screen is visible.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QCoreApplication, QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHideEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui_thread import check_gui_thread
from kiosk.photos_view import DEFAULT_SLIDESHOW_SECONDS, AlbumView, PhotoEntry, next_index
from kiosk.screens.frame import ScreenFrame
from widgets import sizing, theme
from widgets.big_button import BigButton
from widgets.photo_view import PhotoView, fit_rect

ROWS = 2
WIDE_COLUMNS, NARROW_COLUMNS = 4, 3
WIDE_FROM_PX = 1000
PIXMAPS_KEPT = 6  # the photo shown, the ones around it, and a few back
CAPTION_LINES = 2
BAND_RGBA = "rgba(17, 17, 17, 225)"  # over any photo, white text stays above 7:1
BAND_TEXT = "#FFFFFF"


def elide_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """`text` shortened with "…" so that it fits in `lines` word-wrapped lines of `width`."""
    text = " ".join(text.split())  # a caption's line breaks would eat the band's few lines
    if not text or width <= 0:
        return text
    box = QRect(0, 0, width, 100_000)
    # The height of `lines` lines as Qt lays them out (not lines × lineSpacing: it rounds).
    limit = metrics.boundingRect(box, Qt.TextFlag.TextWordWrap, "\n".join("X" * lines)).height()

    def fits(candidate: str) -> bool:
        rect = metrics.boundingRect(box, Qt.TextFlag.TextWordWrap, candidate)
        return rect.height() <= limit and rect.width() <= width

    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with its ellipsis
        mid = (low + high + 1) // 2
        if fits(text[:mid].rstrip() + "…"):
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def _plain(name: str, colour: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # captions and names are what people wrote
    label.setStyleSheet(f"color: {colour}; background: transparent;")
    return label


# -- the album --------------------------------------------------------------------------------


class PhotoTile(QAbstractButton):
    """One photo in the album: its thumbnail, letterboxed, and "Nouvelle" when not seen yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoTile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.entry: PhotoEntry | None = None
        self._pixmap: QPixmap | None = None
        self._scaled: QPixmap | None = None
        self.badge = QLabel(self)
        self.badge.setObjectName("newBadge")
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.badge.setStyleSheet(
            f"color: {theme.ON_ACCENT}; background: {theme.ACCENT};"
            f" border: 2px solid {theme.SURFACE}; border-radius: 8px; padding: 2px 10px;"
        )
        self.badge.hide()
        self._apply_min_size()

    def _apply_min_size(self) -> None:
        side = sizing.min_touch_px(self)
        self.setMinimumSize(side, side)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._apply_min_size()
        super().showEvent(event)

    def set_entry(self, entry: PhotoEntry | None, badge_text: str) -> None:
        if entry is None or self.entry is None or entry.id != self.entry.id:
            self.set_pixmap(None)
        self.entry = entry
        self.badge.setText(badge_text)
        self.badge.setVisible(entry is not None and entry.is_new)
        self.badge.adjustSize()
        name = entry.caption or entry.sent if entry is not None else ""
        self.setAccessibleName(name)

    def set_pixmap(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap
        self._scaled = None
        self.update()

    def has_pixmap(self) -> bool:
        return self._pixmap is not None

    def set_badge_font(self, px: int) -> None:
        self.badge.setFont(theme.font(px, bold=True))
        self.badge.adjustSize()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._scaled = None
        self.badge.move(10, 10)
        super().resizeEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if self.entry is None:
            return  # an empty slot of the last page
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        inner = self.rect().adjusted(3, 3, -3, -3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.SURFACE))
        painter.drawRoundedRect(inner, 12, 12)
        if self._pixmap is not None:
            box = inner.adjusted(6, 6, -6, -6)
            if self._scaled is None or not box.contains(fit_rect(self._scaled.size(), box)):
                self._scaled = self._pixmap.scaled(
                    box.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            painter.drawPixmap(fit_rect(self._scaled.size(), box), self._scaled)
        border = theme.TEXT if self.isDown() else theme.BORDER
        painter.setPen(QColor(border))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        pen = painter.pen()
        pen.setWidth(4 if self.isDown() else 3)
        painter.setPen(pen)
        painter.drawRoundedRect(inner, 12, 12)
        painter.end()


class AlbumPage(ScreenFrame):
    """The album: a page of big thumbnails, newest first, and big buttons to turn pages
    (no scrolling: a flick is a precise gesture)."""

    photo_opened = Signal(int)  # photo id
    thumbnail_wanted = Signal(int, int)  # photo id, side in pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("albumPage")
        self._view = AlbumView(())
        self._page = 0
        self._columns = WIDE_COLUMNS
        self._thumbs: OrderedDict[int, QPixmap] = OrderedDict()

        self._grid = QGridLayout()
        self._grid.setSpacing(16)
        self._tiles: list[PhotoTile] = []
        for _ in range(ROWS * WIDE_COLUMNS):
            tile = PhotoTile(self)
            tile.clicked.connect(lambda _checked=False, t=tile: self._open(t))
            self._tiles.append(tile)
        self._empty = _plain("albumEmpty", theme.TEXT, self)
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._previous = BigButton("", self)
        self._previous.setObjectName("previousPage")
        self._next = BigButton("", self)
        self._next.setObjectName("nextPage")
        self._page_label = _plain("pageLabel", theme.TEXT, self)
        self._page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._previous.clicked.connect(lambda: self.turn_page(-1))
        self._next.clicked.connect(lambda: self.turn_page(1))
        pager = QHBoxLayout()
        pager.addWidget(self._previous)
        pager.addWidget(self._page_label, 1)
        pager.addWidget(self._next)

        self.body.addLayout(self._grid, 1)
        self.body.addWidget(self._empty, 1)
        self.body.addLayout(pager)
        self._arrange()
        self._retranslate()

    def _retranslate(self) -> None:
        self.set_title(self.tr("Photos"))
        self._previous.setText(self.tr("Précédentes"))
        self._next.setText(self.tr("Suivantes"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- what it shows --------------------------------------------------------------------
    def show_album(self, view: AlbumView) -> None:
        self._view = view
        ids = {e.id for e in view.entries}
        for stale in [i for i in self._thumbs if i not in ids]:
            del self._thumbs[stale]
        self._page = min(self._page, self.page_count() - 1)
        self._fill()

    def page_count(self) -> int:
        per_page = ROWS * self._columns
        return max(1, -(-len(self._view.entries) // per_page))

    @property
    def page(self) -> int:
        return self._page

    def turn_page(self, step: int) -> None:
        self._page = max(0, min(self.page_count() - 1, self._page + step))
        self._fill()

    def set_thumbnail(self, photo_id: int, image: QImage) -> None:
        check_gui_thread("AlbumPage.set_thumbnail")  # QPixmap: GUI thread only
        if image.isNull() or self._view.index_of(photo_id) is None:
            return
        self._thumbs[photo_id] = QPixmap.fromImage(image)
        self._thumbs.move_to_end(photo_id)
        while len(self._thumbs) > ROWS * WIDE_COLUMNS * 3:
            self._thumbs.popitem(last=False)
        for tile in self._tiles:
            if tile.entry is not None and tile.entry.id == photo_id:
                tile.set_pixmap(self._thumbs[photo_id])

    def visible_tiles(self) -> list[PhotoTile]:
        return [t for t in self._tiles if t.isVisibleTo(self) and t.entry is not None]

    # -- internals ------------------------------------------------------------------------
    def _open(self, tile: PhotoTile) -> None:
        if tile.entry is not None:
            self.photo_opened.emit(tile.entry.id)

    def _arrange(self) -> None:
        for tile in self._tiles:
            self._grid.removeWidget(tile)
        for i, tile in enumerate(self._tiles[: ROWS * self._columns]):
            self._grid.addWidget(tile, i // self._columns, i % self._columns)
        for tile in self._tiles[ROWS * self._columns :]:
            tile.hide()
        for c in range(WIDE_COLUMNS):
            self._grid.setColumnStretch(c, 1 if c < self._columns else 0)
        for r in range(ROWS):
            self._grid.setRowStretch(r, 1)

    def _fill(self) -> None:
        entries = self._view.entries
        per_page = ROWS * self._columns
        start = self._page * per_page
        shown = entries[start : start + per_page]
        badge = self.tr("Nouvelle")
        side = max(64, min(320, self.height() // ROWS))
        for i, tile in enumerate(self._tiles[:per_page]):
            entry = shown[i] if i < len(shown) else None
            tile.set_entry(entry, badge)
            # An empty slot keeps its place in the grid (drawn as nothing), so that a lone
            # photo is not stretched over the whole page.
            tile.setVisible(bool(entries))
            tile.setEnabled(entry is not None)
            if entry is None:
                continue
            pixmap = self._thumbs.get(entry.id)
            tile.set_pixmap(pixmap)
            if pixmap is None:
                self.thumbnail_wanted.emit(entry.id, side)
        self._empty.setVisible(not entries)
        self._empty.setText(
            self.tr("Pas encore de photos.\nLes photos envoyées par vos proches apparaîtront ici.")
        )
        many = self.page_count() > 1
        self._previous.setVisible(many)
        self._next.setVisible(many)
        self._page_label.setVisible(many)
        self._previous.setEnabled(self._page > 0)
        self._next.setEnabled(self._page < self.page_count() - 1)
        self._page_label.setText(
            self.tr("Page {page} sur {count}").format(page=self._page + 1, count=self.page_count())
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        columns = WIDE_COLUMNS if event.size().width() >= WIDE_FROM_PX else NARROW_COLUMNS
        if columns != self._columns:
            first = self._page * ROWS * self._columns  # keep the first photo shown in view
            self._columns = columns
            self._arrange()
            self._page = first // (ROWS * columns)
            self._fill()
        super().resizeEvent(event)

    def apply_font_px(self, px: int) -> None:
        self._empty.setFont(theme.font(px))
        self._page_label.setFont(theme.font(px))
        self._previous.set_font_px(px)
        self._next.set_font_px(px)
        for tile in self._tiles:
            tile.set_badge_font(self.text_px(px, 0.75))


# -- the slideshow ----------------------------------------------------------------------------


class Slideshow(QWidget):
    """Photos one after the other, full screen, cross-fading at the configured pace.

    With `controls`, big buttons sit over the photo: "Album" and "Accueil" at the top,
    "Précédente" and "Suivante" on the sides. Without, nothing is touchable: presses go to the
    parent (the photo frame)."""

    photo_wanted = Signal(int, int, int)  # photo id, width, height in pixels
    photo_shown = Signal(int)  # a photo is on screen (the beneficiary has seen it)
    album_requested = Signal()
    home_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, controls: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("slideshow")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.TEXT))
        self.setPalette(palette)
        self._entries: tuple[PhotoEntry, ...] = ()
        self._index = 0
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self._requested: set[int] = set()
        self._pace_ms = DEFAULT_SLIDESHOW_SECONDS * 1000
        self._font_px = 0
        self._floor_px = 0
        self._last_shown: int | None = None  # photo_shown is said once per appearance

        self.photo = PhotoView(self, background=theme.TEXT)
        self._band = QFrame(self)
        self._band.setObjectName("captionBand")
        self._band.setStyleSheet(
            f"QFrame#captionBand {{ background: {BAND_RGBA}; border-radius: 0; }}"
        )
        self._caption = _plain("caption", BAND_TEXT, self._band)
        self._caption.setWordWrap(True)
        self._sender = _plain("sender", BAND_TEXT, self._band)
        band = QVBoxLayout(self._band)
        band.setContentsMargins(24, 10, 24, 12)
        band.setSpacing(4)
        band.addWidget(self._caption)
        band.addWidget(self._sender)
        self._empty = _plain("slideshowEmpty", BAND_TEXT, self)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.hide()

        self._buttons: list[BigButton] = []
        self.album_button: BigButton | None = None
        self.home_button: BigButton | None = None
        self.previous_button: BigButton | None = None
        self.next_button: BigButton | None = None
        if controls:
            self.album_button = self._button("albumButton")
            self.home_button = self._button("homeButton")
            self.previous_button = self._button("previousPhoto")
            self.next_button = self._button("nextPhoto")
            self.album_button.clicked.connect(self.album_requested)
            self.home_button.clicked.connect(self.home_requested)
            self.previous_button.clicked.connect(lambda: self.step(-1))
            self.next_button.clicked.connect(lambda: self.step(1))

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.step(1))
        self._retranslate()

    def _retranslate(self) -> None:
        # QCoreApplication.translate, not self.tr: the photo frame subclasses this class and
        # self.tr would look the strings up under its name. Spelled out at each call, so that
        # lupdate files them under "Slideshow" too.
        translate = QCoreApplication.translate
        self._empty.setText(translate("Slideshow", "Pas encore de photos."))
        for button, text in (
            (self.album_button, translate("Slideshow", "Album")),
            (self.home_button, translate("Slideshow", "Accueil")),
            (self.previous_button, translate("Slideshow", "Précédente")),
            (self.next_button, translate("Slideshow", "Suivante")),
        ):
            if button is not None:
                button.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if self.width() > 0:
                self.resizeEvent(QResizeEvent(self.size(), self.size()))  # words change width
        super().changeEvent(event)

    def _button(self, name: str) -> BigButton:
        button = BigButton("", self)
        button.setObjectName(name)
        self._buttons.append(button)
        return button

    # -- what it shows --------------------------------------------------------------------
    def set_entries(self, entries: tuple[PhotoEntry, ...], start_id: int | None = None) -> None:
        current = self.current_id() if start_id is None else start_id
        self._entries = entries
        ids = {e.id for e in entries}
        for stale in [i for i in self._pixmaps if i not in ids]:
            del self._pixmaps[stale]
        # A new view (e.g. a photo finished downloading): ask again for what never came.
        self._requested.clear()
        index = next((i for i, e in enumerate(entries) if e.id == current), None)
        if index is None:  # the photo shown left the album: the next one takes its place
            index = min(self._index, max(0, len(entries) - 1))
        unchanged = index < len(entries) and entries[index].id == current
        self._index = index
        # The shell rebuilds the view on every change: the same photo keeps its time on screen.
        self._show_current(animate=False, restart_timer=not unchanged)

    def set_pace_seconds(self, seconds: float) -> None:
        pace = max(200, round(seconds * 1000))
        if pace != self._pace_ms:
            self._pace_ms = pace
            if self._timer.isActive():
                self._restart_timer()

    def pace_ms(self) -> int:
        return self._pace_ms

    def current_id(self) -> int | None:
        if not self._entries:
            return None
        return self._entries[self._index].id

    def current_entry(self) -> PhotoEntry | None:
        return self._entries[self._index] if self._entries else None

    def caption_text(self) -> str:
        return self._caption.text() if self._caption.isVisibleTo(self) else ""

    def sender_text(self) -> str:
        return self._sender.text()

    def timer_active(self) -> bool:
        return self._timer.isActive()

    def set_photo(self, photo_id: int, image: QImage) -> None:
        """A decoded photo (GUI thread): kept as a pixmap, shown if it is the current one."""
        check_gui_thread("Slideshow.set_photo")  # QPixmap: GUI thread only
        self._requested.discard(photo_id)
        if image.isNull() or all(e.id != photo_id for e in self._entries):
            return
        self._pixmaps[photo_id] = QPixmap.fromImage(image)
        self._pixmaps.move_to_end(photo_id)
        while len(self._pixmaps) > PIXMAPS_KEPT:
            self._pixmaps.popitem(last=False)
        if photo_id == self.current_id():
            self._show_current(animate=True)

    def photo_unavailable(self, photo_id: int) -> None:
        """The service has no file for it (yet): it may be asked for again later."""
        self._requested.discard(photo_id)

    def step(self, step: int) -> None:
        if not self._entries:
            return
        self._index = next_index(len(self._entries), self._index, step)
        self._show_current(animate=True)

    def show_id(self, photo_id: int) -> None:
        for i, entry in enumerate(self._entries):
            if entry.id == photo_id:
                self._index = i
                self._show_current(animate=False)
                return

    # -- internals ------------------------------------------------------------------------
    def _want(self, entry: PhotoEntry) -> None:
        # Hidden, nothing is decoded: showEvent asks for what the screen then needs.
        if not self.isVisible() or entry.id in self._pixmaps or entry.id in self._requested:
            return
        self._requested.add(entry.id)
        size = self.size() if self.width() > 100 else QSize(1280, 800)
        self.photo_wanted.emit(entry.id, size.width(), size.height())

    def _show_current(self, *, animate: bool, restart_timer: bool = True) -> None:
        entry = self.current_entry()
        self._empty.setVisible(entry is None)
        self._band.setVisible(entry is not None)
        for button in (self.previous_button, self.next_button):
            if button is not None:
                button.setVisible(len(self._entries) > 1)
        if entry is None:
            self.photo.set_pixmap(None, animate=False)
            self._timer.stop()
            return
        self._caption.setVisible(bool(entry.caption))
        self._sender.setText(entry.sent)
        self._layout_band()
        pixmap = self._pixmaps.get(entry.id)
        if pixmap is not None:
            self._pixmaps.move_to_end(entry.id)
            self.photo.set_pixmap(pixmap, animate=animate)
            if self.isVisible() and self._last_shown != entry.id:
                self._last_shown = entry.id
                self.photo_shown.emit(entry.id)
        else:
            # Not decoded yet (a jump from the album): no other photo under this caption.
            self.photo.set_pixmap(None, animate=False)
            self._want(entry)
        if len(self._entries) > 1:  # the next one is decoded while this one is looked at
            self._want(self._entries[next_index(len(self._entries), self._index, 1)])
        if self.isVisible() and (restart_timer or not self._timer.isActive()):
            self._restart_timer()

    def _restart_timer(self) -> None:
        if len(self._entries) > 1 and self.isVisible():
            self._timer.start(self._pace_ms)
        else:
            self._timer.stop()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        entry = self.current_entry()
        if entry is not None and entry.id in self._pixmaps:
            self._last_shown = entry.id
            self.photo_shown.emit(entry.id)
        else:  # dropped when hidden: asked for again, it fades in once decoded
            self._show_current(animate=False)
        self._restart_timer()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._timer.stop()  # nothing ticks that nobody sees
        self._last_shown = None
        # A decoded photo weighs 4 MB at 1280×800: a hidden slideshow keeps none (the tablet
        # spends its days on home; docs/performance.md, memory).
        self._pixmaps.clear()
        self._requested.clear()
        self.photo.set_pixmap(None, animate=False)
        super().hideEvent(event)

    def _layout_band(self) -> None:
        entry = self.current_entry()
        if entry is None or self._font_px == 0:
            return
        margin = 24
        width = self.width()
        text_width = width - 2 * margin
        self._caption.setText(
            elide_lines(entry.caption, self._caption.fontMetrics(), text_width, CAPTION_LINES)
        )
        height = self._band.heightForWidth(width)  # what its layout needs at this width
        if height <= 0:
            height = self._band.sizeHint().height()
        self._band.setGeometry(0, self.height() - height, width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        height = event.size().height()
        floor = sizing.min_text_px(height)  # home's floor: 32 px at 1280×800
        px = max(sizing.base_font_px(height), floor)
        if (px, floor) != (self._font_px, self._floor_px):
            self._font_px, self._floor_px = px, floor
            self._caption.setFont(theme.font(px, bold=True))
            self._sender.setFont(theme.font(max(floor, round(px * 0.8))))
            self._empty.setFont(theme.font(round(px * 1.2), bold=True))
            for button in self._buttons:
                button.set_font_px(px)
        self.photo.setGeometry(self.rect())
        self._empty.setGeometry(self.rect().adjusted(24, 24, -24, -24))
        self._layout_band()
        margin = 16
        for button in self._buttons:
            button.adjustSize()
        if self.album_button is not None and self.home_button is not None:
            self.album_button.move(margin, margin)
            self.home_button.move(self.width() - self.home_button.width() - margin, margin)
        band_top = self._band.y() if self._band.isVisibleTo(self) else self.height()
        for side, left in ((self.previous_button, True), (self.next_button, False)):
            if side is None:
                continue
            top = self.home_button.geometry().bottom() if self.home_button is not None else 0
            y = top + (band_top - top - side.height()) // 2
            x = margin if left else self.width() - side.width() - margin
            side.move(x, max(top + margin, y))
        for button in self._buttons:
            button.raise_()


class PhotosScreen(QStackedWidget):
    """The "photos" screen of the shell: the album, and the slideshow a tap on a photo opens."""

    home_requested = Signal()
    thumbnail_wanted = Signal(int, int)  # photo id, side
    photo_wanted = Signal(int, int, int)  # photo id, width, height
    photo_seen = Signal(int)  # shown full screen: no longer "Nouvelle"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photosScreen")
        self.album = AlbumPage(self)
        self.slideshow = Slideshow(self, controls=True)
        self.setAutoFillBackground(True)  # so that the shell's high contrast reaches it
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        self.setPalette(palette)
        self.addWidget(self.album)
        self.addWidget(self.slideshow)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.album.home_requested.connect(self.home_requested)
        self.album.thumbnail_wanted.connect(self.thumbnail_wanted)
        self.album.photo_opened.connect(self.open_photo)
        self.slideshow.home_requested.connect(self.home_requested)
        self.slideshow.album_requested.connect(self.show_album_page)
        self.slideshow.photo_wanted.connect(self.photo_wanted)
        self.slideshow.photo_shown.connect(self.photo_seen)

    def show_album(self, view: AlbumView) -> None:
        self.album.show_album(view)
        self.slideshow.set_entries(view.entries)
        self.slideshow.set_pace_seconds(view.slideshow_seconds)

    # The shell applies a new font scale by sending each screen a resize of its own size, and
    # high contrast through the screen's palette: pass both on to the pages.
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        for page in (self.album, self.slideshow):
            if page.size() == event.size():
                QApplication.sendEvent(page, QResizeEvent(page.size(), page.size()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.PaletteChange:
            palette = self.album.palette()
            palette.setColor(
                QPalette.ColorRole.Window, self.palette().color(QPalette.ColorRole.Window)
            )
            self.album.setPalette(palette)
        super().changeEvent(event)

    def open_photo(self, photo_id: int) -> None:
        self.slideshow.show_id(photo_id)
        self.setCurrentWidget(self.slideshow)

    def show_album_page(self) -> None:
        self.setCurrentWidget(self.album)

    def set_thumbnail(self, photo_id: int, image: QImage) -> None:
        self.album.set_thumbnail(photo_id, image)

    def set_photo(self, photo_id: int, image: QImage) -> None:
        self.slideshow.set_photo(photo_id, image)

    def photo_unavailable(self, photo_id: int) -> None:
        self.slideshow.photo_unavailable(photo_id)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        # Coming back to "Photos" later starts from the album, not a photo left open.
        self.setCurrentWidget(self.album)
        super().hideEvent(event)


class PhotoFrameScreen(Slideshow):
    """The idle photo frame ("photos_frame"): the slideshow with no buttons; any touch goes
    home."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, controls=False)
        self.setObjectName("photoFrame")

    def show_album(self, view: AlbumView) -> None:
        self.set_entries(view.entries)
        self.set_pace_seconds(view.slideshow_seconds)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        event.accept()
        self.home_requested.emit()
