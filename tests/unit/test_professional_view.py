"""The professionals' entry without Qt: today's schedule, instructions only after the PIN and
only for roles that may see them, their health messages, outbox data, the local PIN lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.services.wellbeing import check_recent, parse_instant
from kiosk.home_view import LineState
from kiosk.professional_view import (
    PinLock,
    Professional,
    build_identified_view,
    build_professional_view,
    is_pin,
    visit_action_data,
)
from kiosk.store import event_from_payload

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 15, tzinfo=PARIS)  # Monday
NURSE, AIDE = 11, 12


def payload(
    id_: int,
    start: str,
    title: str,
    *,
    minutes: int = 30,
    who: str = "",
    rrule: str | None = None,
    instructions: str | None = None,
    person_id: int | None = None,
) -> dict[str, Any]:
    """An event as backend.services.agenda.event_payload syncs it."""
    p: dict[str, Any] = {
        "id": id_,
        "title": title,
        "kind": "visit",
        "who": who,
        "start_local": start,
        "timezone": "Europe/Paris",
        "duration_minutes": minutes,
        "rrule": rrule,
        "exdates": [],
    }
    if instructions is not None:
        p["instructions"] = instructions
    if person_id is not None:
        p["person_id"] = person_id
    return p


def monday() -> list[dict[str, Any]]:
    return [
        payload(
            1,
            "2026-11-02T08:00:00",
            "Soins infirmiers",
            who="Inès, infirmière",
            rrule="FREQ=DAILY",
            instructions="Pansement au talon gauche.\nVérifier la glycémie.",
            person_id=NURSE,
        ),
        payload(2, "2026-11-23T10:00:00", "Aide à la toilette", minutes=60, person_id=AIDE),
        payload(3, "2026-11-23T15:00:00", "Kiné", instructions="  "),
        payload(4, "2026-11-24T08:00:00", "Demain", instructions="Pas aujourd'hui"),
    ]


def view_at(now: datetime = NOW, records: list[dict[str, Any]] | None = None) -> Any:
    records = monday() if records is None else records
    return build_professional_view([event_from_payload(r) for r in records], records, now)


def test_todays_schedule_in_order_with_states_and_instructions() -> None:
    view = view_at()
    got = [(v.event_id, v.start.hour, v.state, v.instructions) for v in view.visits]
    assert got == [
        (1, 8, LineState.PAST, "Pansement au talon gauche.\nVérifier la glycémie."),
        (2, 10, LineState.CURRENT, ""),
        (3, 15, LineState.NEXT, ""),  # blank instructions are none
    ]
    assert [v.person_id for v in view.visits] == [NURSE, AIDE, None]
    assert all(v.start.tzinfo is PARIS for v in view.visits)


def test_before_the_pin_no_instructions_at_all() -> None:
    view = view_at()
    assert all(v.instructions == "" for v in view.public())
    assert [v.title for v in view.public()] == ["Soins infirmiers", "Aide à la toilette", "Kiné"]
    assert view.has_instructions(view.public()[0]) and not view.has_instructions(view.public()[1])


def test_the_schedule_follows_daylight_saving() -> None:
    # Sunday 25 October 2026: clocks go back; the daily 8:00 visit stays at 8:00 Paris time.
    daily = {**monday()[0], "start_local": "2026-10-01T08:00:00"}
    sunday = datetime(2026, 10, 25, 7, 0, tzinfo=PARIS)
    visits = view_at(sunday, [daily]).visits
    assert [(v.start.hour, v.start.utcoffset()) for v in visits] == [(8, timedelta(hours=1))]
    saturday = datetime(2026, 10, 24, 7, 0, tzinfo=PARIS)
    before = view_at(saturday, [daily]).visits
    assert [(v.start.hour, v.start.utcoffset()) for v in before] == [(8, timedelta(hours=2))]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_professional_view([], [], datetime(2026, 11, 23, 10, 0))


def nurse(*, instructions: bool = True, visits: bool = True) -> Professional:
    return Professional(NURSE, "Inès Leroy", visits, instructions)


def message(id_: int, minutes_ago: int, *, read: bool = False) -> dict[str, Any]:
    return {
        "id": id_,
        "body": f"Message {id_}",
        "author_name": "Claire Dupont",
        "created_at": (NOW - timedelta(minutes=minutes_ago)).astimezone(UTC).isoformat(),
        "reply_to_id": None,
        "read": read,
    }


def test_identified_professional_sees_instructions_and_messages() -> None:
    records = [message(1, 90, read=True), message(2, 5), message(3, 60)]
    identified = build_identified_view(view_at(), nurse(), records, NOW)
    assert identified.visits[0].instructions.startswith("Pansement")
    assert [m.id for m in identified.messages] == [2, 3, 1]  # unread first, then newest
    assert all(m.health for m in identified.messages)
    assert [v.event_id for v in identified.own_visits()] == [1]


def test_a_role_without_instructions_sees_none_even_identified() -> None:
    identified = build_identified_view(view_at(), nurse(instructions=False), [], NOW)
    assert all(v.instructions == "" for v in identified.visits)
    assert len(identified.visits) == 3


def test_visit_action_data_is_what_the_backend_accepts() -> None:
    at = datetime(2026, 11, 23, 10, 16, 30, tzinfo=PARIS)
    data = visit_action_data(NURSE, "048213", at)
    assert set(data) == {"user_id", "pin", "at"}
    assert data["user_id"] == NURSE and data["pin"] == "048213"  # leading zero kept
    parsed = parse_instant(data["at"], "at")  # the backend's own parser
    assert check_recent(parsed, at.astimezone(UTC), "at") == at
    with pytest.raises(ValueError, match="aware"):
        visit_action_data(NURSE, "1234", datetime(2026, 11, 23, 10, 0))


@pytest.mark.parametrize(
    ("text", "ok"),
    [("1234", True), ("12345678", True), ("123", False), ("123456789", False),
     ("12a4", False), ("１２３４", False), ("", False)],
)  # fmt: skip
def test_is_pin(text: str, ok: bool) -> None:
    assert is_pin(text) is ok


def test_pin_lock_after_five_wrong_pins_for_a_minute() -> None:
    lock = PinLock()
    assert [lock.failure(float(t)) for t in range(5)] == [False, False, False, False, True]
    assert lock.remaining(4.0) == 60.0
    assert lock.remaining(34.0) == 30.0
    assert lock.remaining(64.0) == 0.0
    # The count starts again after a lock, and a right PIN clears it.
    lock.failure(70.0)
    lock.failure(71.0)
    assert lock.failures == 2
    lock.success()
    assert lock.failures == 0


def test_pin_lock_honours_the_backends_retry_after() -> None:
    lock = PinLock()
    lock.lock_for(900, now=10.0)
    assert lock.remaining(10.0) == 900.0
    lock.lock_for(5, now=20.0)  # never shortened
    assert lock.remaining(20.0) == 890.0
