"""The database schema. Every change to it goes through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, stored as naive UTC (SQLite keeps no offset) and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    # Named constraints from revision 0002 on: SQLite's batch migrations can only drop or
    # alter a constraint that has a name. (0001's constraints keep their database defaults.)
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    # "care_manager" (follows beneficiaries, manages their circle) or "member" (everyone else).
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # nurse, home_aide, doctor, physiotherapist, speech_therapist, volunteer, care_manager;
    # None for family, friends and neighbours.
    profession: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # A professional's personal PIN on the tablet (argon2), to record visits and read their
    # health messages there.
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AccessToken(Base):
    """A bearer token from the password flow; only its SHA-256 is kept."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Beneficiary(Base):
    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    place_name: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    care_manager_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 of the secret in the ICS feed URL; None until the care manager creates the feed.
    ics_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Since when the beneficiary paused "Partager mon humeur" on the tablet (None: shared).
    # Meanwhile family and friends no longer see moods nor trends (backend.policy).
    mood_sharing_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Event(Base):
    """An agenda entry; the start is wall-clock time in `timezone` (RFC 5545 TZID style)."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("beneficiary_id", "external_uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="visit")
    who: Mapped[str] = mapped_column(String(200), default="")
    start_local: Mapped[datetime] = mapped_column(DateTime)  # naive on purpose
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    exdates: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of naive ISO datetimes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # For professionals only (never shown to family): what to do during the visit.
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who comes: a person of the circle or an organisation (`who` stays the words shown).
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    # An edit of one occurrence of a recurring event (RFC 5545 RECURRENCE-ID): the parent
    # and the wall-clock start of the occurrence it replaces. The parent lists that start in
    # its exdates.
    recurrence_parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=True, index=True
    )
    recurrence_start_local: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # ICS import: the UID in the imported planning, so that a re-import updates in place.
    external_uid: Mapped[str | None] = mapped_column(String(255), nullable=True)


class Device(Base):
    """A paired tablet. Its credential is only known to the tablet; we keep the SHA-256."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Updates (docs/updates.md): "stable" tablets get stable rollouts only, "beta" ones beta
    # rollouts too. Quiet hours "HH:MM" in the beneficiary's time zone (both or neither; may
    # wrap midnight): the tablet installs nothing between them.
    update_channel: Mapped[str] = mapped_column(
        String(10), default="stable", server_default="stable"
    )
    update_quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    update_quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)


class DeviceAuthorization(Base):
    """One RFC 8628 device authorization request, from code display to token."""

    __tablename__ = "device_authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_code: Mapped[str] = mapped_column(String(8), index=True)  # normalized, no dash
    client_id: Mapped[str] = mapped_column(String(64))
    # pending → approved → consumed, or pending → denied; expiry is read from expires_at.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), nullable=True
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    # The tablet's own maintenance PIN, drawn when a care manager approves (shown to them
    # once) and written hashed into the tablet's first configuration when it gets its token.
    maintenance_pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RateLimit(Base):
    """A fixed-window counter. In the database so that every worker sees the same count."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    """The sync journal: one row per write that a tablet must learn about.

    Its id is the sync cursor. Writers serialise on it (see services.changes) so that ids
    become visible in order and a cursor never skips a change committed late.
    """

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_beneficiary_id_id", "beneficiary_id", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    beneficiary_id: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organisation(Base):
    """A care-management service, home-help service (SAAD), nursing service or practice
    (SSIAD, cabinet infirmier), independent professional or association."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A person working in an organisation; `role` is "manager" or "staff"."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default="staff")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BeneficiaryShare(Base):
    """The care manager shared this beneficiary with an organisation (all its staff)."""

    __tablename__ = "beneficiary_shares"
    __table_args__ = (UniqueConstraint("beneficiary_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CircleMember(Base):
    """A person invited personally into a beneficiary's circle.

    relation: family, friend, neighbour, or professional (an independent professional or
    someone invited without their organisation).
    """

    __tablename__ = "circle_members"
    __table_args__ = (UniqueConstraint("beneficiary_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Invitation(Base):
    """An invitation link into a circle; accepted by creating an account (or signing in)."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(20))
    profession: Mapped[str | None] = mapped_column(String(40), nullable=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=True
    )
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Message(Base):
    """A plain-text message in the daily space (whole circle) or the health space (recipients
    and author only). Written by a person, or by the tablet (the beneficiary's replies)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_beneficiary_id_id", "beneficiary_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    space: Mapped[str] = mapped_column(String(10))  # "daily" or "health"
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MessageRecipient(Base):
    """A named recipient of a health message. user_id None means the beneficiary (tablet)."""

    __tablename__ = "message_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )


class MessageRead(Base):
    """A read receipt: by a person, or by the beneficiary on the tablet (device_id)."""

    __tablename__ = "message_reads"
    __table_args__ = (UniqueConstraint("message_id", "user_id", "device_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), nullable=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(Base):
    """A photo for the tablet. Files live on disk by content address (see backend.photos)."""

    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("beneficiary_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the uploaded bytes
    display_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the display variant
    thumb_key: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(500), default="")
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MoodCheckin(Base):
    """How the beneficiary feels, from the tablet: 1 (bad) to 5 (very good), optional tags."""

    __tablename__ = "mood_checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    score: Mapped[int] = mapped_column(Integer)
    tags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of short words
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it was said, on the tablet
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WellbeingReading(Base):
    """A professional's well-being reading during a visit (1–5 and a note)."""

    __tablename__ = "wellbeing_readings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """Something that needs a person: an unconfirmed reminder, a falling mood trend, a tablet
    offline for long… One place for all of them (`backend.services.alerts`): a state
    (open → taken → closed with a note), a history (`AlertEvent`), and who sees it (the care
    managers, and the people named on the rule that raised it: `AlertRecipient`)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    # French, no health detail (it may be e-mailed): "Un rappel n'a pas été confirmé".
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it was closed (kept under its first name: the mood alerts' "acknowledged").
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    taken_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    close_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # One alert per cause ("reminder:12:2026-12-04T08:00Z"): raising it twice is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    # A critical alert comes first on the dashboard and is e-mailed even in quiet hours.
    critical: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class AlertRecipient(Base):
    """A person named on the rule that raised an alert (care managers see every alert)."""

    __tablename__ = "alert_recipients"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class AlertEvent(Base):
    """One step in an alert's history: opened, taken, closed, reopened, notified, auto-closed."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class Reminder(Base):
    """A reminder shown full screen on the tablet at its due minute, optionally waiting for
    "C'est fait". Its schedule is wall-clock time in `timezone` (like `Event`), once or with
    an RRULE; the tablet expands it itself (`common.reminders`), so it works for days
    offline."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))  # common.reminders.KINDS
    start_local: Mapped[datetime] = mapped_column(DateTime)  # naive on purpose
    timezone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    confirm_wanted: Mapped[bool] = mapped_column(Boolean, default=True)
    # Ask again every N minutes, at most `repeat_count` times, while not confirmed.
    repeat_every_minutes: Mapped[int] = mapped_column(Integer, default=10)
    repeat_count: Mapped[int] = mapped_column(Integer, default=3)
    # Alert the care managers and `ReminderWatcher`s when unconfirmed this long after the
    # due time; None: no alert.
    escalate_after_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on every edit: an escalation job planned for an older version does nothing.
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReminderWatcher(Base):
    """A person alerted when a reminder stays unconfirmed (besides the care managers)."""

    __tablename__ = "reminder_watchers"
    __table_args__ = (UniqueConstraint("reminder_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class ReminderEditor(Base):
    """A family member or professional the care manager allows to create and edit reminders."""

    __tablename__ = "reminder_editors"
    __table_args__ = (UniqueConstraint("beneficiary_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderOccurrence(Base):
    """What became of one due occurrence: confirmed (on time or late), missed, or unknown
    (the tablet was offline). Written by the tablet's confirmation and by the escalation job,
    whichever comes first; one row per (reminder, due instant)."""

    __tablename__ = "reminder_occurrences"
    __table_args__ = (UniqueConstraint("reminder_id", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"))
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # pending, confirmed, late, missed, unknown (common.reminders.OUTCOMES)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), nullable=True
    )
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class VisitRecord(Base):
    """A professional's arrival and departure, matched to a planned occurrence when possible."""

    __tablename__ = "visit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), nullable=True
    )
    occurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(10))  # "tablet" or "console"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitAbsence(Base):
    """Why a planned visit did not happen (no answer, refused, forgotten, cancelled): one
    reason per occurrence, set or changed by a person who records visits."""

    __tablename__ = "visit_absences"
    __table_args__ = (UniqueConstraint("event_id", "occurrence_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence_start: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(20))  # backend.services.visits.REASONS
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WeatherCache(Base):
    """The last good Open-Meteo answer per location, normalized, shared by all workers."""

    __tablename__ = "weather_cache"

    location_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """Who read or changed health data, what and when. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(20))  # read, create, update, delete
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    beneficiary_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class IdempotencyRecord(Base):
    """A tablet write already applied: the same key again gets the stored answer back."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("device_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeviceConfig(Base):
    """A tablet's remote configuration: one validated, versioned document
    (`common.tablet_config`)."""

    __tablename__ = "device_configs"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # JSON, complete (defaults filled in)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class DeviceStatus(Base):
    """What a tablet last said about itself (for the console and the care manager)."""

    __tablename__ = "device_statuses"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    app_version: Mapped[str] = mapped_column(String(40))
    free_disk_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    outbox_pending: Mapped[int] = mapped_column(Integer, default=0)
    config_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the tablet applied `config_version`: as it says (`config_applied_at`, kept within
    # the configuration's save and the report), else the first report that carried it.
    config_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The tablet's health (docs/device-protocol.md, "Status report"; said in words by
    # backend.services.device_health). Null: not reported (an older tablet).
    screen_on: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    screen_off_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    screen_off_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_touch_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    restarts_today: Mapped[int | None] = mapped_column(Integer, nullable=True)
    memory_available_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    disk_total_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The version before `app_version`, and since when `app_version` runs ("Mise à jour 0.3.1
    # appliquée"): kept by the backend when a report carries a new version.
    previous_app_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    app_version_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GeocodingCache(Base):
    """Open-Meteo's geocoding answer for one search (a town's name as typed, normalized),
    shared by all workers; kept `Settings.geocoding_ttl_seconds`."""

    __tablename__ = "geocoding_cache"

    query_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)  # JSON list of normalized places


class Job(Base):
    """Work for whichever backend process claims it first: an escalation check, an e-mail to
    send, a digest. Claimed with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (one writer at
    a time on SQLite) and leased: a worker killed mid-job leaves it to another once the lease
    ends (`backend.services.jobs`). No timer runs in every worker; the jobs table is the clock."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_at", "state", "run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The same work planned twice is one job ("reminder-check:12:3:2026-12-04T08:00Z").
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotificationPreference(Base):
    """How a person wants alerts by e-mail: at once, in a daily digest, or never; with quiet
    hours (wall-clock, in `timezone`) during which only critical alerts go out."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_mode: Mapped[str] = mapped_column(String(10), default="immediate")
    digest_hour: Mapped[int] = mapped_column(Integer, default=18)
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "21:00"
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)  # "08:00"
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutgoingEmail(Base):
    """An e-mail to send, written in the same transaction as its cause and sent by a job.

    `message_id` is fixed when it is written: if a worker dies after the SMTP server accepted
    it but before this row says "sent", the retry carries the same Message-ID, which mail
    clients show once."""

    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AlertNotification(Base):
    """An alert owed to a person by e-mail; `email_id` once it went out, at once or in a
    digest. Never written for a person whose preference is "never"."""

    __tablename__ = "alert_notifications"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_emails.id", ondelete="SET NULL"), nullable=True
    )


# --- signs of life, the tablet's health, the beneficiary's say (issue 16) -----------------------


class DeviceTouchHour(Base):
    """How many touches a tablet saw in one hour: a count, never what was touched. Upserted
    by (device, hour), so a report sent twice changes nothing. Kept for the learning of the
    usual first touch (backend.services.signs_of_life)."""

    __tablename__ = "device_touch_hours"
    __table_args__ = (UniqueConstraint("device_id", "hour_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    hour_start: Mapped[datetime] = mapped_column(UTCDateTime)  # the start of a local hour
    count: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignOfLifeSettings(Base):
    """The care manager's choice of signs-of-life rules for one beneficiary (each one off
    until switched on). Times are wall-clock "HH:MM" in the beneficiary's zone."""

    __tablename__ = "sign_of_life_settings"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True
    )
    checkin_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_start: Mapped[str] = mapped_column(String(5), default="08:00")
    checkin_end: Mapped[str] = mapped_column(String(5), default="11:00")
    inactivity_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    inactivity_grace_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # A fixed rule ("alerter si aucun toucher avant 11 h") instead of the learned usual time.
    inactivity_deadline: Mapped[str | None] = mapped_column(String(5), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class CheckinAnswer(Base):
    """ "Oui, je vais bien", pressed on the tablet: the first answer of each local day."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("beneficiary_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # in the beneficiary's zone
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), nullable=True
    )


class EngagementNudge(Base):
    """A relative the care manager chose to remind, gently, by e-mail after `after_days`
    without a message, a photo or an answer to the beneficiary (opt-in, one by one)."""

    __tablename__ = "engagement_nudges"
    __table_args__ = (UniqueConstraint("beneficiary_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    after_days: Mapped[int] = mapped_column(Integer)
    enabled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# The audit page reads one beneficiary's entries by date; the retention job deletes by date.
Index("ix_audit_log_beneficiary_id_at", AuditEntry.beneficiary_id, AuditEntry.at)
Index("ix_audit_log_at", AuditEntry.at)


# --- video calls (issue 17, docs/calls.md) ------------------------------------------------------


class CallCaller(Base):
    """A person the care manager approved to call the beneficiary (and to be called from the
    tablet). `auto_answer` is the care manager's choice; `auto_answer_declined_at` the
    beneficiary's own say, from her tablet: auto-answer holds only with the first and without
    the second."""

    __tablename__ = "call_callers"

    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    auto_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_answer_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Call(Base):
    """One video call between the beneficiary's tablet and a person's console: the call log.
    Nothing of the call itself is kept (the media never reaches the backend)."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_beneficiary_id_state", "beneficiary_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id", ondelete="CASCADE"))
    # The person on the console side (the caller, or the person the tablet called).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(12))  # to_tablet, from_tablet
    state: Mapped[str] = mapped_column(String(10))  # ringing, answered, ended
    # completed, missed, refused, busy, cancelled, failed; None while not ended.
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Decided at creation: approved for auto-answer and not declined by the beneficiary.
    auto_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ring_until: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # tablet, console, system
    ended_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # hangup, network, timeout, refused, busy, cancelled
    end_reason: Mapped[str | None] = mapped_column(String(10), nullable=True)


class CallSignal(Base):
    """One SDP (the console's offer, the tablet's answer) passed between the two sides; its id
    is the reader's cursor. Deleted when the call ends."""

    __tablename__ = "call_signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(10))  # console, tablet
    kind: Mapped[str] = mapped_column(String(10))  # offer, answer
    sdp: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- signed releases and rollouts (issue 18, docs/updates.md) ----------------------------------


class Release(Base):
    """A version of Foyer signed by the release key: one file (a wheel or a .tar of wheels),
    stored under the data directory as releases/<sha256>. The backend checks the signature
    when the release is added; the tablet checks it again (it does not trust the backend)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))  # base64 ed25519 over the manifest
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Rollout(Base):
    """A release offered to an organisation's tablets (or every organisation's: None, operator
    only) on a channel, by stages of percentages of the tablets ("5,25,100")."""

    __tablename__ = "rollouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))  # stable, beta
    stages: Mapped[str] = mapped_column(String(100))  # "5,25,100"
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10))  # active, paused, halted, done
    halted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    failure_threshold_percent: Mapped[int] = mapped_column(Integer, default=20)
    failure_min_count: Mapped[int] = mapped_column(Integer, default=2)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeviceUpdate(Base):
    """What one tablet did with one rollout: offered (it was its target), then installed,
    failed or rolled_back as the tablet reported."""

    __tablename__ = "device_updates"

    device_id: Mapped[int] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    rollout_id: Mapped[int] = mapped_column(
        ForeignKey("rollouts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(12))  # offered, installed, failed, rolled_back
    from_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
