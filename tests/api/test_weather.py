"""The weather proxy: Open-Meteo (a real local fake server) → cache in the database → tablet."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import db
from backend.models import (
    Beneficiary,
    BeneficiaryShare,
    CircleMember,
    Membership,
    Organisation,
    WeatherCache,
)
from backend.services import accounts, open_meteo
from backend.services import weather as weather_service
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import (
    API,
    PASSWORD,
    CareManager,
    care_manager,
    create_beneficiary,
    create_event,
    device_headers,
    login,
    pair_device,
    session_of,
    state_of,
)
from tests.fake_open_meteo import RATE_LIMITED, FakeOpenMeteo

TTL = 1800
PARIS = {"place_name": "Paris 4e", "latitude": 48.85661, "longitude": 2.35222}
LYON = {"place_name": "Lyon", "latitude": 45.764, "longitude": 4.8357}
UNAVAILABLE = "Météo indisponible pour le moment"
RETRY_AFTER = 60  # seconds of rest after a failed call
# WMO codes as listed in /work/shared/FACTS.md (Open-Meteo's documentation).
WMO_CODES = {0, 1, 2, 3, 45, 48, 51, 53, 55, 56, 57, 61, 63, 65, 66, 67, 71, 73, 75, 77}
WMO_CODES |= {80, 81, 82, 85, 86, 95, 96, 99}


@pytest.fixture
def fake() -> Iterator[FakeOpenMeteo]:
    with FakeOpenMeteo() as server:
        server.today = date(2026, 11, 22)
        yield server


class Home:
    """A care manager, one beneficiary with a paired tablet, the console and the tablet API."""

    def __init__(self, client: TestClient, clock: Clock, **fields: Any) -> None:
        self.client = client
        self.clock = clock
        self.cm: CareManager = care_manager(client)
        self.beneficiary: dict[str, Any] = create_beneficiary(client, self.cm, **fields)
        self.id: int = self.beneficiary["id"]
        token = pair_device(client, self.cm, self.id)
        self.device = device_headers(token["access_token"])

    def tablet(self, client: TestClient | None = None, *, etag: str | None = None) -> Any:
        headers = {**self.device, **({"If-None-Match": etag} if etag else {})}
        return (client or self.client).get(f"{API}/device/weather", headers=headers)

    def console(self, headers: dict[str, str] | None = None, *, etag: str | None = None) -> Any:
        headers = {**(headers or self.cm.headers), **({"If-None-Match": etag} if etag else {})}
        return self.client.get(f"{API}/beneficiaries/{self.id}/weather", headers=headers)


@pytest.fixture
def app(make_client: MakeClient, clock: Clock, fake: FakeOpenMeteo) -> TestClient:
    return make_client(clock=clock, open_meteo_url=fake.url, weather_ttl_seconds=TTL)


@pytest.fixture
def home(app: TestClient, clock: Clock) -> Home:
    return Home(app, clock, **PARIS)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _cache_rows(client: TestClient) -> list[WeatherCache]:
    with session_of(client) as session:
        return list(session.scalars(select(WeatherCache)))


def _set_position(
    client: TestClient, beneficiary_id: int, lat: float | None, lon: float | None
) -> None:
    with db.session_scope(state_of(client).sessions) as session:
        beneficiary = session.get(Beneficiary, beneficiary_id)
        assert beneficiary is not None
        beneficiary.latitude, beneficiary.longitude = lat, lon


# --- what is asked of Open-Meteo, and what the tablet gets ----------------------------------


def test_asks_the_documented_query_and_gives_the_tablet_normalized_french_weather(
    home: Home, clock: Clock, fake: FakeOpenMeteo
) -> None:
    response = home.tablet()

    assert fake.paths == ["/v1/forecast"]
    assert fake.requests == [
        {
            # Rounded to 2 decimals (~1 km): the exact address never leaves the backend.
            "latitude": "48.86",
            "longitude": "2.35",
            "current": "temperature_2m,weather_code,is_day",
            "daily": "weather_code,temperature_2m_max,temperature_2m_min",
            "timezone": "Europe/Paris",
            "forecast_days": "4",
        }
    ]
    assert _ok(response) == {
        "location": "Paris 4e",
        "fetched_at": clock.now.isoformat(),
        "age_seconds": 0,
        "stale": False,
        "current": {"temperature": 7.4, "code": 3, "is_day": True, "label": "Couvert"},
        "days": [
            {"date": "2026-11-22", "code": 61, "label": "Pluie faible", "min": 4.1, "max": 9.8},
            {"date": "2026-11-23", "code": 0, "label": "Ciel dégagé", "min": 2.5, "max": 11.2},
            {"date": "2026-11-24", "code": 95, "label": "Orage", "min": 8.3, "max": 14.0},
            {"date": "2026-11-25", "code": 73, "label": "Neige modérée", "min": -3.2, "max": 1.5},
        ],
        "attribution": "Weather data by Open-Meteo.com (CC BY 4.0)",
    }
    assert clock.now.isoformat().endswith("+00:00")  # fetched_at is UTC
    assert response.headers["ETag"].startswith('W/"')
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_night_and_integer_temperatures_are_normalized(
    app: TestClient, clock: Clock, fake: FakeOpenMeteo
) -> None:
    fake.current_temperature = -2  # a JSON integer
    fake.current_code, fake.is_day = 99, 0
    home = Home(app, clock, **PARIS)

    current = _ok(home.console())["current"]

    assert current == {
        "temperature": -2.0,
        "code": 99,
        "is_day": False,
        "label": "Orage avec forte grêle",
    }
    assert isinstance(current["temperature"], float)


def test_every_wmo_code_has_its_own_french_words() -> None:
    assert set(weather_service.LABELS) == WMO_CODES
    words = list(weather_service.LABELS.values())
    assert len(set(words)) == len(words)
    assert weather_service.label(63) == "Pluie modérée"
    assert weather_service.label(0) == "Ciel dégagé"
    assert weather_service.label(96) == "Orage avec grêle"
    assert weather_service.label(45) == "Brouillard"
    assert weather_service.label(42) == "Temps inconnu"  # a code Open-Meteo may add one day


# --- the cache ------------------------------------------------------------------------------


def test_cached_within_the_lifetime_and_asked_again_after_it(
    home: Home, clock: Clock, fake: FakeOpenMeteo
) -> None:
    first = _ok(home.tablet())
    clock.advance(TTL - 1)

    second = _ok(home.tablet())
    console = _ok(home.console())

    assert fake.hits == 1
    assert second["age_seconds"] == console["age_seconds"] == TTL - 1
    assert second["stale"] is False
    assert second["fetched_at"] == first["fetched_at"]
    assert second["current"] == first["current"]

    fake.current_temperature, fake.current_code = 12.5, 0
    clock.advance(1)
    third = _ok(home.tablet())

    assert fake.hits == 2
    assert third["current"]["temperature"] == 12.5
    assert third["current"]["label"] == "Ciel dégagé"
    assert third["fetched_at"] == clock.now.isoformat()
    assert (third["age_seconds"], third["stale"]) == (0, False)
    (row,) = _cache_rows(home.client)
    assert row.last_error is None
    assert row.fetched_at == row.last_attempt_at == clock.now


def test_neighbours_and_other_workers_share_one_cache_entry(
    app: TestClient, make_client: MakeClient, clock: Clock, fake: FakeOpenMeteo
) -> None:
    home = Home(app, clock, **PARIS)
    # 300 m away: the same rounded position and time zone, so the same entry.
    neighbour = Home(app, clock, place_name="Île Saint-Louis", latitude=48.8551, longitude=2.3548)
    other_worker = make_client(clock=clock, open_meteo_url=fake.url, weather_ttl_seconds=TTL)

    _ok(home.tablet())
    theirs = _ok(neighbour.tablet(other_worker))

    assert fake.hits == 1
    assert theirs["location"] == "Île Saint-Louis"
    assert [row.location_key for row in _cache_rows(app)] == ["48.86,2.35,Europe/Paris"]

    # Another place is another entry, and a tablet gets its own beneficiary's weather only.
    lyon = Home(app, clock, **LYON)
    assert _ok(lyon.tablet())["location"] == "Lyon"
    assert fake.hits == 2
    assert fake.requests[-1]["latitude"] == "45.76"
    assert _ok(home.tablet())["location"] == "Paris 4e"
    assert fake.hits == 2


# --- when Open-Meteo fails ------------------------------------------------------------------


def _break(fake: FakeOpenMeteo, how: str) -> None:
    if how == "missing daily":
        fake.tamper = lambda body: {k: v for k, v in body.items() if k != "daily"}
    elif how == "uneven columns":

        def uneven(body: dict[str, Any]) -> dict[str, Any]:
            body["daily"]["temperature_2m_min"] = body["daily"]["temperature_2m_min"][:2]
            return body

        fake.tamper = uneven
    elif how == "text temperature":

        def text(body: dict[str, Any]) -> dict[str, Any]:
            body["current"]["temperature_2m"] = "7,4"
            return body

        fake.tamper = text
    elif how == "not an object":
        fake.tamper = lambda body: [body]
    else:
        fake.mode = how


def _repair(fake: FakeOpenMeteo) -> None:
    fake.mode = "normal"
    fake.tamper = None


@pytest.fixture
def quick_timeout(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenMeteo) -> None:
    """A read timeout shorter than the production 5 s keeps the tests fast; the fake's slow
    mode still answers later than the client waits."""
    monkeypatch.setattr(open_meteo, "TIMEOUT", (1.0, 0.3))
    fake.slow_seconds = 1.5


FAILURES = {
    "down": "Open-Meteo : injoignable (ConnectionError)",
    "slow": "Open-Meteo : délai dépassé",
    "429": "Open-Meteo : HTTP 429 : " + RATE_LIMITED,
    "500": "Open-Meteo : HTTP 500",
    "400": "Open-Meteo : HTTP 400 : Cannot initialize",
    "malformed": "Open-Meteo : réponse illisible",
    "missing daily": "Open-Meteo : réponse inattendue ('daily')",
    "uneven columns": "Open-Meteo : réponse inattendue (daily n'a pas des colonnes",
    "text temperature": "Open-Meteo : réponse inattendue (current.temperature_2m",
    "not an object": "Open-Meteo : réponse inattendue",
}


@pytest.mark.usefixtures("quick_timeout")
def test_the_last_good_value_is_served_with_its_age_whatever_the_failure(
    home: Home, clock: Clock, fake: FakeOpenMeteo
) -> None:
    for how, error in FAILURES.items():
        _repair(fake)
        good = _ok(home.tablet())
        assert good["stale"] is False, how
        hits = fake.hits
        clock.advance(TTL + 5)
        _break(fake, how)

        body = _ok(home.tablet())

        assert body["stale"] is True, how
        assert body["age_seconds"] == TTL + 5, how
        assert body["fetched_at"] == good["fetched_at"], how
        assert (body["current"], body["days"]) == (good["current"], good["days"]), how
        (row,) = _cache_rows(home.client)
        assert row.last_attempt_at == clock.now, how
        assert row.last_error is not None and row.last_error.startswith(error), how
        # Asked once (the port is closed when down), then left alone for a minute.
        assert fake.hits == hits + (how != "down"), how
        clock.advance(RETRY_AFTER)


@pytest.mark.usefixtures("quick_timeout")
def test_503_in_french_when_there_is_nothing_to_show(
    app: TestClient, clock: Clock, fake: FakeOpenMeteo
) -> None:
    for how in ("down", "slow", "429", "malformed"):
        home = Home(app, clock, place_name=how, latitude=40 + len(fake.requests), longitude=1)
        _break(fake, how)

        tablet = home.tablet()
        console = home.console()

        assert tablet.status_code == console.status_code == 503, how
        assert tablet.json()["detail"].startswith(UNAVAILABLE), how
        assert console.json()["detail"].startswith(UNAVAILABLE), how
        assert int(tablet.headers["Retry-After"]) == RETRY_AFTER, how
        assert 0 < int(console.headers["Retry-After"]) <= RETRY_AFTER, how
        _repair(fake)


def test_after_a_failure_open_meteo_is_left_alone_for_a_minute(
    home: Home, clock: Clock, fake: FakeOpenMeteo
) -> None:
    fake.mode = "429"
    assert home.tablet().status_code == 503
    assert fake.hits == 1

    clock.advance(RETRY_AFTER - 1)
    fake.mode = "normal"
    for _ in range(3):
        assert home.tablet().status_code == 503
        assert home.console().status_code == 503
    assert fake.hits == 1

    clock.advance(1)
    body = _ok(home.tablet())
    assert fake.hits == 2
    assert body["stale"] is False

    # With a value to show, the minute of rest holds too.
    clock.advance(TTL)
    fake.mode = "500"
    assert _ok(home.tablet())["stale"] is True
    assert fake.hits == 3
    fake.mode = "normal"
    clock.advance(RETRY_AFTER - 1)
    body = _ok(home.tablet())
    assert (body["stale"], body["age_seconds"]) == (True, TTL + RETRY_AFTER - 1)
    assert fake.hits == 3

    clock.advance(1)
    body = _ok(home.tablet())
    assert (body["stale"], body["age_seconds"]) == (False, 0)
    assert fake.hits == 4
    (row,) = _cache_rows(home.client)
    assert row.last_error is None  # forgotten once it works again


def test_while_one_worker_waits_on_open_meteo_others_serve_the_last_value_at_once(
    make_client: MakeClient, home: Home, clock: Clock, fake: FakeOpenMeteo
) -> None:
    _ok(home.tablet())
    clock.advance(TTL)
    # Long enough for the other worker to be done meanwhile even on a loaded machine, shorter
    # than the backend's 5 s read timeout (the slow answer still arrives).
    fake.slow_seconds = 3.5
    fake.mode = "slow"
    other_worker = make_client(clock=clock, open_meteo_url=fake.url, weather_ttl_seconds=TTL)
    slow: list[Any] = []
    waiting = threading.Thread(target=lambda: slow.append(home.tablet()))
    waiting.start()
    try:
        deadline = time.monotonic() + 5
        while fake.hits < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fake.hits == 2  # the first worker is asking, slowly

        body = _ok(home.tablet(other_worker))
        # No transaction is held during the wait: the database takes writes meanwhile.
        create_event(other_worker, home.cm, home.id)
        # Both done while the first worker is still waiting for Open-Meteo: nobody queued
        # behind it (an order of events, not a time limit).
        served_meanwhile = waiting.is_alive() and not slow
    finally:
        waiting.join(10)

    assert served_meanwhile
    assert waiting.is_alive() is False
    assert (body["stale"], body["age_seconds"]) == (True, TTL)
    assert fake.hits == 2  # nobody asked twice
    assert _ok(slow[0])["stale"] is False


# --- ETag / 304 -----------------------------------------------------------------------------


def test_an_unchanged_weather_costs_a_304(home: Home, clock: Clock, fake: FakeOpenMeteo) -> None:
    first = home.tablet()
    etag = first.headers["ETag"]
    clock.advance(600)  # the age changed, the weather did not

    again = home.tablet(etag=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag

    # Weak comparison: the strong form and a list of tags match too; another tag does not.
    strong = etag.removeprefix("W/")
    assert home.tablet(etag=strong).status_code == 304
    assert home.tablet(etag=f'"other", {etag}').status_code == 304
    assert home.console(etag=etag).status_code == 304
    assert home.tablet(etag='"other"').status_code == 200

    # Turning stale changes the representation.
    clock.advance(TTL)
    fake.mode = "down"
    stale = home.tablet(etag=etag)
    assert stale.status_code == 200
    assert stale.json()["stale"] is True
    assert home.tablet(etag=stale.headers["ETag"]).status_code == 304

    # So does a refreshed forecast.
    clock.advance(RETRY_AFTER)
    fake.mode = "normal"
    fake.current_temperature = 3.0
    refreshed = home.tablet(etag=etag)
    assert refreshed.status_code == 200
    assert refreshed.headers["ETag"] not in (etag, stale.headers["ETag"])
    assert refreshed.json()["current"]["temperature"] == 3.0


# --- who gets which weather -----------------------------------------------------------------


def test_a_tablet_credential_gives_its_own_weather_only(home: Home, fake: FakeOpenMeteo) -> None:
    other = Home(home.client, home.clock, **LYON)

    # A tablet's credential is no console session: it cannot ask for someone else.
    assert (
        home.client.get(f"{API}/beneficiaries/{other.id}/weather", headers=home.device).status_code
        == 401
    )
    assert home.client.get(f"{API}/device/weather").status_code == 401
    bad = home.client.get(f"{API}/device/weather", headers=device_headers("not-a-credential"))
    assert bad.status_code == 401

    _ok(home.tablet())
    devices = home.client.get(f"{API}/beneficiaries/{home.id}/devices", headers=home.cm.headers)
    device_id = devices.json()[0]["id"]
    revoked = home.client.post(f"{API}/devices/{device_id}/revoke", headers=home.cm.headers)
    assert revoked.status_code == 200, revoked.text
    assert home.tablet().status_code == 401
    assert fake.hits == 1


def test_without_a_home_position_a_clear_message_and_no_call(
    app: TestClient, clock: Clock, fake: FakeOpenMeteo
) -> None:
    home = Home(app, clock, place_name="Quelque part")

    tablet, console = home.tablet(), home.console()

    assert tablet.status_code == console.status_code == 422
    assert tablet.json()["detail"].startswith("Commune du domicile non renseignée")
    assert console.json()["detail"].startswith("Commune du domicile non renseignée")
    assert fake.hits == 0

    _set_position(app, home.id, 48.85, None)  # half a position is no position
    assert home.tablet().status_code == 422
    _set_position(app, home.id, 48.85, 2.35)
    assert _ok(home.tablet())["location"] == "Quelque part"


def _member(
    client: TestClient,
    beneficiary_id: int,
    *,
    relation: str | None = None,
    organisation_kind: str | None = None,
    profession: str | None = None,
) -> dict[str, str]:
    """Someone in the circle, personally (relation) or through a shared organisation."""
    email = f"{relation}-{organisation_kind}-{profession}-{beneficiary_id}@foyer.test"
    with db.session_scope(state_of(client).sessions) as session:
        user = accounts.create_user(session, email, PASSWORD, "Membre", "care_manager")
        user.profession = profession
        if relation is not None:
            session.add(
                CircleMember(beneficiary_id=beneficiary_id, user_id=user.id, relation=relation)
            )
        if organisation_kind is not None:
            organisation = Organisation(name="Service", kind=organisation_kind)
            session.add(organisation)
            session.flush()
            session.add(Membership(user_id=user.id, organisation_id=organisation.id))
            session.add(
                BeneficiaryShare(beneficiary_id=beneficiary_id, organisation_id=organisation.id)
            )
    return login(client, email)


# Every circle role holds view_beneficiary (docs/access.md): all of them see the weather.
CIRCLE: dict[str, dict[str, str]] = {
    "family": {"relation": "family"},
    "friend": {"relation": "friend"},
    "neighbour": {"relation": "neighbour"},
    "doctor invited personally": {"relation": "professional", "profession": "doctor"},
    "nursing service": {"organisation_kind": "nursing", "profession": "nurse"},
    "home-help service": {"organisation_kind": "home_help", "profession": "home_aide"},
    "association volunteer": {"organisation_kind": "association"},
    "care-management service": {"organisation_kind": "care_management"},
}


def test_console_access_role_by_role(home: Home, fake: FakeOpenMeteo) -> None:
    assert _ok(home.console())["location"] == "Paris 4e"  # the beneficiary's care manager
    for who, connection in CIRCLE.items():
        response = home.console(_member(home.client, home.id, **connection))
        assert response.status_code == 200, who
        assert response.json()["location"] == "Paris 4e", who

    # Outside the circle: 404, as if the person did not exist; no session: 401.
    stranger = care_manager(home.client)
    elsewhere = Home(home.client, home.clock, **LYON)
    family_elsewhere = _member(home.client, elsewhere.id, relation="family")
    assert home.console(stranger.headers).status_code == 404
    assert home.console(family_elsewhere).status_code == 404
    assert home.console(elsewhere.cm.headers).status_code == 404
    assert home.client.get(f"{API}/beneficiaries/{home.id}/weather").status_code == 401
    missing = home.client.get(f"{API}/beneficiaries/999999/weather", headers=home.cm.headers)
    assert missing.status_code == 404
    assert fake.hits == 1


def test_two_workers_that_saw_the_same_stale_entry_cannot_both_ask(
    home: Home, clock: Clock
) -> None:
    _ok(home.tablet())
    clock.advance(TTL)
    sessions = state_of(home.client).sessions
    key = "48.86,2.35,Europe/Paris"
    with sessions() as session:
        seen = weather_service._read(session, key)  # both workers read this…
    assert seen is not None and seen.may_ask(clock.now)

    # …then race to note their attempt: only the first may call Open-Meteo.
    assert weather_service._claim(sessions, key, seen, clock.now) is True
    assert weather_service._claim(sessions, key, seen, clock.now) is False
    # Nor can two workers both create the entry of a place never asked about.
    assert weather_service._claim(sessions, "new", None, clock.now) is True
    assert weather_service._claim(sessions, "new", None, clock.now) is False
