"""The family's journeys of issue 14, in process: the photos page says how many were sent; a
one-tap reply from the tablet is shown as the answer to its message, to whoever may read that
message; health recipients are named with their role."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from tests.api.circle_fixtures import CircleSetup, care_manager_of
from tests.api.factories import API, pair_device
from tests.api.members import action
from tests.console.conftest import BOTH_DATABASES, NewBrowser


def jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def summary(page: str) -> str:
    found = re.search(r'class="alert [a-z]+ upload-summary"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no upload summary on the page"
    return " ".join(found.group(1).split())


def test_after_an_upload_the_page_says_how_many_photos_were_sent(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    page = daughter.get(f"/b/{jeanne}/photos").text
    assert "upload-summary" not in page  # nothing to say before an upload
    url = f"/b/{jeanne}/photos?csrf={daughter.csrf}"
    files = [("files", (f"{i}.jpg", jpeg((40 * i, 10, 10)), "image/jpeg")) for i in (1, 2, 3)]
    # Without JavaScript: the gallery comes back with the results.
    response = daughter.http.post(url, files=files)
    assert response.status_code == 200
    assert summary(response.text) == "3 photos envoyées."
    # Again, with one new and a file that is not a picture.
    more = [files[0], ("files", ("4.jpg", jpeg((9, 9, 200)), "image/jpeg"))]
    more.append(("files", ("notes.txt", b"pas une image", "text/plain")))
    response = daughter.http.post(url, files=more)
    assert summary(response.text) == ("1 photo envoyée. 1 photo déjà présente. 1 photo refusée.")
    # The progress script comes back to the gallery with the counts.
    assert summary(daughter.get(f"/b/{jeanne}/photos?sent=3&already=0").text) == (
        "3 photos envoyées."
    )
    assert daughter.get(f"/b/{jeanne}/photos?sent=99").status_code == 422


@BOTH_DATABASES
def test_a_tablet_reply_is_shown_as_the_answer_to_its_message(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    credential = pair_device(app_client, care_manager_of(circle.care_manager), jeanne)[
        "access_token"
    ]
    daily = app_client.post(
        f"{API}/beneficiaries/{jeanne}/messages",
        json={"space": "daily", "body": "Je passe jeudi avec les enfants, on apporte le gâteau"},
        headers=circle.daughter.headers,
    ).json()
    health = app_client.post(
        f"{API}/beneficiaries/{jeanne}/messages",
        json={
            "space": "health",
            "body": "Prise de sang demain à 8 h, restez à jeun",
            "recipient_ids": [circle.care_manager.id],
            "to_beneficiary": True,
        },
        headers=circle.nurse.headers,
    ).json()
    for original, body in ((daily, "Je t'embrasse"), (health, "Bien reçu")):
        sent = action(
            app_client, credential, "reply", {"reply_to_id": original["id"], "body": body}
        )
        assert sent.status_code in (200, 201), sent.text

    daughter = new_browser()
    daughter.login(circle.daughter.email)
    page = daughter.get(f"/b/{jeanne}/messages?space=daily").text
    assert "Réponse de Jeanne Martin à : « Je passe jeudi avec les enfants" in page
    # The health reply goes to the nurse and the care manager; it quotes the nurse's message.
    nurse = new_browser()
    nurse.login(circle.nurse.email)
    page = nurse.get(f"/b/{jeanne}/messages?space=health").text
    assert "Réponse de Jeanne Martin à : « Prise de sang demain à 8 h, restez à jeun »" in page
    reply_id = int(re.findall(r'href="/messages/(\d+)"', page)[0])
    opened = nurse.get(f"/messages/{reply_id}").text
    assert "« Prise de sang demain à 8 h, restez à jeun »" in opened
    # The family never sees the health reply, nor what it answers.
    assert "Prise de sang" not in daughter.get(f"/b/{jeanne}/messages?space=health").text
    assert daughter.get(f"/messages/{reply_id}").status_code == 404
    # The home aide (health space, not a recipient) neither.
    aide = new_browser()
    aide.login(circle.home_aide.email)
    assert "Prise de sang" not in aide.get(f"/b/{jeanne}/messages?space=health").text


def test_health_recipients_are_named_with_their_role(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    manager = new_browser()
    manager.login(circle.care_manager.email)
    form = manager.get(f"/b/{jeanne}/messages?space=health").text

    def label_of(person_id: int) -> str:
        found = re.search(rf'<label for="to-{person_id}">(.*?)</label>', form)
        assert found, person_id
        return re.sub(r"<[^>]+>", "", found.group(1))

    nurse = f"{circle.nurse.name} — infirmière, Cabinet infirmier des Lilas"
    assert label_of(circle.nurse.id) == nurse
    assert label_of(circle.home_aide.id).endswith("— aide à domicile, SAAD Bien chez soi")
    assert label_of(circle.daughter.id) == f"{circle.daughter.name} — famille"
    sent = manager.post(
        f"/b/{jeanne}/messages",
        {"space": "health", "body": "Tension à surveiller", "recipient_ids": circle.nurse.id},
    )
    assert sent.status_code == 303
    listing = manager.get(f"/b/{jeanne}/messages?space=health").text
    assert f"À : {circle.nurse.name} (infirmière, Cabinet infirmier des Lilas)" in listing
    message_id = int(re.findall(r'href="/messages/(\d+)"', listing)[0])
    opened = manager.get(f"/messages/{message_id}").text
    assert f"À : {circle.nurse.name} (infirmière, Cabinet infirmier des Lilas)" in opened
    # In English, the role's word is English; the organisation keeps its own name.
    manager.http.cookies.set("foyer_lang", "en")
    form = manager.get(f"/b/{jeanne}/messages?space=health").text
    assert label_of(circle.nurse.id) == f"{circle.nurse.name} — nurse, Cabinet infirmier des Lilas"
    assert label_of(circle.daughter.id) == f"{circle.daughter.name} — family"
