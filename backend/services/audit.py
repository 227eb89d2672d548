"""The audit log of health data: every read and change, with who, what and when.

Call `record` inside the same transaction as the access it describes, so that an access is
logged if and only if it happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backend.models import AuditEntry, utcnow

ACTIONS = ("read", "create", "update", "delete")


def record(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    beneficiary_id: int | None,
    user_id: int | None = None,
    device_id: int | None = None,
    at: datetime | None = None,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if user_id is None and device_id is None:
        raise ValueError("an audit entry needs an actor (user or device)")
    session.add(
        AuditEntry(
            at=at or utcnow(),
            actor_user_id=user_id,
            actor_device_id=device_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            beneficiary_id=beneficiary_id,
        )
    )
