"""geocoding cache, a PIN per pairing, when a tablet applied its configuration

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geocoding_cache",
        sa.Column("query_key", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("query_key", name=op.f("pk_geocoding_cache")),
    )
    with op.batch_alter_table("device_authorizations") as batch:
        batch.add_column(sa.Column("maintenance_pin_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("device_statuses") as batch:
        batch.add_column(sa.Column("config_applied_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_statuses") as batch:
        batch.drop_column("config_applied_at")
    with op.batch_alter_table("device_authorizations") as batch:
        batch.drop_column("maintenance_pin_hash")
    op.drop_table("geocoding_cache")
