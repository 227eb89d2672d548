"""« Ce que mes proches voient » without Qt: who, in plain words, sees what; and the state of
"Partager mon humeur" the tablet shows (its own choice first, then the backend's)."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.circle_view import (
    MoodSharing,
    Person,
    inferred_pause,
    mood_sharing,
    parse_circle,
    sees_words,
    who_words,
)


def person(name: str, role: str, label: str, sees: list[str], id_: int = 1) -> dict[str, object]:
    return {"id": id_, "name": name, "role": role, "role_label": label, "sees": sees}


MARIE = person("Marie Martin", "family", "fille", ["mood", "photos", "messages"], 5)
CLAIRE = person("Claire Petit", "health_professional", "infirmière", ["agenda", "visits"], 7)


def test_the_circle_in_plain_french_family_first() -> None:
    people = parse_circle([CLAIRE, MARIE])
    assert [p.name for p in people] == ["Marie Martin", "Claire Petit"]
    marie, claire = people
    assert who_words(marie) == "Marie Martin, votre fille,"
    assert sees_words(marie) == "voit vos messages, vos photos et votre humeur."
    assert who_words(claire) == "Claire Petit, votre infirmière,"
    assert sees_words(claire) == "voit votre agenda et les visites chez vous."


def test_every_way_a_person_can_be_said() -> None:
    def said(label: str, sees: list[str]) -> str:
        [p] = parse_circle([person("Luc Martin", "family", label, sees)])
        return f"{who_words(p)} {sees_words(p)}"

    assert said("famille", ["photos"]) == "Luc Martin, de votre famille, voit vos photos."
    assert said("conseil autonomie", []) == (
        "Luc Martin, votre conseiller autonomie, ne voit rien pour le moment."
    )
    assert said("", ["messages"]) == "Luc Martin voit vos messages."
    # A label the tablet does not know is shown as it came.
    assert said("gendre", ["messages"]) == "Luc Martin (gendre) voit vos messages."


def test_the_words_come_through_the_language_given() -> None:
    english = {
        "{name}, {role},": "{name}, {role},",
        "votre fille": "your daughter",
        "voit {things}.": "sees {things}.",
        "{first} et {last}": "{first} and {last}",
        "vos messages": "your messages",
        "vos photos": "your photos",
        "votre humeur": "your mood",
    }
    [marie] = parse_circle([MARIE])
    assert who_words(marie, english.get) == "Marie Martin, your daughter,"  # type: ignore[arg-type]
    assert sees_words(marie, english.get) == (  # type: ignore[arg-type]
        "sees your messages, your photos and your mood."
    )


def test_a_bad_record_is_left_out_and_an_unknown_thing_seen_too() -> None:
    records = [
        "nonsense",
        {"id": "x", "name": "Paul"},
        {"id": 3, "name": "   "},
        {"id": 4, "name": "Paul  Durand", "sees": "photos"},
        {"id": 6, "name": "Léa", "role": "friend", "sees": ["photos", "bank_account"]},
    ]
    people = parse_circle(records)
    assert [(p.id, p.name, p.sees) for p in people] == [(6, "Léa", ("photos",))]


def test_the_pause_the_tablet_shows() -> None:
    shared = parse_circle([MARIE, CLAIRE])
    paused = parse_circle([{**MARIE, "sees": ["photos", "messages"]}, CLAIRE])
    only_staff = parse_circle([CLAIRE])
    assert inferred_pause(shared) is False
    assert inferred_pause(paused) is True
    assert inferred_pause(only_staff) is None  # nobody the pause would hide it from
    since = "2026-11-20T08:30:00+00:00"
    at = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    # Nothing known: what the synced circle says, else shared.
    assert mood_sharing(shared, None, None) == MoodSharing(False)
    assert mood_sharing(paused, None, None) == MoodSharing(True)
    assert mood_sharing(only_staff, None, None) == MoodSharing(False)
    # The backend's answer, with its "since" (the circle agrees or cannot tell).
    assert mood_sharing(paused, {"paused": True, "since": since}, None) == MoodSharing(True, at)
    assert mood_sharing(only_staff, {"paused": True, "since": since}, None) == MoodSharing(True, at)
    # A sync newer than the answer says otherwise: the sync wins; an answer newer than the
    # last sync (the circle's update is on its way) holds.
    assert mood_sharing(shared, {"paused": True, "since": since}, None) == MoodSharing(False)
    assert mood_sharing(
        shared, {"paused": True, "since": since}, None, answer_is_newer=True
    ) == MoodSharing(True, at)
    # A choice made here and not answered yet wins over both.
    wish = {"paused": True, "at": since, "key": "k"}
    assert mood_sharing(shared, None, wish) == MoodSharing(True, at, pending=True)
    assert mood_sharing([Person(1, "x", "family", "", ())], None, {"paused": "?"}) == (
        MoodSharing(True)
    )
