"""What the tablet's screen tests share: the two screen sizes, a settled layout, a finger's tap,
an agenda day, a fixed clock, and the layout checks (every label whole, inside the screen and
apart; every button at least 15 mm each way; home's floors on every text and touch target)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from common.recurrence import AgendaEvent
from widgets import sizing
from widgets.message_bubble import ZERO_WIDTH_SPACE, MessageBubble
from widgets.mood_picker import MoodFace
from widgets.qr_code import QrCodeWidget
from widgets.tile import Tile

PARIS = ZoneInfo("Europe/Paris")


SIZES = [(1280, 800), (800, 480)]


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def event(
    id_: int,
    title: str,
    start: datetime,
    minutes: int,
    who: str = "",
    rrule: str | None = None,
) -> AgendaEvent:
    return AgendaEvent(
        id=id_,
        title=title,
        start_local=start,
        duration=timedelta(minutes=minutes),
        tz=PARIS,
        who=who,
        rrule=rrule,
    )


def jeanne_day() -> list[AgendaEvent]:
    return [
        event(1, "Soins infirmiers", datetime(2026, 11, 22, 8, 0), 30, "Claire, infirmière"),
        event(2, "Aide à domicile", datetime(2026, 11, 22, 11, 0), 60, "Sophie, aide à domicile"),
        event(3, "Rendez-vous médecin", datetime(2026, 11, 22, 15, 0), 30, "Dr Bernard"),
    ]


def settle(widget: QWidget, size: tuple[int, int], qtbot: QtBot) -> None:
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    for _ in range(5):  # fonts follow the size, then layouts follow the fonts
        QApplication.processEvents()


def rect_in(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, widget.rect().topLeft()), widget.size())


def assert_layout_fits(top: QWidget) -> None:
    """Every visible label shows all its text, inside the screen, and nothing overlaps."""
    labels = [w for w in top.findChildren(QLabel) if w.isVisible() and w.text()]
    assert labels
    for label in labels:
        where = f"{label.objectName() or type(label).__name__} {label.text()!r}"
        if label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height(), where
        else:
            hint = label.sizeHint()
            assert hint.width() <= label.width(), where
            assert hint.height() <= label.height(), where
            fm = label.fontMetrics()
            assert fm.horizontalAdvance(label.text()) <= label.contentsRect().width(), where
        assert top.rect().contains(rect_in(label, top)), where
    boxes = labels + [w for w in top.findChildren(QrCodeWidget) if w.isVisible()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not rect_in(a, top).intersects(rect_in(b, top)), (a.text(), b.objectName())


def tap(widget: QWidget) -> None:
    """A finger's tap in the middle of `widget` (press and release)."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def relayout() -> None:
    for _ in range(5):
        QApplication.processEvents()


def in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def assert_labels_whole(top: QWidget) -> list[QLabel]:
    """Every visible label is plain text and shows all of it (no word cut at either end, no
    line cut off), and what does not scroll lies inside the screen. Returns those labels."""
    labels = [w for w in top.findChildren(QLabel) if w.isVisible() and w.text()]
    for label in labels:
        where = f"{label.objectName() or type(label).__name__} {label.text()[:60]!r}"
        assert label.textFormat() == Qt.TextFormat.PlainText, where
        if label.wordWrap():
            assert label.heightForWidth(label.width()) <= label.height(), where
        else:
            assert label.sizeHint().width() <= label.width(), where
            assert label.sizeHint().height() <= label.height(), where
        if not in_scroll_area(label):
            assert top.rect().contains(rect_in(label, top)), where
    return labels


def assert_screen_fits(top: QWidget) -> None:
    """Every visible label shows all its text; what does not scroll lies inside the screen;
    labels of one card never overlap; every visible button is at least 15 mm each way."""
    labels = assert_labels_whole(top)
    assert labels
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a.parentWidget() is b.parentWidget():
                assert not rect_in(a, top).intersects(rect_in(b, top)), (a.text(), b.text())
    side = sizing.touch_px(top, top.height())
    buttons = [w for w in top.findChildren(QAbstractButton) if w.isVisible()]
    assert buttons
    for button in buttons:
        assert button.width() >= side and button.height() >= side, button.text()
        assert top.rect().contains(rect_in(button, top)), button.text()
    for i, one in enumerate(buttons):
        for other in buttons[i + 1 :]:
            assert not rect_in(one, top).intersects(rect_in(other, top)), (one.text(), other.text())
    for card in top.findChildren(MessageBubble):
        if card.isVisible() and card.clickable:
            assert card.height() >= side


def shown(text: str) -> str:
    return text.replace(ZERO_WIDTH_SPACE, "")


# -- home's floors, on every screen -------------------------------------------------------------


def touch_targets(top: QWidget) -> list[QWidget]:
    """What a finger is meant to touch, visible: buttons, mood faces, tappable message cards."""
    return [
        w
        for w in top.findChildren(QWidget)
        if w.isVisible()
        and (
            isinstance(w, QAbstractButton | MoodFace)
            or (isinstance(w, MessageBubble) and w.clickable)
        )
    ]


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    return f"{widget.objectName() or type(widget).__name__} {shown(text)[:30]!r}"


def floor_problems(top: QWidget, window_height: int) -> list[str]:
    """What breaks home's floors on `top`, shown in a window `window_height` pixels tall: a
    visible text (label, button, a tile's painted badge) smaller than `sizing.min_text_px`
    (32 px at 1280×800), a touch target narrower or shorter than `sizing.touch_px` (15 mm:
    90 px at 1280×800). Empty when all is well."""
    floor = sizing.min_text_px(window_height)
    problems = []
    for widget in top.findChildren(QWidget):
        if not widget.isVisible():
            continue
        sizes = []
        if isinstance(widget, QLabel | QAbstractButton) and widget.text().strip():
            sizes.append(QFontInfo(widget.font()).pixelSize())
        if isinstance(widget, Tile) and widget.badge_text():
            sizes.append(widget.badge_font_px())
        if any(px < floor for px in sizes):
            problems.append(f"text {min(sizes)} px < {floor}: {_name(widget)}")
    for target in touch_targets(top):
        side = sizing.touch_px(target, window_height)
        if min(target.width(), target.height()) < side:
            size = f"{target.width()}x{target.height()}"
            problems.append(f"touch {size} < {side}: {_name(target)}")
    return problems
