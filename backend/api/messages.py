"""Messages of the daily space and the health space, and the tablet's replies and receipts.

Who may do what is decided in `backend.services.messages`; in short: the daily space is read
and written by the whole circle; a health message is read only by its recipients and its
author (to anyone else it does not exist: 404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.api.device_actions import register_action
from backend.services import messages
from backend.text import MultiLineText

router = APIRouter(prefix="/api/v1", tags=["messages"])

register_action("reply", messages.device_reply)
register_action("read", messages.device_read)

Space = Literal["daily", "health"]
MessageId = Annotated[int, Field(ge=1, le=MAX_ID)]


class MessageCreate(BaseModel):
    """A message. Health: `recipient_ids` (people of the circle) and/or `to_beneficiary`."""

    model_config = ConfigDict(extra="forbid")
    space: Space
    # Length checked by the service (1–5000 characters once stripped), with a French answer.
    body: MultiLineText
    recipient_ids: Annotated[list[MessageId], Field(max_length=messages.MAX_RECIPIENTS)] = []
    to_beneficiary: bool = False
    reply_to_id: MessageId | None = None


class PersonOut(BaseModel):
    user_id: int
    name: str


class ReadsSummary(BaseModel):
    people: int  # how many people (other than the author) have read it
    beneficiary: bool  # read on the tablet


class MessageOut(BaseModel):
    id: int
    beneficiary_id: int
    space: Space
    body: str  # plain text, exactly as typed: never render it as HTML
    author_user_id: int | None  # None: written by the beneficiary, on the tablet
    author_name: str
    created_at: datetime
    reply_to_id: int | None
    recipients: list[PersonOut]  # health only
    to_beneficiary: bool  # health only: addressed to the beneficiary (the tablet)
    reads: ReadsSummary
    unread: bool  # for the caller

    @classmethod
    def of(cls, v: messages.MessageView) -> MessageOut:
        m = v.message
        return cls(
            id=m.id,
            beneficiary_id=m.beneficiary_id,
            space="health" if m.space == "health" else "daily",
            body=m.body,
            author_user_id=m.author_user_id,
            author_name=v.author_name,
            created_at=m.created_at,
            reply_to_id=m.reply_to_id,
            recipients=[PersonOut(user_id=i, name=n) for i, n in v.recipients],
            to_beneficiary=v.to_beneficiary,
            reads=ReadsSummary(people=v.read_by_people, beneficiary=v.read_by_beneficiary),
            unread=v.unread,
        )


class ReadOut(BaseModel):
    message_id: int
    read_at: datetime


class ReceiptOut(BaseModel):
    user_id: int | None  # None: the beneficiary, on the tablet
    name: str
    read_at: datetime


@router.post("/beneficiaries/{beneficiary_id}/messages", response_model=MessageOut, status_code=201)
def create_message(
    beneficiary_id: PathId, body: MessageCreate, user: CurrentUser, session: SessionDep, now: NowDep
) -> MessageOut:
    """Daily space: WRITE_DAILY. Health space: WRITE_HEALTH, and at least one recipient."""
    message, beneficiary = messages.create_message(
        session,
        user,
        beneficiary_id,
        space=body.space,
        body=body.body,
        recipient_ids=body.recipient_ids,
        to_beneficiary=body.to_beneficiary,
        reply_to_id=body.reply_to_id,
        now=now,
    )
    return MessageOut.of(messages.views(session, user, beneficiary, [message])[0])


@router.get("/beneficiaries/{beneficiary_id}/messages", response_model=list[MessageOut])
def list_messages(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    space: Space = "daily",
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[MessageOut]:
    """Newest first; the next page is `before_id` = the last id received. In the health space,
    only the messages the caller wrote or received."""
    found, beneficiary = messages.list_messages(
        session, user, beneficiary_id, space=space, before_id=before_id, limit=limit, now=now
    )
    return [MessageOut.of(v) for v in messages.views(session, user, beneficiary, found)]


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(
    message_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> MessageOut:
    message, beneficiary = messages.read_message(session, user, message_id, now)
    return MessageOut.of(messages.views(session, user, beneficiary, [message])[0])


@router.post("/messages/{message_id}/read", response_model=ReadOut)
def mark_read(message_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep) -> ReadOut:
    """The caller's read receipt; idempotent (the first reading's time is kept)."""
    return ReadOut(
        message_id=message_id, read_at=messages.mark_read(session, user, message_id, now)
    )


@router.get("/messages/{message_id}/reads", response_model=list[ReceiptOut])
def list_reads(
    message_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> list[ReceiptOut]:
    """Who read it, and when: for its author, and for the recipients of a health message."""
    return [
        ReceiptOut(user_id=r.user_id, name=r.name, read_at=r.read_at)
        for r in messages.reads_of(session, user, message_id, now)
    ]


@router.delete("/messages/{message_id}", status_code=204)
def delete_message(
    message_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep
) -> Response:
    """Daily: its author or the care manager. Health: its author only."""
    messages.delete_message(session, user, message_id, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
