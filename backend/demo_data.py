"""Demo data: a care manager and Jeanne Martin with a real-looking week of visits, her
daughter Marie and grandson Thomas (both approved to call her tablet, Marie with auto-answer),
Claire her nurse, the messages they left, and her morning medication reminder; the care
manager's own service, which she manages (its tablets and their updates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Beneficiary, User
from backend.services import accounts, agenda, calls, circle, messages, reminders

DEMO_EMAIL = "claire.dubois@foyer.example"
# Demo only, and printed by `foyer-demo`: this account exists in demo databases alone.
DEMO_PASSWORD = "demo-foyer-2026"  # noqa: S105
DEMO_NAME = "Claire Dubois"
# Marie, the daughter: `foyer-demo` signs in as her to send photos, as a family would.
DEMO_FAMILY_EMAIL = "marie.martin@foyer.example"
DEMO_FAMILY_PASSWORD = "demo-marie-2026"  # noqa: S105 (demo databases only)
DEMO_FAMILY_NAME = "Marie Martin"
DEMO_ORGANISATION = "Service autonomie de Lyon"


def seed(session: Session, today: date, now: datetime | None = None) -> tuple[User, Beneficiary]:
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
    now = now or datetime.now(UTC)
    # Claire's service, which she manages: its « Parc de tablettes » and « Mises à jour »
    # pages show Jeanne's tablet once the demo pairs it (docs/console.md).
    circle.create_organisation(session, user, DEMO_ORGANISATION, "care_management")
    _seed_circle(session, user, jeanne, now)
    _seed_reminders(session, user, jeanne, monday, now)
    return user, jeanne


def _seed_reminders(
    session: Session, manager: User, jeanne: Beneficiary, monday: date, now: datetime
) -> None:
    """Jeanne's morning pills: every day at 8 h, "C'est fait" wanted, and Marie and the care
    manager alerted when it is not confirmed within 30 minutes."""
    marie = session.scalar(select(User).where(User.email == DEMO_FAMILY_EMAIL))
    reminders.create_reminder(
        session,
        manager,
        jeanne.id,
        title="Médicaments du matin",
        kind="medication",
        detail="Le pilulier bleu, la case du matin, avec un grand verre d'eau.",
        start=datetime.combine(monday, time(8)),  # wall-clock time in Europe/Paris
        rrule="FREQ=DAILY",
        confirm_wanted=True,
        repeat_every_minutes=10,
        repeat_count=3,
        escalate_after_minutes=30,
        watcher_ids=[marie.id] if marie is not None else [],
        now=now,
    )


def _join(
    session: Session,
    inviter: User,
    beneficiary: Beneficiary,
    email: str,
    name: str,
    password: str,
    now: datetime,
    *,
    relation: str = "family",
    profession: str | None = None,
) -> User:
    """Invited and accepted at once, as the person would with the link."""
    invitation, _token = circle.create_invitation(
        session,
        inviter,
        beneficiary,
        email=email,
        name=name,
        relation=relation,
        profession=profession,
        organisation_id=None,
        now=now,
        ttl=timedelta(days=1),
    )
    return circle.accept_invitation(
        session, invitation, user=None, name=name, password=password, now=now
    )


def _seed_circle(session: Session, manager: User, jeanne: Beneficiary, now: datetime) -> None:
    """The people around Jeanne and what they wrote: the tablet shows unread messages."""
    marie = _join(
        session, manager, jeanne, DEMO_FAMILY_EMAIL, DEMO_FAMILY_NAME, DEMO_FAMILY_PASSWORD, now
    )
    thomas = _join(
        session, manager, jeanne, "thomas.martin@foyer.example", "Thomas Martin",
        "demo-thomas-2026", now,
    )  # fmt: skip
    nurse = _join(
        session, manager, jeanne, "claire.petit@foyer.example", "Claire Petit",
        "demo-claire-2026", now, relation="professional", profession="nurse",
    )  # fmt: skip

    def write(
        author: User,
        hours_ago: float,
        space: str,
        body: str,
        recipient_ids: list[int] | None = None,
        to_beneficiary: bool = False,
    ) -> None:
        messages.create_message(
            session,
            author,
            jeanne.id,
            space=space,
            body=body,
            recipient_ids=recipient_ids or [],
            to_beneficiary=to_beneficiary,
            now=now - timedelta(hours=hours_ago),
        )

    # Marie and Thomas may call Jeanne's tablet; Marie's calls open by themselves after the
    # countdown (auto-answer), Thomas's ring (docs/calls.md).
    calls.approve_caller(session, manager, jeanne.id, marie.id, now, auto_answer=True)
    calls.approve_caller(session, manager, jeanne.id, thomas.id, now)

    write(thomas, 26, "daily", "Il n'y a plus de sacs poubelle, j'en rapporte jeudi. Bises !")
    write(
        manager,
        5,
        "health",
        "Claire, la tension de Mme Martin était un peu haute jeudi (15/9). "
        "Pouvez-vous la reprendre demain matin et me la noter ?",
        recipient_ids=[nurse.id],
    )
    write(
        nurse,
        3,
        "health",
        "Bonjour Madame Martin, je passe demain à 8 h comme d'habitude. "
        "Pensez à boire un grand verre d'eau au réveil.",
        to_beneficiary=True,
    )
    write(
        marie,
        0.7,
        "daily",
        "Bonjour Maman ! Je passe dimanche avec les enfants. Léa a fait un dessin pour toi.",
    )
