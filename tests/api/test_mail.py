"""Alert e-mails through a real SMTP server on loopback (aiosmtpd, tests/smtp_server.py).

The application runs without its jobs thread (`run_jobs=False`): each test runs the due jobs
itself with `jobs.run_due` at an explicit `now`, on the `clock` the application answers with.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.models import AlertEvent, AlertNotification, Job, OutgoingEmail, User
from backend.services import alerts, jobs, mail
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    CareManager,
    care_manager,
    create_beneficiary,
    session_of,
    state_of,
    wait_until,
)
from tests.api.members import Person, invite, person
from tests.smtp_server import SmtpServer, running_smtp_server

# Thursday 3 December 2026, 10:00 in Paris (UTC+1).
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
# Never in an e-mail: the alert's own message stands in for a reminder's title.
HEALTH_DETAIL = "Médicaments du matin"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def _smtp_settings(server: SmtpServer) -> dict[str, Any]:
    return {
        "run_jobs": False,
        "smtp_host": server.host,
        "smtp_port": server.port,
        "smtp_security": "none",
        "mail_from": "Foyer <alertes@foyer.test>",
    }


@pytest.fixture
def app(make_client: MakeClient, clock: Clock, smtp_server: SmtpServer) -> TestClient:
    return make_client(clock=clock, **_smtp_settings(smtp_server))


def raise_alert(
    client: TestClient,
    beneficiary_id: int,
    now: datetime,
    *,
    key: str,
    recipients: tuple[int, ...] = (),
    critical: bool = False,
    kind: str = "reminder_missed",
) -> int:
    with session_of(client) as session:
        alert = alerts.raise_alert(
            session,
            beneficiary_id=beneficiary_id,
            kind=kind,
            message=f"{HEALTH_DETAIL} : pas de confirmation",
            dedupe_key=key,
            recipient_ids=list(recipients),
            critical=critical,
            now=now,
        )
        assert alert is not None
        session.commit()
        return alert.id


def run_jobs(client: TestClient, now: datetime, worker: str = "test-worker") -> int:
    """Every job due at `now`, including those the jobs run plan for now."""
    total = 0
    while done := jobs.run_due(state_of(client).sessions, worker, now):
        total += done
    return total


def daughter_of(client: TestClient, beneficiary_id: int) -> Person:
    sophie = person(client, name="Sophie Martin")
    invite(client, beneficiary_id, sophie.id, "family")
    return sophie


def set_preferences(client: TestClient, who: Person | CareManager, **body: Any) -> Any:
    response = client.put(f"{API}/me/notifications", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def email_states(client: TestClient) -> list[str]:
    with session_of(client) as session:
        return list(session.scalars(select(OutgoingEmail.state).order_by(OutgoingEmail.id)))


# --- at once ---------------------------------------------------------------------------------


def test_an_alert_is_emailed_at_once_to_the_care_manager_and_the_named_recipient(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    sophie = daughter_of(app, beneficiary_id)
    alert_id = raise_alert(app, beneficiary_id, clock.now, key="r:1", recipients=(sophie.id,))

    assert run_jobs(app, clock.now) == 2
    assert run_jobs(app, clock.now + timedelta(hours=3)) == 0  # nothing twice

    assert len(smtp_server.messages) == 2
    assert smtp_server.envelopes[0][0] == "alertes@foyer.test"
    [to_sophie] = smtp_server.to(sophie.email)
    [to_cm] = smtp_server.to(cm.email)
    for message, user_id in ((to_sophie, sophie.id), (to_cm, cm.id)):
        assert message["Subject"] == "Foyer — un rappel n'a pas été confirmé pour Jeanne Martin"
        assert message["Message-ID"] == f"<alert-{alert_id}-user-{user_id}@foyer.test>"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.get_content_type() == "text/plain"
        body = message.get_content()
        assert "Un rappel n'a pas été confirmé pour Jeanne Martin." in body
        assert f"http://foyer.test/alerts/{alert_id}" in body
        assert "jeudi 3 décembre à 10\u00a0h" in body  # when, in the person's zone
        assert HEALTH_DETAIL not in message.as_string()
        assert HEALTH_DETAIL not in body
    assert to_sophie.get_content().startswith("Bonjour Sophie Martin,")

    assert email_states(app) == ["sent", "sent"]
    with session_of(app) as session:
        notified = session.scalars(
            select(AlertEvent.note).where(AlertEvent.action == "notified").order_by(AlertEvent.id)
        ).all()
    assert sorted(notified) == ["E-mail à Claire", "E-mail à Sophie Martin"]


def test_a_person_outside_the_circle_named_on_an_alert_hears_nothing(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    stranger = person(app, name="Inconnu")
    raise_alert(app, beneficiary_id, clock.now, key="r:1", recipients=(stranger.id,))
    run_jobs(app, clock.now)
    assert [m["To"] for m in smtp_server.messages] == [cm.email]


def test_an_alert_closed_before_its_email_went_out_is_not_sent(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    alert_id = raise_alert(app, beneficiary_id, clock.now, key="r:1")
    with session_of(app) as session:
        alerts.auto_close(session, alert_id, "Confirmé à 10 h 02 par la tablette", clock.now)
        session.commit()
    run_jobs(app, clock.now)
    assert smtp_server.messages == []
    assert email_states(app) == ["cancelled"]


# --- quiet hours -----------------------------------------------------------------------------


def test_quiet_hours_hold_an_alert_until_they_end(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    sophie = daughter_of(app, beneficiary_id)
    set_preferences(
        app, sophie, email_mode="immediate", quiet_start="21:00", quiet_end="08:00",
        timezone="Europe/Paris",
    )  # fmt: skip
    night = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    raise_alert(app, beneficiary_id, night, key="r:1", recipients=(sophie.id,))

    run_jobs(app, night)
    assert [m["To"] for m in smtp_server.messages] == [cm.email]  # no quiet hours chosen
    run_jobs(app, datetime(2026, 12, 4, 6, 59, tzinfo=UTC))  # 7:59 in Paris
    assert smtp_server.to(sophie.email) == []

    run_jobs(app, datetime(2026, 12, 4, 7, 0, tzinfo=UTC))  # 8:00 in Paris
    [held] = smtp_server.to(sophie.email)
    assert held["Subject"] == "Foyer — un rappel n'a pas été confirmé pour Jeanne Martin"
    # Written when the alert was raised: the same message whenever it leaves.
    assert "jeudi 3 décembre à 23\u00a0h\u00a030" in held.get_content()


def test_a_critical_alert_goes_out_during_quiet_hours(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    sophie = daughter_of(app, beneficiary_id)
    set_preferences(
        app, sophie, email_mode="immediate", quiet_start="21:00", quiet_end="08:00",
        timezone="Europe/Paris",
    )  # fmt: skip
    night = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    raise_alert(app, beneficiary_id, night, key="r:1", recipients=(sophie.id,), critical=True)

    run_jobs(app, night)
    [sent] = smtp_server.to(sophie.email)
    assert sent["Subject"] == (
        "Foyer — important : un rappel n'a pas été confirmé pour Jeanne Martin"
    )
    assert "Cette alerte est marquée importante." in sent.get_content()


def test_quiet_hours_across_a_daylight_saving_change_end_at_the_local_hour() -> None:
    preferences = mail.Preferences("immediate", 18, "22:00", "07:00", "Europe/Paris")
    # Saturday 28 March 2026, 23:00 in Paris (UTC+1); the clocks go forward that night.
    night = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert mail.quiet_until(preferences, night) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert mail.quiet_until(preferences, datetime(2026, 3, 29, 5, 0, tzinfo=UTC)) is None
    daytime = mail.Preferences("immediate", 18, "12:00", "14:00", "Europe/Paris")
    assert mail.quiet_until(daytime, START) is None  # 10:00
    assert mail.quiet_until(daytime, START + timedelta(hours=3)) == START + timedelta(hours=4)


# --- digest and never ------------------------------------------------------------------------


def test_a_digest_gathers_the_days_alerts_into_one_email(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    sophie = daughter_of(app, beneficiary_id)
    set_preferences(app, sophie, email_mode="digest", digest_hour=18, timezone="Europe/Paris")
    ids = []
    for hour in (1, 2, 3):  # 11:00, 12:00, 13:00 in Paris
        at = START + timedelta(hours=hour)
        ids.append(raise_alert(app, beneficiary_id, at, key=f"r:{hour}", recipients=(sophie.id,)))
        run_jobs(app, at)
    assert len(smtp_server.to(cm.email)) == 3  # the care manager: at once, one each
    assert smtp_server.to(sophie.email) == []

    run_jobs(app, datetime(2026, 12, 3, 16, 59, tzinfo=UTC))
    assert smtp_server.to(sophie.email) == []
    run_jobs(app, datetime(2026, 12, 3, 17, 0, tzinfo=UTC))  # 18:00 in Paris
    [digest] = smtp_server.to(sophie.email)
    assert digest["Subject"] == "Foyer — 3 alertes en attente"
    assert digest["Message-ID"] == f"<digest-{sophie.id}-2026-12-03@foyer.test>"
    body = digest.get_content()
    for alert_id in ids:
        assert f"http://foyer.test/alerts/{alert_id}" in body
    assert body.count("Un rappel n'a pas été confirmé pour Jeanne Martin") == 3
    assert HEALTH_DETAIL not in body

    # The next day's digest has nothing to say: no e-mail, and the chain ends there.
    run_jobs(app, datetime(2026, 12, 4, 17, 0, tzinfo=UTC))
    run_jobs(app, datetime(2026, 12, 10, 17, 0, tzinfo=UTC))
    assert len(smtp_server.to(sophie.email)) == 1
    with session_of(app) as session:
        pending = session.scalar(select(func.count(Job.id)).where(Job.state == "pending"))
    assert pending == 0


def test_a_digest_leaves_out_alerts_closed_meanwhile(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    set_preferences(app, cm, email_mode="digest", digest_hour=18, timezone="Europe/Paris")
    kept = raise_alert(app, beneficiary_id, clock.now, key="r:1")
    closed = raise_alert(app, beneficiary_id, clock.now, key="r:2")
    response = app.post(
        f"{API}/alerts/{closed}/close", json={"note": "Appelée, tout va bien"}, headers=cm.headers
    )
    assert response.status_code == 200, response.text
    run_jobs(app, datetime(2026, 12, 3, 17, 0, tzinfo=UTC))
    [digest] = smtp_server.messages
    assert digest["Subject"] == "Foyer — 1 alerte en attente"
    assert f"/alerts/{kept}" in digest.get_content()
    assert f"/alerts/{closed}\n" not in digest.get_content()


def test_never_sends_nothing(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    sophie = daughter_of(app, beneficiary_id)
    set_preferences(app, sophie, email_mode="never")
    set_preferences(app, cm, email_mode="never")
    raise_alert(app, beneficiary_id, clock.now, key="r:1", recipients=(sophie.id,), critical=True)
    run_jobs(app, clock.now)
    run_jobs(app, clock.now + timedelta(days=2))
    assert smtp_server.messages == []
    with session_of(app) as session:
        assert session.scalar(select(func.count(AlertNotification.id))) == 0
        assert session.scalar(select(func.count(OutgoingEmail.id))) == 0


# --- failures and concurrency ----------------------------------------------------------------


def test_a_server_down_is_retried_later_then_the_email_is_delivered_once(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    smtp_server.stop()
    raise_alert(app, beneficiary_id, clock.now, key="r:1")
    assert run_jobs(app, clock.now) == 0
    with session_of(app) as session:
        job = session.scalars(select(Job).where(Job.kind == "send_email")).one()
        assert job.state == "pending" and job.attempts == 1
        assert job.run_at > clock.now
        assert job.last_error
        retry_at = job.run_at
    assert email_states(app) == ["pending"]

    smtp_server.start()
    assert run_jobs(app, clock.now) == 0  # not before its time
    assert smtp_server.messages == []
    assert run_jobs(app, retry_at) == 1
    assert run_jobs(app, retry_at + timedelta(hours=5)) == 0
    assert [m["To"] for m in smtp_server.messages] == [cm.email]
    assert email_states(app) == ["sent"]


def test_an_email_whose_retries_run_out_is_failed_with_the_reason(
    app: TestClient, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    """The server stays down: after the last attempt the job is "failed", and so is its e-mail
    (not "pending" for ever), with the last error; nothing goes out later."""
    smtp_server.stop()
    raise_alert(app, beneficiary_id, clock.now, key="r:1")
    now = clock.now
    for _ in range(mail.SEND_ATTEMPTS):
        assert email_states(app) == ["pending"]
        run_jobs(app, now)
        with session_of(app) as session:
            job = session.scalars(select(Job).where(Job.kind == "send_email")).one()
        now = job.run_at
    assert (job.state, job.attempts) == ("failed", mail.SEND_ATTEMPTS)
    with session_of(app) as session:
        email = session.scalars(select(OutgoingEmail)).one()
        assert (email.state, email.sent_at) == ("failed", None)
        assert email.last_error is not None
        assert email.last_error.startswith(
            f"envoi abandonné après {mail.SEND_ATTEMPTS} tentatives : "
        )
        assert "Connection refused" in email.last_error or "Errno" in email.last_error
        # The alert's history says no e-mail went out.
        notified = session.scalar(
            select(func.count(AlertEvent.id)).where(AlertEvent.action == mail.NOTIFIED)
        )
        assert notified == 0
    smtp_server.start()
    assert run_jobs(app, now + timedelta(days=1)) == 0
    assert smtp_server.messages == []


def test_a_temporary_refusal_is_retried_and_a_permanent_one_is_not(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    raise_alert(app, beneficiary_id, clock.now, key="r:1")
    run_jobs(app, clock.now)
    assert email_states(app) == ["pending"]

    smtp_server.refuse_with = "554 5.7.1 Rejected"
    run_jobs(app, clock.now + timedelta(hours=2))
    assert email_states(app) == ["failed"]
    run_jobs(app, clock.now + timedelta(days=1))
    assert smtp_server.messages == []
    with session_of(app) as session:
        email = session.scalars(select(OutgoingEmail)).one()
        assert "554" in (email.last_error or "")
        assert session.scalars(select(Job.state).where(Job.kind == "send_email")).one() == "done"


def test_starttls_asked_and_not_offered_sends_nothing_in_clear(
    make_client: MakeClient, clock: Clock, smtp_server: SmtpServer
) -> None:
    client = make_client(
        clock=clock, **{**_smtp_settings(smtp_server), "smtp_security": "starttls"}
    )
    cm = care_manager(client)
    beneficiary_id = create_beneficiary(client, cm)["id"]
    raise_alert(client, beneficiary_id, clock.now, key="r:1")
    run_jobs(client, clock.now)
    assert smtp_server.messages == []
    assert email_states(client) == ["pending"]
    with session_of(client) as session:
        error = session.scalars(select(Job.last_error).where(Job.kind == "send_email")).one()
    assert "STARTTLS" in (error or "")


def test_a_worker_killed_after_the_server_accepted_resends_the_same_message(
    app: TestClient, cm: CareManager, beneficiary_id: int, smtp_server: SmtpServer, clock: Clock
) -> None:
    """What `backend.services.mail` says of a kill between SMTP acceptance and the commit."""
    raise_alert(app, beneficiary_id, clock.now, key="r:1")
    sessions = state_of(app).sessions
    [job_id] = jobs.claim(sessions, "killed-worker", clock.now)
    with sessions() as session:  # the handler got as far as the server's "250", then died
        job = session.get(Job, job_id)
        assert job is not None
        email = session.get(OutgoingEmail, json.loads(job.payload)["email_id"])
        assert email is not None
        mail.deliver(email)
        session.rollback()
    assert run_jobs(app, clock.now + timedelta(minutes=1)) == 0  # its lease still holds
    assert run_jobs(app, clock.now + timedelta(minutes=6)) == 1  # another worker, same e-mail
    first, second = smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Date"] == second["Date"]
    assert first.get_content() == second.get_content()
    assert email_states(app) == ["sent"]


def test_two_workers_on_postgresql_send_each_email_once(
    make_client: MakeClient,
    clock: Clock,
    smtp_server: SmtpServer,
    is_postgres: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not is_postgres:
        pytest.skip("two processes' workers: PostgreSQL (SQLite serves one process)")
    first = make_client(clock=clock, **_smtp_settings(smtp_server))
    second = make_client(clock=clock, **_smtp_settings(smtp_server))
    cm = care_manager(first)
    beneficiary_id = create_beneficiary(first, cm)["id"]
    sophie = daughter_of(first, beneficiary_id)
    for n in range(15):
        raise_alert(first, beneficiary_id, clock.now, key=f"r:{n}", recipients=(sophie.id,))
    # Small claims, so that the two workers take turns on the table rather than one taking all.
    monkeypatch.setattr(jobs, "CLAIM_BATCH", 3)
    monkeypatch.setattr(jobs.claim, "__defaults__", (3,))

    start = threading.Barrier(2)
    done: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(client: TestClient, name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                start.wait()
                done[name] = run_jobs(client, clock.now, worker=name)
            except BaseException as exc:  # reported below
                errors.append(exc)

        return run

    threads = [
        threading.Thread(target=work(first, "worker-a")),
        threading.Thread(target=work(second, "worker-b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert done["worker-a"] + done["worker-b"] == 30

    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 30
    assert len(set(ids)) == 30
    assert email_states(first) == ["sent"] * 30


def test_the_applications_own_worker_sends_on_its_clock(
    make_client: MakeClient, clock: Clock, smtp_server: SmtpServer
) -> None:
    """The jobs thread the application starts (Settings.run_jobs), without a test's help."""
    client = make_client(clock=clock, **{**_smtp_settings(smtp_server), "run_jobs": True,
                                         "jobs_poll_seconds": 0.05})  # fmt: skip
    cm = care_manager(client)
    beneficiary_id = create_beneficiary(client, cm)["id"]
    raise_alert(client, beneficiary_id, clock.now, key="r:1")
    wait_until(lambda: len(smtp_server.messages) == 1, timeout=20)
    assert smtp_server.messages[0]["To"] == cm.email


# --- where messages go without a server ------------------------------------------------------


def test_without_an_smtp_host_emails_are_files_in_the_mail_dir(
    make_client: MakeClient, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"
    client = make_client(clock=clock, run_jobs=False, mail_dir=folder)
    cm = care_manager(client)
    beneficiary_id = create_beneficiary(client, cm)["id"]
    alert_id = raise_alert(client, beneficiary_id, clock.now, key="r:1")
    run_jobs(client, clock.now)
    [eml] = sorted(folder.glob("*.eml"))
    text = eml.read_bytes()
    assert f"<alert-{alert_id}-user-{cm.id}@foyer.test>".encode() in text
    assert HEALTH_DETAIL.encode() not in text
    assert email_states(client) == ["sent"]


# --- preferences -----------------------------------------------------------------------------


def test_preferences_default_then_chosen(app: TestClient, cm: CareManager) -> None:
    response = app.get(f"{API}/me/notifications", headers=cm.headers)
    assert response.json() == {
        "email_mode": "immediate",
        "digest_hour": 18,
        "quiet_start": None,
        "quiet_end": None,
        "timezone": "Europe/Paris",
    }
    chosen = set_preferences(
        app, cm, email_mode="digest", digest_hour=7, quiet_start="21:30", quiet_end="7:00",
        timezone="America/Montreal",
    )  # fmt: skip
    assert chosen == {
        "email_mode": "digest",
        "digest_hour": 7,
        "quiet_start": "21:30",
        "quiet_end": "07:00",
        "timezone": "America/Montreal",
    }
    assert app.get(f"{API}/me/notifications", headers=cm.headers).json() == chosen


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"email_mode": "sometimes"}, "email_mode"),
        ({"email_mode": "digest", "digest_hour": 24}, "digest_hour"),
        ({"email_mode": "immediate", "quiet_start": "25:00", "quiet_end": "08:00"}, "25:00"),
        ({"email_mode": "immediate", "quiet_start": "21:00"}, "heures calmes"),
        ({"email_mode": "immediate", "timezone": "Europe/Atlantis"}, "Europe/Atlantis"),
        ({"email_mode": "immediate", "extra": 1}, "extra"),
    ],
)
def test_wrong_preferences_are_refused_in_french(
    app: TestClient, cm: CareManager, body: dict[str, Any], words: str
) -> None:
    response = app.put(f"{API}/me/notifications", json=body, headers=cm.headers)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    with session_of(app) as session:
        user = session.get(User, cm.id)
        assert user is not None
        assert mail.get_preferences(session, user) == mail.DEFAULT_PREFERENCES


def test_preferences_need_a_person(app: TestClient) -> None:
    assert app.get(f"{API}/me/notifications").status_code == 401
    response = app.put(f"{API}/me/notifications", json={"email_mode": "never"})
    assert response.status_code == 401
