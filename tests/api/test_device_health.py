"""The tablet's health in words (issue 16), French and English, table-driven on the pure
`device_health.assess`, then through the API (`GET /devices/{id}/health`) on both databases.
No raw English nor exception text reaches the words: an error is said from its code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.models import Device, DeviceStatus
from backend.services import device_health as health
from tests.api.conftest import Clock, MakeClient
from tests.api.factories import API, care_manager
from tests.api.signs_helpers import PARIS, TOKEN_TTL, Home, paris

NOW = paris(2026, 12, 4, 14, 0)  # a Friday, 14 h in Paris


def _device(seen: datetime | None, revoked: datetime | None = None) -> Device:
    return Device(id=1, beneficiary_id=1, name="Salon", credential_hash="x", last_seen_at=seen,
                  revoked_at=revoked)  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    seen: datetime | None
    status: dict[str, Any] | None
    fr: list[tuple[int, str]]  # (severity, text), most severe first
    en: list[tuple[int, str]]
    revoked: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _status(**fields: Any) -> DeviceStatus:
    base: dict[str, Any] = {
        "device_id": 1, "app_version": "0.4.1", "free_disk_bytes": None, "last_error": None,
        "outbox_pending": 0, "config_version": 1, "reported_at": NOW - timedelta(minutes=2),
    }  # fmt: skip
    base.update(fields)
    return DeviceStatus(**base)


ONLINE = NOW - timedelta(seconds=30)
CASES = [
    Case(
        "never connected",
        None,
        None,
        [(2, "Tablette jamais connectée")],
        [(2, "Tablet never connected")],
    ),
    Case(
        "offline for 3 hours, seen this morning",
        paris(2026, 12, 4, 11, 0) - timedelta(minutes=48),
        {},
        [(3, "Tablette hors ligne depuis 3 h (dernier contact 10 h 12)")],
        [(3, "Tablet offline for 3 h (last contact 10:12)")],
    ),
    Case(
        "offline since yesterday evening",
        paris(2026, 12, 3, 18, 0),
        {},
        [(3, "Tablette hors ligne depuis 20 h (dernier contact hier à 18 h)")],
        [(3, "Tablet offline for 20 h (last contact yesterday at 18:00)")],
    ),
    Case(
        "offline for days",
        paris(2026, 11, 29, 9, 5),
        {},
        [(3, "Tablette hors ligne depuis 5 jours (dernier contact le 29 novembre à 9 h 05)")],
        [(3, "Tablet offline for 5 days (last contact on 29 November at 9:05)")],
    ),
    Case(
        "offline a moment",
        NOW - timedelta(minutes=5),
        {},
        [(1, "Tablette hors ligne depuis 5 min (dernier contact 13 h 55)")],
        [(1, "Tablet offline for 5 min (last contact 13:55)")],
    ),
    Case(
        "screen off for the night",
        ONLINE,
        {
            "screen_on": False,
            "screen_off_reason": "night",
            "screen_off_until": paris(2026, 12, 5, 7),
        },
        [(0, "En ligne"), (0, "Écran éteint (mode nuit jusqu'à 7 h)")],
        [(0, "Online"), (0, "Screen off (night mode until 7:00)")],
    ),
    Case(
        "screen off by the power schedule",
        ONLINE,
        {
            "screen_on": False,
            "screen_off_reason": "schedule",
            "screen_off_until": paris(2026, 12, 4, 16, 30),
        },
        [(0, "En ligne"), (0, "Écran éteint (horaire d'extinction jusqu'à 16 h 30)")],
        [(0, "Online"), (0, "Screen off (power schedule until 16:30)")],
    ),
    Case(
        "screen off for no known reason",
        ONLINE,
        {"screen_on": False},
        [(2, "Écran éteint"), (0, "En ligne")],
        [(2, "Screen off"), (0, "Online")],
    ),
    Case(
        "not touched since 11 h",
        ONLINE,
        {"last_touch_at": paris(2026, 12, 4, 11, 0)},
        [(1, "Pas touchée depuis 11 h"), (0, "En ligne")],
        [(1, "Not touched since 11:00"), (0, "Online")],
    ),
    Case(
        "not touched since yesterday",
        ONLINE,
        {"last_touch_at": paris(2026, 12, 3, 18, 30)},
        [(2, "Pas touchée depuis hier à 18 h 30"), (0, "En ligne")],
        [(2, "Not touched since yesterday at 18:30"), (0, "Online")],
    ),
    Case(
        "not touched for days",
        ONLINE,
        {"last_touch_at": paris(2026, 12, 1, 8, 0)},
        [(2, "Pas touchée depuis le 1er décembre"), (0, "En ligne")],
        [(2, "Not touched since 1 December"), (0, "Online")],
    ),
    Case(
        "touched a moment ago",
        ONLINE,
        {"last_touch_at": paris(2026, 12, 4, 13, 47)},
        [(0, "En ligne"), (0, "Touchée à 13 h 47")],
        [(0, "Online"), (0, "Touched at 13:47")],
    ),
    Case(
        "storage almost full",
        ONLINE,
        {"free_disk_bytes": 1_280_000_000, "disk_total_bytes": 16_000_000_000},
        [(2, "Espace presque plein (92 %)"), (0, "En ligne")],
        [(2, "Storage almost full (92%)"), (0, "Online")],
    ),
    Case(
        "storage full",
        ONLINE,
        {"free_disk_bytes": 200_000_000, "disk_total_bytes": 16_000_000_000},
        [(3, "Espace plein (99 %)"), (0, "En ligne")],
        [(3, "Storage full (99%)"), (0, "Online")],
    ),
    Case(
        "little left, total unknown (an older tablet)",
        ONLINE,
        {"free_disk_bytes": 400_000_000},
        [(2, "Espace presque plein (il reste 400 Mo)"), (0, "En ligne")],
        [(2, "Storage almost full (400 MB left)"), (0, "Online")],
    ),
    Case(
        "plenty of room says nothing",
        ONLINE,
        {"free_disk_bytes": 8_000_000_000, "disk_total_bytes": 16_000_000_000},
        [(0, "En ligne")],
        [(0, "Online")],
    ),
    Case(
        "memory low",
        ONLINE,
        {"memory_available_bytes": 40_000_000},
        [(2, "Mémoire presque pleine (il reste 40 Mo)"), (0, "En ligne")],
        [(2, "Memory almost full (40 MB left)"), (0, "Online")],
    ),
    Case(
        "restarted 4 times today",
        ONLINE,
        {"restarts_today": 4},
        [(2, "Redémarrée 4 fois aujourd'hui"), (0, "En ligne")],
        [(2, "Restarted 4 times today"), (0, "Online")],
    ),
    Case(
        "restarted once",
        ONLINE,
        {"restarts_today": 1},
        [(1, "Redémarrée 1 fois aujourd'hui"), (0, "En ligne")],
        [(1, "Restarted once today"), (0, "Online")],
    ),
    Case(
        "yesterday's restarts are not today's",
        ONLINE,
        {"restarts_today": 4, "reported_at": paris(2026, 12, 3, 23)},
        [(0, "En ligne")],
        [(0, "Online")],
    ),
    Case(
        "an update applied this morning",
        ONLINE,
        {
            "app_version": "0.3.1",
            "previous_app_version": "0.3.0",
            "app_version_since": paris(2026, 12, 4, 9, 0),
        },
        [(0, "En ligne"), (0, "Mise à jour 0.3.1 appliquée aujourd'hui à 9 h")],
        [(0, "Online"), (0, "Update 0.3.1 applied today at 9:00")],
    ),
    Case(
        "an update of last month is no news",
        ONLINE,
        {"previous_app_version": "0.3.0", "app_version_since": paris(2026, 11, 1)},
        [(0, "En ligne")],
        [(0, "Online")],
    ),
    Case(
        "running for three days",
        ONLINE,
        {"started_at": paris(2026, 12, 1, 13, 0)},
        [(0, "En ligne"), (0, "En marche depuis 3 jours")],
        [(0, "Online"), (0, "Running for 3 days")],
    ),
    Case(
        "the backend unreachable, as a code",
        ONLINE,
        {"last_error_code": "backend_unreachable", "last_error": "HTTPSConnectionPool(...)"},
        [(2, "La tablette n'arrive pas à joindre le service Foyer."), (0, "En ligne")],
        [(2, "The tablet cannot reach the Foyer service."), (0, "Online")],
    ),
    Case(
        "the disk full, as a code",
        ONLINE,
        {"last_error_code": "disk_full"},
        [(3, "La mémoire de stockage de la tablette est pleine."), (0, "En ligne")],
        [(3, "The tablet's storage is full."), (0, "Online")],
    ),
    Case(
        "an older tablet's text is never shown",
        ONLINE,
        {"last_error": "Traceback (most recent call last): KeyError 'photos'"},
        [(1, "La tablette a signalé une erreur."), (0, "En ligne")],
        [(1, "The tablet reported an error."), (0, "Online")],
    ),
    Case(
        "an older tablet's known text",
        ONLINE,
        {"last_error": "backend unreachable"},
        [(2, "La tablette n'arrive pas à joindre le service Foyer."), (0, "En ligne")],
        [(2, "The tablet cannot reach the Foyer service."), (0, "Online")],
    ),
    Case(
        "a refused configuration",
        ONLINE,
        {"last_error": "configuration 3 refusée : font_scale hors bornes"},
        [(2, "La tablette a refusé sa configuration."), (0, "En ligne")],
        [(2, "The tablet refused its configuration."), (0, "Online")],
    ),
    Case(
        "a code from a newer tablet",
        ONLINE,
        {"last_error_code": "camera_gone"},
        [(1, "La tablette signale un problème (code camera_gone)."), (0, "En ligne")],
        [(1, "The tablet reports a problem (code camera_gone)."), (0, "Online")],
    ),
    Case(
        "writes piling up",
        ONLINE,
        {"outbox_pending": 73},
        [(2, "73 envois en attente sur la tablette"), (0, "En ligne")],
        [(2, "73 writes waiting on the tablet"), (0, "Online")],
    ),
    Case(
        "offline: its old screen and touches are not news",
        paris(2026, 12, 4, 9, 0),
        {"screen_on": False, "screen_off_reason": "night", "last_touch_at": paris(2026, 12, 4, 6)},
        [(3, "Tablette hors ligne depuis 5 h (dernier contact 9 h)")],
        [(3, "Tablet offline for 5 h (last contact 9:00)")],
    ),
    Case(
        "no report yet",
        ONLINE,
        None,
        [(0, "En ligne"), (1, "Pas encore de nouvelles de la tablette (elle n'a rien rapporté)")],
        [(0, "Online"), (1, "No news from the tablet yet (it has reported nothing)")],
    ),
    Case(
        "retired",
        ONLINE,
        {},
        [(0, "Tablette retirée (hier à 17 h)")],
        [(0, "Tablet removed (yesterday at 17:00)")],
        revoked=paris(2026, 12, 3, 17),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_state_in_words(case: Case, lang: str) -> None:
    device = _device(case.seen, case.revoked)
    status = _status(**case.status) if case.status is not None else None
    items = health.assess(device, status, PARIS, NOW.astimezone(UTC), lang)
    said = [(i.severity, i.text.replace("\u00a0", " ")) for i in items]
    wanted = case.fr if lang == "fr" else case.en
    assert said == sorted(wanted, key=lambda w: -w[0])


ENGLISH_WORDS = re.compile(r"\b(the|offline|since|touched|storage|error|tablet)\b", re.I)
FRENCH_WORDS = re.compile(r"(é|è|à|\bla\b|\bdepuis\b|\bTablette\b|\bEspace\b)")


def test_no_language_leaks_into_the_other() -> None:
    for case in CASES:
        device = _device(case.seen, case.revoked)
        status = _status(**case.status) if case.status is not None else None
        for item in health.assess(device, status, PARIS, NOW.astimezone(UTC), "fr"):
            assert not ENGLISH_WORDS.search(item.text.replace("Tablette", "")), item.text
            assert "Traceback" not in item.text and "HTTPS" not in item.text
        for item in health.assess(device, status, PARIS, NOW.astimezone(UTC), "en"):
            assert not FRENCH_WORDS.search(item.text), item.text


def test_every_error_code_is_said_in_both_languages() -> None:
    for code, (severity, french, english) in health.ERROR_CODES.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", code)
        assert 0 <= severity <= 3 and french.endswith(".") and english.endswith(".")
        assert health.error_words(code, "fr") == (severity, french)
        assert health.error_words(code, "en") == (severity, english)


def test_every_code_the_tablet_sends_is_said_in_words() -> None:
    """What kiosk/status_report.py may send is never "a problem (code …)"."""
    from kiosk import status_report as tablet

    sent = (tablet.BACKEND_UNREACHABLE, tablet.CLOCK_WRONG, tablet.CONFIG_REFUSED,
            tablet.DISK_FULL, tablet.UNEXPECTED)  # fmt: skip
    assert [code for code in sent if code not in health.ERROR_CODES] == []


# --- through the API ------------------------------------------------------------------------------


def test_the_health_endpoint_says_what_needs_a_person_first(make_client: MakeClient) -> None:
    clock = Clock(NOW.astimezone(UTC))
    client = make_client(clock=clock, run_jobs=False, access_token_ttl_seconds=TOKEN_TTL)
    home = Home.create(client, care_manager(client), clock)
    home.alive(
        free_disk_bytes=1_280_000_000,
        disk_total_bytes=16_000_000_000,
        restarts_today=4,
        last_touch_at=paris(2026, 12, 4, 11).isoformat(),
        last_error="Traceback: boom",
    )
    home.at(NOW + timedelta(minutes=1))
    url = f"{API}/devices/{home.device_id}/health"
    french = client.get(url, headers=home.cm.headers).json()
    assert french["severity"] == 2
    said = {i["code"]: i["text"].replace("\u00a0", " ") for i in french["items"]}
    assert said == {
        "disk": "Espace presque plein (92 %)",
        "restarts": "Redémarrée 4 fois aujourd'hui",
        "online": "En ligne",
        "untouched": "Pas touchée depuis 11 h",
        "error": "La tablette a signalé une erreur.",
    }
    codes = [i["code"] for i in french["items"]]
    severities = [i["severity"] for i in french["items"]]
    assert severities == sorted(severities, reverse=True)
    assert set(codes) == {"disk", "restarts", "online", "untouched", "error"}
    assert "Traceback" not in str(french)
    english = client.get(url, params={"lang": "en"}, headers=home.cm.headers).json()
    assert "Storage almost full (92%)" in [i["text"] for i in english["items"]]
    assert client.get(url, params={"lang": "de"}, headers=home.cm.headers).status_code == 422
    other = care_manager(client)
    assert client.get(url, headers=other.headers).status_code == 404
    # Three hours later, nothing heard: offline comes first, and urgent.
    home.at(NOW + timedelta(hours=3))
    later = client.get(url, headers=home.cm.headers).json()
    assert later["severity"] == 3 and later["items"][0]["code"] == "offline"
