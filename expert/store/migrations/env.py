"""Alembic's entry point: the store passes an open connection in ``config.attributes``; the
migrations run inside the transaction that the store has begun (and locked)."""

from __future__ import annotations

from alembic import context

from expert.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
