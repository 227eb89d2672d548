"""« Appeler »: the people she may call (the approved callers, kind `callers`), as big tiles
with their initials and name; a touch places the call (`call_requested(user_id)`).

Below, when the care manager let some of them open a call by themselves, « Qui peut
décrocher tout seul »: a second page (its heading in the body; the title stays « Appeler »)
listing them, each with what happens when they call (« L'appel s'ouvre tout seul » / « Vous
décrochez vous-même ») and one button to change it (`auto_answer_requested(user_id,
declined)`); « Retour » goes back to the tiles.

The screen only shows (`set_callers`) and emits intents; the feature (kiosk.features.calls)
queues the choice in the outbox and places the call. A page at a time with "Plus haut" /
"Plus bas" when the people do not fit.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.calls_view import Caller
from kiosk.screens.frame import ScreenFrame
from widgets import sizing, theme
from widgets.big_button import BigButton
from widgets.initials_badge import InitialsBadge
from widgets.message_bubble import plain_label
from widgets.paged_scroll import PagedScroll, ScrollContent

_OUTLINED_FROM = f"background-color: {theme.ACCENT};\n    color: {theme.ON_ACCENT};"
_OUTLINED_TO = f"background-color: {theme.SURFACE};\n    color: {theme.ACCENT};"
_TILE_STYLE = f"""
QPushButton#callerTile {{
    background-color: {theme.SURFACE}; border: 3px solid {theme.ACCENT}; border-radius: 16px;
}}
QPushButton#callerTile:pressed {{ background-color: {theme.DISABLED_BG}; }}"""
TWO_COLUMNS_FROM = 700  # px of width for the tiles


def _outlined(button: BigButton) -> None:
    button.setStyleSheet(button.styleSheet().replace(_OUTLINED_FROM, _OUTLINED_TO, 1))


class CallerTile(QPushButton):
    """The initials in a circle, the name and how she knows them: one touch calls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callerTile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(_TILE_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.user_id = 0
        self._sizes = (32, 32, 90)
        self.badge = InitialsBadge(self)
        self.name = plain_label(self, "callerName")
        self.name.setWordWrap(True)
        self.relation = plain_label(self, "callerRelation", theme.TEXT_MUTED)
        self.relation.setWordWrap(True)
        for label in (self.name, self.relation):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addStretch(1)
        words.addWidget(self.name)
        words.addWidget(self.relation)
        words.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(words, 1)
        self._layout = layout

    def set_caller(self, caller: Caller) -> None:
        self.user_id = caller.id
        self.badge.set_initials(caller.initials)
        self.name.setText(caller.name)
        self.relation.setText(caller.relation or "")
        self.relation.setVisible(bool(caller.relation))

    def size_for(self, px: int, floor: int, touch: int, width: int) -> None:
        self._sizes = (px, floor, touch)
        pad = max(8, px // 3)
        self._layout.setContentsMargins(pad, pad, pad, pad)
        self._layout.setSpacing(pad)
        self.badge.set_diameter(max(touch, round(px * 2.6)))
        self.name.setFont(theme.font(px, bold=True))
        self.relation.setFont(theme.font(max(floor, round(px * 0.85))))
        self._fit(width)

    def _fit(self, width: int) -> None:
        """As tall as its words need at `width` (a long name wraps), at least 1.3 × 15 mm."""
        px, _floor, touch = self._sizes
        pad = max(8, px // 3)
        diameter = self.badge.diameter()
        # The words' column: the tile less its border, padding, the circle and the gap.
        words_w = max(1, width - 2 * 3 - 2 * pad - diameter - pad)
        # A box layout gives a wrapped label the height of its widest line-up, not of the
        # width it has: the name is told how tall it must be.
        name_h = self.name.heightForWidth(words_w)
        self.name.setMinimumHeight(name_h)
        words_h = name_h
        if not self.relation.isHidden():
            relation_h = self.relation.heightForWidth(words_w)
            self.relation.setMinimumHeight(relation_h)
            words_h += relation_h
        height = max(diameter, words_h, round(touch * 1.3)) + 2 * pad + 6
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit(event.size().width())


class AutoAnswerRow(QFrame):
    """ "Paul Martin — L'appel s'ouvre tout seul" and « Arrêter » (or « Rétablir »)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("autoAnswerRow")
        self.setStyleSheet(
            f"#autoAnswerRow {{ background-color: {theme.SURFACE};"
            f" border: 2px solid {theme.BORDER}; border-radius: 12px; }}"
        )
        self.user_id = 0
        self.declined = False
        self.name = plain_label(self, "autoAnswerName")
        self.name.setWordWrap(True)
        self.state = plain_label(self, "autoAnswerState")
        self.state.setWordWrap(True)
        # The button in a slot of one width for « Arrêter » and « Rétablir » (`set_button_
        # width`): it does not jump when tapped (a BigButton sets its own minimum size).
        self.slot = QWidget(self)
        self.button = BigButton(parent=self.slot)
        self.button.setObjectName("autoAnswerButton")
        slot_layout = QHBoxLayout(self.slot)
        slot_layout.setContentsMargins(0, 0, 0, 0)
        slot_layout.addWidget(self.button)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.name)
        words.addWidget(self.state)
        layout = QHBoxLayout(self)
        layout.addLayout(words, 1)
        layout.addWidget(self.slot, 0, Qt.AlignmentFlag.AlignVCenter)
        self._layout = layout
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set_font_px(self, px: int) -> None:
        pad = max(8, px // 2)
        self._layout.setContentsMargins(pad, pad // 2, pad, pad // 2)
        self._layout.setSpacing(pad)
        self.name.setFont(theme.font(px, bold=True))
        self.state.setFont(theme.font(px))
        self.button.set_font_px(px)


class CallersScreen(ScreenFrame):
    call_requested = Signal(int)  # the user id of the person to call
    auto_answer_requested = Signal(int, bool)  # user id, declined (True: she answers herself)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("callersScreen")
        self._callers: tuple[Caller, ...] = ()
        self._pending = False
        self._tiles: list[CallerTile] = []
        self._rows: list[AutoAnswerRow] = []
        self._px = self.font_px
        self.pages = QStackedWidget(self)

        # Page 1: the people, as tiles.
        people = QWidget()
        self._tiles_box = ScrollContent()
        self._grid = QGridLayout(self._tiles_box)
        self._grid.setContentsMargins(0, 0, 8, 0)
        self._columns = 2
        self.tiles_scroll = PagedScroll(self._tiles_box, people)
        self._empty = plain_label(people, "callersEmpty")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.auto_button = BigButton(parent=people)
        self.auto_button.setObjectName("autoAnswerEntry")
        _outlined(self.auto_button)
        self.auto_button.clicked.connect(self.show_auto_answer)
        people_layout = QVBoxLayout(people)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.setSpacing(12)
        people_layout.addWidget(self.tiles_scroll, 1)
        people_layout.addWidget(self._empty, 1)
        people_layout.addWidget(self.auto_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.pages.addWidget(people)

        # Page 2: who may open a call by themselves.
        auto = QWidget()
        self._auto_heading = plain_label(auto, "autoAnswerHeading")
        self._auto_heading.setWordWrap(True)
        self._explain = plain_label(auto, "autoAnswerExplain")
        self._explain.setWordWrap(True)
        self._rows_box = ScrollContent()
        self._rows_layout = QVBoxLayout(self._rows_box)
        self._rows_layout.setContentsMargins(0, 0, 8, 0)
        self._rows_layout.setSpacing(12)
        self._rows_layout.addStretch(1)
        self.rows_scroll = PagedScroll(self._rows_box, auto)
        self._pending_label = plain_label(auto, "autoAnswerPending", theme.TEXT_MUTED)
        self._pending_label.setWordWrap(True)
        self.back_button = BigButton(parent=auto)
        self.back_button.setObjectName("backButton")
        _outlined(self.back_button)
        self.back_button.clicked.connect(self.show_people)
        auto_layout = QVBoxLayout(auto)
        auto_layout.setContentsMargins(0, 0, 0, 0)
        auto_layout.setSpacing(12)
        auto_layout.addWidget(self._auto_heading, 0)
        auto_layout.addWidget(self._explain, 0)
        auto_layout.addWidget(self.rows_scroll, 1)
        auto_layout.addWidget(self._pending_label, 0)
        auto_layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.pages.addWidget(auto)

        self.body.addWidget(self.pages, 1)
        self._retranslate()
        self.apply_font_px(self._px)

    # -- API (the feature) ---------------------------------------------------------------------
    def set_callers(self, callers: Sequence[Caller], pending: bool = False) -> None:
        """The people (with her choices still on their way applied), and whether a choice is
        waiting to be sent."""
        callers = tuple(callers)
        if callers == self._callers and pending == self._pending:
            return
        self._callers, self._pending = callers, pending
        self._render()

    def show_people(self) -> None:
        self.pages.setCurrentIndex(0)

    def show_auto_answer(self) -> None:
        self.pages.setCurrentIndex(1)
        self.rows_scroll.scroll_to_top()

    def tile_for(self, user_id: int) -> CallerTile | None:
        return next((t for t in self._tiles if t.user_id == user_id and not t.isHidden()), None)

    def row_for(self, user_id: int) -> AutoAnswerRow | None:
        return next((r for r in self._rows if r.user_id == user_id and not r.isHidden()), None)

    def tile_texts(self) -> list[str]:
        return [t.name.text() for t in self._tiles if not t.isHidden()]

    def row_texts(self) -> list[str]:
        return [
            f"{r.name.text()} — {r.state.text()} [{r.button.text()}]"
            for r in self._rows
            if not r.isHidden()
        ]

    # -- words ---------------------------------------------------------------------------------
    def _auto_callers(self) -> list[Caller]:
        return [c for c in self._callers if c.auto_answer]

    def _render(self) -> None:
        while len(self._tiles) < len(self._callers):
            tile = CallerTile(self._tiles_box)
            tile.clicked.connect(lambda _=False, t=tile: self.call_requested.emit(t.user_id))
            self._tiles.append(tile)
        for i, tile in enumerate(self._tiles):
            if i < len(self._callers):
                tile.set_caller(self._callers[i])
                tile.show()
            else:
                tile.hide()
        self._place_tiles()
        self.tiles_scroll.setVisible(bool(self._callers))
        self._empty.setVisible(not self._callers)

        auto = self._auto_callers()
        self.auto_button.setVisible(bool(auto))
        while len(self._rows) < len(auto):
            row = AutoAnswerRow(self._rows_box)
            row.set_font_px(self._px)
            row.button.clicked.connect(
                lambda _=False, r=row: self.auto_answer_requested.emit(r.user_id, not r.declined)
            )
            self._rows_layout.insertWidget(len(self._rows), row)
            self._rows.append(row)
        for i, row in enumerate(self._rows):
            if i < len(auto):
                caller = auto[i]
                row.user_id, row.declined = caller.id, caller.declined
                row.name.setText(caller.name)
                if caller.declined:
                    row.state.setText(self.tr("Vous décrochez vous-même."))
                    row.button.setText(self.tr("Rétablir"))
                else:
                    row.state.setText(self.tr("L'appel s'ouvre tout seul."))
                    row.button.setText(self.tr("Arrêter"))
                row.show()
            else:
                row.hide()
        # One width for « Arrêter » and « Rétablir »: the button does not jump when tapped.
        fm = QFontMetrics(theme.font(self._px, bold=True))
        words = (self.tr("Arrêter"), self.tr("Rétablir"))
        button_w = max(fm.horizontalAdvance(w) for w in words) + 2 * 24 + 6 + 24
        for row in self._rows:
            row.slot.setFixedWidth(button_w)
        self._pending_label.setVisible(self._pending)
        if not auto and self.pages.currentIndex() == 1:
            self.show_people()
        self._size_tiles()

    def _retranslate(self) -> None:
        self.set_title(self.tr("Appeler"))
        self._auto_heading.setText(self.tr("Qui peut décrocher tout seul"))
        self._empty.setText(self.tr("Personne ne peut encore être appelé."))
        self.auto_button.setText(self.tr("Qui peut décrocher tout seul"))
        self._explain.setText(
            self.tr(
                "Quand ces personnes appellent, l'appel s'ouvre tout seul après 10 secondes,"
                " sauf la nuit."
            )
        )
        self._pending_label.setText(
            self.tr("Votre choix sera transmis dès que la tablette sera connectée.")
        )
        self.back_button.setText(self.tr("Retour"))
        self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    # -- sizes ---------------------------------------------------------------------------------
    def _place_tiles(self) -> None:
        inside = self.width() - 2 * 24
        columns = 2 if inside >= TWO_COLUMNS_FROM and len(self._callers) > 1 else 1
        self._columns = columns
        for tile in self._tiles:
            self._grid.removeWidget(tile)
        shown = [t for t in self._tiles if not t.isHidden()]
        for i, tile in enumerate(shown):
            self._grid.addWidget(tile, i // columns, i % columns)
        self._grid.setRowStretch(len(shown) // columns + 1, 1)

    def _size_tiles(self) -> None:
        h = max(self.height(), 240)
        touch = sizing.touch_px(self, h)
        floor = self.text_floor
        # The scroll's buttons take a column on the right (a touch target wide, and air).
        area_w = max(1, self.width() - 2 * 24 - touch - 24)
        spacing = self._grid.horizontalSpacing()
        tile_w = (area_w - spacing * (self._columns - 1)) // self._columns
        for tile in self._tiles:
            tile.size_for(self._px, floor, touch, tile_w)

    def apply_font_px(self, px: int) -> None:
        self._px = px
        spacing = max(8, px // 2)
        self._grid.setHorizontalSpacing(spacing)
        self._grid.setVerticalSpacing(spacing)
        self._empty.setFont(theme.font(px))
        self._auto_heading.setFont(theme.font(px, bold=True))
        self._explain.setFont(theme.font(px))
        self._pending_label.setFont(theme.font(self.text_px(px, 0.85)))
        for button in (self.auto_button, self.back_button):
            button.set_font_px(px)
            fm = QFontMetrics(theme.font(px, bold=True))
            button.setMinimumWidth(fm.horizontalAdvance(button.text()) + 2 * 24 + 12)
        for row in self._rows:
            row.set_font_px(px)
        self._render()  # the rows' buttons' width follows the size
        self.tiles_scroll.set_font_px(px)
        self.rows_scroll.set_font_px(px)
        self._place_tiles()
        self._size_tiles()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._place_tiles()
        self._size_tiles()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(1280, 800)
