"""E-mail about alerts: who hears, when, and how a message goes out exactly once.

When an alert is raised (`backend.services.alerts.raise_alert`), each person who should hear of
it (its care managers and its named recipients) gets, in the same transaction, per their
`NotificationPreference` (default: at once, no quiet hours, Europe/Paris):

- "immediate": an `AlertNotification`, an `OutgoingEmail` with a fixed Message-ID
  (`<alert-{alert_id}-user-{user_id}@{domain}>`) and a job `send_email` (dedupe `email:{id}`)
  due now, or at the end of the person's quiet hours (in their zone) unless the alert is
  critical;
- "digest": an `AlertNotification` and a job `email_digest` at their digest hour (dedupe
  `digest:{user_id}:{local date}`), which gathers that person's notifications not yet e-mailed,
  of alerts still open, into one e-mail (Message-ID `<digest-{user_id}-{date}@{domain}>`) and
  plans its `send_email`;
- "never": nothing.

An e-mail says what and whom in plain French, with a link to the alert in the console
(`Settings.public_url` + `/alerts/{id}`); never the alert's message nor any health
detail (no reminder title, no mood): its text is made from the alert's kind.

Sending (`send_email`): over SMTP (`Settings.smtp_*`: STARTTLS or SSL when configured, never
falling back to clear text), or, without an SMTP host, as `{id}.eml` in `Settings.mail_dir`.
The e-mail is marked sent in the transaction that marks its job done. A worker killed after the
SMTP server accepted the message but before that commit leaves the job to another worker once
its lease ends, which sends it again: the same message, with the same Message-ID and Date, so
mail clients that thread or deduplicate by Message-ID show it once (in `mail_dir`, the same file
is rewritten). That window is the only way a message goes twice. A server that refuses for now
(connection refused, 4xx) makes the job fail and be retried with backoff
(`backend.services.jobs`); a permanent refusal (5xx for the recipient or the sender) marks the
e-mail "failed" with the server's answer, and nothing is retried. When the retries run out
(SEND_ATTEMPTS, within about four hours of backoff), the e-mail is "failed" too, with the last
error ("envoi abandonné après 10 tentatives : …"), in the transaction that fails the job. An
e-mail whose alerts were all closed before it went out (e.g. a non-critical alert held through
quiet hours, then closed in the night) is "cancelled".

An invitation's link may be e-mailed too (`plan_invitation`, from the circle page): one plain
French message to the invited address, sent by the same `send_email` job.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.errors import Invalid
from backend.models import (
    Alert,
    AlertEvent,
    AlertNotification,
    Beneficiary,
    Invitation,
    NotificationPreference,
    OutgoingEmail,
    User,
)
from backend.services import access, jobs
from common.atomic_file import write_atomically

log = logging.getLogger(__name__)

IMMEDIATE, DIGEST, NEVER = "immediate", "digest", "never"
MODES = (IMMEDIATE, DIGEST, NEVER)
DEFAULT_DIGEST_HOUR = 18
DEFAULT_TIMEZONE = "Europe/Paris"

SEND_EMAIL, EMAIL_DIGEST = "send_email", "email_digest"
PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"
# The AlertEvent written when an e-mail about the alert went out.
NOTIFIED = "notified"

# The console's page for one alert (its routes are at the root; signed out, the login page
# brings the person back to it).
ALERT_PATH = "/alerts/{id}"


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailConfig:
    """What this module needs of the backend's `Settings` (set once per process, at start)."""

    public_url: str = Settings.public_url
    mail_from: str = Settings.mail_from
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_dir: Path | None = None
    timeout: float = Settings.smtp_timeout_seconds

    @property
    def domain(self) -> str:
        """The right-hand side of our Message-IDs: the host people reach the console at."""
        return urlsplit(self.public_url).hostname or "localhost"

    @classmethod
    def of(cls, settings: Settings) -> MailConfig:
        return cls(
            public_url=settings.public_url.rstrip("/"),
            mail_from=settings.mail_from,
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port_or_default,
            smtp_security=settings.smtp_security,
            smtp_username=settings.smtp_username,
            smtp_password=settings.smtp_password,
            mail_dir=settings.mail_dir,
            timeout=settings.smtp_timeout_seconds,
        )


_config = MailConfig()


def configure(settings: Settings) -> None:
    """Where e-mails go and the console's address, for this process (the application's start,
    `foyer-backend jobs`)."""
    global _config
    _config = MailConfig.of(settings)


def config() -> MailConfig:
    return _config


# --- preferences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    email_mode: str  # immediate, digest, never
    digest_hour: int  # 0-23, in `timezone`
    quiet_start: str | None  # "21:00"; both or neither
    quiet_end: str | None  # "08:00"
    timezone: str


DEFAULT_PREFERENCES = Preferences(IMMEDIATE, DEFAULT_DIGEST_HOUR, None, None, DEFAULT_TIMEZONE)


def get_preferences(session: Session, user: User) -> Preferences:
    """How `user` wants alerts by e-mail (the defaults until they choose)."""
    row = session.get(NotificationPreference, user.id)
    if row is None:
        return DEFAULT_PREFERENCES
    return Preferences(
        row.email_mode, row.digest_hour, row.quiet_start, row.quiet_end, row.timezone
    )


_HM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _hm(value: str) -> str:
    match = _HM.fullmatch(value.strip())
    if match is None:
        raise Invalid("Heure invalide : {value}. Attendu : HH:MM, par exemple 21:00.", value=value)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def set_preferences(
    session: Session,
    user: User,
    *,
    email_mode: str,
    digest_hour: int,
    quiet_start: str | None,
    quiet_end: str | None,
    timezone: str,
    now: datetime,
) -> Preferences:
    """Replace `user`'s choice (Invalid with a French message when a value is wrong). Quiet
    hours: both times or neither ("" is none); equal times are no quiet hours. Alerts already
    planned keep the choice they were planned with."""
    if email_mode not in MODES:
        raise Invalid(
            "Mode d'envoi inconnu : {mode}. Modes possibles : {modes}.",
            mode=email_mode,
            modes=", ".join(MODES),
        )
    if (
        isinstance(digest_hour, bool)
        or not isinstance(digest_hour, int)
        or not 0 <= digest_hour <= 23
    ):
        raise Invalid("L'heure du résumé doit être un nombre entier de 0 à 23.")
    start = _hm(quiet_start) if quiet_start else None
    end = _hm(quiet_end) if quiet_end else None
    if (start is None) != (end is None):
        raise Invalid("Indiquez le début et la fin des heures calmes, ou aucun des deux.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Invalid("Fuseau horaire inconnu : {name}.", name=timezone) from exc
    row = session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        session.add(row)
    row.email_mode = email_mode
    row.digest_hour = digest_hour
    row.quiet_start = start
    row.quiet_end = end
    row.timezone = timezone
    row.updated_at = now
    session.flush()
    return get_preferences(session, user)


def _time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _at_local(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time (in a spring-forward gap: as many minutes after it)."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def quiet_until(preferences: Preferences, now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (an instant), or None when it is not in them."""
    if not preferences.quiet_start or not preferences.quiet_end:
        return None
    start, end = _time(preferences.quiet_start), _time(preferences.quiet_end)
    if start == end:
        return None
    tz = ZoneInfo(preferences.timezone)
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    # Across midnight (21:00 → 08:00) when the start is after the end.
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return _at_local(day, end, tz)


def next_digest(preferences: Preferences, now: datetime) -> tuple[datetime, date]:
    """The next digest after `now`: its instant and its local date (the job's dedupe key)."""
    tz = ZoneInfo(preferences.timezone)
    local = now.astimezone(tz)
    moment = time(preferences.digest_hour)
    day = local.date()
    while True:
        at = _at_local(day, moment, tz)
        if at > now:
            return at, day
        day += timedelta(days=1)


# --- words -----------------------------------------------------------------------------------

# What an alert is, by kind, with whom: never the alert's own message (it may name a reminder
# or a mood), so that no health detail goes by e-mail. (subject, sentence)
_WORDS = {
    "reminder_missed": (
        "un rappel n'a pas été confirmé pour {name}",
        "Un rappel n'a pas été confirmé pour {name}.",
    ),
    "tablet_offline": (
        "la tablette de {name} est hors ligne",
        "La tablette de {name} ne donne plus de nouvelles.",
    ),
    "wellbeing_trend": (
        "le suivi de {name} demande votre attention",
        "Le suivi de {name} demande votre attention.",
    ),
    "checkin_missed": (
        "{name} n'a pas répondu « Je vais bien »",
        "{name} n'a pas répondu « Je vais bien » sur sa tablette.",
    ),
    "no_sign_of_life": (
        "pas de signe de vie de {name} ce matin",
        "Pas de signe de vie de {name} ce matin sur sa tablette.",
    ),
}
# The well-being check's alerts are still "mood_drop" (backend.services.wellbeing).
_WORDS["mood_drop"] = _WORDS["wellbeing_trend"]
_OTHER = ("une alerte concerne {name}", "Une alerte concerne {name}.")


def _hour(moment: datetime) -> str:
    """14:05 → "14 h 05", 11:00 → "11 h" (no-break spaces)."""
    if moment.minute == 0:
        return f"{moment.hour}\u00a0h"
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_moment(moment: datetime, tz: ZoneInfo) -> str:
    """ "mercredi 4 décembre à 9 h 12" in `tz`."""
    local = moment.astimezone(tz)
    number = "1er" if local.day == 1 else str(local.day)
    return f"{_WEEKDAYS[local.weekday()]} {number} {_MONTHS[local.month - 1]} à {_hour(local)}"


def french_hour(moment: datetime, tz: ZoneInfo) -> str:
    return _hour(moment.astimezone(tz))


def full_name(beneficiary: Beneficiary) -> str:
    return f"{beneficiary.first_name} {beneficiary.last_name}".strip()


def alert_link(alert_id: int) -> str:
    return _config.public_url + ALERT_PATH.format(id=alert_id)


def alert_subject(alert: Alert, beneficiary: Beneficiary) -> str:
    subject, _ = _WORDS.get(alert.kind, _OTHER)
    important = "important : " if alert.critical else ""
    return f"Foyer — {important}{subject.format(name=full_name(beneficiary))}"


def _sentence(alert: Alert, beneficiary: Beneficiary) -> str:
    return _WORDS.get(alert.kind, _OTHER)[1].format(name=full_name(beneficiary))


FOOTER = (
    "—\n"
    "Vous recevez ce message parce que vous suivez {name} dans Foyer. Pour choisir quand être "
    "prévenu (tout de suite, un résumé par jour, jamais) et vos heures calmes : Foyer, "
    "« Mes notifications »."
)


def alert_body(alert: Alert, beneficiary: Beneficiary, user: User, tz: ZoneInfo) -> str:
    lines = [
        f"Bonjour {user.name},",
        "",
        f"{_sentence(alert, beneficiary)} Alerte ouverte {french_moment(alert.created_at, tz)}.",
    ]
    if alert.critical:
        lines.append("Cette alerte est marquée importante.")
    lines += [
        "",
        f"Voir l'alerte dans Foyer : {alert_link(alert.id)}",
        "",
        FOOTER.format(name=full_name(beneficiary)),
        "",
    ]
    return "\n".join(lines)


def digest_subject(count: int) -> str:
    if count == 1:
        return "Foyer — 1 alerte en attente"
    return f"Foyer — {count} alertes en attente"


def digest_body(items: list[tuple[Alert, Beneficiary]], user: User, tz: ZoneInfo) -> str:
    lines = [f"Bonjour {user.name},", "", "Ces alertes attendent encore quelqu'un :", ""]
    names = []
    for alert, beneficiary in items:
        important = " (importante)" if alert.critical else ""
        lines.append(
            f"- {_sentence(alert, beneficiary)[:-1]}{important}, "
            f"{french_moment(alert.created_at, tz)}"
        )
        lines.append(f"  {alert_link(alert.id)}")
        if full_name(beneficiary) not in names:
            names.append(full_name(beneficiary))
    lines += ["", FOOTER.format(name=", ".join(names)), ""]
    return "\n".join(lines)


# --- planning --------------------------------------------------------------------------------


def _message_id(left: str) -> str:
    return f"<{left}@{_config.domain}>"


def plan_for_alert(session: Session, alert: Alert, people: list[User], now: datetime) -> None:
    """The e-mails owed for a new alert to `people` (in the caller's transaction)."""
    plan_for_alerts(session, [(alert, people)], now)


def _preferences_of(session: Session, user_ids: set[int]) -> dict[int, Preferences]:
    """Each person's choice (the defaults for those who made none), in one query."""
    found = {user_id: DEFAULT_PREFERENCES for user_id in user_ids}
    if user_ids:
        for row in session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id.in_(sorted(user_ids))
            )
        ):
            found[row.user_id] = Preferences(
                row.email_mode, row.digest_hour, row.quiet_start, row.quiet_end, row.timezone
            )
    return found


def plan_for_alerts(
    session: Session, planned: Sequence[tuple[Alert, Sequence[User]]], now: datetime
) -> None:
    """The e-mails owed for new alerts, each to its people (in the caller's transaction), in a
    few statements whatever their number: the preferences read at once, then the e-mails, the
    notifications and the jobs written one table at a time."""
    preferences = _preferences_of(session, {user.id for _, people in planned for user in people})
    notifications: list[AlertNotification] = []
    emails: list[tuple[AlertNotification, OutgoingEmail, datetime]] = []
    planned_jobs: list[jobs.Planned] = []
    for alert, people in planned:
        beneficiary = session.get(Beneficiary, alert.beneficiary_id)
        if beneficiary is None:
            continue
        for user in people:
            chosen = preferences[user.id]
            if chosen.email_mode == NEVER:
                continue
            notification = AlertNotification(alert_id=alert.id, user_id=user.id, created_at=now)
            notifications.append(notification)
            if chosen.email_mode == DIGEST:
                at, day = next_digest(chosen, now)
                planned_jobs.append(
                    jobs.Planned(
                        EMAIL_DIGEST,
                        {"user_id": user.id, "date": day.isoformat()},
                        at,
                        f"digest:{user.id}:{day.isoformat()}",
                    )
                )
                continue
            email = OutgoingEmail(
                user_id=user.id,
                to_address=user.email,
                subject=alert_subject(alert, beneficiary),
                body=alert_body(alert, beneficiary, user, ZoneInfo(chosen.timezone)),
                message_id=_message_id(f"alert-{alert.id}-user-{user.id}"),
                state=PENDING,
                attempts=0,
                created_at=now,
            )
            run_at = now if alert.critical else (quiet_until(chosen, now) or now)
            emails.append((notification, email, run_at))
    if emails:
        session.add_all(email for _, email, _ in emails)
        session.flush()  # their ids, for the notifications and the jobs
    for notification, email, run_at in emails:
        notification.email_id = email.id
        planned_jobs.append(
            jobs.Planned(SEND_EMAIL, {"email_id": email.id}, run_at, f"email:{email.id}")
        )
    session.add_all(notifications)
    jobs.enqueue_many(session, planned_jobs)
    session.flush()


def _still_sees(session: Session, user: User, beneficiary: Beneficiary) -> bool:
    """Whether `user` is still in the beneficiary's circle (someone who left hears nothing)."""
    return bool(access.roles_of(session, user, beneficiary))


def _digest_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    user = session.get(User, int(payload["user_id"]))
    if user is None:
        return
    preferences = get_preferences(session, user)
    if preferences.email_mode == NEVER:
        return
    rows = session.execute(
        select(AlertNotification, Alert, Beneficiary)
        .join(Alert, Alert.id == AlertNotification.alert_id)
        .join(Beneficiary, Beneficiary.id == Alert.beneficiary_id)
        .where(
            AlertNotification.user_id == user.id,
            AlertNotification.email_id.is_(None),
            AlertNotification.created_at <= now,
            Alert.acknowledged_at.is_(None),
        )
        .order_by(Alert.created_at, Alert.id)
    ).all()
    seen: dict[int, bool] = {}
    items = []
    for notification, alert, beneficiary in rows:
        if beneficiary.id not in seen:
            seen[beneficiary.id] = _still_sees(session, user, beneficiary)
        if seen[beneficiary.id]:
            items.append((notification, alert, beneficiary))
    day = str(payload["date"])
    if items:
        tz = ZoneInfo(preferences.timezone)
        email = OutgoingEmail(
            user_id=user.id,
            to_address=user.email,
            subject=digest_subject(len(items)),
            body=digest_body([(a, b) for _, a, b in items], user, tz),
            message_id=_message_id(f"digest-{user.id}-{day}"),
            state=PENDING,
            attempts=0,
            created_at=now,
        )
        session.add(email)
        session.flush()
        for notification, _, _ in items:
            notification.email_id = email.id
        jobs.enqueue(
            session, SEND_EMAIL, {"email_id": email.id}, now, dedupe_key=f"email:{email.id}"
        )
    # An alert raised just as this digest ran (its transaction not yet committed) found this
    # day's job planned: the next day's digest picks it up. A follow-up that finds nothing
    # ends the chain.
    if items or not payload.get("follow_up"):
        at, next_day = next_digest(preferences, now)
        if next_day.isoformat() == day:  # run early (a clock behind): the day after
            at, next_day = next_digest(preferences, at)
        jobs.enqueue(
            session,
            EMAIL_DIGEST,
            {"user_id": user.id, "date": next_day.isoformat(), "follow_up": True},
            at,
            dedupe_key=f"digest:{user.id}:{next_day.isoformat()}",
        )


# --- invitations -----------------------------------------------------------------------------


def invitation_subject(inviter: User, beneficiary: Beneficiary) -> str:
    return f"Foyer — {inviter.name} vous invite dans l'entourage de {full_name(beneficiary)}"


def invitation_body(
    invitation: Invitation, inviter: User, beneficiary: Beneficiary, link: str
) -> str:
    """Plain French: who invites, to whose circle, the link and until when it works; nothing
    of the person's health (nor the relation or profession the invitation names)."""
    tz = ZoneInfo(beneficiary.timezone)
    zone = "" if beneficiary.timezone == DEFAULT_TIMEZONE else f" (heure {beneficiary.timezone})"
    return "\n".join(
        [
            f"Bonjour {invitation.name},",
            "",
            f"{inviter.name} vous invite à rejoindre l'entourage de {full_name(beneficiary)} "
            "dans Foyer, pour partager ses nouvelles avec ses proches et les personnes qui "
            "l'accompagnent.",
            "",
            "Pour accepter, ouvrez ce lien et choisissez votre mot de passe (ou connectez-vous "
            "si vous avez déjà un compte) :",
            link,
            "",
            f"Ce lien est personnel et valable jusqu'au {french_moment(invitation.expires_at, tz)}"
            f"{zone}. Passé ce délai, demandez une nouvelle invitation à {inviter.name}.",
            "",
            "Si vous ne vous attendiez pas à ce message, ignorez-le : rien ne se fera sans vous.",
            "",
        ]
    )


def plan_invitation(
    session: Session,
    invitation: Invitation,
    link: str,
    inviter: User,
    beneficiary: Beneficiary,
    now: datetime,
) -> OutgoingEmail:
    """The e-mail carrying an invitation's link to its address, in the caller's transaction:
    an `OutgoingEmail` (Message-ID `<invitation-{id}@{domain}>`) and its `send_email` job, due
    now. Once per invitation: asked again, the e-mail already planned is returned (a new link
    is a new invitation). The body holds the link, which the database otherwise keeps only as
    a digest: it is as secret as the e-mail itself."""
    message_id = _message_id(f"invitation-{invitation.id}")
    planned = session.scalar(select(OutgoingEmail).where(OutgoingEmail.message_id == message_id))
    if planned is not None:
        return planned
    email = OutgoingEmail(
        user_id=None,
        to_address=invitation.email,
        subject=invitation_subject(inviter, beneficiary),
        body=invitation_body(invitation, inviter, beneficiary, link),
        message_id=message_id,
        state=PENDING,
        attempts=0,
        created_at=now,
    )
    session.add(email)
    session.flush()
    jobs.enqueue(session, SEND_EMAIL, {"email_id": email.id}, now, dedupe_key=f"email:{email.id}")
    return email


# --- sending ---------------------------------------------------------------------------------


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying would not help."""


def _address(value: str) -> str:
    return parseaddr(value)[1] or value


def build_message(email: OutgoingEmail) -> EmailMessage:
    """The message as sent, the same at every attempt (its Message-ID and Date are fixed)."""
    message = EmailMessage(policy=policy.SMTP)
    name, address = parseaddr(_config.mail_from)
    message["From"] = Address(display_name=name, addr_spec=address) if name else address
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at.astimezone(UTC))
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.body, charset="utf-8")
    return message


def _smtp_send(message: EmailMessage, sender: str, recipient: str) -> None:
    cfg = _config
    assert cfg.smtp_host is not None
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if cfg.smtp_security == "ssl":
        smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout, context=context)
    else:
        smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout)
    with smtp:
        if cfg.smtp_security == "starttls":
            # Raises SMTPNotSupportedError when the server offers no STARTTLS: never in clear.
            smtp.starttls(context=context)
        if cfg.smtp_username:
            smtp.login(cfg.smtp_username, cfg.smtp_password or "")
        try:
            smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise


def deliver(email: OutgoingEmail) -> None:
    """Hand the message to the SMTP server (or write it to `mail_dir`). Raises on a failure
    worth retrying, PermanentFailure on a refusal for good."""
    message = build_message(email)
    cfg = _config
    if cfg.smtp_host:
        _smtp_send(message, _address(cfg.mail_from), _address(email.to_address))
        return
    if cfg.mail_dir is None:
        raise RuntimeError("no SMTP host and no mail_dir: e-mail is not configured")
    cfg.mail_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(cfg.mail_dir / f"{email.id:06d}.eml", message.as_bytes(), mode=0o600)


def _send_job(session: Session, payload: dict[str, Any], now: datetime) -> None:
    email = session.get(OutgoingEmail, int(payload["email_id"]))
    if email is None or email.state != PENDING:
        return  # sent already (a job planned twice runs once, but be plain about it)
    rows = session.execute(
        select(Alert, Beneficiary)
        .join(AlertNotification, AlertNotification.alert_id == Alert.id)
        .join(Beneficiary, Beneficiary.id == Alert.beneficiary_id)
        .where(AlertNotification.email_id == email.id)
        .order_by(Alert.id)
    ).all()
    user = session.get(User, email.user_id) if email.user_id is not None else None
    if rows:
        if all(alert.acknowledged_at is not None for alert, _ in rows):
            email.state = CANCELLED
            email.last_error = "alertes closes avant l'envoi"
            return
        if user is None or not _still_sees(session, user, rows[0][1]):
            email.state = CANCELLED
            email.last_error = "destinataire hors du cercle"
            return
    try:
        deliver(email)
    except PermanentFailure as exc:
        log.warning("e-mail %s refused for good: %s", email.id, exc)
        email.state = FAILED
        email.attempts += 1
        email.last_error = str(exc)[:2000]
        return
    email.state = SENT
    email.sent_at = now
    email.attempts += 1
    email.last_error = None
    who = user.name if user is not None else email.to_address
    for alert, _ in rows:
        session.add(
            AlertEvent(
                alert_id=alert.id,
                at=now,
                actor_user_id=None,
                action=NOTIFIED,
                note=f"E-mail à {who}",
            )
        )


def _send_given_up(session: Session, payload: dict[str, Any], error: str, now: datetime) -> None:
    """The job "send_email" failed for good: its e-mail is "failed", with the reason, rather
    than "pending" for ever."""
    email = session.get(OutgoingEmail, int(payload["email_id"]))
    if email is None or email.state != PENDING:
        return
    email.state = FAILED
    email.last_error = f"envoi abandonné après {SEND_ATTEMPTS} tentatives : {error}"[:2000]


SEND_ATTEMPTS = 10
# The lease outlasts a slow SMTP exchange (connect, STARTTLS, login, data: a timeout each).
jobs.register(
    SEND_EMAIL,
    _send_job,
    lease=timedelta(minutes=5),
    max_attempts=SEND_ATTEMPTS,
    on_give_up=_send_given_up,
)
jobs.register(EMAIL_DIGEST, _digest_job, lease=timedelta(minutes=2))
