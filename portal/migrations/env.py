"""Alembic environment: migrations run against the app's engine (see portal/migrations.py)."""

from alembic import context

from portal.db import Base
from portal.models import import_all_models

import_all_models()
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `portal db upgrade`.")
run_migrations_online()
