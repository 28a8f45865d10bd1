"""Alembic environment: the engine comes from `store.db` (config attribute `engine`) or the URL."""

from __future__ import annotations

from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on the engine handed over by `store.db.upgrade`, or one made from the URL."""
    engine = config.attributes.get("engine")
    if engine is None:
        from persona.config import get_settings

        engine = make_engine(get_settings().resolved_database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
