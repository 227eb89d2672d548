"""The access-control matrix: who (actors) may call what (cases), and the status to expect.

Expected statuses are derived from `backend.policy.PERMISSIONS` for the actor's roles on
Jeanne: no person's token → 401; outside Jeanne's circle → 404; inside without the permission
→ 403; allowed → the endpoint's success status. Endpoints that document another rule (health
messages, deleting messages, receipts, the dashboard, the device protocol, managing reminders,
which a care manager may delegate) say so explicitly with their own `expect`.

`World` is everything one matrix run needs, built through the HTTP API once per test.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx2 as httpx
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from backend.models import Alert, AlertRecipient, Beneficiary, Device, User
from backend.models import Call as CallRow
from backend.policy import (
    Permission,
    Role,
    allowed,
    may_manage_reminders,
    may_view_wellbeing,
)
from backend.services import calls
from common.reminders import Reminder
from tests.api.circle_fixtures import (
    CircleSetup,
    Person,
    accept,
    build_circle,
    care_manager_of,
    create_organisation,
    invite,
    join,
    share,
)
from tests.api.factories import (
    API,
    authorize_device,
    create_event,
    device_headers,
    pair_device,
    session_of,
    state_of,
)
from tests.api.rollout_helpers import a_rollout, release_of

P = Permission
Headers = dict[str, str]

INSTRUCTIONS = "Pansement au talon gauche ; vérifier la glycémie."
CONFIDENTIAL = "Plaie du talon : signes d'infection, on adapte le traitement."
JEANNE_PLACE = {"place_name": "Paris 4e", "latitude": 48.85661, "longitude": 2.35222}
ALBERT_PLACE = {"place_name": "Lyon", "latitude": 45.764, "longitude": 4.8357}
SERIES_START = "2026-11-23T09:00:00"  # a Monday; weekly
ICS_IMPORT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kine//FR\r\nBEGIN:VEVENT\r\nUID:kine-{n}\r\n"
    "DTSTAMP:20261120T080000Z\r\nDTSTART:20261124T170000\r\nDURATION:PT30M\r\n"
    "SUMMARY:Kiné\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

_numbers = itertools.count(1)


# --- actors -----------------------------------------------------------------------------------

Kind = Literal["person", "anonymous", "device", "revoked"]


@dataclass(frozen=True)
class Actor:
    name: str
    kind: Kind
    # The actor's circle roles for Jeanne (as circle_fixtures documents them): empty = outside.
    roles: frozenset[Role] = frozenset()
    # Accounts of the care-manager kind (user.role == "care_manager"): the dashboard is theirs.
    care_manager_account: bool = False
    # Allowed by the care manager to manage Jeanne's reminders (a ReminderEditor row).
    reminder_editor: bool = False


def _person(
    name: str, *roles: Role, cm_account: bool = False, reminder_editor: bool = False
) -> Actor:
    return Actor(name, "person", frozenset(roles), cm_account, reminder_editor)


ACTORS: list[Actor] = [
    _person("care_manager", Role.CARE_MANAGER, cm_account=True),
    _person("other_care_manager", cm_account=True),  # follows Albert only
    _person("nurse", Role.HEALTH_PROFESSIONAL),  # nursing service shared + personal member
    # Invited personally as a professional; the care manager's delegate for the reminders.
    _person("doctor", Role.HEALTH_PROFESSIONAL, reminder_editor=True),
    _person("home_aide", Role.CARE_WORKER),
    _person("volunteer", Role.VOLUNTEER),
    _person("daughter", Role.FAMILY),
    _person("neighbour", Role.FRIEND),
    _person("other_family"),  # Albert's son
    _person("outsider", cm_account=True),  # a care manager with nobody in common
    Actor("anonymous", "anonymous"),
    Actor("jeanne_tablet", "device", frozenset({Role.DEVICE})),
    Actor("albert_tablet", "device"),  # paired with Albert: nothing of Jeanne's
    Actor("revoked_tablet", "revoked"),  # was Jeanne's; revoked
]
ACTOR_BY_NAME = {a.name: a for a in ACTORS}
HEALTH_READERS = {"nurse", "doctor"}  # the recipient and the author of the confidential one


def by_permission(permission: Permission, ok: int = 200) -> Callable[[Actor], int]:
    """The status the policy gives for a person's request about Jeanne."""

    def expect(actor: Actor) -> int:
        if actor.kind != "person":
            return 401  # people's endpoints: only a person's token counts
        if not actor.roles:
            return 404
        return ok if allowed(actor.roles, permission) else 403

    return expect


def manages_reminders(ok: int) -> Callable[[Actor], int]:
    """MANAGE_REMINDERS by role, or delegated by the care manager (the doctor)."""

    def expect(actor: Actor) -> int:
        if actor.kind != "person":
            return 401
        if not actor.roles:
            return 404
        return ok if may_manage_reminders(actor.roles, delegated=actor.reminder_editor) else 403

    return expect


def in_circle_then(rule: Callable[[Actor], int]) -> Callable[[Actor], int]:
    """401 without a person's token, 404 outside the circle, else `rule`."""

    def expect(actor: Actor) -> int:
        if actor.kind != "person":
            return 401
        if not actor.roles:
            return 404
        return rule(actor)

    return expect


def device_only(ok: int = 200) -> Callable[[Actor], int]:
    """The device protocol: any live tablet (it only ever serves its own beneficiary)."""

    def expect(actor: Actor) -> int:
        return ok if actor.kind == "device" else 401

    return expect


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    client: TestClient
    c: CircleSetup
    doctor: Person
    headers: dict[str, Headers]
    jeanne_tablet_id: int
    event_id: int  # weekly, with instructions
    daily_id: int  # written by the daughter
    confidential_id: int  # health: by the doctor, to the nurse only
    for_cm_id: int  # health: by the home aide, to the care manager only
    photo_id: int  # sent by the daughter
    hidden_photo_id: int  # sent by the daughter, hidden by the care manager
    reminder_id: int  # every day at 8:00 since two days ago, alert after 30 minutes
    reminder_due: str  # its last due time, ISO UTC (for the tablet's "C'est fait")

    @property
    def jeanne_id(self) -> int:
        return self.c.jeanne_id

    @property
    def albert_id(self) -> int:
        return self.c.other_beneficiary_id

    @property
    def cm(self) -> Headers:
        return self.c.care_manager.headers


def _post_ok(client: TestClient, url: str, headers: Headers, **kwargs: Any) -> dict[str, Any]:
    response = client.post(url, headers=headers, **kwargs)
    assert response.status_code in (200, 201), f"{url}: {response.status_code} {response.text}"
    result: dict[str, Any] = response.json()
    return result


def _set_place(client: TestClient, beneficiary_id: int, place: dict[str, Any]) -> None:
    with session_of(client) as session:
        beneficiary = session.get(Beneficiary, beneficiary_id)
        assert beneficiary is not None
        for key, value in place.items():
            setattr(beneficiary, key, value)
        session.commit()


def health_message(
    client: TestClient, author: Headers, beneficiary_id: int, to: list[int], body: str
) -> int:
    created = _post_ok(
        client,
        f"{API}/beneficiaries/{beneficiary_id}/messages",
        author,
        json={"space": "health", "body": body, "recipient_ids": to},
    )
    return int(created["id"])


def jpeg() -> bytes:
    """A small JPEG, different at every call (the same bytes would be a duplicate)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (32, 24), os.urandom(32 * 24 * 3)).save(out, "JPEG")
    return out.getvalue()


def upload_photo(client: TestClient, headers: Headers, beneficiary_id: int) -> int:
    created = _post_ok(
        client,
        f"{API}/beneficiaries/{beneficiary_id}/photos",
        headers,
        files=[("files", ("photo.jpg", jpeg(), "image/jpeg"))],
    )
    return int(created[0]["photo"]["id"])  # type: ignore[index]


def build_world(client: TestClient) -> World:
    c = build_circle(client)
    jeanne_id, albert_id = c.jeanne_id, c.other_beneficiary_id
    cm = care_manager_of(c.care_manager)
    doctor = join(
        client, c.care_manager, jeanne_id, "dr.morel@cabinet.test", "Dr Morel", "professional",
        "doctor",
    )  # fmt: skip
    _set_place(client, jeanne_id, JEANNE_PLACE)
    _set_place(client, albert_id, ALBERT_PLACE)

    jeanne_tablet = pair_device(client, cm, jeanne_id)
    albert_tablet = pair_device(client, care_manager_of(c.other_care_manager), albert_id)
    revoked = pair_device(client, cm, jeanne_id)
    _post_ok(client, f"{API}/devices/{revoked['device_id']}/revoke", c.care_manager.headers)

    event = create_event(
        client, cm, jeanne_id, title="Soins infirmiers", start=SERIES_START,
        rrule="FREQ=WEEKLY", instructions=INSTRUCTIONS,
    )  # fmt: skip
    daily = _post_ok(
        client,
        f"{API}/beneficiaries/{jeanne_id}/messages",
        c.daughter.headers,
        json={"space": "daily", "body": "Bonjour maman, je passe dimanche."},
    )
    confidential = health_message(client, doctor.headers, jeanne_id, [c.nurse.id], CONFIDENTIAL)
    for_cm = health_message(
        client, c.home_aide.headers, jeanne_id, [c.care_manager.id], "Transmission : fatigue."
    )
    photo = upload_photo(client, c.daughter.headers, jeanne_id)
    hidden = upload_photo(client, c.daughter.headers, jeanne_id)
    hide = client.patch(
        f"{API}/photos/{hidden}", json={"hidden": True}, headers=c.care_manager.headers
    )
    assert hide.status_code == 200, hide.text
    for person in (c.nurse, c.daughter):
        response = client.post(f"{API}/me/pin", json={"pin": "4821"}, headers=person.headers)
        assert response.status_code == 204, response.text
    reminder, reminder_due = _daily_reminder(client, c.care_manager.headers, jeanne_id)
    editor = client.put(
        f"{API}/beneficiaries/{jeanne_id}/reminders/editors/{doctor.id}",
        headers=c.care_manager.headers,
    )
    assert editor.status_code == 200, editor.text
    # Video calls: the daughter may call Jeanne, her calls open by themselves (auto-answer).
    approved = client.put(
        f"{API}/beneficiaries/{jeanne_id}/callers/{c.daughter.id}",
        json={"auto_answer": True},
        headers=c.care_manager.headers,
    )
    assert approved.status_code == 200, approved.text

    headers: dict[str, Headers] = {
        "anonymous": {},
        "jeanne_tablet": device_headers(jeanne_tablet["access_token"]),
        "albert_tablet": device_headers(albert_tablet["access_token"]),
        "revoked_tablet": device_headers(revoked["access_token"]),
        "doctor": doctor.headers,
    }
    for actor in ACTORS:
        if actor.kind == "person" and actor.name != "doctor":
            headers[actor.name] = getattr(c, actor.name).headers
    return World(
        client=client,
        c=c,
        doctor=doctor,
        headers=headers,
        jeanne_tablet_id=int(jeanne_tablet["device_id"]),
        event_id=int(event["id"]),
        daily_id=int(daily["id"]),
        confidential_id=confidential,
        for_cm_id=for_cm,
        photo_id=photo,
        hidden_photo_id=hidden,
        reminder_id=reminder,
        reminder_due=reminder_due,
    )


PARIS = ZoneInfo("Europe/Paris")


def _daily_reminder(client: TestClient, headers: Headers, beneficiary_id: int) -> tuple[int, str]:
    """A reminder every day at 8:00 (Paris) since two days ago; and its last due time."""
    start = (datetime.now(PARIS) - timedelta(days=2)).replace(
        hour=8, minute=0, second=0, microsecond=0, tzinfo=None
    )
    created = _post_ok(
        client,
        f"{API}/beneficiaries/{beneficiary_id}/reminders",
        headers,
        json={
            "title": "Médicaments du matin",
            "kind": "medication",
            "start": start.isoformat(),
            "rrule": "FREQ=DAILY",
            "escalate_after_minutes": 30,
        },
    )
    schedule = Reminder(id=0, title="", start_local=start, tz=PARIS, rrule="FREQ=DAILY")
    now = datetime.now(UTC)
    due = schedule.due_between(now - timedelta(days=1), now)[-1]
    return int(created["id"]), due.isoformat()


# --- fresh targets for destructive cases (made by the care manager, one per call) ------------


def fresh_event(w: World) -> int:
    event = create_event(w.client, care_manager_of(w.c.care_manager), w.jeanne_id, title="RDV")
    return int(event["id"])


def fresh_invitation(w: World) -> int:
    n = next(_numbers)
    created = invite(
        w.client, w.c.care_manager, w.jeanne_id, f"invite{n}@famille.test", "Cousin", "family"
    )
    return int(created["id"])


def fresh_member(w: World) -> int:
    n = next(_numbers)
    created = invite(
        w.client, w.c.care_manager, w.jeanne_id, f"member{n}@famille.test", "Cousine", "family"
    )
    response = accept(w.client, created, "Cousine")
    assert response.status_code == 200, response.text
    return int(response.json()["user_id"])


def fresh_organisation(w: World, shared: bool) -> int:
    n = next(_numbers)
    organisation = create_organisation(w.client, w.c.care_manager, f"Kiné {n}", "nursing")
    if shared:
        share(w.client, w.c.care_manager, w.jeanne_id, organisation["id"])
    return int(organisation["id"])


def fresh_device(w: World) -> int:
    return int(pair_device(w.client, care_manager_of(w.c.care_manager), w.jeanne_id)["device_id"])


def fresh_user_code(w: World) -> str:
    code: str = authorize_device(w.client)["user_code"]
    return code


def fresh_alert(w: World) -> int:
    with session_of(w.client) as session:
        alert = Alert(
            beneficiary_id=w.jeanne_id,
            kind="mood_drop",
            message="L'humeur baisse depuis une semaine.",
            created_at=datetime.now(UTC),
        )
        session.add(alert)
        session.commit()
        return alert.id


def fresh_closed_alert(w: World) -> int:
    with session_of(w.client) as session:
        now = datetime.now(UTC)
        alert = Alert(
            beneficiary_id=w.jeanne_id,
            kind="mood_drop",
            message="Le suivi demande votre attention.",
            created_at=now,
            acknowledged_at=now,
            state="closed",
        )
        session.add(alert)
        session.commit()
        return alert.id


NAMED = "neighbour"  # the person `fresh_named_alert` names (a friend: no view_alerts)


def fresh_named_alert(w: World) -> int:
    """An open alert naming the neighbour, as a reminder's watchers are named."""
    with session_of(w.client) as session:
        alert = Alert(
            beneficiary_id=w.jeanne_id,
            kind="reminder_missed",
            message="Un rappel n'a pas été confirmé pour Jeanne Martin",
            created_at=datetime.now(UTC),
        )
        session.add(alert)
        session.flush()
        session.add(AlertRecipient(alert_id=alert.id, user_id=w.c.neighbour.id))
        session.commit()
        return alert.id


def fresh_reminder(w: World, *, paused: bool = False) -> int:
    created = _post_ok(
        w.client,
        f"{_b(w)}/reminders",
        w.cm,
        json={"title": "Boire un verre d'eau", "kind": "drink", "start": "2026-12-20T15:00:00"},
    )
    if paused:
        _post_ok(w.client, f"{_b(w)}/reminders/{created['id']}/pause", w.cm)
    return int(created["id"])


def fresh_editor(w: World) -> int:
    """A new family member, allowed by the care manager to manage the reminders."""
    member = fresh_member(w)
    response = w.client.put(f"{_b(w)}/reminders/editors/{member}", headers=w.cm)
    assert response.status_code == 200, response.text
    return member


def fresh_caller(w: World) -> int:
    """A new family member the care manager approved as a caller."""
    member = fresh_member(w)
    response = w.client.put(f"{_b(w)}/callers/{member}", headers=w.cm)
    assert response.status_code == 200, response.text
    return member


def end_jeanne_calls(w: World) -> None:
    """Hang up whatever rings or runs on Jeanne's tablet (a new call would be busy)."""
    now = datetime.now(UTC)
    with session_of(w.client) as session:
        tablet = session.get(Device, w.jeanne_tablet_id)
        assert tablet is not None
        ongoing = session.scalars(
            select(CallRow.id).where(
                CallRow.beneficiary_id == w.jeanne_id, CallRow.state != "ended"
            )
        ).all()
        for call_id in ongoing:
            calls.hang_up(session, calls.tablet(tablet), call_id, "hangup", now)
        session.commit()


def fresh_call(w: World) -> int:
    """A call from the daughter, ringing on Jeanne's tablet."""
    end_jeanne_calls(w)
    with session_of(w.client) as session:
        daughter = session.get(User, w.c.daughter.id)
        assert daughter is not None
        started = calls.start_from_console(
            session, state_of(w.client).settings, daughter, w.jeanne_id, datetime.now(UTC)
        )
        session.commit()
        return int(started["call"]["id"])


def _placed_by_tablet(w: World, h: Headers) -> httpx.Response:
    """The tablet calls the daughter; the call is hung up after (the next one is not busy)."""
    end_jeanne_calls(w)
    try:
        return w.client.post(f"{API}/device/calls", json={"user_id": w.c.daughter.id}, headers=h)
    finally:
        end_jeanne_calls(w)


def fresh_daily_by_daughter(w: World) -> int:
    created = _post_ok(
        w.client,
        f"{API}/beneficiaries/{w.jeanne_id}/messages",
        w.c.daughter.headers,
        json={"space": "daily", "body": "À supprimer."},
    )
    return int(created["id"])


def fresh_photo(w: World) -> int:
    return upload_photo(w.client, w.c.daughter.headers, w.jeanne_id)


def fresh_confidential(w: World) -> int:
    return health_message(w.client, w.doctor.headers, w.jeanne_id, [w.c.nurse.id], "Temp.")


# --- cases ------------------------------------------------------------------------------------

Call = Callable[[World, Headers], httpx.Response]
Check = Callable[[World, Actor, httpx.Response], str | None]


@dataclass(frozen=True)
class Case:
    name: str  # "GET /beneficiaries/{id}/messages?space=health"
    call: Call
    expect: Callable[[Actor], int]
    check: Check | None = None  # on a 2xx answer: what it must (not) contain


def _action(w: World, h: Headers, action_type: str, data: dict[str, Any]) -> httpx.Response:
    key = f"matrix-{next(_numbers):06d}"
    return w.client.post(
        f"{API}/device/actions",
        json={"type": action_type, "data": data},
        headers={**h, "Idempotency-Key": key},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _ids(response: httpx.Response) -> set[int]:
    return {int(item["id"]) for item in response.json()}


# Checks of what a 2xx answer shows.


def check_instructions(w: World, actor: Actor, response: httpx.Response) -> str | None:
    body = response.json()
    events = body if isinstance(body, list) else [body]
    shown = {e["id"]: e["instructions"] for e in events}
    if w.event_id not in shown:
        return "the weekly event is missing"
    wanted = INSTRUCTIONS if allowed(actor.roles, P.VIEW_INSTRUCTIONS) else None
    if shown[w.event_id] != wanted:
        return f"instructions {shown[w.event_id]!r}, expected {wanted!r}"
    return None


def check_beneficiary_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    listed = w.jeanne_id in _ids(response)
    if listed != bool(actor.roles):
        return f"Jeanne listed: {listed}, expected {bool(actor.roles)}"
    return None


def check_circle_emails(w: World, actor: Actor, response: httpx.Response) -> str | None:
    body = response.json()
    people = [body["care_manager"], *body["members"]]
    people += [s for o in body["organisations"] for s in o["staff"]]
    with_email = {p["email"] is not None for p in people}
    wanted = {allowed(actor.roles, P.MANAGE_CIRCLE)}
    if with_email != wanted:
        return f"e-mail shown: {with_email}, expected {wanted}"
    return None


def check_health_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    ids = _ids(response)
    wanted = actor.name in HEALTH_READERS
    if (w.confidential_id in ids) != wanted:
        return f"confidential health message listed: {not wanted}, expected {wanted}"
    if (w.for_cm_id in ids) != (actor.name in {"care_manager", "home_aide"}):
        return "health message to the care manager: wrong visibility"
    return None


def check_daily_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    ids = _ids(response)
    if w.daily_id not in ids:
        return "the daughter's daily message is missing"
    if ids & {w.confidential_id, w.for_cm_id}:
        return "a health message is listed in the daily space"
    return None


def check_photo_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    ids = _ids(response)
    if w.photo_id not in ids:
        return "the daughter's photo is missing"
    wanted = actor.name == "daughter" or allowed(actor.roles, P.MODERATE_PHOTOS)
    if (w.hidden_photo_id in ids) != wanted:
        return f"hidden photo listed: {not wanted}, expected {wanted}"
    return None


def check_dashboard(w: World, actor: Actor, response: httpx.Response) -> str | None:
    listed = w.jeanne_id in {row["beneficiary_id"] for row in response.json()}
    wanted = allowed(actor.roles, P.MANAGE_DEVICES)
    if listed != wanted:
        return f"Jeanne on the dashboard: {listed}, expected {wanted}"
    return None


def check_sync(w: World, actor: Actor, response: httpx.Response) -> str | None:
    body = response.json()
    own = w.jeanne_id if actor.name == "jeanne_tablet" else w.albert_id
    if body["beneficiary"]["id"] != own:
        return f"synced beneficiary {body['beneficiary']['id']}, expected {own}"
    events = {e["id"] for e in body["upserts"].get("events", [])}
    messages = {m["id"] for m in body["upserts"].get("messages", [])}
    if actor.name == "albert_tablet" and (
        w.event_id in events or w.daily_id in messages or "Jeanne" in response.text
    ):
        return "Albert's tablet received Jeanne's data"
    if actor.name == "jeanne_tablet":
        if w.event_id not in events or w.daily_id not in messages:
            return "Jeanne's tablet lacks her event or her daily message"
        if messages & {w.confidential_id, w.for_cm_id} or CONFIDENTIAL in response.text:
            return "a health message not addressed to Jeanne reached her tablet"
        photos = {p["id"] for p in body["upserts"].get("photos", [])}
        if w.photo_id not in photos or w.hidden_photo_id in photos:
            return f"photos synced {sorted(photos)}: want the visible one, not the hidden one"
    reminders = {r["id"] for r in body["upserts"].get("reminders", [])}
    if (w.reminder_id in reminders) != (actor.name == "jeanne_tablet"):
        return f"Jeanne's reminder synced to {actor.name}: {w.reminder_id in reminders}"
    return None


def check_reminder_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    if w.reminder_id not in _ids(response):
        return "Jeanne's morning reminder is missing"
    return None


def check_reminder_done(w: World, actor: Actor, response: httpx.Response) -> str | None:
    # Albert's tablet confirms a reminder that is not its own: "gone", nothing recorded.
    wanted = {"confirmed", "late"} if actor.name == "jeanne_tablet" else {"gone"}
    if response.json().get("state") not in wanted:
        return f"state {response.json().get('state')!r}, expected one of {sorted(wanted)}"
    return None


def check_weather(w: World, actor: Actor, response: httpx.Response) -> str | None:
    place = JEANNE_PLACE if actor.name == "jeanne_tablet" else ALBERT_PLACE
    if actor.kind == "person":
        place = JEANNE_PLACE
    if response.json()["location"] != place["place_name"]:
        return f"weather for {response.json()['location']!r}, expected {place['place_name']!r}"
    return None


def _b(w: World) -> str:
    return f"{API}/beneficiaries/{w.jeanne_id}"


def _health_reader(ok: int) -> Callable[[Actor], int]:
    # Only its recipient (the nurse) and its author (the doctor): 404 for anyone else,
    # the care manager included (docs/access.md).
    return in_circle_then(lambda a: ok if a.name in HEALTH_READERS else 404)


def _health_reply(actor: Actor) -> int:
    """Replying needs WRITE_HEALTH and being able to read the original: to anyone else the
    original does not exist (422 « introuvable », as for an unknown id)."""
    if not allowed(actor.roles, P.WRITE_HEALTH):
        return 403
    return 201 if actor.name in HEALTH_READERS else 422


def _daily_delete(actor: Actor) -> int:
    return 204 if actor.name == "daughter" or Role.CARE_MANAGER in actor.roles else 403


def _health_delete(actor: Actor) -> int:
    if actor.name == "doctor":
        return 204
    return 403 if actor.name == "nurse" else 404  # the recipient may read it, not delete it


def _daily_reads(actor: Actor) -> int:
    if not allowed(actor.roles, P.READ_DAILY):
        return 403
    return 200 if actor.name == "daughter" else 403  # its author only


def _sender_or_moderator(ok: int) -> Callable[[Actor], int]:
    """Caption, hide, delete: the sender (the daughter) or MODERATE_PHOTOS; else 403."""

    def rule(actor: Actor) -> int:
        if actor.name == "daughter" or allowed(actor.roles, P.MODERATE_PHOTOS):
            return ok
        return 403

    return rule


def _hidden_photo(actor: Actor) -> int:
    if not allowed(actor.roles, P.VIEW_PHOTOS):
        return 403
    if actor.name == "daughter" or allowed(actor.roles, P.MODERATE_PHOTOS):
        return 200
    return 404  # hidden from them: as if it did not exist


def _dashboard(actor: Actor) -> int:
    if actor.kind != "person":
        return 401
    return 200 if actor.care_manager_account else 403


def _tablet_pin(person: str) -> Callable[[Actor], int]:
    """A visit recorded on a tablet with `person`'s PIN: RECORD_VISIT of that person for the
    tablet's own beneficiary (the nurse has no role for Albert)."""
    roles = {"nurse": {Role.HEALTH_PROFESSIONAL}, "daughter": {Role.FAMILY}}[person]

    def expect(actor: Actor) -> int:
        if actor.kind != "device":
            return 401
        on_own = roles if actor.name == "jeanne_tablet" else set()
        return 200 if allowed(on_own, P.RECORD_VISIT) else 403

    return expect


def _jeanne_tablet_only(actor: Actor) -> int:
    if actor.kind != "device":
        return 401
    return 200 if actor.name == "jeanne_tablet" else 404


def _jeanne_tablet_only_created(actor: Actor) -> int:
    return 201 if _jeanne_tablet_only(actor) == 200 else _jeanne_tablet_only(actor)


def _tablet_places_call(actor: Actor) -> int:
    """Jeanne's tablet calls an approved caller; for Albert's she is not one (403)."""
    if actor.kind != "device":
        return 401
    return 201 if actor.name == "jeanne_tablet" else 403


def _never_for_tablets(actor: Actor) -> int:
    return 401 if actor.kind != "device" else 404


def _professional_messages(w: World, h: Headers, pin: str) -> httpx.Response:
    if pin == "5937":
        set_pin = w.client.post(f"{API}/me/pin", json={"pin": pin}, headers=w.doctor.headers)
        assert set_pin.status_code == 204, set_pin.text
    return w.client.post(f"{API}/device/professional/messages", json={"pin": pin}, headers=h)


def _professional_pin(ok: int) -> Callable[[Actor], int]:
    """Jeanne's tablet knows the people of Jeanne's circle; Albert's knows none of them (a
    wrong PIN there, 403); anything but a live tablet's credential is 401."""

    def expect(actor: Actor) -> int:
        if actor.kind != "device":
            return 401
        return ok if actor.name == "jeanne_tablet" else 403

    return expect


def _check_no_confidential(w: World, actor: Actor, response: httpx.Response) -> str | None:
    if CONFIDENTIAL in response.text:
        return "a health message not addressed to the professional was answered"
    if response.json()["professional"]["user_id"] != w.doctor.id:
        return "the PIN identified someone else"
    return None


def _last_hour() -> str:
    """The start of the last completed hour (a tablet's touch counts)."""
    return (
        datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    ).isoformat()


def _while_paused(path: Callable[[World], str]) -> Call:
    """The request while Jeanne has paused the sharing of her mood (set, then set back: the
    other cases see the world as built)."""

    def call(w: World, h: Headers) -> httpx.Response:
        _pause(w, datetime.now(UTC))
        try:
            return w.client.get(path(w), headers=h)
        finally:
            _pause(w, None)

    return call


def _pause(w: World, since: datetime | None) -> None:
    with session_of(w.client) as session:
        jeanne = session.get(Beneficiary, w.jeanne_id)
        assert jeanne is not None
        jeanne.mood_sharing_paused_at = since
        session.commit()


def _moods_while_paused(actor: Actor) -> int:
    return 200 if may_view_wellbeing(actor.roles, mood_sharing_paused=True) else 403


def check_audit(w: World, actor: Actor, response: httpx.Response) -> str | None:
    entries = response.json()["entries"]
    if not entries:
        return "the audit log of Jeanne is empty"
    if CONFIDENTIAL in response.text:
        return "the audit log shows a health message's text"
    return None


def _alert_viewer(actor: Actor) -> int:
    """An alert that names no one: its care managers (view_alerts) only; to anyone else in the
    circle it does not exist (404, like a health message not addressed to them)."""
    return 200 if allowed(actor.roles, P.VIEW_ALERTS) else 404


def _named_alert_viewer(actor: Actor) -> int:
    """An alert naming the neighbour: the care managers and the neighbour."""
    return 200 if allowed(actor.roles, P.VIEW_ALERTS) or actor.name == NAMED else 404


def check_alert_list(w: World, actor: Actor, response: httpx.Response) -> str | None:
    """Without view_alerts, only the alerts that name the caller."""
    unnamed = {
        a["id"] for a in response.json() if a["beneficiary_id"] == w.jeanne_id and not a["named"]
    }
    if unnamed and not allowed(actor.roles, P.VIEW_ALERTS):
        return f"lists Jeanne's alerts {sorted(unnamed)} without view_alerts nor being named"
    return None


def _get(path: Callable[[World], str], **params: Any) -> Call:
    return lambda w, h: w.client.get(path(w), params=params, headers=h)


CASES: list[Case] = [
    # beneficiary
    Case(
        "GET /beneficiaries",
        _get(lambda w: f"{API}/beneficiaries"),
        lambda a: 200 if a.kind == "person" else 401,  # anyone's own list; Jeanne only in hers
        check_beneficiary_list,
    ),
    Case("GET /beneficiaries/{id}", _get(_b), by_permission(P.VIEW_BENEFICIARY)),
    Case(
        "PATCH /beneficiaries/{id}",
        lambda w, h: w.client.patch(_b(w), json={"first_name": "Jeanne"}, headers=h),
        by_permission(P.EDIT_BENEFICIARY),
    ),
    # circle
    Case(
        "GET /beneficiaries/{id}/circle",
        _get(lambda w: f"{_b(w)}/circle"),
        by_permission(P.VIEW_CIRCLE),
        check_circle_emails,
    ),
    Case(
        "DELETE /beneficiaries/{id}/members/{user_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/members/{fresh_member(w)}", headers=h),
        by_permission(P.MANAGE_CIRCLE, 204),
    ),
    # invitations
    Case(
        "POST /beneficiaries/{id}/invitations",
        lambda w, h: w.client.post(
            f"{_b(w)}/invitations",
            json={"email": f"x{next(_numbers)}@ami.test", "name": "Ami", "relation": "friend"},
            headers=h,
        ),
        by_permission(P.MANAGE_CIRCLE, 201),
    ),
    Case(
        "GET /beneficiaries/{id}/invitations",
        _get(lambda w: f"{_b(w)}/invitations"),
        by_permission(P.MANAGE_CIRCLE),
    ),
    Case(
        "DELETE /beneficiaries/{id}/invitations/{invitation_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/invitations/{fresh_invitation(w)}", headers=h),
        by_permission(P.MANAGE_CIRCLE, 204),
    ),
    # organisation shares
    Case(
        "POST /beneficiaries/{id}/shares",
        lambda w, h: w.client.post(
            f"{_b(w)}/shares", json={"organisation_id": fresh_organisation(w, False)}, headers=h
        ),
        by_permission(P.MANAGE_CIRCLE, 201),
    ),
    Case(
        "DELETE /beneficiaries/{id}/shares/{organisation_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/shares/{fresh_organisation(w, True)}", headers=h),
        by_permission(P.MANAGE_CIRCLE, 204),
    ),
    # devices
    Case(
        "GET /beneficiaries/{id}/devices",
        _get(lambda w: f"{_b(w)}/devices"),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "POST /devices/approve",
        lambda w, h: w.client.post(
            f"{API}/devices/approve",
            json={"user_code": fresh_user_code(w), "beneficiary_id": w.jeanne_id},
            headers=h,
        ),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "POST /devices/{device_id}/revoke",
        lambda w, h: w.client.post(f"{API}/devices/{fresh_device(w)}/revoke", headers=h),
        by_permission(P.MANAGE_DEVICES),
    ),
    # device configuration and status
    Case(
        "GET /devices/{device_id}/config",
        _get(lambda w: f"{API}/devices/{w.jeanne_tablet_id}/config"),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "PUT /devices/{device_id}/config",
        lambda w, h: w.client.put(
            f"{API}/devices/{w.jeanne_tablet_id}/config",
            json={"document": {"font_scale": 1.2}},
            headers=h,
        ),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "GET /devices/{device_id}/status",
        _get(lambda w: f"{API}/devices/{w.jeanne_tablet_id}/status"),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "POST /device/status",
        lambda w, h: w.client.post(
            f"{API}/device/status", json={"app_version": "0.1.0", "outbox_pending": 0}, headers=h
        ),
        device_only(204),
    ),
    # The tablet's health and signs of life (issue 16).
    Case(
        "POST /device/status {health and touches}",
        lambda w, h: w.client.post(
            f"{API}/device/status",
            json={
                "app_version": "0.1.0",
                "outbox_pending": 0,
                "screen_on": True,
                "touches": [{"hour": _last_hour(), "count": 3}],
            },
            headers=h,
        ),
        device_only(204),
    ),
    Case(
        "GET /devices/{device_id}/health",
        _get(lambda w: f"{API}/devices/{w.jeanne_tablet_id}/health"),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "GET /beneficiaries/{id}/signs-of-life",
        _get(lambda w: f"{_b(w)}/signs-of-life"),
        by_permission(P.MANAGE_DEVICES),
    ),
    Case(
        "PUT /beneficiaries/{id}/signs-of-life",
        lambda w, h: w.client.put(f"{_b(w)}/signs-of-life", json={}, headers=h),
        by_permission(P.MANAGE_DEVICES),
    ),
    # events
    Case(
        "GET /beneficiaries/{id}/events",
        _get(lambda w: f"{_b(w)}/events"),
        by_permission(P.VIEW_AGENDA),
        check_instructions,
    ),
    Case(
        "GET /beneficiaries/{id}/occurrences",
        _get(
            lambda w: f"{_b(w)}/occurrences",
            start="2026-11-23T00:00:00+01:00",
            end="2026-12-23T00:00:00+01:00",
        ),
        by_permission(P.VIEW_AGENDA),
    ),
    Case(
        "GET /events/{event_id}",
        _get(lambda w: f"{API}/events/{w.event_id}"),
        by_permission(P.VIEW_AGENDA),
        check_instructions,
    ),
    Case(
        "POST /beneficiaries/{id}/events",
        lambda w, h: w.client.post(
            f"{_b(w)}/events",
            json={"title": "Coiffeur", "start": "2026-11-26T14:00:00", "duration_minutes": 45},
            headers=h,
        ),
        by_permission(P.EDIT_AGENDA, 201),
    ),
    Case(
        "PATCH /events/{event_id}",
        lambda w, h: w.client.patch(
            f"{API}/events/{w.event_id}", json={"title": "Soins infirmiers (matin)"}, headers=h
        ),
        by_permission(P.EDIT_AGENDA),
    ),
    Case(
        "PUT /events/{event_id}/occurrences/{start}",
        lambda w, h: w.client.put(
            f"{API}/events/{w.event_id}/occurrences/2026-11-30T09:00:00",
            json={"start": "2026-11-30T10:00:00"},
            headers=h,
        ),
        by_permission(P.EDIT_AGENDA),
    ),
    Case(
        "DELETE /events/{event_id}/occurrences/{start}",
        lambda w, h: w.client.delete(
            f"{API}/events/{w.event_id}/occurrences/2026-12-07T09:00:00", headers=h
        ),
        by_permission(P.EDIT_AGENDA, 204),
    ),
    Case(
        "DELETE /events/{event_id}",
        lambda w, h: w.client.delete(f"{API}/events/{fresh_event(w)}", headers=h),
        by_permission(P.EDIT_AGENDA, 204),
    ),
    # ICS feed and import
    Case(
        "POST /beneficiaries/{id}/ics-feed",
        lambda w, h: w.client.post(f"{_b(w)}/ics-feed", headers=h),
        by_permission(P.EDIT_AGENDA, 201),
    ),
    Case(
        "DELETE /beneficiaries/{id}/ics-feed",
        lambda w, h: w.client.delete(f"{_b(w)}/ics-feed", headers=h),
        by_permission(P.EDIT_AGENDA, 204),
    ),
    Case(
        "POST /beneficiaries/{id}/ics-import",
        lambda w, h: w.client.post(
            f"{_b(w)}/ics-import",
            files={
                "file": (
                    "kine.ics",
                    ICS_IMPORT.format(n=next(_numbers)).encode(),
                    "text/calendar",
                )
            },
            headers=h,
        ),
        by_permission(P.EDIT_AGENDA),
    ),
    # daily messages
    Case(
        "GET /beneficiaries/{id}/messages?space=daily",
        _get(lambda w: f"{_b(w)}/messages", space="daily"),
        by_permission(P.READ_DAILY),
        check_daily_list,
    ),
    Case(
        "POST /beneficiaries/{id}/messages space=daily",
        lambda w, h: w.client.post(
            f"{_b(w)}/messages", json={"space": "daily", "body": "Bonne journée !"}, headers=h
        ),
        by_permission(P.WRITE_DAILY, 201),
    ),
    Case(
        "GET /messages/{daily_id}",
        _get(lambda w: f"{API}/messages/{w.daily_id}"),
        by_permission(P.READ_DAILY),
    ),
    Case(
        "POST /messages/{daily_id}/read",
        lambda w, h: w.client.post(f"{API}/messages/{w.daily_id}/read", headers=h),
        by_permission(P.READ_DAILY),
    ),
    Case(
        "GET /messages/{daily_id}/reads",
        _get(lambda w: f"{API}/messages/{w.daily_id}/reads"),
        in_circle_then(_daily_reads),  # its author only
    ),
    Case(
        "DELETE /messages/{daily_id}",
        lambda w, h: w.client.delete(f"{API}/messages/{fresh_daily_by_daughter(w)}", headers=h),
        in_circle_then(_daily_delete),  # its author or the care manager
    ),
    # health messages
    Case(
        "GET /beneficiaries/{id}/messages?space=health",
        # Any role may be a recipient: the list is open to the circle, filtered per reader.
        _get(lambda w: f"{_b(w)}/messages", space="health"),
        by_permission(P.VIEW_BENEFICIARY),
        check_health_list,
    ),
    Case(
        "GET /messages/{health_id}",
        _get(lambda w: f"{API}/messages/{w.confidential_id}"),
        _health_reader(200),
    ),
    Case(
        "GET /messages/{health_id}/reads",
        _get(lambda w: f"{API}/messages/{w.confidential_id}/reads"),
        _health_reader(200),
    ),
    Case(
        "POST /messages/{health_id}/read",
        lambda w, h: w.client.post(f"{API}/messages/{w.confidential_id}/read", headers=h),
        _health_reader(200),
    ),
    Case(
        "DELETE /messages/{health_id}",
        lambda w, h: w.client.delete(f"{API}/messages/{fresh_confidential(w)}", headers=h),
        in_circle_then(_health_delete),  # its author only
    ),
    Case(
        "POST /beneficiaries/{id}/messages space=health",
        lambda w, h: w.client.post(
            f"{_b(w)}/messages",
            json={"space": "health", "body": "Tension 13/8.", "to_beneficiary": True},
            headers=h,
        ),
        by_permission(P.WRITE_HEALTH, 201),
    ),
    Case(
        "POST /beneficiaries/{id}/messages space=health to Albert's son",
        # A recipient must be in Jeanne's circle: refused, never delivered.
        lambda w, h: w.client.post(
            f"{_b(w)}/messages",
            json={"space": "health", "body": "Pour info.", "recipient_ids": [w.c.other_family.id]},
            headers=h,
        ),
        by_permission(P.WRITE_HEALTH, 422),
    ),
    Case(
        "POST /beneficiaries/{id}/messages space=health reply_to {health to the nurse}",
        lambda w, h: w.client.post(
            f"{_b(w)}/messages",
            json={
                "space": "health",
                "body": "Bien reçu.",
                "to_beneficiary": True,
                "reply_to_id": w.confidential_id,
            },
            headers=h,
        ),
        in_circle_then(_health_reply),
    ),
    # well-being
    Case(
        "GET /beneficiaries/{id}/wellbeing",
        _get(lambda w: f"{_b(w)}/wellbeing"),
        by_permission(P.VIEW_WELLBEING),
    ),
    Case(
        "GET /beneficiaries/{id}/wellbeing/weekly",
        _get(lambda w: f"{_b(w)}/wellbeing/weekly"),
        by_permission(P.VIEW_WELLBEING),
    ),
    # The beneficiary paused "Partager mon humeur" on the tablet: family and friends no longer
    # see moods nor trends; the others still do (backend.policy.may_view_wellbeing).
    Case(
        "GET /beneficiaries/{id}/wellbeing {mood sharing paused}",
        _while_paused(lambda w: f"{_b(w)}/wellbeing"),
        in_circle_then(_moods_while_paused),
    ),
    Case(
        "GET /beneficiaries/{id}/wellbeing/weekly {mood sharing paused}",
        _while_paused(lambda w: f"{_b(w)}/wellbeing/weekly"),
        in_circle_then(_moods_while_paused),
    ),
    Case(
        "GET /beneficiaries/{id}/mood-sharing",
        _get(lambda w: f"{_b(w)}/mood-sharing"),
        by_permission(P.VIEW_WELLBEING),
    ),
    # Family engagement and the audit log (the care manager's).
    Case(
        "GET /beneficiaries/{id}/engagement",
        _get(lambda w: f"{_b(w)}/engagement"),
        by_permission(P.MANAGE_CIRCLE),
    ),
    Case(
        "PUT /beneficiaries/{id}/engagement/nudges/{user_id}",
        lambda w, h: w.client.put(
            f"{_b(w)}/engagement/nudges/{w.c.daughter.id}", json={"after_days": None}, headers=h
        ),
        by_permission(P.MANAGE_CIRCLE),
    ),
    Case(
        "GET /beneficiaries/{id}/audit",
        _get(lambda w: f"{_b(w)}/audit"),
        by_permission(P.VIEW_AUDIT),
        check_audit,
    ),
    Case(
        "POST /beneficiaries/{id}/wellbeing/readings",
        lambda w, h: w.client.post(
            f"{_b(w)}/wellbeing/readings", json={"score": 4, "note": "Souriante."}, headers=h
        ),
        by_permission(P.RECORD_READING, 201),
    ),
    Case(
        "GET /beneficiaries/{id}/alerts",
        _get(lambda w: f"{_b(w)}/alerts"),
        by_permission(P.VIEW_ALERTS),
    ),
    Case(
        "POST /alerts/{alert_id}/acknowledge",
        lambda w, h: w.client.post(f"{API}/alerts/{fresh_alert(w)}/acknowledge", headers=h),
        by_permission(P.VIEW_ALERTS),
    ),
    # alerts (issue 15): whoever sees an alert may take, close and reopen it
    Case(
        "GET /alerts",
        _get(lambda w: f"{API}/alerts"),
        lambda a: 200 if a.kind == "person" else 401,  # anyone's own list
        check_alert_list,
    ),
    Case(
        "GET /alerts/{alert_id}",
        lambda w, h: w.client.get(f"{API}/alerts/{fresh_alert(w)}", headers=h),
        in_circle_then(_alert_viewer),
    ),
    Case(
        "GET /alerts/{alert_id} (naming the neighbour)",
        lambda w, h: w.client.get(f"{API}/alerts/{fresh_named_alert(w)}", headers=h),
        in_circle_then(_named_alert_viewer),
    ),
    Case(
        "POST /alerts/{alert_id}/take",
        lambda w, h: w.client.post(f"{API}/alerts/{fresh_alert(w)}/take", headers=h),
        in_circle_then(_alert_viewer),
    ),
    Case(
        "POST /alerts/{alert_id}/take (naming the neighbour)",
        lambda w, h: w.client.post(f"{API}/alerts/{fresh_named_alert(w)}/take", headers=h),
        in_circle_then(_named_alert_viewer),
    ),
    Case(
        "POST /alerts/{alert_id}/close",
        lambda w, h: w.client.post(
            f"{API}/alerts/{fresh_alert(w)}/close", json={"note": "Appelée"}, headers=h
        ),
        in_circle_then(_alert_viewer),
    ),
    Case(
        "POST /alerts/{alert_id}/reopen",
        lambda w, h: w.client.post(f"{API}/alerts/{fresh_closed_alert(w)}/reopen", headers=h),
        in_circle_then(_alert_viewer),
    ),
    # visits
    Case(
        "POST /beneficiaries/{id}/visits/arrival",
        lambda w, h: w.client.post(f"{_b(w)}/visits/arrival", headers=h),
        by_permission(P.RECORD_VISIT, 201),
    ),
    Case(
        "POST /beneficiaries/{id}/visits/departure",  # after this actor's arrival above
        lambda w, h: w.client.post(f"{_b(w)}/visits/departure", headers=h),
        by_permission(P.RECORD_VISIT),
    ),
    Case(
        "GET /beneficiaries/{id}/visits",
        _get(lambda w: f"{_b(w)}/visits"),
        by_permission(P.VIEW_VISITS),
    ),
    Case(
        "PUT /beneficiaries/{id}/visits/absence",  # why the series' first visit did not happen
        lambda w, h: w.client.put(
            f"{_b(w)}/visits/absence",
            json={
                "event_id": w.event_id,
                "occurrence_start": f"{SERIES_START}+01:00",
                "reason": "cancelled",
            },
            headers=h,
        ),
        by_permission(P.RECORD_VISIT),
    ),
    Case(
        "DELETE /beneficiaries/{id}/visits/absence",  # the reason this actor gave just above
        lambda w, h: w.client.delete(
            f"{_b(w)}/visits/absence",
            params={"event_id": w.event_id, "occurrence_start": f"{SERIES_START}+01:00"},
            headers=h,
        ),
        by_permission(P.RECORD_VISIT, 204),
    ),
    # reminders: read with VIEW_REMINDERS; written with MANAGE_REMINDERS or the care manager's
    # delegation (the doctor); delegations granted and revoked by the care manager alone
    Case(
        "GET /beneficiaries/{id}/reminders",
        _get(lambda w: f"{_b(w)}/reminders"),
        by_permission(P.VIEW_REMINDERS),
        check_reminder_list,
    ),
    Case(
        "POST /beneficiaries/{id}/reminders",
        lambda w, h: w.client.post(
            f"{_b(w)}/reminders",
            json={
                "title": "Rendez-vous chez le dentiste",
                "kind": "appointment",
                "start": "2026-12-21T09:30:00",
            },
            headers=h,
        ),
        manages_reminders(201),
    ),
    Case(
        "GET /beneficiaries/{id}/reminders/{reminder_id}",
        _get(lambda w: f"{_b(w)}/reminders/{w.reminder_id}"),
        by_permission(P.VIEW_REMINDERS),
    ),
    Case(
        "PATCH /beneficiaries/{id}/reminders/{reminder_id}",
        lambda w, h: w.client.patch(
            f"{_b(w)}/reminders/{w.reminder_id}", json={"repeat_count": 2}, headers=h
        ),
        manages_reminders(200),
    ),
    Case(
        "POST /beneficiaries/{id}/reminders/{reminder_id}/pause",
        lambda w, h: w.client.post(f"{_b(w)}/reminders/{fresh_reminder(w)}/pause", headers=h),
        manages_reminders(200),
    ),
    Case(
        "POST /beneficiaries/{id}/reminders/{reminder_id}/resume",
        lambda w, h: w.client.post(
            f"{_b(w)}/reminders/{fresh_reminder(w, paused=True)}/resume", headers=h
        ),
        manages_reminders(200),
    ),
    Case(
        "DELETE /beneficiaries/{id}/reminders/{reminder_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/reminders/{fresh_reminder(w)}", headers=h),
        manages_reminders(204),
    ),
    Case(
        "GET /beneficiaries/{id}/reminders/adherence",
        _get(lambda w: f"{_b(w)}/reminders/adherence", weeks=2),
        by_permission(P.VIEW_REMINDERS),
    ),
    Case(
        "GET /beneficiaries/{id}/reminders/editors",
        _get(lambda w: f"{_b(w)}/reminders/editors"),
        by_permission(P.VIEW_REMINDERS),
    ),
    Case(
        "PUT /beneficiaries/{id}/reminders/editors/{user_id}",
        lambda w, h: w.client.put(f"{_b(w)}/reminders/editors/{fresh_member(w)}", headers=h),
        by_permission(P.MANAGE_REMINDERS),  # by role only: a delegate cannot delegate
    ),
    Case(
        "DELETE /beneficiaries/{id}/reminders/editors/{user_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/reminders/editors/{fresh_editor(w)}", headers=h),
        by_permission(P.MANAGE_REMINDERS, 204),
    ),
    # video calls: approved callers and the call log (people), the tablet's side of a call
    Case(
        "GET /beneficiaries/{id}/callers",
        _get(lambda w: f"{_b(w)}/callers"),
        by_permission(P.VIEW_CALL_LOG),
    ),
    Case(
        "PUT /beneficiaries/{id}/callers/{user_id}",
        lambda w, h: w.client.put(
            f"{_b(w)}/callers/{fresh_member(w)}", json={"auto_answer": True}, headers=h
        ),
        by_permission(P.MANAGE_CALLERS),
    ),
    Case(
        "DELETE /beneficiaries/{id}/callers/{user_id}",
        lambda w, h: w.client.delete(f"{_b(w)}/callers/{fresh_caller(w)}", headers=h),
        by_permission(P.MANAGE_CALLERS, 204),
    ),
    Case(
        "GET /beneficiaries/{id}/calls",
        _get(lambda w: f"{_b(w)}/calls"),
        by_permission(P.VIEW_CALL_LOG),
    ),
    Case("POST /device/calls {the daughter, approved}", _placed_by_tablet, _tablet_places_call),
    Case(
        "POST /device/calls/{id}/answer {the daughter's call}",
        lambda w, h: w.client.post(f"{API}/device/calls/{fresh_call(w)}/answer", headers=h),
        _jeanne_tablet_only,
    ),
    Case(
        "POST /device/calls/{id}/refuse {the daughter's call}",
        lambda w, h: w.client.post(
            f"{API}/device/calls/{fresh_call(w)}/refuse", json={"reason": "refused"}, headers=h
        ),
        _jeanne_tablet_only,
    ),
    Case(
        "POST /device/calls/{id}/hangup {the daughter's call}",
        lambda w, h: w.client.post(
            f"{API}/device/calls/{fresh_call(w)}/hangup", json={"reason": "hangup"}, headers=h
        ),
        _jeanne_tablet_only,
    ),
    Case(
        "GET /device/calls/{id}/signals {the daughter's call}",
        lambda w, h: w.client.get(f"{API}/device/calls/{fresh_call(w)}/signals", headers=h),
        _jeanne_tablet_only,
    ),
    Case(
        "POST /device/calls/{id}/signals {the daughter's call}",
        lambda w, h: w.client.post(
            f"{API}/device/calls/{fresh_call(w)}/signals",
            json={"kind": "answer", "sdp": "v=0\r\n"},
            headers=h,
        ),
        _jeanne_tablet_only_created,
    ),
    Case(
        "POST /device/actions call_auto_answer {the daughter}",
        lambda w, h: _action(
            w, h, "call_auto_answer", {"user_id": w.c.daughter.id, "declined": False}
        ),
        _jeanne_tablet_only,
    ),
    # photos
    Case(
        "POST /beneficiaries/{id}/photos",
        lambda w, h: w.client.post(
            f"{_b(w)}/photos", files=[("files", ("p.jpg", jpeg(), "image/jpeg"))], headers=h
        ),
        by_permission(P.POST_PHOTOS, 201),
    ),
    Case(
        "GET /beneficiaries/{id}/photos",
        _get(lambda w: f"{_b(w)}/photos"),
        by_permission(P.VIEW_PHOTOS),
        check_photo_list,
    ),
    Case(
        "GET /photos/{photo_id}",
        _get(lambda w: f"{API}/photos/{w.photo_id}"),
        by_permission(P.VIEW_PHOTOS),
    ),
    Case(
        "GET /photos/{photo_id}/display",
        _get(lambda w: f"{API}/photos/{w.photo_id}/display"),
        by_permission(P.VIEW_PHOTOS),
    ),
    Case(
        "GET /photos/{photo_id}/thumbnail",
        _get(lambda w: f"{API}/photos/{w.photo_id}/thumbnail"),
        by_permission(P.VIEW_PHOTOS),
    ),
    Case(
        "GET /photos/{hidden_photo_id}",
        _get(lambda w: f"{API}/photos/{w.hidden_photo_id}"),
        in_circle_then(_hidden_photo),  # its sender and the moderators only
    ),
    Case(
        "GET /photos/{hidden_photo_id}/display",
        _get(lambda w: f"{API}/photos/{w.hidden_photo_id}/display"),
        in_circle_then(_hidden_photo),
    ),
    Case(
        "PATCH /photos/{photo_id} caption",
        lambda w, h: w.client.patch(
            f"{API}/photos/{w.photo_id}", json={"caption": "Au jardin"}, headers=h
        ),
        in_circle_then(_sender_or_moderator(200)),
    ),
    Case(
        "PATCH /photos/{photo_id} hidden",
        lambda w, h: w.client.patch(
            f"{API}/photos/{fresh_photo(w)}", json={"hidden": True}, headers=h
        ),
        in_circle_then(_sender_or_moderator(200)),
    ),
    Case(
        "DELETE /photos/{photo_id}",
        lambda w, h: w.client.delete(f"{API}/photos/{fresh_photo(w)}", headers=h),
        in_circle_then(_sender_or_moderator(204)),
    ),
    Case(
        "GET /device/photos/{photo_id}/display",
        _get(lambda w: f"{API}/device/photos/{w.photo_id}/display"),
        _jeanne_tablet_only,
    ),
    Case(
        "GET /device/photos/{photo_id}/thumbnail",
        _get(lambda w: f"{API}/device/photos/{w.photo_id}/thumbnail"),
        _jeanne_tablet_only,
    ),
    Case(
        "GET /device/photos/{hidden_photo_id}/display",
        _get(lambda w: f"{API}/device/photos/{w.hidden_photo_id}/display"),
        _never_for_tablets,
    ),
    # weather and dashboard
    Case(
        "GET /beneficiaries/{id}/weather",
        _get(lambda w: f"{_b(w)}/weather"),
        by_permission(P.VIEW_BENEFICIARY),
        check_weather,
    ),
    Case("GET /dashboard", _get(lambda w: f"{API}/dashboard"), _dashboard, check_dashboard),
    # the device protocol: a tablet only ever reaches its own beneficiary
    Case(
        "GET /device/sync",
        _get(lambda w: f"{API}/device/sync"),
        device_only(),
        check_sync,
    ),
    Case(
        "GET /device/weather",
        _get(lambda w: f"{API}/device/weather"),
        device_only(),
        check_weather,
    ),
    # Updates (issue 18): a signed release is no secret, but only live tablets fetch it; a
    # tablet reports on a rollout that targets it (the operator's, to every tablet).
    Case(
        "GET /device/releases/{id}/file",
        _get(lambda w: f"{API}/device/releases/{release_of(w.client, a_rollout(w.client))}/file"),
        device_only(),
    ),
    Case(
        "POST /device/updates/report",
        lambda w, h: w.client.post(
            f"{API}/device/updates/report",
            json={"rollout_id": a_rollout(w.client), "version": "0.2.0", "outcome": "installed"},
            headers=h,
        ),
        device_only(),
    ),
    Case(
        "POST /device/actions mood",
        lambda w, h: _action(w, h, "mood", {"score": 4, "tags": [], "recorded_at": _now()}),
        device_only(),
    ),
    Case(
        "POST /device/actions checkin_answer",
        lambda w, h: _action(w, h, "checkin_answer", {"answered_at": _now(), "answer": "ok"}),
        device_only(),
    ),
    Case(
        "POST /device/actions mood_sharing",
        lambda w, h: _action(w, h, "mood_sharing", {"paused": False, "at": _now()}),
        device_only(),
    ),
    Case(
        "POST /device/actions reminder_done {Jeanne's reminder}",
        lambda w, h: _action(
            w,
            h,
            "reminder_done",
            {"reminder_id": w.reminder_id, "due_at": w.reminder_due, "confirmed_at": _now()},
        ),
        device_only(),
        check_reminder_done,
    ),
    Case(
        "POST /device/actions read {Jeanne's daily message}",
        lambda w, h: _action(w, h, "read", {"message_id": w.daily_id}),
        _jeanne_tablet_only,
    ),
    Case(
        "POST /device/actions reply {Jeanne's daily message}",
        lambda w, h: _action(w, h, "reply", {"reply_to_id": w.daily_id, "body": "Merci !"}),
        _jeanne_tablet_only,
    ),
    Case(
        "POST /device/actions read {health message to the nurse}",
        lambda w, h: _action(w, h, "read", {"message_id": w.confidential_id}),
        _never_for_tablets,
    ),
    Case(
        "POST /device/actions reply {health message to the nurse}",
        lambda w, h: _action(w, h, "reply", {"reply_to_id": w.confidential_id, "body": "Oui"}),
        _never_for_tablets,
    ),
    Case(
        "POST /device/actions arrival {nurse's PIN}",
        lambda w, h: _action(
            w, h, "arrival", {"user_id": w.c.nurse.id, "pin": "4821", "at": _now()}
        ),
        _tablet_pin("nurse"),
    ),
    Case(
        "POST /device/actions arrival {daughter's PIN}",
        lambda w, h: _action(
            w, h, "arrival", {"user_id": w.c.daughter.id, "pin": "4821", "at": _now()}
        ),
        _tablet_pin("daughter"),
    ),
    # The professionals' entry on the tablet (PIN only): the doctor's messages, never the
    # confidential one the doctor wrote to the nurse; the PIN nurse and daughter share is 409.
    Case(
        "POST /device/professional/messages {doctor's PIN}",
        lambda w, h: _professional_messages(w, h, "5937"),
        _professional_pin(200),
        _check_no_confidential,
    ),
    Case(
        "POST /device/professional/messages {PIN shared by nurse and daughter}",
        lambda w, h: _professional_messages(w, h, "4821"),
        _professional_pin(409),
    ),
]


def case_id(actor: Actor, case: Case) -> str:
    method, _, rest = case.name.partition(" ")
    return f"{actor.name}-{method}-{rest}"


# Operations outside the matrix: not about one beneficiary's data (one's own account, one's
# organisations, creating a beneficiary), or whose credential is a secret link or a pairing
# code rather than a role (invitation links, the ICS feed URL, the RFC 8628 endpoints).
NOT_IN_MATRIX = {
    "POST /auth/token",
    "GET /me",
    "PATCH /me",
    "POST /me/pin",
    "POST /beneficiaries",
    "POST /organisations",
    "GET /organisations",
    "GET /organisations/{organisation_id}",
    "POST /organisations/{organisation_id}/members",
    "DELETE /organisations/{organisation_id}/members/{user_id}",
    "GET /invitations/{token}",
    "POST /invitations/{token}/accept",
    "POST /device/authorize",
    "POST /device/token",
    "POST /devices/deny",
    "GET /ics/{filename}",
    # One's own choice of alert e-mails (like GET /me).
    "GET /me/notifications",
    "PUT /me/notifications",
}


# Known policy breaches: (actor name, case name) → reason. They are run as strict xfails
# by test_known_policy_bugs and left out of the matrix run.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def run(w: World, actor: Actor, case: Case) -> str | None:
    """None when the answer is as expected, else a one-line description of the mismatch."""
    response = case.call(w, w.headers[actor.name])
    wanted = case.expect(actor)
    if response.status_code != wanted:
        media_type = response.headers.get("content-type", "")
        shown = response.text[:200] if "json" in media_type else f"<{media_type}>"
        return f"{case_id(actor, case)}: {response.status_code} (expected {wanted}) {shown}"
    if case.check is not None and 200 <= wanted < 300:
        problem = case.check(w, actor, response)
        if problem:
            return f"{case_id(actor, case)}: {problem}"
    return None
