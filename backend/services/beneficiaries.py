"""A beneficiary's own details (name, town, time zone) and where the weather is taken: changed
by their care manager only (`Permission.EDIT_BENEFICIARY`).

The town is located with Open-Meteo's geocoding (`backend.services.geocoding`): `locate` says
whether a typed name is one place, several (the care manager chooses), or none. The chosen
place's coordinates are what the weather proxy asks Open-Meteo for; its time zone becomes the
beneficiary's when the care manager did not choose another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from backend.config import Settings
from backend.errors import Invalid
from backend.models import Beneficiary, User
from backend.policy import Permission
from backend.services import access, agenda, geocoding
from backend.services.agenda import zone
from backend.services.changes import record_change
from backend.text import check

MAX_NAME = 100
MAX_PLACE = 200


@dataclass(frozen=True)
class Location:
    """Where the person lives, as stored: the words shown and the weather's coordinates
    (None: no weather until a town is located)."""

    place_name: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Located:
    """What a typed town turned into: `place` when it is one (or was chosen), else the
    `choices` to offer (several), or nothing (`not_found`)."""

    place: geocoding.Place | None
    choices: list[geocoding.Place]

    @property
    def not_found(self) -> bool:
        return self.place is None and not self.choices


def for_edit(session: Session, user: User, beneficiary_id: int) -> Beneficiary:
    """The beneficiary, if `user` is their care manager (404 outside the circle, 403 in it)."""
    return access.require(session, user, beneficiary_id, Permission.EDIT_BENEFICIARY)


def locate(
    session: Session, settings: Settings, typed: str, choice: int | None, now: datetime
) -> Located:
    """The place meant by `typed`: the one result, or the result `choice` (its id) among
    several; several without a choice: the choices. Unavailable (503) when Open-Meteo fails."""
    places = geocoding.search(session, settings, typed, now)
    if choice is not None:
        chosen = [p for p in places if p.id == choice]
        if chosen:
            return Located(chosen[0], [])
    if len(places) == 1:
        return Located(places[0], [])
    return Located(None, places)


def _name(value: str, label: str) -> str:
    value = " ".join(check(value, label).split())
    first = label == "Le prénom"  # one whole sentence each, to be translated whole
    if not value:
        if first:
            raise Invalid("Le prénom ne peut pas être vide.")
        raise Invalid("Le nom ne peut pas être vide.")
    if len(value) > MAX_NAME:
        if first:
            raise Invalid("Le prénom ne peut dépasser {n} caractères.", n=MAX_NAME)
        raise Invalid("Le nom ne peut dépasser {n} caractères.", n=MAX_NAME)
    return value


def update(
    session: Session,
    user: User,
    beneficiary_id: int,
    *,
    first_name: str,
    last_name: str,
    timezone: str,
    location: Location | None,
) -> Beneficiary:
    """Change the details; `location` None leaves the town and coordinates as they are.
    The tablet learns of it at its next sync."""
    beneficiary = for_edit(session, user, beneficiary_id)
    first = _name(first_name, "Le prénom")
    last = _name(last_name, "Le nom")
    timezone = check(timezone, "Le fuseau horaire").strip()
    zone(timezone)
    if location is not None:
        place_name = " ".join(check(location.place_name, "La commune").split())
        if len(place_name) > MAX_PLACE:
            raise Invalid("La commune ne peut dépasser {n} caractères.", n=MAX_PLACE)
        if (location.latitude is None) != (location.longitude is None):
            raise Invalid("La latitude et la longitude vont ensemble.")
        beneficiary.place_name = place_name
        beneficiary.latitude = location.latitude
        beneficiary.longitude = location.longitude
    if timezone != beneficiary.timezone:
        _move_agenda(session, beneficiary, timezone)
    beneficiary.first_name = first
    beneficiary.last_name = last
    beneficiary.timezone = timezone
    session.flush()
    record_change(session, beneficiary.id, "beneficiary", beneficiary.id, "upsert")
    return beneficiary


def _move_agenda(session: Session, beneficiary: Beneficiary, timezone: str) -> None:
    """A corrected time zone (she lives in La Réunion, not in Paris): the events written in
    the old zone keep their wall-clock times in the new one ("9 h" stays "9 h"), as the care
    manager typed them for her. Events with a zone of their own (an imported planning's) stay."""
    for event in agenda.events_of(session, beneficiary.id):
        if event.timezone == beneficiary.timezone:
            event.timezone = timezone
            record_change(session, beneficiary.id, "event", event.id, "upsert")
