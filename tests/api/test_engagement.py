"""Family engagement (issue 16): when each relative last wrote, sent a photo or answered Jeanne,
said "Marie : il y a 2 jours · Luc : il y a 3 semaines", and the opt-in gentle e-mail after a
chosen number of days of silence: once per silence, never to someone who chose "never", never
about health. On SQLite and PostgreSQL, on an injected clock."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from backend.models import OutgoingEmail, User
from backend.services import engagement, jobs, mail
from tests.api.circle_fixtures import CircleSetup, build_circle, care_manager_of, join
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, device_headers, pair_device, session_of, state_of
from tests.api.signs_helpers import TOKEN_TTL, paris


@pytest.fixture
def clock() -> Clock:
    return Clock(paris(2026, 11, 2, 10).astimezone(UTC))


@pytest.fixture
def app(make_client: MakeClient, clock: Clock) -> TestClient:
    return make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)


@pytest.fixture
def circle(app: TestClient) -> CircleSetup:
    return build_circle(app)


def write(app: TestClient, headers: dict[str, str], beneficiary_id: int, **extra: Any) -> int:
    response = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        json={"space": "daily", "body": "Bonjour !", **extra},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def photo(app: TestClient, headers: dict[str, str], beneficiary_id: int) -> None:
    out = io.BytesIO()
    Image.frombytes("RGB", (32, 24), os.urandom(32 * 24 * 3)).save(out, "JPEG")
    response = app.post(
        f"{API}/beneficiaries/{beneficiary_id}/photos",
        files=[("files", ("photo.jpg", out.getvalue(), "image/jpeg"))],
        headers=headers,
    )
    assert response.status_code in (200, 201), response.text


def at(clock: Clock, *when: int) -> None:
    clock.now = paris(*when).astimezone(UTC)


def emails(app: TestClient) -> list[OutgoingEmail]:
    with session_of(app) as session:
        rows = list(session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))
        session.expunge_all()
        return rows


def run_jobs(app: TestClient, clock: Clock) -> None:
    """Every job due now, and those they plan for now (the e-mail's sending)."""
    while jobs.run_due(state_of(app).sessions, "worker-1", clock.now):
        pass


def test_who_was_in_touch_when(app: TestClient, circle: CircleSetup, clock: Clock) -> None:
    jeanne = circle.jeanne_id
    luc = join(app, circle.care_manager, jeanne, "luc@famille.test", "Luc Martin", "family")
    write(app, luc.headers, jeanne)  # 2 November
    at(clock, 2026, 11, 20, 15)
    photo(app, circle.daughter.headers, jeanne)
    at(clock, 2026, 11, 21, 9)
    sophie_says = write(app, circle.daughter.headers, jeanne)
    tablet = pair_device(app, care_manager_of(circle.care_manager), jeanne)["access_token"]
    reply = app.post(
        f"{API}/device/actions",
        json={"type": "reply", "data": {"reply_to_id": sophie_says, "body": "Merci ma chérie"}},
        headers={**device_headers(tablet), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 200, reply.text
    at(clock, 2026, 11, 22, 18)
    write(app, circle.daughter.headers, jeanne, reply_to_id=int(reply.json()["id"]))
    at(clock, 2026, 11, 24, 10)

    url = f"{API}/beneficiaries/{jeanne}/engagement"
    shown = app.get(url, headers=circle.care_manager.headers).json()
    assert shown["summary"] == "Sophie : il y a 2 jours · Luc : il y a 3 semaines · Marc : jamais"
    by_name = {c["name"]: c for c in shown["contacts"]}
    assert [c["name"] for c in shown["contacts"]] == ["Marc Petit", "Luc Martin", "Sophie Martin"]
    sophie = by_name["Sophie Martin"]
    assert sophie["last_photo_at"].startswith("2026-11-20T14:00")
    assert sophie["last_answer_at"].startswith("2026-11-22T17:00")
    assert sophie["last_message_at"].startswith("2026-11-22T17:00")
    assert (
        by_name["Marc Petit"]["since"] == "jamais"
        and by_name["Marc Petit"]["relation"] == "neighbour"
    )
    # The professionals are not "relatives".
    assert "Inès Leroy" not in by_name
    # For the care manager only.
    assert app.get(url, headers=circle.daughter.headers).status_code == 403
    assert app.get(url, headers=circle.nurse.headers).status_code == 403
    assert app.get(url, headers=circle.outsider.headers).status_code == 404


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "aujourd'hui"), (1, "hier"), (5, "il y a 5 jours"), (13, "il y a 13 jours"),
     (14, "il y a 2 semaines"), (59, "il y a 8 semaines"), (60, "il y a 2 mois"),
     (400, "il y a 13 mois")],
)  # fmt: skip
def test_since_in_words(days: int, words: str) -> None:
    now = paris(2026, 11, 24, 10)
    tz = now.tzinfo
    assert tz is not None
    said = engagement.since_words(now - timedelta(days=days), now, tz)  # type: ignore[arg-type]
    assert said == words
    assert engagement.since_words(None, now, tz, "en") == "never"  # type: ignore[arg-type]


def test_a_gentle_email_after_the_chosen_silence_once_per_silence(
    app: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    luc = join(app, circle.care_manager, jeanne, "luc@famille.test", "Luc Martin", "family")
    write(app, luc.headers, jeanne)  # Monday 2 November, 10 h
    nudge = f"{API}/beneficiaries/{jeanne}/engagement/nudges"
    for wrong in ({"after_days": 2}, {"after_days": 91}, {"after_days": "14"}, {}):
        response = app.put(f"{nudge}/{luc.id}", json=wrong, headers=circle.care_manager.headers)
        assert response.status_code == 422, wrong
    assert (
        app.put(f"{nudge}/{circle.nurse.id}", json={"after_days": 7},
                headers=circle.care_manager.headers).status_code == 404
    )  # fmt: skip
    assert (
        app.put(f"{nudge}/{luc.id}", json={"after_days": 7},
                headers=circle.daughter.headers).status_code == 403
    )  # fmt: skip
    set_ = app.put(
        f"{nudge}/{luc.id}", json={"after_days": 14}, headers=circle.care_manager.headers
    )
    assert set_.status_code == 200, set_.text
    luc_row = next(c for c in set_.json()["contacts"] if c["name"] == "Luc Martin")
    assert luc_row["nudge_after_days"] == 14

    for day in range(3, 17):  # every day at 10 h until 16 November: 14 days on the 16th
        at(clock, 2026, 11, day, 10)
        run_jobs(app, clock)
        if day < 16:
            assert emails(app) == [], day
    (sent,) = emails(app)
    assert sent.to_address == "luc@famille.test" and sent.state == mail.SENT
    assert sent.subject == "Foyer — des nouvelles pour Jeanne ?"
    assert "Jeanne Martin n'a pas eu de vos nouvelles dans Foyer depuis 2 semaines." in sent.body
    assert f"/b/{jeanne}/messages?space=daily" in sent.body
    for health_word in ("humeur", "rappel", "infirm", "santé", "alerte"):
        assert health_word not in sent.body.lower()
    # Silent still: no second e-mail for the same silence.
    for day in range(17, 30):
        at(clock, 2026, 11, day, 10)
        run_jobs(app, clock)
    assert len(emails(app)) == 1
    # Luc writes; 14 days later, silent again: one more.
    at(clock, 2026, 11, 30, 12)
    write(app, luc.headers, jeanne)
    for day in range(1, 16):
        at(clock, 2026, 12, day, 10)
        run_jobs(app, clock)
    assert [e.created_at.date().isoformat() for e in emails(app)] == ["2026-11-16", "2026-12-15"]


def test_no_email_for_who_chose_never_nor_once_switched_off(
    app: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    nudge = f"{API}/beneficiaries/{jeanne}/engagement/nudges"
    for person in (circle.daughter, circle.neighbour):
        response = app.put(
            f"{nudge}/{person.id}", json={"after_days": 3}, headers=circle.care_manager.headers
        )
        assert response.status_code == 200, response.text
    with session_of(app) as session:
        sophie = session.get(User, circle.daughter.id)
        assert sophie is not None
        mail.set_preferences(session, sophie, email_mode="never", digest_hour=18,
                             quiet_start=None, quiet_end=None, timezone="Europe/Paris",
                             now=clock.now)  # fmt: skip
        session.commit()
    off = app.put(f"{nudge}/{circle.neighbour.id}", json={"after_days": None},
                  headers=circle.care_manager.headers)  # fmt: skip
    assert off.status_code == 200
    for day in range(3, 10):
        at(clock, 2026, 11, day, 10)
        run_jobs(app, clock)
    assert emails(app) == []
    # With no nudge left, the daily chain stops.
    app.put(f"{nudge}/{circle.daughter.id}", json={"after_days": None},
            headers=circle.care_manager.headers)  # fmt: skip
    at(clock, 2026, 11, 11, 10)
    run_jobs(app, clock)
    with session_of(app) as session:
        from backend.models import Job

        pending = session.scalars(
            select(Job).where(Job.kind == engagement.JOB, Job.state == jobs.PENDING)
        ).all()
    assert pending == []
