"""Console security: session fixation, CSRF on every form, stored XSS, every page's access rules.

The real application in-process on SQLite, one `Browser` (tests/console/conftest.py) per
person, as separate browsers; the console's routes are read from the application itself, so
a page or form added later is covered (or the test says which path parameter it lacks).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from backend import security
from backend.api.deps import utc_now
from backend.app import create_app
from backend.config import Settings
from backend.console.web import SESSION_COOKIE
from backend.models import Base
from tests.api.circle_fixtures import CircleSetup, Person, build_circle, care_manager_of
from tests.api.factories import API, device_headers, pair_device, session_of
from tests.api.rollout_helpers import a_rollout
from tests.console.conftest import Browser
from tests.security import hostile

COOKIE_DOMAIN = "testserver.local"  # how the cookie jar files cookies of http://testserver
API_PATHS = ("/api/", "/healthz", "/docs", "/redoc", "/openapi")
XSS = {
    "message": '<script>alert("msg")</script>',
    "event": '<img src=x onerror=alert("event")>',
    "name": '<svg onload=alert("name")>',
    "caption": '"><script>alert("caption")</script>',
    "reminder": '<iframe src=javascript:alert("reminder")>',
}


@dataclass
class Console:
    client: TestClient
    circle: CircleSetup
    ids: dict[str, Any]  # path parameter → a real value about Jeanne

    def browser(self, person: Person | None = None) -> Browser:
        browser = Browser(self.client.app)
        if person is not None:
            browser.login(person.email)
        return browser


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """Jeanne's circle with one of everything a console page can be about, some of it hostile."""
    data = tmp_path_factory.mktemp("console")
    with pytest.MonkeyPatch.context() as patch:
        # A dozen accounts: their password cost is asserted in test_credentials.py.
        patch.setattr(
            security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        # No jobs worker: its thread (an alert's e-mail going out) would write rows while the
        # tests count them.
        settings = Settings.for_data_dir(data, public_url="http://testserver")
        settings = replace(settings, run_jobs=False)
        app = create_app(settings)
        app.dependency_overrides.pop(utc_now, None)
        with TestClient(app) as client:
            c = build_circle(client)
            cm = c.care_manager
            jeanne = c.jeanne_id
            event = client.post(
                f"{API}/beneficiaries/{jeanne}/events",
                json={
                    "title": XSS["event"],
                    "start": "2026-12-03T09:00:00",
                    "duration_minutes": 30,
                },
                headers=cm.headers,
            ).json()
            message = client.post(
                f"{API}/beneficiaries/{jeanne}/messages",
                json={"space": "daily", "body": XSS["message"] + hostile.TEXTS["rtl_override"]},
                headers=c.daughter.headers,
            ).json()
            health = client.post(
                f"{API}/beneficiaries/{jeanne}/messages",
                json={"space": "health", "body": "Tension", "recipient_ids": [c.nurse.id]},
                headers=cm.headers,
            ).json()
            photo = client.post(
                f"{API}/beneficiaries/{jeanne}/photos",
                files={"files": ("p.jpg", _jpeg(), "image/jpeg")},
                data={"caption": XSS["caption"]},
                headers=c.daughter.headers,
            ).json()[0]["photo"]
            assert (
                client.patch(
                    f"{API}/me", json={"name": XSS["name"]}, headers=c.neighbour.headers
                ).status_code
                == 200
            )
            device = pair_device(client, care_manager_of(cm), jeanne)
            for score in (5, 1, 1, 1):
                client.post(
                    f"{API}/beneficiaries/{jeanne}/wellbeing/readings",
                    json={"score": score},
                    headers=c.nurse.headers,
                )
            alerts = client.get(f"{API}/beneficiaries/{jeanne}/alerts", headers=cm.headers).json()
            reminder = client.post(
                f"{API}/beneficiaries/{jeanne}/reminders",
                json={"title": XSS["reminder"], "start": "2026-12-01T08:00:00"},
                headers=cm.headers,
            ).json()
            client.put(
                f"{API}/beneficiaries/{jeanne}/reminders/editors/{c.daughter.id}",
                headers=cm.headers,
            )
            # A call: the daughter approved as a caller, then Jeanne's tablet calling her.
            approved = client.put(
                f"{API}/beneficiaries/{jeanne}/callers/{c.daughter.id}", headers=cm.headers
            )
            assert approved.status_code == 200, approved.text
            call = client.post(
                f"{API}/device/calls",
                json={"user_id": c.daughter.id},
                headers=device_headers(device["access_token"]),
            )
            assert call.status_code == 201, call.text
            ids = {
                "beneficiary_id": jeanne,
                "call_id": call.json()["call"]["id"],
                "event_id": event["id"],
                "message_id": message["id"],
                "health_message_id": health["id"],
                "photo_id": photo["id"],
                "variant": "display",
                "organisation_id": c.nursing["id"],
                "device_id": device["device_id"],
                "user_id": c.daughter.id,
                "invitation_id": 1,
                "alert_id": alerts[0]["id"] if alerts else 1,
                "reminder_id": reminder["id"],
                "editor_id": c.daughter.id,
                "token": "x" * 32,
                # The operator's rollout: forms about it are refused without a token like any.
                "rollout_id": a_rollout(client),
            }
            yield Console(client, c, ids)


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _routes(nested.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, set(route.methods)


def _console_routes(client: TestClient, method: str) -> list[str]:
    app: Any = client.app
    return sorted(
        {
            p
            for p, methods in _routes(app.routes)
            if method in methods and not p.startswith(API_PATHS)
        }
    )


def _fill(path: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"console path {path}: give the test a value for {{{name}}}"
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", value, path) + QUERIES.get(path, "")


def _fingerprint(client: TestClient) -> dict[str, int]:
    with session_of(client) as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
            if t.name not in ("audit_log", "rate_limits", "access_tokens")
        }


def test_session_fixation_a_planted_session_is_never_adopted(console: Console) -> None:
    """A session value planted in the victim's browser before sign-in: after signing in the
    browser holds a new session the server issued, and the planted value opens nothing."""
    planted = "fyu_" + "a" * 40
    victim = Browser(console.client.app)
    victim.http.cookies.set(SESSION_COOKIE, planted, domain=COOKIE_DOMAIN)
    victim.login(console.circle.care_manager.email)
    issued = victim.http.cookies.get(SESSION_COOKIE, domain=COOKIE_DOMAIN)
    assert issued and issued != planted
    attacker = Browser(console.client.app)
    attacker.http.cookies.set(SESSION_COOKIE, planted, domain=COOKIE_DOMAIN)
    response = attacker.get("/")
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    # Signing in again gives yet another session: a session seen before sign-in is worthless.
    again = Browser(console.client.app)
    again.http.cookies.set(SESSION_COOKIE, issued, domain=COOKIE_DOMAIN)
    again.login(console.circle.care_manager.email)
    assert again.http.cookies.get(SESSION_COOKIE, domain=COOKIE_DOMAIN) != issued


def test_every_console_form_refuses_a_missing_or_foreign_csrf_token(console: Console) -> None:
    """Every POST of the console, signed in as Jeanne's care manager: no token, a garbage
    token, or another person's valid token → 403, and no table changes."""
    posts = _console_routes(console.client, "POST")
    assert len(posts) >= 25
    cm = console.browser(console.circle.care_manager)
    other = console.browser(console.circle.daughter)
    foreign = other.csrf
    assert foreign and foreign != cm.csrf
    before = _fingerprint(console.client)
    for path in posts:
        url = _fill(path, console.ids)
        for token in (None, "0" * 64, foreign):
            data = {} if token is None else {"csrf": token}
            response = cm.http.post(url, data=data, params={"csrf": token} if token else None)
            assert response.status_code == 403, (path, token, response.status_code)
    assert _fingerprint(console.client) == before


def test_stored_xss_is_escaped_on_every_console_page(console: Console) -> None:
    """Markup typed as a message, an event title, a person's name and a photo caption appears on
    the console only escaped, on every page of Jeanne a care manager opens."""
    cm = console.browser(console.circle.care_manager)
    seen: dict[str, int] = dict.fromkeys(XSS, 0)
    for path in _console_routes(console.client, "GET"):
        if path.startswith(("/console/photos", "/static", "/invitation", "/login")):
            continue
        response = cm.get(_fill(path, console.ids))
        assert response.status_code < 500, path
        if not response.headers["content-type"].startswith("text/html"):
            # A download (the agenda as .ics) holds what people typed as data: it must never
            # be taken for a page by the browser.
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["content-disposition"].startswith("attachment"), path
            continue
        html = response.text
        for name, payload in XSS.items():
            assert payload not in html, f"{name} unescaped on {path}"
            for dangerous in ("<script>alert", "<img src=x onerror", "<svg onload"):
                assert dangerous not in html, (path, dangerous)
            if payload.replace("<", "&lt;").replace(">", "&gt;").split("&lt;")[1][:8] in html:
                seen[name] += 1
    assert all(seen.values()), f"some hostile text was shown on no page at all: {seen}"


PUBLIC = ("/login", "/invitation/{token}")
# Pages that need a query parameter to say which item they show.
QUERIES = {"/events/{event_id}/occurrence": "?start=2026-12-03T09:00:00"}


def test_every_console_page_against_every_kind_of_person(console: Console) -> None:
    """Every console page (read from the application) for nobody, people outside Jeanne's
    circle and each role in it: nobody is sent to sign in; outsiders get 403/404 and never see
    Jeanne; members never get a server error, and a refusal is a French page."""
    c = console.circle
    pages = [p for p in _console_routes(console.client, "GET") if not p.startswith("/static")]
    assert len(pages) >= 15
    nobody = console.browser()
    for path in pages:
        response = nobody.get(_fill(path, console.ids))
        if path in PUBLIC:
            assert response.status_code < 500, path
        else:
            assert response.status_code in (302, 303), path
            assert "/login" in response.headers["location"], path
    about_jeanne = [p for p in pages if re.search(r"\{(?!token)\w+\}", p)]
    for outsider in (c.outsider, c.other_care_manager, c.other_family):
        browser = console.browser(outsider)
        for path in about_jeanne:
            response = browser.get(_fill(path, console.ids))
            assert response.status_code in (403, 404), (outsider.name, path, response.status_code)
            assert "Jeanne" not in response.text, (outsider.name, path)
        assert "Jeanne" not in browser.get("/").text
    for member in (c.care_manager, c.nurse, c.home_aide, c.volunteer, c.daughter, c.neighbour):
        browser = console.browser(member)
        for path in pages:
            response = browser.get(_fill(path, console.ids))
            assert response.status_code < 500, (member.name, path)
            if response.status_code == 403:
                assert "ne permet pas" in response.text, (member.name, path)
    # A health message exists only for its author and recipients.
    url = f"/messages/{console.ids['health_message_id']}"
    for member, allowed in (
        (c.care_manager, True),
        (c.nurse, True),
        (c.daughter, False),
        (c.home_aide, False),
    ):
        status = console.browser(member).get(url).status_code
        assert (status == 200) is allowed, (member.name, status)


def test_console_answers_carry_the_security_headers(console: Console) -> None:
    """Console pages: CSP without inline script, no framing, nosniff, no-referrer, no-store."""
    cm = console.browser(console.circle.care_manager)
    response = cm.get(f"/b/{console.circle.jeanne_id}/messages")
    assert response.status_code == 200
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"


@pytest.mark.parametrize("hostile_file", hostile.files(), ids=lambda f: f.name)
def test_hostile_file_through_the_console_upload_form(
    console: Console, hostile_file: hostile.HostileFile
) -> None:
    """A hostile "photo" sent through the console's upload form (no JavaScript): a refusal is
    a French page naming the file, nothing is stored; an accepted one is served clean."""
    daughter = console.browser(console.circle.daughter)
    url = f"/b/{console.circle.jeanne_id}/photos"
    daughter.get(url)
    before = _fingerprint(console.client)
    response = daughter.http.post(
        url,
        params={"csrf": daughter.csrf},
        files={"files": (hostile_file.filename, hostile_file.content, "image/jpeg")},
    )
    assert response.status_code < 500
    assert "text/html" in response.headers["content-type"]
    assert hostile.SCRIPT.decode() not in response.text
    if hostile_file.refused_with is not None:
        assert response.status_code == 422, response.status_code
        assert f"{hostile_file.filename} : refusée — " in response.text
        reasons = ("endommagée", "pas une photo", "trop grande", "est vide")
        assert any(w in response.text for w in reasons)
        assert _fingerprint(console.client)["photos"] == before["photos"]
        return
    assert response.status_code == 200
    assert f"{hostile_file.filename} : " in response.text  # envoyée, or déjà présente
