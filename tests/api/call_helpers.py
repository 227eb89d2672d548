"""Jeanne, her tablet, the people who call her, and both sides of a call (docs/calls.md): what
the video calls' tests share (tests/api/test_calls.py, tests/console/test_calls_api.py).

- Paul Martin (family), approved; Sophie Martin (family), not approved; Marc Petit (neighbour:
  the friend role), approved by the tests that need him.
- Albert (another care manager's beneficiary), his tablet, and his home aide Nadia.
- `Console`: a person's console session (the session cookie and the page's CSRF token in an
  `X-CSRF-Token` header, as the call script sends them).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.console.web import SESSION_COOKIE
from backend.models import Call, CallSignal, User
from backend.services import calls, jobs
from tests.api.circle_fixtures import Person, care_manager_of, join, new_care_manager
from tests.api.conftest import Clock
from tests.api.factories import (
    API,
    create_beneficiary,
    device_headers,
    pair_device,
    session_of,
    state_of,
    sync,
    wait_until,
)

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
ANSWER = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"


class Console:
    """One person's console session, as the call script uses it."""

    def __init__(self, client: TestClient, person: Person) -> None:
        self.client = client
        self.person = person
        self.token = person.headers["Authorization"].split(" ", 1)[1]
        secret = client.app.state.console.secret  # type: ignore[attr-defined]
        self.csrf = hmac.new(secret, f"session:{self.token}".encode(), hashlib.sha256).hexdigest()

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        found = {"Cookie": f"{SESSION_COOKIE}={self.token}", "Accept": "application/json"}
        if csrf:
            found["X-CSRF-Token"] = self.csrf
        return found

    def post(self, path: str, body: Any = None, *, csrf: bool = True) -> Any:
        return self.client.post(path, json=body, headers=self.headers(csrf=csrf))

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers(csrf=False))

    def call(self, beneficiary_id: int) -> Any:
        return self.post(f"/b/{beneficiary_id}/calls")


class Tablet:
    """A paired tablet's side of the calls."""

    def __init__(self, client: TestClient, credential: str) -> None:
        self.client = client
        self.credential = credential
        self.headers = device_headers(credential)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"{API}/device{path}", json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}/device{path}", params=params, headers=self.headers)

    def sync(self, **params: Any) -> dict[str, Any]:
        response = sync(self.client, self.credential, **params)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    def action(self, action_type: str, data: dict[str, Any]) -> Any:
        return self.client.post(
            f"{API}/device/actions",
            json={"type": action_type, "data": data},
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
        )


@dataclass
class CallWorld:
    client: TestClient
    clock: Clock
    cm: Person
    jeanne_id: int
    tablet: Tablet
    paul: Person
    sophie: Person
    marc: Person
    albert_id: int
    albert_tablet: Tablet
    nadia: Person  # Albert's home aide

    def console(self, person: Person) -> Console:
        return Console(self.client, person)

    def approve(self, person: Person, *, auto_answer: bool = False) -> None:
        with session_of(self.client) as session:
            manager = session.get(User, self.cm.id)
            assert manager is not None
            calls.approve_caller(
                session, manager, self.jeanne_id, person.id, self.clock.now, auto_answer=auto_answer
            )
            session.commit()

    def run_jobs(self) -> int:
        """One worker runs every job due at the test's clock, as the jobs thread does."""
        return jobs.run_due(state_of(self.client).sessions, "worker-test", self.clock.now)

    def call_row(self, call_id: int) -> Call:
        with session_of(self.client) as session:
            call = session.get(Call, call_id)
            assert call is not None
            session.expunge(call)
            return call

    def signals_kept(self, call_id: int) -> int:
        with session_of(self.client) as session:
            return len(
                session.scalars(select(CallSignal).where(CallSignal.call_id == call_id)).all()
            )

    def waiting(self) -> int:
        return state_of(self.client).hub.waiting_count()


def build(client: TestClient, clock: Clock) -> CallWorld:
    cm = new_care_manager(client, "claire.dupont@ccas.test", "Claire Dupont")
    jeanne_id = int(create_beneficiary(client, care_manager_of(cm), first_name="Jeanne")["id"])
    tablet = Tablet(client, pair_device(client, care_manager_of(cm), jeanne_id)["access_token"])
    paul = join(client, cm, jeanne_id, "paul.martin@famille.test", "Paul Martin", "family")
    sophie = join(client, cm, jeanne_id, "sophie.martin@famille.test", "Sophie Martin", "family")
    marc = join(client, cm, jeanne_id, "marc.petit@voisin.test", "Marc Petit", "neighbour")
    other_cm = new_care_manager(client, "paul.bernard@ccas.test", "Paul Bernard")
    albert_id = int(
        create_beneficiary(
            client, care_manager_of(other_cm), first_name="Albert", last_name="Durand"
        )["id"]
    )
    albert_tablet = Tablet(
        client, pair_device(client, care_manager_of(other_cm), albert_id)["access_token"]
    )
    nadia = join(
        client, other_cm, albert_id, "nadia.aide@saad.test", "Nadia Aide", "professional",
        "home_aide",
    )  # fmt: skip
    world = CallWorld(
        client, clock, cm, jeanne_id, tablet, paul, sophie, marc, albert_id, albert_tablet, nadia
    )
    world.approve(paul)
    return world


class InThread(threading.Thread):
    """A request (a long-poll) sent from another thread, as a browser or the tablet would."""

    def __init__(self, send: Any) -> None:
        super().__init__(daemon=True)
        self.send = send
        self.response: Any = None

    def run(self) -> None:
        self.response = self.send()

    def result(self, timeout: float = 60) -> Any:
        self.join(timeout)
        assert not self.is_alive(), "the long-poll never answered"
        return self.response


def long_poll(world: CallWorld, send: Any) -> InThread:
    """Start `send` in a thread and return once it waits on the hub (so that what the test
    does next happens during the wait)."""
    before = world.waiting()
    poll = InThread(send)
    poll.start()
    wait_until(lambda: world.waiting() > before or not poll.is_alive(), timeout=20)
    return poll
