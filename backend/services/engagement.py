"""Family engagement, for the care manager: when each relative last wrote, sent a photo or
answered the beneficiary, and an opt-in, gentle e-mail after a chosen number of days of silence.

"Marie : il y a 2 jours · Luc : il y a 3 semaines". A relative is a person invited personally
as family, friend or neighbour. Their last contact is the latest of: a message of theirs
(not deleted), a photo they sent (not deleted), an answer of theirs to a message the
beneficiary wrote on the tablet. Tablets whose relatives never write are the ones people call
"broken": the care manager sees it here and may ask Foyer to remind someone, one by one
(`EngagementNudge`: after 3 to 90 days).

The reminder: a job `engagement_day` per beneficiary with nudges, at 10 h in the beneficiary's
zone each day (dedupe `engagement:<id>:<local date>`, planned for the next day by each run;
turning a nudge on, the engagement page and status reports start it again). A relative silent
for their number of days, still in the circle, who did not choose "never" for e-mails
(`NotificationPreference`), gets one e-mail for that silence: not another until they have
been in touch again. It is an `OutgoingEmail` with a fixed Message-ID
(`<nudge-{beneficiary}-{user}-{date}@…>`) sent by the `send_email` job of
`backend.services.mail`, held until the end of their quiet hours. It names the beneficiary and
how long, never anything of their health.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from backend.errors import Invalid, NotFound
from backend.models import (
    Beneficiary,
    CircleMember,
    EngagementNudge,
    Job,
    Message,
    OutgoingEmail,
    Photo,
    User,
)
from backend.policy import Permission
from backend.services import access, jobs, mail

PERMISSION = Permission.MANAGE_CIRCLE
RELATIONS = ("family", "friend", "neighbour")
MIN_DAYS, MAX_DAYS = 3, 90
JOB = "engagement_day"
SEND_AT = time(10, 0)
SUBJECT = "Foyer — des nouvelles pour {name} ?"


@dataclass(frozen=True)
class Contact:
    user: User
    relation: str
    last_message_at: datetime | None
    last_photo_at: datetime | None
    last_answer_at: datetime | None
    nudge_days: int | None  # the e-mail after so many days of silence; None: no e-mail
    nudged_at: datetime | None

    @property
    def last_contact_at(self) -> datetime | None:
        found = [t for t in (self.last_message_at, self.last_photo_at, self.last_answer_at) if t]
        return max(found) if found else None


def _latest(
    session: Session, who: Any, when: Any, *where: Any, join: tuple[Any, Any] | None = None
) -> dict[int, datetime]:
    """The latest `when` of each `who` among the rows `where` holds (`join`: a table and its
    condition, when `where` needs it)."""
    query = select(who, func.max(when))
    if join is not None:
        query = query.join(*join)
    rows = session.execute(query.where(*where).group_by(who)).all()
    return {user_id: at for user_id, at in rows if user_id is not None and at is not None}


def contacts(session: Session, beneficiary: Beneficiary) -> list[Contact]:
    """The beneficiary's relatives, the longest silent first (never in touch before all)."""
    members = session.execute(
        select(User, CircleMember.relation)
        .join(CircleMember, CircleMember.user_id == User.id)
        .where(CircleMember.beneficiary_id == beneficiary.id, CircleMember.relation.in_(RELATIONS))
        .order_by(User.name, User.id)
    ).all()
    if not members:
        return []
    ids = [user.id for user, _ in members]
    written = (
        Message.beneficiary_id == beneficiary.id,
        Message.author_user_id.in_(ids),
        Message.deleted_at.is_(None),
    )
    messages = _latest(session, Message.author_user_id, Message.created_at, *written)
    photos = _latest(
        session,
        Photo.sender_user_id,
        Photo.created_at,
        Photo.beneficiary_id == beneficiary.id,
        Photo.sender_user_id.in_(ids),
        Photo.deleted_at.is_(None),
    )
    answered = aliased(Message)  # an answer: a message replying to one the tablet wrote
    answers = _latest(
        session,
        Message.author_user_id,
        Message.created_at,
        *written,
        answered.author_device_id.is_not(None),
        join=(answered, answered.id == Message.reply_to_id),
    )
    nudges = {
        n.user_id: n
        for n in session.scalars(
            select(EngagementNudge).where(EngagementNudge.beneficiary_id == beneficiary.id)
        )
    }
    found = [
        Contact(
            user,
            relation,
            messages.get(user.id),
            photos.get(user.id),
            answers.get(user.id),
            nudges[user.id].after_days if user.id in nudges else None,
            nudges[user.id].last_sent_at if user.id in nudges else None,
        )
        for user, relation in members
    ]
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda c: (c.last_contact_at or never, c.user.name.casefold()))


# --- words --------------------------------------------------------------------------------------

_SINCE = {
    "fr": {
        "never": "jamais",
        "today": "aujourd'hui",
        "yesterday": "hier",
        "days": "il y a {n} jours",
        "one_week": "il y a 1 semaine",
        "weeks": "il y a {n} semaines",
        "one_month": "il y a 1 mois",
        "months": "il y a {n} mois",
        "separator": " : ",
    },
    "en": {
        "never": "never",
        "today": "today",
        "yesterday": "yesterday",
        "days": "{n} days ago",
        "one_week": "1 week ago",
        "weeks": "{n} weeks ago",
        "one_month": "1 month ago",
        "months": "{n} months ago",
        "separator": ": ",
    },
}


def since_words(moment: datetime | None, now: datetime, tz: ZoneInfo, lang: str = "fr") -> str:
    """ "aujourd'hui", "hier", "il y a 5 jours", "il y a 3 semaines", "il y a 2 mois" (whole
    days of the beneficiary's zone)."""
    words = _SINCE["en" if lang == "en" else "fr"]
    if moment is None:
        return words["never"]
    days = (now.astimezone(tz).date() - moment.astimezone(tz).date()).days
    if days <= 0:
        return words["today"]
    if days == 1:
        return words["yesterday"]
    if days < 14:
        return words["days"].format(n=days)
    if days < 60:
        weeks = days // 7
        return words["weeks"].format(n=weeks)
    months = days // 30
    return words["one_month"] if months == 1 else words["months"].format(n=months)


def short_names(found: list[Contact]) -> dict[int, str]:
    """First names ("Marie"), or the whole name when two relatives share one."""
    first = {c.user.id: (c.user.name.split() or [c.user.name])[0] for c in found}
    whole = {c.user.id: c.user.name for c in found}
    counts: dict[str, int] = {}
    for name in first.values():
        counts[name] = counts.get(name, 0) + 1
    return {uid: name if counts[name] == 1 else whole[uid] for uid, name in first.items()}


def summary(found: list[Contact], now: datetime, tz: ZoneInfo, lang: str = "fr") -> str:
    """ "Marie : il y a 2 jours · Luc : il y a 3 semaines" (the most recent first)."""
    names = short_names(found)
    separator = _SINCE["en" if lang == "en" else "fr"]["separator"]
    never = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(found, key=lambda c: c.last_contact_at or never, reverse=True)
    return " · ".join(
        f"{names[c.user.id]}{separator}{since_words(c.last_contact_at, now, tz, lang)}"
        for c in ordered
    )


# --- the gentle e-mail --------------------------------------------------------------------------


def relative(session: Session, beneficiary: Beneficiary, user_id: int) -> User:
    """A relative of the beneficiary (family, friend, neighbour invited personally), else 404."""
    row = session.execute(
        select(User)
        .join(CircleMember, CircleMember.user_id == User.id)
        .where(
            CircleMember.beneficiary_id == beneficiary.id,
            CircleMember.user_id == user_id,
            CircleMember.relation.in_(RELATIONS),
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("Cette personne n'est pas un proche de la famille ou des amis de ce cercle.")
    return row


def set_nudge(
    session: Session,
    actor: User,
    beneficiary: Beneficiary,
    user_id: int,
    after_days: int | None,
    now: datetime,
) -> EngagementNudge | None:
    """Remind `user_id` after `after_days` without contact (3 to 90), or never again (None).
    The caller checked `PERMISSION`."""
    relative(session, beneficiary, user_id)
    row = session.scalar(
        select(EngagementNudge).where(
            EngagementNudge.beneficiary_id == beneficiary.id, EngagementNudge.user_id == user_id
        )
    )
    if after_days is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    if isinstance(after_days, bool) or not MIN_DAYS <= after_days <= MAX_DAYS:
        raise Invalid(
            "Le nombre de jours doit être compris entre {low} et {high}.",
            low=MIN_DAYS,
            high=MAX_DAYS,
        )
    if row is None:
        row = EngagementNudge(beneficiary_id=beneficiary.id, user_id=user_id, enabled_at=now)
        session.add(row)
    row.after_days = after_days
    row.enabled_by_id = actor.id
    session.flush()
    ensure_planned(session, beneficiary, now)
    return row


def nudge_subject(beneficiary: Beneficiary) -> str:
    return SUBJECT.format(name=beneficiary.first_name)


def nudge_body(
    beneficiary: Beneficiary, user: User, last: datetime | None, now: datetime, link: str
) -> str:
    tz = ZoneInfo(beneficiary.timezone)
    name = mail.full_name(beneficiary)
    first = beneficiary.first_name
    if last is None:
        opening = f"{name} aimerait sans doute avoir de vos nouvelles dans Foyer."
    else:
        opening = (
            f"{name} n'a pas eu de vos nouvelles dans Foyer depuis "
            f"{since_words(last, now, tz).removeprefix('il y a ')}."
        )
    return "\n".join(
        [
            f"Bonjour {user.name},",
            "",
            opening,
            f"Un petit message ou une photo s'affiche en grand sur la tablette de {first} : "
            "cela lui ferait sûrement plaisir.",
            "",
            f"Écrire à {first} : {link}",
            "",
            "—",
            f"Vous recevez ce message parce que la personne qui accompagne {name} vous l'a "
            "proposé dans Foyer. Foyer ne vous en écrit qu'une fois tant que vous n'avez pas "
            "donné de nouvelles. Pour ne plus recevoir de messages de Foyer : « Mes "
            "notifications », « jamais ».",
            "",
        ]
    )


def _still_relative(session: Session, beneficiary: Beneficiary, user: User) -> bool:
    return bool(access.roles_of(session, user, beneficiary)) and (
        session.scalar(
            select(CircleMember.id).where(
                CircleMember.beneficiary_id == beneficiary.id,
                CircleMember.user_id == user.id,
                CircleMember.relation.in_(RELATIONS),
            )
        )
        is not None
    )


def due(contact: Contact, enabled_at: datetime, now: datetime) -> bool:
    """Silent for the chosen number of days (counted from when the e-mail was switched on for
    someone never in touch), and not yet reminded for this silence."""
    if contact.nudge_days is None:
        return False
    silent_since = contact.last_contact_at or enabled_at
    if now - silent_since < timedelta(days=contact.nudge_days):
        return False
    return contact.nudged_at is None or (
        contact.last_contact_at is not None and contact.nudged_at < contact.last_contact_at
    )


def send_due(session: Session, beneficiary: Beneficiary, now: datetime) -> list[OutgoingEmail]:
    """The e-mails owed today (in the caller's transaction)."""
    nudges = {
        n.user_id: n
        for n in session.scalars(
            select(EngagementNudge).where(EngagementNudge.beneficiary_id == beneficiary.id)
        )
    }
    sent = []
    day = now.astimezone(ZoneInfo(beneficiary.timezone)).date()
    for contact in contacts(session, beneficiary):
        nudge = nudges.get(contact.user.id)
        if nudge is None or not due(contact, nudge.enabled_at, now):
            continue
        if not _still_relative(session, beneficiary, contact.user):
            continue
        preferences = mail.get_preferences(session, contact.user)
        if preferences.email_mode == mail.NEVER:
            continue
        email = _email(session, beneficiary, contact, day, now)
        run_at = mail.quiet_until(preferences, now) or now
        jobs.enqueue(
            session, mail.SEND_EMAIL, {"email_id": email.id}, run_at, dedupe_key=f"email:{email.id}"
        )
        nudge.last_sent_at = now
        sent.append(email)
    return sent


def _email(
    session: Session, beneficiary: Beneficiary, contact: Contact, day: date, now: datetime
) -> OutgoingEmail:
    config = mail.config()
    link = f"{config.public_url}/b/{beneficiary.id}/messages?space=daily"
    email = OutgoingEmail(
        user_id=contact.user.id,
        to_address=contact.user.email,
        subject=nudge_subject(beneficiary),
        body=nudge_body(beneficiary, contact.user, contact.last_contact_at, now, link),
        message_id=f"<nudge-{beneficiary.id}-{contact.user.id}-{day.isoformat()}@{config.domain}>",
        state=mail.PENDING,
        attempts=0,
        created_at=now,
    )
    session.add(email)
    session.flush()
    return email


# --- the daily job ------------------------------------------------------------------------------


def _day_key(beneficiary_id: int, day: date) -> str:
    return f"engagement:{beneficiary_id}:{day.isoformat()}"


def _at(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=tz).astimezone(UTC)


def has_nudges(session: Session, beneficiary_id: int) -> bool:
    return (
        session.scalar(
            select(EngagementNudge.id).where(EngagementNudge.beneficiary_id == beneficiary_id)
        )
        is not None
    )


def ensure_planned(session: Session, beneficiary: Beneficiary, now: datetime) -> bool:
    """Plan the next run of the chain (today's at 10 h if still to come) when nobody did."""
    if not has_nudges(session, beneficiary.id):
        return False
    tz = ZoneInfo(beneficiary.timezone)
    day = now.astimezone(tz).date()
    if _at(day, tz) <= now:
        day += timedelta(days=1)
    key = _day_key(beneficiary.id, day)
    if session.scalar(select(Job.id).where(Job.dedupe_key == key)) is not None:
        return False  # planned (by the run before it, or by another call)
    return jobs.enqueue(
        session,
        JOB,
        {"beneficiary_id": beneficiary.id, "day": day.isoformat()},
        _at(day, tz),
        dedupe_key=key,
    )


def _job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    beneficiary = session.get(Beneficiary, int(payload["beneficiary_id"]))
    if beneficiary is None or not has_nudges(session, beneficiary.id):
        return  # the chain stops; a nudge switched on starts it again
    send_due(session, beneficiary, now)
    tz = ZoneInfo(beneficiary.timezone)
    following = max(date.fromisoformat(str(payload["day"])), now.astimezone(tz).date())
    following += timedelta(days=1)
    jobs.enqueue(
        session,
        JOB,
        {"beneficiary_id": beneficiary.id, "day": following.isoformat()},
        _at(following, tz),
        dedupe_key=_day_key(beneficiary.id, following),
    )


jobs.register(JOB, _job)
