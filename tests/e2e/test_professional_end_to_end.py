"""The professionals' entry against a real backend process: the tablet's client and its
off-thread service identify a PIN, refuse a wrong one, say when the backend is unreachable,
and the arrival/departure data they lead to is accepted by the real outbox endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from apscheduler.schedulers.background import BackgroundScheduler
from pytestqt.qtbot import QtBot

from kiosk.background import make_scheduler, shutdown_scheduler
from kiosk.device_client import DeviceClient
from kiosk.professional_client import Identified, PinRefused, ProfessionalClient
from kiosk.professional_service import ProfessionalService
from kiosk.professional_view import visit_action_data
from provisioning.http import new_session
from tests.e2e.conftest import CareManager, RunningBackend, free_port, start_backend

pytestmark = pytest.mark.e2e
PIN = "048213"


def new_care_manager(backend: RunningBackend) -> CareManager:
    """As tests/e2e/conftest.py's `care_manager` fixture, for a module-scoped backend."""
    backend.cli(
        "create-user", "--email", "cm@example.fr", "--password", "correct horse 1",
        "--name", "Claire Dubois", "--role", "care_manager",
    )  # fmt: skip
    token = requests.post(
        backend.url + "/api/v1/auth/token",
        data={"username": "cm@example.fr", "password": "correct horse 1"},
        timeout=10,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    beneficiary = requests.post(
        backend.url + "/api/v1/beneficiaries",
        json={"first_name": "Jeanne", "last_name": "Martin", "timezone": "Europe/Paris"},
        headers=headers,
        timeout=10,
    ).json()
    return CareManager(backend.url, headers, beneficiary["id"])


def paired_token(cm: CareManager) -> str:
    """The RFC 8628 flow over HTTP, as the tablet does it."""
    return str(cm.pair_over_http()["access_token"])


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBackend]:
    """One backend for the module: starting one costs seconds, these tests share it."""
    running = start_backend(tmp_path_factory.mktemp("professional") / "backend")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(backend: RunningBackend) -> str:
    cm = new_care_manager(backend)
    answer = cm.post("/api/v1/me/pin", {"pin": PIN})
    assert answer.status_code == 204, answer.text
    return paired_token(cm)


@pytest.fixture
def scheduler() -> Iterator[BackgroundScheduler]:
    running = make_scheduler()
    running.start()
    yield running
    shutdown_scheduler(running)


def test_client_identifies_and_refuses(backend: RunningBackend, token: str) -> None:
    client = ProfessionalClient(new_session(), backend.url, token)
    found = client.identify(PIN)
    assert found.professional.name == "Claire Dubois"
    assert found.professional.may_record_visit and found.professional.may_view_instructions
    assert found.messages == ()
    with pytest.raises(PinRefused) as refused:
        client.identify("4821")
    assert refused.value.wrong_pin and refused.value.message == "Code personnel incorrect."


def test_service_reports_on_the_gui_thread(
    qtbot: QtBot, backend: RunningBackend, token: str, scheduler: BackgroundScheduler
) -> None:
    service = ProfessionalService(ProfessionalClient(new_session(), backend.url, token), scheduler)
    with qtbot.wait_signal(service.identified, timeout=15_000) as got:
        assert service.identify(PIN)
        assert not service.identify(PIN)  # one check at a time
    identified: Identified = got.args[0]
    assert identified.professional.name == "Claire Dubois"
    assert not service.busy
    with qtbot.wait_signal(service.refused, timeout=15_000) as refused:
        service.identify("1111")
    assert refused.args[0] == 403 and refused.args[1] == "Code personnel incorrect."


def test_service_says_when_the_backend_is_unreachable(
    qtbot: QtBot, scheduler: BackgroundScheduler
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    service = ProfessionalService(ProfessionalClient(new_session(), nowhere, "x"), scheduler)
    with qtbot.wait_signal(service.unreachable, timeout=15_000):
        service.identify(PIN)
    assert not service.busy


def test_arrival_and_departure_data_is_accepted_by_the_backend(
    backend: RunningBackend, token: str
) -> None:
    client = ProfessionalClient(new_session(), backend.url, token)
    who = client.identify(PIN).professional
    device = DeviceClient(new_session(), backend.url, token)
    answers: list[tuple[int, dict[str, Any]]] = []
    for action, key in (("arrival", "e2e-arrival-1"), ("departure", "e2e-departure-1")):
        data = visit_action_data(who.user_id, PIN, datetime.now(UTC))
        answers.append(device.post_action(action, data, key))
    (arrival_status, arrival), (departure_status, departure) = answers
    assert arrival_status == 200, arrival
    assert arrival["user_name"] == "Claire Dubois" and arrival["source"] == "tablet"
    assert departure_status == 200, departure
    assert departure["departed_at"] is not None
