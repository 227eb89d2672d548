"""A QR code drawn module by module: black squares on white, with its quiet zone."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks


class QrCodeWidget(QWidget):
    """Shows `text` as a QR code (error correction M), as large as fits, square and centred.

    Modules are a whole number of pixels wide so that every module has the same size, which
    keeps the code sharp and easy for phone cameras to read.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._rows: list[list[bool]] = []
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        if text:
            self.set_text(text)

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        if text:
            import segno  # here: only an unpaired tablet draws a code (tablet start time)

            qr = segno.make(text, error="m")
            self._rows = [[bool(m) for m in row] for row in qr.matrix_iter(border=QUIET_ZONE)]
        else:
            self._rows = []
        self.updateGeometry()
        self.update()

    def text(self) -> str:
        return self._text

    def modules(self) -> int:
        """Modules per side, quiet zone included (0 without text)."""
        return len(self._rows)

    def module_px(self) -> int:
        """Side of one module in pixels at the current size (0 if it does not fit)."""
        if not self._rows:
            return 0
        return min(self.width(), self.height()) // len(self._rows)

    def code_rect(self) -> QRect:
        """Where the code (quiet zone included) is drawn."""
        side = self.module_px() * len(self._rows)
        return QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return width

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        side = max(len(self._rows), 25) * 6
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # Two pixels per module is the least a camera reads reliably.
        side = max(len(self._rows), 25) * 2
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        module = self.module_px()
        if module <= 0:
            return
        rect = self.code_rect()
        painter = QPainter(self)
        painter.fillRect(rect, QColor("#FFFFFF"))
        black = QColor("#000000")
        for y, row in enumerate(self._rows):
            top = rect.top() + y * module
            x = 0
            n = len(row)
            while x < n:
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < n and row[x]:
                    x += 1
                # One rectangle per run of dark modules: fewer calls, no hairline seams.
                painter.fillRect(
                    rect.left() + start * module, top, (x - start) * module, module, black
                )
        painter.end()
