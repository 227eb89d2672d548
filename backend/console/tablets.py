"""A beneficiary's tablets: how each is doing (in words, what needs a person first:
`backend.services.device_health`; and the figures: last seen, version, free disk, writes still
queued), whether the person paused the sharing of their mood, revoking one, its remote
configuration, and its updates: its channel and the hours it installs nothing
(`rollouts.set_device_preferences`, issue 18).

The care manager's other pages of issue 16 sit next to it (a second row of links): signs of
life, news from the relatives, who read what. Their routers are included in this one (merge:
list them in backend/console/__init__.py's ROUTERS instead, and remove the inclusion at the end
of this module).

The configuration form is drawn from the tablet's schema (`common.tablet_config.SETTINGS`: the
kind, numeric bounds or choices, default and French description of every key): a number gets a
number field with the schema's min, max and step, a choice a list of its choices, so a new key
appears here without a template change. The device configuration service validates and stores
it; the form only shows each key's reason next to its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from backend.api.deps import NowDep, PathId, SessionDep
from backend.console.web import (
    ConsoleUser,
    Csrf,
    Page,
    beneficiary_page,
    error_text,
    language,
    redirect,
    render,
    undo,
)
from backend.errors import Invalid, NotFound, ServiceError
from backend.models import Device, User
from backend.policy import Permission
from backend.services import consent, dashboard, device_config, device_health, pairing, rollouts
from backend.text import LINE
from common import tablet_config as schema
from common.tablet_config import Kind

router = APIRouter(include_in_schema=False)

MODULE_LABELS = {
    "agenda": "Agenda",
    "messages": "Messages",
    "photos": "Photos",
    "weather": "Météo",
    "mood": "Humeur",
}


def _managed(session: SessionDep, user: User, device_id: int) -> tuple[Device, Page]:
    """The tablet, if `user` manages its beneficiary's tablets (else 404, as the API)."""
    device = pairing.device_by_id(session, device_id)
    try:
        page = beneficiary_page(session, user, device.beneficiary_id, Permission.MANAGE_DEVICES)
    except NotFound as exc:
        raise NotFound("Tablette introuvable.") from exc
    return device, page


@router.get("/b/{beneficiary_id}/tablets", response_class=HTMLResponse)
def tablets_page(
    beneficiary_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    page = beneficiary_page(session, user, beneficiary_id, Permission.MANAGE_DEVICES)
    notice = "Réglages de mise à jour enregistrés." if request.query_params.get("updates") else None
    return _tablets(request, session, page, now, notice=notice)


def _tablets(
    request: Request,
    session: Session,
    page: Page,
    now: datetime,
    status_code: int = 200,
    *,
    error: str | None = None,
    notice: str | None = None,
    draft: dict[str, Any] | None = None,
) -> Response:
    beneficiary_id = page.beneficiary.id
    lang = language(request)
    rows: list[dict[str, Any]] = []
    for device in pairing.devices_of(session, beneficiary_id):
        seen = device.last_seen_at
        status = device_config.status_of(session, device)
        online = (
            device.revoked_at is None and seen is not None and now - seen <= dashboard.ONLINE_WITHIN
        )
        rows.append(
            {
                "device": device,
                "status": status,
                "online": online,
                "applied": device_config.applied(session, device, status, online),
                "pin_set": device_config.read(session, device).pin_set,
                "health": device_health.describe(session, device, now, lang),
                "quiet": quiet_words(device, lang),
                # The last error said from its code (an older tablet's text is shown as it was).
                "error_text": (
                    device_health.error_words(status.last_error_code, lang)[1]
                    if status is not None and status.last_error_code
                    else None
                ),
            }
        )
    # The tablets that need a person first (retired ones last).
    rows.sort(key=lambda r: (r["device"].revoked_at is not None, -r["health"].severity))
    return render(
        request,
        "tablets.html",
        status_code,
        **page.context("tablets"),
        section="tablets",
        rows=rows,
        now=now,
        mood=consent.mood_sharing(page.beneficiary),
        error=error,
        notice=notice,
        draft=draft or {},
    )


# --- updates: the tablet's channel and quiet hours (issue 18) ---------------------------------


def quiet_words(device: Device, lang: str) -> str:
    """ "Pas de mise à jour entre 21 h et 8 h" / "No update between 21:00 and 8:00"; without
    quiet hours, "Mises à jour à toute heure"."""
    start, end = device.update_quiet_start, device.update_quiet_end
    if not start or not end:
        return "Updates at any time" if lang == "en" else "Mises à jour à toute heure"

    def said(value: str) -> str:
        hours, minutes = (int(part) for part in value.split(":"))
        if lang == "en":
            return f"{hours}:{minutes:02d}"
        return f"{hours}\u00a0h" + (f"\u00a0{minutes:02d}" if minutes else "")

    if lang == "en":
        return f"No update between {said(start)} and {said(end)}"
    return f"Pas de mise à jour entre {said(start)} et {said(end)}"


@router.post("/devices/{device_id}/updates", dependencies=[Csrf])
def update_preferences(
    device_id: PathId,
    request: Request,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    channel: Annotated[str, Form(max_length=10), LINE] = "stable",
    quiet_start: Annotated[str, Form(max_length=8), LINE] = "",
    quiet_end: Annotated[str, Form(max_length=8), LINE] = "",
) -> Response:
    """The care manager chooses the tablet's channel and the hours it installs nothing
    (the rollouts service checks them and wakes the tablet's long-poll)."""
    device, page = _managed(session, user, device_id)
    if device.revoked_at is not None:
        raise Invalid("Cette tablette est révoquée.")
    try:
        rollouts.set_device_preferences(
            session,
            device,
            channel=channel,
            quiet_start=quiet_start or None,
            quiet_end=quiet_end or None,
            now=now,
        )
    except ServiceError as exc:
        undo(session, exc)
        return _tablets(
            request, session, page, now, exc.status_code,
            error=error_text(request, exc),
            draft={"device_id": device.id, "channel": channel, "quiet_start": quiet_start,
                   "quiet_end": quiet_end},
        )  # fmt: skip
    return redirect(f"/b/{device.beneficiary_id}/tablets?updates={device.id}#tablet-{device.id}")


@router.get("/devices/{device_id}/revoke", response_class=HTMLResponse)
def revoke_page(
    device_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    """Revoking wipes the tablet: this page names the person and the tablet and asks first
    (a page and a form, so it works without JavaScript)."""
    device, page = _managed(session, user, device_id)
    if device.revoked_at is not None:
        return redirect(f"/b/{device.beneficiary_id}/tablets")
    return render(request, "tablet_revoke.html", **page.context("tablets"), device=device, now=now)


@router.post("/devices/{device_id}/revoke", dependencies=[Csrf])
def revoke(
    device_id: PathId,
    user: ConsoleUser,
    session: SessionDep,
    now: NowDep,
    confirm: Annotated[str, Form(max_length=10), LINE] = "",
) -> Response:
    device, _page = _managed(session, user, device_id)
    if confirm != "yes":  # not from the confirmation page: ask there
        return redirect(f"/devices/{device_id}/revoke")
    pairing.revoke(session, device, now)
    return redirect(f"/b/{device.beneficiary_id}/tablets?revoked={device.id}")


@router.post("/devices/{device_id}/pin", dependencies=[Csrf])
def new_pin(
    device_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    """A new maintenance PIN drawn at random, shown this once (only its hash is kept)."""
    device, page = _managed(session, user, device_id)
    if device.revoked_at is not None:
        raise Invalid("Cette tablette est révoquée.")
    pin, view = device_config.set_new_pin(session, device, user, now)
    return render(
        request, "tablet_pin.html", **page.context("tablets"), device=device, pin=pin, view=view
    )


# --- configuration --------------------------------------------------------------------------


def _fields(document: dict[str, Any], errors: dict[str, str]) -> list[dict[str, Any]]:
    """Each key as the template draws it: `kind` is a `common.tablet_config.Kind` value."""
    fields = []
    for setting in schema.SETTINGS:
        value = document.get(setting.key, setting.default)
        kind = setting.kind
        field: dict[str, Any] = {
            "key": setting.key,
            "kind": kind.value,
            "description": setting.description,
            # The values allowed, under the field; a checkbox or a list of choices shows them.
            "bounds": "" if kind in _SELF_EXPLAINED else setting.bounds_text,
            "value": value,
            "error": errors.get(setting.key),
        }
        if kind is Kind.MODULE_LIST:
            chosen = [m for m in value if m in setting.choices] if isinstance(value, list) else []
            rest = [m for m in setting.choices if m not in chosen]
            field["modules"] = [
                {"name": m, "label": MODULE_LABELS.get(m, m), "on": m in chosen, "order": n + 1}
                for n, m in enumerate(chosen + rest)
            ]
            field["positions"] = len(setting.choices)
        elif kind is Kind.CHOICE:
            field["choices"] = list(setting.choices)
        elif kind in (Kind.NUMBER, Kind.INTEGER):
            field["min"], field["max"] = _plain(setting.low), _plain(setting.high)
            field["step"] = _plain(setting.step) if setting.step is not None else "any"
        elif kind is Kind.PIN:
            field["maxlength"] = _plain(setting.high)
        elif kind in (Kind.TIME_LIST, Kind.TEXT_LIST):
            items = [str(v) for v in value] if isinstance(value, list) else []
            field["text"] = "\n".join(items)
            field["rows"] = max(3, len(items) + 1)  # every item in sight
        fields.append(field)
    return fields


_SELF_EXPLAINED = (Kind.BOOL, Kind.CHOICE, Kind.MODULE_LIST)


def _plain(number: float | None) -> str:
    """A bound as HTML wants it: "0.8", "120" (a dot, no needless ".0")."""
    return "" if number is None else f"{number:g}"


def _config_page(
    request: Request,
    page: Page,
    device: Device,
    view: device_config.ConfigView,
    *,
    document: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    shown = document if document is not None else view.document
    modules = shown.get("modules") if isinstance(shown.get("modules"), list) else []
    return render(
        request,
        "tablet_config.html",
        status_code,
        **page.context("tablets"),
        device=device,
        view=view,
        fields=_fields(shown, errors or {}),
        preview=[MODULE_LABELS.get(m, m) for m in modules or []],
        error=error,
        notice=notice,
    )


@router.get("/devices/{device_id}/config", response_class=HTMLResponse)
def config_page(
    device_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, saved: bool = False
) -> Response:
    device, page = _managed(session, user, device_id)
    view = device_config.read(session, device)
    notice = "Configuration enregistrée : la tablette l'appliquera à sa prochaine synchronisation."
    return _config_page(request, page, device, view, notice=notice if saved else None)


def _lines(text: str) -> list[str]:
    """One item per line (quick replies may hold commas)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _times(text: str) -> list[str]:
    """Times one per line or separated by commas: "10:30, 16:00"."""
    return _lines(text.replace(",", "\n"))


def _number(text: str, kind: Kind) -> int | float | str:
    """A number as the schema's kind wants it ("1,3" the French way too); left as typed when
    it is not a number, for the schema to explain why."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(number) if kind is Kind.INTEGER and number.is_integer() else number


def _modules(form: FormData, names: tuple[str, ...]) -> list[str]:
    """The modules ticked, in the order of their position fields (ties: the schema's order)."""
    chosen = []
    last = float(len(names))
    for index, name in enumerate(names):
        if not form.get(f"module_{name}"):
            continue
        order = form.get(f"order_{name}")
        try:
            rank = float(order) if isinstance(order, str) and order else last
        except ValueError:
            rank = last
        chosen.append((rank, index, name))
    return [name for _, _, name in sorted(chosen)]


def document_from_form(form: FormData) -> dict[str, Any]:
    """What the form says, typed as the schema expects; the service validates it."""
    document: dict[str, Any] = {}
    for setting in schema.SETTINGS:
        key, kind = setting.key, setting.kind
        raw = form.get(key)
        text = raw.strip() if isinstance(raw, str) else ""
        if kind is Kind.MODULE_LIST:
            document[key] = _modules(form, setting.choices)
        elif kind is Kind.PIN:
            if text:  # left empty: the current PIN stays
                document[key] = text
        elif kind is Kind.BOOL:  # a checkbox: absent means no
            document[key] = bool(raw)
        elif kind is Kind.TEXT_LIST:
            document[key] = _lines(text)
        elif kind is Kind.TIME_LIST:
            document[key] = _times(text)
        elif kind in (Kind.NUMBER, Kind.INTEGER):
            document[key] = _number(text, kind)
        else:
            document[key] = text
    return document


@router.post("/devices/{device_id}/config", dependencies=[Csrf])
async def save_config(
    device_id: PathId, request: Request, user: ConsoleUser, session: SessionDep, now: NowDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_save, device_id, request, user, session, now, form)


def _save(
    device_id: int,
    request: Request,
    user: User,
    session: SessionDep,
    now: NowDep,
    form: FormData,
) -> Response:
    device, page = _managed(session, user, device_id)
    document = document_from_form(form)
    version_text = form.get("version")
    expected = (
        int(version_text) if isinstance(version_text, str) and version_text.isdigit() else None
    )
    # The schema's reasons per key, to show each next to its field; the service checks again.
    checked = {k: v for k, v in document.items() if k != device_config.PIN_KEY}
    _valid, errors = schema.validate(checked)
    try:
        if errors:
            raise Invalid("Certaines valeurs ne conviennent pas : voyez les champs signalés.")
        device_config.write(session, device, user, document, expected, now)
    except ServiceError as exc:
        undo(session, exc)
        view = device_config.read(session, device)
        return _config_page(
            request,
            page,
            device,
            view,
            document=document,
            errors=errors,
            status_code=exc.status_code,
            error=error_text(request, exc),
        )
    return redirect(f"/devices/{device_id}/config?saved=1")
