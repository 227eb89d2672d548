"""Accounts in the console: sign-in cookies, CSRF, expired sessions, password change and
reset, invitation acceptance — on SQLite and PostgreSQL, in process."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.config import Settings
from backend.console import secret
from tests.api.circle_fixtures import CircleSetup
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, PASSWORD, care_manager, create_beneficiary
from tests.console.conftest import BOTH_DATABASES, Browser, NewBrowser


def test_sign_in_sets_an_http_only_lax_cookie_and_opens_the_dashboard(
    app_client: TestClient, new_browser: NewBrowser
) -> None:
    cm = care_manager(app_client, "claire@foyer.test")
    create_beneficiary(app_client, cm, first_name="Hélène", last_name="Roux")
    browser = new_browser()
    response = browser.login(cm.email)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("foyer_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # served on http: a Secure cookie would never come back
    assert response.headers["location"] == "/"
    page = browser.get("/")
    assert page.status_code == 200 and "Hélène Roux" in page.text
    # Search ignores case and accents, as the dashboard service does.
    assert "Hélène Roux" in browser.get("/?q=helene").text
    assert "Hélène Roux" not in browser.get("/?q=albert").text


def test_the_cookie_is_secure_when_the_console_is_served_over_https(
    make_client: MakeClient,
) -> None:
    client = make_client(public_url="https://foyer.example")
    cm = care_manager(client, "claire@foyer.test")
    browser = Browser(client.app, base_url="https://testserver")
    browser.get("/login")
    response = browser.post("/login", {"email": cm.email, "password": PASSWORD})
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_a_readable_message_not_a_session(
    app_client: TestClient, new_browser: NewBrowser
) -> None:
    care_manager(app_client, "claire@foyer.test")
    browser = new_browser()
    browser.get("/login")
    response = browser.post("/login", {"email": "claire@foyer.test", "password": "pas le bon"})
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "foyer_session" not in response.headers.get("set-cookie", "")


@BOTH_DATABASES
def test_a_form_without_or_with_a_wrong_csrf_token_is_refused(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    browser = new_browser()
    browser.login(circle.daughter.email)
    url = f"/b/{circle.jeanne_id}/messages"
    for forged in ("", "0" * 64, "not-a-token"):
        response = browser.http.post(
            url, data={"csrf": forged, "space": "daily", "body": "Message forgé"}
        )
        assert response.status_code == 403
        assert "Ce formulaire a expiré ou ne vient pas de cette console" in response.text
    # Another person's token does not open this session either.
    other = new_browser()
    other.login(circle.neighbour.email)
    response = browser.http.post(
        url, data={"csrf": other.csrf, "space": "daily", "body": "Message forgé"}
    )
    assert response.status_code == 403
    page = browser.get(f"{url}?space=daily")
    assert page.status_code == 200 and "Message forgé" not in page.text  # nothing was written
    # A sign-in form is protected too (login CSRF).
    anonymous = new_browser()
    response = anonymous.http.post(
        "/login", data={"email": circle.daughter.email, "password": PASSWORD}
    )
    assert response.status_code == 403


@BOTH_DATABASES
def test_an_expired_session_returns_to_login_with_a_message(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser, clock: Clock
) -> None:
    browser = new_browser()
    browser.login(circle.daughter.email)
    target = f"/b/{circle.jeanne_id}/photos"
    assert browser.get(target).status_code == 200
    settings: Settings = app_client.app.state.foyer.settings  # type: ignore[attr-defined]
    clock.advance(settings.access_token_ttl_seconds + 1)
    response = browser.get(target)
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/login?next=%2Fb%2F{circle.jeanne_id}%2Fphotos&expired=1"
    )
    login_page = browser.get(response.headers["location"])
    assert "Votre session a expiré : reconnectez-vous." in login_page.text
    # Signing in again goes back where the person was.
    again = browser.post(
        "/login", {"email": circle.daughter.email, "password": PASSWORD, "next": target}
    )
    assert again.headers["location"] == target
    # Only paths of this site: a crafted link cannot send people elsewhere.
    away = new_browser()
    away.get("/login")
    response = away.post(
        "/login", {"email": circle.daughter.email, "password": PASSWORD, "next": "//evil.test/"}
    )
    assert response.headers["location"] == "/"


def test_logout_ends_the_session_for_good(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    browser = new_browser()
    browser.login(circle.daughter.email)
    token = browser.http.cookies["foyer_session"]
    response = browser.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    me = app_client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401  # the token itself is gone, not only the cookie


def test_password_change_checks_the_current_one_and_closes_other_sessions(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    laptop, phone = new_browser(), new_browser()
    laptop.login(circle.daughter.email)
    phone.login(circle.daughter.email)
    laptop.get("/account")
    wrong = laptop.post(
        "/account/password",
        {"current": "pas le bon", "new": "un nouveau secret", "confirm": "un nouveau secret"},
    )
    assert wrong.status_code == 403 and "Le mot de passe actuel est incorrect." in wrong.text
    differ = laptop.post(
        "/account/password", {"current": PASSWORD, "new": "un nouveau secret", "confirm": "autre"}
    )
    assert differ.status_code == 422 and "diffèrent" in differ.text
    short = laptop.post(
        "/account/password", {"current": PASSWORD, "new": "court", "confirm": "court"}
    )
    assert short.status_code == 422 and "au moins 10 caractères" in short.text
    done = laptop.post(
        "/account/password",
        {"current": PASSWORD, "new": "un nouveau secret", "confirm": "un nouveau secret"},
    )
    assert done.status_code == 303
    assert "Votre mot de passe a été changé." in laptop.get(done.headers["location"]).text
    assert phone.get("/account").status_code == 303  # the other one is closed
    fresh = new_browser()
    fresh.get("/login")
    old = fresh.post("/login", {"email": circle.daughter.email, "password": PASSWORD})
    assert old.status_code == 401
    fresh.login(circle.daughter.email, "un nouveau secret")


def test_invitation_link_creates_the_account_and_signs_in(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    manager = new_browser()
    manager.login(circle.care_manager.email)
    manager.get(f"/b/{circle.jeanne_id}/circle")
    created = manager.post(
        f"/b/{circle.jeanne_id}/invitations",
        {"name": "Paul Martin", "email": "paul.martin@famille.test", "relation": "family"},
    )
    assert created.status_code == 200
    link = created.text.split('readonly value="', 1)[1].split('"', 1)[0]
    path = link.removeprefix("http://foyer.test")
    assert path.startswith("/invitation/fyi_")

    paul = new_browser()
    page = paul.get(path)
    assert "Claire Dupont vous invite dans l'entourage de Jeanne Martin." in page.text
    short = paul.post(path, {"name": "Paul Martin", "password": "court"})
    assert short.status_code == 422 and "au moins 10 caractères" in short.text
    joined = paul.post(path, {"name": "Paul Martin", "password": "mon mot de passe"})
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/b/{circle.jeanne_id}"
    assert "Jeanne Martin" in paul.get("/").text
    # The link is single use.
    again = new_browser().get(path)
    assert again.status_code == 410 and "déjà été utilisée" in again.text


@BOTH_DATABASES
def test_care_manager_resets_a_family_members_password_and_nobody_else_can(
    app_client: TestClient, circle: CircleSetup, new_browser: NewBrowser
) -> None:
    daughter = new_browser()
    daughter.login(circle.daughter.email)
    manager = new_browser()
    manager.login(circle.care_manager.email)
    circle_page = manager.get(f"/b/{circle.jeanne_id}/circle")
    reset_url = f"/b/{circle.jeanne_id}/people/{circle.daughter.id}/reset-password"
    assert reset_url in circle_page.text
    response = manager.post(reset_url)
    assert response.status_code == 200
    temporary = response.text.split('<strong class="code">', 1)[1].split("<", 1)[0]
    assert len(temporary) == 12
    assert daughter.get("/").status_code == 303  # her sessions are closed
    new_browser().login(circle.daughter.email, temporary)

    # The daughter sees no reset button and a forged one is refused.
    neighbour = new_browser()
    neighbour.login(circle.neighbour.email)
    page = neighbour.get(f"/b/{circle.jeanne_id}/circle")
    assert "reset-password" not in page.text
    forged = neighbour.post(f"/b/{circle.jeanne_id}/people/{circle.volunteer.id}/reset-password")
    assert forged.status_code == 403
    # Another care manager cannot reach Jeanne's circle at all.
    other = new_browser()
    other.login(circle.other_care_manager.email)
    assert other.post(reset_url).status_code == 404


def test_english_is_available_and_french_is_the_default(
    app_client: TestClient, new_browser: NewBrowser
) -> None:
    browser = new_browser()
    page = browser.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text
    browser.post("/lang", {"lang": "en", "next": "/login"})
    page = browser.get("/login")
    assert '<html lang="en">' in page.text and "Sign in" in page.text


def test_settings_have_no_shipped_console_secret(make_client: MakeClient) -> None:
    first = make_client()
    settings: Settings = first.app.state.foyer.settings  # type: ignore[attr-defined]
    secret_file = settings.data_dir / "console-secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    # Another data directory, another secret: nothing is shared by default.
    second = make_client()
    assert first.app.state.console.secret != second.app.state.console.secret  # type: ignore[attr-defined]
    assert replace(settings) == settings


def test_the_secret_comes_from_the_environment_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secret.ENV_VAR, "x" * 40)
    assert secret.load_or_create(tmp_path / "console-secret") == b"x" * 40
    assert not (tmp_path / "console-secret").exists()
    monkeypatch.setenv(secret.ENV_VAR, "too short")
    with pytest.raises(ValueError, match="at least 32"):
        secret.load_or_create(tmp_path / "console-secret")
    monkeypatch.delenv(secret.ENV_VAR)
    first = secret.load_or_create(tmp_path / "console-secret")
    assert secret.load_or_create(tmp_path / "console-secret") == first  # kept across restarts


def test_serve_refuses_a_short_shared_secret_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several servers share FOYER_CONSOLE_SECRET (docs/deployment.md): one too short stops
    `serve` before it listens, with the reason, not a traceback from each worker."""
    from backend import cli

    monkeypatch.setenv(secret.ENV_VAR, "too short")
    assert cli.main(["serve", "--data", str(tmp_path), "--port", "9"]) == 2
    assert capsys.readouterr().err.strip() == (
        "foyer-backend: FOYER_CONSOLE_SECRET must hold at least 32 characters."
    )


def test_repeated_wrong_passwords_are_limited_with_a_readable_page(
    app_client: TestClient, new_browser: NewBrowser
) -> None:
    care_manager(app_client, "claire@foyer.test")
    browser = new_browser()
    browser.get("/login")
    for _ in range(10):
        browser.post("/login", {"email": "claire@foyer.test", "password": "mauvais"})
    response = browser.post("/login", {"email": "claire@foyer.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "Trop d&#39;essais de connexion. Réessayez plus tard." in response.text
    assert int(response.headers["retry-after"]) > 0
