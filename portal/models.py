"""One place that imports every feature's models, so metadata is complete for Alembic and tests."""


def import_all_models() -> None:
    import portal.appointments.models  # noqa: F401
    import portal.audit.models  # noqa: F401
    import portal.cases.models  # noqa: F401
    import portal.links.models  # noqa: F401
    import portal.notify.models  # noqa: F401
    import portal.registration.models  # noqa: F401
    import portal.staff.models  # noqa: F401
