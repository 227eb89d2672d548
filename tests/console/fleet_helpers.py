"""What the console's fleet and updates tests share: a page read as words, tablets made in
bulk for a care manager."""

from __future__ import annotations

import html
import re
import secrets
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from backend.models import Beneficiary, Device, DeviceStatus
from tests.api.factories import session_of


def words(page: str) -> str:
    """What a person reads, on one line (tags left out, no-break spaces as spaces)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def add_tablets(
    app: TestClient,
    care_manager_id: int,
    count: int,
    *,
    now: datetime,
    first: str = "Personne",
    seen_hours_ago: float = 0,
    version: str | None = "0.4.1",
) -> list[int]:
    """`count` people followed by `care_manager_id`, each with a tablet last seen
    `seen_hours_ago` before `now` that reports `version` (None: no report yet)."""
    ids = []
    with session_of(app) as session:
        for n in range(count):
            person = Beneficiary(
                first_name=first, last_name=f"Numéro {n:03d}", care_manager_id=care_manager_id
            )
            session.add(person)
            session.flush()
            seen = now - timedelta(hours=seen_hours_ago, minutes=n)
            device = Device(
                beneficiary_id=person.id,
                name="Tablette salon",
                credential_hash=secrets.token_hex(32),
                last_seen_at=seen,
            )
            session.add(device)
            session.flush()
            if version is not None:
                session.add(
                    DeviceStatus(
                        device_id=device.id, app_version=version, outbox_pending=0, reported_at=seen
                    )
                )
            ids.append(device.id)
        session.commit()
    return ids
