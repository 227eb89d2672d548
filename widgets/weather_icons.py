"""Weather pictograms drawn with QPainter: never an emoji font, which may be missing or
change its look with the system.

Shapes are drawn in a 100×100 box scaled to the widget, with thick dark outlines so that a
pale sun or a white snowflake still stands out on the light background. Names (kept as plain
strings so that kiosk.weather_view needs no Qt): sun, moon, partly_day, partly_night, cloud,
fog, drizzle, rain, snow, showers, snow_showers, thunder. Unknown names draw a cloud.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

PICTOGRAMS = (
    "sun",
    "moon",
    "partly_day",
    "partly_night",
    "cloud",
    "fog",
    "drizzle",
    "rain",
    "snow",
    "showers",
    "snow_showers",
    "thunder",
)

SUN_FILL = QColor("#F5B700")
SUN_LINE = QColor("#6B4300")
MOON_FILL = QColor("#F3E7B0")
MOON_LINE = QColor("#3C4A66")
CLOUD_FILL = QColor("#C9D1DA")
CLOUD_LINE = QColor("#2F3A46")
DARK_CLOUD_FILL = QColor("#8E99A6")
WATER = QColor("#0B4F8A")
BOLT_FILL = QColor("#FFD23F")
BOLT_LINE = QColor("#5A3A00")
FOG_LINE = QColor("#4D5866")


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _sun(p: QPainter, cx: float, cy: float, r: float) -> None:
    p.setPen(_pen(SUN_LINE, 4))
    for i in range(8):
        angle = i * math.pi / 4
        p.drawLine(
            QPointF(cx + math.cos(angle) * (r + 6), cy + math.sin(angle) * (r + 6)),
            QPointF(cx + math.cos(angle) * (r + 16), cy + math.sin(angle) * (r + 16)),
        )
    p.setBrush(QBrush(SUN_FILL))
    p.drawEllipse(QPointF(cx, cy), r, r)


def _moon(p: QPainter, cx: float, cy: float, r: float) -> None:
    disc = QPainterPath()
    disc.addEllipse(QPointF(cx, cy), r, r)
    bite = QPainterPath()
    bite.addEllipse(QPointF(cx + r * 0.55, cy - r * 0.35), r * 0.85, r * 0.85)
    p.setPen(_pen(MOON_LINE, 4))
    p.setBrush(QBrush(MOON_FILL))
    p.drawPath(disc.subtracted(bite))


def _cloud(p: QPainter, dx: float = 0, dy: float = 0, fill: QColor = CLOUD_FILL) -> None:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)  # overlapping puffs merge into one outline
    path.addEllipse(QRectF(14 + dx, 40 + dy, 34, 30))
    path.addEllipse(QRectF(30 + dx, 24 + dy, 40, 40))
    path.addEllipse(QRectF(56 + dx, 38 + dy, 30, 32))
    path.addRoundedRect(QRectF(20 + dx, 50 + dy, 58, 20), 10, 10)
    p.setPen(_pen(CLOUD_LINE, 4))
    p.setBrush(QBrush(fill))
    p.drawPath(path.simplified())


def _drops(p: QPainter, long: bool, count: int = 3) -> None:
    p.setPen(_pen(WATER, 6 if long else 5))
    for i in range(count):
        x = 32 + i * 18
        if long:
            p.drawLine(QPointF(x, 76), QPointF(x - 6, 94))
        else:
            p.drawLine(QPointF(x, 78), QPointF(x - 2, 84))
            p.drawLine(QPointF(x - 4, 90), QPointF(x - 6, 96))


def _flake(p: QPainter, cx: float, cy: float, r: float) -> None:
    p.setPen(_pen(WATER, 4))
    for i in range(3):
        angle = i * math.pi / 3 + math.pi / 2
        dx, dy = math.cos(angle) * r, math.sin(angle) * r
        p.drawLine(QPointF(cx - dx, cy - dy), QPointF(cx + dx, cy + dy))


def _snow(p: QPainter) -> None:
    for i, x in enumerate((32, 52, 72)):
        _flake(p, x, 84 if i % 2 == 0 else 90, 7)


def _bolt(p: QPainter) -> None:
    bolt = QPolygonF(
        [
            QPointF(54, 56),
            QPointF(40, 80),
            QPointF(51, 80),
            QPointF(44, 98),
            QPointF(66, 72),
            QPointF(54, 72),
            QPointF(62, 56),
        ]
    )
    p.setPen(_pen(BOLT_LINE, 3))
    p.setBrush(QBrush(BOLT_FILL))
    p.drawPolygon(bolt)


def _fog(p: QPainter) -> None:
    _cloud(p, dy=-12)
    p.setPen(_pen(FOG_LINE, 6))
    for i, y in enumerate((70, 82, 94)):
        indent = 6 if i % 2 else 0
        p.drawLine(QPointF(16 + indent, y), QPointF(84 - indent, y))


def paint_pictogram(painter: QPainter, box: QRectF, name: str) -> None:
    """Draw pictogram `name` in the square centred in `box`."""
    side = min(box.width(), box.height())
    if side <= 0:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(box.x() + (box.width() - side) / 2, box.y() + (box.height() - side) / 2)
    painter.scale(side / 100.0, side / 100.0)
    if name == "sun":
        _sun(painter, 50, 50, 22)
    elif name == "moon":
        _moon(painter, 50, 50, 30)
    elif name == "partly_day":
        _sun(painter, 36, 34, 16)
        _cloud(painter, dx=6, dy=12)
    elif name == "partly_night":
        _moon(painter, 36, 32, 20)
        _cloud(painter, dx=6, dy=12)
    elif name == "fog":
        _fog(painter)
    elif name == "drizzle":
        _cloud(painter, dy=-10)
        _drops(painter, long=False)
    elif name == "rain":
        _cloud(painter, dy=-10, fill=DARK_CLOUD_FILL)
        _drops(painter, long=True)
    elif name == "snow":
        _cloud(painter, dy=-10)
        _snow(painter)
    elif name == "showers":
        _sun(painter, 30, 26, 13)
        _cloud(painter, dx=6, dy=-4)
        _drops(painter, long=True, count=3)
    elif name == "snow_showers":
        _sun(painter, 30, 26, 13)
        _cloud(painter, dx=6, dy=-4)
        _snow(painter)
    elif name == "thunder":
        _cloud(painter, dy=-12, fill=DARK_CLOUD_FILL)
        _bolt(painter)
    else:  # "cloud" and anything unknown
        _cloud(painter, dy=2)
    painter.restore()


class WeatherIcon(QWidget):
    """One pictogram, as large as the widget allows (square)."""

    def __init__(self, name: str = "cloud", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(48, 48)

    def name(self) -> str:
        return self._name

    def set_name(self, name: str) -> None:
        if name != self._name:
            self._name = name
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(120, 120)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        paint_pictogram(painter, QRectF(self.rect()), self._name)
        painter.end()
