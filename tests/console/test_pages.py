"""Console pages over the services, in process: rights (absent and refused if forged),
pairing, messages, photos, agenda, tablets and their configuration, error pages."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend.policy import Permission, Role, allowed
from backend.services import dashboard
from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.conftest import Clock
from tests.api.factories import API, authorize_device, pair_device, poll_token, sync
from tests.console.conftest import BOTH_DATABASES, NewBrowser


def jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


@BOTH_DATABASES
def test_each_person_sees_only_the_tabs_their_rights_allow_and_forged_urls_are_refused(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    neighbour = new_browser()
    neighbour.login(circle.neighbour.email)
    page = neighbour.get(f"/b/{jeanne}").text
    for absent in ("/tablets", "/wellbeing", "/visits", "/circle", "/agenda/new"):
        assert f"/b/{jeanne}{absent}" not in page
    assert f"/b/{jeanne}/photos" in page
    for forged in ("tablets", "wellbeing", "visits", "circle", "agenda/new"):
        response = neighbour.get(f"/b/{jeanne}/{forged}")
        assert response.status_code == 403, forged
        assert "Votre rôle auprès de cette personne ne permet pas cette action." in response.text
    # Someone outside the circle: the beneficiary does not exist for them.
    outsider = new_browser()
    outsider.login(circle.outsider.email)
    response = outsider.get(f"/b/{jeanne}")
    assert response.status_code == 404 and "Bénéficiaire introuvable." in response.text
    assert "Jeanne" not in outsider.get("/").text
    # The nurse sees instructions and visits, not tablets.
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    page = nurse.get(f"/b/{jeanne}").text
    assert f"/b/{jeanne}/visits" in page and f"/b/{jeanne}/tablets" not in page
    assert "/pair" not in page  # pairing is for care managers


@BOTH_DATABASES
def test_a_care_manager_pairs_a_tablet_by_its_typed_code(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    grant = authorize_device(app_client)
    assert grant["verification_uri_complete"].endswith(f"/pair?code={grant['user_code']}")
    manager = new_browser()
    manager.login(circle.care_manager.email)
    # From the QR code: the code is filled in.
    page = manager.get(f"/pair?code={grant['user_code']}")
    assert f'value="{grant["user_code"]}"' in page.text
    assert "Jeanne Martin" in page.text and "Albert" not in page.text
    typed = grant["user_code"].lower().replace("-", " ")  # case and dash do not matter
    unconfirmed = manager.post("/pair", {"code": typed, "beneficiary_id": circle.jeanne_id})
    assert unconfirmed.status_code == 422 and "Cochez la case" in unconfirmed.text
    assert poll_token(app_client, grant["device_code"]).json()["error"] == "authorization_pending"
    done = manager.post(
        "/pair", {"code": typed, "beneficiary_id": circle.jeanne_id, "confirm": "1"}
    )
    assert done.status_code == 200 and "Tablette associée" in done.text
    clock.advance(6)  # the tablet polls at its interval
    token = poll_token(app_client, grant["device_code"])
    assert token.status_code == 200 and token.json()["beneficiary_id"] == circle.jeanne_id
    tablets = manager.get(f"/b/{circle.jeanne_id}/tablets")
    assert f"Tablette {grant['user_code']}" in tablets.text


def test_a_family_member_who_scans_the_qr_is_told_who_pairs_and_given_the_code(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    """The tablet says the care manager types its code; a daughter who scans it anyway reads
    the same truth, and the code to pass on, and nothing is approved."""
    assert allowed({Role.CARE_MANAGER}, Permission.MANAGE_DEVICES)
    assert not allowed({Role.FAMILY, Role.FRIEND}, Permission.MANAGE_DEVICES)
    grant = authorize_device(app_client)
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    page = daughter.get(f"/pair?code={grant['user_code']}")
    assert page.status_code == 200
    assert "Seul le conseiller autonomie" in page.text and "peut associer sa tablette" in page.text
    assert "Transmettez-lui le code affiché sur la tablette" in page.text
    assert grant["user_code"] in page.text
    assert 'name="beneficiary_id"' not in page.text
    assert poll_token(app_client, grant["device_code"]).json()["error"] == "authorization_pending"


def test_wrong_pairing_codes_get_a_readable_message_then_are_rate_limited(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get("/pair")
    statuses = []
    for _ in range(6):
        response = manager.post(
            "/pair", {"code": "BCDF-GHJK", "beneficiary_id": circle.jeanne_id, "confirm": "1"}
        )
        statuses.append(response.status_code)
    assert statuses == [404] * 5 + [429]
    assert "Trop de codes erronés" in response.text
    first = manager.post(
        "/pair", {"code": "nope", "beneficiary_id": circle.jeanne_id, "confirm": "1"}
    )
    assert "Patientez quelques minutes" in first.text
    # Another care manager's beneficiary cannot be chosen, even by a forged form.
    grant = authorize_device(app_client)
    other = new_browser()
    other.login(circle.other_care_manager.email)
    forged = other.post(
        "/pair", {"code": grant["user_code"], "beneficiary_id": circle.jeanne_id, "confirm": "1"}
    )
    assert forged.status_code == 404


@BOTH_DATABASES
def test_health_messages_need_a_recipient_and_only_recipients_open_them(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    manager = new_browser()
    manager.login(circle.care_manager.email)
    form = manager.get(f"/b/{jeanne}/messages?space=health").text
    assert f'value="{circle.nurse.id}"' in form  # the recipient picker
    empty = manager.post(
        f"/b/{jeanne}/messages", {"space": "health", "body": "Tension à surveiller"}
    )
    assert empty.status_code == 422
    assert "Un message santé doit avoir au moins un destinataire." in empty.text
    assert "Tension à surveiller" in empty.text  # the draft is kept
    sent = manager.post(
        f"/b/{jeanne}/messages",
        {"space": "health", "body": "Pansement <b>à refaire</b>", "recipient_ids": circle.nurse.id},
    )
    assert sent.status_code == 303
    to_aide = manager.post(
        f"/b/{jeanne}/messages",
        {"space": "health", "body": "Pour Karima seulement", "recipient_ids": circle.home_aide.id},
    )
    assert to_aide.status_code == 303

    nurse = new_browser()
    nurse.login(circle.nurse.email)
    listing = nurse.get(f"/b/{jeanne}/messages?space=health").text
    assert "Pansement &lt;b&gt;à refaire&lt;/b&gt;" in listing  # plain text, never HTML
    assert "Pour Karima seulement" not in listing
    ids = [int(i) for i in re.findall(r'href="/messages/(\d+)"', listing)]
    assert len(ids) == 1
    opened = nurse.get(f"/messages/{ids[0]}")
    assert opened.status_code == 200 and "Lu par" in opened.text
    # Her reading is a receipt the author sees.
    author_view = manager.get(f"/messages/{ids[0]}").text
    assert re.search(r"<li>Inès Leroy — \w+ \d", author_view)
    hidden = nurse.get(f"/messages/{ids[0] + 1}")
    assert hidden.status_code == 404 and "Karima" not in hidden.text


def test_family_writes_in_the_daily_space_and_posts_photos_without_javascript(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    daughter.get(f"/b/{jeanne}/messages?space=daily")
    sent = daughter.post(f"/b/{jeanne}/messages", {"space": "daily", "body": "Je passe jeudi"})
    assert sent.status_code == 303
    assert "Je passe jeudi" in daughter.get(sent.headers["location"]).text
    # The health space offers her no form: family may not write there.
    assert "Votre message" not in daughter.get(f"/b/{jeanne}/messages?space=health").text

    daughter.get(f"/b/{jeanne}/photos")
    files = [
        ("files", ("jardin.jpg", jpeg((200, 30, 30)), "image/jpeg")),
        ("files", ("chat.jpg", jpeg((30, 200, 30)), "image/jpeg")),
        ("files", ("notes.txt", b"pas une image", "text/plain")),
    ]
    url = f"/b/{jeanne}/photos?csrf={daughter.csrf}"
    response = daughter.http.post(url, files=files, data={"caption": "Dimanche"})
    assert response.status_code == 200
    assert "jardin.jpg : envoyée" in response.text and "chat.jpg : envoyée" in response.text
    assert "notes.txt : refusée" in response.text
    thumbs = re.findall(r'src="(/console/photos/\d+/thumbnail)"', response.text)
    assert len(thumbs) == 2
    image = daughter.get(thumbs[0])
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    # Without the token in the action URL the upload is refused like any forged form.
    forged = daughter.http.post(f"/b/{jeanne}/photos", files=files[:1])
    assert forged.status_code == 403
    # The progress script asks for JSON and gets one result per file.
    scripted = daughter.http.post(url, files=[files[0]], headers={"Accept": "application/json"})
    assert scripted.json() == {
        "results": [{"filename": "jardin.jpg", "status": "duplicate", "error": None}]
    }
    # Someone outside the circle cannot fetch the file either.
    outsider = new_browser()
    outsider.login(circle.outsider.email)
    assert outsider.get(thumbs[0]).status_code == 404


def test_photo_caption_hide_and_delete_by_the_sender(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    daughter.get(f"/b/{jeanne}/photos")
    daughter.http.post(
        f"/b/{jeanne}/photos?csrf={daughter.csrf}",
        files=[("files", ("a.jpg", jpeg((1, 2, 3)), "image/jpeg"))],
    )
    page = daughter.get(f"/b/{jeanne}/photos").text
    photo_id = int(re.findall(r'id="photo-(\d+)"', page)[0])
    assert daughter.post(f"/photos/{photo_id}", {"caption": "Au jardin"}).status_code == 303
    assert "Au jardin" in daughter.get(f"/b/{jeanne}/photos").text
    neighbour = new_browser()
    neighbour.login(circle.neighbour.email)
    assert f"/photos/{photo_id}/delete" not in neighbour.get(f"/b/{jeanne}/photos").text
    assert neighbour.post(f"/photos/{photo_id}/delete").status_code == 403
    assert daughter.post(f"/photos/{photo_id}", {"hidden": "1"}).status_code == 303
    assert f'id="photo-{photo_id}"' not in neighbour.get(f"/b/{jeanne}/photos").text
    assert daughter.post(f"/photos/{photo_id}/delete").status_code == 303
    assert f'id="photo-{photo_id}"' not in daughter.get(f"/b/{jeanne}/photos").text


def test_agenda_form_makes_a_recurring_visit_said_in_french_and_one_day_changes(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    jeanne = circle.jeanne_id
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get(f"/b/{jeanne}/agenda/new")
    created = manager.post(
        f"/b/{jeanne}/agenda",
        {
            "title": "Soins infirmiers",
            "kind": "visit",
            "who": "Inès, infirmière",
            "date": "2026-11-23",
            "time": "11:00",
            "duration": "30",
            "repeat": "weekly",
            "weekdays": ["MO", "TH"],
            "instructions": "Vérifier le pansement",
        },
    )
    assert created.status_code == 303
    assert created.headers["location"] == f"/b/{jeanne}/agenda?week=2026-11-23"
    week = manager.get(created.headers["location"]).text.replace("\u00a0", " ")
    assert week.count("tous les lundis et jeudis à 11 h") == 2
    assert "Vérifier le pansement" in week
    event_id = int(re.findall(r'href="/events/(\d+)/edit"', week)[0])
    manager.get(f"/events/{event_id}/occurrence?start=2026-11-26T11:00:00")
    moved = manager.post(
        f"/events/{event_id}/occurrence",
        {
            "occurrence": "2026-11-26T11:00:00",
            "title": "Soins infirmiers",
            "kind": "visit",
            "who": "Inès, infirmière",
            "date": "2026-11-26",
            "time": "14:30",
            "duration": "30",
        },
    )
    assert moved.status_code == 303
    week = manager.get(f"/b/{jeanne}/agenda?week=2026-11-23").text.replace("\u00a0", " ")
    assert "14 h 30" in week and week.count("tous les lundis et jeudis à 11 h") == 1
    # Family sees the visit but never the instructions, and cannot edit.
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    family_week = daughter.get(f"/b/{jeanne}/agenda?week=2026-11-23").text
    assert "Soins infirmiers" in family_week and "Vérifier le pansement" not in family_week
    assert "/edit" not in family_week
    assert daughter.get(f"/events/{event_id}/edit").status_code == 403
    bad = manager.post(f"/b/{jeanne}/agenda", {"title": "", "date": "x", "time": "y"})
    assert bad.status_code == 422 and "Donnez un titre" in bad.text
    # Who comes, chosen from the circle: the words shown follow ("Inès Leroy, infirmière").
    assert f'<option value="{circle.nurse.id}"' in manager.get(f"/b/{jeanne}/agenda/new").text
    planned = manager.post(
        f"/b/{jeanne}/agenda",
        {"title": "Prise de sang", "date": "2026-11-25", "time": "08:00", "duration": "15",
         "person_id": str(circle.nurse.id)},
    )  # fmt: skip
    assert planned.status_code == 303
    assert "Inès Leroy, infirmière" in manager.get(planned.headers["location"]).text
    stranger = manager.post(
        f"/b/{jeanne}/agenda",
        {"title": "Prise de sang", "date": "2026-11-25", "time": "08:00", "duration": "15",
         "person_id": str(circle.other_family.id)},
    )  # fmt: skip
    assert stranger.status_code == 422
    assert "ne fait pas partie de l&#39;entourage" in stranger.text


@BOTH_DATABASES
def test_tablet_status_revoke_and_configuration_reaching_the_tablet(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    paired = pair_device(app_client, care_manager_of(circle.care_manager), jeanne)
    device_id, credential = paired["device_id"], paired["access_token"]
    status = app_client.post(
        f"{API}/device/status",
        json={"app_version": "1.2.3", "free_disk_bytes": 5_300_000_000,
              "last_error": "Pas de réseau", "outbox_pending": 2, "config_version": 0},
        headers={"Authorization": f"Bearer {credential}"},
    )  # fmt: skip
    assert status.status_code == 204, status.text
    manager = new_browser()
    manager.login(circle.care_manager.email)
    page = manager.get(f"/b/{jeanne}/tablets").text
    for shown in ("1.2.3", "5,3 Go", "Pas de réseau", "<dd>2</dd>", "en ligne"):
        assert shown in page, shown

    form = manager.get(f"/devices/{device_id}/config").text
    assert "Taille du texte" in form  # drawn from the schema's descriptions
    invalid = manager.post(
        f"/devices/{device_id}/config",
        {"version": "1", "module_agenda": "1", "order_agenda": "1", "font_scale": "9",
         "night_start": "21:30", "night_end": "07:00", "slideshow_seconds": "10",
         "idle_minutes": "5", "screen_timeout_minutes": "3", "mood_times": "10:30",
         "quick_replies": "Merci !", "language": "fr"},
    )  # fmt: skip
    assert invalid.status_code == 422
    assert re.search(r'class="field invalid">\s*<label for="font_scale"', invalid.text)
    valid = {
        # Version 1 is the pairing's (the tablet's own maintenance PIN).
        "version": "1", "module_photos": "1", "order_photos": "1", "module_agenda": "1",
        "order_agenda": "2", "font_scale": "1,3", "night_start": "21:30", "night_end": "07:00",
        "slideshow_seconds": "10", "idle_minutes": "5", "screen_timeout_minutes": "3",
        "mood_times": "10:30, 16:00", "quick_replies": "Merci !\nÀ bientôt", "language": "fr",
    }  # fmt: skip
    saved = manager.post(f"/devices/{device_id}/config", valid)
    assert saved.status_code == 303, saved.text
    preview = manager.get(saved.headers["location"]).text
    assert re.search(r"<li>Photos</li><li>Agenda</li>", preview)
    [config] = sync(app_client, credential).json()["upserts"]["config"]
    assert config["version"] == 2
    assert config["document"]["modules"] == ["photos", "agenda"]
    assert config["document"]["font_scale"] == 1.3
    assert config["document"]["quick_replies"] == ["Merci !", "À bientôt"]
    stale = manager.post(f"/devices/{device_id}/config", valid)  # still says version 1
    assert stale.status_code == 409 and "rechargez-la" in stale.text

    daughter = new_browser()
    daughter.login(circle.daughter.email)
    # In the circle without the right: 403, as the API; outside it: 404.
    assert daughter.get(f"/devices/{device_id}/config").status_code == 403
    assert daughter.post(f"/devices/{device_id}/revoke", {"confirm": "yes"}).status_code == 403
    other = new_browser()
    other.login(circle.other_care_manager.email)
    assert other.get(f"/devices/{device_id}/config").status_code == 404
    assert other.post(f"/devices/{device_id}/revoke", {"confirm": "yes"}).status_code == 404
    revoked = manager.post(f"/devices/{device_id}/revoke", {"confirm": "yes"})
    assert revoked.status_code == 303
    assert sync(app_client, credential).status_code == 401


def test_dashboard_lists_the_most_urgent_first(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    manager = new_browser()
    manager.login(circle.care_manager.email)
    app_client.post(
        f"{API}/beneficiaries",
        json={"first_name": "Aimé", "last_name": "Abel"},
        headers=circle.care_manager.headers,
    )
    # Jeanne's tablet was last seen long ago: offline, so she comes before Abel.
    pair_device(app_client, care_manager_of(circle.care_manager), circle.jeanne_id)
    clock.advance(3 * 3600)
    page = manager.get("/").text
    shown = re.findall(r'<h2><a href="/b/\d+">\S+ (\S+)</a></h2>', page)
    assert shown[:2] == ["Martin", "Abel"]
    assert "Tablette hors ligne — vue il y a 3 h" in page


def test_a_crash_is_a_french_apology_page_and_the_api_keeps_json(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    manager = new_browser()
    manager.login(circle.care_manager.email)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(dashboard, "dashboard", broken)
    with caplog.at_level("ERROR"):
        response = manager.get("/")
    assert response.status_code == 500
    assert "Désolé, quelque chose s&#39;est mal passé" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "secret internals" in caplog.text  # logged on the server side
    api = app_client.get(f"{API}/beneficiaries/999", headers=circle.care_manager.headers)
    assert api.status_code == 404 and api.json() == {"detail": "Bénéficiaire introuvable."}
    page = manager.get("/b/999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    bad = manager.get(f"/b/{circle.jeanne_id}/messages?space=secret")
    assert bad.status_code == 422 and "Certaines valeurs" in bad.text


def test_care_manager_adds_a_person_an_organisation_and_acknowledges_an_alert(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    manager = new_browser()
    manager.login(circle.care_manager.email)
    blank = manager.post("/beneficiaries", {"first_name": " ", "last_name": "Roux"})
    assert blank.status_code == 422 and "Indiquez le prénom et le nom" in blank.text
    added = manager.post("/beneficiaries", {"first_name": "Hélène", "last_name": "Roux"})
    assert added.status_code == 303
    helene = int(added.headers["location"].rsplit("/", 1)[1])
    assert "Hélène Roux" in manager.get("/").text

    manager.get(f"/b/{helene}/circle")
    created = manager.post(
        f"/b/{helene}/organisations", {"name": "SSIAD du Rhône", "kind": "nursing"}
    )
    assert created.status_code == 303
    page = manager.get(f"/b/{helene}/circle").text
    assert "SSIAD du Rhône" in page and "Soins infirmiers (SSIAD, cabinet)" in page
    # The nursing practice Jeanne is shared with can be shared with Hélène too: its nurse joins.
    shared = manager.post(f"/b/{helene}/shares", {"organisation_id": circle.nursing["id"]})
    assert shared.status_code == 303
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    assert nurse.get(f"/b/{helene}").status_code == 200
    manager.post(f"/b/{helene}/shares/{circle.nursing['id']}/remove")
    assert nurse.get(f"/b/{helene}").status_code == 404  # access ends at once
    # Family cannot create organisations, even with a forged form.
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    forged = daughter.post(f"/b/{circle.jeanne_id}/organisations", {"name": "X", "kind": "nursing"})
    assert forged.status_code == 403

    with app_client.app.state.foyer.sessions() as session:  # type: ignore[attr-defined]
        from backend.models import Alert

        alert = Alert(beneficiary_id=circle.jeanne_id, kind="mood_drop", message="Humeur en baisse")
        session.add(alert)
        session.commit()
        alert_id = alert.id
    page = manager.get(f"/b/{circle.jeanne_id}/wellbeing").text
    assert "Humeur en baisse" in page
    assert daughter.post(f"/alerts/{alert_id}/acknowledge").status_code in (403, 404)
    assert manager.post(f"/alerts/{alert_id}/acknowledge").status_code == 303
    assert "Humeur en baisse" not in manager.get(f"/b/{circle.jeanne_id}/wellbeing").text


def test_visits_log_shows_on_time_late_and_missed_and_one_day_can_be_cancelled(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    from datetime import UTC, datetime

    jeanne = circle.jeanne_id
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get(f"/b/{jeanne}/agenda/new")
    for title, at in (("Toilette", "08:00"), ("Soins infirmiers", "10:00"), ("Repas", "12:00")):
        manager.post(
            f"/b/{jeanne}/agenda",
            {"title": title, "kind": "visit", "date": "2026-11-23", "time": at,
             "duration": "30", "repeat": "daily"},
        )  # fmt: skip
    # The nurse arrives 40 minutes late for the 10:00 visit and leaves.
    clock.now = datetime(2026, 11, 23, 9, 40, tzinfo=UTC)
    nurse_headers = circle.nurse.headers
    arrived = app_client.post(f"{API}/beneficiaries/{jeanne}/visits/arrival", headers=nurse_headers)
    assert arrived.status_code == 201, arrived.text
    clock.now = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)
    app_client.post(f"{API}/beneficiaries/{jeanne}/visits/departure", headers=nurse_headers)
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    manager.login(circle.care_manager.email)  # the clock moved: a fresh session
    log = manager.get(f"/b/{jeanne}/visits?week=2026-11-23").text.replace("\u00a0", " ")
    log = re.sub(r'<td data-label="[^"]*">', "<td>", log)  # the labels of the phone layout
    assert re.search(r"Soins infirmiers</td>\s*<td>Inès Leroy</td>\s*<td>10 h 40</td>", log)
    assert log.count("<td>manquée</td>") == 2  # 8:00 and 12:00 today, nobody came
    assert "<td>en retard</td>" in log
    # One day of a series is cancelled: it disappears from that day only.
    week = manager.get(f"/b/{jeanne}/agenda?week=2026-11-23").text
    event_id = int(
        re.findall(r'href="/events/(\d+)/occurrence\?start=2026-11-24T08:00:00"', week)[0]
    )
    manager.get(f"/events/{event_id}/occurrence?start=2026-11-24T08:00:00")
    cancelled = manager.post(
        f"/events/{event_id}/occurrence", {"occurrence": "2026-11-24T08:00:00", "cancel": "1"}
    )
    assert cancelled.status_code == 303
    week = manager.get(f"/b/{jeanne}/agenda?week=2026-11-23").text
    assert "occurrence?start=2026-11-24T08:00:00" not in week
    assert "occurrence?start=2026-11-25T08:00:00" in week


def test_the_wellbeing_chart_is_drawn_on_the_server() -> None:
    from datetime import UTC, datetime, timedelta

    from backend.console.wellbeing import chart
    from backend.services.wellbeing import SeriesItem

    end = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    start = end - timedelta(days=30)
    items = [
        SeriesItem("mood", 1, 5, start + timedelta(days=1), [], None, None, None),
        SeriesItem("mood", 2, 1, start + timedelta(days=15), [], None, None, None),
        SeriesItem("reading", 3, 3, end - timedelta(hours=1), [], "ok", 7, "Inès"),
    ]
    drawn = chart(items, start, end)
    five, one, reading = drawn.points
    assert five.y < reading.y < one.y  # higher scores higher up (SVG y grows downwards)
    assert drawn.left < five.x < one.x < reading.x <= drawn.right  # time across
    # The line joins the moods only; the professional's reading is its own mark.
    assert drawn.moods_path == f"M{five.x},{five.y} L{one.x},{one.y}"
    assert [score for _, score in drawn.grid] == [1, 2, 3, 4, 5]


def test_organisation_staff_and_roles_and_ones_own_name(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = new_browser()
    manager.login(circle.care_manager.email)
    nursing = circle.nursing["id"]
    assert f'href="/organisations/{nursing}"' in manager.get(f"/b/{circle.jeanne_id}/circle").text
    page = manager.get(f"/organisations/{nursing}").text
    assert "Inès Leroy" in page and "ines.leroy@lilas.test" in page
    unknown = manager.post(f"/organisations/{nursing}/members", {"email": "personne@nulle.part"})
    assert unknown.status_code == 404 and "Aucun compte avec cette adresse" in unknown.text
    added = manager.post(
        f"/organisations/{nursing}/members", {"email": circle.home_aide.email, "role": "staff"}
    )
    assert added.status_code == 303
    assert "Karima Benali" in manager.get(f"/organisations/{nursing}").text
    # A staff member sees colleagues, not their addresses, and may only leave.
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    staff_view = nurse.get(f"/organisations/{nursing}").text
    assert "Karima Benali" in staff_view and "karima.benali@saad.test" not in staff_view
    assert "Ajouter un membre" not in staff_view
    forged = nurse.post(f"/organisations/{nursing}/members", {"email": circle.daughter.email})
    assert forged.status_code == 403
    assert (
        nurse.post(f"/organisations/{nursing}/members/{circle.nurse.id}/remove").status_code == 303
    )
    assert nurse.get(f"/organisations/{nursing}").status_code == 404  # no longer hers
    # Someone outside it: it does not exist.
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    assert daughter.get(f"/organisations/{nursing}").status_code == 404

    daughter.get("/account")
    assert daughter.post("/account/name", {"name": "  "}).status_code == 422
    renamed = daughter.post("/account/name", {"name": "Sophie Martin-Roux"})
    assert renamed.status_code == 303
    assert "Votre nom a été changé." in daughter.get(renamed.headers["location"]).text
    assert "Sophie Martin-Roux" in manager.get(f"/b/{circle.jeanne_id}/circle").text
