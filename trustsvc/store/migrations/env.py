"""Alembic environment: always run programmatically with a connection passed in `config.attributes`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from trustsvc.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - `alembic` CLI use is not supported
    raise RuntimeError("run migrations through trustsvc.store.db.upgrade()")

if connection.dialect.name == "postgresql":
    # Several workers may start at once: one migrates, the others wait and then find nothing to do.
    connection.execute(text("SELECT pg_advisory_xact_lock(720419)"))
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
