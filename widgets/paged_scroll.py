"""A scrolling area moved by two big buttons, "Plus haut" and "Plus bas", a page at a time.

Swiping needs a precise, steady gesture and a thin scroll bar is too small to hit: people with
unsteady hands get two large buttons instead. The bar stays, thin, as a hint of where one is.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from widgets import theme
from widgets.big_button import BigButton

PAGE_FRACTION = 0.8  # a page keeps a little of the previous one in sight, to follow the text


class ScrollContent(QWidget):
    """What goes inside a PagedScroll: as tall as its wrapped text needs at the width it has.

    A plain QWidget reports as its minimum the height its word-wrapped labels would need at
    their *narrowest*, and QScrollArea honours that minimum: short content then scrolls over
    pages of blank space. This one's height comes from heightForWidth alone.
    """

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(0, 0)


class PagedScroll(QWidget):
    """`content` scrolls in the area; `up_button` and `down_button` sit in a column on the
    right, or side by side below it with `buttons_below` (for a narrow column)."""

    def __init__(
        self, content: QWidget, parent: QWidget | None = None, *, buttons_below: bool = False
    ) -> None:
        super().__init__(parent)
        self.area = QScrollArea(self)
        self.area.setObjectName("pagedArea")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The area takes the colour of the screen it sits on, not Qt's default grey.
        self.area.setBackgroundRole(QPalette.ColorRole.Window)
        palette = self.area.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(theme.BACKGROUND))
        self.area.setPalette(palette)
        content.setAutoFillBackground(False)
        self.area.setWidget(content)

        self.up_button = BigButton(self.tr("Plus haut"), self)
        self.up_button.setObjectName("scrollUp")
        self.down_button = BigButton(self.tr("Plus bas"), self)
        self.down_button.setObjectName("scrollDown")
        self.up_button.clicked.connect(self.page_up)
        self.down_button.clicked.connect(self.page_down)
        for button in (self.up_button, self.down_button):
            # Narrow side padding: in a narrow column the words need the width more than air.
            button.setStyleSheet(button.styleSheet().replace("padding: 8px 24px;", "padding: 8px;"))

        buttons = QHBoxLayout() if buttons_below else QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(12)
        buttons.addWidget(self.up_button, 1)
        buttons.addWidget(self.down_button, 1)

        layout = QVBoxLayout(self) if buttons_below else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12 if buttons_below else 16)
        layout.addWidget(self.area, 1)
        layout.addLayout(buttons, 0)

        bar = self.area.verticalScrollBar()
        bar.valueChanged.connect(self._update_buttons)
        bar.rangeChanged.connect(self._update_buttons)
        content.installEventFilter(self)
        self._update_buttons()

    def set_font_px(self, px: int) -> None:
        self.up_button.set_font_px(px)
        self.down_button.set_font_px(px)

    def page_step(self) -> int:
        return max(1, round(self.area.viewport().height() * PAGE_FRACTION))

    def page_up(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() - self.page_step())

    def page_down(self) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() + self.page_step())

    def scroll_to_top(self) -> None:
        self.area.verticalScrollBar().setValue(0)

    def can_scroll(self) -> bool:
        return self.area.verticalScrollBar().maximum() > 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._update_buttons()
        return super().eventFilter(watched, event)

    def _update_buttons(self, *_args: object) -> None:
        bar = self.area.verticalScrollBar()
        self.up_button.setEnabled(bar.value() > bar.minimum())
        self.down_button.setEnabled(bar.value() < bar.maximum())
