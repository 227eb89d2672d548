"""Signs of life (issue 16): the daily "Je vais bien" and the morning without a touch, on an
injected clock, on SQLite and PostgreSQL: weekdays and weekends, daylight saving (29 March and
25 October 2026 in Paris), a week offline, the first days of learning, night mode; the touch
counts carry nothing but counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from backend.models import DeviceTouchHour
from backend.services import signs_of_life
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, care_manager, session_of
from tests.api.signs_helpers import PARIS, TOKEN_TTL, Home, paris


@pytest.fixture
def home(make_client: MakeClient) -> Home:
    clock = Clock(paris(2026, 11, 30, 7).astimezone(UTC))  # a Monday
    client = make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)
    return Home.create(client, care_manager(client), clock)


def learn(home: Home, days: list[date], hour: int, count: int = 12) -> None:
    """Touches at `hour` (and at 15 h) on each of `days`, reported as the tablet does."""
    hours = []
    for day in days:
        hours.append((datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), count))
        hours.append((datetime(day.year, day.month, day.day, 15, tzinfo=PARIS), 3))
    home.touches(*hours)


# --- the rules ----------------------------------------------------------------------------------


def test_the_rules_are_off_until_switched_on_checked_and_synced(home: Home) -> None:
    client = home.client
    state = home.state()
    assert state["settings"]["checkin_enabled"] is False
    assert state["settings"]["inactivity_enabled"] is False
    assert state["today"]["checkin"] == "off" and state["today"]["inactivity"] == "off"
    first = home.syncs()
    assert first["upserts"]["sign_of_life"] == [
        {"id": home.id, "checkin_enabled": False, "checkin_start": "08:00", "checkin_end": "11:00"}
    ]
    url = f"{API}/beneficiaries/{home.id}/signs-of-life"
    for wrong in (
        {"checkin_start": "11:00", "checkin_end": "08:00"},
        {"checkin_start": "25:00"},
        {"inactivity_grace_minutes": 721},
        {"inactivity_grace_minutes": True},
        {"inactivity_deadline": "03:00"},
        {"checkin_enabled": "yes"},
        {"surprise": 1},
    ):
        response = client.put(url, json=wrong, headers=home.cm.headers)
        assert response.status_code == 422, (wrong, response.text)
    refused = client.put(
        url, json={"checkin_start": "11:00", "checkin_end": "08:00"}, headers=home.cm.headers
    )
    assert "doit commencer avant de finir" in refused.json()["detail"]
    home.rules(checkin_enabled=True, checkin_start="9:30", checkin_end="11:45")
    delta = home.syncs(cursor=first["cursor"])
    assert delta["upserts"]["sign_of_life"] == [
        {"id": home.id, "checkin_enabled": True, "checkin_start": "09:30", "checkin_end": "11:45"}
    ]


def test_only_the_care_manager_reads_and_sets_the_rules(home: Home) -> None:
    client = home.client
    other = care_manager(client)
    url = f"{API}/beneficiaries/{home.id}/signs-of-life"
    assert client.get(url, headers=other.headers).status_code == 404
    assert client.put(url, json={}, headers=other.headers).status_code == 404
    assert client.get(url).status_code == 401


# --- "Je vais bien" -------------------------------------------------------------------------------


def test_no_answer_by_the_window_end_raises_one_alert_and_a_late_answer_closes_it(
    home: Home,
) -> None:
    home.rules(checkin_enabled=True, checkin_start="08:00", checkin_end="11:00")
    home.run_jobs()
    home.at(paris(2026, 11, 30, 10, 59))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []  # not before the window's end
    assert home.state()["today"]["checkin"] == "waiting"
    home.at(paris(2026, 11, 30, 11, 0))
    home.alive()
    home.run_jobs()
    home.run_jobs()  # a second worker, a retry: still one alert
    (alert,) = home.alerts()
    assert alert.kind == "checkin_missed"
    assert alert.message == "Jeanne Martin n'a pas répondu « Je vais bien » ce matin"
    assert home.state()["today"]["checkin"] == "missed"

    home.at(paris(2026, 11, 30, 11, 20))
    answered = home.answer()
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"state": "recorded"}
    (closed,) = home.alerts()
    assert closed.state == "closed"
    assert closed.close_note == "Réponse « Je vais bien » à 11\u00a0h\u00a020, sur la tablette."
    state = home.state()["today"]
    assert state["checkin"] == "answered" and state["answered_at"].startswith("2026-11-30T10:20")

    # The next day she answers in the window: nothing at 11 h.
    home.at(paris(2026, 12, 1, 9, 12))
    assert home.answer().status_code == 200
    home.at(paris(2026, 12, 1, 11))
    home.alive()
    home.run_jobs()
    assert len(home.alerts()) == 1


def test_the_answer_is_checked_and_recorded_once(home: Home) -> None:
    home.at(paris(2026, 11, 30, 9))
    for wrong in (
        {"answered_at": paris(2026, 11, 30, 9).isoformat(), "answer": "bof"},
        {"answered_at": "2026-11-30T09:00:00", "answer": "ok"},  # no offset
        {"answered_at": paris(2026, 11, 30, 10).isoformat(), "answer": "ok"},  # ahead
        {"answered_at": paris(2026, 11, 30, 9).isoformat(), "answer": "ok", "mood": 3},
    ):
        response = home.action("checkin_answer", wrong)
        assert response.status_code == 422, (wrong, response.text)
    key = "answer-0001"
    first = home.action(
        "checkin_answer", {"answered_at": paris(2026, 11, 30, 9).isoformat(), "answer": "ok"}, key
    )
    again = home.action(
        "checkin_answer", {"answered_at": paris(2026, 11, 30, 9).isoformat(), "answer": "ok"}, key
    )
    assert first.json() == again.json() == {"state": "recorded"}
    assert again.headers["Idempotency-Replayed"] == "true"
    assert home.answer(paris(2026, 11, 30, 9, 5)).json() == {"state": "recorded"}
    assert home.state()["today"]["answered_at"].startswith("2026-11-30T08:00")  # the first


def test_no_alert_for_a_tablet_offline_nor_in_night_mode(home: Home) -> None:
    home.rules(checkin_enabled=True, checkin_start="08:00", checkin_end="11:00")
    home.run_jobs()
    # Offline since 9 h: it could not ask. (The tablet's own offline alert says so.)
    home.at(paris(2026, 11, 30, 9))
    home.alive()
    home.at(paris(2026, 11, 30, 11))
    home.run_jobs()
    assert home.alerts() == []
    assert home.state()["today"]["checkin"] == "quiet"
    # A window that ends in the tablet's night mode (21:30 → 7:00 by default): nothing.
    home.rules(checkin_enabled=True, checkin_start="05:00", checkin_end="06:30")
    home.at(paris(2026, 12, 1, 6, 30))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2026, 3, 29), 9), (date(2026, 10, 25), 10), (date(2026, 3, 28), 10)],
    ids=["spring-forward", "fall-back", "the-day-before"],
)
def test_the_window_end_is_wall_clock_time_across_daylight_saving(
    make_client: MakeClient, day: date, utc_hour: int
) -> None:
    start = datetime(day.year, day.month, day.day, 1, tzinfo=PARIS) - timedelta(days=1)
    clock = Clock(start.astimezone(UTC))
    client = make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)
    home = Home.create(client, care_manager(client), clock)
    home.rules(checkin_enabled=True, checkin_start="08:00", checkin_end="11:00")
    # The chain runs at 4 h every day, whatever the length of the day.
    for _ in range(3):
        home.run_jobs()
        home.at(home.pending(signs_of_life.DAY_JOB)[0][0])
    home.at(datetime(day.year, day.month, day.day, 5, tzinfo=PARIS))
    home.run_jobs()
    checks = [run_at for run_at, p in home.pending(signs_of_life.CHECK_JOB) if p["day"] == str(day)]
    assert checks == [datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)]
    (day_job,) = [r for r, p in home.pending(signs_of_life.DAY_JOB)]
    assert day_job.astimezone(PARIS).replace(tzinfo=None) == datetime(
        day.year, day.month, day.day + 1, 4
    )
    home.at(checks[0] - timedelta(minutes=1))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    home.at(checks[0])
    home.alive()
    home.run_jobs()
    assert [a.kind for a in home.alerts()] == ["checkin_missed"]


# --- the morning without a touch -------------------------------------------------------------


WEEK = [date(2026, 11, 16) + timedelta(days=n) for n in range(14)]  # Mon 16 → Sun 29 Nov
WEEKDAYS = [d for d in WEEK if d.weekday() < 5]
WEEKENDS = [d for d in WEEK if d.weekday() >= 5]


def test_the_first_days_of_learning_say_so_and_raise_nothing(home: Home) -> None:
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=30)
    learn(home, WEEKDAYS[-2:], 8)  # Thursday 26 and Friday 27
    learnt = {u["category"]: u for u in home.state()["learnt"]}
    assert learnt["weekdays"] == {
        "category": "weekdays", "usual_first_touch": None, "samples": 2, "remaining_days": 1,
    }  # fmt: skip
    assert learnt["weekend"]["remaining_days"] == 3
    assert home.state()["today"]["inactivity"] == "learning"
    home.at(paris(2026, 11, 30, 12))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    # A third weekday (today, Monday): learnt for Tuesday.
    learn(home, [date(2026, 11, 30)], 9)
    learnt = {u["category"]: u for u in home.state()["learnt"]}
    assert learnt["weekdays"]["usual_first_touch"] == "08:00"
    assert learnt["weekdays"]["remaining_days"] == 0


def test_nothing_by_the_usual_hour_plus_the_grace_raises_one_alert_closed_by_a_touch(
    home: Home,
) -> None:
    learn(home, WEEKDAYS, 8)
    learn(home, WEEKENDS, 10)
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=45)
    state = home.state()
    # Monday: usually between 8 and 9 h, so nothing by 9 h 45 is the alert.
    assert state["today"]["deadline"].startswith("2026-11-30T08:45")
    assert {u["category"]: u["usual_first_touch"] for u in state["learnt"]} == {
        "weekdays": "08:00",
        "weekend": "10:00",
    }
    home.at(paris(2026, 11, 30, 9, 44))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    home.at(paris(2026, 11, 30, 9, 45))
    home.alive()
    home.run_jobs()
    (alert,) = home.alerts()
    assert alert.kind == "no_sign_of_life"
    assert alert.message == (
        "Pas de signe de vie ce matin chez Jeanne Martin : la tablette n'a pas été touchée "
        "(d'habitude vers 8\u00a0h)"
    )
    home.at(paris(2026, 11, 30, 10, 20))
    home.alive(last_touch_at=paris(2026, 11, 30, 10, 18).isoformat())
    (closed,) = home.alerts()
    assert closed.state == "closed"
    assert closed.close_note == "La tablette a été touchée à 10\u00a0h\u00a018."
    assert home.state()["today"]["inactivity"] == "seen"


def test_weekends_are_learnt_apart(home: Home) -> None:
    learn(home, WEEKDAYS, 8)
    learn(home, WEEKENDS, 10)
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=0)
    # Saturday 5 December: usually at 10 h, so 9 h is not late.
    home.at(paris(2026, 12, 5, 4, 1))
    learn(home, [date(2026, 12, d) for d in (1, 2, 3, 4)], 8)
    home.run_jobs()
    home.at(paris(2026, 12, 5, 10, 59))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    home.at(paris(2026, 12, 5, 11))
    home.alive()
    home.run_jobs()
    assert [a.message.split(" : ")[0] for a in home.alerts()] == [
        "Pas de signe de vie ce matin chez Jeanne Martin"
    ]


def test_a_touch_before_the_deadline_or_a_mood_is_a_sign_of_life(home: Home) -> None:
    learn(home, WEEKDAYS, 8)
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=60)
    home.at(paris(2026, 11, 30, 9, 30))
    mood = home.action(
        "mood", {"score": 4, "tags": [], "recorded_at": paris(2026, 11, 30, 9, 25).isoformat()}
    )
    assert mood.status_code == 200, mood.text
    home.at(paris(2026, 11, 30, 10))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    assert home.state()["today"]["last_sign_at"].startswith("2026-11-30T08:25")


def test_a_fixed_deadline_needs_no_learning(home: Home) -> None:
    home.rules(inactivity_enabled=True, inactivity_deadline="11:00")
    home.at(paris(2026, 11, 30, 11))
    home.alive()
    home.run_jobs()
    (alert,) = home.alerts()
    assert alert.message == (
        "Pas de signe de vie ce matin chez Jeanne Martin : aucun toucher de la tablette avant "
        "11\u00a0h"
    )


def test_never_during_night_mode_nor_for_an_offline_tablet(home: Home) -> None:
    learn(home, WEEKDAYS, 8)
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=0)
    # Monday: the screen is off for the night until noon (a night mode set late).
    home.at(paris(2026, 11, 30, 9))
    home.alive(
        screen_on=False,
        screen_off_reason="night",
        screen_off_until=paris(2026, 11, 30, 12).isoformat(),
    )
    home.run_jobs()
    assert home.alerts() == []
    # Tuesday: offline since the night.
    home.at(paris(2026, 12, 1, 4, 30))
    home.alive()
    home.run_jobs()
    home.at(paris(2026, 12, 1, 9))
    home.run_jobs()
    assert home.alerts() == []
    assert home.state()["today"]["inactivity"] == "quiet"


def test_a_week_offline_raises_nothing_and_its_touches_count_once_back(home: Home) -> None:
    learn(home, WEEKDAYS, 8)
    home.rules(checkin_enabled=True, inactivity_enabled=True, inactivity_grace_minutes=60)
    home.run_jobs()
    home.seen(paris(2026, 11, 30, 6))
    for day in range(7):  # Monday 30 November → Sunday 6 December, every three hours
        for hour in range(0, 24, 3):
            home.at(paris(2026, 11, 30, 0) + timedelta(days=day, hours=hour))
            home.run_jobs()
    assert home.alerts() == []
    # "Je vais bien" was checked each day, the inactivity on the 5 weekdays (weekends are not
    # learnt here), and each check found the tablet offline.
    assert home.done(signs_of_life.CHECK_JOB) == 7 + 5
    # Back on Monday 7 December, the tablet sends the week's counts (she touched it at 7 h).
    home.at(paris(2026, 12, 7, 6))
    offline_week = [paris(2026, 11, 30, 7) + timedelta(days=n) for n in range(7)]
    home.touches(*[(h, 5) for h in offline_week])
    learnt = {u["category"]: u for u in home.state()["learnt"]}
    assert learnt["weekdays"]["usual_first_touch"] == "07:00"  # 5 days at 7 h, 5 at 8 h


def test_learning_across_the_spring_forward_change(make_client: MakeClient) -> None:
    clock = Clock(paris(2026, 3, 20, 7).astimezone(UTC))
    client = make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)
    home = Home.create(client, care_manager(client), clock)
    # Weekends at 9 h local, before and after the change (8 h then 7 h UTC).
    weekend = [date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 21), date(2026, 3, 22)]
    home.at(paris(2026, 3, 28, 7))
    learn(home, weekend, 9)
    home.rules(inactivity_enabled=True, inactivity_grace_minutes=60)
    home.at(paris(2026, 3, 29, 4, 30))  # Sunday, summer time since 2 h
    home.alive()
    home.run_jobs()
    deadline = home.state()["today"]["deadline"]
    assert datetime.fromisoformat(deadline) == datetime(2026, 3, 29, 9, tzinfo=UTC)  # 11 h local
    home.at(paris(2026, 3, 29, 10, 59))
    home.alive()
    home.run_jobs()
    assert home.alerts() == []
    home.at(paris(2026, 3, 29, 11))
    home.alive()
    home.run_jobs()
    assert [a.kind for a in home.alerts()] == ["no_sign_of_life"]


def test_the_rules_switched_off_stop_the_chain(home: Home) -> None:
    home.rules(checkin_enabled=True)
    home.run_jobs()
    assert home.pending(signs_of_life.DAY_JOB)
    home.rules(checkin_enabled=False)
    home.at(paris(2026, 12, 1, 4))
    home.run_jobs()
    home.at(paris(2026, 12, 1, 11))
    home.alive()
    home.run_jobs()
    assert home.pending(signs_of_life.DAY_JOB) == [] and home.alerts() == []


def test_switched_off_then_on_the_same_day_the_chain_goes_on(home: Home) -> None:
    home.rules(checkin_enabled=False, inactivity_enabled=True, inactivity_deadline="11:00")
    home.rules(inactivity_enabled=False)
    home.run_jobs()  # today's run finds everything off: it plans no tomorrow
    assert home.pending(signs_of_life.DAY_JOB) == []
    home.at(paris(2026, 11, 30, 12))
    home.rules(checkin_enabled=True)
    ((tomorrow, _payload),) = home.pending(signs_of_life.DAY_JOB)
    assert tomorrow == paris(2026, 12, 1, 4).astimezone(UTC)
    home.at(paris(2026, 12, 1, 11))
    home.alive()
    home.run_jobs()
    home.run_jobs()
    assert [a.kind for a in home.alerts()] == ["checkin_missed"]


# --- the touch counts ---------------------------------------------------------------------------


def test_touch_counts_carry_nothing_but_counts_and_a_resend_changes_nothing(home: Home) -> None:
    home.at(paris(2026, 11, 30, 10, 2))
    hour = paris(2026, 11, 30, 9).isoformat()
    for wrong in (
        [{"hour": hour, "count": 3, "screen": "messages"}],  # what was touched: never
        [{"hour": hour, "count": 3, "x": 10, "y": 20}],
        [{"hour": hour, "count": 100_001}],
        [{"hour": hour, "count": -1}],
        [{"hour": hour, "count": "3"}],
        [{"hour": paris(2026, 11, 30, 9, 30).isoformat(), "count": 3}],  # not an hour's start
        [{"hour": "2026-11-30T09:00:00", "count": 3}],  # no offset
        [{"hour": hour, "count": 1}] * (24 * 14 + 1),  # more than two weeks at once
    ):
        response = home.report(touches=wrong)
        assert response.status_code == 422, (wrong[:1], response.text)
    home.touches((paris(2026, 11, 30, 9), 3), (paris(2026, 11, 30, 8), 7))
    home.touches((paris(2026, 11, 30, 9), 3))  # sent again: the same hour, the same count
    home.touches((paris(2026, 11, 30, 10), 4))  # not over yet: left out
    with session_of(home.client) as session:
        rows = session.execute(
            select(DeviceTouchHour.hour_start, DeviceTouchHour.count).order_by(
                DeviceTouchHour.hour_start
            )
        ).all()
        columns = {c["name"] for c in inspect(session.get_bind()).get_columns("device_touch_hours")}
    assert [(h.astimezone(PARIS).hour, c) for h, c in rows] == [(8, 7), (9, 3)]
    assert columns == {"id", "device_id", "hour_start", "count", "received_at"}


def test_the_status_report_keeps_the_new_fields(home: Home) -> None:
    home.at(paris(2026, 11, 30, 10))
    home.alive(
        screen_on=False,
        screen_off_reason="schedule",
        screen_off_until=paris(2026, 11, 30, 12).isoformat(),
        last_touch_at=paris(2026, 11, 30, 9, 41).isoformat(),
        started_at=paris(2026, 11, 28, 8).isoformat(),
        restarts_today=2,
        memory_available_bytes=600_000_000,
        disk_total_bytes=16_000_000_000,
        free_disk_bytes=1_000_000_000,
        last_error_code="photo_download_failed",
    )
    shown = home.client.get(
        f"{API}/devices/{home.device_id}/status", headers=home.cm.headers
    ).json()
    assert shown["screen_on"] is False and shown["screen_off_reason"] == "schedule"
    assert shown["last_touch_at"].startswith("2026-11-30T08:41")
    assert shown["restarts_today"] == 2 and shown["disk_total_bytes"] == 16_000_000_000
    assert shown["last_error_code"] == "photo_download_failed"
    for wrong in (
        {"screen_off_reason": "sleepy"},
        {"screen_on": "no"},
        {"last_error_code": "Traceback (most recent call last)"},
        {"started_at": "9999-12-31T23:59:59-14:00"},
        {"restarts_today": -1},
    ):
        assert home.report(**wrong).status_code == 422, wrong
