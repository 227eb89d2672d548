"""Alembic environment: run against the connection handed over by backend.db."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from backend.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    # `alembic revision --autogenerate` from the command line, with -x url=...
    url = context.get_x_argument(as_dictionary=True)["url"]
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
