"""Rollouts (docs/updates.md): which tablets get a release and when, what they receive through
sync, what their reports do (auto-halt), and who may manage a rollout."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.errors import Conflict, Invalid
from backend.models import Change, Device, DeviceStatus, DeviceUpdate, Release, Rollout, User
from backend.services import rollouts
from tests.api.factories import sync
from tests.api.rollout_helpers import (
    ReleaseKeys,
    Tablet,
    add_person,
    add_release,
    add_tablets,
    cursor_of,
    new_organisation,
    report,
    service,
    updates_of,
)
from tests.api.sync_helpers import LongPoll, wait_for_long_poll

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def keys() -> ReleaseKeys:
    return ReleaseKeys.new()


class World:
    """An organisation with its manager (a care manager following the tablets' people)."""

    def __init__(self, client: TestClient, keys: ReleaseKeys) -> None:
        self.client = client
        self.keys = keys
        self.organisation = new_organisation(client)
        self.manager = add_person(client, self.organisation, "manager")
        self.release = add_release(client, keys, "0.2.0")

    def tablets(self, count: int, channel: str = "stable") -> list[Tablet]:
        return add_tablets(self.client, self.manager, count, channel)

    def rollout(self, stages: list[int], channel: str = "stable", **options: Any) -> int:
        with service(self.client) as session:
            rollout = rollouts.create_rollout(
                session,
                organisation_id=options.pop("organisation_id", self.organisation),
                release_id=options.pop("release_id", self.release),
                channel=channel,
                stages=stages,
                created_by_id=self.manager,
                now=NOW,
                **options,
            )
            return rollout.id

    def act(self, rollout_id: int, action: str, *args: Any) -> None:
        with service(self.client) as session:
            rollout = rollouts.get_rollout(session, rollout_id)
            getattr(rollouts, action)(session, rollout, *args, NOW)

    def get(self, rollout_id: int) -> Rollout:
        with service(self.client) as session:
            rollout = rollouts.get_rollout(session, rollout_id)
            session.expunge(rollout)
            return rollout


@pytest.fixture
def world(client: TestClient, keys: ReleaseKeys) -> World:
    return World(client, keys)


def contract_bucket(rollout_id: int, device_id: int) -> int:
    """The contract's formula, written out again here (docs/updates.md)."""
    return int(hashlib.sha256(f"{rollout_id}:{device_id}".encode()).hexdigest(), 16) % 100


def targeted(client: TestClient, tablets: list[Tablet]) -> set[int]:
    return {t.device_id for t in tablets if updates_of(client, t)}


# --- stages ------------------------------------------------------------------------------------


def test_stages_are_deterministic_and_monotonic(client: TestClient, world: World) -> None:
    tablets = world.tablets(40)
    rollout_id = world.rollout([5, 25, 100])
    seen = []
    for percent in (5, 25, 100):
        expected = {
            t.device_id for t in tablets if contract_bucket(rollout_id, t.device_id) < percent
        }
        assert targeted(client, tablets) == expected
        assert targeted(client, tablets) == expected  # the same answer asked again
        seen.append(expected)
        if percent != 100:
            world.act(rollout_id, "advance")
    # A tablet in the 5 % stays in at 25 % and at 100 %; at 100 % every tablet is in.
    assert seen[0] <= seen[1] <= seen[2] == {t.device_id for t in tablets}
    assert seen[1] - seen[0], "40 tablets: some join at 25 %"
    world.act(rollout_id, "advance")
    assert world.get(rollout_id).state == "done"
    assert targeted(client, tablets) == seen[2]  # done: still offered to late tablets
    with pytest.raises(Conflict, match="terminé"):
        world.act(rollout_id, "advance")


@pytest.mark.parametrize(
    "stages", [[], [0, 100], [25, 5], [5, 5, 100], [5, 101], list(range(1, 12))]
)
def test_bad_stages_are_refused(world: World, stages: list[int]) -> None:
    with pytest.raises(Invalid):
        world.rollout(stages)


def test_stages_from_text() -> None:
    assert rollouts.parse_stages("5, 25,100") == [5, 25, 100]
    for text in ("5;25", "cinq", "5,,100", "-5,100"):
        with pytest.raises(Invalid):
            rollouts.parse_stages(text)


# --- channels and organisations ------------------------------------------------------------------


def test_channel_rules(client: TestClient, world: World) -> None:
    stable = world.tablets(2)
    beta = world.tablets(2, channel="beta")
    beta_rollout = world.rollout([100], channel="beta")
    assert targeted(client, stable + beta) == {t.device_id for t in beta}
    world.act(beta_rollout, "pause")
    world.rollout([100], channel="stable")  # a stable rollout reaches beta tablets too
    assert targeted(client, stable + beta) == {t.device_id for t in stable + beta}


def test_unknown_channel_is_refused(world: World) -> None:
    with pytest.raises(Invalid, match="Canal de mise à jour inconnu : nightly"):
        world.rollout([100], channel="nightly")


def test_other_organisations_and_retired_tablets_get_nothing(
    client: TestClient, world: World
) -> None:
    mine = world.tablets(3)
    other_org = new_organisation(client, "SSIAD voisin")
    theirs = add_tablets(client, add_person(client, other_org, "manager"), 3)
    nobodys = add_tablets(client, add_person(client, None), 1)  # a care manager in no organisation
    world.rollout([100])
    assert targeted(client, mine + theirs + nobodys) == {t.device_id for t in mine}
    for tablet in theirs + nobodys:
        payload = sync(client, tablet.credential).json()
        assert payload["upserts"]["updates"] == []
    # The operator's rollout for every organisation reaches them all.
    operators = world.rollout([100], organisation_id=None)
    assert targeted(client, mine + theirs + nobodys) == {
        t.device_id for t in mine + theirs + nobodys
    }
    assert updates_of(client, theirs[0])[0]["rollout_id"] == operators


# --- what a tablet receives ----------------------------------------------------------------------


def test_the_sync_record_is_exactly_the_contract(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    with service(client) as session:
        device = session.get(Device, tablet.device_id)
        assert device is not None
        rollouts.set_device_preferences(
            session, device, channel="stable", quiet_start="08:00", quiet_end="12:00", now=NOW
        )
    rollout_id = world.rollout([100])
    with service(client) as session:
        release = session.get(Release, world.release)
        assert release is not None
        expected: dict[str, Any] = {
            "id": tablet.device_id,
            "rollout_id": rollout_id,
            "version": "0.2.0",
            "filename": "foyer-0.2.0-py3-none-any.whl",
            "size": release.size,
            "sha256": release.sha256,
            "signature": release.signature,
            "download": f"/api/v1/device/releases/{world.release}/file",
            "quiet_hours": ["08:00", "12:00"],
        }
    assert updates_of(client, tablet) == [expected]
    # The download link works for that tablet.
    file = client.get(expected["download"], headers=tablet.headers)
    assert hashlib.sha256(file.content).hexdigest() == expected["sha256"]


def test_a_long_poll_wakes_when_the_rollout_advances(client: TestClient, world: World) -> None:
    tablets = world.tablets(10)
    rollout_id = world.rollout([1, 100])
    joining = [t for t in tablets if contract_bucket(rollout_id, t.device_id) >= 1]
    assert len(joining) >= 2
    # The last of those joining: on PostgreSQL a stage's tablets after the first are journaled
    # and notified together, the path this exercises.
    late = joining[-1]
    cursor = cursor_of(client, late)
    assert updates_of(client, late) == []
    poll = LongPoll(client, late.credential, cursor, wait=20)
    poll.start()
    wait_for_long_poll(client)
    world.act(rollout_id, "advance")
    payload = poll.result()
    assert [r["rollout_id"] for r in payload["upserts"]["updates"]] == [rollout_id]
    assert payload["upserts"]["updates"][0]["id"] == late.device_id


def test_pause_and_halt_withdraw_the_record_but_not_from_those_who_installed(
    client: TestClient, world: World
) -> None:
    first, second = world.tablets(2)
    rollout_id = world.rollout([100])
    assert report(client, first, rollout_id, "0.2.0", from_version="0.1.0").status_code == 200
    cursor = cursor_of(client, second)

    world.act(rollout_id, "pause")
    delta = sync(client, second.credential, cursor=cursor).json()
    assert delta["deletes"]["updates"] == [second.device_id]
    assert updates_of(client, second) == []
    assert [r["rollout_id"] for r in updates_of(client, first)] == [rollout_id]

    world.act(rollout_id, "resume")
    assert [r["rollout_id"] for r in updates_of(client, second)] == [rollout_id]

    world.act(rollout_id, "halt", "Écran noir au démarrage")
    rollout = world.get(rollout_id)
    assert (rollout.state, rollout.halted_reason) == ("halted", "Écran noir au démarrage")
    assert updates_of(client, second) == []
    assert [r["rollout_id"] for r in updates_of(client, first)] == [rollout_id]


def test_a_newer_rollout_supersedes_and_a_halted_one_never_downgrades(
    client: TestClient, world: World
) -> None:
    tablet = world.tablets(1)[0]
    old = world.rollout([100])
    assert report(client, tablet, old, "0.2.0").status_code == 200
    newer_release = add_release(client, world.keys, "0.3.0")
    new = world.rollout([100], release_id=newer_release)
    assert [r["version"] for r in updates_of(client, tablet)] == ["0.3.0"]
    assert report(client, tablet, new, "0.3.0", from_version="0.2.0").status_code == 200
    world.act(new, "halt", "Problème de son")
    # It installed 0.3.0: the halted rollout stays its target, never back to 0.2.0.
    assert [r["version"] for r in updates_of(client, tablet)] == ["0.3.0"]


def test_a_later_rollout_of_an_older_version_never_downgrades(
    client: TestClient, world: World
) -> None:
    """A beta tablet ran 0.3.0 ahead of the others; the stable 0.2.0 rollout created after
    (a higher id) is not its target: it keeps 0.3.0. A tablet saying it runs a newer version
    (its status report) is offered nothing older either."""
    beta_tablet = world.tablets(1, channel="beta")[0]
    beta = world.rollout([100], channel="beta", release_id=add_release(client, world.keys, "0.3.0"))
    assert report(client, beta_tablet, beta, "0.3.0", from_version="0.1.0").status_code == 200
    world.rollout([100])  # stable, 0.2.0, newer id
    assert [r["version"] for r in updates_of(client, beta_tablet)] == ["0.3.0"]
    ahead = world.tablets(1)[0]
    assert [r["version"] for r in updates_of(client, ahead)] == ["0.2.0"]
    for running, offered in (("0.4.0", []), ("pas une version", ["0.2.0"]), ("0.2.0", ["0.2.0"])):
        with service(client) as session:
            session.merge(
                DeviceStatus(device_id=ahead.device_id, app_version=running, reported_at=NOW)
            )
        assert [r["version"] for r in updates_of(client, ahead)] == offered, running


def test_a_care_manager_joining_or_leaving_the_organisation_wakes_their_tablets(
    client: TestClient, world: World
) -> None:
    """The organisation of a tablet is its care manager's: when they join, the rollout
    reaches the tablet at once; when they leave, it is withdrawn (the long-poll's delta)."""
    from backend.models import Organisation
    from backend.services import circle

    rollout_id = world.rollout([100])
    newcomer = add_person(client, None)
    tablet = add_tablets(client, newcomer, 1)[0]
    assert updates_of(client, tablet) == []
    cursor = cursor_of(client, tablet)
    with service(client) as session:
        organisation = session.get(Organisation, world.organisation)
        user = session.get(User, newcomer)
        assert organisation is not None and user is not None
        circle.add_member(session, organisation, user.email, "staff", NOW)
    delta = sync(client, tablet.credential, cursor=cursor).json()
    assert [r["rollout_id"] for r in delta["upserts"]["updates"]] == [rollout_id]
    cursor = delta["cursor"]
    with service(client) as session:
        manager = session.get(User, world.manager)
        assert manager is not None
        circle.remove_member(session, manager, world.organisation, newcomer)
    delta = sync(client, tablet.credential, cursor=cursor).json()
    assert delta["deletes"]["updates"] == [tablet.device_id]


def test_preferences_change_the_record_at_once(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    rollout_id = world.rollout([100], channel="beta")
    assert updates_of(client, tablet) == []
    cursor = cursor_of(client, tablet)
    poll = LongPoll(client, tablet.credential, cursor, wait=20)
    poll.start()
    wait_for_long_poll(client)
    with service(client) as session:
        device = session.get(Device, tablet.device_id)
        assert device is not None
        rollouts.set_device_preferences(
            session, device, channel="beta", quiet_start="21:00", quiet_end="08:00", now=NOW
        )
    record = poll.result()["upserts"]["updates"]
    assert [(r["rollout_id"], r["quiet_hours"]) for r in record] == [
        (rollout_id, ["21:00", "08:00"])
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("08:00", None, "Indiquez le début et la fin des heures calmes, ou aucune des deux."),
        (None, "12:00", "Indiquez le début et la fin des heures calmes, ou aucune des deux."),
        ("8:00", "12:00", "Heure invalide : 8:00 (format HH:MM, par exemple 08:00)."),
        ("08:00", "24:00", "Heure invalide : 24:00 (format HH:MM, par exemple 08:00)."),
        ("08h00", "12:00", "Heure invalide : 08h00 (format HH:MM, par exemple 08:00)."),
        ("08:60", "12:00", "Heure invalide : 08:60 (format HH:MM, par exemple 08:00)."),
        ("10:00", "10:00", "Le début et la fin des heures calmes doivent être différents."),
    ],
)
def test_quiet_hours_validation(
    client: TestClient, world: World, start: str | None, end: str | None, message: str
) -> None:
    tablet = world.tablets(1)[0]
    with service(client) as session:
        device = session.get(Device, tablet.device_id)
        assert device is not None
        with pytest.raises(Invalid) as refused:
            rollouts.set_device_preferences(
                session, device, channel="stable", quiet_start=start, quiet_end=end, now=NOW
            )
        assert refused.value.message == message


def test_quiet_hours_accepted_and_cleared(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    for start, end in (("21:00", "08:00"), ("00:00", "23:59"), ("", ""), (None, None)):
        with service(client) as session:
            device = session.get(Device, tablet.device_id)
            assert device is not None
            rollouts.set_device_preferences(
                session, device, channel="stable", quiet_start=start, quiet_end=end, now=NOW
            )
            assert (device.update_quiet_start, device.update_quiet_end) == (
                start or None,
                end or None,
            )
    with service(client) as session, pytest.raises(Invalid, match="Canal"):
        device = session.get(Device, tablet.device_id)
        assert device is not None
        rollouts.set_device_preferences(
            session, device, channel="nightly", quiet_start=None, quiet_end=None, now=NOW
        )


# --- reports and auto-halt -----------------------------------------------------------------------


def test_a_report_is_idempotent(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    rollout_id = world.rollout([100])
    body = {"from_version": "0.1.0", "reason": None}
    first = report(client, tablet, rollout_id, "0.2.0", **body)
    assert (first.status_code, first.json()) == (200, {"recorded": True})
    with service(client) as session:
        changes_after_first = session.scalar(select(func.count()).select_from(Change))
    again = report(client, tablet, rollout_id, "0.2.0", **body)
    assert (again.status_code, again.json()) == (200, {"recorded": True})
    with service(client) as session:
        rows = session.scalars(select(DeviceUpdate)).all()
        assert [(r.device_id, r.rollout_id, r.state, r.from_version) for r in rows] == [
            (tablet.device_id, rollout_id, "installed", "0.1.0")
        ]
        # Nothing journaled again: the same report changes nothing.
        assert session.scalar(select(func.count()).select_from(Change)) == changes_after_first


def test_a_failed_tablet_is_not_offered_the_rollout_again(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    rollout_id = world.rollout([100], failure_min_count=5)
    response = report(
        client, tablet, rollout_id, "0.2.0", outcome="rolled_back", reason="santé non confirmée"
    )
    assert response.status_code == 200
    assert updates_of(client, tablet) == []
    assert world.get(rollout_id).state == "active"


def test_auto_halt_at_the_threshold_with_a_french_reason(client: TestClient, world: World) -> None:
    tablets = world.tablets(12)
    rollout_id = world.rollout([100])  # threshold 20 %, at least 2 failures
    installed, failing, untouched = tablets[:8], tablets[8:11], tablets[11]
    for tablet in installed:
        assert report(client, tablet, rollout_id, "0.2.0").status_code == 200
    outcomes = [("failed", "signature refusée"), ("failed", None), ("rolled_back", "écran noir")]
    # 1 failure of 9: under the minimum count. 2 of 10: 20 %, not above the threshold.
    for (outcome, reason), tablet in zip(outcomes[:2], failing[:2], strict=True):
        assert (
            report(client, tablet, rollout_id, "0.2.0", outcome=outcome, reason=reason).status_code
            == 200
        )
        assert world.get(rollout_id).state == "active"
    cursor = cursor_of(client, untouched)
    outcome, reason = outcomes[2]
    assert (
        report(client, failing[2], rollout_id, "0.2.0", outcome=outcome, reason=reason).status_code
        == 200
    )
    rollout = world.get(rollout_id)
    assert rollout.state == "halted"
    assert rollout.halted_reason == (
        "Arrêté automatiquement : 3 échecs sur 11 tablettes (27 %) — dernier : écran noir"
    )
    # Withdrawn from the tablet that had not installed it (its long-poll would wake)...
    assert sync(client, untouched.credential, cursor=cursor).json()["deletes"]["updates"] == [
        untouched.device_id
    ]
    assert updates_of(client, untouched) == []
    # ...kept by those that run it.
    assert all(updates_of(client, t) for t in installed)
    with service(client) as session:
        progress = rollouts.progress(session, rollouts.get_rollout(session, rollout_id))
    assert (progress.targeted, progress.installed, progress.failed, progress.rolled_back) == (
        12,
        8,
        2,
        1,
    )
    assert progress.offered == 1
    assert progress.failures[0].reason == "écran noir"
    assert {line.reason for line in progress.failures} == {
        "écran noir",
        "échec",
        "signature refusée",
    }


def test_bad_reports_get_a_french_4xx(client: TestClient, world: World) -> None:
    tablet = world.tablets(1)[0]
    rollout_id = world.rollout([100])
    unknown = report(client, tablet, 999, "0.2.0")
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "Déploiement inconnu de cette tablette.",
    )
    outcome = report(client, tablet, rollout_id, "0.2.0", outcome="exploded")
    assert outcome.status_code == 422
    assert outcome.json()["detail"].startswith("Résultat inconnu : exploded")
    version = report(client, tablet, rollout_id, "0.9.9")
    assert (version.status_code, version.json()["detail"]) == (
        422,
        "La version 0.9.9 n'est pas celle de ce déploiement.",
    )
    unknown_before = report(client, tablet, rollout_id, "0.2.0", from_version="")
    assert unknown_before.status_code == 200, "an empty from_version means unknown"
    with service(client) as session:
        row = session.get(DeviceUpdate, (tablet.device_id, rollout_id))
        assert row is not None and row.from_version is None
    too_long = report(client, tablet, rollout_id, "0.2.0", reason="x" * 501)
    assert too_long.status_code == 422
    other_org = new_organisation(client, "Autre")
    foreign = world.rollout([100], organisation_id=other_org)
    hidden = report(client, tablet, foreign, "0.2.0")
    assert hidden.status_code == 404
    nul = report(client, tablet, rollout_id, "0.2.0", outcome="failed", reason="a\x00b")
    assert nul.status_code == 422
    multiline = report(
        client, tablet, rollout_id, "0.2.0", outcome="failed", reason="ligne\n\tsuite"
    )
    assert multiline.status_code == 200
    with service(client) as session:
        row = session.get(DeviceUpdate, (tablet.device_id, rollout_id))
        assert row is not None and row.reason == "ligne suite"
    with service(client) as session:
        device = session.get(Device, tablet.device_id)
        assert device is not None
        device.revoked_at = NOW
    assert report(client, tablet, rollout_id, "0.2.0").status_code == 401


def test_only_the_tablets_a_rollout_targets_may_report(client: TestClient, world: World) -> None:
    """Tablets outside the stage or the channel cannot halt a rollout they were never offered
    (for the operator's rollout without organisation: any two tablets anywhere)."""
    tablets = world.tablets(30)
    operators = world.rollout([5], organisation_id=None, channel="stable")
    outside = [t for t in tablets if contract_bucket(operators, t.device_id) >= 5][:3]
    for tablet in outside:
        refused = report(client, tablet, operators, "0.2.0", outcome="failed", reason="x")
        assert (refused.status_code, refused.json()["detail"]) == (
            404,
            "Déploiement inconnu de cette tablette.",
        )
    assert world.get(operators).state == "active"
    with service(client) as session:
        assert all(session.get(DeviceUpdate, (t.device_id, operators)) is None for t in outside)
    beta = world.rollout([100], channel="beta")
    stable_tablet = tablets[0]
    assert report(client, stable_tablet, beta, "0.2.0").status_code == 404
    beta_tablet = world.tablets(1, channel="beta")[0]
    assert report(client, beta_tablet, beta, "0.2.0").status_code == 200
    # Offered once (a row kept), it may still report after moving channel.
    with service(client) as session:
        device = session.get(Device, beta_tablet.device_id)
        assert device is not None
        device.update_channel = "stable"
    again = report(client, beta_tablet, beta, "0.2.0", outcome="failed", reason="écran noir")
    assert again.status_code == 200


# --- state changes ------------------------------------------------------------------------------


def test_state_changes_allowed_and_refused(world: World) -> None:
    rollout_id = world.rollout([50, 100])
    with pytest.raises(Conflict, match="en cours"):
        world.act(rollout_id, "resume")
    world.act(rollout_id, "pause")
    with pytest.raises(Conflict, match="en pause"):
        world.act(rollout_id, "advance")
    with pytest.raises(Invalid, match="raison"):
        world.act(rollout_id, "halt", "   ")
    world.act(rollout_id, "halt", "Plantages")
    with pytest.raises(Conflict, match="arrêté"):
        world.act(rollout_id, "pause")
    world.act(rollout_id, "resume")
    rollout = world.get(rollout_id)
    assert (rollout.state, rollout.halted_reason, rollout.stage_index) == ("active", None, 0)


# --- who may manage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager", True),
        ("care_manager_staff", False),
        ("staff", False),
        ("family", False),
        ("other_manager", False),
    ],
)
def test_only_the_organisations_managers_may_manage(
    client: TestClient, world: World, who: str, allowed: bool
) -> None:
    other = new_organisation(client, "Autre service")
    user_id = {
        "manager": lambda: world.manager,
        "care_manager_staff": lambda: add_person(client, world.organisation, "staff"),
        "staff": lambda: add_person(client, world.organisation, "staff", user_role="member"),
        "family": lambda: add_person(client, None, user_role="member"),
        "other_manager": lambda: add_person(client, other, "manager"),
    }[who]()
    with service(client) as session:
        user = session.get(User, user_id)
        assert user is not None
        assert rollouts.can_manage(session, user, world.organisation) is allowed
        # Nobody manages the operator's rollout for every organisation from the console.
        assert rollouts.can_manage(session, user, None) is False


def test_for_organisation_lists_its_own_and_the_operators(client: TestClient, world: World) -> None:
    own = world.rollout([100])
    operators = world.rollout([100], organisation_id=None)
    other = world.rollout([100], organisation_id=new_organisation(client, "Autre"))
    with service(client) as session:
        listed = [r.id for r in rollouts.for_organisation(session, world.organisation)]
    assert listed == [operators, own]
    assert other not in listed


def test_a_tablet_paired_later_gets_the_rollout_and_counts_as_pending(
    client: TestClient, world: World
) -> None:
    rollout_id = world.rollout([100])
    world.act(rollout_id, "advance")  # done: still offered
    late = world.tablets(1)[0]
    assert [r["rollout_id"] for r in updates_of(client, late)] == [rollout_id]
    with service(client) as session:
        progress = rollouts.progress(session, rollouts.get_rollout(session, rollout_id))
    assert (progress.stage_percent, progress.targeted, progress.offered) == (100, 1, 1)
    assert report(client, late, rollout_id, "0.2.0").status_code == 200
    with service(client) as session:
        progress = rollouts.progress(session, rollouts.get_rollout(session, rollout_id))
    assert (progress.targeted, progress.offered, progress.installed) == (1, 0, 1)
