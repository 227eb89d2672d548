"""Builders that set up a realistic circle through the HTTP API, for any test that needs people
in every role around a beneficiary.

    from tests.api.circle_fixtures import build_circle
    c = build_circle(client)
    client.get(f"{API}/beneficiaries/{c.jeanne_id}/events", headers=c.nurse.headers)

What `build_circle` makes (everyone signs in with factories.PASSWORD):

- `care_manager` (Claire Dupont) follows `jeanne` (Jeanne Martin). She created three
  organisations, of which she is the manager, and shared Jeanne with each: `nursing` (Cabinet
  infirmier des Lilas) with the nurse `nurse`, `saad` (SAAD Bien chez soi) with the home aide
  `home_aide`, `association` (Les Petits Frères du quartier) with the volunteer `volunteer`.
  These three were invited with their organisation: they are staff of it AND personal members of
  Jeanne's circle (relation "professional", with their profession).
- `daughter` (Sophie Martin, relation "family") and `neighbour` (Marc Petit, relation
  "neighbour", i.e. the friend role) were invited personally.
- `other_care_manager` (Paul Bernard) follows `other_beneficiary` (Albert Durand), whose son
  `other_family` (Luc Durand, family) is in Albert's circle only.
- `outsider`: a care manager with no beneficiary.

Roles for Jeanne: care_manager → care manager; nurse → health professional; home_aide → care
worker; volunteer → volunteer; daughter → family; neighbour → friend; the others → none (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.api.factories import (
    API,
    PASSWORD,
    CareManager,
    care_manager,
    create_beneficiary,
    login,
)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    headers: dict[str, str]


@dataclass(frozen=True)
class CircleSetup:
    care_manager: Person
    jeanne: dict[str, Any]
    nursing: dict[str, Any]
    nurse: Person
    saad: dict[str, Any]
    home_aide: Person
    association: dict[str, Any]
    volunteer: Person
    daughter: Person
    neighbour: Person
    other_care_manager: Person
    other_beneficiary: dict[str, Any]
    other_family: Person
    outsider: Person

    @property
    def jeanne_id(self) -> int:
        return int(self.jeanne["id"])

    @property
    def other_beneficiary_id(self) -> int:
        return int(self.other_beneficiary["id"])


def new_care_manager(client: TestClient, email: str, name: str) -> Person:
    cm = care_manager(client, email)
    response = client.patch(f"{API}/me", json={"name": name}, headers=cm.headers)
    assert response.status_code == 200, response.text
    return Person(cm.id, cm.email, name, cm.headers)


def create_organisation(
    client: TestClient, manager: Person, name: str, kind: str
) -> dict[str, Any]:
    response = client.post(
        f"{API}/organisations", json={"name": name, "kind": kind}, headers=manager.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def share(client: TestClient, by: Person, beneficiary_id: int, organisation_id: int) -> None:
    response = client.post(
        f"{API}/beneficiaries/{beneficiary_id}/shares",
        json={"organisation_id": organisation_id},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text


def invite(
    client: TestClient,
    by: Person,
    beneficiary_id: int,
    email: str,
    name: str,
    relation: str,
    profession: str | None = None,
    organisation_id: int | None = None,
) -> dict[str, Any]:
    """The invitation as created: {id, url, expires_at}."""
    body: dict[str, Any] = {"email": email, "name": name, "relation": relation}
    if profession is not None:
        body["profession"] = profession
    if organisation_id is not None:
        body["organisation_id"] = organisation_id
    response = client.post(
        f"{API}/beneficiaries/{beneficiary_id}/invitations", json=body, headers=by.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def token_of(invitation: dict[str, Any]) -> str:
    url: str = invitation["url"]
    return url.rsplit("/invitation/", 1)[1]


def accept(
    client: TestClient, invitation: dict[str, Any], name: str, password: str = PASSWORD
) -> Any:
    """Accept with a new account (the raw response)."""
    return client.post(
        f"{API}/invitations/{token_of(invitation)}/accept",
        json={"name": name, "password": password},
    )


def join(
    client: TestClient,
    by: Person,
    beneficiary_id: int,
    email: str,
    name: str,
    relation: str,
    profession: str | None = None,
    organisation_id: int | None = None,
) -> Person:
    """Invite a new person, accept with a new account, sign in."""
    invitation = invite(
        client, by, beneficiary_id, email, name, relation, profession, organisation_id
    )
    response = accept(client, invitation, name)
    assert response.status_code == 200, response.text
    return Person(response.json()["user_id"], email, name, login(client, email))


def build_circle(client: TestClient) -> CircleSetup:
    cm = new_care_manager(client, "claire.dupont@ccas.test", "Claire Dupont")
    jeanne = create_beneficiary(client, care_manager_of(cm), first_name="Jeanne")
    jeanne_id = int(jeanne["id"])

    nursing = create_organisation(client, cm, "Cabinet infirmier des Lilas", "nursing")
    saad = create_organisation(client, cm, "SAAD Bien chez soi", "home_help")
    association = create_organisation(client, cm, "Les Petits Frères du quartier", "association")
    for organisation in (nursing, saad, association):
        share(client, cm, jeanne_id, organisation["id"])

    nurse = join(
        client, cm, jeanne_id, "ines.leroy@lilas.test", "Inès Leroy", "professional",
        "nurse", nursing["id"],
    )  # fmt: skip
    home_aide = join(
        client, cm, jeanne_id, "karima.benali@saad.test", "Karima Benali", "professional",
        "home_aide", saad["id"],
    )  # fmt: skip
    volunteer = join(
        client, cm, jeanne_id, "henri.blanc@asso.test", "Henri Blanc", "professional",
        "volunteer", association["id"],
    )  # fmt: skip
    daughter = join(client, cm, jeanne_id, "sophie.martin@famille.test", "Sophie Martin", "family")
    neighbour = join(client, cm, jeanne_id, "marc.petit@voisin.test", "Marc Petit", "neighbour")

    other_cm = new_care_manager(client, "paul.bernard@ccas.test", "Paul Bernard")
    albert = create_beneficiary(
        client, care_manager_of(other_cm), first_name="Albert", last_name="Durand"
    )
    other_family = join(
        client, other_cm, int(albert["id"]), "luc.durand@famille.test", "Luc Durand", "family"
    )
    outsider = new_care_manager(client, "olivier.roux@ailleurs.test", "Olivier Roux")
    return CircleSetup(
        care_manager=cm,
        jeanne=jeanne,
        nursing=nursing,
        nurse=nurse,
        saad=saad,
        home_aide=home_aide,
        association=association,
        volunteer=volunteer,
        daughter=daughter,
        neighbour=neighbour,
        other_care_manager=other_cm,
        other_beneficiary=albert,
        other_family=other_family,
        outsider=outsider,
    )


def care_manager_of(person: Person) -> CareManager:
    """factories' CareManager for a Person (to reuse factories.create_beneficiary & co)."""
    return CareManager(person.id, person.email, person.headers)
