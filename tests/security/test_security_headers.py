"""Security headers: every answer is protected against sniffing, framing and leaky caches.

Checked on real answers of the application (backend/security_headers.py): JSON of the API,
errors, photo files, the console's pages and its static files.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.api.factories import API
from tests.security.backend_app import RunningApp, running_app

BASICS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _upload(app: RunningApp) -> int:
    response = app.client.post(
        f"{API}/beneficiaries/{app.beneficiary_id}/photos",
        files={"files": ("p.jpg", _jpeg(), "image/jpeg")},
        headers=app.cm.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()[0]["photo"]["id"])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """One application for the whole file (headers do not depend on earlier requests)."""
    with running_app(tmp_path_factory.mktemp("headers")) as running:
        yield running


@pytest.fixture(scope="module")
def photo_id(app: RunningApp) -> int:
    return _upload(app)


def test_every_kind_of_answer_carries_the_security_headers(app: RunningApp, photo_id: int) -> None:
    """API JSON, 401/404/422 errors, photo files, console pages and static files: nosniff,
    no-referrer, DENY framing and a CSP forbidding frames."""
    c = app.client
    answers = {
        "api json": c.get(f"{API}/beneficiaries", headers=app.cm.headers),
        "api 401": c.get(f"{API}/beneficiaries"),
        "api 404": c.get(f"{API}/events/999", headers=app.cm.headers),
        "api 422": c.get(f"{API}/events/0", headers=app.cm.headers),
        "device sync": c.get(f"{API}/device/sync", headers=app.device_headers),
        "photo file": c.get(f"{API}/photos/{photo_id}/display", headers=app.cm.headers),
        "healthz": c.get("/healthz"),
        "console login": c.get("/login"),
        "console 404": c.get("/no-such-page"),
        "static": c.get("/static/console.css"),
    }
    for name, response in answers.items():
        assert response.status_code < 500, (name, response.status_code)
        for header, value in BASICS.items():
            assert response.headers.get(header) == value, (name, header)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], name


def test_api_answers_allow_no_content_at_all(app: RunningApp, photo_id: int) -> None:
    """JSON and image answers of the API: `default-src 'none'`, so a response that a browser
    were tricked into rendering could run nothing and load nothing."""
    for url in (f"{API}/beneficiaries", f"{API}/photos/{photo_id}/display"):
        response = app.client.get(url, headers=app.cm.headers)
        assert "default-src 'none'" in response.headers["content-security-policy"]


def test_console_pages_forbid_inline_script(app: RunningApp) -> None:
    """Console pages keep their own CSP: scripts only from the site itself, none inline."""
    csp = app.client.get("/login").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"


def test_authenticated_answers_are_never_stored_by_caches(app: RunningApp, photo_id: int) -> None:
    """Answers to a signed-in person or a tablet: `Cache-Control: no-store`, except immutable
    photo files, which stay `private` (never in a shared cache)."""
    c = app.client
    for response in (
        c.get(f"{API}/beneficiaries", headers=app.cm.headers),
        c.get(f"{API}/me", headers=app.cm.headers),
        c.get(f"{API}/events/999", headers=app.cm.headers),
        c.get(f"{API}/device/sync", headers=app.device_headers),
        c.get(f"{API}/beneficiaries/{app.beneficiary_id}/messages", headers=app.cm.headers),
    ):
        assert response.headers["cache-control"] == "no-store", response.url
    photo = c.get(f"{API}/photos/{photo_id}/display", headers=app.cm.headers)
    assert photo.headers["cache-control"].startswith("private")
