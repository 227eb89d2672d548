"""Who read what (issue 16): the care manager's page over Jeanne's audit log, in process —
every access to health data with who, what, when and the way in (console or API, the tablet,
the tablet with a professional's PIN), the filters, the CSV export, the rights, and the retention
job that deletes what is older than a year."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.models import AuditEntry, Job
from backend.services import audit, jobs
from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, device_headers, pair_device, session_of, state_of
from tests.console.conftest import BOTH_DATABASES, NewBrowser


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").split())


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [_text(row) for row in body.split("</tr>") if "<td" in row]


def _health_traffic(app: TestClient, circle: CircleSetup, new_browser: NewBrowser) -> None:
    """The nurse reads the moods through the API, the daughter through the console, the tablet
    records a mood, and the nurse reads her messages on the tablet with her PIN."""
    jeanne = circle.jeanne_id
    tablet = device_headers(
        pair_device(app, care_manager_of(circle.care_manager), jeanne)["access_token"]
    )
    mood = app.post(
        f"{API}/device/actions",
        json={"type": "mood", "data": {"score": 4, "tags": [],
                                        "recorded_at": datetime.now(UTC).isoformat()}},
        headers={**tablet, "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert mood.status_code == 200, mood.text
    assert (
        app.get(f"{API}/beneficiaries/{jeanne}/wellbeing", headers=circle.nurse.headers).status_code
        == 200
    )
    sophie = new_browser()
    sophie.login(circle.daughter.email)
    assert sophie.get(f"/b/{jeanne}/wellbeing").status_code == 200
    assert (
        app.post(f"{API}/me/pin", json={"pin": "4821"}, headers=circle.nurse.headers).status_code
        == 204
    )
    app.post(
        f"{API}/beneficiaries/{jeanne}/messages",
        json={"space": "health", "body": "Pansement refait.", "recipient_ids": [circle.nurse.id]},
        headers=circle.care_manager.headers,
    )
    on_tablet = app.post(
        f"{API}/device/professional/messages", json={"pin": "4821"}, headers=tablet
    )
    assert on_tablet.status_code == 200, on_tablet.text


@BOTH_DATABASES
def test_every_access_with_who_what_when_and_the_way_in(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    _health_traffic(app_client, circle, new_browser)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    page = manager.get(f"/b/{circle.jeanne_id}/audit")
    assert page.status_code == 200, page.text
    rows = _rows(page.text)
    text = " | ".join(rows)
    assert "Inès Leroy a consulté humeurs et bien-être console ou API" in text
    assert "Sophie Martin a consulté humeurs et bien-être console ou API" in text
    assert "a enregistré humeurs et bien-être la tablette" in text
    assert (
        "Inès Leroy a consulté messages de l'espace santé la tablette, avec son code personnel"
        in text
    )
    # Never the content of what was read.
    assert "Pansement" not in page.text
    assert "conservées un an (365 jours)" in _text(page.text)
    # The page's reading is in the log too, for the next reader.
    again = _rows(manager.get(f"/b/{circle.jeanne_id}/audit").text)
    assert "Claire Dupont a consulté ce journal des consultations console ou API" in again[0]


def test_filters_by_person_kind_and_dates(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    _health_traffic(app_client, circle, new_browser)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    url = f"/b/{circle.jeanne_id}/audit"
    nurse = _rows(manager.get(url, params={"person": circle.nurse.id}).text)
    assert nurse and all("Inès Leroy" in r for r in nurse)
    tablet = _rows(manager.get(url, params={"person": "tablet"}).text)
    assert tablet and all("la tablette" in r and "Inès" not in r for r in tablet)
    moods = _rows(manager.get(url, params={"kind": "wellbeing"}).text)
    assert moods and all("humeurs et bien-être" in r for r in moods)
    today = datetime.now(UTC).date()
    empty = manager.get(url, params={"end": (today - timedelta(days=3)).isoformat()})
    assert _rows(empty.text) == ["Rien pour ces critères."]
    kept = _rows(
        manager.get(url, params={"start": today.isoformat(), "end": today.isoformat()}).text
    )
    assert len(kept) >= 5
    # The choices offered are the people and kinds found in this log.
    page = manager.get(url).text
    assert f'<option value="{circle.nurse.id}"' in page and '<option value="wellbeing"' in page
    for wrong in ({"person": "nurse"}, {"start": "hier"}):
        assert manager.get(url, params=wrong).status_code == 422


def test_csv_export_in_the_pages_words(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    _health_traffic(app_client, circle, new_browser)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    page = manager.get(f"/b/{circle.jeanne_id}/audit", params={"kind": "wellbeing"}).text
    assert f'href="/b/{circle.jeanne_id}/audit.csv?kind=wellbeing"' in page
    export = manager.get(f"/b/{circle.jeanne_id}/audit.csv", params={"kind": "wellbeing"})
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"].startswith('attachment; filename="consultations-')
    assert export.text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert table[0] == ["date", "heure", "qui", "action", "quoi", "numéro", "par"]
    assert {row[4] for row in table[1:]} == {"humeurs et bien-être"}
    assert ["Inès Leroy", "a consulté", "humeurs et bien-être"] in [r[2:5] for r in table[1:]]
    manager.post("/lang", {"lang": "en", "next": "/"})
    english = manager.get(f"/b/{circle.jeanne_id}/audit.csv", params={"kind": "wellbeing"})
    header = next(csv.reader(io.StringIO(english.text.lstrip("\ufeff"))))
    assert header == ["date", "time", "who", "action", "what", "number", "through"]
    assert "moods and well-being" in english.text
    # Exporting is reading: logged.
    with session_of(app_client) as session:
        reads = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.entity == audit.ENTITY,
                AuditEntry.actor_user_id == circle.care_manager.id,
            )
        )
    assert reads == 3


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    assert audit._cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert audit._cell("Inès") == "Inès"


@BOTH_DATABASES
def test_only_the_care_manager_reads_the_log(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    for person, status in (
        (circle.daughter, 403),
        (circle.nurse, 403),
        (circle.neighbour, 403),
        (circle.other_family, 404),
        (circle.outsider, 404),
    ):
        browser = new_browser()
        browser.login(person.email)
        for path in ("audit", "audit.csv"):
            assert browser.get(f"/b/{circle.jeanne_id}/{path}").status_code == status, (
                person.name,
                path,
            )
    anonymous = new_browser()
    assert anonymous.get(f"/b/{circle.jeanne_id}/audit").status_code == 303  # to the login
    manager = new_browser()
    manager.login(circle.care_manager.email)
    tablets = manager.get(f"/b/{circle.jeanne_id}/tablets").text
    assert f'href="/b/{circle.jeanne_id}/audit"' in tablets
    sophie = new_browser()
    sophie.login(circle.daughter.email)
    assert f"/b/{circle.jeanne_id}/audit" not in sophie.get(f"/b/{circle.jeanne_id}/agenda").text


@BOTH_DATABASES
def test_entries_older_than_a_year_are_deleted_every_night(
    app_client: TestClient, circle: CircleSetup, clock: Clock
) -> None:
    now = clock.now
    with session_of(app_client) as session:
        for days in (400, 366, 363, 1):
            audit.record(session, action="read", entity="wellbeing", entity_id=None,
                         beneficiary_id=circle.jeanne_id, user_id=circle.nurse.id,
                         at=now - timedelta(days=days))  # fmt: skip
        # Planned at the jobs' start where a worker runs (backend.app.start_jobs), here if not;
        # once either way.
        audit.ensure_retention_planned(session, now)
        assert audit.ensure_retention_planned(session, now) is False
        session.commit()
    sessions = state_of(app_client).sessions
    tomorrow = datetime.combine(now.date() + timedelta(days=1), audit.RETENTION_AT, tzinfo=UTC)
    jobs.run_due(sessions, "worker-1", tomorrow)
    with session_of(app_client) as session:
        left = sorted(
            (now - at).days
            for at in session.scalars(
                select(AuditEntry.at).where(
                    AuditEntry.beneficiary_id == circle.jeanne_id,
                    AuditEntry.entity == "wellbeing",
                )
            )
        )
        next_run = session.scalars(
            select(Job.run_at).where(Job.kind == audit.RETENTION_JOB, Job.state == jobs.PENDING)
        ).all()
    assert left == [1, 363]  # 400 and 366 days old: gone; 363 and 1: kept
    assert next_run == [tomorrow + timedelta(days=1)]
