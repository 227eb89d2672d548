"""Messages: the daily space (whole circle) and the health space (recipients and author only),
role by role, with read receipts, the tablet's sync, quick replies and the audit log."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import db, security
from backend.models import (
    AuditEntry,
    BeneficiaryShare,
    CircleMember,
    Membership,
    Message,
    MessageRecipient,
    Organisation,
    User,
)
from backend.services import messages as messages_service
from tests.api.factories import (
    API,
    PASSWORD,
    care_manager,
    create_beneficiary,
    device_headers,
    login,
    pair_device,
    session_of,
    state_of,
    sync,
)

_numbers = itertools.count(1)

HOSTILE = "<script>alert(\"x\")</script> <b>gras</b> & &amp; 'quote' <img src=x onerror=alert(1)>"


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    headers: dict[str, str]


def add_person(
    client: TestClient,
    name: str,
    *,
    profession: str | None = None,
    organisation_id: int | None = None,
    relation: str | None = None,
    beneficiary_id: int | None = None,
) -> Person:
    """A person as the circle API would make them: organisation staff or invited personally."""
    email = f"p{next(_numbers)}-{uuid.uuid4().hex[:6]}@foyer.test"
    with db.session_scope(state_of(client).sessions) as session:
        user = User(
            email=email,
            name=name,
            role="member",
            profession=profession,
            password_hash=security.hash_password(PASSWORD),
        )
        session.add(user)
        session.flush()
        if organisation_id is not None:
            session.add(Membership(user_id=user.id, organisation_id=organisation_id))
        if relation is not None:
            assert beneficiary_id is not None
            session.add(
                CircleMember(beneficiary_id=beneficiary_id, user_id=user.id, relation=relation)
            )
        user_id = user.id
    return Person(user_id, name, login(client, email))


class Circle:
    """Jeanne's circle (care manager, nurse of a shared nursing practice, family, tablet) and,
    beside it, Marcel's circle and a stranger."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        cm = care_manager(client)
        self.cm = Person(cm.id, "Claire", cm.headers)
        self.id: int = create_beneficiary(client, cm, first_name="Jeanne", last_name="Martin")["id"]
        with db.session_scope(state_of(client).sessions) as session:
            org = Organisation(name="Cabinet infirmier du Parc", kind="nursing")
            session.add(org)
            session.flush()
            session.add(BeneficiaryShare(beneficiary_id=self.id, organisation_id=org.id))
            org_id = org.id
        self.nurse = add_person(client, "Nadia", profession="nurse", organisation_id=org_id)
        self.family = add_person(client, "Paul", relation="family", beneficiary_id=self.id)
        other_cm = care_manager(client)
        self.other_cm = Person(other_cm.id, "Odile", other_cm.headers)
        self.other_id: int = create_beneficiary(client, other_cm, first_name="Marcel")["id"]
        self.other_family = add_person(
            client, "Oscar", relation="family", beneficiary_id=self.other_id
        )
        self.stranger = add_person(client, "Sam")
        self.credential: str = pair_device(client, cm, self.id)["access_token"]

    # --- console ---

    def post(self, who: Person, beneficiary_id: int | None = None, **body: Any) -> Any:
        return self.client.post(
            f"{API}/beneficiaries/{beneficiary_id or self.id}/messages",
            json={"space": "daily", "body": "Bonjour", **body},
            headers=who.headers,
        )

    def write(self, who: Person, **body: Any) -> dict[str, Any]:
        response = self.post(who, **body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def health(self, who: Person, to: list[Person], body: str = "Tension 14/9", **more: Any) -> int:
        message = self.write(
            who, space="health", body=body, recipient_ids=[p.id for p in to], **more
        )
        return int(message["id"])

    def listing(self, who: Person, beneficiary_id: int | None = None, **params: Any) -> Any:
        return self.client.get(
            f"{API}/beneficiaries/{beneficiary_id or self.id}/messages",
            params=params,
            headers=who.headers,
        )

    def ids(self, who: Person, **params: Any) -> list[int]:
        response = self.listing(who, **params)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()]

    def get(self, who: Person, message_id: int) -> Any:
        return self.client.get(f"{API}/messages/{message_id}", headers=who.headers)

    # --- tablet ---

    def sync(self, **params: Any) -> dict[str, Any]:
        response = sync(self.client, self.credential, **params)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def action(self, type_: str, data: dict[str, Any], key: str | None = None) -> Any:
        return self.client.post(
            f"{API}/device/actions",
            json={"type": type_, "data": data},
            headers={
                **device_headers(self.credential),
                "Idempotency-Key": key or uuid.uuid4().hex,
            },
        )


@pytest.fixture
def circle(client: TestClient) -> Circle:
    return Circle(client)


def audit_rows(client: TestClient) -> list[tuple[str, int | None, int | None, int | None]]:
    """(action, entity id, user, device) of every audit entry about messages."""
    with session_of(client) as session:
        rows = session.execute(
            select(
                AuditEntry.action,
                AuditEntry.entity_id,
                AuditEntry.actor_user_id,
                AuditEntry.actor_device_id,
            )
            .where(AuditEntry.entity == "message")
            .order_by(AuditEntry.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def unread(circle: Circle, person: Person) -> int:
    """The dashboard's count of unread health messages."""
    with session_of(circle.client) as session:
        user = session.get(User, person.id)
        assert user is not None
        return messages_service.unread_health_count(session, user, circle.id)


# --- access, role by role ------------------------------------------------------------------


def test_daily_space_is_read_and_written_by_the_whole_circle_only(circle: Circle) -> None:
    written = [
        circle.write(who, body=f"Mot de {who.name}")["id"]
        for who in (circle.cm, circle.nurse, circle.family)
    ]
    for who in (circle.cm, circle.nurse, circle.family):
        assert circle.ids(who) == written[::-1]
        assert circle.get(who, written[0]).json()["body"] == "Mot de Claire"

    for outsider in (circle.other_cm, circle.other_family, circle.stranger):
        assert circle.post(outsider).status_code == 404
        assert circle.listing(outsider).status_code == 404
        assert circle.get(outsider, written[0]).status_code == 404
        assert (
            circle.client.delete(
                f"{API}/messages/{written[0]}", headers=outsider.headers
            ).status_code
            == 404
        )
    # ...while Marcel's own circle uses its space.
    assert circle.post(circle.other_family, circle.other_id).status_code == 201
    assert circle.ids(circle.cm) == written[::-1]


def test_health_space_is_read_only_by_recipients_and_author(circle: Circle) -> None:
    to_nurse = circle.health(circle.cm, [circle.nurse], body="Pansement à refaire")
    to_family = circle.health(circle.nurse, [circle.family], body="Prévoir des compresses")

    # Family may receive health messages but not write them.
    refused = circle.post(
        circle.family, space="health", body="Question", recipient_ids=[circle.nurse.id]
    )
    assert refused.status_code == 403
    for outsider in (circle.other_cm, circle.other_family, circle.stranger):
        response = circle.post(outsider, space="health", body="x", recipient_ids=[circle.nurse.id])
        assert response.status_code == 404

    assert circle.get(circle.cm, to_nurse).status_code == 200  # author
    assert circle.get(circle.nurse, to_nurse).json()["body"] == "Pansement à refaire"
    assert circle.get(circle.family, to_nurse).status_code == 404
    # Even the care manager cannot read a health message not addressed to them.
    response = circle.get(circle.cm, to_family)
    assert response.status_code == 404
    assert response.json()["detail"] == "Message introuvable."
    assert circle.get(circle.cm, 999_999).json() == response.json()  # same as a forged id
    for outsider in (circle.other_cm, circle.other_family, circle.stranger):
        assert circle.get(outsider, to_nurse).status_code == 404
        assert circle.listing(outsider, space="health").status_code == 404

    assert circle.ids(circle.cm, space="health") == [to_nurse]
    assert circle.ids(circle.nurse, space="health") == [to_family, to_nurse]
    assert circle.ids(circle.family, space="health") == [to_family]
    assert circle.ids(circle.family) == []  # health messages never show in the daily space
    # Nor can a non-reader act on it.
    for path in (f"/messages/{to_family}/read", f"/messages/{to_family}/reads"):
        method = circle.client.post if path.endswith("/read") else circle.client.get
        assert method(f"{API}{path}", headers=circle.cm.headers).status_code == 404


def test_health_message_shows_its_recipients(circle: Circle) -> None:
    message = circle.write(
        circle.nurse,
        space="health",
        body="Bilan",
        recipient_ids=[circle.cm.id, circle.family.id, circle.nurse.id],
        to_beneficiary=True,
    )
    assert message["author_user_id"] == circle.nurse.id
    assert message["author_name"] == "Nadia"
    assert {r["user_id"] for r in message["recipients"]} == {circle.cm.id, circle.family.id}
    assert message["to_beneficiary"] is True
    assert message["unread"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"recipient_ids": []},
        {"recipient_ids": ["stranger"]},
        {"recipient_ids": ["nurse", "other_family"]},
        {"recipient_ids": ["other_cm"]},
        {"recipient_ids": [123456]},
        {"recipient_ids": ["cm"]},  # only oneself
    ],
)
def test_health_recipients_must_be_in_the_circle(circle: Circle, body: dict[str, Any]) -> None:
    ids = [getattr(circle, r).id if isinstance(r, str) else r for r in body["recipient_ids"]]
    response = circle.post(circle.cm, space="health", body="x", recipient_ids=ids)
    assert response.status_code == 422
    assert response.json()["detail"]
    with session_of(circle.client) as session:
        assert session.scalar(select(Message.id)) is None


def test_daily_messages_have_no_recipients(circle: Circle) -> None:
    assert circle.post(circle.cm, recipient_ids=[circle.nurse.id]).status_code == 422
    assert circle.post(circle.cm, to_beneficiary=True).status_code == 422
    assert circle.post(circle.cm, space="other").status_code == 422


# --- the body ------------------------------------------------------------------------------


def test_markup_is_kept_and_returned_as_plain_text(circle: Circle) -> None:
    created = circle.write(circle.family, body=HOSTILE)
    assert created["body"] == HOSTILE
    assert circle.get(circle.nurse, created["id"]).json()["body"] == HOSTILE
    assert circle.listing(circle.cm).json()[0]["body"] == HOSTILE
    assert circle.sync()["upserts"]["messages"][0]["body"] == HOSTILE
    with session_of(circle.client) as session:
        assert session.scalar(select(Message.body)) == HOSTILE


def test_body_limits(circle: Circle) -> None:
    assert circle.post(circle.cm, body="x" * 100_000).status_code == 422
    assert circle.post(circle.cm, body="x" * 5001).status_code == 422
    assert circle.post(circle.cm, body="avant\x00après").status_code == 422
    assert circle.post(circle.cm, body=" \n\t ").status_code == 422
    lone_surrogate = circle.client.post(  # valid JSON, but no valid text
        f"{API}/beneficiaries/{circle.id}/messages",
        content=b'{"space": "daily", "body": "a\\ud800b"}',
        headers={**circle.cm.headers, "Content-Type": "application/json"},
    )
    assert lone_surrogate.status_code == 422
    response = circle.post(circle.cm, body="x" * 100_000)
    assert "5000" in response.json()["detail"]
    assert circle.write(circle.cm, body="  " + "é" * 5000 + "\n")["body"] == "é" * 5000
    assert circle.write(circle.cm, body="ligne 1\n  ligne 2")["body"] == "ligne 1\n  ligne 2"
    assert len(circle.ids(circle.cm)) == 2


def test_pagination_newest_first(circle: Circle) -> None:
    ids = [circle.write(circle.family, body=f"n°{i}")["id"] for i in range(7)]
    first = circle.ids(circle.nurse, limit=3)
    assert first == ids[::-1][:3]
    second = circle.ids(circle.nurse, limit=3, before_id=first[-1])
    assert second == ids[::-1][3:6]
    assert circle.ids(circle.nurse, limit=3, before_id=second[-1]) == [ids[0]]
    assert circle.ids(circle.nurse, before_id=ids[0]) == []
    for bad in ({"limit": 0}, {"limit": 101}, {"before_id": 0}, {"before_id": 2**40}):
        assert circle.listing(circle.nurse, **bad).status_code == 422


def test_health_pagination_counts_only_readable_messages(circle: Circle) -> None:
    mine = [circle.health(circle.cm, [circle.nurse], body=f"{i}") for i in range(3)]
    circle.health(circle.cm, [circle.family])  # not for the nurse
    mine.append(circle.health(circle.cm, [circle.nurse]))
    first = circle.ids(circle.nurse, space="health", limit=2)
    assert first == [mine[3], mine[2]]
    assert circle.ids(circle.nurse, space="health", limit=2, before_id=first[-1]) == mine[1::-1]


# --- read receipts -------------------------------------------------------------------------


def test_read_receipts_are_idempotent_and_shown_to_the_author(circle: Circle) -> None:
    message = circle.write(circle.family, body="Je passe jeudi")
    mid = message["id"]
    assert message["unread"] is False  # one's own message
    assert circle.listing(circle.nurse).json()[0]["unread"] is True

    first = circle.client.post(f"{API}/messages/{mid}/read", headers=circle.nurse.headers)
    again = circle.client.post(f"{API}/messages/{mid}/read", headers=circle.nurse.headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    seen = circle.listing(circle.nurse).json()[0]
    assert seen["unread"] is False
    assert seen["reads"] == {"people": 1, "beneficiary": False}
    assert circle.listing(circle.cm).json()[0]["unread"] is True

    reads = circle.client.get(f"{API}/messages/{mid}/reads", headers=circle.family.headers)
    assert reads.status_code == 200
    assert [(r["user_id"], r["name"]) for r in reads.json()] == [(circle.nurse.id, "Nadia")]
    assert reads.json()[0]["read_at"] == first.json()["read_at"]
    # A daily message's readers are the author's to see.
    forbidden = circle.client.get(f"{API}/messages/{mid}/reads", headers=circle.nurse.headers)
    assert forbidden.status_code == 403


def test_unread_health_count_and_receipts_for_recipients(circle: Circle) -> None:
    first = circle.health(circle.cm, [circle.nurse, circle.family])
    circle.health(circle.cm, [circle.nurse])
    circle.health(circle.cm, [circle.family])  # not for the nurse
    circle.health(circle.nurse, [circle.cm])  # written by the nurse

    assert unread(circle, circle.nurse) == 2
    assert unread(circle, circle.family) == 2
    assert unread(circle, circle.cm) == 1
    circle.client.post(f"{API}/messages/{first}/read", headers=circle.nurse.headers)
    assert unread(circle, circle.nurse) == 1
    assert unread(circle, circle.family) == 2

    # The recipients see who read it, too.
    reads = circle.client.get(f"{API}/messages/{first}/reads", headers=circle.family.headers)
    assert [r["user_id"] for r in reads.json()] == [circle.nurse.id]


# --- delete --------------------------------------------------------------------------------


def test_who_may_delete(circle: Circle) -> None:
    by_family = circle.write(circle.family, body="à effacer")["id"]
    by_nurse = circle.write(circle.nurse, body="à effacer aussi")["id"]
    assert (
        circle.client.delete(
            f"{API}/messages/{by_family}", headers=circle.nurse.headers
        ).status_code
        == 403
    )
    assert (
        circle.client.delete(
            f"{API}/messages/{by_family}", headers=circle.family.headers
        ).status_code
        == 204
    )
    assert (
        circle.client.delete(f"{API}/messages/{by_nurse}", headers=circle.cm.headers).status_code
        == 204
    )
    assert circle.ids(circle.family) == []
    assert circle.get(circle.family, by_family).status_code == 404

    health = circle.health(circle.nurse, [circle.cm, circle.family])
    hidden = circle.health(circle.nurse, [circle.family])
    assert (
        circle.client.delete(f"{API}/messages/{health}", headers=circle.cm.headers).status_code
        == 403
    )  # a recipient, even the care manager
    assert (
        circle.client.delete(f"{API}/messages/{hidden}", headers=circle.cm.headers).status_code
        == 404
    )  # not even known to them
    assert (
        circle.client.delete(f"{API}/messages/{health}", headers=circle.nurse.headers).status_code
        == 204
    )
    assert circle.ids(circle.family, space="health") == [hidden]
    with session_of(circle.client) as session:
        assert session.get(Message, health) is not None  # soft delete


# --- the tablet ----------------------------------------------------------------------------


def test_tablet_sync_holds_daily_and_its_own_health_messages(circle: Circle) -> None:
    daily = circle.write(circle.family, body="Je passe jeudi")["id"]
    for_jeanne = circle.health(circle.nurse, [], body="Prenez le comprimé", to_beneficiary=True)
    not_for_jeanne = circle.health(circle.nurse, [circle.cm], body="Escarre à surveiller")
    gone = circle.write(circle.cm, body="erreur")["id"]
    circle.client.delete(f"{API}/messages/{gone}", headers=circle.cm.headers)

    snapshot = circle.sync()
    messages = snapshot["upserts"]["messages"]
    assert [m["id"] for m in messages] == [daily, for_jeanne]
    assert messages[1] == {
        "id": for_jeanne,
        "space": "health",
        "body": "Prenez le comprimé",
        "author_name": "Nadia",
        "created_at": messages[1]["created_at"],
        "reply_to_id": None,
        "read": False,
    }
    assert messages[1]["created_at"].endswith("+00:00")
    cursor = snapshot["cursor"]

    # Later health messages not for Jeanne never reach the tablet, not even as an id.
    circle.health(circle.cm, [circle.nurse], body="Secret médical")
    delta = circle.sync(cursor=cursor)
    assert not delta["upserts"].get("messages") and not delta["deletes"].get("messages")
    text = str(circle.sync())
    assert "Escarre" not in text and "Secret médical" not in text
    assert not_for_jeanne not in [m["id"] for m in circle.sync()["upserts"]["messages"]]

    # The tablet reads one: the next delta says so; it cannot read the others.
    read = circle.action("read", {"message_id": for_jeanne})
    assert read.status_code == 200, read.text
    delta = circle.sync(cursor=cursor)
    assert [(m["id"], m["read"]) for m in delta["upserts"]["messages"]] == [(for_jeanne, True)]
    assert circle.action("read", {"message_id": not_for_jeanne}).status_code == 404
    assert circle.action("read", {"message_id": "1"}).status_code == 422
    nurse_view = circle.get(circle.nurse, for_jeanne).json()
    assert nurse_view["reads"] == {"people": 0, "beneficiary": True}

    # A deletion reaches the tablet.
    cursor = circle.sync()["cursor"]
    circle.client.delete(f"{API}/messages/{daily}", headers=circle.family.headers)
    assert circle.sync(cursor=cursor)["deletes"]["messages"] == [daily]


def test_tablet_snapshot_is_limited_to_the_newest(circle: Circle) -> None:
    with db.session_scope(state_of(circle.client).sessions) as session:
        session.add_all(
            Message(
                beneficiary_id=circle.id, space="daily", body=f"{i}", author_user_id=circle.cm.id
            )
            for i in range(messages_service.SYNC_LIMIT + 5)
        )
    messages = circle.sync()["upserts"]["messages"]
    assert len(messages) == messages_service.SYNC_LIMIT
    assert messages[-1]["body"] == str(messages_service.SYNC_LIMIT + 4)


def test_quick_reply_is_applied_once(circle: Circle) -> None:
    question = circle.write(circle.family, body="Tu veux des croissants ?")["id"]
    cursor = circle.sync()["cursor"]
    data = {"reply_to_id": question, "body": "Oui merci"}
    first = circle.action("reply", data, key="reply-key-0001")
    second = circle.action("reply", data, key="reply-key-0001")
    assert first.status_code == second.status_code == 200, first.text
    assert second.json() == first.json()
    assert second.headers.get("Idempotency-Replayed") == "true"

    with session_of(circle.client) as session:
        replies = session.scalars(select(Message).where(Message.reply_to_id == question)).all()
    assert len(replies) == 1
    assert replies[0].space == "daily" and replies[0].author_device_id is not None
    reply = circle.listing(circle.family).json()[0]
    assert (reply["id"], reply["body"], reply["author_name"]) == (
        replies[0].id,
        "Oui merci",
        "Jeanne Martin",
    )
    assert reply["author_user_id"] is None and reply["reply_to_id"] == question
    delta = circle.sync(cursor=cursor)["upserts"]["messages"]
    # The reply (read: the tablet wrote it) and the question, now read.
    assert [(m["id"], m["read"]) for m in delta] == [(question, True), (replies[0].id, True)]


def test_health_quick_reply_goes_to_the_author_and_recipients(client: TestClient) -> None:
    circle = Circle(client)
    question = circle.health(circle.nurse, [circle.cm], body="Avez-vous mal ?", to_beneficiary=True)
    answer = circle.action("reply", {"reply_to_id": question, "body": "Un peu"})
    assert answer.status_code == 200, answer.text
    reply_id = answer.json()["id"]
    assert answer.json()["message"]["space"] == "health"

    for reader in (circle.nurse, circle.cm):
        assert circle.get(reader, reply_id).json()["body"] == "Un peu"
    assert circle.get(circle.family, reply_id).status_code == 404
    with session_of(client) as session:
        recipients = session.scalars(
            select(MessageRecipient.user_id).where(MessageRecipient.message_id == reply_id)
        ).all()
    assert len(recipients) == 2 and set(recipients) == {circle.nurse.id, circle.cm.id}
    assert reply_id in [m["id"] for m in circle.sync()["upserts"]["messages"]]
    # The beneficiary's answer is unread for both until they open it.
    assert (unread(circle, circle.nurse), unread(circle, circle.cm)) == (1, 2)
    circle.client.post(f"{API}/messages/{reply_id}/read", headers=circle.nurse.headers)
    assert unread(circle, circle.nurse) == 0

    # The tablet cannot answer what it cannot read, nor send an empty or huge reply.
    private = circle.health(circle.nurse, [circle.cm])
    refused = circle.action("reply", {"reply_to_id": private, "body": "?"})
    assert refused.status_code == 404
    assert circle.action("reply", {"reply_to_id": question, "body": " "}).status_code == 422
    too_long = {"reply_to_id": question, "body": "x" * 100_000}
    assert circle.action("reply", too_long).status_code == 422
    assert circle.action("reply", {"reply_to_id": question}).status_code == 422


def test_reply_from_the_console_stays_in_its_space(circle: Circle) -> None:
    health = circle.health(circle.cm, [circle.nurse])
    daily = circle.write(circle.family)["id"]
    assert circle.post(circle.nurse, reply_to_id=health).status_code == 422
    hidden = circle.health(circle.cm, [circle.family])
    answer = circle.post(
        circle.nurse, space="health", recipient_ids=[circle.cm.id], reply_to_id=hidden
    )
    assert answer.status_code == 422  # the nurse cannot read it
    assert circle.write(circle.nurse, reply_to_id=daily)["reply_to_id"] == daily


# --- audit ---------------------------------------------------------------------------------


def test_health_reads_and_writes_are_audited(circle: Circle) -> None:
    health = circle.health(circle.cm, [circle.nurse], to_beneficiary=True)
    circle.write(circle.family, body="quotidien")
    assert audit_rows(circle.client) == [("create", health, circle.cm.id, None)]

    circle.listing(circle.family)  # daily only: nothing to audit
    circle.listing(circle.nurse, space="health")
    circle.get(circle.nurse, health)
    circle.client.post(f"{API}/messages/{health}/read", headers=circle.nurse.headers)
    circle.get(circle.family, health)  # refused: not a read
    circle.action("read", {"message_id": health}, key="read-key-0001")
    circle.action("read", {"message_id": health}, key="read-key-0002")  # already read
    rows = audit_rows(circle.client)[1:]
    device_rows = [r for r in rows if r[3] is not None]
    assert [r[:3] for r in rows if r[3] is None] == [("read", health, circle.nurse.id)] * 3
    assert len(device_rows) == 1 and device_rows[0][:3] == ("read", health, None)
