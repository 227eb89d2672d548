"""No 5xx, whatever the text: every string field of the OpenAPI schema, sent hostile.

The fields are read from the application's own schema: path and query parameters, JSON bodies
(arrays of strings included), urlencoded and multipart forms. Each field gets, one at a time,
inside an otherwise valid request: a NUL, other control characters (ESC, DEL, BEL, C1 codes),
a lone surrogate, line breaks and a tab, and a 1 MB string. The requests are made by the
people who may make them: the care manager, a family member (Sophie, Jeanne's daughter) when
the endpoint lets her, the paired tablet on /api/v1/device/*, nobody on the public ones.

On SQLite and on PostgreSQL, the walk fails on:
- any 5xx (or an exception out of the application);
- a NUL, control character or lone surrogate accepted (2xx/3xx): the text rule
  (common/text.py) refuses them in every field. A lone surrogate only exists in JSON ("\\ud800"):
  in a URL or a form its bytes arrive as U+FFFD, which is text.
- a valid request (the base every case starts from) that the schema's own validation refuses:
  the hostile value would then never have reached the code that stores it.

Cases are generated, not written: a field added to the API is walked by this test, which fails
if it lacks a valid value for a new required field or path parameter (VALUES, PATH_VALUES).
"""

from __future__ import annotations

import itertools
import json
import logging
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import select

from backend import security
from backend.app import create_app
from backend.config import Settings
from backend.models import Call, Device, User
from backend.services import alerts, calls
from backend.text import LINE, MULTILINE
from tests.api.circle_fixtures import CircleSetup, build_circle, care_manager_of, invite, token_of
from tests.api.conftest import _PgServer, pg_server  # noqa: F401 - the session's PostgreSQL
from tests.api.factories import (
    API,
    CLIENT_ID,
    DEVICE_GRANT,
    PASSWORD,
    approve,
    authorize_device,
    create_event,
    create_user,
    device_headers,
    pair_device,
)
from tests.api.rollout_helpers import a_rollout, release_of
from tests.security.hostile import TEXTS, jpeg

ONE_MEGABYTE = "é" * (1 << 19)  # 2 bytes each in UTF-8: 1 MiB
# In a URL (path, query), as long as an HTTP client sends one: httpx refuses more than 64 KB,
# and so do servers (uvicorn answers 414 far below that).
URL_LONG = "é" * 10_000  # 60 KB once percent-encoded
HOSTILE: dict[str, str] = {
    "nul": TEXTS["nul_byte"],
    "escape_del_bell": "rouge\x1b[31m fin\x7f\x07",
    "c1_controls": "avant\x85\x9b après",
    "lone_surrogate": "demi\ud800paire",
    "line_breaks_tab": "ligne\r\nsuivante\tfin",
    "one_megabyte": ONE_MEGABYTE,
}
# What the text rule refuses in every field (line breaks and tabs are text where multi-line).
REFUSED = ("nul", "escape_del_bell", "c1_controls", "lone_surrogate")
PUBLIC = {
    ("POST", f"{API}/auth/token"),
    ("POST", f"{API}/device/authorize"),
    ("POST", f"{API}/device/token"),
    ("GET", f"{API}/invitations/{{token}}"),
    ("POST", f"{API}/invitations/{{token}}/accept"),
    ("GET", f"{API}/ics/{{filename}}"),
}
# Accepted with its controls turned into spaces rather than refused, and why.
CLEANED = {
    ("POST", f"{API}/device/status"): "the tablet's own report (version, last error) is kept "
    "with control characters made spaces: a refused report would be lost",
}
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Walk//FR\r\nBEGIN:VEVENT\r\nUID:walk-1\r\n"
    "DTSTART;TZID=Europe/Paris:20261124T100000\r\nDURATION:PT30M\r\nSUMMARY:{summary}\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
METHODS = ("get", "put", "post", "patch", "delete")


# --- the schema's string fields ----------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    where: str  # path, query, json, form (urlencoded), multipart
    name: str
    array: bool = False  # a list of strings: the hostile value is its one item


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    where: str | None  # how the body is sent, None without one
    body: dict[str, Any]  # the body's schema (properties, required)
    parameters: list[dict[str, Any]]
    fields: list[TextField]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for variant in schema.get("anyOf", []):  # `X | None`: X
        resolved = _resolve(variant, components)
        if resolved.get("type") not in (None, "null"):
            return resolved
    return schema


def _string_kind(schema: dict[str, Any], components: dict[str, Any]) -> str | None:
    """The kind of a field: text, an array of texts, or None (a binary file is not text)."""
    schema = _resolve(schema, components)
    if schema.get("type") == "string":
        binary = schema.get("format") == "binary" or "contentMediaType" in schema
        return None if binary else "text"
    if schema.get("type") == "array" and _string_kind(schema.get("items", {}), components):
        return "array"
    return None


def operations() -> list[Operation]:
    with tempfile.TemporaryDirectory() as tmp:  # the schema needs no database
        schema = create_app(Settings.for_data_dir(Path(tmp)), migrate=False).openapi()
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, ops in sorted(schema["paths"].items()):
        for method, op in ops.items():
            if method not in METHODS:
                continue
            fields = []
            parameters = op.get("parameters", [])
            for p in parameters:
                kind = _string_kind(p["schema"], components)
                # Headers (Idempotency-Key, If-Match…) are not text people type, and HTTP
                # clients refuse control characters in them.
                if kind and p["in"] in ("path", "query"):
                    fields.append(TextField(p["in"], p["name"], kind == "array"))
            where, body = None, {}
            for content_type, content in op.get("requestBody", {}).get("content", {}).items():
                where = {
                    "application/json": "json",
                    "application/x-www-form-urlencoded": "form",
                    "multipart/form-data": "multipart",
                }[content_type]
                body = _resolve(content.get("schema", {}), components)
                for name, prop in body.get("properties", {}).items():
                    kind = _string_kind(prop, components)
                    if kind:
                        fields.append(TextField(where, name, kind == "array"))
            if fields:
                found.append(Operation(method.upper(), path, where, body, parameters, fields))
    return found


OPERATIONS = operations()


# --- a world to send them into -------------------------------------------------------------------


@dataclass
class World:
    client: TestClient
    circle: CircleSetup
    device_token: str
    device_id: int
    event_id: int
    photo_id: int
    feed_filename: str
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def jeanne(self) -> int:
        return self.circle.jeanne_id

    def email(self) -> str:
        return f"walk{next(self.numbers)}@foyer.test"

    def invitation_token(self) -> str:
        """A new pending invitation (accepting one uses it up)."""
        cm = self.circle.care_manager
        return token_of(invite(self.client, cm, self.jeanne, self.email(), "Invitée", "family"))

    def user_code(self) -> str:
        """A new pending pairing code (approving or denying one uses it up)."""
        return str(authorize_device(self.client)["user_code"])

    def device_code(self) -> str:
        """A new approved grant, for the tablet's token request."""
        grant = authorize_device(self.client)
        cm = care_manager_of(self.circle.care_manager)
        assert approve(self.client, cm, grant["user_code"], self.jeanne).status_code == 200
        return str(grant["device_code"])

    def reminder_id(self) -> int:
        """A new reminder (deleting one uses it up)."""
        cm = self.circle.care_manager
        answer = self.client.post(
            f"{API}/beneficiaries/{self.jeanne}/reminders",
            json={"title": "Médicaments du matin", "start": "2026-12-01T08:00:00"},
            headers=cm.headers,
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def alert_id(self, *, closed: bool = False) -> int:
        """A new alert, as the reminders' check raises one (closing one uses it up); closed
        by the system when `closed` (for a reopening)."""
        with self.client.app.state.foyer.sessions() as session:  # type: ignore[attr-defined]
            alert = alerts.raise_alert(
                session,
                beneficiary_id=self.jeanne,
                kind="reminder_missed",
                message="Un rappel n'a pas été confirmé pour Jeanne Martin",
                dedupe_key=f"walk:{next(self.numbers)}",
                recipient_ids=[],
                critical=False,
                now=datetime.now(UTC),
            )
            assert alert is not None
            if closed:
                alerts.auto_close(session, alert.id, "Confirmé par la tablette.", datetime.now(UTC))
            session.commit()
            return alert.id

    def reminder_editor(self) -> int:
        """Sophie, allowed to manage the reminders (the path's user_id)."""
        cm = self.circle.care_manager
        sophie = self.circle.daughter.id
        self.client.put(
            f"{API}/beneficiaries/{self.jeanne}/reminders/editors/{sophie}", headers=cm.headers
        )
        return sophie

    def free_caller(self) -> int:
        """Sophie, approved to call Jeanne, with Jeanne in no call (she would be busy)."""
        cm = self.circle.care_manager
        sophie = self.circle.daughter.id
        approved = self.client.put(
            f"{API}/beneficiaries/{self.jeanne}/callers/{sophie}", headers=cm.headers
        )
        assert approved.status_code == 200, approved.text
        with self.client.app.state.foyer.sessions() as session:  # type: ignore[attr-defined]
            device = session.get(Device, self.device_id)
            assert device is not None
            open_calls = session.scalars(
                select(Call.id).where(
                    Call.beneficiary_id == self.jeanne,
                    Call.state.in_((calls.RINGING, calls.ANSWERED)),
                )
            ).all()
            for call_id in open_calls:
                calls.hang_up(session, calls.tablet(device), call_id, "hangup", datetime.now(UTC))
            session.commit()
        return sophie

    def call_id(self) -> int:
        """A new call from Sophie, ringing on Jeanne's tablet (ending one uses it up)."""
        sophie_id = self.free_caller()
        state = self.client.app.state.foyer  # type: ignore[attr-defined]
        with state.sessions() as session:
            sophie = session.get(User, sophie_id)
            assert sophie is not None
            started = calls.start_from_console(
                session, state.settings, sophie, self.jeanne, datetime.now(UTC)
            )
            session.commit()
        return int(started["call"]["id"])


Value = Callable[[World], Any]

PATH_VALUES: dict[str, Value] = {
    "beneficiary_id": lambda w: w.jeanne,
    "event_id": lambda w: w.event_id,
    "occurrence_start": lambda w: "2026-11-24T09:00:00",  # the daily event's second day
    "organisation_id": lambda w: w.circle.nursing["id"],
    "token": lambda w: w.invitation_token(),
    "filename": lambda w: w.feed_filename,
    "device_id": lambda w: w.device_id,
    "photo_id": lambda w: w.photo_id,
    "reminder_id": lambda w: w.reminder_id(),
    "alert_id": lambda w: w.alert_id(),
    "user_id": lambda w: w.reminder_editor(),
    "call_id": lambda w: w.call_id(),
}

# A valid value for a field, by name; VALUES_FOR[(METHOD, path)] wins over it.
VALUES: dict[str, Value] = {
    "first_name": lambda w: "Lucienne",
    "last_name": lambda w: "Moreau",
    "timezone": lambda w: "Europe/Paris",
    "place_name": lambda w: "Lyon",
    "title": lambda w: "Passage du kiné",
    "start": lambda w: "2026-11-25T10:00:00+01:00",
    "end": lambda w: "2026-11-26T10:00:00+01:00",
    "duration_minutes": lambda w: 30,
    "name": lambda w: "Nom de la marche",
    "email": lambda w: w.email(),
    "relation": lambda w: "family",
    "space": lambda w: "daily",
    "body": lambda w: "Bonjour",
    "score": lambda w: 4,
    "pin": lambda w: "4821",
    "app_version": lambda w: "1.0.0",
    "type": lambda w: "mood",
    "user_code": lambda w: w.user_code(),
    "beneficiary_id": lambda w: w.jeanne,
    "q": lambda w: "Jeanne",
    "cursor": lambda w: "0",
}
VALUES_FOR: dict[tuple[str, str], dict[str, Value]] = {
    ("POST", f"{API}/auth/token"): {
        "username": lambda w: w.circle.daughter.email,
        "password": lambda w: PASSWORD,
    },
    ("POST", f"{API}/organisations"): {"kind": lambda w: "association"},
    ("POST", f"{API}/organisations/{{organisation_id}}/members"): {
        "email": lambda w: create_user(w.client, w.email())[1],
    },
    ("POST", f"{API}/me/pin"): {"pin": lambda w: "1357"},  # 4821 is the nurse's
    ("POST", f"{API}/alerts/{{alert_id}}/close"): {"note": lambda w: "Appelée : tout va bien."},
    ("POST", f"{API}/alerts/{{alert_id}}/reopen"): {"alert_id": lambda w: w.alert_id(closed=True)},
    ("PUT", f"{API}/me/notifications"): {"email_mode": lambda w: "digest"},
    ("POST", f"{API}/invitations/{{token}}/accept"): {"password": lambda w: PASSWORD},
    ("POST", f"{API}/device/authorize"): {"client_id": lambda w: CLIENT_ID},
    ("POST", f"{API}/device/token"): {
        "grant_type": lambda w: DEVICE_GRANT,
        "device_code": lambda w: w.device_code(),
        "client_id": lambda w: CLIENT_ID,
    },
    ("POST", f"{API}/device/actions"): {
        "data": lambda w: {"score": 4, "recorded_at": datetime.now(UTC).isoformat()},
    },
    ("POST", f"{API}/device/calls/{{call_id}}/signals"): {
        "kind": lambda w: "answer",
        "sdp": lambda w: "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
    },
    ("POST", f"{API}/beneficiaries/{{beneficiary_id}}/photos"): {
        "files": lambda w: ("walk.jpg", jpeg((64, 48)), "image/jpeg"),
    },
}
# Why a visit did not happen: the daily event's second day ("cancelled" may be said any time).
ABSENCE = f"{API}/beneficiaries/{{beneficiary_id}}/visits/absence"
SECOND_DAY = "2026-11-24T09:00:00+01:00"


def _reason_given(w: World) -> int:
    """The daily event, with a reason given for its second day (so DELETE has one to take)."""
    w.client.put(
        f"{API}/beneficiaries/{w.jeanne}/visits/absence",
        json={"event_id": w.event_id, "occurrence_start": SECOND_DAY, "reason": "cancelled"},
        headers=w.circle.care_manager.headers,
    )
    return w.event_id


VALUES_FOR[("PUT", ABSENCE)] = {
    "event_id": lambda w: w.event_id,
    "occurrence_start": lambda w: SECOND_DAY,
    "reason": lambda w: "cancelled",
}
VALUES_FOR[("DELETE", ABSENCE)] = {
    "event_id": _reason_given,
    "occurrence_start": lambda w: SECOND_DAY,
}
VALUES_FOR[("POST", f"{API}/device/updates/report")] = {
    "rollout_id": lambda w: a_rollout(w.client),
    "version": lambda w: "0.2.0",
    "outcome": lambda w: "installed",
}
PATH_VALUES["release_id"] = lambda w: release_of(w.client, a_rollout(w.client))
# Optional fields that a valid request of this operation needs all the same.
ALSO_SEND: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", f"{API}/device/authorize"): ("client_id",),
    ("POST", f"{API}/device/token"): ("grant_type", "device_code", "client_id"),
    ("POST", f"{API}/invitations/{{token}}/accept"): ("name", "password"),
    ("POST", f"{API}/device/actions"): ("data",),
}


# --- requests ------------------------------------------------------------------------------------


def _bytes(value: Any) -> bytes:
    """As sent on the wire: a lone surrogate as the bytes it would have (ED A0 80)."""
    return str(value).encode("utf-8", "surrogatepass")


def build(
    op: Operation, world: World, target: TextField | None = None, value: str = ""
) -> dict[str, Any]:
    """The arguments of `TestClient.request` for a valid request of `op`, with `value` in
    the field `target` (None: the valid request itself)."""
    key = (op.method, op.path)
    chosen = {**VALUES, **VALUES_FOR.get(key, {})}

    def hit(where: str, name: str) -> bool:
        return target is not None and (target.where, target.name) == (where, name)

    def valid(name: str) -> Any:
        if name not in chosen:
            pytest.fail(f"{op.method} {op.path}: no valid value for {name!r} (add one to VALUES)")
        return chosen[name](world)

    url, query, headers = op.path, [], {}
    for p in op.parameters:
        name, where = p["name"], p["in"]
        if where == "path":
            if hit("path", name):
                raw = value
            elif name in chosen or name in PATH_VALUES:
                raw = (chosen.get(name) or PATH_VALUES[name])(world)
            else:
                pytest.fail(f"{op.path}: no value for path parameter {name!r} (PATH_VALUES)")
            url = url.replace(f"{{{name}}}", urllib.parse.quote(_bytes(raw), safe=""))
        elif where == "query" and (hit("query", name) or p.get("required")):
            query.append((name, _bytes(value if hit("query", name) else valid(name))))
        elif where == "header" and p.get("required"):  # Idempotency-Key
            headers[name] = f"walk-key-{next(world.numbers):08d}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    request: dict[str, Any] = {"method": op.method, "url": url, "headers": headers}
    if op.where is None:
        return request
    wanted = set(op.body.get("required", ())) | set(ALSO_SEND.get(key, ()))
    fields = {f.name: f for f in op.fields if f.where == op.where}
    body: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for name in op.body.get("properties", {}):
        if hit(op.where, name):
            body[name] = [value] if fields[name].array else value
        elif name in wanted:
            if op.where == "multipart" and name not in fields:  # a file
                files.append((name, valid(name)))
            else:
                body[name] = valid(name)
    if op.where == "json":
        # ensure_ascii: a lone surrogate travels as the escape "\ud800", as a hostile
        # client would send it (httpx itself cannot encode it).
        request["content"] = json.dumps(body)
        headers["Content-Type"] = "application/json"
    elif op.where == "form":
        request["content"] = urllib.parse.urlencode({k: _bytes(v) for k, v in body.items()})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        request["data"] = {k: _bytes(v) for k, v in body.items()}
        request["files"] = files
    return request


def actors(op: Operation, world: World) -> list[tuple[str, dict[str, str]]]:
    """Who may make the request: nobody, the tablet, or the care manager and Sophie."""
    if (op.method, op.path) in PUBLIC:
        return [("anonymous", {})]
    if op.path.startswith(f"{API}/device/"):
        return [("tablet", device_headers(world.device_token))]
    c = world.circle
    return [("care manager", c.care_manager.headers), ("family", c.daughter.headers)]


class Problems(logging.Handler):
    """What the application logged as refused by the database or unexpected: the text rule
    must stop hostile text before the database, and nothing may be unexpected."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "refused by the database" in message or "unexpected error" in message:
            self.seen.append(message.splitlines()[0][:300])


# --- the walk ------------------------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    data = tmp_path_factory.mktemp(f"walk-{request.param}")
    url = f"sqlite:///{data / 'foyer.sqlite3'}"
    server: _PgServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        server.empty()
        url = server.url
    with pytest.MonkeyPatch.context() as patch:
        # A dozen accounts and logins: the password cost is asserted in test_credentials.py.
        patch.setattr(
            security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        app = create_app(Settings.for_data_dir(data, url, "http://foyer.test"))
        # raise_server_exceptions=False: a 500 is an answer to count, not a crash of the test.
        with TestClient(app, raise_server_exceptions=False) as client:
            c = build_circle(client)
            cm = care_manager_of(c.care_manager)
            token = pair_device(client, cm, c.jeanne_id)
            event = create_event(
                client, cm, c.jeanne_id, start="2026-11-23T09:00:00", rrule="FREQ=DAILY"
            )
            photo = client.post(
                f"{API}/beneficiaries/{c.jeanne_id}/photos",
                files={"files": ("p.jpg", jpeg((64, 48)), "image/jpeg")},
                headers=cm.headers,
            )
            assert photo.status_code == 201, photo.text
            nurse_pin = client.post(f"{API}/me/pin", json={"pin": "4821"}, headers=c.nurse.headers)
            assert nurse_pin.status_code == 204, nurse_pin.text
            feed = client.post(f"{API}/beneficiaries/{c.jeanne_id}/ics-feed", headers=cm.headers)
            assert feed.status_code == 201, feed.text
            problems = Problems()
            logging.getLogger("backend").addHandler(problems)
            try:
                yield World(
                    client,
                    c,
                    token["access_token"],
                    int(token["device_id"]),
                    int(event["id"]),
                    int(photo.json()[0]["photo"]["id"]),
                    feed.json()["url"].rsplit("/", 1)[1],
                )
            finally:
                logging.getLogger("backend").removeHandler(problems)
                if server is not None and app.state.pg_listener is not None:
                    server.stop_listener_fast(app.state.pg_listener)


def _problems(world: World) -> Problems:
    for handler in logging.getLogger("backend").handlers:
        if isinstance(handler, Problems):
            return handler
    raise AssertionError("the walk's log handler is not installed")


def test_the_walk_covers_the_whole_schema() -> None:
    """The schema read is the real one: every kind of field is there (a broken reading would
    walk nothing and pass)."""
    fields = [(op.method, op.path, f) for op in OPERATIONS for f in op.fields]
    assert len(OPERATIONS) >= 25
    assert len(fields) >= 60
    assert {f.where for _, _, f in fields} == {"path", "query", "json", "form", "multipart"}
    names = {(m, p, f.name) for m, p, f in fields}
    for expected in [
        ("POST", f"{API}/beneficiaries", "first_name"),
        ("POST", f"{API}/beneficiaries/{{beneficiary_id}}/events", "instructions"),
        ("POST", f"{API}/beneficiaries/{{beneficiary_id}}/invitations", "name"),
        ("PATCH", f"{API}/me", "name"),
        ("POST", f"{API}/organisations", "name"),
        ("POST", f"{API}/beneficiaries/{{beneficiary_id}}/photos", "caption"),
        ("GET", f"{API}/dashboard", "q"),
        ("GET", f"{API}/invitations/{{token}}", "token"),
        ("POST", f"{API}/auth/token", "username"),
    ]:
        assert expected in names


@pytest.mark.parametrize(
    "op", OPERATIONS, ids=[f"{op.method} {op.path.removeprefix(API)}" for op in OPERATIONS]
)
def test_hostile_text_in_every_field_is_never_a_server_error(op: Operation, world: World) -> None:
    problems = _problems(world)
    problems.seen.clear()
    failures: list[str] = []
    for actor, headers in actors(op, world):
        arguments = build(op, world)
        arguments["headers"] = {**arguments["headers"], **headers}
        base = world.client.request(**arguments)
        if actor == "family" and base.status_code in (403, 404):
            continue  # not Sophie's to do: the care manager's requests cover it
        assert base.status_code < 400, f"{actor}: the valid request fails: {base.text[:300]}"
        for target in op.fields:
            for name, value in HOSTILE.items():
                if name == "one_megabyte" and target.where in ("path", "query"):
                    value = URL_LONG
                arguments = build(op, world, target, value)
                arguments["headers"] = {**arguments["headers"], **headers}
                started = time.monotonic()
                response = world.client.request(**arguments)
                what = f"{actor}, {target.where} {target.name} = {name}"
                if response.status_code >= 500:
                    failures.append(f"{what}: {response.status_code} {response.text[:200]}")
                surrogate_arrives = name != "lone_surrogate" or target.where == "json"
                if (
                    name in REFUSED
                    and surrogate_arrives
                    and response.status_code < 400
                    and (op.method, op.path) not in CLEANED
                ):
                    failures.append(f"{what}: accepted ({response.status_code})")
                assert time.monotonic() - started < 10, f"{what}: too slow"
    failures += [f"logged: {line}" for line in problems.seen]
    assert not failures, "\n".join(failures)


# --- every text parameter carries the rule -----------------------------------------------------

# Text parameters that get the rule elsewhere than from their type, and where.
RULED_ELSEWHERE = {
    ("/api/v1/auth/token", "username"): "OAuth2's own form: checked in backend/api/auth.py",
    ("/api/v1/auth/token", "password"): "OAuth2's own form: checked in backend/api/auth.py",
    ("/api/v1/auth/token", "scope"): "OAuth2's own form: checked in backend/api/auth.py",
    ("/api/v1/auth/token", "grant_type"): "OAuth2's own form: a pattern (^password$)",
    ("/api/v1/auth/token", "client_id"): "OAuth2's own form: checked in backend/api/auth.py",
    ("/api/v1/auth/token", "client_secret"): "OAuth2's own form: checked in backend/api/auth.py",
    ("/api/v1/device/status", "app_version"): CLEANED[("POST", f"{API}/device/status")],
    ("/api/v1/device/status", "last_error"): CLEANED[("POST", f"{API}/device/status")],
    ("/api/v1/device/actions", "data"): "each action's handler checks its data (a reply's body "
    "with messages.clean_body, a PIN with the rule, tags and times against fixed forms)",
    ("/api/v1/devices/{device_id}/config", "document"): "common/tablet_config.py: known keys, "
    "choices and numbers, quick replies through plain_line (the rule)",
    ("/b/{beneficiary_id}/messages", "body"): "messages.clean_body, for the form's own page",
    ("/photos/{photo_id}", "caption"): "photos.clean_caption, for the form's own page",
    ("/b/{beneficiary_id}/agenda", "weekdays"): "each one of seven fixed choices",
    ("/events/{event_id}", "weekdays"): "each one of seven fixed choices",
    ("/events/{event_id}/occurrence", "weekdays"): "each one of seven fixed choices",
}


def _texts(annotation: Any, metadata: tuple[Any, ...] = ()) -> Iterator[tuple[str, bool]]:
    """(field, ruled) for every str inside a parameter's type: ruled when the rule's validator
    (backend.text.LINE or MULTILINE) applies to it."""
    ruled = any(m is LINE or m is MULTILINE for m in metadata)
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from _texts(base, (*metadata, *extra))
    elif annotation is str:
        yield "", ruled
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            for sub, sub_ruled in _texts(info.annotation, tuple(info.metadata)):
                yield name + (f".{sub}" if sub else ""), sub_ruled
    elif origin is not Literal:
        for arg in get_args(annotation):
            yield from _texts(arg, metadata)


def _parameters(dependant: Any) -> Iterator[Any]:
    for kind in ("path_params", "query_params", "header_params", "cookie_params", "body_params"):
        yield from getattr(dependant, kind)
    for sub in dependant.dependencies:
        yield from _parameters(sub)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _routes(nested.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_text_parameter_of_the_api_and_the_console_carries_the_rule() -> None:
    """The walk sends what the schema lists; this reads the code: every str a route receives
    (the console's forms too, which the schema does not list) has the rule in its type, or
    is in RULED_ELSEWHERE with where it gets it."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings.for_data_dir(Path(tmp)), migrate=False)
    seen, missing = 0, []
    for route in _routes(app.router.routes):
        for parameter in _parameters(route.dependant):
            info = parameter.field_info
            for sub, ruled in _texts(info.annotation, tuple(info.metadata)):
                name = parameter.name + (f".{sub}" if sub else "")
                leaf = sub.split(".", 1)[0] if sub else parameter.name
                if (route.path, leaf) in RULED_ELSEWHERE:
                    continue
                seen += 1
                if not ruled:
                    missing.append(f"{sorted(route.methods)} {route.path}: {name}")
    assert seen > 100
    assert missing == [], "text without the rule (backend/text.py):\n" + "\n".join(missing)
