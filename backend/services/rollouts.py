"""Rollouts: a signed release offered to an organisation's tablets by stages (docs/updates.md).

Who is targeted:
- a tablet belongs to an organisation when its beneficiary's care manager is a member of it;
  a rollout without an organisation (the operator's, CLI only) targets every organisation;
- a "stable" rollout targets every tablet (beta ones too), a "beta" one only "beta" tablets;
- a tablet is in the current stage when
  int(sha256(f"{rollout_id}:{device_id}"), 16) % 100 < stages[stage_index]: the same tablets
  stay in as the percentage grows (a tablet in the 5 % is in the 25 %);
- its target is the newest (highest id) rollout that targets it, is active (or done: every
  stage reached, still offered to the tablets that come back late) and that it did not report
  as failed or rolled back — or one it installed, whatever became of that rollout since (a
  tablet never gets an older version because a newer rollout was halted); never one whose
  version is below the highest the tablet installed through a rollout or says it runs (a
  later stable rollout of 0.2.0 does not take a beta tablet back from 0.3.0).

The target reaches the tablet through sync (kind "updates", one record, the asking tablet's
own). Every change to a target journals the tablets concerned in the same transaction, so
their long-polls wake. A tablet's report (installed, failed, rolled_back) is kept per
(tablet, rollout); when failures reach `failure_min_count` and exceed
`failure_threshold_percent` of the reports, the rollout halts itself.

Rollouts are not written to the audit log: that log is for health data (who read or changed
what about a person, docs/access.md); fleet actions such as a tablet's configuration are not in
it either. A rollout keeps who created it, when it last changed and why it halted.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packaging.version import InvalidVersion, Version
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from backend.errors import Conflict, Invalid, NotFound
from backend.models import (
    Beneficiary,
    Change,
    Device,
    DeviceStatus,
    DeviceUpdate,
    Membership,
    Organisation,
    Release,
    Rollout,
    User,
)
from backend.services import sync
from backend.services.changes import CHANNEL, record_change
from backend.text import check

ENTITY = "update"
SYNC_KEY = "updates"
CHANNELS = ("stable", "beta")
STATES = ("active", "paused", "halted", "done")
# Rollouts that offer their release to the tablets in their stage.
OFFERING = ("active", "done")
OUTCOMES = ("installed", "rolled_back", "failed")
FAILURES = ("failed", "rolled_back")
DEFAULT_STAGES = (5, 25, 100)
MAX_STAGES = 10
MAX_REASON = 500
QUIET_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Failure lines shown on the console's page, newest first.
MAX_FAILURE_LINES = 50
OUTCOME_WORDS = {"installed": "installée", "failed": "échec", "rolled_back": "retour arrière"}


# --- who is in a stage ----------------------------------------------------------------------


def bucket(rollout_id: int, device_id: int) -> int:
    """0..99, fixed for a (rollout, tablet): the tablet is in every stage above it."""
    digest = hashlib.sha256(f"{rollout_id}:{device_id}".encode()).hexdigest()
    return int(digest, 16) % 100


def stages_of(rollout: Rollout) -> list[int]:
    return [int(part) for part in rollout.stages.split(",")]


def stage_percent(rollout: Rollout) -> int:
    return stages_of(rollout)[rollout.stage_index]


def in_stage(rollout: Rollout, device_id: int) -> bool:
    return bucket(rollout.id, device_id) < stage_percent(rollout)


def parse_stages(stages: list[int] | str) -> list[int]:
    """[5, 25, 100] from a list or "5,25,100": 1 to 10 whole percentages from 1 to 100,
    each above the one before."""
    if isinstance(stages, str):
        parts = [part.strip() for part in stages.split(",")]
        if not all(part.isascii() and part.isdigit() and len(part) <= 3 for part in parts):
            raise Invalid(
                "Étapes invalides : {stages} (des pourcentages séparés par des virgules, "
                "par exemple 5,25,100).",
                stages=stages[:60],
            )
        values = [int(part) for part in parts]
    else:
        values = list(stages)
    if not 1 <= len(values) <= MAX_STAGES:
        raise Invalid("Un déploiement a de 1 à {limit} étapes.", limit=MAX_STAGES)
    if any(not 1 <= value <= 100 for value in values) or any(
        later <= earlier for earlier, later in itertools.pairwise(values)
    ):
        raise Invalid(
            "Les étapes sont des pourcentages de 1 à 100, chacun plus grand que le "
            "précédent (par exemple 5,25,100)."
        )
    return values


# --- which tablets a rollout is for ---------------------------------------------------------


def organisations_of(session: Session, device: Device) -> set[int]:
    """The organisations the tablet belongs to: its beneficiary's care manager's."""
    care_manager = select(Beneficiary.care_manager_id).where(
        Beneficiary.id == device.beneficiary_id
    )
    return set(
        session.scalars(
            select(Membership.organisation_id).where(Membership.user_id.in_(care_manager))
        ).all()
    )


@dataclass(frozen=True)
class Tablet:
    device_id: int
    beneficiary_id: int


def audience(session: Session, rollout: Rollout) -> list[Tablet]:
    """Every tablet the rollout is for, whatever its stage: not retired, in its organisation
    (every one when it has none), on its channel."""
    query = (
        select(Device.id, Device.beneficiary_id)
        .join(Beneficiary, Beneficiary.id == Device.beneficiary_id)
        .where(Device.revoked_at.is_(None))
    )
    if rollout.organisation_id is not None:
        members = select(Membership.user_id).where(
            Membership.organisation_id == rollout.organisation_id
        )
        query = query.where(Beneficiary.care_manager_id.in_(members))
    if rollout.channel == "beta":
        query = query.where(Device.update_channel == "beta")
    return [Tablet(d, b) for d, b in session.execute(query.order_by(Device.id)).all()]


def in_stage_tablets(session: Session, rollout: Rollout) -> list[Tablet]:
    percent = stage_percent(rollout)
    return [t for t in audience(session, rollout) if bucket(rollout.id, t.device_id) < percent]


def _journal(session: Session, tablets: list[Tablet]) -> None:
    """Their target may have changed: their long-polls wake and their next delta carries the
    record as it is now (or its deletion).

    On PostgreSQL, `record_change` costs two round trips per row (the journal's lock and a
    NOTIFY): for a stage of thousands of tablets the first row goes through it (the lock is
    then held until commit), the others are inserted together and notified in one statement."""
    if not tablets:
        return
    first, *others = tablets
    record_change(session, first.beneficiary_id, ENTITY, first.device_id, "upsert")
    if session.get_bind().dialect.name != "postgresql":
        for tablet in others:
            record_change(session, tablet.beneficiary_id, ENTITY, tablet.device_id, "upsert")
        return
    session.add_all(
        Change(beneficiary_id=t.beneficiary_id, entity=ENTITY, entity_id=t.device_id, op="upsert")
        for t in others
    )
    beneficiaries = sorted({t.beneficiary_id for t in others} - {first.beneficiary_id})
    if beneficiaries:
        session.execute(
            text("SELECT pg_notify(:channel, b::text) FROM unnest(CAST(:ids AS integer[])) AS b"),
            {"channel": CHANNEL, "ids": beneficiaries},
        )


def care_manager_changed(session: Session, user_id: int) -> None:
    """The user joined or left an organisation (or became a beneficiary's care manager): the
    tablets of the people they follow may have another target now; their long-polls wake."""
    rows = session.execute(
        select(Device.id, Device.beneficiary_id)
        .join(Beneficiary, Beneficiary.id == Device.beneficiary_id)
        .where(Beneficiary.care_manager_id == user_id, Device.revoked_at.is_(None))
        .order_by(Device.id)
    ).all()
    _journal(session, [Tablet(device_id, beneficiary_id) for device_id, beneficiary_id in rows])


def _offer(session: Session, rollout: Rollout, tablets: list[Tablet], now: datetime) -> None:
    """An "offered" row for each tablet newly in stage (kept as it is when it has one)."""
    known = set(
        session.scalars(
            select(DeviceUpdate.device_id).where(DeviceUpdate.rollout_id == rollout.id)
        ).all()
    )
    for tablet in tablets:
        if tablet.device_id not in known:
            session.add(
                DeviceUpdate(
                    device_id=tablet.device_id, rollout_id=rollout.id, state="offered",
                    updated_at=now,
                )
            )  # fmt: skip


# --- a tablet's target ----------------------------------------------------------------------


def target(session: Session, device: Device) -> Rollout | None:
    """The rollout whose release the tablet should run (module docstring), or None."""
    if device.revoked_at is not None:
        return None
    organisations = organisations_of(session, device)
    reported = dict(
        session.execute(
            select(DeviceUpdate.rollout_id, DeviceUpdate.state).where(
                DeviceUpdate.device_id == device.id
            )
        ).all()
    )
    installed = [rid for rid, state in reported.items() if state == "installed"]
    offering = Rollout.state.in_(OFFERING) & or_(
        Rollout.organisation_id.is_(None), Rollout.organisation_id.in_(organisations)
    )
    if device.update_channel != "beta":
        offering = offering & (Rollout.channel == "stable")
    candidates = session.execute(
        select(Rollout, Release.version)
        .join(Release, Release.id == Rollout.release_id)
        .where(or_(offering, Rollout.id.in_(installed)))
        .order_by(Rollout.id.desc())
    ).all()
    floor = _version_floor(
        session,
        device,
        [version for rollout, version in candidates if reported.get(rollout.id) == "installed"],
    )
    for rollout, version in candidates:
        offered = _parse(version)
        if floor is not None and offered is not None and offered < floor:
            continue  # never back to an older version (a later rollout of an older release)
        state = reported.get(rollout.id)
        if state == "installed":
            return rollout
        if state not in FAILURES and in_stage(rollout, device.id):
            return rollout
    return None


def _parse(version: str | None) -> Version | None:
    try:
        return Version(version) if version else None
    except InvalidVersion:
        return None


def _version_floor(session: Session, device: Device, installed: list[str]) -> Version | None:
    """The highest version the tablet installed through a rollout or said it runs: its
    target is never below it."""
    running = session.scalar(
        select(DeviceStatus.app_version).where(DeviceStatus.device_id == device.id)
    )
    known = [v for v in (_parse(text) for text in [*installed, running]) if v is not None]
    return max(known, default=None)


def record_for(session: Session, device: Device) -> dict[str, Any] | None:
    """The sync record of the tablet's target (docs/device-protocol.md, "updates")."""
    rollout = target(session, device)
    if rollout is None:
        return None
    release = session.get(Release, rollout.release_id)
    if release is None:
        return None
    quiet = (
        [device.update_quiet_start, device.update_quiet_end]
        if device.update_quiet_start and device.update_quiet_end
        else None
    )
    return {
        "id": device.id,
        "rollout_id": rollout.id,
        "version": release.version,
        "filename": release.filename,
        "size": release.size,
        "sha256": release.sha256,
        "signature": release.signature,
        "download": f"/api/v1/device/releases/{release.id}/file",
        "quiet_hours": quiet,
    }


def _sync_all(session: Session, _beneficiary: Beneficiary, device: Device) -> list[dict[str, Any]]:
    record = record_for(session, device)
    return [] if record is None else [record]


def _sync_some(
    session: Session, beneficiary: Beneficiary, device: Device, ids: set[int]
) -> list[dict[str, Any]]:
    # Another tablet of the same person changed: this one gets nothing (a deletion of an id it
    # never held, which it ignores).
    return _sync_all(session, beneficiary, device) if device.id in ids else []


sync.register(sync.SyncedKind(SYNC_KEY, ENTITY, _sync_all, _sync_some))


# --- the console's and the operator's actions -----------------------------------------------


def get_rollout(session: Session, rollout_id: int) -> Rollout:
    rollout = session.get(Rollout, rollout_id)
    if rollout is None:
        raise NotFound("Déploiement introuvable.")
    return rollout


def for_organisation(session: Session, organisation_id: int) -> list[Rollout]:
    """The rollouts that reach the organisation's tablets, newest first: its own, and the
    operator's for every organisation (organisation_id None, which its managers cannot act
    on: `can_manage`)."""
    return list(
        session.scalars(
            select(Rollout)
            .where(
                or_(Rollout.organisation_id == organisation_id, Rollout.organisation_id.is_(None))
            )
            .order_by(Rollout.id.desc())
        ).all()
    )


def can_manage(session: Session, user: User, organisation_id: int | None) -> bool:
    """Only the organisation's managers manage its rollouts; nobody manages the operator's
    (for every organisation) from the console — the CLI does."""
    if organisation_id is None:
        return False
    role = session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    )
    return role == "manager"


def create_rollout(
    session: Session,
    *,
    organisation_id: int | None,
    release_id: int,
    channel: str,
    stages: list[int],
    created_by_id: int | None,
    now: datetime,
    failure_threshold_percent: int = 20,
    failure_min_count: int = 2,
) -> Rollout:
    if channel not in CHANNELS:
        raise Invalid("Canal de mise à jour inconnu : {channel} (stable ou beta).", channel=channel)
    values = parse_stages(stages)
    if session.get(Release, release_id) is None:
        raise NotFound("Version introuvable.")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFound("Organisation introuvable.")
    if not 1 <= failure_threshold_percent <= 100:
        raise Invalid("Le seuil d'échecs est un pourcentage de 1 à 100.")
    if not 1 <= failure_min_count <= 10_000:
        raise Invalid("Le nombre minimal d'échecs est un nombre de 1 à 10000.")
    rollout = Rollout(
        organisation_id=organisation_id,
        release_id=release_id,
        channel=channel,
        stages=",".join(str(v) for v in values),
        stage_index=0,
        state="active",
        failure_threshold_percent=failure_threshold_percent,
        failure_min_count=failure_min_count,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
    )
    session.add(rollout)
    session.flush()
    tablets = in_stage_tablets(session, rollout)
    _offer(session, rollout, tablets, now)
    _journal(session, tablets)
    return rollout


def _require_state(rollout: Rollout, allowed: tuple[str, ...]) -> None:
    # One whole sentence per state: the console's English catalogue translates each.
    if rollout.state in allowed:
        return
    if rollout.state == "active":
        raise Conflict("Action impossible : ce déploiement est en cours.")
    if rollout.state == "paused":
        raise Conflict("Action impossible : ce déploiement est en pause.")
    if rollout.state == "halted":
        raise Conflict("Action impossible : ce déploiement est arrêté.")
    raise Conflict("Action impossible : ce déploiement est terminé.")


STATE_WORDS = {"active": "en cours", "paused": "en pause", "halted": "arrêté", "done": "terminé"}


def advance(session: Session, rollout: Rollout, now: datetime) -> None:
    """The next stage; from the last one, "done" (still offered to its tablets)."""
    _require_state(rollout, ("active",))
    before = {t.device_id for t in in_stage_tablets(session, rollout)}
    if rollout.stage_index + 1 < len(stages_of(rollout)):
        rollout.stage_index += 1
    else:
        rollout.state = "done"
    rollout.updated_at = now
    added = [t for t in in_stage_tablets(session, rollout) if t.device_id not in before]
    _offer(session, rollout, added, now)
    _journal(session, added)


def pause(session: Session, rollout: Rollout, now: datetime) -> None:
    """No more offered to the tablets that have not installed it (they keep what they run)."""
    _require_state(rollout, ("active", "done"))
    rollout.state = "paused"
    rollout.updated_at = now
    _journal(session, in_stage_tablets(session, rollout))


def resume(session: Session, rollout: Rollout, now: datetime) -> None:
    """Offered again at the stage it was at (a halted one too: its reason is cleared)."""
    _require_state(rollout, ("paused", "halted"))
    rollout.state = "active"
    rollout.halted_reason = None
    rollout.updated_at = now
    tablets = in_stage_tablets(session, rollout)
    _offer(session, rollout, tablets, now)
    _journal(session, tablets)


def halt(session: Session, rollout: Rollout, reason: str, now: datetime) -> None:
    """Stopped, with the reason in words: withdrawn from the tablets that have not installed
    it; those that did keep it."""
    _require_state(rollout, ("active", "paused", "done"))
    reason = check(" ".join(reason.split()), "La raison")
    if not reason:
        raise Invalid("Indiquez la raison de l'arrêt.")
    rollout.state = "halted"
    rollout.halted_reason = reason[:MAX_REASON]
    rollout.updated_at = now
    _journal(session, in_stage_tablets(session, rollout))


# --- a tablet's own preferences -------------------------------------------------------------


def set_device_preferences(
    session: Session,
    device: Device,
    *,
    channel: str,
    quiet_start: str | None,
    quiet_end: str | None,
    now: datetime,
) -> None:
    """The tablet's channel and quiet hours ("HH:MM" in the beneficiary's time zone, both or
    neither, may wrap midnight). Its record changes at once (its long-poll wakes)."""
    if channel not in CHANNELS:
        raise Invalid("Canal de mise à jour inconnu : {channel} (stable ou beta).", channel=channel)
    start = (quiet_start or "").strip() or None
    end = (quiet_end or "").strip() or None
    if (start is None) != (end is None):
        raise Invalid("Indiquez le début et la fin des heures calmes, ou aucune des deux.")
    for value in (start, end):
        if value is not None and not QUIET_TIME.match(value):
            raise Invalid(
                "Heure invalide : {value} (format HH:MM, par exemple 08:00).", value=value[:20]
            )
    if start is not None and start == end:
        raise Invalid("Le début et la fin des heures calmes doivent être différents.")
    if (device.update_channel, device.update_quiet_start, device.update_quiet_end) == (
        channel,
        start,
        end,
    ):
        return
    device.update_channel = channel
    device.update_quiet_start = start
    device.update_quiet_end = end
    record_change(session, device.beneficiary_id, ENTITY, device.id, "upsert")


# --- what tablets report ---------------------------------------------------------------------


def report(
    session: Session,
    device: Device,
    *,
    rollout_id: int,
    version: str,
    outcome: str,
    from_version: str | None,
    reason: str | None,
    now: datetime,
) -> None:
    """Keep what the tablet did with the rollout (the same report again changes nothing),
    then halt the rollout if too many tablets failed."""
    # Reports of one rollout one at a time (PostgreSQL; SQLite writes one at a time anyway):
    # two failures arriving together both count towards the auto-halt.
    rollout = session.get(Rollout, rollout_id, with_for_update=True)
    row = session.get(DeviceUpdate, (device.id, rollout_id)) if rollout is not None else None
    if rollout is None or (row is None and not _targets(session, rollout, device)):
        # Only the tablets the rollout is for count: others could halt it (an operator's
        # rollout for every organisation: any two tablets anywhere).
        raise NotFound("Déploiement inconnu de cette tablette.")
    if outcome not in OUTCOMES:
        raise Invalid(
            "Résultat inconnu : {outcome} (installed, rolled_back ou failed).",
            outcome=outcome[:40],
        )
    release = session.get(Release, rollout.release_id)
    if release is None or release.version != version:
        raise Invalid(
            "La version {version} n'est pas celle de ce déploiement.", version=version[:60]
        )
    reason = _one_line(reason or "")[:MAX_REASON] or None
    from_version = _one_line(from_version or "")[:40] or None
    if row is not None and (row.state, row.from_version, row.reason) == (
        outcome,
        from_version,
        reason,
    ):
        return  # the same report again (a retry after a lost answer)
    if row is None:
        row = DeviceUpdate(device_id=device.id, rollout_id=rollout.id)
        session.add(row)
    row.state = outcome
    row.from_version = from_version
    row.reason = reason
    row.updated_at = now
    session.flush()
    # A failure withdraws the record from this tablet (it is not offered again): its
    # long-poll wakes with the change.
    record_change(session, device.beneficiary_id, ENTITY, device.id, "upsert")
    if outcome in FAILURES:
        _halt_if_failing(session, rollout, now)


def _targets(session: Session, rollout: Rollout, device: Device) -> bool:
    """Whether the rollout is for this tablet now: its organisation, its channel, its stage."""
    if rollout.organisation_id is not None and rollout.organisation_id not in organisations_of(
        session, device
    ):
        return False
    if rollout.channel == "beta" and device.update_channel != "beta":
        return False
    return in_stage(rollout, device.id)


def _one_line(text: str) -> str:
    """What a tablet wrote (an error message with its line breaks, a version), kept as one
    printable line: the console shows it in a table cell."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _counts(session: Session, rollout_id: int) -> dict[str, int]:
    rows = session.execute(
        select(DeviceUpdate.state, func.count())
        .where(DeviceUpdate.rollout_id == rollout_id)
        .group_by(DeviceUpdate.state)
    ).all()
    return {state: count for state, count in rows}


def _halt_if_failing(session: Session, rollout: Rollout, now: datetime) -> None:
    if rollout.state == "halted":
        return
    counts = _counts(session, rollout.id)
    failures = sum(counts.get(s, 0) for s in FAILURES)
    reports = failures + counts.get("installed", 0)
    if failures < rollout.failure_min_count or failures * 100 <= (
        rollout.failure_threshold_percent * reports
    ):
        return
    last = session.scalars(
        select(DeviceUpdate)
        .where(DeviceUpdate.rollout_id == rollout.id, DeviceUpdate.state.in_(FAILURES))
        .order_by(DeviceUpdate.updated_at.desc(), DeviceUpdate.device_id.desc())
        .limit(1)
    ).one()
    last_words = last.reason or OUTCOME_WORDS[last.state]
    percent = round(failures * 100 / reports)
    tablets = "tablette" if reports == 1 else "tablettes"
    failed = "échec" if failures == 1 else "échecs"
    reason = (
        f"Arrêté automatiquement : {failures} {failed} sur {reports} {tablets} "
        f"({percent} %) — dernier : {last_words}"
    )
    rollout.state = "halted"
    rollout.halted_reason = reason[:MAX_REASON]
    rollout.updated_at = now
    _journal(session, in_stage_tablets(session, rollout))


# --- progress, for the console --------------------------------------------------------------


@dataclass(frozen=True)
class FailureLine:
    device_id: int
    beneficiary_name: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class RolloutProgress:
    stage_percent: int
    targeted: int  # tablets in the current stage now
    offered: int  # in the current stage, no report yet (tablets paired since included)
    installed: int
    failed: int
    rolled_back: int
    failures: list[FailureLine]


def progress(session: Session, rollout: Rollout) -> RolloutProgress:
    counts = _counts(session, rollout.id)
    rows = session.execute(
        select(DeviceUpdate, Beneficiary.first_name, Beneficiary.last_name)
        .join(Device, Device.id == DeviceUpdate.device_id)
        .join(Beneficiary, Beneficiary.id == Device.beneficiary_id)
        .where(DeviceUpdate.rollout_id == rollout.id, DeviceUpdate.state.in_(FAILURES))
        .order_by(DeviceUpdate.updated_at.desc(), DeviceUpdate.device_id.desc())
        .limit(MAX_FAILURE_LINES)
    ).all()
    failures = [
        FailureLine(
            device_id=row.device_id,
            beneficiary_name=f"{first} {last}".strip(),
            reason=row.reason or OUTCOME_WORDS[row.state],
            at=row.updated_at,
        )
        for row, first, last in rows
    ]
    stage = {t.device_id for t in in_stage_tablets(session, rollout)}
    reported = set(
        session.scalars(
            select(DeviceUpdate.device_id).where(
                DeviceUpdate.rollout_id == rollout.id, DeviceUpdate.state.in_(OUTCOMES)
            )
        ).all()
    )
    return RolloutProgress(
        stage_percent=stage_percent(rollout),
        targeted=len(stage),
        offered=len(stage - reported),
        installed=counts.get("installed", 0),
        failed=counts.get("failed", 0),
        rolled_back=counts.get("rolled_back", 0),
        failures=failures,
    )
