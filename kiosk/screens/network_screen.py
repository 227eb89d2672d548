"""« Connexion à Internet »: how a tablet with no network gets one, without a keyboard.

Four pages, one at a time:

- the list: the Wi-Fi networks around (strongest first, as bars), as many as the screen has
  room for, « Réseaux suivants » for the others; « Autre réseau » (a name typed),
  « Par téléphone » (the hotspot) and « Actualiser »;
- the keyboard (`widgets.onscreen_keyboard`): the password of the network chosen, or the name
  of one not listed;
- the phone: two QR codes, one to join the tablet's temporary Wi-Fi, one to open its page;
- what happens: « Connexion à « Maison » … », then connected, or « Mot de passe refusé ».

It shows state and emits intents; `kiosk.network.service.NetworkService` does the work (the
controller wires the two). A name from the air is shown as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.screens.frame import ScreenFrame
from widgets import sizing, theme
from widgets.big_button import BigButton
from widgets.onscreen_keyboard import OnScreenKeyboard
from widgets.qr_code import QrCodeWidget

MAX_ROWS = 5  # of two networks each; fewer when the screen has no room for them
# The service's words for how a join went (kiosk.network.service), as plain strings here so
# that the screen does not import the service.
CONNECTING, CONNECTED, WRONG_PASSWORD = "connecting", "connected", "wrong_password"
PREPARING = "preparing"  # the hotspot asked for, not up yet (the screen's own state)


class Network(Protocol):
    @property
    def ssid(self) -> str: ...
    @property
    def strength(self) -> int: ...
    @property
    def secured(self) -> bool: ...


def password_problem(password: str) -> str:
    """What NetworkManager would refuse in a WPA key (8 to 63 bytes, or 64 hexadecimal
    digits): "short", "long", or "" when fine."""
    if len(password) == 64 and all(c in "0123456789abcdefABCDEF" for c in password):
        return ""
    size = len(password.encode("utf-8"))
    return "short" if size < 8 else "long" if size > 63 else ""


def bars(strength: int) -> str:
    """Signal strength as four dots, filled from the left."""
    filled = max(1, min(4, (strength + 24) // 25))
    return "●" * filled + "○" * (4 - filled)


class ElidedButton(BigButton):
    """A big button whose text is cut with « … » to fit it (a network's name can be long)."""

    _full = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def full_text(self) -> str:
        return self._full

    def set_font_px(self, pixel_size: int) -> None:
        super().set_font_px(pixel_size)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        option = QStyleOptionButton()
        option.initFrom(self)
        inside = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        room = max(40, inside.width() - 4)  # inside the style sheet's border and padding
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, room)
        text = text.replace("&", "&&")  # a button reads "&x" as a shortcut and hides the "&"
        if text != self.text():
            self.setText(text)


class NetworkScreen(ScreenFrame):
    scan_requested = Signal()
    join_requested = Signal(str, str, bool)  # name, password, hidden (typed, not listed)
    hotspot_requested = Signal()
    hotspot_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._networks: list[Network] = []
        self._chosen = ""  # the network whose password is being typed
        self._typing_name = False
        self._typed_name = ""
        self._outcome = ""
        self._hotspot: tuple[str, str] | None = None
        self.pages = QStackedWidget(self)
        self.body.addWidget(self.pages, 1)

        # 1. the networks around
        self._list_page = QWidget(self.pages)
        self._list_message = self._label("networkListMessage", self._list_page)
        self.network_buttons: list[ElidedButton] = []
        self._grid = grid = QGridLayout()
        grid.setSpacing(12)
        for i in range(MAX_ROWS * 2):
            button = ElidedButton(self._list_page)
            button.setObjectName(f"network{i}")
            button.clicked.connect(lambda _=False, n=i: self._chose(n))
            grid.addWidget(button, i // 2, i % 2)
            self.network_buttons.append(button)
        # In the last cell when there are more networks than cells: the next ones, then the
        # first again.
        self.more_button = BigButton(parent=self._list_page)
        self.more_button.setObjectName("moreNetworks")
        self.more_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.more_button.clicked.connect(self._next_networks)
        self._rows = 2
        self._first = 0  # the first network on the page shown
        self._shown: list[Network] = []
        self.other_button = BigButton(parent=self._list_page)
        self.other_button.setObjectName("otherNetwork")
        self.phone_button = BigButton(parent=self._list_page)
        self.phone_button.setObjectName("withPhone")
        self.refresh_button = BigButton(parent=self._list_page)
        self.refresh_button.setObjectName("refreshNetworks")
        actions = QHBoxLayout()
        actions.setSpacing(12)
        for action in (self.other_button, self.phone_button, self.refresh_button):
            # Three to a row on a small screen: less side padding than a lone button.
            action.setStyleSheet(
                action.styleSheet().replace("padding: 8px 24px;", "padding: 4px 8px;")
            )
            action.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            actions.addWidget(action, 1)
        self.other_button.clicked.connect(self._type_name)
        self.phone_button.clicked.connect(self._ask_hotspot)
        self.refresh_button.clicked.connect(self._refresh)
        page = QVBoxLayout(self._list_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self._list_message)
        page.addLayout(grid)
        page.addStretch(1)
        page.addLayout(actions)
        self._list_layout = page
        self._list_page.installEventFilter(self)  # its height says how many rows fit
        self.pages.addWidget(self._list_page)

        # 2. the keyboard
        self._keys_page = QWidget(self.pages)
        self.keyboard = OnScreenKeyboard(self._keys_page, secret=True)
        self.back_button = BigButton(parent=self._keys_page)
        self.back_button.setObjectName("backToList")
        self.back_button.clicked.connect(self.show_list)
        self.keyboard.field_row.insertWidget(0, self.back_button)
        self.keyboard.submitted.connect(self._typed)
        keys = QVBoxLayout(self._keys_page)
        keys.setContentsMargins(0, 0, 0, 0)
        keys.addWidget(self.keyboard, 1)
        self.pages.addWidget(self._keys_page)

        # 3. with a phone: the hotspot's two QR codes
        self._phone_page = QWidget(self.pages)
        self._join_step = self._label("hotspotJoinStep", self._phone_page)
        self._page_step = self._label("hotspotPageStep", self._phone_page)
        self.join_qr = QrCodeWidget(parent=self._phone_page)
        self.page_qr = QrCodeWidget(parent=self._phone_page)
        self._by_hand = self._label("hotspotByHand", self._phone_page)
        self.stop_button = BigButton(parent=self._phone_page)
        self.stop_button.setObjectName("stopHotspot")
        self.stop_button.clicked.connect(self._cancel_hotspot)
        steps = QHBoxLayout()
        steps.setSpacing(24)
        for label, qr in ((self._join_step, self.join_qr), (self._page_step, self.page_qr)):
            column = QVBoxLayout()
            column.addWidget(label)
            column.addWidget(qr, 1, Qt.AlignmentFlag.AlignHCenter)
            steps.addLayout(column, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self._by_hand, 1)
        bottom.addWidget(self.stop_button)
        phone = QVBoxLayout(self._phone_page)
        phone.setContentsMargins(0, 0, 0, 0)
        phone.addLayout(steps, 1)
        phone.addLayout(bottom)
        self.pages.addWidget(self._phone_page)

        # 4. what happens
        self._status_page = QWidget(self.pages)
        self._status = self._label("networkStatus", self._status_page)
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = BigButton(parent=self._status_page)
        self.retry_button.setObjectName("retryPassword")
        self.retry_button.clicked.connect(self._retry)
        self.list_button = BigButton(parent=self._status_page)
        self.list_button.setObjectName("otherNetworks")
        self.list_button.clicked.connect(self._back_to_list)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.list_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        status = QVBoxLayout(self._status_page)
        status.setContentsMargins(0, 0, 0, 0)
        status.addWidget(self._status, 1)
        status.addLayout(buttons)
        self.pages.addWidget(self._status_page)

        self._searching = True
        self._retranslate()
        self.show_networks([], searching=True)

    # -- what the service says -----------------------------------------------------------------

    def show_networks(self, networks: Sequence[Network], *, searching: bool = False) -> None:
        """The networks around, strongest first; `searching`: a scan is still under way (an
        empty list then says « Recherche… », else « Aucun réseau trouvé »)."""
        self._searching = searching
        self._networks = list(networks)
        self._first = 0
        self._render_cells()
        self._render_list_message()

    def _render_cells(self) -> None:
        cells = self._rows * 2
        many = len(self._networks) > cells
        per_page = cells - 1 if many else cells
        if self._first >= len(self._networks):
            self._first = 0
        self._shown = self._networks[self._first : self._first + per_page]
        for i, button in enumerate(self.network_buttons):
            if i < len(self._shown):
                network = self._shown[i]
                button.set_full_text(f"{network.ssid}   {bars(network.strength)}")
            button.setVisible(i < len(self._shown))
        if many:
            at = len(self._shown)
            self._grid.addWidget(self.more_button, at // 2, at % 2)
        self.more_button.setVisible(many)

    def _next_networks(self) -> None:
        self._first += len(self._shown)
        self._render_cells()

    def _fit_rows(self) -> None:
        """As many rows of networks as the list page has room for, each a full touch target."""
        touch = max(
            sizing.window_touch_px(self), self.network_buttons[0].minimumSizeHint().height()
        )
        spacing = self._grid.spacing()
        width = self._list_page.width()
        message = self._list_message.heightForWidth(width)
        actions = max(touch, self.refresh_button.sizeHint().height())
        room = self._list_page.height() - message - actions - 3 * self._list_layout.spacing()
        rows = max(1, min(MAX_ROWS, (room + spacing) // (touch + spacing)))
        if rows != self._rows:
            self._rows = rows
            self._first = 0
            self._render_cells()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._list_page and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(watched, event)

    def show_list(self) -> None:
        self._outcome = ""
        self.set_title(self.tr("Connexion à Internet"))
        self.pages.setCurrentWidget(self._list_page)

    def show_hotspot(self, ssid: str, password: str, join_text: str, url: str) -> None:
        """The tablet's temporary Wi-Fi is up: how a phone joins it and opens its page."""
        self._hotspot = (ssid, password)
        self.join_qr.set_text(join_text)
        self.page_qr.set_text(url)
        self._render_hotspot()
        self.set_title(self.tr("Avec un téléphone"))
        self.pages.setCurrentWidget(self._phone_page)

    def hotspot_stopped(self) -> None:
        """The hotspot is down (or could not start): back to the list if it was shown."""
        if self.pages.currentWidget() is self._phone_page or self.waiting_for_hotspot():
            self.show_list()

    def waiting_for_hotspot(self) -> bool:
        """« La tablette prépare son Wi-Fi provisoire… » is on screen (not cancelled)."""
        return self._outcome == PREPARING and self.pages.currentWidget() is self._status_page

    def show_join(self, ssid: str, outcome: str) -> None:
        """How joining `ssid` goes: CONNECTING, CONNECTED, WRONG_PASSWORD, or anything else
        (it failed)."""
        self._chosen = ssid
        self._outcome = outcome
        self._render_status()
        self.set_title(self.tr("Connexion à Internet"))
        self.pages.setCurrentWidget(self._status_page)

    def page(self) -> str:
        current = self.pages.currentWidget()
        return {
            self._list_page: "list",
            self._keys_page: "keyboard",
            self._phone_page: "hotspot",
            self._status_page: "status",
        }.get(current or self._list_page, "")

    def status_text(self) -> str:
        return self._status.text()

    # -- intents -------------------------------------------------------------------------------

    def choose(self, ssid: str) -> None:
        """As if the network's button was pressed (an open network is joined at once)."""
        network = next((n for n in self._networks if n.ssid == ssid), None)
        if network is not None and not network.secured:
            self.join_requested.emit(ssid, "", False)
            return
        self._chosen = ssid
        self._typing_name = False
        self.keyboard.set_secret(True)
        self.keyboard.set_text("")
        self.set_title(self.tr("Mot de passe de « {name} »").format(name=ssid))
        self.pages.setCurrentWidget(self._keys_page)

    def _chose(self, index: int) -> None:
        if index < len(self._shown):
            self.choose(self._shown[index].ssid)

    def _type_name(self) -> None:
        self._typing_name = True
        self.keyboard.set_secret(False)
        self.keyboard.set_text("")
        self.set_title(self.tr("Nom du réseau Wi-Fi"))
        self.pages.setCurrentWidget(self._keys_page)

    def _typed(self, text: str) -> None:
        if self._typing_name:
            name = text.strip()
            if not name:
                return
            self._typed_name = name
            self.choose(name)
            return
        network = next((n for n in self._networks if n.ssid == self._chosen), None)
        # No key at all is fine for a name typed by hand only: it may be an open network.
        problem = password_problem(text) if text or network is not None else ""
        if problem:
            # NetworkManager would refuse it outright: say so here, what was typed kept.
            if problem == "short":
                self.set_title(self.tr("Au moins 8 caractères"))
            else:
                self.set_title(self.tr("63 caractères au plus"))
            return
        self.join_requested.emit(self._chosen, text, network is None)

    def _refresh(self) -> None:
        self._searching = True
        self._render_list_message()
        self.scan_requested.emit()

    def _retry(self) -> None:
        self.choose(self._chosen)

    def _back_to_list(self) -> None:
        if self._outcome == PREPARING:
            self.hotspot_cancelled.emit()
        self.show_list()
        self.scan_requested.emit()

    def _ask_hotspot(self) -> None:
        self._outcome = PREPARING
        self._render_status()
        self.set_title(self.tr("Avec un téléphone"))
        self.pages.setCurrentWidget(self._status_page)
        self.hotspot_requested.emit()

    def _cancel_hotspot(self) -> None:
        self.hotspot_cancelled.emit()
        self.show_list()

    # -- words and sizes -----------------------------------------------------------------------

    def _render_list_message(self) -> None:
        if self._networks:
            text = self.tr("La tablette n'est pas connectée. Touchez le Wi-Fi de la maison :")
        elif self._searching:
            text = self.tr("La tablette n'est pas connectée. Recherche des réseaux Wi-Fi…")
        else:
            text = self.tr(
                "La tablette n'est pas connectée. Aucun réseau trouvé. Touchez « Actualiser »."
            )
        self._list_message.setText(text)

    def _render_hotspot(self) -> None:
        self._join_step.setText(self.tr("1. Avec un téléphone, scannez ce code."))
        self._page_step.setText(self.tr("2. Puis celui-ci : une page s'ouvre."))
        if self._hotspot is not None:
            ssid, password = self._hotspot
            self._by_hand.setText(
                self.tr("Wi-Fi « {ssid} », mot de passe {password}").format(
                    ssid=ssid, password=password
                )
            )

    def _render_status(self) -> None:
        name = self._chosen
        failed = self._outcome not in ("", CONNECTING, CONNECTED, PREPARING)
        if self._outcome == PREPARING:
            text = self.tr("La tablette prépare son Wi-Fi provisoire…")
        elif self._outcome == CONNECTING:
            text = self.tr("Connexion à « {name} »…").format(name=name)
        elif self._outcome == CONNECTED:
            text = self.tr("La tablette est connectée à « {name} ».").format(name=name)
        elif self._outcome == WRONG_PASSWORD:
            text = self.tr("Mot de passe refusé par « {name} ». Vérifiez-le et réessayez.").format(
                name=name
            )
        else:
            text = self.tr("La connexion à « {name} » n'a pas abouti.").format(name=name)
        self._status.setText(text)
        self.retry_button.setVisible(failed)
        self.list_button.setVisible(failed or self._outcome == PREPARING)

    def _retranslate(self) -> None:
        self.set_title(self.tr("Connexion à Internet"))
        self.other_button.setText(self.tr("Autre réseau"))
        self.phone_button.setText(self.tr("Par téléphone"))
        self.refresh_button.setText(self.tr("Actualiser"))
        self.more_button.setText(self.tr("Réseaux suivants"))
        self.back_button.setText(self.tr("Retour"))
        self.stop_button.setText(self.tr("Annuler"))
        self.retry_button.setText(self.tr("Réessayer"))
        self.list_button.setText(self.tr("Autres réseaux"))
        self.keyboard.retranslate()
        self._render_list_message()
        self._render_hotspot()
        if self._outcome:
            self._render_status()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def apply_font_px(self, px: int) -> None:
        small = self.text_px(px, 0.9)
        for label in (
            self._list_message,
            self._join_step,
            self._page_step,
            self._by_hand,
        ):
            label.setFont(theme.font(small))
        self._status.setFont(theme.font(round(px * 1.2), bold=True))
        for button in (
            *self.network_buttons,
            self.more_button,
            self.other_button,
            self.phone_button,
            self.refresh_button,
            self.back_button,
            self.stop_button,
            self.retry_button,
            self.list_button,
        ):
            button.set_font_px(small)
        self.keyboard.set_font_px(small)
        height = max(self.height(), 480)
        side = min(round(height * 0.42), round(self.width() * 0.3))
        for qr in (self.join_qr, self.page_qr):
            qr.setFixedSize(side, side)

    def _label(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {theme.TEXT}; background: transparent;")
        return label
