"""A professional identifies on the beneficiary's tablet with their personal PIN, and reads the
health messages addressed to them.

Why online: the tablet holds the daily messages and the health messages addressed to the
beneficiary, never those addressed to a nurse or a doctor (the health space is for its named
recipients only), and it holds no PIN hashes. So the tablet sends the PIN typed on its pad;
the backend finds whose PIN it is among the people of the device's beneficiary's circle and
answers who they are, what they may do there, and the health messages addressed to them.

- The PIN alone identifies: a professional arriving does not have to find their name in a list
  first. Every PIN of the circle is checked (a circle is a few dozen people at most), always
  all of them, so the time taken does not tell which one matched. Two people with the same
  PIN are told to choose another one (409) rather than being taken for each other.
- Wrong PINs are counted per tablet in the database (`rate_limit`, shared by every worker):
  PIN_MAX_FAILURES in PIN_WINDOW, then 429 with a French message and Retry-After.
- Every health message shown, and the instructions the tablet may then show, are written to
  the audit log with the person and the tablet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from backend import security
from backend.errors import Conflict, Forbidden, Invalid, TooManyAttempts
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Device,
    Membership,
    Message,
    MessageRead,
    MessageRecipient,
    User,
    VisitRecord,
)
from backend.policy import Permission, allowed
from backend.services import access, audit, messages, rate_limit, visits

PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
PIN_MAX_FAILURES = 5
PIN_WINDOW = timedelta(minutes=15)
MESSAGE_LIMIT = 50  # the newest; older ones are in the web console
WRONG_PIN = "Code personnel incorrect."


@dataclass(frozen=True)
class Identified:
    user: User
    may_record_visit: bool
    may_view_instructions: bool
    messages: list[dict[str, Any]]
    open_visit: VisitRecord | None = None  # their arrival here with no departure yet


def rate_limit_key(device: Device) -> str:
    return f"device-pin:{device.id}"


def _circle_user_ids(session: Session, beneficiary: Beneficiary) -> set[int]:
    """Everyone who may hold a role for the beneficiary: care manager, staff of the shared
    organisations, personal members of the circle (roles are checked afterwards)."""
    staff = session.scalars(
        select(Membership.user_id)
        .join(BeneficiaryShare, BeneficiaryShare.organisation_id == Membership.organisation_id)
        .where(BeneficiaryShare.beneficiary_id == beneficiary.id)
    )
    members = session.scalars(
        select(CircleMember.user_id).where(CircleMember.beneficiary_id == beneficiary.id)
    )
    return {beneficiary.care_manager_id, *staff, *members}


def _whose_pin(session: Session, beneficiary: Beneficiary, pin: str) -> list[User]:
    ids = _circle_user_ids(session, beneficiary)
    candidates = list(
        session.scalars(
            select(User).where(User.id.in_(ids), User.pin_hash.is_not(None)).order_by(User.id)
        )
    )
    if not candidates:
        security.verify_password(security.dummy_hash(), pin)  # the same time as one real check
    # Every hash is checked, match or not: the delay does not tell whose PIN it was.
    matches = [u for u in candidates if security.verify_password(u.pin_hash or "", pin)]
    return [u for u in matches if access.roles_of(session, u, beneficiary)]


def _addressed_to(session: Session, beneficiary: Beneficiary, user: User) -> list[dict[str, Any]]:
    addressed = exists().where(
        MessageRecipient.message_id == Message.id, MessageRecipient.user_id == user.id
    )
    rows = list(
        session.scalars(
            select(Message)
            .where(
                Message.beneficiary_id == beneficiary.id,
                Message.space == messages.HEALTH,
                Message.deleted_at.is_(None),
                addressed,
            )
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(MESSAGE_LIMIT)
        )
    )
    if not rows:
        return []
    ids = [m.id for m in rows]
    read = set(
        session.scalars(
            select(MessageRead.message_id).where(
                MessageRead.message_id.in_(ids), MessageRead.user_id == user.id
            )
        )
    )
    author_ids = {m.author_user_id for m in rows if m.author_user_id is not None}
    rows_of_names = session.execute(select(User.id, User.name).where(User.id.in_(author_ids)))
    names = {user_id: name for user_id, name in rows_of_names}
    return [
        {
            "id": m.id,
            "body": m.body,  # plain text, as written
            "author_name": (
                names.get(m.author_user_id, "")
                if m.author_user_id is not None
                else messages.full_name(beneficiary)
            ),
            "created_at": m.created_at.astimezone(UTC).isoformat(),
            "reply_to_id": m.reply_to_id,
            "read": m.id in read,
        }
        for m in rows
    ]


def identify(
    session: Session, device: Device, beneficiary: Beneficiary, pin: object, now: datetime
) -> Identified:
    """The person of the circle whose PIN this is, with their health messages; or 403 (counted),
    409 (a PIN two people share), 422 (not a PIN), 429 (too many wrong PINs on this tablet)."""
    if not isinstance(pin, str) or not PIN_PATTERN.match(pin):
        raise Invalid("Le code personnel fait de 4 à 8 chiffres.")
    key = rate_limit_key(device)
    wait = rate_limit.seconds_blocked(session, key, PIN_MAX_FAILURES, PIN_WINDOW, now)
    if wait:
        minutes = max(1, round(wait / 60))
        raise TooManyAttempts(
            "Trop de codes erronés. Réessayez dans {minutes} minute(s).", wait, minutes=minutes
        )
    matches = _whose_pin(session, beneficiary, pin)
    if not matches:
        rate_limit.record_failure(session, key, PIN_WINDOW, now)
        raise Forbidden(WRONG_PIN, keep_changes=True)
    if len(matches) > 1:
        raise Conflict(
            "Ce code personnel est aussi celui d'une autre personne : choisissez-en un autre "
            "dans la console Foyer."
        )
    user = matches[0]
    roles = access.roles_of(session, user, beneficiary)
    shown = _addressed_to(session, beneficiary, user)
    for message in shown:
        audit.record(
            session,
            action="read",
            entity=messages.ENTITY,
            entity_id=message["id"],
            beneficiary_id=beneficiary.id,
            user_id=user.id,
            device_id=device.id,
            at=now,
        )
    may_view_instructions = allowed(roles, Permission.VIEW_INSTRUCTIONS)
    if may_view_instructions:
        # The tablet holds the instructions (synced) but shows them only now, to this person.
        audit.record(
            session,
            action="read",
            entity="event_instructions",
            entity_id=None,
            beneficiary_id=beneficiary.id,
            user_id=user.id,
            device_id=device.id,
            at=now,
        )
    may_record_visit = allowed(roles, Permission.RECORD_VISIT)
    return Identified(
        user=user,
        may_record_visit=may_record_visit,
        may_view_instructions=may_view_instructions,
        messages=shown,
        open_visit=visits.open_visit(session, beneficiary, user, now) if may_record_visit else None,
    )
