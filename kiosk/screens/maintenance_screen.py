"""The maintenance screen, for the technician: reached by a long press in the top-left corner,
then a PIN. Shows the network state, backend URL, device id, version, last sync and queued
writes, and offers "Ré-associer" (wipe and pair again) behind a confirmation.

Wrong PINs are rate limited (`kiosk.idle.PinGate`: five wrong, one minute locked).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.idle import PinGate
from kiosk.screens.frame import ScreenFrame
from widgets import theme
from widgets.big_button import BigButton

MAX_PIN = 8


@dataclass(frozen=True)
class MaintenanceInfo:
    online: bool
    backend_url: str
    device_id: int | None
    version: str
    last_sync: datetime | None  # aware, beneficiary's time zone
    outbox_pending: int
    last_error: str | None = None  # a code ("backend_unreachable") or a French sentence


class MaintenanceScreen(ScreenFrame):
    repair_requested = Signal()  # confirmed: wipe the credential and local data, pair again
    network_requested = Signal()  # the Wi-Fi screen (kiosk/network/link.py)

    def __init__(
        self,
        check_pin: Callable[[str], bool],
        now_fn: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("", parent)
        self._check_pin = check_pin
        self._now = now_fn
        self.gate = PinGate()
        self._typed = ""
        self._info: MaintenanceInfo | None = None
        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages, 1)

        # 1. the PIN
        self._pin_page = QWidget(self.pages)
        self._pin_prompt = self._label("pinPrompt", self._pin_page)
        self._pin_dots = self._label("pinDots", self._pin_page)
        self._pin_message = self._label("pinMessage", self._pin_page)
        self.keys: dict[str, BigButton] = {}
        keypad = QGridLayout()
        keypad.setSpacing(8)
        for i, key in enumerate(["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"]):
            button = BigButton(key, self._pin_page)
            button.setObjectName(f"key{key}")
            # Twelve keys share half the screen: less padding than a lone button.
            button.setStyleSheet(button.styleSheet().replace("padding: 8px 24px;", "padding: 4px;"))
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            keypad.addWidget(button, i // 3, i % 3)
            self.keys[key] = button
        left = QVBoxLayout()
        left.addWidget(self._pin_prompt)
        left.addWidget(self._pin_dots)
        left.addWidget(self._pin_message)
        left.addStretch(1)
        pin = QHBoxLayout(self._pin_page)
        pin.setContentsMargins(0, 0, 0, 0)
        pin.addLayout(left, 1)
        pin.addLayout(keypad, 1)
        self.pages.addWidget(self._pin_page)

        # 2. what the technician needs to know
        self._info_page = QWidget(self.pages)
        self._info_label = self._label("maintenanceInfo", self._info_page)
        self._info_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.repair_button = BigButton(parent=self._info_page)
        self.repair_button.setObjectName("repair")
        self.network_button = BigButton(parent=self._info_page)
        self.network_button.setObjectName("openNetwork")
        actions = QHBoxLayout()
        actions.addWidget(self.network_button)
        actions.addWidget(self.repair_button)
        actions.addStretch(1)
        info = QVBoxLayout(self._info_page)
        info.setContentsMargins(0, 0, 0, 0)
        info.addWidget(self._info_label, 1)
        info.addLayout(actions)
        self.pages.addWidget(self._info_page)

        # 3. are you sure?
        self._confirm_page = QWidget(self.pages)
        self._confirm_label = self._label("repairQuestion", self._confirm_page)
        self.confirm_button = BigButton(parent=self._confirm_page)
        self.confirm_button.setObjectName("confirmRepair")
        self.cancel_button = BigButton(parent=self._confirm_page)
        self.cancel_button.setObjectName("cancelRepair")
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        confirm = QVBoxLayout(self._confirm_page)
        confirm.setContentsMargins(0, 0, 0, 0)
        confirm.addWidget(self._confirm_label, 1)
        confirm.addLayout(buttons)
        self.pages.addWidget(self._confirm_page)

        self.repair_button.clicked.connect(lambda: self.pages.setCurrentWidget(self._confirm_page))
        self.cancel_button.clicked.connect(lambda: self.pages.setCurrentWidget(self._info_page))
        self.confirm_button.clicked.connect(self.repair_requested)
        self.network_button.clicked.connect(self.network_requested)
        self._retranslate()

    # -- API ---------------------------------------------------------------------------------

    def lock(self) -> None:
        """Back to the PIN (each time the screen is opened)."""
        self._typed = ""
        self._pin_message.setText("")
        self._show_dots()
        self.pages.setCurrentWidget(self._pin_page)

    def set_info(self, info: MaintenanceInfo) -> None:
        self._info = info
        self._render_info()

    def page(self) -> str:
        current = self.pages.currentWidget()
        if current is self._info_page:
            return "info"
        if current is self._confirm_page:
            return "confirm"
        return "pin"

    def info_text(self) -> str:
        return self._info_label.text()

    def message_text(self) -> str:
        return self._pin_message.text()

    def press(self, key: str) -> None:
        if key == "C":
            self._typed = ""
        elif key == "OK":
            self._submit()
            return
        elif len(self._typed) < MAX_PIN:
            self._typed += key
        self._show_dots()

    def enter_pin(self, pin: str) -> None:
        for digit in pin:
            self.press(digit)
        self.press("OK")

    # -- inside ------------------------------------------------------------------------------

    def _submit(self) -> None:
        typed, self._typed = self._typed, ""
        self._show_dots()
        now = self._now()
        wait = self.gate.locked_for(now)
        if wait:
            self._pin_message.setText(self._locked_words(wait.total_seconds()))
            return
        if self.gate.attempt(self._check_pin(typed), now):
            self._pin_message.setText("")
            self.pages.setCurrentWidget(self._info_page)
            return
        wait = self.gate.locked_for(now)
        if wait:
            self._pin_message.setText(self._locked_words(wait.total_seconds()))
        else:
            self._pin_message.setText(self.tr("Code incorrect."))

    def _locked_words(self, seconds: float) -> str:
        n = math.ceil(seconds)
        # French is the source language: its plural (2 and more) is chosen here.
        if n < 2:
            return self.tr("Trop d'essais. Réessayez dans %n seconde.", "", n)
        return self.tr("Trop d'essais. Réessayez dans %n secondes.", "", n)

    def _problem(self, code: str) -> str:
        """A reported error code in words; anything else (already a sentence) as it is."""
        if code in ("backend_unreachable", "backend unreachable"):
            return self.tr("le service Foyer ne répondait pas.")
        if code.startswith("configuration ") and " refusée" in code:
            return self.tr("une configuration reçue a été refusée (elle est gardée telle quelle).")
        return code

    def _show_dots(self) -> None:
        self._pin_dots.setText("●" * len(self._typed) if self._typed else "–")

    def _render_info(self) -> None:
        info = self._info
        if info is None:
            self._info_label.setText("")
            return
        last = (
            info.last_sync.strftime("%d/%m/%Y %H:%M")
            if info.last_sync is not None
            else self.tr("jamais")
        )
        lines = [
            self.tr("Réseau : {state}").format(
                state=self.tr("connecté") if info.online else self.tr("hors connexion")
            ),
            self.tr("Service : {url}").format(url=info.backend_url),
            self.tr("Tablette n° {id}").format(
                id=info.device_id if info.device_id is not None else "–"
            ),
            self.tr("Version : {version}").format(version=info.version),
            self.tr("Dernière synchronisation : {when}").format(when=last),
            self.tr("Envois en attente : {count}").format(count=info.outbox_pending),
        ]
        if info.last_error:
            lines.append(
                self.tr("Dernier problème : {what}").format(what=self._problem(info.last_error))
            )
        self._info_label.setText("\n".join(lines))

    def _retranslate(self) -> None:
        self.set_title(self.tr("Maintenance"))
        self._pin_prompt.setText(self.tr("Code de maintenance"))
        self.keys["C"].setText(self.tr("Effacer"))
        self.keys["OK"].setText(self.tr("Valider"))
        self.repair_button.setText(self.tr("Ré-associer"))
        self.network_button.setText(self.tr("Réseau Wi-Fi"))
        self._confirm_label.setText(
            self.tr(
                "Ré-associer efface les données de la tablette et affiche un nouveau code "
                "d'association. Continuer ?"
            )
        )
        self.confirm_button.setText(self.tr("Oui, ré-associer"))
        self.cancel_button.setText(self.tr("Annuler"))
        self._show_dots()
        self._render_info()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def apply_font_px(self, px: int) -> None:
        small = self.text_px(px, 0.8)  # a technician's screen, but read as any other
        for label in (self._pin_prompt, self._pin_message, self._info_label, self._confirm_label):
            label.setFont(theme.font(small))
        self._pin_dots.setFont(theme.font(round(px * 1.4), bold=True))
        for key, button in self.keys.items():
            # Digits as large as the professionals' pad's; "Effacer" fits a third of a half.
            button.set_font_px(round(px * 1.3) if key.isdigit() else small)
        buttons = (self.network_button, self.repair_button, self.confirm_button, self.cancel_button)
        for button in buttons:
            button.set_font_px(small)

    def _label(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        return label
