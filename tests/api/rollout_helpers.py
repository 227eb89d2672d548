"""Releases, organisations and fleets of tablets for the update tests (docs/updates.md).

Tablets are written straight into the database (a beneficiary, a device with a known
credential): a rollout test needs dozens of them, and pairing is tested elsewhere. The
credential works with every device endpoint, sync included.

    keys = ReleaseKeys.new()
    release_id = add_release(client, keys, "0.2.0")
    org = new_organisation(client, "SAAD du Rhône")
    manager = add_person(client, org, role="manager")        # a care manager, member
    tablets = add_tablets(client, manager, 20)              # 20 tablets, each its own person
    with service(client) as session: rollouts.create_rollout(session, ...)
    updates_of(client, tablets[0])                          # its "updates" from a snapshot
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend import db, security
from backend.models import Beneficiary, Device, Membership, Organisation
from backend.services import accounts, releases
from common import release_signature
from tests.api.factories import PASSWORD, device_headers, state_of, sync

API = "/api/v1"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class ReleaseKeys:
    private: bytes
    public: bytes

    @classmethod
    def new(cls) -> ReleaseKeys:
        private, public = release_signature.generate_keypair()
        return cls(private, public)


@dataclass(frozen=True)
class Tablet:
    device_id: int
    beneficiary_id: int
    credential: str

    @property
    def headers(self) -> dict[str, str]:
        return device_headers(self.credential)


@contextlib.contextmanager
def service(client: TestClient) -> Iterator[Session]:
    """A session on the application's database, committed at the end (so that long-polls
    wake as after a console request)."""
    with db.session_scope(state_of(client).sessions) as session:
        yield session


def release_file(directory: Path, version: str, content: bytes | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"foyer-{version}-py3-none-any.whl"
    path.write_bytes(content if content is not None else f"wheel {version} ".encode() * 1000)
    return path


def sign_file(keys: ReleaseKeys, path: Path, version: str) -> str:
    sha256, size = release_signature.file_digest(path)
    return release_signature.sign(keys.private, version, sha256, size)


def add_release(
    client: TestClient, keys: ReleaseKeys, version: str, content: bytes | None = None
) -> int:
    """A release signed with `keys` and trusted with them; its id."""
    data_dir = state_of(client).settings.data_dir
    path = release_file(data_dir.parent / f"build-{next(_numbers)}", version, content)
    with service(client) as session:
        release = releases.add_release(
            session,
            source=path,
            version=version,
            signature_b64=sign_file(keys, path, version),
            trusted_keys=[keys.public],
            data_dir=data_dir,
            now=datetime.now(UTC),
        )
        return release.id


def new_organisation(client: TestClient, name: str = "SAAD du Rhône") -> int:
    with service(client) as session:
        organisation = Organisation(name=name, kind="home_help")
        session.add(organisation)
        session.flush()
        return organisation.id


def add_person(
    client: TestClient,
    organisation_id: int | None,
    role: str = "manager",
    user_role: str = "care_manager",
) -> int:
    """A new account (user_role "care_manager" or "member"), member of the organisation with
    `role` ("manager", "staff") unless organisation_id is None; its user id."""
    with service(client) as session:
        user = accounts.create_user(
            session, f"person{next(_numbers)}@foyer.test", PASSWORD, "Personne", user_role
        )
        if organisation_id is not None:
            session.add(Membership(user_id=user.id, organisation_id=organisation_id, role=role))
        return user.id


def add_tablets(
    client: TestClient, care_manager_id: int, count: int = 1, channel: str = "stable"
) -> list[Tablet]:
    """`count` tablets, each with its own beneficiary followed by `care_manager_id`."""
    tablets = []
    with service(client) as session:
        for _ in range(count):
            n = next(_numbers)
            beneficiary = Beneficiary(
                first_name="Jeanne",
                last_name=f"Martin {n}",
                timezone="Europe/Paris",
                care_manager_id=care_manager_id,
            )
            session.add(beneficiary)
            session.flush()
            credential = secrets.token_urlsafe(32)
            device = Device(
                beneficiary_id=beneficiary.id,
                name=f"Tablette {n}",
                credential_hash=security.secret_digest(credential),
                update_channel=channel,
            )
            session.add(device)
            session.flush()
            tablets.append(Tablet(device.id, beneficiary.id, credential))
    return tablets


def updates_of(client: TestClient, tablet: Tablet) -> list[dict[str, Any]]:
    """The tablet's "updates" records from a full snapshot."""
    response = sync(client, tablet.credential)
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()["upserts"]["updates"]
    return records


def cursor_of(client: TestClient, tablet: Tablet) -> str:
    response = sync(client, tablet.credential)
    assert response.status_code == 200, response.text
    cursor: str = response.json()["cursor"]
    return cursor


def report(client: TestClient, tablet: Tablet, rollout_id: int, version: str, **body: Any) -> Any:
    return client.post(
        f"{API}/device/updates/report",
        json={"rollout_id": rollout_id, "version": version, "outcome": "installed", **body},
        headers=tablet.headers,
    )


def a_rollout(client: TestClient, version: str = "0.2.0") -> int:
    """The operator's rollout of `version` to every tablet at 100 %, made once (its release
    signed with a key of its own): for walks and fuzzers that need a valid rollout id and a
    downloadable release. Its release id: `release_of(client, rollout_id)`."""
    from sqlalchemy import select

    from backend.models import Release, Rollout
    from backend.services import rollouts

    with service(client) as session:
        found = session.scalar(
            select(Rollout.id)
            .join(Release, Release.id == Rollout.release_id)
            .where(Release.version == version, Rollout.organisation_id.is_(None))
        )
        if found is not None:
            return found
    release_id = add_release(client, ReleaseKeys.new(), version)
    with service(client) as session:
        return rollouts.create_rollout(
            session,
            organisation_id=None,
            release_id=release_id,
            channel="stable",
            stages=[100],
            created_by_id=None,
            now=datetime.now(UTC),
        ).id


def release_of(client: TestClient, rollout_id: int) -> int:
    from backend.models import Rollout

    with service(client) as session:
        rollout = session.get(Rollout, rollout_id)
        assert rollout is not None
        return rollout.release_id
