"""The append-only audit log of what staff saw and did."""

from portal.audit.services import AuditFilter, entries, record

__all__ = ["AuditFilter", "entries", "record"]
