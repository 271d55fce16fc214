"""Alembic environment: migrations run against the app's engine (see portal/db/schema.py). The
metadata holds every table once the app is built: create_app imports every feature, and each
feature its models."""

from alembic import context

from portal.db import Base

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
