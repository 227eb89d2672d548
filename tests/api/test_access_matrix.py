"""The access-control matrix: every actor against every kind of resource, read and write, on
SQLite and PostgreSQL. The cases and the expected statuses (derived from
`backend.policy.PERMISSIONS`) are in `tests/api/matrix_cases.py`.

One circle is built per group of actors (not per case), and every mismatch of the group is
listed in a single assertion message, as "<actor>-<METHOD>-<path>: <status> (expected <status>) …".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.config import Settings
from tests.api.conftest import MakeClient
from tests.api.factories import API
from tests.api.matrix_cases import (
    ACTOR_BY_NAME,
    ACTORS,
    CASES,
    CONFIDENTIAL,
    KNOWN_BUGS,
    NOT_IN_MATRIX,
    World,
    build_world,
    case_id,
    health_message,
    run,
)
from tests.fake_open_meteo import FakeOpenMeteo


@pytest.fixture
def world_client(make_client: MakeClient) -> Iterator[TestClient]:
    """The `client` of the other tests (SQLite and PostgreSQL), with Open-Meteo faked."""
    with FakeOpenMeteo() as fake:
        yield make_client(open_meteo_url=fake.url)


@pytest.fixture
def world(world_client: TestClient) -> World:
    return build_world(world_client)


def _operation(method: str, path: str) -> str:
    """One spelling per operation: GET /api/v1/events/{event_id}?x=1 → GET /events/{}."""
    path = path.removeprefix(API).split("?")[0]
    return f"{method.upper()} {re.sub(r'{[^}]+}', '{}', path)}"


def test_every_endpoint_is_in_the_matrix(tmp_path: Path) -> None:
    """A new endpoint about a beneficiary must get its cases here (or be listed as outside)."""
    settings = Settings.for_data_dir(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "http://t")
    paths = create_app(settings, migrate=False).openapi()["paths"]
    served = {
        _operation(method, path)
        for path, operations in paths.items()
        if path.startswith(API)
        for method in operations
    }
    matrix = {_operation(*case.name.split(" ")[:2]) for case in CASES}
    outside = {_operation(*name.split(" ")) for name in NOT_IN_MATRIX}
    assert served - matrix - outside == set()
    assert matrix - served == set(), "cases for endpoints that do not exist"


def test_every_case_has_a_distinct_name() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert {name for _actor, name in KNOWN_BUGS} <= set(names)


# Actors whose runs share one circle: every destructive case acts on a target made for it,
# so that one actor's writes never change what another one is expected to get.
GROUPS = {
    "care_managers": ["care_manager", "other_care_manager", "outsider"],
    "professionals": ["nurse", "doctor", "home_aide", "volunteer"],
    "family_and_friends": ["daughter", "neighbour", "other_family"],
    "no_person": ["anonymous", "jeanne_tablet", "albert_tablet", "revoked_tablet"],
}


def test_groups_cover_every_actor_once() -> None:
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(a.name for a in ACTORS)


@pytest.mark.parametrize("group", list(GROUPS))
def test_access_matrix(world: World, group: str) -> None:
    failures = []
    for actor in (ACTOR_BY_NAME[name] for name in GROUPS[group]):
        for case in CASES:
            if (actor.name, case.name) in KNOWN_BUGS:
                continue
            problem = run(world, actor, case)
            if problem:
                failures.append(problem)
    assert not failures, f"{len(failures)} access rule(s) broken:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("actor_name", "case_name"),
    [
        pytest.param(a, c, marks=pytest.mark.xfail(strict=True, reason=reason))
        for (a, c), reason in KNOWN_BUGS.items()
    ],
    ids=[case_id(ACTOR_BY_NAME[a], next(x for x in CASES if x.name == c)) for a, c in KNOWN_BUGS],
)
def test_known_policy_bugs(world: World, actor_name: str, case_name: str) -> None:
    case = next(c for c in CASES if c.name == case_name)
    problem = run(world, ACTOR_BY_NAME[actor_name], case)
    assert problem is None, problem


def test_health_message_to_the_nurse_only_reaches_nobody_else(world: World) -> None:
    client, c = world.client, world.c
    health = f"{API}/beneficiaries/{world.jeanne_id}/messages"

    def listed(headers: dict[str, str]) -> set[int]:
        response = client.get(health, params={"space": "health"}, headers=headers)
        assert response.status_code == 200, response.text
        return {m["id"] for m in response.json()}

    for name in ("daughter", "home_aide", "care_manager", "volunteer", "neighbour"):
        assert world.confidential_id not in listed(world.headers[name]), name
        single = client.get(f"{API}/messages/{world.confidential_id}", headers=world.headers[name])
        assert single.status_code == 404, (name, single.text)
        assert CONFIDENTIAL not in single.text
    for name in ("nurse", "doctor"):  # its recipient and its author
        assert world.confidential_id in listed(world.headers[name]), name
        single = client.get(f"{API}/messages/{world.confidential_id}", headers=world.headers[name])
        assert single.status_code == 200, (name, single.text)
        assert single.json()["body"] == CONFIDENTIAL
        assert [r["user_id"] for r in single.json()["recipients"]] == [c.nurse.id]

    sync = client.get(f"{API}/device/sync", headers=world.headers["jeanne_tablet"])
    assert sync.status_code == 200, sync.text
    assert world.confidential_id not in {m["id"] for m in sync.json()["upserts"]["messages"]}
    assert CONFIDENTIAL not in sync.text

    # Nor later, through a delta: a new one for the nurse only is not among the changes.
    cursor = sync.json()["cursor"]
    later = health_message(
        client, world.doctor.headers, world.jeanne_id, [c.nurse.id], CONFIDENTIAL
    )
    delta = client.get(
        f"{API}/device/sync", params={"cursor": cursor}, headers=world.headers["jeanne_tablet"]
    )
    assert delta.status_code == 200, delta.text
    assert later not in {m["id"] for m in delta.json()["upserts"].get("messages", [])}
    assert CONFIDENTIAL not in delta.text

    # A forged id: the nurse reads a health message meant for the care manager, and one that
    # does not exist. Both are the same 404, so ids reveal nothing.
    secret = health_message(
        client, c.home_aide.headers, world.jeanne_id, [c.care_manager.id], "Chute ce matin."
    )
    forged = client.get(f"{API}/messages/{secret}", headers=c.nurse.headers)
    missing = client.get(f"{API}/messages/{secret + 1000}", headers=c.nurse.headers)
    assert forged.status_code == missing.status_code == 404
    assert forged.json() == missing.json()
    for path in (f"/messages/{secret}/reads", f"/messages/{secret}/read"):
        call = client.get if path.endswith("reads") else client.post
        assert call(f"{API}{path}", headers=c.nurse.headers).status_code == 404, path
    # …while its recipient reads it.
    own = client.get(f"{API}/messages/{secret}", headers=c.care_manager.headers)
    assert own.status_code == 200, own.text
