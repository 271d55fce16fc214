"""The append-only audit log of what staff saw and did (and of links people asked for again)."""

from portal.audit import models  # noqa: F401 - the package's tables are known once it is imported
from portal.audit.services import (
    AuditFilter,
    count_old_entries,
    delete_old_entries,
    entries,
    record,
    recorded_since,
)

__all__ = [
    "AuditFilter",
    "count_old_entries",
    "delete_old_entries",
    "entries",
    "record",
    "recorded_since",
]
