"""Demo data: a care manager and Jeanne Martin with a real-looking week of visits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Beneficiary, User
from backend.services import accounts, agenda

DEMO_EMAIL = "claire.dubois@foyer.example"
# Demo only, and printed by `foyer demo`: this account exists in demo databases alone.
DEMO_PASSWORD = "demo-foyer-2026"  # noqa: S105
DEMO_NAME = "Claire Dubois"


def seed(session: Session, today: date) -> tuple[User, Beneficiary]:
    """Create the demo care manager and beneficiary (once; later calls return them)."""
    user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        user = accounts.create_user(session, DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME, "care_manager")
    existing = session.scalar(
        select(Beneficiary).where(
            Beneficiary.care_manager_id == user.id,
            Beneficiary.first_name == "Jeanne",
            Beneficiary.last_name == "Martin",
        )
    )
    if existing is not None:
        return user, existing
    jeanne = agenda.create_beneficiary(
        session, user, "Jeanne", "Martin", "Europe/Paris", "Lyon", 45.7640, 4.8357
    )
    monday = today - timedelta(days=today.weekday())

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute))  # wall-clock time in Europe/Paris

    agenda.create_event(
        session,
        jeanne,
        title="Soins infirmiers",
        kind="visit",
        who="Claire, infirmière",
        start=at(monday, 8),
        duration_minutes=30,
        rrule="FREQ=DAILY",
        exdates=[],
    )
    agenda.create_event(
        session,
        jeanne,
        title="Aide à domicile",
        kind="visit",
        who="Sophie, aide à domicile",
        start=at(monday, 11),
        duration_minutes=60,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        exdates=[],
    )
    agenda.create_event(
        session,
        jeanne,
        title="Rendez-vous chez le médecin",
        kind="appointment",
        who="Dr Bernard, médecin traitant",
        start=at(monday + timedelta(days=3), 15),
        duration_minutes=45,
        rrule=None,
        exdates=[],
    )
    agenda.create_event(
        session,
        jeanne,
        title="Visite de la famille",
        kind="family",
        who="Marie, votre fille, et les petits-enfants",
        start=at(monday + timedelta(days=6), 15),
        duration_minutes=150,
        rrule=None,
        exdates=[],
    )
    return user, jeanne
