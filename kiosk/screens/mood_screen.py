"""The mood check-in: five faces, then (by configuration) what matters today, then thanks.

Quick and playful: one touch answers; the second question is optional ("Terminé" with nothing
chosen is fine). The screen only emits `answered(score, tags)`; the controller queues it in
the outbox. After "Merci Jeanne !" it emits `finished` and the controller goes home.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.big_button import BigButton
from widgets.mood_picker import MoodPicker

THANKS_MS = 3000
# docs/wellbeing.md: the tag ids the backend accepts, in the order they are offered.
TAGS = (
    "sleep",
    "pain",
    "appetite",
    "tired",
    "lonely",
    "anxious",
    "sad",
    "bored",
    "happy",
    "calm",
    "visit",
    "family",
)
_SELECTED_STYLE = f"""
QPushButton {{
    background-color: {theme.ACCENT}; color: {theme.ON_ACCENT};
    border: 4px solid {theme.TEXT}; border-radius: 14px; padding: 4px 8px;
}}"""
_UNSELECTED_STYLE = f"""
QPushButton {{
    background-color: {theme.SURFACE}; color: {theme.TEXT};
    border: 3px solid {theme.ACCENT}; border-radius: 14px; padding: 4px 8px;
}}"""


class TagButton(BigButton):
    """A tag to pick: outlined when not chosen, filled (and framed) when chosen."""

    def __init__(self, tag: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.tag = tag
        self.selected = False
        self.clicked.connect(self.toggle)
        self._restyle()

    def toggle(self) -> None:
        self.selected = not self.selected
        self._restyle()

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        self._restyle()

    def _restyle(self) -> None:
        self.setStyleSheet(_SELECTED_STYLE if self.selected else _UNSELECTED_STYLE)


class MoodScreen(ScreenFrame):
    answered = Signal(int, list)  # score 1..5, tag ids
    finished = Signal()  # thanks shown: time to go home

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._first_name = ""
        self._second_question = True
        self._score: int | None = None
        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages, 1)

        # 1. the faces
        self._faces_page = QWidget(self.pages)
        self._hint = self._label("moodHint", self._faces_page)
        self.picker = MoodPicker(self._faces_page)
        faces = QVBoxLayout(self._faces_page)
        faces.setContentsMargins(0, 0, 0, 0)
        faces.addWidget(self._hint)
        faces.addWidget(self.picker, 1)
        self.pages.addWidget(self._faces_page)

        # 2. what matters today
        self._tags_page = QWidget(self.pages)
        self._question = self._label("tagQuestion", self._tags_page)
        self.tag_buttons = [TagButton(tag, self._tags_page) for tag in TAGS]
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, button in enumerate(self.tag_buttons):
            grid.addWidget(button, i // 4, i % 4)
        self.done_button = BigButton(parent=self._tags_page)
        self.done_button.setObjectName("moodDone")
        tags = QVBoxLayout(self._tags_page)
        tags.setContentsMargins(0, 0, 0, 0)
        tags.addWidget(self._question)
        tags.addLayout(grid, 1)
        tags.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignRight)
        self.pages.addWidget(self._tags_page)

        # 3. thanks
        self._thanks_page = QWidget(self.pages)
        self._thanks = self._label("moodThanks", self._thanks_page)
        self._thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        thanks = QVBoxLayout(self._thanks_page)
        thanks.addWidget(self._thanks, 1)
        self.pages.addWidget(self._thanks_page)

        self._after_thanks = QTimer(self)
        self._after_thanks.setSingleShot(True)
        self._after_thanks.setInterval(THANKS_MS)
        self._after_thanks.timeout.connect(self.finished)
        # The face grows and settles before the next question appears.
        self._after_face = QTimer(self)
        self._after_face.setSingleShot(True)
        self._after_face.setInterval(600)
        self._after_face.timeout.connect(self._after_choice)

        self.picker.chosen.connect(self._on_score)
        self.done_button.clicked.connect(self._on_done)
        self._retranslate()

    # -- API ---------------------------------------------------------------------------------

    def start(self, first_name: str, *, second_question: bool) -> None:
        """A fresh question (each time the screen is opened)."""
        self._first_name = " ".join(first_name.split())
        self._second_question = second_question
        self._score = None
        self._after_face.stop()
        self._after_thanks.stop()
        self.picker.reset()
        for button in self.tag_buttons:
            button.set_selected(False)
        self._retranslate()
        self.pages.setCurrentWidget(self._faces_page)

    def page(self) -> str:
        current = self.pages.currentWidget()
        if current is self._tags_page:
            return "tags"
        if current is self._thanks_page:
            return "thanks"
        return "faces"

    def thanks_text(self) -> str:
        return self._thanks.text()

    def tag_button(self, tag: str) -> TagButton:
        return next(b for b in self.tag_buttons if b.tag == tag)

    # -- flow --------------------------------------------------------------------------------

    def _on_score(self, score: int) -> None:
        self._score = score
        self._after_face.start()

    def _after_choice(self) -> None:
        if self._second_question:
            self.pages.setCurrentWidget(self._tags_page)
        else:
            self._finish([])

    def _on_done(self) -> None:
        self._finish([b.tag for b in self.tag_buttons if b.selected])

    def _finish(self, tags: list[str]) -> None:
        if self._score is None or self.page() == "thanks":
            return
        self.pages.setCurrentWidget(self._thanks_page)
        self.answered.emit(self._score, tags)
        self._after_thanks.start()

    # -- words and sizes ---------------------------------------------------------------------

    def _retranslate(self) -> None:
        self.set_title(self.tr("Comment allez-vous ?"))
        self._hint.setText(self.tr("Touchez le visage qui vous ressemble aujourd'hui."))
        self._question.setText(self.tr("Qu'est-ce qui compte aujourd'hui ?"))
        self.done_button.setText(self.tr("Terminé"))
        labels = {
            "sleep": self.tr("Sommeil"),
            "pain": self.tr("Douleur"),
            "appetite": self.tr("Appétit"),
            "tired": self.tr("Fatigue"),
            "lonely": self.tr("Solitude"),
            "anxious": self.tr("Inquiétude"),
            "sad": self.tr("Tristesse"),
            "bored": self.tr("Ennui"),
            "happy": self.tr("Joie"),
            "calm": self.tr("Sérénité"),
            "visit": self.tr("Visite"),
            "family": self.tr("Famille"),
        }
        for button in self.tag_buttons:
            button.setText(labels[button.tag])
        name = self._first_name
        self._thanks.setText(
            self.tr("Merci {name} !").format(name=name) if name else self.tr("Merci !")
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def apply_font_px(self, px: int) -> None:
        self._hint.setFont(theme.font(px))
        self._question.setFont(theme.font(px, bold=True))
        for button in self.tag_buttons:
            button.set_font_px(self.text_px(px, 0.85))
        self.done_button.set_font_px(px)
        self._thanks.setFont(theme.font(round(px * 2.2), bold=True))

    def _label(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        return label
