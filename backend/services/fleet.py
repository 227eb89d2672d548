"""An organisation's fleet of tablets, for its managers' console page (issue 18).

A tablet belongs to an organisation when its beneficiary's care manager is a member of it
(docs/updates.md, "Data"); retired (revoked) tablets are not part of the fleet.

Built for thousands of tablets: the counts are one aggregate statement, the versions one
GROUP BY, and a page of rows one statement (tablet, its last report, its person, its last
update's outcome) bounded by `PAGE_SIZE`, whatever the number of tablets. The health of each row
is said by `device_health.assess`, a pure function over what that statement read.

Who may look: the organisation's managers (a `Membership` with role "manager"). Someone who is
not in the organisation gets 404 as if it did not exist (the console's rule for organisations,
`circle.organisation_for`); a member who is not a manager, 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from backend.errors import Forbidden, NotFound
from backend.models import (
    Beneficiary,
    Device,
    DeviceStatus,
    DeviceUpdate,
    Membership,
    Organisation,
    Release,
    Rollout,
    User,
)
from backend.services import device_health

PAGE_SIZE = 50
# "Hors ligne depuis plus de 24 h".
OFFLINE_LONG = timedelta(hours=24)
FAILED_STATES = ("failed", "rolled_back")

FILTERS = ("offline", "old", "failed")
SORTS = ("contact_old", "contact_new", "name")


# --- who may look ---------------------------------------------------------------------------


def managed_organisation(session: Session, user: User, organisation_id: int) -> Organisation:
    """The organisation if `user` is one of its managers; 404 outside it, 403 for its staff."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Organisation introuvable.")
    own = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    )
    if own is None and organisation.created_by_id != user.id:
        raise NotFound("Organisation introuvable.")
    if own is None or own.role != "manager":
        raise Forbidden(
            "Votre rôle dans l'organisation ne permet pas de voir ses tablettes ni leurs mises à "
            "jour : seuls ses responsables le peuvent."
        )
    return organisation


def managed_organisations(session: Session, user: User) -> list[Organisation]:
    """Those `user` manages, by name (the menu's "Parc de tablettes" leads to them)."""
    return list(
        session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Membership.role == "manager")
            .order_by(Organisation.name, Organisation.id)
        ).all()
    )


def manages_any(session: Session, user: User) -> bool:
    """One cheap statement, for the menu of every page."""
    found = session.scalar(
        select(Membership.id)
        .where(Membership.user_id == user.id, Membership.role == "manager")
        .limit(1)
    )
    return found is not None


# --- the organisation's tablets ---------------------------------------------------------------


def in_organisation(organisation_id: int) -> ColumnElement[bool]:
    """The tablets of the organisation (to be used with `Beneficiary` joined on the device):
    their person's care manager is a member of it, and they are not retired."""
    members = select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return and_(Beneficiary.care_manager_id.in_(members), Device.revoked_at.is_(None))


def _fleet(organisation_id: int, *columns: Any) -> Select[Any]:
    """`columns` over the organisation's tablets, their person and their last report."""
    query: Select[Any] = select(*columns)
    return (
        query.select_from(Device)
        .join(Beneficiary, Beneficiary.id == Device.beneficiary_id)
        .outerjoin(DeviceStatus, DeviceStatus.device_id == Device.id)
        .where(in_organisation(organisation_id))
    )


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """ "0.10.0" after "0.9.2": numbers compared as numbers, other parts as text."""
    parts = re.findall(r"\d+|[A-Za-z]+", version)
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


def newest(versions: list[str]) -> str | None:
    return max(versions, key=version_key, default=None)


@dataclass(frozen=True)
class VersionCount:
    version: str | None  # None: the tablets that have not reported yet
    tablets: int


def versions(session: Session, organisation_id: int) -> list[VersionCount]:
    """How many tablets run each version, newest version first (then "not reported")."""
    rows = session.execute(
        _fleet(organisation_id, DeviceStatus.app_version, func.count(Device.id)).group_by(
            DeviceStatus.app_version
        )
    ).all()
    counted = [VersionCount(v, n) for v, n in rows]
    known = sorted((c for c in counted if c.version), key=lambda c: version_key(c.version or ""))
    return list(reversed(known)) + [c for c in counted if not c.version]


def old_versions(counts: list[VersionCount], expected: str | None) -> list[str]:
    """The versions older than what the organisation's tablets should run: `expected` (the
    active rollout's version) or, when newer, the newest one a tablet of it runs."""
    present = [c.version for c in counts if c.version]
    target = newest(present + ([expected] if expected else []))
    if target is None:
        return []
    return [v for v in present if version_key(v) < version_key(target)]


def expected_version(session: Session, organisation_id: int) -> str | None:
    """The version of the newest stable rollout still offered (active, or done: every stage
    reached) that reaches the organisation's tablets (its own or every organisation's)."""
    return session.scalar(
        select(Release.version)
        .join(Rollout, Rollout.release_id == Release.id)
        .where(
            or_(Rollout.organisation_id == organisation_id, Rollout.organisation_id.is_(None)),
            Rollout.state.in_(("active", "done")),
            Rollout.channel == "stable",
        )
        .order_by(Rollout.id.desc())
        .limit(1)
    )


def _newest_rollout() -> ColumnElement[int]:
    """The id of the tablet's newest rollout (its latest update), for a query over Device."""
    latest = aliased(DeviceUpdate)
    return (
        select(func.max(latest.rollout_id))
        .where(latest.device_id == Device.id)
        .correlate(Device)
        .scalar_subquery()
    )


def _latest_failure() -> Select[Any]:
    return select(DeviceUpdate.device_id).where(
        DeviceUpdate.device_id == Device.id,
        DeviceUpdate.rollout_id == _newest_rollout(),
        DeviceUpdate.state.in_(FAILED_STATES),
    )


def _last_update_failed() -> ColumnElement[bool]:
    """The tablet's latest update (its newest rollout) failed or was rolled back."""
    return exists(_latest_failure())


def _failure_reason() -> ColumnElement[str | None]:
    """The reason the tablet gave for its latest update's failure ("" when it gave none);
    None when that update did not fail."""
    query = _latest_failure().with_only_columns(func.coalesce(DeviceUpdate.reason, ""))
    return query.correlate(Device).scalar_subquery()


def _offline_long(now: datetime) -> ColumnElement[bool]:
    """Not seen for more than 24 h (a tablet never seen counts: nothing came from it)."""
    return or_(Device.last_seen_at.is_(None), Device.last_seen_at < now - OFFLINE_LONG)


@dataclass(frozen=True)
class Counts:
    tablets: int
    online: int
    offline_long: int
    old_version: int
    update_failed: int


def counts(session: Session, organisation_id: int, old: list[str], now: datetime) -> Counts:
    """The numbers at the top of the page, in one statement."""
    utc_now = now.astimezone(UTC)

    def tally(condition: ColumnElement[bool]) -> object:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    online = Device.last_seen_at >= utc_now - device_health.ONLINE_WITHIN
    row = session.execute(
        _fleet(
            organisation_id,
            func.count(Device.id),
            tally(online),
            tally(_offline_long(utc_now)),
            tally(DeviceStatus.app_version.in_(old)) if old else literal(0),
            tally(_last_update_failed()),
        )
    ).one()
    return Counts(*(int(n or 0) for n in row))


@dataclass(frozen=True)
class Row:
    device: Device
    beneficiary: Beneficiary
    version: str | None
    health: list[device_health.Item]  # most severe first
    failure_reason: str | None  # its latest update failed: why ("" unsaid); else None

    @property
    def update_failed(self) -> bool:
        return self.failure_reason is not None

    @property
    def severity(self) -> int:
        return max((i.severity for i in self.health), default=device_health.OK)

    @property
    def said(self) -> list[device_health.Item]:
        """What the page says of it: what needs a look (at most two lines), else its
        headline ("En ligne")."""
        worrying = [i for i in self.health if i.severity > device_health.OK][:2]
        return worrying or self.health[:1]


@dataclass(frozen=True)
class FleetPage:
    rows: list[Row]
    matching: int  # tablets that pass the filter (all pages)
    page: int  # 1-based
    pages: int


def tablets(
    session: Session,
    organisation_id: int,
    now: datetime,
    *,
    show: str = "",
    old: list[str] | None = None,
    sort: str = "contact_old",
    page: int = 1,
    lang: str = "fr",
) -> FleetPage:
    """One page of the organisation's tablets, filtered (`show`: "offline", "old", "failed"
    or "" for all) and sorted by last contact (oldest or newest first) or by person."""
    utc_now = now.astimezone(UTC)
    conditions: list[ColumnElement[bool]] = []
    if show == "offline":
        conditions.append(_offline_long(utc_now))
    elif show == "old":
        conditions.append(DeviceStatus.app_version.in_(old or []))
    elif show == "failed":
        conditions.append(_last_update_failed())
    matching = int(
        session.scalar(_fleet(organisation_id, func.count(Device.id)).where(*conditions)) or 0
    )
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(1, page), pages)
    never = case((Device.last_seen_at.is_(None), 0), else_=1)
    if sort == "contact_new":
        order = [never.desc(), Device.last_seen_at.desc(), Device.id]
    elif sort == "name":
        order = [Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id, Device.id]
    else:  # the longest silent first: never seen, then the oldest contact
        order = [never, Device.last_seen_at, Device.id]
    found = session.execute(
        _fleet(organisation_id, Device, DeviceStatus, Beneficiary, _failure_reason())
        .where(*conditions)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    rows = []
    zones: dict[str, ZoneInfo] = {}
    for device, status, beneficiary, failure_reason in found:
        tz = zones.setdefault(beneficiary.timezone, ZoneInfo(beneficiary.timezone))
        items = device_health.assess(device, status, tz, utc_now, lang)
        version = status.app_version if status is not None else None
        rows.append(Row(device, beneficiary, version, items, failure_reason))
    return FleetPage(rows, matching, page, pages)
