"""A real backend application on a fresh SQLite file, for the attack tests (in-process).

    with running_app(tmp_path) as app:
        app.client.get(..., headers=app.cm.headers)

It holds a care manager (`cm`), a beneficiary (`beneficiary_id`) and a paired tablet
(`device_token`, `device_id`), made through the API the way the console and the tablet do.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from backend.api.deps import utc_now
from backend.app import create_app
from backend.config import Settings
from tests.api.factories import (
    CareManager,
    care_manager,
    create_beneficiary,
    device_headers,
    pair_device,
)


@dataclass(frozen=True)
class RunningApp:
    client: TestClient
    cm: CareManager
    beneficiary_id: int
    device_token: str
    device_id: int

    @property
    def device_headers(self) -> dict[str, str]:
        return device_headers(self.device_token)


class RequestsLike:
    """The TestClient as the `requests.Session` the tablet's DeviceClient expects (in-process,
    so without timeouts, which the TestClient refuses)."""

    def __init__(self, client: TestClient) -> None:
        self._client = client

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs.pop("timeout", None)
        kwargs.pop("stream", None)
        return self._client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs.pop("timeout", None)
        return self._client.post(url, **kwargs)


@contextmanager
def running_app(
    data_dir: Path, clock: Callable[[], datetime] | None = None, **overrides: Any
) -> Iterator[RunningApp]:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = replace(Settings.for_data_dir(data_dir, public_url="http://foyer.test"), **overrides)
    app = create_app(settings)
    if clock is not None:
        app.dependency_overrides[utc_now] = clock
    with TestClient(app) as client:
        cm = care_manager(client)
        beneficiary = create_beneficiary(client, cm, timezone="Europe/Paris")
        token = pair_device(client, cm, beneficiary["id"])
        yield RunningApp(
            client, cm, int(beneficiary["id"]), token["access_token"], int(token["device_id"])
        )


METHODS = ("get", "put", "post", "delete", "patch")


def _operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, read from the schema without a database."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings.for_data_dir(Path(tmp)), migrate=False)
        paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return [(m.upper(), p) for p, ops in sorted(paths.items()) for m in ops if m in METHODS]


OPERATIONS = _operations()
