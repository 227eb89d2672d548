"""Physical sizes for touch targets, and font sizes that follow the window.

Touch targets are given in millimetres (a finger does not care about pixels); text sizes follow
the window height so the same layout works from 1280×800 down to 800×480.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

MIN_TOUCH_MM = 15.0
FALLBACK_DPI = 96.0
# Outside this range the screen's EDID is lying (0, 1 or thousands of dpi are all seen in the
# wild on cheap panels); then the usual 96 dpi is a safer guess.
_PLAUSIBLE_DPI = (50.0, 600.0)

# Body text: 32 px at 800 px high, shrinking more slowly than the window (a small screen has
# small pixels and is not read from closer by someone with poor eyesight).
_BASE_PX_AT_ZERO = 10.0
_BASE_PX_PER_PX = 0.0275
_MIN_BASE_PX = 16
_MIN_TEXT_PER_PX = 32 / 800
_PANEL_TOUCH_PER_PX = 90 / 800  # 15 mm on a 10.1-inch 16:10 panel (5.35 in high, 800 px)
# The remote configuration's font_scale (0.8–1.6): every screen's text follows it.
_font_scale = 1.0


def set_font_scale(scale: float) -> None:
    """Scale all body text (the caller then has the screens re-apply their sizes)."""
    global _font_scale  # one setting for the whole tablet, set by its controller
    _font_scale = scale


def font_scale() -> float:
    return _font_scale


def screen_dpi(widget_or_screen: QWidget | QScreen | None) -> float:
    """Physical dots per inch of the screen showing `widget_or_screen`, or FALLBACK_DPI."""
    screen: QScreen | None
    if isinstance(widget_or_screen, QScreen):
        screen = widget_or_screen
    elif isinstance(widget_or_screen, QWidget):
        screen = widget_or_screen.screen()
    else:
        screen = QGuiApplication.primaryScreen()
    if screen is None:
        return FALLBACK_DPI
    dpi = screen.physicalDotsPerInch()
    if not math.isfinite(dpi) or not _PLAUSIBLE_DPI[0] <= dpi <= _PLAUSIBLE_DPI[1]:
        return FALLBACK_DPI
    # Qt widgets are laid out in device-independent pixels.
    return dpi / max(screen.devicePixelRatio(), 1.0)


def mm_to_px(mm: float, widget_or_screen: QWidget | QScreen | None = None) -> int:
    """`mm` millimetres in (device-independent) pixels on the given widget's screen, rounded up."""
    return math.ceil(mm * screen_dpi(widget_or_screen) / 25.4)


def min_touch_px(widget_or_screen: QWidget | QScreen | None = None) -> int:
    """The smallest side, in pixels, of anything meant to be touched."""
    return mm_to_px(MIN_TOUCH_MM, widget_or_screen)


def _scale_room(window_height: int) -> float:
    # A small screen already has relatively larger text (see above) and no room to spare:
    # the configured scale applies in full from 800 px high, a quarter of it at 480 px.
    room = min(1.0, max(0.25, 0.25 + 0.75 * (window_height - 480) / 320))
    return 1 + (_font_scale - 1) * room


def min_text_px(window_height: int) -> int:
    """The smallest text anyone reads on the home screen: 32 px at 800 px high (1280×800),
    in proportion below (19 px at 480 px high). A larger font_scale makes text larger than
    this, a smaller one never makes it smaller."""
    return max(12, math.floor(window_height * _MIN_TEXT_PER_PX))


def touch_px(widget: QWidget | None, window_height: int) -> int:
    """A touch target's smallest side in a window `window_height` pixels tall: 15 mm on the
    screen's reported density, and never less than 15 mm on Foyer's 10.1-inch 1280×800 panel
    (90 px at 800 px high) in proportion, since many panels report no size at all."""
    return max(min_touch_px(widget), math.ceil(window_height * _PANEL_TOUCH_PER_PX))


def window_touch_px(widget: QWidget) -> int:
    """`touch_px` for the window `widget` is shown in (its top-level widget's height): what a
    button asks for itself, before and after its screen knows its size."""
    return touch_px(widget, widget.window().height())


def base_font_px(window_height: int) -> int:
    """Body text size in pixels for a window `window_height` pixels tall.

    32 px at 800 px (1280×800), 23 px at 480 px (800×480), never below 16 px.
    """
    base = _BASE_PX_AT_ZERO + window_height * _BASE_PX_PER_PX
    return max(_MIN_BASE_PX, round(base * _scale_room(window_height)))
