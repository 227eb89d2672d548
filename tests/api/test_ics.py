"""The agenda as iCalendar: the secret feed for family calendars, and the import of a home-care
service's planning (SAAD export), re-imported week after week."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from backend.models import Beneficiary, Event
from backend.security import secret_digest
from backend.services.changes import latest_change_id
from tests.api.agenda_helpers import add_person, device_sync, occurrences
from tests.api.factories import (
    API,
    CareManager,
    all_cells,
    care_manager,
    create_beneficiary,
    create_event,
    pair_device,
    session_of,
)

PARIS = ZoneInfo("Europe/Paris")
WEEK = ("2026-11-23T00:00:00", "2026-11-30T00:00:00")


# --- the feed -------------------------------------------------------------------------------


def _feed_url(client: TestClient, headers: dict[str, str], beneficiary_id: int) -> str:
    response = client.post(f"{API}/beneficiaries/{beneficiary_id}/ics-feed", headers=headers)
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


def _path(url: str) -> str:
    assert url.startswith("http://foyer.test/api/v1/ics/")
    assert url.endswith(".ics")
    return url.removeprefix("http://foyer.test")


def test_the_feed_carries_rules_exceptions_and_moved_occurrences_but_no_instructions(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    series = create_event(
        client,
        cm,
        beneficiary["id"],
        title="Aide à domicile",
        who="Sophie",
        start="2026-11-23T11:00:00",
        duration_minutes=60,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231T235900",
        instructions="Secret médical : pansement",
    )
    dentist = create_event(
        client, cm, beneficiary["id"], title="Dentiste", start="2026-11-26T14:30:00"
    )
    client.delete(
        f"{API}/events/{series['id']}/occurrences/2026-11-27T11:00:00", headers=cm.headers
    )
    client.put(
        f"{API}/events/{series['id']}/occurrences/2026-11-25T11:00:00",
        json={"start": "2026-11-25T14:00:00", "instructions": "Secret médical aussi"},
        headers=cm.headers,
    )
    url = _feed_url(client, cm.headers, beneficiary["id"])

    response = client.get(_path(url))  # no login

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "Secret" not in response.text
    calendar = Calendar.from_ical(response.content)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Paris"]
    events = calendar.events
    parent_uid = f"foyer-event-{series['id']}@foyer"
    parent = next(e for e in events if e.uid == parent_uid and "RECURRENCE-ID" not in e)
    moved = next(e for e in events if "RECURRENCE-ID" in e)
    once = next(e for e in events if e.uid == f"foyer-event-{dentist['id']}@foyer")
    assert len(events) == 3
    assert str(parent["SUMMARY"]) == "Aide à domicile (Sophie)"
    assert parent.start == datetime(2026, 11, 23, 11, tzinfo=PARIS)
    assert parent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert parent.duration.total_seconds() == 3600
    rule: Any = parent["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO", "WE", "FR"]
    # RFC 5545: UNTIL is in UTC when DTSTART has a time zone (23:59 in Paris is 22:59 UTC).
    assert rule["UNTIL"][0].isoformat() == "2026-12-31T22:59:00+00:00"
    # The cancelled Friday is excluded; the moved Wednesday is replaced, not excluded.
    assert parent.exdates == [datetime(2026, 11, 27, 11, tzinfo=PARIS)]
    assert moved.uid == parent_uid
    assert moved.decoded("RECURRENCE-ID") == datetime(2026, 11, 25, 11, tzinfo=PARIS)
    assert moved.start == datetime(2026, 11, 25, 14, tzinfo=PARIS)
    assert "RRULE" not in once
    assert once.start == datetime(2026, 11, 26, 14, 30, tzinfo=PARIS)
    assert all("DESCRIPTION" not in e for e in events)


def test_unknown_token_is_404(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    url = _feed_url(client, cm.headers, beneficiary["id"])
    token = _path(url).removeprefix(f"{API}/ics/").removesuffix(".ics")

    assert client.get(f"{API}/ics/ics_not-the-secret.ics").status_code == 404
    assert client.get(f"{API}/ics/{token}").status_code == 404  # without .ics
    assert client.get(f"{API}/ics/{token[:-1]}.ics").status_code == 404
    assert client.get(f"{API}/ics/{'x' * 5000}.ics").status_code == 404
    assert client.get(_path(url)).status_code == 200


def test_a_new_feed_url_invalidates_the_old_one_and_delete_disables_it(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    old = _feed_url(client, cm.headers, beneficiary["id"])
    new = _feed_url(client, cm.headers, beneficiary["id"])

    assert old != new
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200
    # Only the digest is kept.
    token = _path(new).removeprefix(f"{API}/ics/").removesuffix(".ics")
    cells = all_cells(client)
    assert token not in " ".join(cells)
    assert secret_digest(token) in cells

    deleted = client.delete(f"{API}/beneficiaries/{beneficiary['id']}/ics-feed", headers=cm.headers)
    assert deleted.status_code == 204
    assert client.get(_path(new)).status_code == 404


def test_only_the_care_manager_manages_the_feed(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    family = add_person(client, beneficiary["id"], relation="family")
    nurse = add_person(client, beneficiary["id"], profession="nurse", organisation_kind="nursing")
    stranger = care_manager(client)
    url = f"{API}/beneficiaries/{beneficiary['id']}/ics-feed"

    for person, expected in ((family, 403), (nurse, 403), (stranger, 404)):
        assert client.post(url, headers=person.headers).status_code == expected
        assert client.delete(url, headers=person.headers).status_code == expected
    with session_of(client) as session:
        stored = session.get(Beneficiary, beneficiary["id"])
        assert stored is not None
        assert stored.ics_token_hash is None


# --- the import -----------------------------------------------------------------------------

SAAD_PLANNING = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Ximi//Planning SAAD//FR
CALSCALE:GREGORIAN
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:intervention-4711@saad-bon-secours.fr
DTSTAMP:20261120T080000Z
DTSTART;TZID=Europe/Paris:20261123T110000
DTEND;TZID=Europe/Paris:20261123T120000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270131T225959Z
EXDATE;TZID=Europe/Paris:20261127T110000
SUMMARY:Aide à domicile
DESCRIPTION:Courses\\, préparation du repas\\, aide à la toilette.
ORGANIZER;CN=SAAD Bon Secours:mailto:planning@saad-bon-secours.fr
ATTENDEE;CN=Fatima B.;ROLE=REQ-PARTICIPANT:mailto:fatima@saad-bon-secours.fr
END:VEVENT
BEGIN:VEVENT
UID:intervention-4711@saad-bon-secours.fr
DTSTAMP:20261120T080000Z
RECURRENCE-ID;TZID=Europe/Paris:20261125T110000
DTSTART;TZID=Europe/Paris:20261125T140000
DTEND;TZID=Europe/Paris:20261125T150000
SUMMARY:Aide à domicile
ATTENDEE;CN=Nadia K.:mailto:nadia@saad-bon-secours.fr
END:VEVENT
BEGIN:VEVENT
UID:intervention-4802@saad-bon-secours.fr
DTSTAMP:20261120T080000Z
DTSTART:20261126T090000Z
DURATION:PT1H30M
SUMMARY:Grand ménage
END:VEVENT
END:VCALENDAR
"""


def _import(
    client: TestClient,
    cm: CareManager,
    beneficiary_id: int,
    content: str | bytes,
    *,
    filename: str = "planning-saad.ics",
    media_type: str = "text/calendar",
    prune: bool | None = None,
) -> Any:
    data = content.encode() if isinstance(content, str) else content
    if isinstance(content, str):
        data = data.replace(b"\n", b"\r\n")
    return client.post(
        f"{API}/beneficiaries/{beneficiary_id}/ics-import",
        files={"file": (filename, data, media_type)},
        params={} if prune is None else {"prune": str(prune).lower()},
        headers=cm.headers,
    )


def _imported(client: TestClient, cm: CareManager, beneficiary_id: int, **kw: Any) -> Any:
    response = _import(client, cm, beneficiary_id, SAAD_PLANNING, **kw)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_saad_planning_is_imported(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    summary = _imported(client, cm, beneficiary["id"])

    assert summary == {"created": 3, "updated": 0, "unchanged": 0, "deleted": 0, "skipped": []}
    events = client.get(
        f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers
    ).json()
    series, moved, cleaning = events
    assert series["title"] == "Aide à domicile"
    assert series["who"] == "Fatima B."
    assert series["instructions"] == "Courses, préparation du repas, aide à la toilette."
    assert series["rrule"] == "FREQ=WEEKLY;UNTIL=20270131T235959;BYDAY=MO,WE,FR"
    assert series["duration_minutes"] == 60
    assert series["exdates"] == ["2026-11-25T11:00:00+01:00", "2026-11-27T11:00:00+01:00"]
    assert moved["recurrence_parent_id"] == series["id"]
    assert moved["recurrence_start"] == "2026-11-25T11:00:00+01:00"
    assert moved["who"] == "Nadia K."
    assert moved["instructions"] == series["instructions"]  # the series' when not given
    assert cleaning["title"] == "Grand ménage"
    assert cleaning["start"] == "2026-11-26T10:00:00+01:00"  # 09:00 UTC
    assert cleaning["duration_minutes"] == 90
    assert [
        (o["start"], o["title"]) for o in occurrences(client, cm.headers, beneficiary["id"], *WEEK)
    ] == [
        ("2026-11-23T11:00:00+01:00", "Aide à domicile"),
        ("2026-11-25T14:00:00+01:00", "Aide à domicile"),
        ("2026-11-26T10:00:00+01:00", "Grand ménage"),
    ]


def test_re_importing_the_same_planning_changes_nothing(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    credential = pair_device(client, cm, beneficiary["id"])["access_token"]
    _imported(client, cm, beneficiary["id"])
    cursor = device_sync(client, credential)["cursor"]
    with session_of(client) as session:
        journal = latest_change_id(session)
        rows = [(e.id, e.updated_at) for e in session.scalars(select(Event).order_by(Event.id))]

    summary = _imported(client, cm, beneficiary["id"])

    assert summary == {"created": 0, "updated": 0, "unchanged": 3, "deleted": 0, "skipped": []}
    with session_of(client) as session:
        assert latest_change_id(session) == journal
        assert [
            (e.id, e.updated_at) for e in session.scalars(select(Event).order_by(Event.id))
        ] == rows
    delta = device_sync(client, credential, cursor)
    assert delta["upserts"] == {}
    assert delta["deletes"] == {}


def test_a_modified_planning_updates_in_place(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    credential = pair_device(client, cm, beneficiary["id"])["access_token"]
    _imported(client, cm, beneficiary["id"])
    before = client.get(
        f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers
    ).json()
    cursor = device_sync(client, credential)["cursor"]
    # Next week's export: the cleaning moves to 10:00 UTC, the moved Wednesday is back at
    # 11:00 (no more RECURRENCE-ID), and Monday 30 is cancelled.
    modified = (
        SAAD_PLANNING.replace("DTSTART:20261126T090000Z", "DTSTART:20261126T100000Z")
        .replace(
            "EXDATE;TZID=Europe/Paris:20261127T110000",
            "EXDATE;TZID=Europe/Paris:20261127T110000,20261130T110000",
        )
        .split(
            "BEGIN:VEVENT\nUID:intervention-4711@saad-bon-secours.fr\nDTSTAMP:20261120T080000Z"
            "\nRECURRENCE-ID"
        )[0]
        + "BEGIN:VEVENT\nUID:intervention-4802@saad-bon-secours.fr\nDTSTAMP:20261120T080000Z\n"
        "DTSTART:20261126T100000Z\nDURATION:PT1H30M\nSUMMARY:Grand ménage\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )

    response = _import(client, cm, beneficiary["id"], modified)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 0,
        "updated": 2,
        "unchanged": 0,
        "deleted": 1,  # the moved occurrence, gone from the planning
        "skipped": [],
    }
    after = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers).json()
    series, cleaning = after
    assert (series["id"], cleaning["id"]) == (before[0]["id"], before[2]["id"])
    assert cleaning["start"] == "2026-11-26T11:00:00+01:00"
    assert series["exdates"] == ["2026-11-27T11:00:00+01:00", "2026-11-30T11:00:00+01:00"]
    delta = device_sync(client, credential, cursor)
    assert sorted(e["id"] for e in delta["upserts"]["events"]) == [series["id"], cleaning["id"]]
    assert delta["deletes"]["events"] == [before[1]["id"]]


def test_events_gone_from_the_planning_are_kept_unless_pruned(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    _imported(client, cm, beneficiary["id"])
    kine = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Kine//FR\nBEGIN:VEVENT\nUID:kine-1\n"
        "DTSTAMP:20261120T080000Z\nDTSTART:20261124T170000\nDURATION:PT30M\nSUMMARY:Kiné\n"
        "END:VEVENT\nEND:VCALENDAR\n"
    )
    assert _import(client, cm, beneficiary["id"], kine, filename="kine.ics").json()["created"] == 1
    manual = create_event(client, cm, beneficiary["id"], title="Coiffeur")
    without_cleaning = (
        SAAD_PLANNING.split("BEGIN:VEVENT\nUID:intervention-4802@saad-bon-secours.fr")[0]
        + "END:VCALENDAR\n"
    )

    kept = _import(client, cm, beneficiary["id"], without_cleaning)
    titles_kept = [
        e["title"]
        for e in client.get(
            f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers
        ).json()
    ]
    pruned = _import(client, cm, beneficiary["id"], without_cleaning, prune=True)
    titles_pruned = [
        e["title"]
        for e in client.get(
            f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers
        ).json()
    ]

    assert kept.json()["deleted"] == 0
    assert "Grand ménage" in titles_kept
    assert pruned.json()["deleted"] == 1
    # Only the events of that file: not the other planning's, not those typed in Foyer.
    assert titles_pruned == ["Aide à domicile", "Aide à domicile", "Kiné", manual["title"]]


def test_floating_times_are_the_beneficiarys_and_odd_events_are_skipped(
    client: TestClient, cm: CareManager
) -> None:
    tokyo = create_beneficiary(client, cm, timezone="Asia/Tokyo")
    planning = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//FR\n"
        "BEGIN:VEVENT\nUID:floating\nDTSTAMP:20261120T080000Z\nDTSTART:20261124T090000\n"
        "DTEND:20261124T093000\nSUMMARY:Soins\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:all-day\nDTSTAMP:20261120T080000Z\nDTSTART;VALUE=DATE:20261125\n"
        "SUMMARY:Anniversaire\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:hourly\nDTSTAMP:20261120T080000Z\nDTSTART:20261124T090000\n"
        "DURATION:PT10M\nRRULE:FREQ=HOURLY\nSUMMARY:Trop souvent\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:broken\nDTSTAMP:20261120T080000Z\nDTSTART:mardi matin\n"
        "SUMMARY:Illisible\nEND:VEVENT\n"
        "BEGIN:VEVENT\nDTSTAMP:20261120T080000Z\nDTSTART:20261124T090000\nDURATION:PT10M\n"
        "SUMMARY:Sans UID\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:orphan\nDTSTAMP:20261120T080000Z\n"
        "RECURRENCE-ID:20261124T090000\nDTSTART:20261124T100000\nDURATION:PT10M\nEND:VEVENT\n"
        "END:VCALENDAR\n"
    )

    response = _import(client, cm, tokyo["id"], planning)

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["created"] == 1
    skipped = {s["uid"]: s["reason"] for s in summary["skipped"]}
    assert set(skipped) == {"all-day", "hourly", "broken", "", "orphan"}
    assert "journée entière" in skipped["all-day"]
    assert "La fréquence doit être" in skipped["hourly"]
    assert "DTSTART" in skipped["broken"]
    assert skipped[""] == "Rendez-vous sans UID."
    assert "série absente" in skipped["orphan"]
    events = client.get(f"{API}/beneficiaries/{tokyo['id']}/events", headers=cm.headers).json()
    assert [(e["start"], e["duration_minutes"]) for e in events] == [
        ("2026-11-24T09:00:00+09:00", 30)
    ]


@pytest.mark.parametrize(
    ("content", "media_type", "expected"),
    [
        ("Bonjour, voici le planning.", "text/calendar", "n'est pas un calendrier"),
        ("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\n", "text/calendar", "mal formé"),
        ("BEGIN:VCALENDAR\nnot a content line\nEND:VCALENDAR\n", "text/calendar", "mal formé"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "text/calendar", "n'est pas"),
        ("BEGIN:VCARD\nFN:Jeanne\nEND:VCARD\n", "text/calendar", "n'est pas un calendrier"),
        (SAAD_PLANNING, "image/png", "doit être un calendrier"),
        ("BEGIN:VCALENDAR\n" + "X" * (1024 * 1024), "text/calendar", "dépasse 1 Mo"),
    ],
    ids=["text", "truncated", "bad-line", "binary", "vcard", "media-type", "too-big"],
)
def test_a_malformed_file_is_422_in_french_and_changes_nothing(
    client: TestClient,
    cm: CareManager,
    beneficiary: dict[str, Any],
    content: str | bytes,
    media_type: str,
    expected: str,
) -> None:
    lenient = TestClient(client.app, raise_server_exceptions=False)

    response = _import(lenient, cm, beneficiary["id"], content, media_type=media_type)

    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert listed.json() == []


def test_only_the_care_manager_imports(
    client: TestClient, cm: CareManager, beneficiary: dict[str, Any]
) -> None:
    nurse = add_person(client, beneficiary["id"], profession="nurse", organisation_kind="nursing")
    family = add_person(client, beneficiary["id"], relation="family")
    stranger = care_manager(client)

    for person, expected in ((nurse, 403), (family, 403), (stranger, 404)):
        response = client.post(
            f"{API}/beneficiaries/{beneficiary['id']}/ics-import",
            files={"file": ("p.ics", SAAD_PLANNING.encode(), "text/calendar")},
            headers=person.headers,
        )
        assert response.status_code == expected
    listed = client.get(f"{API}/beneficiaries/{beneficiary['id']}/events", headers=cm.headers)
    assert listed.json() == []
