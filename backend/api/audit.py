"""Who read what: the audit log of one beneficiary's health data (`view_audit`, the care
manager's), newest first, filtered by person, kind and dates (backend.services.audit).

- `GET /api/v1/beneficiaries/{id}/audit?person=&kind=&start=&end=&before_id=`

Reading the log is itself logged. Entries are kept one year (docs/access.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from backend.api.deps import MAX_ID, CurrentUser, NowDep, PathId, SessionDep
from backend.policy import Permission
from backend.services import access, audit
from backend.text import LINE

router = APIRouter(prefix="/api/v1", tags=["audit"])


class EntryOut(BaseModel):
    id: int
    at: datetime
    who: str
    action: str = Field(description="read, create, update, delete")
    entity: str = Field(examples=["wellbeing"])
    entity_id: int | None
    channel: str = Field(description="web (console or API), tablet, tablet_pin")


class PageOut(BaseModel):
    entries: list[EntryOut]
    more: bool
    retention_days: int


@router.get("/beneficiaries/{beneficiary_id}/audit", response_model=PageOut)
def get_audit(
    beneficiary_id: PathId,
    user: CurrentUser,
    session: SessionDep,
    now: NowDep,
    person: Annotated[str, Query(max_length=20, pattern=r"^(\d{1,10}|tablet)?$"), LINE] = "",
    kind: Annotated[str, Query(max_length=40), LINE] = "",
    start: Annotated[date | None, Query(description="local date, included")] = None,
    end: Annotated[date | None, Query(description="local date, included")] = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = audit.PAGE_SIZE,
) -> PageOut:
    """Every access to the beneficiary's health data, newest first; `before_id` pages back."""
    beneficiary = access.require(session, user, beneficiary_id, Permission.VIEW_AUDIT)
    filters = audit.Filters(person, kind, start, end)
    shown, more = audit.entries(
        session, user, beneficiary.id, filters, ZoneInfo(beneficiary.timezone), now,
        before_id=before_id, limit=limit,
    )  # fmt: skip
    return PageOut(
        entries=[EntryOut(**s.__dict__) for s in shown],
        more=more,
        retention_days=audit.RETENTION_DAYS,
    )
