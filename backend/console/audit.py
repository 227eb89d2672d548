"""Who read what: the care manager's page over one beneficiary's audit log (`view_audit`),
filtered by person, kind and dates, and its CSV export (backend.services.audit). Reading the
log, on the page or as CSV, is itself logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.web import (
    SECURITY_HEADERS,
    ConsoleUser,
    Page,
    beneficiary_page,
    language,
    render,
)
from backend.errors import Invalid
from backend.models import User
from backend.policy import Permission
from backend.services import audit
from backend.text import LINE

router = APIRouter(include_in_schema=False)

Person = Annotated[str, Query(max_length=20, pattern=r"^(\d{1,10}|tablet)?$"), LINE]
Kind = Annotated[str, Query(max_length=40), LINE]
# The form sends an empty date when none is chosen.
Day = Annotated[str, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$"), LINE]


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Invalid("{field} : date et heure ISO 8601 illisibles.", field=field) from exc


@dataclass(frozen=True)
class _Asked:
    """The log of one beneficiary asked for, with its filters as typed: the page and its
    export take the same."""

    request: Request
    user: User
    session: Session
    now: datetime
    beneficiary_id: int
    person: str
    kind: str
    start: str
    end: str

    def page(self) -> Page:
        """The beneficiary, if the person may read their log (else 404 or 403)."""
        return beneficiary_page(self.session, self.user, self.beneficiary_id, Permission.VIEW_AUDIT)

    def filters(self) -> audit.Filters:
        """Read once the rights are checked: a date that is no date is a 422 to those only."""
        return audit.Filters(
            self.person, self.kind, _day(self.start, "start"), _day(self.end, "end")
        )


def _asked(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    person: Person = "",
    kind: Kind = "",
    start: Day = "",
    end: Day = "",
) -> _Asked:
    return _Asked(request, user, session, now, beneficiary_id, person, kind, start, end)


Asked = Annotated[_Asked, Depends(_asked)]


def _query(f: audit.Filters, **more: object) -> str:
    pairs = {
        "person": f.person,
        "kind": f.entity,
        "start": f.start.isoformat() if f.start else "",
        "end": f.end.isoformat() if f.end else "",
        **{k: str(v) for k, v in more.items()},
    }
    return urlencode({k: v for k, v in pairs.items() if v})


@router.get("/b/{beneficiary_id}/audit", response_class=HTMLResponse)
def audit_page(
    asked: Asked, before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Response:
    request, user, session, now = asked.request, asked.user, asked.session, asked.now
    page = asked.page()
    audit.ensure_retention_planned(session, now)
    filters = asked.filters()
    lang = language(request)
    shown, more = audit.entries(
        session, user, page.beneficiary.id, filters, page.tz, now, before_id=before_id
    )
    rows = [
        {
            "e": s,
            "who": audit.who_words(s, lang),
            "action": audit.words(s.action, audit.ACTION_WORDS, lang),
            "what": audit.words(s.entity, audit.ENTITY_WORDS, lang),
            "channel": audit.words(s.channel, audit.CHANNEL_WORDS, lang),
        }
        for s in shown
    ]
    kinds = [
        (k, audit.words(k, audit.ENTITY_WORDS, lang))
        for k in audit.kinds(session, page.beneficiary.id)
    ]
    return render(
        request,
        "audit.html",
        **page.context("tablets"),
        section="audit",
        rows=rows,
        people=audit.people(session, page.beneficiary.id),
        kinds=kinds,
        f=filters,
        query=_query(filters),
        older=_query(filters, before_id=shown[-1].id) if more and shown else None,
        retention_days=audit.RETENTION_DAYS,
        now=now,
    )


@router.get("/b/{beneficiary_id}/audit.csv")
def audit_csv(asked: Asked) -> Response:
    request, user, session, now = asked.request, asked.user, asked.session, asked.now
    page = asked.page()
    filters = asked.filters()
    lines = list(
        audit.export_csv(
            session, user, page.beneficiary.id, filters, page.tz, now, language(request)
        )
    )
    name = f"consultations-{page.beneficiary.id}-{now.astimezone(page.tz).date().isoformat()}.csv"
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    # A byte-order mark: spreadsheets open the accents right.
    return StreamingResponse(
        iter(["\ufeff", *lines]), media_type="text/csv; charset=utf-8", headers=headers
    )
