"""Render every tablet screen offscreen into docs/screenshots/, at 1280×800 and 800×480.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_screens.py [output_dir] [--english]

With --english the tablet's English catalogue is used (to check that the English fits too).

Time is fixed to Sunday 22 November 2026, 11:20 in Paris (the night screen: 23:05 that
evening), so the pictures do not change from one run to the next. The content is what a
family would see on a lived-in tablet: messages from Marie (her daughter), a health message
from the nurse, photos (drawn here with Pillow: nothing is downloaded), a rainy forecast.
Each screen is given its view exactly as the controller's features build it.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QSize, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402 (after the platform is chosen)

from common import tablet_config as config  # noqa: E402
from common.recurrence import AgendaEvent  # noqa: E402
from demo.pictures import boat, cake, garden, lavender, mountains, sunset  # noqa: E402
from kiosk import i18n  # noqa: E402
from kiosk.calls_view import parse_callers  # noqa: E402
from kiosk.circle_view import MoodSharing, mood_sharing, parse_circle  # noqa: E402
from kiosk.features.photos import photo_words  # noqa: E402
from kiosk.home_view import build_agenda_days, build_home_view, reminder_summary  # noqa: E402
from kiosk.messages_view import build_messages_view  # noqa: E402
from kiosk.photos_view import build_album_view  # noqa: E402
from kiosk.professional_view import (  # noqa: E402
    Professional,
    build_identified_view,
    build_professional_view,
)
from kiosk.reminders_view import Mark, MarkState, build_reminder_day  # noqa: E402
from kiosk.screens.agenda_screen import AgendaScreen  # noqa: E402
from kiosk.screens.call_ringing_screen import CallRingingScreen  # noqa: E402
from kiosk.screens.callers_screen import CallersScreen  # noqa: E402
from kiosk.screens.circle_screen import CircleScreen  # noqa: E402
from kiosk.screens.home_screen import HomeScreen  # noqa: E402
from kiosk.screens.maintenance_screen import MaintenanceInfo, MaintenanceScreen  # noqa: E402
from kiosk.screens.messages_screen import MessagesScreen  # noqa: E402
from kiosk.screens.mood_screen import MoodScreen  # noqa: E402
from kiosk.screens.night_screen import NightScreen  # noqa: E402
from kiosk.screens.pairing_screen import PairingScreen  # noqa: E402
from kiosk.screens.photos_screen import PhotoFrameScreen, PhotosScreen  # noqa: E402
from kiosk.screens.professional_screen import ProfessionalScreen  # noqa: E402
from kiosk.screens.weather_screen import WeatherScreen, words  # noqa: E402
from kiosk.weather_view import build_weather_view, glance  # noqa: E402
from widgets.photo_view import DEFAULT_FADE_MS  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 22, 11, 20, tzinfo=PARIS)
NIGHT = datetime(2026, 11, 22, 23, 5, tzinfo=PARIS)
SIZES = ((1280, 800), (800, 480))
SEEN = frozenset({3, 4, 5, 6})  # the older photos were already looked at


# -- demo content ------------------------------------------------------------------------------


def demo_events() -> list[AgendaEvent]:
    day = NOW.replace(tzinfo=None, hour=0, minute=0)
    tomorrow = day + timedelta(days=1)

    def event(event_id: int, title: str, start: datetime, minutes: int, who: str) -> AgendaEvent:
        return AgendaEvent(
            id=event_id,
            title=title,
            start_local=start,
            duration=timedelta(minutes=minutes),
            tz=PARIS,
            who=who,
        )

    return [
        event(1, "Soins infirmiers", day.replace(hour=8), 30, "Claire, infirmière"),
        event(2, "Aide à domicile", day.replace(hour=11), 60, "Sophie, aide à domicile"),
        event(3, "Visite de Marie", day.replace(hour=15), 120, "Marie, votre fille"),
        event(4, "Soins infirmiers", tomorrow.replace(hour=8), 30, "Claire, infirmière"),
        event(5, "Kinésithérapie", tomorrow.replace(hour=10), 45, "Paul, kinésithérapeute"),
    ]


EVENT_RECORDS = [
    {"id": 1, "instructions": "Pansement du pied gauche. Vérifier la tension.", "person_id": 21},
    {
        "id": 2,
        "instructions": "Courses : pain, lait, fruits. Aider à la douche. La clé est chez "
        "la voisine du 2e si Mme Martin ne répond pas.",
        "person_id": 22,
    },
]


def at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).astimezone(UTC).isoformat()


MESSAGES: list[dict[str, Any]] = [
    {
        "id": 11,
        "space": "daily",
        "body": "Bonjour Maman ! Je passe cet après-midi vers 15 h avec les enfants. "
        "Léa a fait un dessin pour toi.",
        "author_name": "Marie (fille)",
        "created_at": at(0.6),
        "reply_to_id": None,
        "read": False,
    },
    {
        "id": 12,
        "space": "health",
        "body": "Bonjour Madame Martin, je passerai demain à 8 h comme d'habitude. "
        "Pensez à boire un grand verre d'eau au réveil.",
        "author_name": "Claire Petit",
        "created_at": at(2.5),
        "reply_to_id": None,
        "read": False,
    },
    {
        "id": 13,
        "space": "daily",
        "body": "Regarde les photos de Quiberon, on pense bien à toi !",
        "author_name": "Marie (fille)",
        "created_at": at(22),
        "reply_to_id": None,
        "read": True,
    },
    {
        "id": 14,
        "space": "daily",
        "body": "Merci !",
        "author_name": "Jeanne Martin",
        "created_at": at(21.5),
        "reply_to_id": 13,
        "read": True,
    },
    {
        "id": 15,
        "space": "daily",
        "body": "Il n'y a plus de sacs poubelle, j'en rapporte jeudi. Bises, Thomas",
        "author_name": "Thomas (petit-fils)",
        "created_at": at(50),
        "reply_to_id": None,
        "read": True,
    },
]

NURSE_MESSAGES = [
    {
        "id": 31,
        "body": "Claire : la tension était un peu haute hier soir (15/9). "
        "Merci de la reprendre ce matin et de me la noter.",
        "author_name": "Dr Bernard",
        "created_at": at(16),
        "reply_to_id": None,
        "read": False,
    }
]


def reminder(reminder_id: int, title: str, hour: int, kind: str) -> dict[str, Any]:
    return {
        "id": reminder_id,
        "title": title,
        "detail": "",
        "kind": kind,
        "start_local": f"2026-11-01T{hour:02d}:00:00",
        "rrule": "FREQ=DAILY",
        "confirm_wanted": True,
        "repeat_every_minutes": 10,
        "repeat_count": 3,
        "critical": kind == "medication",
        "version": 1,
    }


# Jeanne's day of reminders: the morning pills confirmed at 8:04, the glass of water at 10:00
# not confirmed, the evening pills at 18:00 still to come.
REMINDERS = [
    reminder(1, "Médicaments du matin", 8, "medication"),
    reminder(2, "Un grand verre d'eau", 10, "drink"),
    reminder(3, "Médicaments du soir", 18, "medication"),
]
MORNING_DUE = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
REMINDER_MARKS = {(1, MORNING_DUE): Mark(MarkState.DONE, MORNING_DUE + timedelta(minutes=4))}

# Who is in her circle, as the backend syncs it (kind "circle").
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
]  # fmt: skip


# Whom she may call, as the backend syncs them (kind "callers", docs/calls.md): Paul may open
# a call by himself, Marie too but Jeanne took her off that.
CALLERS: list[dict[str, Any]] = [
    {"id": 3, "name": "Paul Martin", "relation": "petit-fils", "initials": "PM",
     "auto_answer": True, "auto_answer_declined": False},
    {"id": 5, "name": "Marie Martin", "relation": "fille", "initials": "MM",
     "auto_answer": True, "auto_answer_declined": True},
    {"id": 6, "name": "Thomas Martin", "relation": "petit-fils", "initials": "TM",
     "auto_answer": False, "auto_answer_declined": False},
    {"id": 7, "name": "Claire Petit", "relation": "infirmière", "initials": "CP",
     "auto_answer": False, "auto_answer_declined": False},
]  # fmt: skip


def weather_report() -> dict[str, Any]:
    days = [
        ("2026-11-22", 61, 4.0, 9.0),
        ("2026-11-23", 3, 2.0, 8.0),
        ("2026-11-24", 0, -1.0, 7.0),
        ("2026-11-25", 71, -2.0, 3.0),
    ]
    return {
        "location": "Lyon",
        "fetched_at": (NOW - timedelta(minutes=12)).astimezone(UTC).isoformat(),
        "current": {"temperature": 7.6, "code": 61, "is_day": True},
        "days": [{"date": d, "code": c, "min": lo, "max": hi} for d, c, lo, hi in days],
        "attribution": "Données météo Open-Meteo.com (CC BY 4.0)",
    }


# -- photos (drawn by demo.pictures) ---------------------------------------------


PHOTOS: list[tuple[int, Callable[[], Image.Image], str, str, float]] = [
    (1, sunset, "Le coucher de soleil à Quiberon", "Marie Martin", 0.5),
    (2, garden, "Les dahlias du jardin de Thomas", "Thomas Martin", 3),
    (3, mountains, "Vacances à Annecy", "Marie Martin", 26),
    (4, cake, "Les 8 ans de Léa", "Marie Martin", 75),
    (5, lavender, "Les lavandes près de Valensole", "Thomas Martin", 120),
    (6, boat, "Sortie en bateau à Belle-Île", "Marie Martin", 200),
]


def photo_records() -> list[dict[str, Any]]:
    return [
        {
            "id": photo_id,
            "caption": caption,
            "sender_name": sender,
            "created_at": at(hours_ago),
            "width": 1600,
            "height": 1200,
            "display_hash": f"{photo_id:064x}",
            "thumb_hash": f"{photo_id + 100:064x}",
        }
        for photo_id, _draw, caption, sender, hours_ago in PHOTOS
    ]


def qimage(image: Image.Image) -> QImage:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    result = QImage.fromData(out.getvalue())
    if result.isNull():
        raise RuntimeError("could not decode a generated photo")
    return result


# -- rendering ---------------------------------------------------------------------------------


def settle() -> None:
    for _ in range(5):  # fonts follow the size, then the layout follows the fonts
        QApplication.processEvents()


def render(widget: QWidget, size: tuple[int, int], path: Path) -> None:
    widget.resize(*size)
    widget.show()
    settle()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)


def main(argv: list[str]) -> int:
    english = "--english" in argv
    paths = [a for a in argv[1:] if a != "--english"]
    out = Path(paths[0]) if paths else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(argv[:1])
    if english and not i18n.set_language("en"):
        raise SystemExit("the English catalogue could not be loaded")
    settings = config.defaults()
    events = demo_events()
    records = photo_records()
    drawn = {photo_id: draw() for photo_id, draw, *_rest in PHOTOS}
    keep: list[QWidget] = []

    def now() -> datetime:
        return NOW

    def kept(widget: QWidget) -> Any:
        keep.append(widget)
        return widget

    # The same views the features give their screens.
    messages_view = build_messages_view(
        MESSAGES,
        NOW,
        beneficiary_name="Jeanne Martin",
        quick_replies=settings["quick_replies"],
        health_quick_replies=settings["health_quick_replies"],
        read_aloud=True,
    )
    album = build_album_view(
        records,
        NOW,
        seen=SEEN,
        slideshow_seconds=settings["slideshow_seconds"],
        translate=photo_words,
    )
    weather = build_weather_view(weather_report(), NOW, NOW - timedelta(minutes=10), words)
    professional_view = build_professional_view(events, EVENT_RECORDS, NOW)

    pairing = kept(PairingScreen(now_fn=now))
    pairing.show_code(
        "WDJB-MJHT",
        "http://foyer.local:8000/pair",
        "http://foyer.local:8000/pair?user_code=WDJB-MJHT",
        NOW + timedelta(minutes=9, seconds=42),
    )
    reminder_day = build_reminder_day(REMINDERS, PARIS, REMINDER_MARKS, NOW)

    def make_home() -> HomeScreen:
        screen = HomeScreen(now_fn=now)
        kept(screen)
        screen.set_view(build_home_view("Jeanne", events, NOW))
        screen.set_tiles(list(settings["modules"]))
        screen.set_badge("messages", messages_view.unread_count)
        screen.set_badge("photos", album.new_count)
        screen.set_weather_glance(glance(weather, words))
        screen.set_professional_entry(True)
        screen.set_circle_entry(True)
        screen.set_reminders(reminder_summary(reminder_day, NOW))
        return screen

    home = make_home()
    # The check-in window is open: "Tout va bien aujourd'hui ?" in the card's place.
    home_checkin = make_home()
    home_checkin.set_checkin(True)

    # Video calls (docs/calls.md): Paul calls; Paul calls and may open the call by himself
    # (the countdown, 7 s left); « Appeler » and « Qui peut décrocher tout seul »; home with
    # « Appeler »; Paul gave up before she answered.
    call_home = make_home()
    call_home.set_call_entry(True)
    ringing = kept(CallRingingScreen())
    ringing.show_call(12, "Paul Martin", "PM")
    countdown = kept(CallRingingScreen())
    countdown.show_call(12, "Paul Martin", "PM", countdown=7)
    hung_up = kept(CallRingingScreen())
    hung_up.show_notice("Paul a raccroché.", "PM")
    callers = kept(CallersScreen())
    callers.set_callers(parse_callers(CALLERS))
    auto_answer = kept(CallersScreen())
    auto_answer.set_callers(parse_callers(CALLERS))
    auto_answer.show_auto_answer()

    people = parse_circle(CIRCLE)
    circle = kept(CircleScreen())
    circle.set_circle(people, mood_sharing(people, None, None))
    # Paused on the tablet two days ago: family and friends no longer see her mood.
    paused_people = parse_circle(
        [
            {**p, "sees": [s for s in p["sees"] if s != "mood" or p["role"] != "family"]}
            for p in CIRCLE
        ]
    )
    circle_paused = kept(CircleScreen())
    since = datetime(2026, 11, 20, 9, 30, tzinfo=PARIS)
    circle_paused.set_circle(paused_people, MoodSharing(True, since))

    agenda = kept(AgendaScreen())
    agenda.set_days(build_agenda_days(events, NOW))
    agenda.reset()

    messages = kept(MessagesScreen())
    messages.set_speech_available(True)
    messages.set_view(messages_view)
    message_open = kept(MessagesScreen())
    message_open.set_speech_available(True)
    message_open.set_view(messages_view)
    message_open.open_message(11)

    photos = kept(PhotosScreen())
    photos.show_album(album)
    slideshow = kept(PhotosScreen())
    slideshow.show_album(album)
    frame = kept(PhotoFrameScreen())
    frame.show_album(album)

    weather_screen = kept(WeatherScreen())
    weather_screen.show_view(weather)
    # No weather: the tablet says why (here: no place set by the care manager yet).
    weather_missing = kept(WeatherScreen())
    weather_missing.show_view(replace(build_weather_view(None, NOW), missing="no_place"))

    mood = kept(MoodScreen())
    mood.start("Jeanne", second_question=True)

    professional = kept(ProfessionalScreen(now))
    professional.set_view(professional_view)
    identified = kept(ProfessionalScreen(now))
    identified.set_view(professional_view)
    identified.pin_pad.submitted.emit("4821")  # as typed on the pad
    identified.show_identified(
        build_identified_view(
            professional_view,
            Professional(21, "Claire Petit", may_record_visit=True, may_view_instructions=True),
            NURSE_MESSAGES,
            NOW,
        )
    )
    identified.arrival_button.click()  # she arrives: the screen names the visit it is for

    night = kept(NightScreen(lambda: NIGHT))

    maintenance = kept(MaintenanceScreen(lambda pin: pin == config.DEFAULT_MAINTENANCE_PIN, now))
    maintenance.set_info(
        MaintenanceInfo(
            online=True,
            backend_url="https://foyer.example.fr",
            device_id=12,
            version="0.1.0",
            last_sync=NOW - timedelta(seconds=40),
            outbox_pending=0,
        )
    )
    maintenance.enter_pin(config.DEFAULT_MAINTENANCE_PIN)

    for width, height in SIZES:
        size = (width, height)

        def shot(name: str, widget: QWidget, size: tuple[int, int] = size) -> None:
            render(widget, size, out / f"{name}-{size[0]}x{size[1]}.png")

        shot("pairing", pairing)
        shot("home", home)
        shot("home-checkin", home_checkin)
        shot("agenda", agenda)
        shot("messages", messages)
        shot("message-open", message_open)
        photos.resize(*size)
        photos.show()
        settle()
        for photo_id, image in drawn.items():
            photos.set_thumbnail(photo_id, qimage(image.resize((320, 240))))
        shot("photos", photos)
        slideshow.resize(*size)
        slideshow.show()
        slideshow.open_photo(1)
        settle()
        fitted = QSize(width, height)
        for photo_id, image in drawn.items():
            decoded = qimage(image).scaled(
                fitted,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            slideshow.set_photo(photo_id, decoded)
            frame.set_photo(photo_id, decoded)
        QTest.qWait(DEFAULT_FADE_MS + 200)  # the cross-fade to the decoded photo ends
        shot("slideshow", slideshow)
        frame.show_id(3)
        shot("photo-frame", frame)
        shot("weather", weather_screen)
        shot("weather-no-place", weather_missing)
        shot("mood", mood)
        shot("professional", professional)
        shot("professional-identified", identified)
        shot("night", night)
        shot("maintenance", maintenance)
        shot("circle", circle)
        shot("circle-paused", circle_paused)
        shot("tablet-call-home", call_home)
        shot("tablet-call-incoming", ringing)
        shot("tablet-call-countdown", countdown)
        shot("tablet-call-hung-up", hung_up)
        shot("tablet-call-callers", callers)
        shot("tablet-call-auto-answer", auto_answer)
        for widget in keep:
            widget.hide()
    # Delete the widgets while the application still exists (PySide6 can crash at exit
    # when Python's garbage collector meets them after QApplication is gone).
    for widget in keep:
        widget.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    keep.clear()
    del pairing, home, home_checkin, agenda, messages, message_open, photos, slideshow, frame
    del circle, circle_paused, call_home, ringing, countdown, hung_up, callers, auto_answer
    del weather_screen, weather_missing, mood, professional, identified, night, maintenance
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
