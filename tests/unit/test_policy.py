"""The access policy: its table is the documentation, and its rules hold the line on health."""

from __future__ import annotations

from pathlib import Path

from backend.policy import (
    PERMISSIONS,
    Permission,
    Role,
    markdown_table,
    may_read_health_message,
    role_for_organisation,
    role_for_relation,
)

ROOT = Path(__file__).resolve().parents[2]


def test_docs_access_md_is_generated_from_the_policy() -> None:
    documented = (ROOT / "docs" / "access.md").read_text()
    assert documented == markdown_table(), "run: python -m backend.policy > docs/access.md"


def test_family_never_sees_care_instructions_nor_writes_health_messages() -> None:
    for role in (Role.FAMILY, Role.FRIEND):
        assert Permission.VIEW_INSTRUCTIONS not in PERMISSIONS[role]
        assert Permission.WRITE_HEALTH not in PERMISSIONS[role]
        assert Permission.MANAGE_CIRCLE not in PERMISSIONS[role]


def test_only_the_care_manager_manages_circle_and_tablets() -> None:
    for permission in (Permission.MANAGE_CIRCLE, Permission.MANAGE_DEVICES, Permission.VIEW_AUDIT):
        holders = {role for role, granted in PERMISSIONS.items() if permission in granted}
        assert holders == {Role.CARE_MANAGER}


def test_roles_from_organisations_and_relations() -> None:
    assert role_for_organisation("nursing", "nurse") is Role.HEALTH_PROFESSIONAL
    assert role_for_organisation("home_help", "home_aide") is Role.CARE_WORKER
    assert role_for_organisation("care_management", None) is Role.CARE_MANAGER
    assert role_for_organisation("association", "volunteer") is Role.VOLUNTEER
    assert role_for_organisation("independent", "physiotherapist") is Role.HEALTH_PROFESSIONAL
    assert role_for_organisation("independent", None) is Role.CARE_WORKER
    assert role_for_organisation("unknown", "nurse") is None
    assert role_for_relation("family", None) is Role.FAMILY
    assert role_for_relation("neighbour", None) is Role.FRIEND
    assert role_for_relation("professional", "doctor") is Role.HEALTH_PROFESSIONAL
    assert role_for_relation("professional", None) is None
    assert role_for_relation("stranger", None) is None


def test_health_messages_are_for_recipients_and_author_only() -> None:
    def can(reader: int | None, device: bool = False) -> bool:
        return may_read_health_message(
            reader_user_id=reader,
            reader_is_device=device,
            author_user_id=1,
            author_is_device=False,
            recipient_user_ids=[2, None],
        )

    assert can(1)  # author
    assert can(2)  # recipient
    assert not can(3)  # anyone else, whatever their role
    assert can(None, device=True)  # the beneficiary is a recipient
    assert not may_read_health_message(
        reader_user_id=None,
        reader_is_device=True,
        author_user_id=1,
        author_is_device=False,
        recipient_user_ids=[2],
    )
