"""signs of life: touch counts, check-in answers and their settings; the tablet's health in
its status; the mood-sharing pause; engagement nudges; the audit log read by date

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engagement_nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("after_days", sa.Integer(), nullable=False),
        sa.Column("enabled_by_id", sa.Integer(), nullable=True),
        sa.Column("enabled_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_engagement_nudges_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enabled_by_id"],
            ["users.id"],
            name=op.f("fk_engagement_nudges_enabled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_engagement_nudges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_nudges")),
        sa.UniqueConstraint(
            "beneficiary_id", "user_id", name=op.f("uq_engagement_nudges_beneficiary_id_user_id")
        ),
    )
    with op.batch_alter_table("engagement_nudges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_nudges_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_of_life_settings",
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("checkin_enabled", sa.Boolean(), nullable=False),
        sa.Column("checkin_start", sa.String(length=5), nullable=False),
        sa.Column("checkin_end", sa.String(length=5), nullable=False),
        sa.Column("inactivity_enabled", sa.Boolean(), nullable=False),
        sa.Column("inactivity_grace_minutes", sa.Integer(), nullable=False),
        sa.Column("inactivity_deadline", sa.String(length=5), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_sign_of_life_settings_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_sign_of_life_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("beneficiary_id", name=op.f("pk_sign_of_life_settings")),
    )
    op.create_table(
        "checkin_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_checkin_answers_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_checkin_answers_device_id_devices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_answers")),
        sa.UniqueConstraint(
            "beneficiary_id", "day", name=op.f("uq_checkin_answers_beneficiary_id_day")
        ),
    )
    op.create_table(
        "device_touch_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("hour_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_device_touch_hours_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_touch_hours")),
        sa.UniqueConstraint(
            "device_id", "hour_start", name=op.f("uq_device_touch_hours_device_id_hour_start")
        ),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index(
            "ix_audit_log_beneficiary_id_at", ["beneficiary_id", "at"], unique=False
        )

    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mood_sharing_paused_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("device_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen_on", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("screen_off_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("screen_off_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_touch_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("restarts_today", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("memory_available_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("disk_total_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("last_error_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("previous_app_version", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("app_version_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_statuses", schema=None) as batch_op:
        batch_op.drop_column("app_version_since")
        batch_op.drop_column("previous_app_version")
        batch_op.drop_column("last_error_code")
        batch_op.drop_column("disk_total_bytes")
        batch_op.drop_column("memory_available_bytes")
        batch_op.drop_column("restarts_today")
        batch_op.drop_column("started_at")
        batch_op.drop_column("last_touch_at")
        batch_op.drop_column("screen_off_until")
        batch_op.drop_column("screen_off_reason")
        batch_op.drop_column("screen_on")

    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_column("mood_sharing_paused_at")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_beneficiary_id_at")
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("device_touch_hours")
    op.drop_table("checkin_answers")
    op.drop_table("sign_of_life_settings")
    with op.batch_alter_table("engagement_nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_nudges_user_id"))

    op.drop_table("engagement_nudges")
