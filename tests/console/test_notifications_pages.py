"""« Mes notifications » in process: the form (at once, a daily digest at an hour, never; quiet
hours; time zone) saved through `mail.set_preferences`, its refusals said in the page's
language with what was typed kept; the account page says the choice and leads to it. And an
invitation's link sent by e-mail from the circle page: one message with the link and its
expiry, nothing of the person's health, written with its job and delivered by the worker."""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Job, OutgoingEmail, User
from backend.services import mail
from tests.api.circle_fixtures import CircleSetup
from tests.api.factories import session_of, state_of, wait_until
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser

PAGE = "/account/notifications"


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def preferences(app: TestClient, email: str) -> mail.Preferences:
    with session_of(app) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return mail.get_preferences(session, user)


def form(**values: str) -> dict[str, str]:
    base = {
        "email_mode": "immediate",
        "digest_hour": "18",
        "quiet_start": "",
        "quiet_end": "",
        "timezone": "Europe/Paris",
    }
    return {**base, **values}


def signed_in(new_browser: NewBrowser, email: str) -> Browser:
    browser = new_browser()
    browser.login(email)
    return browser


# --- the form ------------------------------------------------------------------------------------


def test_the_form_shows_the_defaults_and_saves_a_digest_with_quiet_hours(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    daughter = signed_in(new_browser, circle.daughter.email)
    account = daughter.get("/account")
    words = text(account.text)
    assert "Mes notifications Les alertes vous sont envoyées par e-mail tout de suite." in words
    assert f'href="{PAGE}"' in account.text
    page = daughter.get(PAGE)
    assert page.status_code == 200
    assert 'id="mode-immediate" name="email_mode" value="immediate" checked' in page.text
    assert '<option value="18" selected>' in page.text
    assert '<option value="Europe/Paris" selected>' in page.text

    saved = daughter.post(
        PAGE,
        form(email_mode="digest", digest_hour="7", quiet_start="21:30", quiet_end="8:00",
             timezone="Indian/Reunion"),
    )  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?done=1"
    assert preferences(app_client, circle.daughter.email) == mail.Preferences(
        "digest", 7, "21:30", "08:00", "Indian/Reunion"
    )
    page = daughter.get(saved.headers["location"])
    assert "Vos choix de notifications sont enregistrés." in text(page.text)
    assert 'value="digest" checked' in page.text and '<option value="7" selected>' in page.text
    assert 'value="21:30"' in page.text and 'value="08:00"' in page.text
    assert '<option value="Indian/Reunion" selected>' in page.text
    words = text(daughter.get("/account").text)
    assert "dans un résumé par jour, à 7 h. Heures calmes : de 21:30 à 08:00." in words, words

    # Never, and no quiet hours: both left empty.
    assert daughter.post(PAGE, form(email_mode="never")).status_code == 303
    assert preferences(app_client, circle.daughter.email) == mail.Preferences(
        "never", 18, None, None, "Europe/Paris"
    )
    assert "Aucune alerte ne vous est envoyée par e-mail." in text(daughter.get("/account").text)


@BOTH_DATABASES
def test_wrong_values_are_refused_in_words_and_nothing_is_saved(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = signed_in(new_browser, circle.care_manager.email)
    manager.get(PAGE)
    hour = "L'heure du résumé doit être un nombre entier de 0 à 23."
    cases = [
        (
            form(quiet_start="21:00"),
            "Indiquez le début et la fin des heures calmes, ou aucun des deux.",
        ),
        (
            form(quiet_start="25:00", quiet_end="07:00"),
            "Heure invalide : 25:00. Attendu : HH:MM, par exemple 21:00.",
        ),
        (form(timezone="Mars/Olympus"), "Fuseau horaire inconnu : Mars/Olympus."),
        (
            form(email_mode="pigeon"),
            "Mode d'envoi inconnu : pigeon. Modes possibles : immediate, digest, never.",
        ),
        (form(email_mode="digest", digest_hour="midi"), hour),
        (form(email_mode="digest", digest_hour="24"), hour),
    ]
    for values, message in cases:
        refused = manager.post(PAGE, values)
        assert refused.status_code == 422, values
        assert message in text(refused.text), values
        assert preferences(app_client, circle.care_manager.email) == mail.DEFAULT_PREFERENCES
    # What was typed stays in the form.
    kept = manager.post(
        PAGE, form(email_mode="digest", quiet_start="22:15", timezone="Mars/Olympus")
    )
    assert 'value="digest" checked' in kept.text and 'value="22:15"' in kept.text
    assert '<option value="Mars/Olympus" selected>' in kept.text
    # Without the form's token, nothing happens.
    forged = manager.http.post(PAGE, data=form(email_mode="never"))
    assert forged.status_code == 403
    assert preferences(app_client, circle.care_manager.email) == mail.DEFAULT_PREFERENCES


def test_the_refusals_in_english(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = signed_in(new_browser, circle.care_manager.email)
    manager.post("/lang", {"lang": "en", "next": PAGE})
    page = text(manager.get(PAGE).text)
    assert "My notifications" in page and "At once: one e-mail per alert" in page
    assert "Quiet hours (optional)" in page and "Metropolitan France (Europe/Paris)" in page
    cases = [
        (
            form(quiet_end="07:00"),
            "Give both the start and the end of the quiet hours, or neither.",
        ),
        (
            form(quiet_start="7h", quiet_end="08:00"),
            "Invalid time: 7h. Expected: HH:MM, for example 21:00.",
        ),
        (form(timezone="Mars/Olympus"), "Unknown time zone: Mars/Olympus."),
        (form(digest_hour="-3"), "The digest's hour must be a whole number from 0 to 23."),
    ]
    for values, message in cases:
        refused = text(manager.post(PAGE, values).text)
        assert message in refused, values
        assert "Indiquez" not in refused and "Fuseau horaire inconnu" not in refused
    assert manager.post(PAGE, form(email_mode="digest")).status_code == 303
    assert "Alerts are e-mailed to you in a daily digest, at 18:00." in text(
        manager.get("/account").text
    )


def test_signed_out_the_page_asks_to_sign_in_first(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    browser = new_browser()
    response = browser.get(PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount%2Fnotifications"


# --- an invitation sent by e-mail --------------------------------------------------------------


def _created(manager: Browser, jeanne: int, email: str) -> tuple[str, str, int]:
    """Create an invitation from the circle page: (its link, its token, its id)."""
    manager.get(f"/b/{jeanne}/circle")
    page = manager.post(
        f"/b/{jeanne}/invitations", {"name": "Lucie Martin", "email": email, "relation": "family"}
    )
    assert page.status_code == 200, page.text
    link = re.search(r'id="invitation-link" class="copy" readonly value="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    action = re.search(r'action="/b/\d+/invitations/(\d+)/email"', page.text)
    assert link and token and action
    assert "Envoyer par e-mail" in page.text
    return html.unescape(link.group(1)), token.group(1), int(action.group(1))


def test_an_invitation_link_is_emailed_once_without_health_details(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    manager = signed_in(new_browser, circle.care_manager.email)
    link, token, invitation_id = _created(manager, jeanne, "lucie.martin@famille.test")
    sent = manager.post(f"/b/{jeanne}/invitations/{invitation_id}/email", {"token": token})
    assert sent.status_code == 200
    words = text(sent.text)
    assert "Le lien est envoyé par e-mail à lucie.martin@famille.test." in words
    assert link in html.unescape(sent.text)  # still there to copy
    assert "Envoyer par e-mail" not in words
    # Sent again (a reload of that page): still one e-mail.
    again = manager.post(f"/b/{jeanne}/invitations/{invitation_id}/email", {"token": token})
    assert again.status_code == 200
    with session_of(app_client) as session:
        emails = list(session.scalars(select(OutgoingEmail)))
        invitations = [e for e in emails if e.message_id.startswith("<invitation-")]
        assert len(invitations) == 1
        email = invitations[0]
        assert email.to_address == "lucie.martin@famille.test"
        assert (
            email.subject == "Foyer — Claire Dupont vous invite dans l'entourage de Jeanne Martin"
        )
        assert link in email.body and "Bonjour Lucie Martin," in email.body
        assert "Ce lien est personnel et valable jusqu'au " in email.body
        assert "famille" not in email.body.lower().replace("lucie.martin@famille.test", "")
        jobs = list(session.scalars(select(Job).where(Job.kind == mail.SEND_EMAIL)))
        assert [j.payload for j in jobs if str(email.id) in j.payload]
    # The application's worker delivers it (no SMTP server here: a file in mail_dir).
    mail_dir = state_of(app_client).settings.mail_dir
    assert mail_dir is not None

    def delivered() -> list[Path]:
        return sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []

    wait_until(lambda: any(_is_invitation(p) for p in delivered()), timeout=10)
    [eml] = [p for p in delivered() if _is_invitation(p)]
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "lucie.martin@famille.test"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and link in body.get_content()


def _is_invitation(path: Path) -> bool:
    return b"Message-ID: <invitation-" in path.read_bytes()


def test_only_the_invitations_own_link_and_only_its_care_manager_may_email_it(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    jeanne = circle.jeanne_id
    manager = signed_in(new_browser, circle.care_manager.email)
    _, token, invitation_id = _created(manager, jeanne, "lucie.martin@famille.test")
    _, other_token, other_id = _created(manager, jeanne, "paul.martin@famille.test")
    url = f"/b/{jeanne}/invitations/{invitation_id}/email"
    assert manager.post(url, {"token": other_token}).status_code == 404
    assert manager.post(url, {"token": "fyi_wrong"}).status_code == 404
    # The family may not, even with the token (a forged form), nor someone outside the circle.
    daughter = signed_in(new_browser, circle.daughter.email)
    assert daughter.post(url, {"token": token}).status_code == 403
    outsider = signed_in(new_browser, circle.outsider.email)
    assert outsider.post(url, {"token": token}).status_code == 404
    # An invitation revoked (or replaced) is not sent any more.
    manager.get(f"/b/{jeanne}/circle")
    manager.post(f"/b/{jeanne}/invitations/{invitation_id}/revoke")
    gone = manager.post(url, {"token": token})
    assert gone.status_code == 410 and "Cette invitation a été annulée." in text(gone.text)
    with session_of(app_client) as session:
        assert [
            e.id
            for e in session.scalars(select(OutgoingEmail))
            if e.message_id.startswith("<invitation-")
        ] == []
    assert other_id != invitation_id
