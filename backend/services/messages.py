"""Messages: the daily space (the whole circle) and the health space (named recipients only).

- Daily space: read with READ_DAILY, written with WRITE_DAILY, by every role of the circle and
  by the tablet (the beneficiary's quick replies).
- Health space: written with WRITE_HEALTH, to at least one recipient: people of the circle
  (`MessageRecipient.user_id`) and/or the beneficiary (`user_id` None, i.e. the tablet). Only
  its recipients and its author may read one (`policy.may_read_health_message`), whatever their
  role; to anybody else it does not exist (404). Every read and creation is audited.

Bodies are plain text, kept exactly as typed (only surrounding blanks are stripped): never
escaped in storage, the clients show them as plain text.

Tablets receive (sync kind "messages") the daily messages and the health messages addressed
to the beneficiary or written from a tablet; every write that changes what they show is
journaled with `record_change(..., "message", id, ...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from backend.errors import Forbidden, Invalid, NotFound
from backend.models import Beneficiary, Device, Message, MessageRead, MessageRecipient, User
from backend.policy import Permission, Role, may_read_health_message
from backend.services import access, audit, sync
from backend.services.changes import record_change
from backend.text import check as check_text

DAILY = "daily"
HEALTH = "health"
SPACES = (DAILY, HEALTH)
MAX_BODY_LENGTH = 5000
MAX_RECIPIENTS = 100
SYNC_LIMIT = 200  # the tablet holds the newest messages only
ENTITY = "message"
MAX_ID = 2_147_483_647  # ids are 32-bit on PostgreSQL
NOT_FOUND = "Message introuvable."


# --- validation ---------------------------------------------------------------------------


def clean_body(body: str) -> str:
    """The body as stored: surrounding blanks stripped, nothing else touched; the text rule
    (common/text.py) refuses control characters but line breaks and tabs."""
    body = check_text(body, "Le message", multiline=True).strip()
    if not body:
        raise Invalid("Le message est vide.")
    if len(body) > MAX_BODY_LENGTH:
        raise Invalid("Le message est trop long (au plus {n} caractères).", n=MAX_BODY_LENGTH)
    return body


def _check_space(space: str) -> None:
    if space not in SPACES:
        raise Invalid(
            "Espace de messages inconnu : {space}. Espaces possibles : daily, health.", space=space
        )


# --- who may read ---------------------------------------------------------------------------


def recipients_of(session: Session, message_id: int) -> list[int | None]:
    return list(
        session.scalars(
            select(MessageRecipient.user_id).where(MessageRecipient.message_id == message_id)
        )
    )


def user_may_read(session: Session, user: User, message: Message) -> bool:
    """For a person already known to hold READ_DAILY (daily) or a role (health)."""
    if message.space != HEALTH:
        return True
    return may_read_health_message(
        reader_user_id=user.id,
        reader_is_device=False,
        author_user_id=message.author_user_id,
        author_is_device=message.author_device_id is not None,
        recipient_user_ids=recipients_of(session, message.id),
    )


def device_may_read(session: Session, message: Message) -> bool:
    if message.space != HEALTH:
        return True
    return may_read_health_message(
        reader_user_id=None,
        reader_is_device=True,
        author_user_id=message.author_user_id,
        author_is_device=message.author_device_id is not None,
        recipient_user_ids=recipients_of(session, message.id),
    )


def _readable_by_user(user_id: int) -> ColumnElement[bool]:
    """SQL: the messages a person (of the circle, with READ_DAILY) may read."""
    addressed = exists().where(
        MessageRecipient.message_id == Message.id, MessageRecipient.user_id == user_id
    )
    return or_(Message.space == DAILY, Message.author_user_id == user_id, addressed)


def _visible_to_device() -> ColumnElement[bool]:
    """SQL: the messages a tablet of the beneficiary may hold."""
    to_beneficiary = exists().where(
        MessageRecipient.message_id == Message.id, MessageRecipient.user_id.is_(None)
    )
    return or_(Message.space == DAILY, Message.author_device_id.is_not(None), to_beneficiary)


def message_for(session: Session, user: User, message_id: int) -> tuple[Message, Beneficiary]:
    """A message the person may read, with its beneficiary; 404 for anything else (a health
    message not addressed to them is indistinguishable from one that does not exist)."""
    message = session.get(Message, message_id)
    if message is None or message.deleted_at is not None:
        raise NotFound(NOT_FOUND)
    permission = Permission.READ_DAILY if message.space == DAILY else Permission.VIEW_BENEFICIARY
    try:
        beneficiary = access.require(session, user, message.beneficiary_id, permission)
    except NotFound as exc:
        raise NotFound(NOT_FOUND) from exc
    if not user_may_read(session, user, message):
        raise NotFound(NOT_FOUND)
    return message, beneficiary


def _message_for_device(session: Session, beneficiary: Beneficiary, message_id: Any) -> Message:
    if (
        not isinstance(message_id, int)
        or isinstance(message_id, bool)
        or not 1 <= message_id <= MAX_ID
    ):
        raise Invalid("Identifiant de message invalide.")
    message = session.get(Message, message_id)
    if (
        message is None
        or message.deleted_at is not None
        or message.beneficiary_id != beneficiary.id
        or not device_may_read(session, message)
    ):
        raise NotFound(NOT_FOUND)
    return message


# --- writing --------------------------------------------------------------------------------


def _recipient_users(
    session: Session, beneficiary: Beneficiary, author_id: int | None, ids: Iterable[int]
) -> list[int]:
    """The recipients as given, checked: each must have a role in the beneficiary's circle."""
    wanted = sorted(set(ids) - ({author_id} if author_id is not None else set()))
    if len(wanted) > MAX_RECIPIENTS:
        raise Invalid("Trop de destinataires (au plus {n}).", n=MAX_RECIPIENTS)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}
    for user_id in wanted:
        user = users.get(user_id)
        if user is None or not access.roles_of(session, user, beneficiary):
            raise Invalid(
                "Destinataire {user_id} inconnu : les destinataires doivent faire partie "
                "de l'entourage de la personne.",
                user_id=user_id,
            )
    return wanted


def _check_reply_target(
    original: Message | None, beneficiary: Beneficiary, space: str, may_read: bool
) -> Message:
    if (
        original is None
        or original.deleted_at is not None
        or original.beneficiary_id != beneficiary.id
        or not may_read
    ):
        raise Invalid("Le message auquel vous répondez est introuvable.")
    if original.space != space:
        raise Invalid("Une réponse reste dans l'espace du message auquel elle répond.")
    return original


def _store(
    session: Session,
    beneficiary: Beneficiary,
    *,
    space: str,
    body: str,
    now: datetime,
    author_user_id: int | None = None,
    author_device_id: int | None = None,
    reply_to_id: int | None = None,
    recipient_user_ids: Sequence[int] = (),
    to_beneficiary: bool = False,
) -> Message:
    message = Message(
        beneficiary_id=beneficiary.id,
        space=space,
        body=body,
        author_user_id=author_user_id,
        author_device_id=author_device_id,
        reply_to_id=reply_to_id,
        created_at=now,
    )
    session.add(message)
    session.flush()
    if space == HEALTH:
        for user_id in recipient_user_ids:
            session.add(MessageRecipient(message_id=message.id, user_id=user_id))
        if to_beneficiary:
            session.add(MessageRecipient(message_id=message.id, user_id=None))
        session.flush()
        audit.record(
            session,
            action="create",
            entity=ENTITY,
            entity_id=message.id,
            beneficiary_id=beneficiary.id,
            user_id=author_user_id,
            device_id=author_device_id,
            at=now,
        )
    if space == DAILY or to_beneficiary or author_device_id is not None:
        record_change(session, beneficiary.id, ENTITY, message.id, "upsert")
    return message


def create_message(
    session: Session,
    user: User,
    beneficiary_id: int,
    *,
    space: str,
    body: str,
    recipient_ids: Sequence[int] = (),
    to_beneficiary: bool = False,
    reply_to_id: int | None = None,
    now: datetime,
) -> tuple[Message, Beneficiary]:
    _check_space(space)
    permission = Permission.WRITE_DAILY if space == DAILY else Permission.WRITE_HEALTH
    beneficiary = access.require(session, user, beneficiary_id, permission)
    text = clean_body(body)
    recipients: list[int] = []
    if space == DAILY:
        if recipient_ids or to_beneficiary:
            raise Invalid(
                "L'espace du quotidien est lu par tout l'entourage : pas de destinataires."
            )
    else:
        recipients = _recipient_users(session, beneficiary, user.id, recipient_ids)
        if not recipients and not to_beneficiary:
            raise Invalid("Un message santé doit avoir au moins un destinataire.")
    if reply_to_id is not None:
        original = session.get(Message, reply_to_id)
        readable = original is not None and user_may_read(session, user, original)
        _check_reply_target(original, beneficiary, space, readable)
    message = _store(
        session,
        beneficiary,
        space=space,
        body=text,
        now=now,
        author_user_id=user.id,
        reply_to_id=reply_to_id,
        recipient_user_ids=recipients,
        to_beneficiary=to_beneficiary,
    )
    return message, beneficiary


def delete_message(session: Session, user: User, message_id: int, now: datetime) -> None:
    """Daily: its author or the beneficiary's care manager; health: its author only."""
    message, beneficiary = message_for(session, user, message_id)
    is_author = message.author_user_id == user.id
    if message.space == DAILY:
        if not is_author and Role.CARE_MANAGER not in access.roles_of(session, user, beneficiary):
            raise Forbidden(
                "Seuls l'auteur et le conseiller autonomie peuvent supprimer ce message."
            )
    elif not is_author:
        raise Forbidden("Seul l'auteur peut supprimer un message santé.")
    message.deleted_at = now
    if message.space == HEALTH:
        audit.record(
            session,
            action="delete",
            entity=ENTITY,
            entity_id=message.id,
            beneficiary_id=beneficiary.id,
            user_id=user.id,
            at=now,
        )
    if device_may_read(session, message):
        record_change(session, beneficiary.id, ENTITY, message.id, "delete")


# --- reading --------------------------------------------------------------------------------


def _audit_reads(session: Session, user: User, messages: Iterable[Message], now: datetime) -> None:
    for message in messages:
        if message.space == HEALTH:
            audit.record(
                session,
                action="read",
                entity=ENTITY,
                entity_id=message.id,
                beneficiary_id=message.beneficiary_id,
                user_id=user.id,
                at=now,
            )


def list_messages(
    session: Session,
    user: User,
    beneficiary_id: int,
    *,
    space: str,
    before_id: int | None,
    limit: int,
    now: datetime,
) -> tuple[list[Message], Beneficiary]:
    """Newest first. Health: only the messages the person may read (recipient or author)."""
    _check_space(space)
    # Any role may be a health recipient (even a friend); reading daily needs READ_DAILY.
    permission = Permission.READ_DAILY if space == DAILY else Permission.VIEW_BENEFICIARY
    beneficiary = access.require(session, user, beneficiary_id, permission)
    query = select(Message).where(
        Message.beneficiary_id == beneficiary_id,
        Message.space == space,
        Message.deleted_at.is_(None),
        _readable_by_user(user.id),
    )
    if before_id is not None:
        query = query.where(Message.id < before_id)
    found = list(session.scalars(query.order_by(Message.id.desc()).limit(limit)))
    _audit_reads(session, user, found, now)
    return found, beneficiary


def read_message(
    session: Session, user: User, message_id: int, now: datetime
) -> tuple[Message, Beneficiary]:
    message, beneficiary = message_for(session, user, message_id)
    _audit_reads(session, user, [message], now)
    return message, beneficiary


def mark_read(session: Session, user: User, message_id: int, now: datetime) -> datetime:
    """A person's read receipt (idempotent): when they read it first."""
    message, _ = message_for(session, user, message_id)
    if message.author_user_id == user.id:
        return message.created_at  # one's own message needs no receipt
    existing = session.scalar(
        select(MessageRead).where(
            MessageRead.message_id == message.id, MessageRead.user_id == user.id
        )
    )
    if existing is not None:
        return existing.read_at
    session.add(MessageRead(message_id=message.id, user_id=user.id, read_at=now))
    _audit_reads(session, user, [message], now)
    return now


@dataclass(frozen=True)
class ReadReceipt:
    user_id: int | None  # None: the beneficiary, on the tablet
    name: str
    read_at: datetime


def reads_of(session: Session, user: User, message_id: int, now: datetime) -> list[ReadReceipt]:
    """Who read it and when: for its author, and for the recipients of a health message."""
    message, beneficiary = message_for(session, user, message_id)
    if message.space == DAILY and message.author_user_id != user.id:
        raise Forbidden("Seul l'auteur du message voit qui l'a lu.")
    _audit_reads(session, user, [message], now)
    rows = session.execute(
        select(MessageRead, User.name)
        .outerjoin(User, User.id == MessageRead.user_id)
        .where(MessageRead.message_id == message.id)
        .order_by(MessageRead.read_at, MessageRead.id)
    ).all()
    # One line per reader, at their first reading (several tablets, or two racing requests).
    first: dict[int | None, ReadReceipt] = {}
    for receipt, name in rows:
        if receipt.user_id not in first:
            shown = full_name(beneficiary) if receipt.user_id is None else (name or "")
            first[receipt.user_id] = ReadReceipt(receipt.user_id, shown, receipt.read_at)
    return list(first.values())


def unread_health_count(session: Session, user: User, beneficiary_id: int) -> int:
    """Health messages addressed to `user`, not written by them, without their read receipt."""
    addressed = exists().where(
        MessageRecipient.message_id == Message.id, MessageRecipient.user_id == user.id
    )
    read = exists().where(MessageRead.message_id == Message.id, MessageRead.user_id == user.id)
    count = session.scalar(
        select(func.count(Message.id)).where(
            Message.beneficiary_id == beneficiary_id,
            Message.space == HEALTH,
            Message.deleted_at.is_(None),
            Message.author_user_id.is_distinct_from(user.id),
            addressed,
            ~read,
        )
    )
    return int(count or 0)


# --- presentation ---------------------------------------------------------------------------


def _names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    rows = session.execute(select(User.id, User.name).where(User.id.in_(set(user_ids))))
    return {user_id: name for user_id, name in rows}


def full_name(beneficiary: Beneficiary) -> str:
    return f"{beneficiary.first_name} {beneficiary.last_name}".strip()


@dataclass(frozen=True)
class MessageView:
    """A message with what the console shows around it."""

    message: Message
    author_name: str
    recipients: list[tuple[int, str]]  # (user id, name), people only
    to_beneficiary: bool
    read_by_people: int
    read_by_beneficiary: bool
    unread: bool
    # What it answers (the tablet's one-tap replies say so): the start of that message, when
    # the reader may read it and it is not deleted; None otherwise.
    reply_to_excerpt: str | None = None


REPLY_EXCERPT = 80  # characters of the answered message quoted above a reply


def excerpt(body: str, length: int = REPLY_EXCERPT) -> str:
    """The start of a message on one line, cut at a word with "…" when longer."""
    text = " ".join(body.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] or text[:length]
    return cut.rstrip(" ,;:.") + "…"


def _answered(session: Session, user: User, messages: Sequence[Message]) -> dict[int, str]:
    """reply_to_id → excerpt of the answered messages this person may read."""
    ids = {m.reply_to_id for m in messages if m.reply_to_id is not None}
    if not ids:
        return {}
    originals = session.scalars(
        select(Message).where(
            Message.id.in_(ids), Message.deleted_at.is_(None), _readable_by_user(user.id)
        )
    )
    return {m.id: excerpt(m.body) for m in originals}


def views(
    session: Session, user: User, beneficiary: Beneficiary, messages: Sequence[Message]
) -> list[MessageView]:
    """Authors, recipients and read receipts for a page of messages, in a few queries."""
    if not messages:
        return []
    ids = [m.id for m in messages]
    recipients: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    to_beneficiary: set[int] = set()
    for message_id, user_id, name in session.execute(
        select(MessageRecipient.message_id, MessageRecipient.user_id, User.name)
        .outerjoin(User, User.id == MessageRecipient.user_id)
        .where(MessageRecipient.message_id.in_(ids))
        .order_by(User.name, MessageRecipient.user_id)
    ):
        if user_id is None:
            to_beneficiary.add(message_id)
        else:
            recipients[message_id].append((user_id, name))
    people: dict[int, set[int]] = {i: set() for i in ids}
    by_beneficiary: set[int] = set()
    for message_id, user_id, device_id in session.execute(
        select(MessageRead.message_id, MessageRead.user_id, MessageRead.device_id).where(
            MessageRead.message_id.in_(ids)
        )
    ):
        if user_id is not None:
            people[message_id].add(user_id)
        elif device_id is not None:
            by_beneficiary.add(message_id)
    author_ids = {m.author_user_id for m in messages if m.author_user_id is not None}
    names = _names(session, author_ids)
    answered = _answered(session, user, messages)
    result = []
    for m in messages:
        if m.author_user_id is not None:
            author = names.get(m.author_user_id, "")
        else:
            author = full_name(beneficiary)
        readers = people[m.id] - {m.author_user_id}
        result.append(
            MessageView(
                message=m,
                author_name=author,
                recipients=recipients[m.id],
                to_beneficiary=m.id in to_beneficiary,
                read_by_people=len(readers),
                read_by_beneficiary=m.id in by_beneficiary,
                unread=m.author_user_id != user.id and user.id not in people[m.id],
                reply_to_excerpt=answered.get(m.reply_to_id) if m.reply_to_id else None,
            )
        )
    return result


# --- the tablet -----------------------------------------------------------------------------


def _device_payloads(
    session: Session, beneficiary: Beneficiary, messages: Sequence[Message]
) -> list[dict[str, Any]]:
    if not messages:
        return []
    ids = [m.id for m in messages]
    read = set(
        session.scalars(
            select(MessageRead.message_id)
            .join(Device, Device.id == MessageRead.device_id)
            .where(MessageRead.message_id.in_(ids), Device.beneficiary_id == beneficiary.id)
        )
    )
    author_ids = {m.author_user_id for m in messages if m.author_user_id is not None}
    names = _names(session, author_ids)
    return [
        {
            "id": m.id,
            "space": m.space,
            "body": m.body,
            "author_name": (
                names.get(m.author_user_id, "")
                if m.author_user_id is not None
                else full_name(beneficiary)
            ),
            "created_at": m.created_at.astimezone(UTC).isoformat(),
            "reply_to_id": m.reply_to_id,
            # The beneficiary's own replies are read by definition.
            "read": m.id in read or m.author_device_id is not None,
        }
        for m in messages
    ]


def _device_query(beneficiary: Beneficiary) -> Select[Message]:
    return select(Message).where(
        Message.beneficiary_id == beneficiary.id,
        Message.deleted_at.is_(None),
        _visible_to_device(),
    )


def _sync_all(session: Session, beneficiary: Beneficiary, device: Device) -> list[dict[str, Any]]:
    newest = list(
        session.scalars(_device_query(beneficiary).order_by(Message.id.desc()).limit(SYNC_LIMIT))
    )
    _audit_device_reads(session, device, newest)
    return _device_payloads(session, beneficiary, newest[::-1])


def _sync_some(
    session: Session, beneficiary: Beneficiary, device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    rows = list(session.scalars(_device_query(beneficiary).where(Message.id.in_(ids))))
    _audit_device_reads(session, device, rows)
    return _device_payloads(session, beneficiary, rows)


def _audit_device_reads(session: Session, device: Device, messages: Iterable[Message]) -> None:
    """A health message sent to the tablet is read by it (tests/security/test_health_audit.py)."""
    for message in messages:
        if message.space == HEALTH:
            audit.record(
                session,
                action="read",
                entity=ENTITY,
                entity_id=message.id,
                beneficiary_id=message.beneficiary_id,
                device_id=device.id,
            )


sync.register(sync.SyncedKind("messages", ENTITY, _sync_all, _sync_some))


def _device_receipt(
    session: Session, device: Device, beneficiary: Beneficiary, message: Message, now: datetime
) -> bool:
    """A read receipt by the tablet; False when this tablet had already sent one."""
    existing = session.scalar(
        select(MessageRead.id).where(
            MessageRead.message_id == message.id, MessageRead.device_id == device.id
        )
    )
    if existing is not None:
        return False
    session.add(MessageRead(message_id=message.id, device_id=device.id, read_at=now))
    if message.space == HEALTH:
        audit.record(
            session,
            action="read",
            entity=ENTITY,
            entity_id=message.id,
            beneficiary_id=beneficiary.id,
            device_id=device.id,
            at=now,
        )
    record_change(session, beneficiary.id, ENTITY, message.id, "upsert")
    return True


def device_read(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Tablet action "read": {"message_id": int}. Idempotent."""
    if set(data) != {"message_id"}:
        raise Invalid("Données attendues : message_id.")
    message = _message_for_device(session, beneficiary, data["message_id"])
    _device_receipt(session, device, beneficiary, message, now)
    return {"message_id": message.id, "read": True}


def device_reply(
    session: Session, device: Device, beneficiary: Beneficiary, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Tablet action "reply": {"reply_to_id": int, "body": str}: the beneficiary's quick reply,
    in the space of the message it answers. A health reply goes to the original's author and
    its other recipients (those still in the circle)."""
    if set(data) != {"reply_to_id", "body"} or not isinstance(data["body"], str):
        raise Invalid("Données attendues : reply_to_id (entier) et body (texte).")
    original = _message_for_device(session, beneficiary, data["reply_to_id"])
    text = clean_body(data["body"])
    recipients: list[int] = []
    if original.space == HEALTH:
        wanted = {u for u in recipients_of(session, original.id) if u is not None}
        if original.author_user_id is not None:
            wanted.add(original.author_user_id)
        users = session.scalars(select(User).where(User.id.in_(wanted))).all()
        recipients = sorted(u.id for u in users if access.roles_of(session, u, beneficiary))
        if not recipients:
            raise Invalid("Plus personne de l'entourage ne peut recevoir cette réponse.")
    message = _store(
        session,
        beneficiary,
        space=original.space,
        body=text,
        now=now,
        author_device_id=device.id,
        reply_to_id=original.id,
        recipient_user_ids=recipients,
    )
    # Answering a message is having read it.
    _device_receipt(session, device, beneficiary, original, now)
    return {"id": message.id, "message": _device_payloads(session, beneficiary, [message])[0]}
