"""The day's visits as big rows: past ones muted, the current and next one highlighted.

Titles and names come from people (family, professionals): they are always shown as plain
text, on one line, shortened with "…" when too long rather than clipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from widgets import sizing, theme

STATES = frozenset({"past", "current", "next", "later"})


@dataclass(frozen=True)
class AgendaRow:
    """One line of the agenda, already put into words by the caller."""

    time_text: str  # e.g. "08:00 – 08:30"
    title: str  # e.g. "Soins infirmiers" (written by people: shown as plain text)
    who: str  # e.g. "Claire, infirmière"; may be empty
    state: str  # "past", "current", "next" or "later"
    badge: str = ""  # e.g. "En ce moment", shown on highlighted rows

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown agenda row state {self.state!r}")

    @property
    def highlighted(self) -> bool:
        return self.state in ("current", "next")


class ElidedLabel(QLabel):
    """A one-line plain-text label that ends with "…" instead of being clipped.

    `text()` is what is on screen; `full_text()` is what was given.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        # The width comes from the layout, never from the text: long text is shortened instead.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        # One line only: a newline typed in the console must not push the next line away.
        self._full = " ".join(text.split())
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width() - 2 * self.margin() - max(self.indent(), 0)
        shown = self._full
        if width > 0 and self.fontMetrics().horizontalAdvance(shown) > width:
            shown = self.fontMetrics().elidedText(shown, Qt.TextElideMode.ElideRight, width)
        if shown != super().text():
            super().setText(shown)


class _RowWidget(QFrame):
    """time · badge
    title
    who"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agendaRow")
        self.row: AgendaRow | None = None
        self.time = QLabel(self)
        self.time.setTextFormat(Qt.TextFormat.PlainText)
        self.badge = QLabel(self)
        self.badge.setObjectName("badge")
        self.badge.setTextFormat(Qt.TextFormat.PlainText)
        self.title = ElidedLabel(parent=self)
        self.who = ElidedLabel(parent=self)
        self.who.setObjectName("who")
        for label in (self.time, self.badge):
            label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.time.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._grid = QGridLayout(self)
        self._grid.addWidget(self.time, 0, 0)
        self._grid.addWidget(self.badge, 0, 1, Qt.AlignmentFlag.AlignLeft)
        self._grid.addWidget(self.title, 1, 0, 1, 3)
        self._grid.addWidget(self.who, 2, 0, 1, 3)
        self._grid.setColumnStretch(2, 1)
        self._badge_below = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_metrics(
        self, base_px: int, height: int, *, min_px: int = 0, badge_below: bool = False
    ) -> None:
        pad_h = max(8, base_px // 2)
        pad_v = max(4, base_px // 4)
        self._grid.setContentsMargins(pad_h, pad_v, pad_h, pad_v)
        self._grid.setHorizontalSpacing(max(10, base_px // 2))
        self._grid.setVerticalSpacing(0)
        self.time.setFont(_time_font(base_px, min_px))
        self.title.setFont(_title_font(base_px, min_px))
        self.who.setFont(_who_font(base_px, min_px))
        self.badge.setFont(_badge_font(base_px, min_px))
        if badge_below != self._badge_below:
            # Too narrow for the time and the badge side by side: the badge gets its own line
            # rather than being cut at both ends.
            self._badge_below = badge_below
            self._grid.removeWidget(self.badge)
            self._grid.removeWidget(self.title)
            self._grid.removeWidget(self.who)
            first = 2 if badge_below else 1
            self._grid.addWidget(self.badge, 1 if badge_below else 0, 0 if badge_below else 1,
                                 Qt.AlignmentFlag.AlignLeft)  # fmt: skip
            self._grid.addWidget(self.title, first, 0, 1, 3)
            self._grid.addWidget(self.who, first + 1, 0, 1, 3)
        self.setFixedHeight(height)

    def time_and_badge_width(self, base_px: int, min_px: int) -> int:
        """Width the first line needs with the badge beside the time (0 without a badge)."""
        if self.row is None or not (self.row.highlighted and self.row.badge):
            return 0
        time_w = QFontMetrics(_time_font(base_px, min_px)).horizontalAdvance(self.row.time_text)
        badge_w = QFontMetrics(_badge_font(base_px, min_px)).horizontalAdvance(self.row.badge)
        # The badge's padding, the row's margins and its border; the grid's third column (where
        # title and name stretch) costs one more spacing.
        pads = 2 * _BADGE_PAD + 2 * max(8, base_px // 2) + 4 + 4
        return time_w + 2 * max(10, base_px // 2) + badge_w + pads

    def set_row(self, row: AgendaRow) -> None:
        self.row = row
        self.time.setText(row.time_text)
        self.title.setText(row.title)
        self.who.setText(row.who)
        self.badge.setText(row.badge)
        self.badge.setVisible(row.highlighted and bool(row.badge))
        self.setStyleSheet(_row_style(row.state))

    def texts(self) -> list[str]:
        if self.row is None:
            return []
        row = self.row
        badge = row.badge if row.highlighted else ""
        return [t for t in (row.time_text, badge, row.title, row.who) if t]


_BADGE_PAD = 8  # the badge's padding left and right (its style sheet)


def _time_font(base_px: int, min_px: int = 0) -> QFont:
    return theme.font(max(min_px, round(base_px * 0.9)), bold=True)


def _title_font(base_px: int, min_px: int = 0) -> QFont:
    return theme.font(max(min_px, base_px), bold=True)


def _who_font(base_px: int, min_px: int = 0) -> QFont:
    return theme.font(max(min_px, round(base_px * 0.85)))


def _badge_font(base_px: int, min_px: int = 0) -> QFont:
    return theme.font(max(min_px, round(base_px * 0.75)), bold=True)


def _row_style(state: str) -> str:
    if state in ("current", "next"):
        background, border = theme.ACCENT, theme.ACCENT
        text, secondary = theme.ON_ACCENT, theme.ON_ACCENT_SOFT
    elif state == "later":
        background, border = theme.SURFACE, theme.BORDER
        text, secondary = theme.TEXT, theme.TEXT_MUTED
    else:  # past: no card, muted text (still above 7:1)
        background, border = "transparent", "transparent"
        text, secondary = theme.TEXT_MUTED, theme.TEXT_MUTED
    return (
        f"#agendaRow {{ background-color: {background}; border: 2px solid {border};"
        " border-radius: 12px; }"
        f" QLabel {{ color: {text}; background: transparent; }}"
        f" QLabel#who {{ color: {secondary}; }}"
        f" QLabel#badge {{ background-color: {theme.ON_ACCENT}; color: {theme.ACCENT};"
        f" border-radius: 6px; padding: 0px {_BADGE_PAD}px; }}"
    )


class AgendaList(QWidget):
    """Rows of visits, as many as fit; the current, next and later ones win over past ones.

    When some rows do not fit, a short line says how many were left out, above ("+ 2 visites
    plus tôt") for past rows and below ("+ 1 visite plus tard") for later ones.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[AgendaRow, ...] = ()
        self._base_px = 28
        self._min_px = 0  # no line smaller than this (the home's floor)
        self._badge_below = False  # the badge on a line of its own (too narrow beside the time)
        self._spacing = 10
        self._shown: list[int] = []  # indices into self._rows, in time order
        self._hidden_before = 0
        self._hidden_after = 0

        self._more_before = QLabel(self)
        self._more_after = QLabel(self)
        self._empty = QLabel(self)
        self._empty.setWordWrap(True)
        for label in (self._more_before, self._more_after, self._empty):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            label.setStyleSheet(f"color: {theme.TEXT_MUTED}; background: transparent;")
            label.hide()
        self._more_before.setObjectName("moreBefore")
        self._more_after.setObjectName("moreAfter")
        self._empty.setObjectName("emptyText")

        self._row_widgets: list[_RowWidget] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(self._spacing)
        self._layout.addWidget(self._more_before)
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(self._spacing)
        self._layout.addLayout(self._rows_box)
        self._layout.addWidget(self._more_after)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        # The list decides itself how many rows fit its height: it must not demand room for all.
        self._layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._apply_fonts()

    # -- API ---------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[AgendaRow]) -> None:
        self._rows = tuple(rows)
        while len(self._row_widgets) < len(self._rows):
            widget = _RowWidget(self)
            widget.hide()
            self._rows_box.addWidget(widget)
            self._row_widgets.append(widget)
            self._apply_row_metrics(widget)
        for widget, row in zip(self._row_widgets, self._rows, strict=False):
            widget.set_row(row)
        self._relayout()

    def set_empty_text(self, text: str) -> None:
        self._empty.setText(text)
        self._relayout()

    def set_base_font_px(self, pixel_size: int, *, min_px: int = 0) -> None:
        """Size of the time and title text; the other lines are scaled from it, none below
        `min_px`."""
        if (pixel_size, min_px) == (self._base_px, self._min_px):
            return
        self._base_px = pixel_size
        self._min_px = min_px
        self._apply_fonts()
        self._relayout()

    def rows(self) -> tuple[AgendaRow, ...]:
        return self._rows

    def visible_rows(self) -> list[AgendaRow]:
        return [self._rows[i] for i in self._shown]

    def hidden_counts(self) -> tuple[int, int]:
        """How many rows are left out (earlier, later) for lack of room."""
        return self._hidden_before, self._hidden_after

    def row_texts(self) -> list[str]:
        """One string per visible row: its non-empty texts joined with " · "."""
        return [" · ".join(self._row_widgets[i].texts()) for i in self._shown]

    def empty_text(self) -> str:
        return self._empty.text() if not self._rows else ""

    def row_height(self) -> int:
        """Height of one row: three lines of text, and never less than a fingertip."""
        b, m = self._base_px, self._min_px

        def line(f: QFont) -> int:
            fm = QFontMetrics(f)
            return max(fm.height(), fm.lineSpacing()) + 1

        if self._badge_below:
            text_h = line(_time_font(b, m)) + line(_badge_font(b, m))
        else:
            text_h = max(line(_time_font(b, m)), line(_badge_font(b, m)))
        text_h += line(_title_font(b, m)) + line(_who_font(b, m))
        padding = 2 * max(4, b // 4) + 4  # margins and the 2 px border
        return max(sizing.min_touch_px(self), text_h + padding)

    # -- layout ------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        n = max(len(self._rows), 1)
        return QSize(400, n * self.row_height() + (n - 1) * self._spacing)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # One row, plus the two "+ N" lines.
        return QSize(200, self.row_height() + 2 * (self._more_height() + self._spacing))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._relayout()

    def _apply_fonts(self) -> None:
        self._spacing = max(6, self._base_px // 3)
        self._layout.setSpacing(self._spacing)
        self._rows_box.setSpacing(self._spacing)
        small = theme.font(max(self._min_px, round(self._base_px * 0.8)))
        self._more_before.setFont(small)
        self._more_after.setFont(small)
        self._empty.setFont(theme.font(max(self._min_px, self._base_px)))
        for widget in self._row_widgets:
            self._apply_row_metrics(widget)

    def _apply_row_metrics(self, widget: _RowWidget) -> None:
        widget.set_metrics(
            self._base_px, self.row_height(), min_px=self._min_px, badge_below=self._badge_below
        )

    def _more_height(self) -> int:
        return self._more_before.fontMetrics().height()

    def _relayout(self) -> None:
        rows = self._rows
        needed_w = max(
            (
                w.time_and_badge_width(self._base_px, self._min_px)
                for w in self._row_widgets[: len(rows)]
            ),
            default=0,
        )
        self._badge_below = self.isVisible() and needed_w > self.contentsRect().width() - 4
        row_h = self.row_height()
        for widget in self._row_widgets:
            self._apply_row_metrics(widget)

        # Which rows matter most: what is under way or next, then what comes later in the day
        # (in time order), then past rows from the most recent back.
        upcoming = [i for i, r in enumerate(rows) if r.state != "past"]
        past = [i for i, r in enumerate(rows) if r.state == "past"]
        upcoming.sort(key=lambda i: (0 if rows[i].highlighted else 1, i))
        priority = upcoming + list(reversed(past))

        # Until it is on screen and laid out, the list has no real height: keep every row.
        available = self.contentsRect().height() if self.isVisible() else 1 << 30
        chosen: list[int] = []
        for k in range(len(rows), -1, -1):
            candidate = priority[:k]
            before = sum(1 for i in past if i not in candidate)
            after = sum(1 for i in upcoming if i not in candidate)
            needed = k * row_h + max(k - 1, 0) * self._spacing
            needed += (before > 0) * (self._more_height() + self._spacing)
            needed += (after > 0) * (self._more_height() + self._spacing)
            if needed <= available or k == 0:
                chosen = candidate
                break
        self._shown = sorted(chosen)
        self._hidden_before = sum(1 for i in past if i not in chosen)
        self._hidden_after = sum(1 for i in upcoming if i not in chosen)

        for i, widget in enumerate(self._row_widgets):
            widget.setVisible(i in chosen)
        self._more_before.setText(self._more_text(self._hidden_before, earlier=True))
        self._more_after.setText(self._more_text(self._hidden_after, earlier=False))
        self._more_before.setVisible(self._hidden_before > 0)
        self._more_after.setVisible(self._hidden_after > 0)
        self._empty.setVisible(not rows and bool(self._empty.text()))

    def _more_text(self, count: int, *, earlier: bool) -> str:
        # Two source strings rather than "%n visite(s)": French is the source language and
        # must read well even when no catalogue is loaded.
        if earlier:
            if count == 1:
                return self.tr("+ 1 visite plus tôt")
            return self.tr("+ {n} visites plus tôt").format(n=count)
        if count == 1:
            return self.tr("+ 1 visite plus tard")
        return self.tr("+ {n} visites plus tard").format(n=count)
