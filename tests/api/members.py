"""People around a beneficiary, inserted directly (accounts, organisations, circle members), a
paired tablet and its actions, the audit log and mood check-ins: for the well-being, visits and
dashboard tests."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import security
from backend.models import (
    AuditEntry,
    BeneficiaryShare,
    CircleMember,
    Membership,
    MoodCheckin,
    Organisation,
    User,
)
from tests.api.factories import (
    API,
    PASSWORD,
    CareManager,
    device_headers,
    login,
    pair_device,
    session_of,
)

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    headers: dict[str, str]


def person(client: TestClient, profession: str | None = None, name: str = "Paul") -> Person:
    """A "member" account (not a care manager), signed in."""
    email = f"member{next(_numbers)}-{uuid.uuid4().hex[:6]}@foyer.test"
    with session_of(client) as session:
        user = User(
            email=email,
            name=name,
            role="member",
            password_hash=security.hash_password(PASSWORD),
            profession=profession,
        )
        session.add(user)
        session.commit()
        user_id = user.id
    return Person(user_id, email, login(client, email))


def share(client: TestClient, beneficiary_id: int, user_id: int, kind: str) -> int:
    """The beneficiary shared with a new organisation of `kind` where `user_id` works."""
    with session_of(client) as session:
        org = Organisation(name=f"Service {kind}", kind=kind)
        session.add(org)
        session.flush()
        session.add(Membership(user_id=user_id, organisation_id=org.id))
        session.add(BeneficiaryShare(beneficiary_id=beneficiary_id, organisation_id=org.id))
        session.commit()
        return org.id


def invite(client: TestClient, beneficiary_id: int, user_id: int, relation: str) -> None:
    with session_of(client) as session:
        session.add(CircleMember(beneficiary_id=beneficiary_id, user_id=user_id, relation=relation))
        session.commit()


def tablet(client: TestClient, cm: CareManager, beneficiary_id: int) -> str:
    credential: str = pair_device(client, cm, beneficiary_id)["access_token"]
    return credential


def action(
    client: TestClient, credential: str, type_: str, data: dict[str, Any], key: str | None = None
) -> Any:
    return client.post(
        f"{API}/device/actions",
        json={"type": type_, "data": data},
        headers={**device_headers(credential), "Idempotency-Key": key or uuid.uuid4().hex},
    )


def audit_entries(client: TestClient, entity: str) -> list[tuple[str, int | None, int | None]]:
    """(action, actor user, actor device) of the audit entries about `entity`, in order."""
    with session_of(client) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor_user_id, AuditEntry.actor_device_id)
            .where(AuditEntry.entity == entity)
            .order_by(AuditEntry.id)
        ).all()
    return [(a, u, d) for a, u, d in rows]


def add_moods(client: TestClient, beneficiary_id: int, *moods: tuple[datetime, int]) -> None:
    with session_of(client) as session:
        for at, score in moods:
            session.add(MoodCheckin(beneficiary_id=beneficiary_id, score=score, recorded_at=at))
        session.commit()
