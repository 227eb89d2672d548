"""The agenda seen by a person or by the tablet: people in a beneficiary's circle (inserted
directly), occurrences over a period, and the tablet's sync payload."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from backend import security
from backend.models import BeneficiaryShare, CircleMember, Membership, Organisation, User
from tests.api.factories import API, PASSWORD, login, session_of, sync

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    headers: dict[str, str]


def add_person(
    client: TestClient,
    beneficiary_id: int | None,
    *,
    name: str = "Claire",
    profession: str | None = None,
    organisation_kind: str | None = None,
    organisation_name: str = "Cabinet infirmier des Pentes",
    relation: str | None = None,
) -> Person:
    """A person with an account; staff of an organisation (shared with the beneficiary when
    beneficiary_id is given) and/or invited personally with `relation`."""
    email = f"person{next(_numbers)}@foyer.test"
    with session_of(client) as session:
        # "member": anyone who is not a care manager (accounts.create_user makes those only).
        user = User(
            email=email,
            name=name,
            role="member",
            password_hash=security.hash_password(PASSWORD),
            profession=profession,
        )
        session.add(user)
        session.flush()
        if organisation_kind is not None:
            organisation = Organisation(name=organisation_name, kind=organisation_kind)
            session.add(organisation)
            session.flush()
            session.add(Membership(user_id=user.id, organisation_id=organisation.id))
            if beneficiary_id is not None:
                session.add(
                    BeneficiaryShare(beneficiary_id=beneficiary_id, organisation_id=organisation.id)
                )
        if relation is not None and beneficiary_id is not None:
            session.add(
                CircleMember(beneficiary_id=beneficiary_id, user_id=user.id, relation=relation)
            )
        session.commit()
        user_id = user.id
    return Person(user_id, name, login(client, email))


def occurrences(
    client: TestClient, headers: dict[str, str], beneficiary_id: int, start: str, end: str
) -> list[dict[str, Any]]:
    response = client.get(
        f"{API}/beneficiaries/{beneficiary_id}/occurrences",
        params={"start": start, "end": end},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def device_sync(client: TestClient, credential: str, cursor: str | None = None) -> dict[str, Any]:
    response = sync(client, credential, **({"cursor": cursor} if cursor else {}))
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload
