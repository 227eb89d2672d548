"""Recurrences and dates in plain French, and in English (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from backend.console.formatting import ago, describe_rrule, hour, rrule_from_form, when
from common.recurrence import normalize_rrule

MONDAY_11 = datetime(2026, 11, 23, 11, 0)


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("rule", "start", "said"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,TH", MONDAY_11, "tous les lundis et jeudis à 11 h"),
        ("FREQ=WEEKLY;BYDAY=TH,MO", MONDAY_11, "tous les lundis et jeudis à 11 h"),
        ("FREQ=WEEKLY", MONDAY_11.replace(minute=30), "tous les lundis à 11 h 30"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", MONDAY_11, "tous les lundis, mercredis et vendredis à 11 h"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", MONDAY_11, "du lundi au vendredi à 11 h"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            MONDAY_11,
            "tous les mardis, une semaine sur deux à 11 h",
        ),
        ("FREQ=DAILY", MONDAY_11.replace(hour=8, minute=5), "tous les jours à 8 h 05"),
        ("FREQ=DAILY;INTERVAL=3", MONDAY_11, "tous les 3 jours à 11 h"),
        ("FREQ=MONTHLY", MONDAY_11, "le 23 de chaque mois à 11 h"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", MONDAY_11, "le 1er de chaque mois à 11 h"),
        ("FREQ=MONTHLY;BYDAY=1MO", MONDAY_11, "le premier lundi de chaque mois à 11 h"),
        ("FREQ=MONTHLY;BYDAY=-1FR", MONDAY_11, "le dernier vendredi de chaque mois à 11 h"),
        ("FREQ=YEARLY", MONDAY_11, "chaque année le 23 novembre à 11 h"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=10", MONDAY_11, "tous les lundis à 11 h, 10 fois"),
        (
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959",
            MONDAY_11,
            "tous les lundis à 11 h, jusqu'au 31 décembre 2026",
        ),
        (None, MONDAY_11, "le lundi 23 novembre 2026 à 11 h"),
        ("FREQ=HOURLY", MONDAY_11, "récurrence personnalisée"),
        ("FREQ=WEEKLY;BYDAY=XX", MONDAY_11, "récurrence personnalisée"),
    ],
)
def test_rules_are_said_in_plain_french(rule: str | None, start: datetime, said: str) -> None:
    assert plain(describe_rrule(rule, start)) == said


@pytest.mark.parametrize(
    ("rule", "start", "said"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,TH", MONDAY_11, "every Monday and Thursday at 11:00"),
        ("FREQ=WEEKLY", MONDAY_11.replace(minute=30), "every Monday at 11:30"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", MONDAY_11, "every Monday, Wednesday and Friday at 11:00"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", MONDAY_11, "Monday to Friday at 11:00"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", MONDAY_11, "every day at 11:00"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", MONDAY_11, "every Tuesday, every other week at 11:00"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", MONDAY_11, "every Tuesday, every 3 weeks at 11:00"),
        ("FREQ=DAILY", MONDAY_11.replace(hour=8, minute=5), "every day at 8:05"),
        ("FREQ=DAILY;INTERVAL=3", MONDAY_11, "every 3 days at 11:00"),
        ("FREQ=MONTHLY", MONDAY_11, "the 23rd of every month at 11:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", MONDAY_11, "the 1st of every month at 11:00"),
        ("FREQ=MONTHLY;BYMONTHDAY=12", MONDAY_11, "the 12th of every month at 11:00"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=2", MONDAY_11, "the 2nd every 2 months at 11:00"),
        ("FREQ=MONTHLY;BYDAY=1MO", MONDAY_11, "the first Monday of every month at 11:00"),
        ("FREQ=MONTHLY;BYDAY=-1FR", MONDAY_11, "the last Friday of every month at 11:00"),
        ("FREQ=YEARLY", MONDAY_11, "every year on 23 November at 11:00"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=10", MONDAY_11, "every Monday at 11:00, 10 times"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=1", MONDAY_11, "every Monday at 11:00, once"),
        (
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T235959",
            MONDAY_11,
            "every Monday at 11:00, until 31 December 2026",
        ),
        (None, MONDAY_11, "on Monday 23 November 2026 at 11:00"),
        ("FREQ=HOURLY", MONDAY_11, "custom recurrence"),
        ("FREQ=WEEKLY;BYDAY=XX", MONDAY_11, "custom recurrence"),
    ],
)
def test_rules_are_said_in_plain_english(rule: str | None, start: datetime, said: str) -> None:
    assert describe_rrule(rule, start, lang="en") == said


def test_the_form_builds_rules_the_agenda_accepts() -> None:
    assert rrule_from_form("never", [], None) is None
    weekly = rrule_from_form("weekly", ["TH", "MO", "??"], date(2026, 12, 31))
    assert weekly == "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261231T235959"
    assert normalize_rrule(weekly) == weekly
    assert plain(describe_rrule(weekly, MONDAY_11)).startswith("tous les lundis et jeudis à 11 h")
    with pytest.raises(ValueError):
        rrule_from_form("hourly", [], None)


def test_times_are_shown_in_the_beneficiary_zone_across_daylight_saving() -> None:
    paris = ZoneInfo("Europe/Paris")
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert plain(when(summer, paris)) == "mercredi 1er juillet à 11 h"
    assert plain(when(winter, paris)) == "mardi 1er décembre à 10 h"
    # "11 h 30" never breaks across two lines.
    assert hour(datetime(2026, 7, 1, 9, 30, tzinfo=UTC), paris) == "11\u00a0h\u00a030"
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert ago(now, now) == "à l'instant"
    assert ago(datetime(2026, 12, 2, 11, 15, tzinfo=UTC), now) == "il y a 45 min"
    assert ago(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), now) == "il y a 2 jours"
    assert ago(None, now) == "jamais"
