"""In-process console tests: the real application (tests/api fixtures: SQLite and PostgreSQL),
a `TestClient` per person so each keeps their own cookies, as separate browsers would."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.circle_fixtures import CircleSetup, build_circle
from tests.api.conftest import (  # noqa: F401 - fixtures shared with the API tests
    Clock,
    MakeClient,
    _cheap_password_hashing,
    clock,
    fresh_database,
    is_postgres,
    make_client,
    pg_server,
    sqlite_template,
)
from tests.api.factories import PASSWORD

# The pages add no SQL of their own (they call the services, tested on both databases), so
# most console tests run on SQLite only; those about rights and pairing run on both.
BOTH_DATABASES = pytest.mark.parametrize(
    "database_url",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path, request.param)


CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


class Browser:
    """One person's browser on the console: cookies, and the CSRF token of the last page."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        # follow_redirects=False: tests look at where a form sends them.
        self.http = TestClient(
            app, base_url=base_url, follow_redirects=False, raise_server_exceptions=False
        )
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.http.get(path, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        body = {"csrf": self.csrf, **(data or {})}
        return self.http.post(path, data=body, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        self.get("/")
        return response


NewBrowser = Callable[[], Browser]


@pytest.fixture
def app_client(make_client: MakeClient, clock: Clock) -> TestClient:  # noqa: F811
    return make_client(clock=clock)


@pytest.fixture
def new_browser(app_client: TestClient) -> NewBrowser:
    return lambda: Browser(app_client.app)


@pytest.fixture
def circle(app_client: TestClient) -> CircleSetup:
    return build_circle(app_client)
