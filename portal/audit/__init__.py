"""The append-only audit log of what staff saw and did (and of links people asked for again)."""

from portal.audit.services import AuditFilter, entries, record, recorded_since

__all__ = ["AuditFilter", "entries", "record", "recorded_since"]
