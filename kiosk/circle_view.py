"""« Ce que mes proches voient » : who is in the beneficiary's circle and what each person sees,
in very plain words, and whether her mood is shared; without Qt.

From the synced kind "circle" (one record per person: `{"id", "name", "role", "role_label",
"sees"}`, `role_label` in French as the backend writes it, `sees` a subset of SEES) and what
is known of "Partager mon humeur" (`MoodSharing`). The words come through `translate`
(QCoreApplication.translate in CONTEXT, `kiosk.i18n.in_context`): French by default.

    Marie Martin, votre fille,
    voit vos messages, vos photos et votre humeur.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

KIND = "circle"  # the synced kind
ACTION = "mood_sharing"  # the device action: {"paused": bool, "at": ISO aware}
CONTEXT = "CircleWords"
SEES = ("agenda", "messages", "photos", "mood", "visits")  # the order they are said in
# Roles the pause of "Partager mon humeur" hides the mood from (backend.services.wellbeing).
PAUSE_HIDES_FROM = frozenset({"family", "friend"})


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    """Marks `text` for the catalogue (pyside6-lupdate finds it) and returns it unchanged."""
    return text


# What each person sees, as it is said.
SEES_WORDS = {
    "agenda": QT_TRANSLATE_NOOP("CircleWords", "votre agenda"),
    "messages": QT_TRANSLATE_NOOP("CircleWords", "vos messages"),
    "photos": QT_TRANSLATE_NOOP("CircleWords", "vos photos"),
    "mood": QT_TRANSLATE_NOOP("CircleWords", "votre humeur"),
    "visits": QT_TRANSLATE_NOOP("CircleWords", "les visites chez vous"),
}
SEES_ONE = QT_TRANSLATE_NOOP("CircleWords", "voit {things}.")
SEES_NOTHING = QT_TRANSLATE_NOOP("CircleWords", "ne voit rien pour le moment.")
AND = QT_TRANSLATE_NOOP("CircleWords", "{first} et {last}")

# The backend's French role labels (backend/services/consent.py), said to the beneficiary.
# A label not listed here is shown as it came, after the name.
ROLE_WORDS = {
    "fille": QT_TRANSLATE_NOOP("CircleWords", "votre fille"),
    "fils": QT_TRANSLATE_NOOP("CircleWords", "votre fils"),
    "famille": QT_TRANSLATE_NOOP("CircleWords", "de votre famille"),
    "ami·e": QT_TRANSLATE_NOOP("CircleWords", "votre ami·e"),
    "voisin·e": QT_TRANSLATE_NOOP("CircleWords", "votre voisin·e"),
    "ami ou voisin": QT_TRANSLATE_NOOP("CircleWords", "votre ami ou voisin"),
    "infirmière": QT_TRANSLATE_NOOP("CircleWords", "votre infirmière"),
    "infirmier": QT_TRANSLATE_NOOP("CircleWords", "votre infirmier"),
    "médecin": QT_TRANSLATE_NOOP("CircleWords", "votre médecin"),
    "kinésithérapeute": QT_TRANSLATE_NOOP("CircleWords", "votre kinésithérapeute"),
    "orthophoniste": QT_TRANSLATE_NOOP("CircleWords", "votre orthophoniste"),
    "aide à domicile": QT_TRANSLATE_NOOP("CircleWords", "votre aide à domicile"),
    "bénévole": QT_TRANSLATE_NOOP("CircleWords", "bénévole auprès de vous"),
    "conseil autonomie": QT_TRANSLATE_NOOP("CircleWords", "votre conseiller autonomie"),
    "professionnel de santé": QT_TRANSLATE_NOOP("CircleWords", "professionnel de santé"),
}
WITH_ROLE = QT_TRANSLATE_NOOP("CircleWords", "{name}, {role},")
WITH_LABEL = QT_TRANSLATE_NOOP("CircleWords", "{name} ({label})")


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str  # "family", "health_professional"… (may be empty)
    role_label: str  # French, from the backend: "fille", "infirmière"… (may be empty)
    sees: tuple[str, ...]  # in SEES order


# Her family and friends first, then those who look after her, each group by name.
_ROLE_ORDER = {
    role: i
    for i, role in enumerate(
        ("family", "friend", "health_professional", "care_worker", "volunteer", "care_manager")
    )
}


def parse_circle(records: Iterable[object]) -> list[Person]:
    """The synced records as people (family and friends first, then by name); a malformed
    record is skipped (and logged), a "sees" the tablet does not know is left out."""
    people: dict[int, Person] = {}
    for record in records:
        try:
            if not isinstance(record, Mapping):
                raise TypeError("not an object")
            person_id = record["id"]
            name = " ".join(str(record["name"]).split())
            if not isinstance(person_id, int) or isinstance(person_id, bool) or not name:
                raise ValueError("no id or no name")
            seen = record.get("sees") or []
            if not isinstance(seen, list | tuple):
                raise TypeError("sees is not a list")
            people[person_id] = Person(
                id=person_id,
                name=name,
                role=str(record.get("role") or ""),
                role_label=" ".join(str(record.get("role_label") or "").split()),
                sees=tuple(what for what in SEES if what in seen),
            )
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("circle record skipped: %s", exc)
    return sorted(
        people.values(), key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.name.casefold(), p.id)
    )


def who_words(person: Person, translate: Callable[[str], str] = _same) -> str:
    """ "Marie Martin, votre fille," — the name and what the person is to the beneficiary."""
    label = person.role_label
    if not label:
        return person.name
    role = ROLE_WORDS.get(label.casefold())
    if role is not None:
        return translate(WITH_ROLE).format(name=person.name, role=translate(role))
    return translate(WITH_LABEL).format(name=person.name, label=label)


def sees_words(person: Person, translate: Callable[[str], str] = _same) -> str:
    """ "voit vos messages, vos photos et votre humeur." """
    things = [translate(SEES_WORDS[what]) for what in person.sees]
    if not things:
        return translate(SEES_NOTHING)
    if len(things) == 1:
        listed = things[0]
    else:
        listed = translate(AND).format(first=", ".join(things[:-1]), last=things[-1])
    return translate(SEES_ONE).format(things=listed)


# -- "Partager mon humeur" --------------------------------------------------------------------


@dataclass(frozen=True)
class MoodSharing:
    """What the tablet shows of the pause: `paused`, since when if known, and whether a change
    asked here is still on its way to the backend (`pending`)."""

    paused: bool
    since: datetime | None = None
    pending: bool = False


def inferred_pause(people: Iterable[Person]) -> bool | None:
    """What the synced circle says: paused when family or friends are in it and none of them
    sees the mood; None when it cannot tell (no family nor friend)."""
    close = [p for p in people if p.role in PAUSE_HIDES_FROM]
    if not close:
        return None
    return not any("mood" in p.sees for p in close)


def mood_sharing(
    people: Iterable[Person],
    answer: Mapping[str, Any] | None,
    wish: Mapping[str, Any] | None,
    *,
    answer_is_newer: bool = False,
) -> MoodSharing:
    """The state to show. A change asked here and not answered yet (`wish`: {"paused", "at"})
    wins; then the backend's last answer ({"paused", "since"}), unless a circle synced since
    that answer (`answer_is_newer` False) says otherwise; then the circle alone; else shared."""
    if wish is not None and isinstance(wish.get("paused"), bool):
        return MoodSharing(bool(wish["paused"]), _instant(wish.get("at")), pending=True)
    inferred = inferred_pause(people)
    if answer is not None and isinstance(answer.get("paused"), bool):
        paused = bool(answer["paused"])
        if answer_is_newer or inferred is None or inferred == paused:
            return MoodSharing(paused, _instant(answer.get("since")) if paused else None)
    if inferred is not None:
        return MoodSharing(inferred)
    return MoodSharing(False)


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
