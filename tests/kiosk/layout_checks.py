"""Layout checks shared by the screen tests: labels whole and apart (from test_screens), every
button's words inside it, and every touch target at least 15 mm each way."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QStyle, QStyleOptionButton, QWidget

from tests.kiosk.screen_checks import assert_layout_fits, rect_in, settle
from widgets import sizing
from widgets.mood_picker import MoodFace

__all__ = ["assert_buttons_fit", "assert_layout_fits", "assert_touch_targets", "settle"]


def assert_touch_targets(top: QWidget) -> None:
    side = sizing.touch_px(top, top.height())  # 15 mm: 90 px at 1280×800
    targets = [w for w in top.findChildren(QWidget) if isinstance(w, QAbstractButton | MoodFace)]
    visible = [w for w in targets if w.isVisible()]
    assert visible, "no touch target at all"
    for widget in visible:
        where = f"{widget.objectName() or type(widget).__name__} {getattr(widget, 'text', str)()!r}"
        assert widget.width() >= side and widget.height() >= side, (where, widget.size(), side)
        assert top.rect().contains(rect_in(widget, top)), where


def assert_buttons_fit(top: QWidget) -> None:
    """Each visible button shows all its words (no clipped label), one line or several."""
    for button in top.findChildren(QAbstractButton):
        if not button.isVisible() or not button.text():
            continue
        fm = button.fontMetrics()
        lines = button.text().split("\n")
        width = max(fm.horizontalAdvance(line) for line in lines)
        where = f"{button.objectName()} {button.text()!r}"
        # Inside the border and padding the style sheet gives it.
        option = QStyleOptionButton()
        option.initFrom(button)
        inside = button.style().subElementRect(
            QStyle.SubElement.SE_PushButtonContents, option, button
        )
        assert width <= inside.width(), (where, width, inside.width())
        assert fm.height() * len(lines) <= inside.height(), (where, inside.height())
