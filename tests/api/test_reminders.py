"""Reminders through the API (docs/reminders.md), on SQLite and PostgreSQL, on a fixed clock:
create, read, edit, pause, resume, delete; what the tablet receives (sync kind "reminders")
and sends ("reminder_done"); the checks with their French 4xx, nothing half-stored; the limit
of active reminders; daylight-saving both ways and the spring-forward gap; who may manage
them (the care manager and the people they allow).

The escalation check and the adherence are in test_reminder_escalation.py and
test_reminder_adherence.py.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from backend.errors import Conflict, Invalid
from backend.models import AuditEntry, CircleMember, Job, Reminder, ReminderWatcher, User
from backend.services import reminders
from common.reminders import MAX_ACTIVE_PER_BENEFICIARY
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, CareManager, care_manager, create_beneficiary, session_of
from tests.api.members import invite, person, tablet
from tests.api.reminder_helpers import PARIS, TOKEN_TTL, Home, paris, utc

# Tuesday 1 December 2026, 7:00 in Paris.
START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SYNCED_KEYS = {
    "id", "title", "detail", "kind", "start_local", "rrule", "confirm_wanted",
    "repeat_every_minutes", "repeat_count", "critical", "version",
}  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    # No jobs thread: the tests run the jobs themselves, at the clock's time.
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)


@pytest.fixture
def home(app: TestClient, cm: CareManager, clock: Clock) -> Home:
    return Home.create(app, cm, clock)


def member(home: Home, relation: str, profession: str | None = None, name: str = "Sophie") -> Any:
    someone = person(home.client, profession, name)
    invite(home.client, home.id, someone.id, relation)
    return someone


def stored(home: Home) -> dict[str, int]:
    """How many rows a refused request could have left behind."""
    with session_of(home.client) as session:
        return {
            "reminders": session.scalar(select(func.count(Reminder.id))) or 0,
            "watchers": session.scalar(select(func.count(ReminderWatcher.id))) or 0,
            "jobs": session.scalar(select(func.count(Job.id)).where(Job.kind == "reminder_check"))
            or 0,
            "changes": home.changes(),
        }


# --- create, read, edit, pause, resume, delete ------------------------------------------------


def test_a_reminder_is_created_read_and_listed_and_reaches_the_tablet(home: Home) -> None:
    daughter = member(home, "family")
    created = home.reminder(
        start="2026-12-01T08:00:00",
        rrule="FREQ=DAILY",
        detail="Le pilulier bleu",
        escalate_after_minutes=30,
        critical=True,
        watcher_ids=[daughter.id],
    )

    assert created["start"] == "2026-12-01T08:00:00+01:00"
    assert created["start_local"] == "2026-12-01T08:00:00"
    assert created["timezone"] == "Europe/Paris"
    assert created["next_due"] == "2026-12-01T08:00:00+01:00"
    assert (created["version"], created["paused"], created["kind_label"]) == (
        1,
        False,
        "Médicament",
    )
    assert created["watcher_ids"] == [daughter.id]
    one = home.client.get(f"{home.url}/{created['id']}", headers=home.cm.headers)
    assert one.status_code == 200, one.text
    assert one.json() == created
    listed = home.client.get(home.url, headers=home.cm.headers)
    assert [r["id"] for r in listed.json()] == [created["id"]]

    synced = home.tablet_syncs()["upserts"]["reminders"]
    assert synced == [
        {
            "id": created["id"],
            "title": "Médicaments du matin",
            "detail": "Le pilulier bleu",
            "kind": "medication",
            "start_local": "2026-12-01T08:00:00",
            "rrule": "FREQ=DAILY",
            "confirm_wanted": True,
            "repeat_every_minutes": 10,
            "repeat_count": 3,
            "critical": True,
            "version": 1,
        }
    ]
    assert set(synced[0]) == SYNCED_KEYS
    # Its first check is planned at the due time plus the escalation delay.
    assert home.pending_checks() == [
        (
            datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
            f"reminder-check:{created['id']}:1:2026-12-01T07:00:00+00:00",
        )
    ]
    # Reading reminders is in the audit log (a title may name a treatment).
    with session_of(home.client) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "reminder").order_by(AuditEntry.id)
        ).all()
    assert actions == ["create", "read", "read"]


def test_an_aware_start_is_taken_in_the_beneficiarys_zone_to_the_minute(home: Home) -> None:
    created = home.reminder(start="2026-12-02T07:00:42Z")
    assert created["start_local"] == "2026-12-02T08:00:00"
    assert created["rrule"] is None
    assert created["next_due"] == "2026-12-02T08:00:00+01:00"


def test_every_write_reaches_the_tablet_and_bumps_the_version(home: Home) -> None:
    created = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY")
    rid = created["id"]
    cursor = home.tablet_syncs()["cursor"]

    def delta() -> dict[str, Any]:
        nonlocal cursor
        payload = home.tablet_syncs(cursor=cursor)
        cursor = payload["cursor"]
        return payload

    edited = home.client.patch(
        f"{home.url}/{rid}", json={"title": "Pilules", "repeat_count": 2}, headers=home.cm.headers
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    changed = delta()
    assert [(r["id"], r["title"], r["version"]) for r in changed["upserts"]["reminders"]] == [
        (rid, "Pilules", 2)
    ]

    paused = home.client.post(f"{home.url}/{rid}/pause", headers=home.cm.headers)
    assert paused.status_code == 200, paused.text
    assert (paused.json()["paused"], paused.json()["next_due"], paused.json()["version"]) == (
        True,
        None,
        3,
    )
    # A paused reminder is sent as deleted, and is not in a snapshot.
    assert delta()["deletes"]["reminders"] == [rid]
    assert home.tablet_syncs()["upserts"]["reminders"] == []
    again = home.client.post(f"{home.url}/{rid}/pause", headers=home.cm.headers)
    assert again.json()["version"] == 3  # pausing a paused reminder changes nothing

    resumed = home.client.post(f"{home.url}/{rid}/resume", headers=home.cm.headers)
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["paused"], resumed.json()["version"]) == (False, 4)
    assert [r["version"] for r in delta()["upserts"]["reminders"]] == [4]

    deleted = home.client.delete(f"{home.url}/{rid}", headers=home.cm.headers)
    assert deleted.status_code == 204, deleted.text
    assert delta()["deletes"]["reminders"] == [rid]
    gone = home.client.get(f"{home.url}/{rid}", headers=home.cm.headers)
    assert gone.status_code == 404
    assert gone.json()["detail"] == "Rappel introuvable."
    assert home.changes() == 5  # create, edit, pause, resume, delete


def test_an_edit_plans_the_check_again_for_the_new_version(home: Home) -> None:
    rid = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30)[
        "id"
    ]
    home.at(paris(2026, 12, 1, 8, 5))
    # At 8:05, the 8:00 occurrence was shown as it still is: its check is planned again.
    home.client.patch(f"{home.url}/{rid}", json={"repeat_count": 1}, headers=home.cm.headers)
    keys = [key for _, key in home.pending_checks()]
    assert f"reminder-check:{rid}:2:2026-12-01T07:00:00+00:00" in keys
    # Moved to 8:02 at 8:05: 8:02 was never shown; the next one checked is tomorrow's.
    home.client.patch(
        f"{home.url}/{rid}", json={"start": "2026-12-01T08:02:00"}, headers=home.cm.headers
    )
    assert [
        key for _, key in home.pending_checks() if key.startswith(f"reminder-check:{rid}:3:")
    ] == [f"reminder-check:{rid}:3:2026-12-02T07:02:00+00:00"]


# --- the checks: French 4xx, nothing half-stored ----------------------------------------------


def test_markup_in_a_title_is_text_kept_as_typed(home: Home) -> None:
    title = "<script>alert('x')</script> & <b>Pilule</b>"
    created = home.reminder(start="2026-12-01T08:00:00", title=title)
    assert created["title"] == title
    assert home.tablet_syncs()["upserts"]["reminders"][0]["title"] == title


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("", "au moins 1 caractère"),
        ("    ", "au moins 1 caractère"),
        ("x" * 121, "au plus 120 caractères"),
        ("Pil\x00ule", "contient un caractère de contrôle (U+0000)"),
        ("Pil\nule", "doit tenir sur une ligne"),
    ],
    ids=["empty", "blank", "too-long", "nul", "line-feed"],
)
def test_a_bad_title_is_refused_in_french_and_nothing_is_stored(
    home: Home, title: str, reason: str
) -> None:
    before = stored(home)
    response = home.create_reminder(start="2026-12-01T08:00:00", title=title)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert stored(home) == before


def test_the_title_rule_holds_for_the_console_too(app: TestClient, home: Home) -> None:
    """The services check what the API's types check (the console calls them directly)."""
    with session_of(app) as session:
        user = session.get(User, home.cm.id)
        assert user is not None
        for title, message in [
            ("   ", "Le titre est obligatoire."),
            ("x" * 121, "Titre trop long : 120 caractères au plus."),
        ]:
            with pytest.raises(Invalid) as refused:
                reminders.create_reminder(
                    session, user, home.id, title=title, start=datetime(2026, 12, 2, 8), now=START
                )
            assert refused.value.message == message


THIRTEEN = "FREQ=DAILY;BYHOUR=" + ",".join(str(h) for h in range(8, 21))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (THIRTEEN, "Un rappel ne peut sonner plus de 12 fois par jour."),
        ("FREQ=DAILY;BYHOUR=8;BYMINUTE=" + ",".join(map(str, range(60))), "12 fois par jour"),
        ("FREQ=MINUTELY", "La fréquence doit être DAILY, WEEKLY, MONTHLY ou YEARLY"),
        ("FREQ=HOURLY", "La fréquence doit être DAILY, WEEKLY, MONTHLY ou YEARLY"),
        ("FREQ=DAILY;BYSECOND=0,30", "Un rappel ne peut pas utiliser BYSECOND"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "choisissez une règle mensuelle"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "le 30 ne se trouve pas dans chaque mois"),
        ("FREQ=MONTHLY;BYDAY=5FR", "n'existe pas tous les mois"),
        ("FREQ=MONTHLY;BYMONTHDAY=20;" + THIRTEEN[11:], "12 fois par jour"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231T000000", "à la fois COUNT et UNTIL"),
        ("n'importe quoi", "Élément de règle illisible"),
    ],
    ids=[
        "13-a-day", "every-minute", "minutely", "hourly", "bysecond", "february-30-daily",
        "february-30", "fifth-friday", "13-a-day-monthly", "count-and-until", "garbage",
    ],
)  # fmt: skip
def test_a_schedule_a_reminder_cannot_have_is_refused_at_once(
    home: Home, rule: str, message: str
) -> None:
    before = stored(home)
    started = time.monotonic()
    response = home.create_reminder(start="2026-12-01T08:00:00", rrule=rule)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    # A rule that matches nothing is refused, not walked to the year 9999 (which took minutes
    # for FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30); generous for a loaded machine.
    assert time.monotonic() - started < 30
    assert stored(home) == before


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",  # never ends: allowed, expanded window by window
        "FREQ=DAILY;BYHOUR=8,9,10,11,12,13,14,15,16,17,18,19",  # twelve a day
        "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=8,20;BYMINUTE=0,30",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=30",
        "FREQ=DAILY;UNTIL=20261224T000000",
    ],
)
def test_schedules_a_reminder_may_have(home: Home, rule: str) -> None:
    created = home.reminder(start="2026-12-01T08:00:00", rrule=rule)
    assert created["rrule"] == rule
    assert created["next_due"] is not None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"repeat_every_minutes": 4}, "entre 5 et 120 minutes"),
        ({"repeat_every_minutes": 121}, "entre 5 et 120 minutes"),
        ({"repeat_count": 7}, "de 0 à 6 fois"),
        ({"escalate_after_minutes": 4}, "entre 5 et 1440 minutes"),
        ({"escalate_after_minutes": 1441}, "entre 5 et 1440 minutes"),
        (
            {"escalate_after_minutes": 30, "confirm_wanted": False},
            "Une alerte suppose une confirmation",
        ),
        ({"kind": "pill"}, "Type de rappel inconnu : pill."),
        ({"start": "2040-01-01T08:00:00"}, "doit tomber entre 2025 et 2036"),
        ({"detail": "x" * 501}, "au plus 500 caractères"),
    ],
)
def test_numbers_kinds_and_times_out_of_bounds_are_refused(
    home: Home, fields: dict[str, Any], message: str
) -> None:
    before = stored(home)
    response = home.create_reminder(**{"start": "2026-12-01T08:00:00", **fields})
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert stored(home) == before


def test_a_watcher_outside_the_circle_is_refused_and_nothing_is_stored(home: Home) -> None:
    daughter = member(home, "family")
    stranger = person(home.client, name="Inconnu")
    before = stored(home)
    response = home.create_reminder(
        start="2026-12-01T08:00:00",
        escalate_after_minutes=30,
        watcher_ids=[daughter.id, stranger.id],
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        f"La personne n° {stranger.id} ne fait pas partie de l'entourage du bénéficiaire : "
        "elle ne peut pas être prévenue."
    )
    assert stored(home) == before

    # Nor by an edit: the reminder stays as it was.
    created = home.reminder(start="2026-12-01T08:00:00", watcher_ids=[daughter.id])
    before = stored(home)
    edited = home.client.patch(
        f"{home.url}/{created['id']}",
        json={"title": "Autre", "watcher_ids": [stranger.id]},
        headers=home.cm.headers,
    )
    assert edited.status_code == 422, edited.text
    again = home.client.get(f"{home.url}/{created['id']}", headers=home.cm.headers).json()
    assert (again["title"], again["watcher_ids"], again["version"]) == (
        "Médicaments du matin",
        [daughter.id],
        1,
    )
    assert stored(home) == before


def test_a_refused_edit_changes_nothing(home: Home) -> None:
    created = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY")
    before = stored(home)
    for body in (
        {"title": "Nouveau", "rrule": THIRTEEN},
        {"title": "Nouveau", "escalate_after_minutes": 2},
        {"title": None},
    ):
        response = home.client.patch(
            f"{home.url}/{created['id']}", json=body, headers=home.cm.headers
        )
        assert response.status_code == 422, response.text
    now = home.client.get(f"{home.url}/{created['id']}", headers=home.cm.headers).json()
    assert (now["title"], now["rrule"], now["version"]) == ("Médicaments du matin", "FREQ=DAILY", 1)
    assert stored(home) == before


# --- the limit of active reminders ------------------------------------------------------------


def test_500_reminders_are_refused_past_the_limit(app: TestClient, home: Home) -> None:
    with session_of(app) as session:
        user = session.get(User, home.cm.id)
        assert user is not None
        refused = 0
        for n in range(500):
            try:
                reminders.create_reminder(
                    session, user, home.id, title=f"Rappel {n}", start=datetime(2026, 12, 2, 8),
                    now=START,
                )  # fmt: skip
            except Conflict as exc:
                refused += 1
                assert "déjà 100 rappels actifs" in exc.message
        session.commit()
    assert refused == 500 - MAX_ACTIVE_PER_BENEFICIARY

    response = home.create_reminder(start="2026-12-01T08:00:00")
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == (
        "Cette personne a déjà 100 rappels actifs, le plus que la tablette affiche : "
        "mettez-en un en pause ou supprimez-en un d'abord."
    )
    assert len(home.tablet_syncs()["upserts"]["reminders"]) == MAX_ACTIVE_PER_BENEFICIARY

    # A paused one leaves room; resuming it when the room is taken again is refused.
    first, second = [r["id"] for r in home.client.get(home.url, headers=home.cm.headers).json()][:2]
    for rid in (first, second):
        assert (
            home.client.post(f"{home.url}/{rid}/pause", headers=home.cm.headers).status_code == 200
        )
    assert home.create_reminder(start="2026-12-01T08:00:00").status_code == 201
    assert (
        home.client.post(f"{home.url}/{first}/resume", headers=home.cm.headers).status_code == 200
    )
    resumed = home.client.post(f"{home.url}/{second}/resume", headers=home.cm.headers)
    assert resumed.status_code == 409, resumed.text


def test_two_creations_at_once_cannot_both_take_the_last_place(
    app: TestClient, home: Home, is_postgres: bool
) -> None:
    if not is_postgres:
        pytest.skip("concurrent writers are several processes on PostgreSQL; SQLite has one")
    with session_of(app) as session:
        user = session.get(User, home.cm.id)
        assert user is not None
        for n in range(MAX_ACTIVE_PER_BENEFICIARY - 1):
            reminders.create_reminder(
                session, user, home.id, title=f"Rappel {n}", start=datetime(2026, 12, 2, 8),
                now=START,
            )  # fmt: skip
        session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def create(n: int) -> None:
        with session_of(app) as session:
            user = session.get(User, home.cm.id)
            assert user is not None
            start.wait(30)
            try:
                reminders.create_reminder(
                    session, user, home.id, title=f"Dernier {n}", start=datetime(2026, 12, 2, 9),
                    now=START,
                )  # fmt: skip
                session.commit()
                outcomes.append("created")
            except Conflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["created", "refused"]
    with session_of(app) as session:
        active = session.scalar(select(func.count(Reminder.id)).where(Reminder.paused_at.is_(None)))
    assert active == MAX_ACTIVE_PER_BENEFICIARY


# --- daylight saving ----------------------------------------------------------------------------


def test_eight_oclock_stays_eight_oclock_across_both_changes(home: Home) -> None:
    home.at(paris(2026, 3, 27, 12))
    spring = home.reminder(
        start="2026-03-27T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30
    )
    home.at(paris(2026, 10, 23, 12))
    autumn = home.reminder(
        start="2026-10-23T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30
    )
    dues = {}
    for rid, day in [(spring["id"], (2026, 3, 28)), (autumn["id"], (2026, 10, 24))]:
        with session_of(home.client) as session:
            row = session.get(Reminder, rid)
            assert row is not None
            start = paris(*day)
            dues[rid] = [
                d.isoformat()
                for d in reminders.as_schedule(row, PARIS).due_between(
                    start, start + timedelta(days=4)
                )
            ]
    # 8:00 in Paris is 7:00 UTC in winter and 6:00 UTC in summer.
    assert dues[spring["id"]] == [
        "2026-03-28T07:00:00+00:00",  # Saturday, winter time
        "2026-03-29T06:00:00+00:00",  # Sunday, summer time from 2:00
        "2026-03-30T06:00:00+00:00",
        "2026-03-31T06:00:00+00:00",
    ]
    assert dues[autumn["id"]] == [
        "2026-10-24T06:00:00+00:00",
        "2026-10-25T07:00:00+00:00",  # Sunday, winter time from 3:00
        "2026-10-26T07:00:00+00:00",
        "2026-10-27T07:00:00+00:00",
    ]
    # The API says the same in Paris time, and the tablet confirms the right instants.
    home.at(paris(2026, 3, 28, 12))
    shown = home.client.get(f"{home.url}/{spring['id']}", headers=home.cm.headers).json()
    assert shown["next_due"] == "2026-03-29T08:00:00+02:00"
    home.at(paris(2026, 3, 29, 10))
    pressed = paris(2026, 3, 29, 8, 5)
    assert home.done(spring["id"], paris(2026, 3, 29, 8), pressed).json() == {"state": "confirmed"}
    wrong = home.done(spring["id"], datetime(2026, 3, 29, 7, 0, tzinfo=UTC))  # 9:00 in Paris
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["detail"] == "due_at : ce rappel n'est pas prévu à cette heure."
    home.at(paris(2026, 10, 25, 8, 5))
    assert home.done(autumn["id"], paris(2026, 10, 25, 8)).json() == {"state": "confirmed"}
    assert home.outcome(autumn["id"], datetime(2026, 10, 25, 7, tzinfo=UTC)) == "confirmed"


def test_a_time_in_the_spring_gap_is_due_after_it_and_a_repeated_time_once(home: Home) -> None:
    home.at(paris(2026, 3, 27, 12))
    rid = home.reminder(start="2026-03-27T02:30:00", rrule="FREQ=DAILY")["id"]
    with session_of(home.client) as session:
        row = session.get(Reminder, rid)
        assert row is not None
        spring = reminders.as_schedule(row, PARIS).due_between(
            paris(2026, 3, 28), paris(2026, 3, 31)
        )
        autumn = reminders.as_schedule(row, PARIS).due_between(
            paris(2026, 10, 24), paris(2026, 10, 27)
        )
    assert [d.astimezone(PARIS).isoformat() for d in spring] == [
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",  # 2:30 does not exist that night: due at 3:30
        "2026-03-30T02:30:00+02:00",
    ]
    assert [d.astimezone(PARIS).isoformat() for d in autumn] == [
        "2026-10-24T02:30:00+02:00",
        "2026-10-25T02:30:00+02:00",  # 2:30 happens twice that night: due once, the first
        "2026-10-26T02:30:00+01:00",
    ]
    home.at(paris(2026, 3, 29, 1))
    assert home.client.get(f"{home.url}/{rid}", headers=home.cm.headers).json()["next_due"] == (
        "2026-03-29T03:30:00+02:00"
    )
    home.at(paris(2026, 3, 29, 3, 40))
    assert home.done(rid, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)).json() == {"state": "confirmed"}
    home.at(paris(2026, 10, 25, 4))
    second = home.done(rid, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # the second 2:30
    assert second.status_code == 422, second.text
    first = home.done(rid, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert first.json() == {"state": "confirmed"}


# --- "C'est fait" from the tablet -------------------------------------------------------------


def test_the_tablet_confirms_an_occurrence_once(home: Home) -> None:
    rid = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY", escalate_after_minutes=30)[
        "id"
    ]
    due = paris(2026, 12, 1, 8)
    home.at(paris(2026, 12, 1, 8, 3))
    first = home.done(rid, due, key="outbox-0001")
    assert first.status_code == 200, first.text
    assert first.json() == {"state": "confirmed"}
    replay = home.done(rid, due, key="outbox-0001")  # the outbox sent it again: same answer
    assert replay.json() == {"state": "confirmed"}
    assert replay.headers.get("Idempotency-Replayed") == "true"
    # Another press of the same occurrence (a second tablet) keeps the first.
    home.later(minutes=50)
    assert home.done(rid, due).json() == {"state": "confirmed"}
    assert home.outcome(rid, due) == "confirmed"

    # After the 30 minutes: late.
    home.at(paris(2026, 12, 2, 8, 45))
    assert home.done(rid, paris(2026, 12, 2, 8)).json() == {"state": "late"}
    # A time that is not one of its occurrences is refused; an unknown field too.
    wrong = home.done(rid, paris(2026, 12, 2, 7))
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["detail"] == "due_at : ce rappel n'est pas prévu à cette heure."
    odd = home.client.post(
        f"{API}/device/actions",
        json={"type": "reminder_done", "data": {"reminder_id": rid, "due_at": utc(due), "x": 1}},
        headers={"Authorization": f"Bearer {home.credential}", "Idempotency-Key": "odd-00001"},
    )
    assert odd.status_code == 422, odd.text


def test_a_confirmation_for_a_deleted_reminder_is_gone(home: Home, app: TestClient) -> None:
    rid = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY")["id"]
    home.at(paris(2026, 12, 1, 8, 3))
    assert home.client.delete(f"{home.url}/{rid}", headers=home.cm.headers).status_code == 204
    assert home.done(rid, paris(2026, 12, 1, 8)).json() == {"state": "gone"}
    # Another beneficiary's tablet learns nothing of it either.
    other_cm = care_manager(app)
    other = create_beneficiary(app, other_cm, first_name="Albert")
    theirs = home.reminder(start="2026-12-01T08:00:00", rrule="FREQ=DAILY")["id"]
    albert = Home(app, other_cm, home.clock, other["id"], tablet(app, other_cm, other["id"]))
    assert albert.done(theirs, paris(2026, 12, 1, 8)).json() == {"state": "gone"}
    assert home.outcome(theirs, paris(2026, 12, 1, 8)) is None


# --- who may manage them ----------------------------------------------------------------------


def test_the_care_manager_allows_a_family_member_to_manage_the_reminders(home: Home) -> None:
    daughter = member(home, "family", name="Sophie")
    nurse = member(home, "professional", "nurse", name="Inès")
    neighbour = member(home, "neighbour", name="Marc")
    aide = member(home, "professional", "home_aide", name="Léa")
    body = {"title": "Boire", "kind": "drink", "start": "2026-12-01T15:00:00"}

    assert home.client.get(home.url, headers=daughter.headers).status_code == 200
    assert home.client.get(home.url, headers=neighbour.headers).status_code == 403
    assert home.client.get(home.url, headers=aide.headers).status_code == 403
    refused = home.client.post(home.url, json=body, headers=daughter.headers)
    assert refused.status_code == 403, refused.text

    granted = home.client.put(f"{home.url}/editors/{daughter.id}", headers=home.cm.headers)
    assert granted.status_code == 200, granted.text
    assert granted.json()["effective"] is True
    created = home.client.post(home.url, json=body, headers=daughter.headers)
    assert created.status_code == 201, created.text
    assert created.json()["created_by_id"] == daughter.id
    rid = created.json()["id"]
    for call in (
        lambda: home.client.patch(
            f"{home.url}/{rid}", json={"repeat_count": 1}, headers=daughter.headers
        ),
        lambda: home.client.post(f"{home.url}/{rid}/pause", headers=daughter.headers),
        lambda: home.client.post(f"{home.url}/{rid}/resume", headers=daughter.headers),
    ):
        assert call().status_code == 200
    # Only the care manager delegates; only to family and health professionals of the circle.
    assert (
        home.client.put(f"{home.url}/editors/{nurse.id}", headers=daughter.headers).status_code
        == 403
    )
    for who in (neighbour, aide):
        response = home.client.put(f"{home.url}/editors/{who.id}", headers=home.cm.headers)
        assert response.status_code == 422, response.text
    outsider = person(home.client, name="Loin")
    assert (
        home.client.put(f"{home.url}/editors/{outsider.id}", headers=home.cm.headers).status_code
        == 422
    )
    assert (
        home.client.put(f"{home.url}/editors/{nurse.id}", headers=home.cm.headers).status_code
        == 200
    )
    editors = home.client.get(f"{home.url}/editors", headers=nurse.headers).json()
    assert [(e["name"], e["effective"]) for e in editors] == [("Inès", True), ("Sophie", True)]

    revoked = home.client.delete(f"{home.url}/editors/{daughter.id}", headers=home.cm.headers)
    assert revoked.status_code == 204, revoked.text
    assert home.client.delete(f"{home.url}/{rid}", headers=daughter.headers).status_code == 403
    again = home.client.delete(f"{home.url}/editors/{daughter.id}", headers=home.cm.headers)
    assert again.status_code == 404

    # A delegation holds while the role does: out of the circle, the nurse has nothing.
    with session_of(home.client) as session:
        session.execute(delete(CircleMember).where(CircleMember.user_id == nurse.id))
        session.commit()
    assert home.client.post(home.url, json=body, headers=nurse.headers).status_code == 404
    editors = home.client.get(f"{home.url}/editors", headers=home.cm.headers).json()
    assert [(e["name"], e["effective"]) for e in editors] == [("Inès", False)]
