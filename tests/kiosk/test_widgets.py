"""The touch widgets: clock, QR code, agenda list, big button, theme and sizing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.screens.night_screen import NIGHT_BACKGROUND, NIGHT_DIGITS
from widgets import mood_picker, sizing, theme, tile
from widgets.agenda_list import AgendaList, AgendaRow, ElidedLabel
from widgets.big_button import BigButton
from widgets.clock import ClockWidget, format_date, ms_to_next_minute
from widgets.qr_code import QUIET_ZONE, QrCodeWidget

PARIS = ZoneInfo("Europe/Paris")


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def dark(image: QImage, x: int, y: int) -> bool:
    return QColor(image.pixel(x, y)).lightness() < 80


def same_colour(image: QImage, x: int, y: int, colour: str) -> bool:
    got = QColor(image.pixel(x, y))
    want = QColor(colour)
    return (
        abs(got.red() - want.red()) <= 8
        and abs(got.green() - want.green()) <= 8
        and abs(got.blue() - want.blue()) <= 8
    )


# -- theme and sizing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        (theme.TEXT, theme.BACKGROUND),
        (theme.TEXT, theme.SURFACE),
        (theme.TEXT_MUTED, theme.BACKGROUND),
        (theme.TEXT_MUTED, theme.SURFACE),
        (theme.ON_ACCENT, theme.ACCENT),
        (theme.ON_ACCENT_SOFT, theme.ACCENT),
        (theme.ACCENT, theme.ON_ACCENT),  # badges: accent text on white
        (theme.ON_ACCENT, theme.ACCENT_PRESSED),
        (theme.DISABLED_TEXT, theme.DISABLED_BG),
        (tile.BADGE_TEXT, tile.BADGE_BG),  # home's unread counts
        (NIGHT_DIGITS, NIGHT_BACKGROUND),  # dim, but at the floor of every screen
        (mood_picker.OUTLINE, theme.BACKGROUND),
    ],
)
def test_text_colours_reach_aaa_contrast(foreground: str, background: str) -> None:
    assert theme.contrast_ratio(foreground, background) >= 7.0


def test_contrast_ratio_extremes() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


def test_font_uses_dejavu_and_pixel_size(qtbot: QtBot) -> None:
    f = theme.font(40, bold=True)
    assert f.families()[0] == "DejaVu Sans"
    assert f.pixelSize() == 40
    assert f.bold()
    assert theme.font(20, mono=True).families()[0] == "DejaVu Sans Mono"


def test_mm_to_px_follows_the_screen_dpi(qtbot: QtBot) -> None:
    dpi = sizing.screen_dpi(None)
    assert 50 <= dpi <= 600
    assert sizing.mm_to_px(25.4) == round(dpi)
    assert sizing.min_touch_px() == sizing.mm_to_px(sizing.MIN_TOUCH_MM)
    assert sizing.mm_to_px(30) > sizing.mm_to_px(15) > 0


def test_base_font_scales_with_window_height() -> None:
    assert sizing.base_font_px(800) == 32
    assert sizing.base_font_px(480) == 23
    assert sizing.base_font_px(100) == 16  # never unreadably small
    assert sizing.base_font_px(1080) > sizing.base_font_px(800)


# -- clock ------------------------------------------------------------------------------------


def test_clock_shows_24h_time_and_french_date(qtbot: QtBot) -> None:
    clock = ClockWidget(FakeClock(datetime(2026, 11, 22, 10, 42, 5, tzinfo=PARIS)))
    qtbot.addWidget(clock)
    assert clock.time_text() == "10:42"
    assert clock.date_text() == "dimanche 22 novembre"
    assert format_date(date(2026, 11, 23)) == "lundi 23 novembre"


def test_clock_time_is_read_in_the_given_time_zone(qtbot: QtBot) -> None:
    utc = datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC"))
    clock = ClockWidget(FakeClock(utc.astimezone(PARIS)))
    qtbot.addWidget(clock)
    assert clock.time_text() == "00:30"  # summer time: UTC+2
    assert clock.date_text() == "jeudi 2 juillet"


def test_next_tick_is_at_the_minute_boundary() -> None:
    assert ms_to_next_minute(datetime(2026, 1, 1, 10, 0, 30, tzinfo=PARIS)) == 30_050
    assert ms_to_next_minute(datetime(2026, 1, 1, 10, 0, 59, 999_000, tzinfo=PARIS)) == 51
    assert ms_to_next_minute(datetime(2026, 1, 1, 10, 0, 0, tzinfo=PARIS)) == 60_050


def test_clock_timer_runs_only_while_visible(qtbot: QtBot) -> None:
    fake = FakeClock(datetime(2026, 11, 22, 10, 42, 30, tzinfo=PARIS))
    clock = ClockWidget(fake)
    qtbot.addWidget(clock)
    assert not clock.is_ticking()
    clock.show()
    qtbot.waitExposed(clock)
    assert clock.is_ticking()
    # Once a minute, not once a second: the tablet must idle.
    assert 29_000 <= clock._timer.remainingTime() <= 30_100
    clock.hide()
    assert not clock.is_ticking()
    clock.tick()  # a stray tick while hidden does not restart the timer
    assert not clock.is_ticking()


def test_clock_catches_up_when_shown_again(qtbot: QtBot) -> None:
    fake = FakeClock(datetime(2026, 11, 22, 10, 42, tzinfo=PARIS))
    clock = ClockWidget(fake)
    qtbot.addWidget(clock)
    clock.show()
    clock.hide()
    fake.now = datetime(2026, 11, 22, 10, 50, tzinfo=PARIS)
    with qtbot.waitSignal(clock.minute_changed, timeout=1000) as blocker:
        clock.show()
    assert blocker.args == [fake.now]
    assert clock.time_text() == "10:50"


def test_clock_emits_minute_and_day_changes_across_midnight(qtbot: QtBot) -> None:
    fake = FakeClock(datetime(2026, 11, 22, 23, 59, 10, tzinfo=PARIS))
    clock = ClockWidget(fake)
    qtbot.addWidget(clock)
    clock.show()

    # Same minute: nothing to say.
    fake.now = datetime(2026, 11, 22, 23, 59, 40, tzinfo=PARIS)
    with (
        qtbot.assertNotEmitted(clock.minute_changed),
        qtbot.assertNotEmitted(clock.day_changed),
    ):
        clock.tick()

    fake.now = datetime(2026, 11, 23, 0, 0, 0, 50_000, tzinfo=PARIS)
    with (
        qtbot.waitSignal(clock.minute_changed, timeout=1000) as minute,
        qtbot.waitSignal(clock.day_changed, timeout=1000) as day,
    ):
        clock.tick()
    assert minute.args == [fake.now]
    assert day.args == [date(2026, 11, 23)]
    assert clock.time_text() == "00:00"
    assert clock.date_text() == "lundi 23 novembre"
    assert clock.is_ticking()

    # The next minute is a minute change only.
    fake.now = datetime(2026, 11, 23, 0, 1, tzinfo=PARIS)
    with (
        qtbot.waitSignal(clock.minute_changed, timeout=1000),
        qtbot.assertNotEmitted(clock.day_changed),
    ):
        clock.tick()


def test_clock_fires_on_its_own_at_the_minute(qtbot: QtBot) -> None:
    fake = FakeClock(datetime(2026, 11, 22, 10, 42, 59, 900_000, tzinfo=PARIS))
    clock = ClockWidget(fake)
    qtbot.addWidget(clock)
    clock.show()
    fake.now = datetime(2026, 11, 22, 10, 43, tzinfo=PARIS)
    with qtbot.waitSignal(clock.minute_changed, timeout=2000):
        pass  # the timer was set for ~150 ms
    assert clock.time_text() == "10:43"


# -- QR code ----------------------------------------------------------------------------------


def test_qr_code_draws_dark_modules_with_quiet_zone(qtbot: QtBot) -> None:
    qr = QrCodeWidget()
    qtbot.addWidget(qr)
    qr.set_text("http://foyer.local:8000/pair?user_code=WDJB-MJHT")
    qr.resize(400, 300)
    assert qr.modules() >= 21 + 2 * QUIET_ZONE
    module = qr.module_px()
    assert module == 300 // qr.modules() and module >= 2
    rect = qr.code_rect()
    assert rect.width() == rect.height() == module * qr.modules()
    assert abs(rect.center().x() - 200) <= 1 and abs(rect.center().y() - 150) <= 1

    image = qr.grab().toImage()
    half = module // 2
    # Quiet zone: white all around.
    assert not dark(image, rect.left() + half, rect.top() + half)
    assert not dark(image, rect.right() - half, rect.bottom() - half)
    # The top-left finder pattern starts right after the quiet zone: dark, then white, dark.
    origin = QPoint(rect.left() + QUIET_ZONE * module, rect.top() + QUIET_ZONE * module)
    assert dark(image, origin.x() + half, origin.y() + half)
    assert not dark(image, origin.x() + module + half, origin.y() + module + half)
    assert dark(image, origin.x() + 3 * module + half, origin.y() + 3 * module + half)
    dark_count = sum(
        dark(image, x, y) for x in range(rect.left(), rect.right(), 3) for y in range(0, 300, 3)
    )
    assert dark_count > 500


def test_qr_code_without_text_draws_nothing(qtbot: QtBot) -> None:
    qr = QrCodeWidget()
    qtbot.addWidget(qr)
    qr.resize(200, 200)
    assert qr.modules() == 0 and qr.module_px() == 0
    qr.set_text("x")
    assert qr.modules() > 0
    qr.set_text("")
    assert qr.modules() == 0
    assert qr.hasHeightForWidth() and qr.heightForWidth(123) == 123


# -- agenda list ------------------------------------------------------------------------------


def day_rows() -> list[AgendaRow]:
    return [
        AgendaRow("08:00 – 08:30", "Soins infirmiers", "Claire, infirmière", "past"),
        AgendaRow("11:00 – 12:00", "Aide à domicile", "Sophie", "current", "En ce moment"),
        AgendaRow("15:00 – 15:30", "Rendez-vous médecin", "Dr Bernard", "next", "Prochaine visite"),
        AgendaRow("17:00 – 17:30", "Visite de Paul", "", "later"),
    ]


def row_widgets(agenda: AgendaList) -> list[QWidget]:
    return [w for w in agenda.findChildren(QWidget, "agendaRow") if w.isVisible()]


def test_agenda_row_rejects_unknown_state() -> None:
    with pytest.raises(ValueError, match="state"):
        AgendaRow("08:00", "x", "", "soon")


def test_agenda_highlights_current_and_next_rows(qtbot: QtBot) -> None:
    agenda = AgendaList()
    qtbot.addWidget(agenda)
    agenda.set_base_font_px(24)
    agenda.resize(600, 700)
    agenda.set_rows(day_rows())
    agenda.show()
    qtbot.waitExposed(agenda)

    assert agenda.row_texts() == [
        "08:00 – 08:30 · Soins infirmiers · Claire, infirmière",
        "11:00 – 12:00 · En ce moment · Aide à domicile · Sophie",
        "15:00 – 15:30 · Prochaine visite · Rendez-vous médecin · Dr Bernard",
        "17:00 – 17:30 · Visite de Paul",
    ]
    widgets = row_widgets(agenda)
    assert len(widgets) == 4
    image = agenda.grab().toImage()
    inside = [w.geometry().topLeft() + QPoint(6, w.height() // 2) for w in widgets]
    assert not same_colour(image, inside[0].x(), inside[0].y(), theme.ACCENT)
    assert same_colour(image, inside[1].x(), inside[1].y(), theme.ACCENT)
    assert same_colour(image, inside[2].x(), inside[2].y(), theme.ACCENT)
    assert same_colour(image, inside[3].x(), inside[3].y(), theme.SURFACE)

    # Badges are shown on highlighted rows only, in words the caller chose.
    badges = [label.text() for label in agenda.findChildren(QLabel, "badge") if label.isVisible()]
    assert badges == ["En ce moment", "Prochaine visite"]
    # Past rows are muted: their title is drawn in the muted colour, not in black.
    past_title = widgets[0].findChildren(ElidedLabel)[0]
    assert past_title.palette().color(past_title.foregroundRole()) == QColor(theme.TEXT_MUTED)


def test_agenda_rows_are_at_least_a_fingertip_tall(qtbot: QtBot) -> None:
    agenda = AgendaList()
    qtbot.addWidget(agenda)
    agenda.set_base_font_px(10)
    agenda.resize(500, 600)
    agenda.set_rows(day_rows())
    agenda.show()
    assert agenda.row_height() >= sizing.mm_to_px(15)
    assert all(w.height() >= sizing.mm_to_px(15) for w in row_widgets(agenda))


def test_agenda_shows_people_text_as_plain_text(qtbot: QtBot) -> None:
    agenda = AgendaList()
    qtbot.addWidget(agenda)
    agenda.resize(600, 400)
    agenda.set_rows([AgendaRow("10:00", "<b>x</b>", "<i>Marie</i> &amp;", "later")])
    agenda.show()
    labels = [label for label in agenda.findChildren(QLabel) if label.text()]
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert "<b>x</b>" in [label.text() for label in labels]
    assert "<i>Marie</i> &amp;" in [label.text() for label in labels]


def test_agenda_favours_current_and_later_rows_when_short_of_room(qtbot: QtBot) -> None:
    rows = [AgendaRow(f"{h:02d}:00", f"Passé {h}", "", "past") for h in range(7, 12)]
    rows.append(AgendaRow("12:00", "Repas", "", "current", "En ce moment"))
    rows.append(AgendaRow("14:00", "Kiné", "", "next", "Prochaine visite"))
    rows += [AgendaRow(f"{h:02d}:00", f"Plus tard {h}", "", "later") for h in range(15, 19)]
    agenda = AgendaList()
    qtbot.addWidget(agenda)
    agenda.set_base_font_px(20)
    row_h = agenda.row_height()
    agenda.resize(500, 5 * row_h + 6 * 20)  # room for about five rows and the "+ N" lines
    agenda.set_rows(rows)
    agenda.show()
    qtbot.waitExposed(agenda)

    shown = agenda.visible_rows()
    assert 3 <= len(shown) < len(rows)
    states = [r.state for r in shown]
    assert "current" in states and "next" in states
    assert shown == sorted(shown, key=rows.index)  # still in time order
    before, after = agenda.hidden_counts()
    assert before + after + len(shown) == len(rows)
    assert before == 5  # past rows go first
    assert len(row_widgets(agenda)) == len(shown)
    more = agenda.findChild(QLabel, "moreBefore")
    assert more is not None and more.isVisible() and more.text() == "+ 5 visites plus tôt"
    if after:
        later = agenda.findChild(QLabel, "moreAfter")
        assert later is not None and later.isVisible() and later.text().startswith("+ ")
    # Everything shown lies inside the list.
    for widget in row_widgets(agenda):
        assert agenda.rect().contains(widget.geometry())

    # With room again, everything comes back.
    agenda.resize(500, 14 * (row_h + 12))
    assert len(agenda.visible_rows()) == len(rows)
    assert agenda.hidden_counts() == (0, 0)


def test_agenda_empty_text(qtbot: QtBot) -> None:
    agenda = AgendaList()
    qtbot.addWidget(agenda)
    agenda.set_empty_text("Aucune visite aujourd'hui")
    agenda.show()
    assert agenda.empty_text() == "Aucune visite aujourd'hui"
    empty = agenda.findChild(QLabel, "emptyText")
    assert empty is not None and empty.isVisible()
    agenda.set_rows(day_rows()[:1])
    assert agenda.empty_text() == "" and not empty.isVisible()


def test_elided_label_shortens_without_losing_the_text(qtbot: QtBot) -> None:
    label = ElidedLabel("Kinésithérapie respiratoire à domicile avec le cabinet du centre-ville")
    qtbot.addWidget(label)
    label.setFont(theme.font(24))
    label.resize(200, 40)
    label.show()
    assert label.text().endswith("…")
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert label.full_text().startswith("Kinésithérapie respiratoire")
    label.setText("line one\nline two")
    label.resize(600, 40)
    assert label.text() == "line one line two"
    assert label.textFormat() == Qt.TextFormat.PlainText


# -- big button -------------------------------------------------------------------------------


def test_big_button_is_a_large_target(qtbot: QtBot) -> None:
    button = BigButton("Oui")
    qtbot.addWidget(button)
    button.show()
    side = sizing.mm_to_px(sizing.MIN_TOUCH_MM, button)
    assert button.minimumWidth() >= side and button.minimumHeight() >= side
    assert button.width() >= side and button.height() >= side
    assert button.font().bold() and button.font().pixelSize() >= 24
    assert not button.autoRepeat()


def test_big_button_single_tap_and_debounce(qtbot: QtBot) -> None:
    button = BigButton("Oui", debounce_ms=300)
    qtbot.addWidget(button)
    button.show()
    qtbot.waitExposed(button)
    clicks: list[bool] = []
    button.clicked.connect(lambda: clicks.append(True))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicks == [True]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicks == [True]  # a trembling second tap is ignored
    qtbot.wait(350)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicks == [True, True]


def test_big_button_pressed_state_is_visible(qtbot: QtBot) -> None:
    button = BigButton("OK")
    qtbot.addWidget(button)
    button.resize(200, 120)
    button.show()
    qtbot.waitExposed(button)
    point = (20, 60)
    normal = button.grab().toImage()
    assert same_colour(normal, *point, theme.ACCENT)
    button.setDown(True)
    pressed = button.grab().toImage()
    assert same_colour(pressed, *point, theme.ACCENT_PRESSED)
    button.setDown(False)
