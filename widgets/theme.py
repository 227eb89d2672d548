"""Colours and fonts of the Foyer tablet.

High contrast first: every text colour below reaches at least 7:1 (WCAG AAA) against the
background it is drawn on, because the person reading may have poor eyesight.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

# Surfaces
BACKGROUND = "#FFF8EE"  # warm off-white, less glaring than pure white
SURFACE = "#FFFFFF"  # cards (agenda rows still to come)
BORDER = "#B8AC9A"  # card outlines; decoration only, carries no information

# Text
TEXT = "#111111"  # near-black body text
TEXT_MUTED = "#4D4D4D"  # past items, secondary lines: still above 7:1 on BACKGROUND and SURFACE

# Accent: the visit under way or coming next, and buttons
ACCENT = "#0B4F8A"
ACCENT_PRESSED = "#06294A"  # visibly darker for the pressed state
ON_ACCENT = "#FFFFFF"
ON_ACCENT_SOFT = "#E6EEF6"  # secondary text on ACCENT, still above 7:1

# Disabled controls
DISABLED_BG = "#E4E0D8"
DISABLED_TEXT = "#333333"  # disabled stays readable: it says why nothing happens

FONT_FAMILY = "DejaVu Sans"
FONT_FALLBACKS = ["Noto Sans", "Liberation Sans", "Arial", "sans-serif"]
MONO_FAMILY = "DejaVu Sans Mono"
MONO_FALLBACKS = ["Noto Sans Mono", "Liberation Mono", "monospace"]


def font(pixel_size: int, *, bold: bool = False, mono: bool = False) -> QFont:
    """A font of `pixel_size` pixels in the house family (DejaVu Sans on the tablets)."""
    f = QFont()
    f.setFamilies([MONO_FAMILY, *MONO_FALLBACKS] if mono else [FONT_FAMILY, *FONT_FALLBACKS])
    f.setStyleHint(QFont.StyleHint.Monospace if mono else QFont.StyleHint.SansSerif)
    f.setPixelSize(max(1, int(pixel_size)))
    f.setBold(bold)
    return f


def _linear(channel: int) -> float:
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a colour such as "#0B4F8A"."""
    c = QColor(colour)
    return 0.2126 * _linear(c.red()) + 0.7152 * _linear(c.green()) + 0.0722 * _linear(c.blue())


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, from 1.0 (none) to 21.0 (black on white)."""
    a = relative_luminance(foreground)
    b = relative_luminance(background)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
