"""Organisations, sharing, the circle, invitations and circle members through the HTTP API,
role by role (see docs/access.md)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import User
from tests.api.circle_fixtures import (
    CircleSetup,
    Person,
    accept,
    build_circle,
    care_manager_of,
    create_organisation,
    invite,
    join,
    new_care_manager,
    share,
    token_of,
)
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    PASSWORD,
    all_cells,
    create_beneficiary,
    login,
    session_of,
)


@pytest.fixture
def c(client: TestClient) -> CircleSetup:
    return build_circle(client)


def _circle(client: TestClient, c: CircleSetup, who: Person) -> Any:
    return client.get(f"{API}/beneficiaries/{c.jeanne_id}/circle", headers=who.headers)


def _beneficiary_ids(client: TestClient, who: Person) -> list[int]:
    response = client.get(f"{API}/beneficiaries", headers=who.headers)
    assert response.status_code == 200, response.text
    return [b["id"] for b in response.json()]


def _sees_jeanne(client: TestClient, c: CircleSetup, who: Person) -> int:
    return client.get(f"{API}/beneficiaries/{c.jeanne_id}", headers=who.headers).status_code


# --- the circle, role by role ----------------------------------------------------------------


def test_the_circle_role_by_role(client: TestClient, c: CircleSetup) -> None:
    response = _circle(client, c, c.care_manager)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["care_manager"]["name"] == "Claire Dupont"
    assert "care_manager" in body["care_manager"]["roles"]
    assert body["care_manager"]["email"] == "claire.dupont@ccas.test"
    organisations = {o["name"]: o for o in body["organisations"]}
    assert set(organisations) == {
        "Cabinet infirmier des Lilas",
        "SAAD Bien chez soi",
        "Les Petits Frères du quartier",
    }
    nursing_staff = {s["name"]: s for s in organisations["Cabinet infirmier des Lilas"]["staff"]}
    assert nursing_staff["Inès Leroy"]["roles"] == ["health_professional"]
    assert nursing_staff["Inès Leroy"]["profession"] == "nurse"
    assert nursing_staff["Inès Leroy"]["organisation_role"] == "staff"
    assert nursing_staff["Claire Dupont"]["organisation_role"] == "manager"
    saad_staff = {s["name"]: s for s in organisations["SAAD Bien chez soi"]["staff"]}
    assert saad_staff["Karima Benali"]["roles"] == ["care_worker"]
    members = {m["name"]: m for m in body["members"]}
    assert (members["Sophie Martin"]["relation"], members["Sophie Martin"]["roles"]) == (
        "family",
        ["family"],
    )
    assert (members["Marc Petit"]["relation"], members["Marc Petit"]["roles"]) == (
        "neighbour",
        ["friend"],
    )
    assert members["Henri Blanc"]["roles"] == ["volunteer"]
    assert members["Sophie Martin"]["email"] == "sophie.martin@famille.test"
    # Albert's circle stays out of Jeanne's.
    assert "Luc Durand" not in members

    # Everyone else who may view it sees names, professions and roles, but no e-mail address.
    for viewer in (c.nurse, c.home_aide, c.volunteer, c.daughter):
        response = _circle(client, c, viewer)
        assert response.status_code == 200, (viewer.name, response.text)
        seen = response.json()
        assert seen["care_manager"]["name"] == "Claire Dupont"
        assert {m["name"] for m in seen["members"]} == set(members)
        people = [seen["care_manager"], *seen["members"]]
        people += [s for o in seen["organisations"] for s in o["staff"]]
        assert all(p["email"] is None for p in people)
        assert "@" not in response.text
    # A friend or neighbour may not; people outside the circle do not even see it exists.
    forbidden = _circle(client, c, c.neighbour)
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"]  # a French reason
    for outsider in (c.other_care_manager, c.other_family, c.outsider):
        response = _circle(client, c, outsider)
        assert response.status_code == 404, outsider.name
        assert response.json()["detail"] == "Bénéficiaire introuvable."
    missing = client.get(f"{API}/beneficiaries/999999/circle", headers=c.care_manager.headers)
    assert missing.status_code == 404
    assert client.get(f"{API}/beneficiaries/{c.jeanne_id}/circle").status_code == 401


def _manage_calls(c: CircleSetup) -> list[tuple[str, str, dict[str, Any] | None]]:
    b = c.jeanne_id
    return [
        ("POST", f"{API}/beneficiaries/{b}/invitations",
         {"email": "x@famille.test", "name": "X", "relation": "family"}),
        ("GET", f"{API}/beneficiaries/{b}/invitations", None),
        ("DELETE", f"{API}/beneficiaries/{b}/invitations/1", None),
        ("POST", f"{API}/beneficiaries/{b}/shares", {"organisation_id": c.nursing["id"]}),
        ("DELETE", f"{API}/beneficiaries/{b}/shares/{c.nursing['id']}", None),
        ("DELETE", f"{API}/beneficiaries/{b}/members/{c.daughter.id}", None),
    ]  # fmt: skip


def test_only_the_care_manager_manages_the_circle(client: TestClient, c: CircleSetup) -> None:
    expected = [
        *((p, 403) for p in (c.nurse, c.home_aide, c.volunteer, c.daughter, c.neighbour)),
        *((p, 404) for p in (c.other_care_manager, c.other_family, c.outsider)),
    ]
    for person, status in expected:
        for method, url, body in _manage_calls(c):
            response = client.request(method, url, json=body, headers=person.headers)
            assert response.status_code == status, (person.name, method, url, response.text)
    # Nothing changed: the daughter is still there, the nursing share too.
    assert _sees_jeanne(client, c, c.daughter) == 200
    listed = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=c.care_manager.headers
    ).json()
    assert "x@famille.test" not in {i["email"] for i in listed}


# --- organisations ----------------------------------------------------------------------------


def test_organisations_are_created_by_care_managers_who_manage_them(
    client: TestClient, c: CircleSetup
) -> None:
    refused = client.post(
        f"{API}/organisations",
        json={"name": "Ma boîte", "kind": "nursing"},
        headers=c.nurse.headers,
    )
    assert refused.status_code == 403
    bad_kind = client.post(
        f"{API}/organisations",
        json={"name": "Hôpital", "kind": "hospital"},
        headers=c.care_manager.headers,
    )
    assert bad_kind.status_code == 422
    assert "Type d'organisation inconnu" in bad_kind.json()["detail"]
    blank = client.post(
        f"{API}/organisations", json={"name": "  ", "kind": "nursing"}, headers=c.outsider.headers
    )
    assert blank.status_code == 422

    created = create_organisation(client, c.outsider, "  SSIAD du Rhône ", "nursing")
    assert created["name"] == "SSIAD du Rhône"
    assert (created["my_role"], created["can_manage"]) == ("manager", True)
    mine = client.get(f"{API}/organisations", headers=c.outsider.headers).json()
    assert [o["id"] for o in mine] == [created["id"]]
    # The nurse's list holds her own practice only, as staff.
    theirs = client.get(f"{API}/organisations", headers=c.nurse.headers).json()
    assert [(o["name"], o["my_role"], o["can_manage"]) for o in theirs] == [
        ("Cabinet infirmier des Lilas", "staff", False)
    ]
    url = f"{API}/organisations/{c.nursing['id']}"
    as_manager = client.get(url, headers=c.care_manager.headers)
    assert as_manager.status_code == 200
    members = {m["name"]: m for m in as_manager.json()["members"]}
    assert members["Inès Leroy"]["email"] == "ines.leroy@lilas.test"
    assert members["Inès Leroy"]["role"] == "staff"
    as_staff = client.get(url, headers=c.nurse.headers)
    assert as_staff.status_code == 200
    assert all(m["email"] is None for m in as_staff.json()["members"])
    for stranger in (c.home_aide, c.daughter, c.other_care_manager):
        assert client.get(url, headers=stranger.headers).status_code == 404
    assert client.get(f"{API}/organisations/424242", headers=c.nurse.headers).status_code == 404


def test_organisation_members_are_added_and_removed_by_its_managers(
    client: TestClient, c: CircleSetup
) -> None:
    org = c.nursing["id"]
    members_url = f"{API}/organisations/{org}/members"
    # Staff may not add anyone; strangers do not see the organisation.
    staff_try = client.post(members_url, json={"email": c.daughter.email}, headers=c.nurse.headers)
    assert staff_try.status_code == 403
    stranger_try = client.post(
        members_url, json={"email": c.daughter.email}, headers=c.other_care_manager.headers
    )
    assert stranger_try.status_code == 404
    unknown = client.post(
        members_url, json={"email": "personne@nulle.part"}, headers=c.care_manager.headers
    )
    assert unknown.status_code == 404
    bad_role = client.post(
        members_url,
        json={"email": c.other_care_manager.email, "role": "boss"},
        headers=c.care_manager.headers,
    )
    assert bad_role.status_code == 422

    added = client.post(
        members_url,
        json={"email": "  Paul.Bernard@CCAS.test ", "role": "manager"},
        headers=c.care_manager.headers,
    )
    assert added.status_code == 201, added.text
    assert (added.json()["user_id"], added.json()["role"]) == (c.other_care_manager.id, "manager")
    again = client.post(
        members_url, json={"email": c.other_care_manager.email}, headers=c.care_manager.headers
    )
    assert again.status_code == 409
    # The new manager may now manage it, and sees it in their list.
    listed = client.get(f"{API}/organisations", headers=c.other_care_manager.headers).json()
    assert [o["id"] for o in listed] == [org]
    removed = client.delete(f"{members_url}/{c.nurse.id}", headers=c.other_care_manager.headers)
    assert removed.status_code == 204
    assert client.get(f"{API}/organisations/{org}", headers=c.nurse.headers).status_code == 404
    assert client.delete(
        f"{members_url}/{c.nurse.id}", headers=c.care_manager.headers
    ).status_code == 404  # fmt: skip
    # No longer a member, the nurse does not see it at all.
    gone = client.delete(f"{members_url}/{c.care_manager.id}", headers=c.nurse.headers)
    assert gone.status_code == 404
    # A manager may leave; the last one may not.
    leave = client.delete(
        f"{members_url}/{c.other_care_manager.id}", headers=c.other_care_manager.headers
    )
    assert leave.status_code == 204
    last = client.delete(f"{members_url}/{c.care_manager.id}", headers=c.care_manager.headers)
    assert last.status_code == 409
    # Staff may not remove others, but may leave.
    saad = c.saad["id"]
    others = client.delete(
        f"{API}/organisations/{saad}/members/{c.care_manager.id}", headers=c.home_aide.headers
    )
    assert others.status_code == 403
    leave = client.delete(
        f"{API}/organisations/{saad}/members/{c.home_aide.id}", headers=c.home_aide.headers
    )
    assert leave.status_code == 204
    assert client.get(f"{API}/organisations", headers=c.home_aide.headers).json() == []


# --- sharing ----------------------------------------------------------------------------------


def test_sharing_gives_the_staff_access_and_unsharing_takes_it_away(
    client: TestClient, c: CircleSetup
) -> None:
    # A care-management service with a colleague as staff: not shared yet, so no access.
    service = create_organisation(client, c.care_manager, "CCAS de Lyon", "care_management")
    colleague = new_care_manager(client, "nadia.colin@ccas.test", "Nadia Colin")
    added = client.post(
        f"{API}/organisations/{service['id']}/members",
        json={"email": colleague.email},
        headers=c.care_manager.headers,
    )
    assert added.status_code == 201
    assert _sees_jeanne(client, c, colleague) == 404
    assert c.jeanne_id not in _beneficiary_ids(client, colleague)

    share(client, c.care_manager, c.jeanne_id, service["id"])

    assert _sees_jeanne(client, c, colleague) == 200
    assert c.jeanne_id in _beneficiary_ids(client, colleague)
    # Staff of a care-management service are care managers for Jeanne: they manage her circle.
    circle = _circle(client, c, colleague).json()
    staff = {s["name"]: s for o in circle["organisations"] for s in o["staff"]}
    assert staff["Nadia Colin"]["roles"] == ["care_manager"]
    assert staff["Nadia Colin"]["email"] == "nadia.colin@ccas.test"
    twice = client.post(
        f"{API}/beneficiaries/{c.jeanne_id}/shares",
        json={"organisation_id": service["id"]},
        headers=c.care_manager.headers,
    )
    assert twice.status_code == 409

    unshared = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/shares/{service['id']}",
        headers=c.care_manager.headers,
    )
    assert unshared.status_code == 204
    assert _sees_jeanne(client, c, colleague) == 404
    assert c.jeanne_id not in _beneficiary_ids(client, colleague)
    again = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/shares/{service['id']}",
        headers=c.care_manager.headers,
    )
    assert again.status_code == 404


def test_a_nurse_keeps_access_through_the_share_until_it_ends(
    client: TestClient, c: CircleSetup
) -> None:
    # Removed as a personal member, the nurse still comes through her practice's share.
    removed = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/members/{c.nurse.id}", headers=c.care_manager.headers
    )
    assert removed.status_code == 204
    assert _sees_jeanne(client, c, c.nurse) == 200
    assert _circle(client, c, c.nurse).status_code == 200

    unshared = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/shares/{c.nursing['id']}",
        headers=c.care_manager.headers,
    )
    assert unshared.status_code == 204
    assert _sees_jeanne(client, c, c.nurse) == 404
    assert _circle(client, c, c.nurse).status_code == 404
    assert _beneficiary_ids(client, c.nurse) == []
    names = {o["name"] for o in _circle(client, c, c.care_manager).json()["organisations"]}
    assert "Cabinet infirmier des Lilas" not in names
    foreign = create_organisation(client, c.other_care_manager, "SAAD d'ailleurs", "home_help")
    response = client.post(
        f"{API}/beneficiaries/{c.jeanne_id}/shares",
        json={"organisation_id": foreign["id"]},
        headers=c.care_manager.headers,
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Organisation introuvable."


# --- personal members -------------------------------------------------------------------------


def test_removing_a_member_removes_their_access_at_once(client: TestClient, c: CircleSetup) -> None:
    assert _sees_jeanne(client, c, c.daughter) == 200
    assert client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/events", headers=c.daughter.headers
    ).status_code == 200  # fmt: skip

    response = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/members/{c.daughter.id}",
        headers=c.care_manager.headers,
    )

    assert response.status_code == 204
    # The same bearer token, right away.
    assert _sees_jeanne(client, c, c.daughter) == 404
    assert client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/events", headers=c.daughter.headers
    ).status_code == 404  # fmt: skip
    assert _circle(client, c, c.daughter).status_code == 404
    assert _beneficiary_ids(client, c.daughter) == []
    members = {m["name"] for m in _circle(client, c, c.care_manager).json()["members"]}
    assert "Sophie Martin" not in members
    again = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/members/{c.daughter.id}",
        headers=c.care_manager.headers,
    )
    assert again.status_code == 404


# --- invitations ------------------------------------------------------------------------------


def test_invitation_lifecycle(client: TestClient, c: CircleSetup) -> None:
    created = invite(
        client, c.care_manager, c.jeanne_id, " Pierre.Martin@Famille.test ", "Pierre Martin",
        "family",
    )  # fmt: skip
    token = token_of(created)
    assert created["url"] == f"http://foyer.test/invitation/{token}"
    # Only the token's SHA-256 is stored.
    assert token not in all_cells(client)

    public = client.get(f"{API}/invitations/{token}")
    assert public.status_code == 200, public.text
    assert public.json() == {
        "invited_by": "Claire Dupont",
        "beneficiary_first_name": "Jeanne",
        "beneficiary_last_name": "Martin",
        "name": "Pierre Martin",
        "relation": "family",
        "profession": None,
        "organisation": None,
        "expires_at": created["expires_at"],
    }
    listed = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=c.care_manager.headers
    ).json()
    assert (listed[0]["id"], listed[0]["email"], listed[0]["status"]) == (
        created["id"],
        "pierre.martin@famille.test",
        "pending",
    )

    accepted = accept(client, created, "Pierre Martin")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["created_account"] is True
    headers = login(client, "pierre.martin@famille.test")
    me = client.get(f"{API}/me", headers=headers).json()
    assert (me["name"], me["role"]) == ("Pierre Martin", "member")
    seen = client.get(f"{API}/beneficiaries", headers=headers).json()
    assert [b["id"] for b in seen] == [c.jeanne_id]
    assert (
        client.get(f"{API}/beneficiaries/{c.jeanne_id}/circle", headers=headers).status_code == 200
    )

    reused = accept(client, created, "Quelqu'un d'autre")
    assert reused.status_code == 410
    assert "déjà été utilisée" in reused.json()["detail"]
    assert client.get(f"{API}/invitations/{token}").status_code == 410
    listed = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=c.care_manager.headers
    ).json()
    assert listed[0]["status"] == "accepted"
    assert listed[0]["accepted_at"] is not None


def test_an_invitation_expires(make_client: MakeClient) -> None:
    clock = Clock()
    client = make_client(clock=clock, invitation_ttl_seconds=3600)
    cm = new_care_manager(client, "claire@ccas.test", "Claire")
    jeanne = create_beneficiary(client, care_manager_of(cm))
    created = invite(client, cm, jeanne["id"], "pierre@famille.test", "Pierre", "family")
    token = token_of(created)

    clock.advance(3599)
    assert client.get(f"{API}/invitations/{token}").status_code == 200
    clock.advance(1)

    assert client.get(f"{API}/invitations/{token}").status_code == 410
    late = accept(client, created, "Pierre")
    assert late.status_code == 410
    assert "expiré" in late.json()["detail"]
    with session_of(client) as session:
        assert session.scalar(select(User).where(User.email == "pierre@famille.test")) is None
    listed = client.get(f"{API}/beneficiaries/{jeanne['id']}/invitations", headers=cm.headers)
    assert listed.json()[0]["status"] == "expired"


def test_revoked_and_replaced_invitations_cannot_be_used(
    client: TestClient, c: CircleSetup
) -> None:
    created = invite(client, c.care_manager, c.jeanne_id, "pierre@famille.test", "P", "family")
    revoke_url = f"{API}/beneficiaries/{c.jeanne_id}/invitations/{created['id']}"
    # Another care manager's beneficiary id does not reach it.
    wrong_beneficiary = client.delete(
        f"{API}/beneficiaries/{c.other_beneficiary_id}/invitations/{created['id']}",
        headers=c.other_care_manager.headers,
    )
    assert wrong_beneficiary.status_code == 404

    assert client.delete(revoke_url, headers=c.care_manager.headers).status_code == 204

    assert client.get(f"{API}/invitations/{token_of(created)}").status_code == 410
    response = accept(client, created, "Pierre")
    assert response.status_code == 410
    assert "annulée" in response.json()["detail"]
    listed = client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=c.care_manager.headers
    ).json()
    assert listed[0]["status"] == "revoked"
    # Once accepted, an invitation is no longer revoked: the person is removed instead.
    accepted = invite(client, c.care_manager, c.jeanne_id, "anne@famille.test", "A", "family")
    assert accept(client, accepted, "Anne").status_code == 200
    response = client.delete(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations/{accepted['id']}",
        headers=c.care_manager.headers,
    )
    assert response.status_code == 409
    # A new invitation to the same address replaces the pending one.
    first = invite(client, c.care_manager, c.jeanne_id, "remi@famille.test", "R", "family")
    second = invite(client, c.care_manager, c.jeanne_id, "remi@famille.test", "R", "friend")
    assert accept(client, first, "Rémi").status_code == 410
    assert accept(client, second, "Rémi").status_code == 200
    members = {m["name"]: m for m in _circle(client, c, c.care_manager).json()["members"]}
    assert members["Rémi"]["relation"] == "friend"
    assert members["Anne"]["relation"] == "family"


def test_unknown_invitation_tokens_are_404_and_limited(client: TestClient) -> None:
    response = client.get(f"{API}/invitations/fyi_inconnu")
    assert response.status_code == 404
    assert response.json()["detail"] == "Invitation introuvable : vérifiez le lien."
    assert client.post(f"{API}/invitations/fyi_inconnu/accept", json={}).status_code == 404
    statuses = [client.get(f"{API}/invitations/fyi_{n}").status_code for n in range(18)]
    assert statuses == [404] * 18
    limited = client.get(f"{API}/invitations/fyi_encore")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get(f"{API}/invitations/{'x' * 201}").status_code == 422


def test_an_invited_professional_with_an_organisation_joins_it(
    client: TestClient, c: CircleSetup
) -> None:
    physio = join(
        client, c.care_manager, c.jeanne_id, "theo.kine@lilas.test", "Théo Girard",
        "professional", "physiotherapist", c.nursing["id"],
    )  # fmt: skip
    public_of_org = client.get(f"{API}/organisations/{c.nursing['id']}", headers=physio.headers)
    assert public_of_org.status_code == 200
    me = next(m for m in public_of_org.json()["members"] if m["user_id"] == physio.id)
    assert (me["role"], me["profession"]) == ("staff", "physiotherapist")
    circle = _circle(client, c, physio)
    assert circle.status_code == 200
    members = {m["name"]: m for m in circle.json()["members"]}
    assert members["Théo Girard"]["roles"] == ["health_professional"]
    # Health professionals may not manage the circle.
    assert client.get(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations", headers=physio.headers
    ).status_code == 403  # fmt: skip
    # Paul manages nothing of Claire's: her organisation is not his to fill.
    response = client.post(
        f"{API}/beneficiaries/{c.other_beneficiary_id}/invitations",
        json={
            "email": "x@lilas.test",
            "name": "X",
            "relation": "professional",
            "profession": "nurse",
            "organisation_id": c.nursing["id"],
        },
        headers=c.other_care_manager.headers,
    )
    assert response.status_code == 404
    # Made staff of it, he still may not.
    client.post(
        f"{API}/organisations/{c.nursing['id']}/members",
        json={"email": c.other_care_manager.email},
        headers=c.care_manager.headers,
    )
    response = client.post(
        f"{API}/beneficiaries/{c.other_beneficiary_id}/invitations",
        json={
            "email": "x@lilas.test",
            "name": "X",
            "relation": "professional",
            "profession": "nurse",
            "organisation_id": c.nursing["id"],
        },
        headers=c.other_care_manager.headers,
    )
    assert response.status_code == 403


INVALID_INVITATIONS: list[tuple[dict[str, Any], str]] = [
    ({"relation": "professional"}, "Indiquez la profession"),
    ({"relation": "professional", "profession": "sorcier"}, "Profession inconnue"),
    ({"relation": "family", "profession": "nurse"}, "que pour un professionnel"),
    ({"relation": "cousin"}, "Relation inconnue"),
    ({"relation": "family", "email": "pas-une-adresse"}, "Adresse e-mail invalide"),
    ({"relation": "family", "name": "   "}, "name"),
]


def test_invitations_are_validated(client: TestClient, c: CircleSetup) -> None:
    url = f"{API}/beneficiaries/{c.jeanne_id}/invitations"
    for body, message in INVALID_INVITATIONS:
        full = {"email": "x@famille.test", "name": "X", **body}
        response = client.post(url, json=full, headers=c.care_manager.headers)
        assert response.status_code == 422, (body, response.text)
        assert message in response.json()["detail"], body
    # Someone already in the circle (personally, or as its care manager) is not invited again.
    for email in (c.daughter.email, c.care_manager.email):
        response = client.post(
            url,
            json={"email": email, "name": "X", "relation": "family"},
            headers=c.care_manager.headers,
        )
        assert response.status_code == 409
    listed = client.get(url, headers=c.care_manager.headers).json()
    assert "x@famille.test" not in {i["email"] for i in listed}
    assert [i["status"] for i in listed if i["email"] == c.daughter.email] == ["accepted"]
    # A refused password leaves the invitation usable.
    created = invite(client, c.care_manager, c.jeanne_id, "pierre@famille.test", "P", "family")
    short = accept(client, created, "Pierre", password="court")
    assert short.status_code == 422
    assert "au moins 10 caractères" in short.json()["detail"]
    missing = client.post(f"{API}/invitations/{token_of(created)}/accept", json={})
    assert missing.status_code == 422
    assert accept(client, created, "Pierre").status_code == 200


def test_an_existing_account_accepts_while_signed_in(client: TestClient, c: CircleSetup) -> None:
    # Luc (Albert's son) is also Jeanne's neighbour.
    created = invite(client, c.care_manager, c.jeanne_id, c.other_family.email, "Luc", "neighbour")
    token = token_of(created)
    url = f"{API}/invitations/{token}/accept"

    anonymous = client.post(url, json={"name": "Luc", "password": PASSWORD})
    assert anonymous.status_code == 409
    assert "connectez-vous" in anonymous.json()["detail"]
    wrong_person = client.post(url, headers=c.daughter.headers)
    assert wrong_person.status_code == 403
    bad_token = client.post(url, headers={"Authorization": "Bearer fyu_faux"})
    assert bad_token.status_code == 401
    assert _sees_jeanne(client, c, c.other_family) == 404

    joined = client.post(url, headers=c.other_family.headers)

    assert joined.status_code == 200, joined.text
    assert (joined.json()["user_id"], joined.json()["created_account"]) == (
        c.other_family.id,
        False,
    )
    assert sorted(_beneficiary_ids(client, c.other_family)) == sorted(
        [c.jeanne_id, c.other_beneficiary_id]
    )
    # A friend or neighbour of Jeanne, family of Albert.
    assert _circle(client, c, c.other_family).status_code == 403
    albert = client.get(
        f"{API}/beneficiaries/{c.other_beneficiary_id}/circle", headers=c.other_family.headers
    )
    assert albert.status_code == 200
    assert client.post(url, headers=c.other_family.headers).status_code == 410


# --- one's own profile ------------------------------------------------------------------------


def test_people_edit_their_own_name_and_profession_but_gain_no_rights(
    client: TestClient, c: CircleSetup
) -> None:
    renamed = client.patch(
        f"{API}/me", json={"name": " Inès Leroy-Morel "}, headers=c.nurse.headers
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Inès Leroy-Morel"
    assert renamed.json()["profession"] == "nurse"
    # nurse → doctor: the same rights.
    doctor = client.patch(f"{API}/me", json={"profession": "doctor"}, headers=c.nurse.headers)
    assert doctor.status_code == 200
    assert doctor.json()["profession"] == "doctor"
    # A home aide cannot make herself a care manager, nor a volunteer a nurse.
    escalate = client.patch(
        f"{API}/me", json={"profession": "care_manager"}, headers=c.home_aide.headers
    )
    assert escalate.status_code == 403
    volunteer_up = client.patch(
        f"{API}/me", json={"profession": "nurse"}, headers=c.volunteer.headers
    )
    assert volunteer_up.status_code == 403
    assert client.post(
        f"{API}/beneficiaries/{c.jeanne_id}/invitations",
        json={"email": "x@x.test", "name": "X", "relation": "family"},
        headers=c.home_aide.headers,
    ).status_code == 403  # fmt: skip
    unknown = client.patch(f"{API}/me", json={"profession": "sorcier"}, headers=c.nurse.headers)
    assert unknown.status_code == 422
    blank = client.patch(f"{API}/me", json={"name": ""}, headers=c.nurse.headers)
    assert blank.status_code == 422
    circle = _circle(client, c, c.care_manager).json()
    names = {m["name"]: m for m in circle["members"]}
    assert names["Inès Leroy-Morel"]["profession"] == "doctor"
    assert names["Karima Benali"]["profession"] == "home_aide"
    assert client.patch(f"{API}/me", json={"name": "X"}).status_code == 401
