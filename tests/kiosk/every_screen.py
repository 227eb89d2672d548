"""Every tablet screen, built as its feature builds it, with a lived-in day: for the tests that
walk all of them (text never clipped, nothing in the other language, no button under the
professional entry). The content has no day or month names of its own, so that any date on
screen comes from the tablet's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QWidget

from common import tablet_config as config
from kiosk.calls_view import parse_callers
from kiosk.circle_view import MoodSharing, parse_circle
from kiosk.features.photos import photo_words
from kiosk.home_view import build_agenda_days, build_home_view, reminder_summary
from kiosk.messages_view import build_messages_view
from kiosk.photos_view import build_album_view
from kiosk.professional_view import Professional, build_identified_view, build_professional_view
from kiosk.reminders_view import (
    Mark,
    MarkState,
    build_reminder_day,
    build_schedule,
    due_cards,
    parse_reminders,
)
from kiosk.screens.agenda_screen import AgendaScreen
from kiosk.screens.call_ringing_screen import CallRingingScreen
from kiosk.screens.callers_screen import CallersScreen
from kiosk.screens.circle_screen import CircleScreen
from kiosk.screens.home_screen import HomeScreen
from kiosk.screens.maintenance_screen import MaintenanceInfo, MaintenanceScreen
from kiosk.screens.messages_screen import MessagesScreen
from kiosk.screens.mood_screen import MoodScreen
from kiosk.screens.network_screen import CONNECTING, WRONG_PASSWORD, NetworkScreen
from kiosk.screens.night_screen import NightScreen
from kiosk.screens.pairing_screen import PairingScreen
from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen
from kiosk.screens.professional_screen import ProfessionalScreen
from kiosk.screens.reminder_card import ReminderCard
from kiosk.screens.weather_screen import WeatherScreen, words
from kiosk.weather_view import build_weather_view, glance
from tests.kiosk.screen_checks import PARIS, event

NOW = datetime(2026, 11, 22, 11, 20, tzinfo=PARIS)  # a Sunday in Paris


@dataclass(frozen=True)
class NetworkSeen:
    ssid: str
    strength: int
    secured: bool


NIGHT = datetime(2026, 11, 22, 23, 5, tzinfo=PARIS)


def _at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).astimezone(UTC).isoformat()


def _events() -> list[Any]:
    day = NOW.replace(tzinfo=None, hour=0, minute=0)
    tomorrow = day + timedelta(days=1)
    return [
        event(1, "Soins infirmiers", day.replace(hour=8), 30, "Claire, infirmière"),
        event(2, "Aide à domicile", day.replace(hour=11), 60, "Sophie, aide à domicile"),
        event(3, "Visite de Marie", day.replace(hour=15), 120, "Marie, votre fille"),
        event(4, "Kinésithérapie", tomorrow.replace(hour=10), 45, "Paul, kinésithérapeute"),
    ]


RECORDS = [{"id": 1, "instructions": "Pansement du pied gauche.", "person_id": 21}]

MESSAGES: list[dict[str, Any]] = [
    {"id": 11, "space": "daily", "body": "Bonjour Maman ! Je passe cet après-midi.",
     "author_name": "Marie (fille)", "created_at": _at(0.6), "reply_to_id": None, "read": False},
    {"id": 12, "space": "health", "body": "Pensez à boire un grand verre d'eau.",
     "author_name": "Claire Petit", "created_at": _at(2.5), "reply_to_id": None, "read": False},
    {"id": 13, "space": "daily", "body": "Regarde les photos, on pense à toi !",
     "author_name": "Marie (fille)", "created_at": _at(30), "reply_to_id": None, "read": True},
]  # fmt: skip

PHOTOS = [
    {"id": i, "caption": caption, "sender_name": "Marie Martin", "created_at": _at(hours),
     "width": 1600, "height": 1200, "display_hash": f"{i:064x}", "thumb_hash": f"{i + 9:064x}"}
    for i, caption, hours in ((1, "Le coucher de soleil", 0.5), (2, "Les dahlias", 30))
]  # fmt: skip

WEATHER = {
    "location": "Lyon",
    "fetched_at": (NOW - timedelta(minutes=12)).astimezone(UTC).isoformat(),
    "current": {"temperature": 7.6, "code": 61, "is_day": True},
    "days": [
        {"date": f"2026-11-{d}", "code": c, "min": lo, "max": hi}
        for d, c, lo, hi in (
            (22, 61, 4.0, 9.0), (23, 3, 2.0, 8.0), (24, 0, -1.0, 7.0), (25, 71, -2.0, 3.0)
        )
    ],
    "attribution": "Weather data by Open-Meteo.com (CC BY 4.0)",
}  # fmt: skip


def _home_reminder(id_: int, title: str, hour: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_, "title": title, "detail": "", "kind": "medication",
        "start_local": f"2026-11-01T{hour:02d}:00:00", "rrule": "FREQ=DAILY",
        "confirm_wanted": True, "repeat_every_minutes": 10, "repeat_count": 3,
        "critical": False, "version": 1, **fields,
    }  # fmt: skip


def reminder_records(evening: str = "Médicaments du soir") -> list[dict[str, Any]]:
    """The morning pills confirmed at 8:05, the glass of water at 10:00 not confirmed, and
    `evening` at 18:00 to come."""
    return [
        _home_reminder(1, "Médicaments du matin", 8),
        _home_reminder(2, "Un grand verre d'eau", 10, kind="drink"),
        _home_reminder(3, evening, 18),
    ]


def reminder_marks() -> dict[Any, Mark]:
    due = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)  # 8:00 in Paris
    return {(1, due): Mark(MarkState.DONE, due + timedelta(minutes=5))}


def _home(
    checkin: str = "", evening: str = "Médicaments du soir", calls: bool = False
) -> Callable[[], QWidget]:
    """Home with the day's visits, reminders and weather, offline; with `checkin` "asking",
    "Tout va bien aujourd'hui ?" in the card's place, "thanks" just after the answer; with
    `calls`, « Appeler » (someone may be called)."""

    def build() -> QWidget:
        home = HomeScreen(now_fn=lambda: NOW)
        home.set_view(build_home_view("Jeanne", _events(), NOW, offline_since=NOW))
        home.set_tiles(list(config.MODULES))
        home.set_badge("messages", 2)
        home.set_badge("photos", 120)
        view = build_weather_view(WEATHER, NOW, NOW, words)
        home.set_weather_glance(glance(view, words))
        home.set_professional_entry(True)
        home.set_circle_entry(True)
        home.set_call_entry(calls)
        day = build_reminder_day(reminder_records(evening), PARIS, reminder_marks(), NOW)
        home.set_reminders(reminder_summary(day, NOW))
        if checkin:
            home.set_checkin(True)
        if checkin == "thanks":
            home.checkin_button.click()
        return home

    return build


CIRCLE: list[dict[str, Any]] = [
    {"id": 5, "name": "Marie Martin", "role": "family", "role_label": "fille",
     "sees": ["agenda", "messages", "photos", "mood"]},
    {"id": 6, "name": "Thomas Martin", "role": "family", "role_label": "famille",
     "sees": ["messages", "photos", "mood"]},
    {"id": 7, "name": "Claire Petit", "role": "health_professional", "role_label": "infirmière",
     "sees": ["agenda", "messages", "mood", "visits"]},
    {"id": 8, "name": "Sophie Bernard", "role": "care_worker", "role_label": "aide à domicile",
     "sees": ["agenda", "visits"]},
    {"id": 9, "name": "Nadia Haddad", "role": "care_manager", "role_label": "conseil autonomie",
     "sees": ["agenda", "messages", "photos", "mood", "visits"]},
    {"id": 10, "name": "Josiane Leroy", "role": "friend", "role_label": "voisin·e", "sees": []},
]  # fmt: skip


def paused_circle() -> list[dict[str, Any]]:
    """The circle as the backend sends it while the mood is not shared: family and friends
    no longer see it."""
    closed = ("family", "friend")
    return [
        {**p, "sees": [s for s in p["sees"] if s != "mood" or p["role"] not in closed]}
        for p in CIRCLE
    ]


def _circle(page: str = "shared") -> Callable[[], QWidget]:
    """Who sees what, the mood shared; "paused" since 20 November; "pending": the pause asked
    on the tablet and not sent yet; "empty": nobody yet."""

    def build() -> QWidget:
        screen = CircleScreen()
        records = CIRCLE if page in ("shared", "pending") else paused_circle()
        if page == "empty":
            records = []
        since = datetime(2026, 11, 20, 9, 30, tzinfo=PARIS)
        sharing = {
            "shared": MoodSharing(False),
            "paused": MoodSharing(True, since),
            "pending": MoodSharing(True, NOW, pending=True),
            "empty": MoodSharing(False),
        }[page]
        screen.set_circle(parse_circle(records), sharing)
        return screen

    return build


def _pairing(address: str = "http://foyer.local:8000/pair") -> Callable[[], QWidget]:
    def build() -> QWidget:
        screen = PairingScreen(now_fn=lambda: NOW)
        screen.show_code(
            "WDJB-MJHT", address, f"{address}?user_code=WDJB-MJHT", NOW + timedelta(minutes=9)
        )
        return screen

    return build


def _pairing_message() -> QWidget:
    return PairingScreen(now_fn=lambda: NOW)  # "Connexion au service Foyer…"


def _agenda() -> QWidget:
    screen = AgendaScreen()
    screen.set_days(build_agenda_days(_events(), NOW))
    return screen


def _messages(open_id: int | None, reply: bool = False) -> Callable[[], QWidget]:
    """The list; a message opened; with `reply`, its second quick reply tapped."""

    def build() -> QWidget:
        screen = MessagesScreen()
        screen.set_speech_available(True)
        screen.set_view(
            build_messages_view(
                MESSAGES,
                NOW,
                beneficiary_name="Jeanne Martin",
                quick_replies=list(config.DEFAULT_QUICK_REPLIES),
                read_aloud=True,
            )
        )
        if open_id is not None:
            screen.open_message(open_id)
        if reply:
            screen.reply_buttons()[1].click()
        return screen

    return build


def _album() -> Any:
    return build_album_view(
        PHOTOS, NOW, seen=frozenset(), slideshow_seconds=10, translate=photo_words
    )


def _photos() -> QWidget:
    screen = PhotosScreen()
    screen.show_album(_album())
    return screen


def _slideshow() -> QWidget:
    screen = PhotosScreen()
    screen.show_album(_album())
    screen.open_photo(1)
    return screen


def _frame() -> QWidget:
    screen = PhotoFrameScreen()
    screen.show_album(_album())
    return screen


def _weather(missing: str | None) -> Callable[[], QWidget]:
    def build() -> QWidget:
        from dataclasses import replace

        screen = WeatherScreen()
        if missing is None:
            screen.show_view(build_weather_view(WEATHER, NOW, NOW, words))
        else:
            screen.show_view(replace(build_weather_view(None, NOW), missing=missing))
        return screen

    return build


def _mood(page: str = "faces") -> Callable[[], QWidget]:
    def build() -> QWidget:
        screen = MoodScreen()
        screen.start("Jeanne", second_question=True)
        if page != "faces":
            screen.picker.faces[3].clicked.emit(4)
            screen._after_choice()  # without the face's 0.6 s animation
            screen.tag_button("pain").toggle()
        if page == "thanks":
            screen.done_button.click()
        return screen

    return build


NURSE_MESSAGES = [
    {"id": 31, "author_name": "Dr Bernard", "created_at": _at(16), "reply_to_id": None,
     "read": False, "body": "Claire : la tension était un peu haute (15/9). "
     "Merci de la reprendre ce matin et de me la noter."},
]  # fmt: skip


def _professional(page: str) -> Callable[[], QWidget]:
    """The schedule and its PIN pad; "identified" (Arrivée); "arrived" (Départ, the arrival
    named); "messages" (the health messages addressed to her); "locked" (five wrong PINs)."""

    def build() -> QWidget:
        screen = ProfessionalScreen(lambda: NOW)
        view = build_professional_view(_events(), RECORDS, NOW)
        screen.set_view(view)
        if page == "locked":
            for _ in range(5):
                screen.pin_pad.submitted.emit("0000")
                screen.show_pin_wrong()
        elif page != "schedule":
            screen.pin_pad.submitted.emit("4821")
            nurse = Professional(
                21, "Claire Petit", may_record_visit=True, may_view_instructions=True
            )
            screen.show_identified(build_identified_view(view, nurse, NURSE_MESSAGES, NOW))
            if page == "arrived":
                screen.arrival_button.click()
            elif page == "messages":
                screen.messages_tab.click()
        return screen

    return build


def _night() -> QWidget:
    return NightScreen(lambda: NIGHT)


def _maintenance(page: str = "info") -> Callable[[], QWidget]:
    """The PIN ("pin", a wrong one typed), what the technician reads ("info"), and the
    question before "Ré-associer" ("confirm")."""

    def build() -> QWidget:
        screen = _maintenance_info()
        if page == "pin":
            screen.lock()
            screen.enter_pin("1111")
        elif page == "confirm":
            screen.repair_button.click()
        return screen

    return build


def _maintenance_info() -> MaintenanceScreen:
    screen = MaintenanceScreen(lambda pin: pin == config.DEFAULT_MAINTENANCE_PIN, lambda: NOW)
    screen.set_info(
        MaintenanceInfo(
            online=False,
            backend_url="https://foyer.example.fr",
            device_id=12,
            version="0.1.0",
            last_sync=NOW - timedelta(minutes=40),
            outbox_pending=2,
            last_error="backend_unreachable",
        )
    )
    screen.enter_pin(config.DEFAULT_MAINTENANCE_PIN)
    return screen


REMINDER = {
    "id": 12, "title": "Médicaments du matin", "kind": "medication",
    "detail": "Le pilulier bleu, case « matin » : deux comprimés avec un grand verre d'eau.",
    "start_local": "2026-11-20T11:15:00", "rrule": "FREQ=DAILY", "confirm_wanted": True,
    "repeat_every_minutes": 10, "repeat_count": 3, "critical": True, "version": 1,
}  # fmt: skip


def _reminder(confirm_wanted: bool = True, waiting: int = 0) -> Callable[[], QWidget]:
    def build() -> QWidget:
        records = [{**REMINDER, "confirm_wanted": confirm_wanted}]
        schedule = build_schedule(parse_reminders(records, PARIS), NOW, PARIS)
        card = ReminderCard()
        card.show_card(due_cards(schedule, {}, NOW)[0], waiting=waiting)
        return card

    return build


# The approved callers, as the backend syncs them (kind "callers", docs/calls.md).
CALLERS: list[dict[str, Any]] = [
    {"id": 3, "name": "Paul Martin", "relation": "petit-fils", "initials": "PM",
     "auto_answer": True, "auto_answer_declined": False},
    {"id": 5, "name": "Marie Martin", "relation": "fille", "initials": "MM",
     "auto_answer": True, "auto_answer_declined": True},
    {"id": 6, "name": "Thomas Martin", "relation": None, "initials": "TM",
     "auto_answer": False, "auto_answer_declined": False},
    {"id": 7, "name": "Claire Petit", "relation": "infirmière", "initials": "CP",
     "auto_answer": False, "auto_answer_declined": False},
    {"id": 8, "name": "Marie-Christine de La Tour d'Auvergne", "relation": "voisine",
     "initials": "MA", "auto_answer": False, "auto_answer_declined": False},
]  # fmt: skip


def _ringing(page: str = "ring") -> Callable[[], QWidget]:
    """Paul calls: "ring", the auto-answer "countdown" (7 s left), or the "notice" that he
    hung up."""

    def build() -> QWidget:
        screen = CallRingingScreen()
        if page == "notice":
            screen.show_notice("Paul a raccroché.", "PM")
        else:
            screen.show_call(12, "Paul Martin", "PM", 7 if page == "countdown" else None)
        return screen

    return build


def _callers(page: str = "people") -> Callable[[], QWidget]:
    """« Appeler »: the people; "auto": « Qui peut décrocher tout seul », a choice pending."""

    def build() -> QWidget:
        screen = CallersScreen()
        screen.set_callers(parse_callers(CALLERS), pending=page == "auto")
        if page == "auto":
            screen.show_auto_answer()
        return screen

    return build


# The networks around a flat in town, as NetworkManager lists them (strongest first).
NETWORKS = [
    NetworkSeen("Maison", 81, True),
    NetworkSeen("Livebox-7F3A-et-un-nom-bien-trop-long-pour-un-bouton", 55, True),
    NetworkSeen("Voisin", 32, True),
    NetworkSeen("Café libre", 20, False),
]
# A block of flats: more networks than the screen has room for (« Réseaux suivants »).
MANY_NETWORKS = [
    *NETWORKS,
    *(NetworkSeen(f"Freebox-{n:02d}A9", 18 - n, True) for n in range(1, 10)),
]


def _network(page: str = "list") -> Callable[[], QWidget]:
    """« Connexion à Internet »: the "list", the password typed on the "keyboard" (shown),
    the hotspot "preparing" then up ("hotspot") for a phone, "connecting" to « Maison »,
    and its password "refused"."""

    def build() -> QWidget:
        screen = NetworkScreen()
        screen.show_networks(MANY_NETWORKS if page == "more" else NETWORKS)
        if page == "keyboard":
            screen.choose("Maison")
            screen.keyboard.type_text("soleil 2")
            screen.keyboard.press("show")
        elif page == "hotspot":
            screen.show_hotspot(
                "Foyer-K7QM",
                "mhx4tq8wzp",
                "WIFI:T:WPA;S:Foyer-K7QM;P:mhx4tq8wzp;;",
                "http://10.42.0.1:8080/?t=Xq3v9LrT0aBcDeFgHiJkLm",
            )
        elif page == "connecting":
            screen.show_join("Maison", CONNECTING)
        elif page == "preparing":
            screen.phone_button.click()
        elif page == "refused":
            screen.show_join("Maison", WRONG_PASSWORD)
        return screen

    return build


# name → a function building the screen afresh (in the language and font scale in force)
SCREENS: dict[str, Callable[[], QWidget]] = {
    "pairing": _pairing(),
    # A care service's own address, too long for one line at the floor's size.
    "pairing-long-address": _pairing("https://foyer.ssiad-vallee-de-la-dordogne.fr/appairage"),
    "pairing-message": _pairing_message,
    "home": _home(),
    # "Tout va bien aujourd'hui ?" in the card's place, and the reminder's title too long for
    # one line with its time.
    "home-checkin": _home("asking", "Les gouttes pour les yeux avant le repas du soir"),
    "home-checkin-thanks": _home("thanks"),
    "home-calls": _home(calls=True),
    "agenda": _agenda,
    "messages": _messages(None),
    "message-open": _messages(11),
    "message-sent": _messages(11, reply=True),
    "photos": _photos,
    "slideshow": _slideshow,
    "photo-frame": _frame,
    "weather": _weather(None),
    "weather-no-place": _weather("no_place"),
    "weather-service-down": _weather("service_down"),
    "weather-offline": _weather("offline"),
    "mood": _mood(),
    "mood-tags": _mood("tags"),
    "mood-thanks": _mood("thanks"),
    "professional": _professional("schedule"),
    "professional-locked": _professional("locked"),
    "professional-identified": _professional("identified"),
    "professional-arrived": _professional("arrived"),
    "professional-messages": _professional("messages"),
    "night": _night,
    "reminder": _reminder(waiting=1),
    "reminder-no-confirmation": _reminder(confirm_wanted=False),
    "maintenance-pin": _maintenance("pin"),
    "maintenance": _maintenance(),
    "maintenance-confirm": _maintenance("confirm"),
    "circle": _circle(),
    "circle-paused": _circle("paused"),
    "circle-pending": _circle("pending"),
    "circle-empty": _circle("empty"),
    "call-ringing": _ringing(),
    "call-countdown": _ringing("countdown"),
    "call-notice": _ringing("notice"),
    "callers": _callers(),
    "callers-auto-answer": _callers("auto"),
    "network-list": _network(),
    "network-more": _network("more"),
    "network-keyboard": _network("keyboard"),
    "network-hotspot": _network("hotspot"),
    "network-connecting": _network("connecting"),
    "network-preparing": _network("preparing"),
    "network-refused": _network("refused"),
}
