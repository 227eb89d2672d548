"""The password flow of care managers: tokens, wrong passwords, rate limiting, /me."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import db
from backend.models import AccessToken, User
from backend.security import hash_password, secret_digest
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    PASSWORD,
    all_cells,
    care_manager,
    create_user,
    login,
    session_of,
    state_of,
)

TOKEN_URL = f"{API}/auth/token"


def test_login_returns_a_bearer_token_that_opens_me(client: TestClient) -> None:
    user_id, email = create_user(client, "claire.dupont@foyer.test", name="Claire Dupont")

    response = client.post(TOKEN_URL, data={"username": email, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": user_id,
        "email": "claire.dupont@foyer.test",
        "name": "Claire Dupont",
        "role": "care_manager",
    }


def test_login_ignores_case_and_spaces_around_the_email(client: TestClient) -> None:
    create_user(client, "claire@foyer.test")

    headers = login(client, "  Claire@Foyer.TEST ")

    assert client.get(f"{API}/me", headers=headers).json()["email"] == "claire@foyer.test"


def test_wrong_password_is_401_with_a_french_message(client: TestClient) -> None:
    _, email = create_user(client)

    response = client.post(TOKEN_URL, data={"username": email, "password": "pas le bon mot"})

    assert response.status_code == 401
    assert response.json()["detail"] == "Adresse e-mail ou mot de passe incorrect."
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "access_token" not in response.json()


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data={"username": "nobody@foyer.test", "password": "x" * 12})

    assert response.status_code == 401
    assert response.json()["detail"] == "Adresse e-mail ou mot de passe incorrect."


def test_login_form_fields_are_required(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data={"username": "a@foyer.test"})

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert "password" in response.json()["detail"]


def test_ten_failures_block_the_account_with_429_and_retry_after(client: TestClient) -> None:
    _, email = create_user(client, "claire@foyer.test")
    _, other = create_user(client, "paul@foyer.test")

    for _ in range(10):
        wrong = client.post(TOKEN_URL, data={"username": email, "password": "mauvais mot"})
        assert wrong.status_code == 401

    # Even the right password is refused now: guessing must stop, not go on more slowly.
    blocked = client.post(TOKEN_URL, data={"username": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Réessayez" in blocked.json()["detail"]
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60 + 1
    # The email is what is limited (spelled differently, it is the same account).
    again = client.post(TOKEN_URL, data={"username": " CLAIRE@foyer.test", "password": PASSWORD})
    assert again.status_code == 429
    # Other accounts are not affected.
    assert client.post(TOKEN_URL, data={"username": other, "password": PASSWORD}).status_code == 200


def test_long_email_addresses_are_rate_limited_too(
    request: pytest.FixtureRequest, client: TestClient, is_postgres: bool
) -> None:
    email = "jeanne." + "m" * 220 + "@foyer.test"  # 238 characters: a valid address
    create_user(client, email)
    lenient = TestClient(client.app, raise_server_exceptions=False)

    answers = [
        lenient.post(TOKEN_URL, data={"username": email, "password": "mauvais mot"}).status_code
        for _ in range(11)
    ]

    assert answers == [401] * 10 + [429]


def test_nine_failures_do_not_block(client: TestClient) -> None:
    _, email = create_user(client)
    for _ in range(9):
        assert (
            client.post(TOKEN_URL, data={"username": email, "password": "x" * 12}).status_code
            == 401
        )
    assert client.post(TOKEN_URL, data={"username": email, "password": PASSWORD}).status_code == 200


def test_login_block_is_shared_by_every_worker_and_ends_with_the_window(
    make_client: MakeClient, clock: Clock
) -> None:
    worker_a = make_client(clock=clock)
    worker_b = make_client(clock=clock)
    _, email = create_user(worker_a)
    for _ in range(10):
        worker_a.post(TOKEN_URL, data={"username": email, "password": "mauvais mot"})

    assert (
        worker_b.post(TOKEN_URL, data={"username": email, "password": PASSWORD}).status_code == 429
    )
    clock.advance(15 * 60)
    assert (
        worker_b.post(TOKEN_URL, data={"username": email, "password": PASSWORD}).status_code == 200
    )


def test_token_is_required(client: TestClient) -> None:
    for method, path in [
        ("GET", f"{API}/me"),
        ("GET", f"{API}/beneficiaries"),
        ("POST", f"{API}/beneficiaries"),
        ("GET", f"{API}/events/1"),
        ("POST", f"{API}/devices/approve"),
    ]:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["detail"] == "Connexion requise."
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_rejected(client: TestClient) -> None:
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer fyu_not-a-real-token"})

    assert response.status_code == 401
    assert "reconnectez-vous" in response.json()["detail"]


def test_token_expires(make_client: MakeClient, clock: Clock) -> None:
    client = make_client(clock=clock, access_token_ttl_seconds=3600)
    _, email = create_user(client)
    headers = login(client, email)

    clock.advance(3599)
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    clock.advance(1)
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(client: TestClient) -> None:
    cm = care_manager(client)
    token = cm.headers["Authorization"].removeprefix("Bearer ")

    with session_of(client) as session:
        stored = session.scalars(select(AccessToken.token_hash)).all()
    assert stored == [secret_digest(token)]
    assert not any(token in cell for cell in all_cells(client))


def test_people_outside_any_circle_see_nothing_and_cannot_create(client: TestClient) -> None:
    with db.session_scope(state_of(client).sessions) as session:
        session.add(
            User(
                email="famille@foyer.test",
                name="Fille",
                role="family",
                password_hash=hash_password(PASSWORD),
            )
        )
    headers = login(client, "famille@foyer.test")

    assert client.get(f"{API}/me", headers=headers).json()["role"] == "family"
    # Someone in no beneficiary's circle sees an empty list…
    assert client.get(f"{API}/beneficiaries", headers=headers).json() == []
    # …and only care managers open a new beneficiary's file.
    response = client.post(
        f"{API}/beneficiaries", json={"first_name": "A", "last_name": "B"}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Réservé aux conseillers autonomie."
