"""Alembic's environment for Accord: runs on the connection that :mod:`accord.store` hands it.

Accord runs migrations itself (``accord init``, and the check at the start of every database
command), so there is no ``alembic.ini``: the connection arrives in
``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from accord.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
