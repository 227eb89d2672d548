"""Who read what: the care manager's page over one beneficiary's audit log (`view_audit`),
filtered by person, kind and dates, and its CSV export (backend.services.audit). Reading the
log, on the page or as CSV, is itself logged."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from backend.api.deps import MAX_ID, NowDep, PathId, SessionDep
from backend.console.web import SECURITY_HEADERS, ConsoleUser, beneficiary_page, language, render
from backend.errors import Invalid
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


def _filters(person: str, kind: str, start: str, end: str) -> audit.Filters:
    return audit.Filters(person, kind, _day(start, "start"), _day(end, "end"))


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
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    person: Person = "",
    kind: Kind = "",
    start: Day = "",
    end: Day = "",
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_AUDIT)
    audit.ensure_retention_planned(session, now)
    filters = _filters(person, kind, start, end)
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
def audit_csv(
    beneficiary_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    person: Person = "",
    kind: Kind = "",
    start: Day = "",
    end: Day = "",
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.VIEW_AUDIT)
    filters = _filters(person, kind, start, end)
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
