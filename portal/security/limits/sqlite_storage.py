"""Rate-limit counts in a small SQLite file that every worker process of a host shares.

The embedded default (one host, several gunicorn workers, no Redis) needs a store the workers
share, or each counts on its own and a limit of 30 lets 150 through. This is the `limits`
library's storage interface over a file of its own, beside the database: not the portal's
database itself, so counting never waits for a booking's write lock (or for the request's own
transaction on SQLite), and losing the file loses nothing but counts. Several hosts share limits
through Redis instead (PORTAL_RATELIMIT_STORAGE_URL=redis://…).

When the file cannot be written (locked too long, a full or read-only disk), counting goes on in
this process's memory, with a warning, and the file is tried again after RETRY_AFTER seconds: a
limit never stops counting (it would fail open), and check() reports the store unhealthy, so
/readyz says so."""

import logging
import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager

from limits.storage import MemoryStorage, MovingWindowSupport, Storage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hit (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hit_key_at ON hit (key, at)",
    "CREATE INDEX IF NOT EXISTS hit_expires ON hit (expires)",
    "CREATE TABLE IF NOT EXISTS counter "
    "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)",
)
CLEAN_UP_ONE_IN = 200  # now and then a write also forgets every expired entry
BUSY_TIMEOUT_SECONDS = 2.0
RETRY_AFTER = 30.0  # seconds of counting in memory after the file failed
log = logging.getLogger("portal.security.limits")


class SQLiteStorage(Storage, MovingWindowSupport):
    """`sqlite:///path/to/file`: moving windows (one row per hit) and fixed windows (a counter)."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        self.path = uri.removeprefix("sqlite:///")
        self._local = threading.local()
        self._fallback = MemoryStorage()
        self._failed_at: float | None = None
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._guarded("_create_schema")

    def _create_schema(self) -> None:
        with self._transaction() as connection:
            for statement in SCHEMA:
                connection.execute(statement)

    def _guarded(self, method: str, *args, **kwargs):
        """The file's answer; the in-memory fallback's while the file fails."""
        if self._failed_at is None or time.monotonic() - self._failed_at > RETRY_AFTER:
            try:
                answer = getattr(self, method)(*args, **kwargs)
            except sqlite3.Error as error:
                if self._failed_at is None:
                    log.warning(
                        "rate limit file %s failed (%s): counting in memory", self.path, error
                    )
                self._failed_at = time.monotonic()
            else:
                self._failed_at = None
                return answer
        fallback = getattr(self._fallback, method.removeprefix("_file_"), None)
        return fallback(*args, **kwargs) if fallback else None

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        if getattr(self._local, "pid", None) != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return self._local.connection

    @contextmanager
    def _transaction(self):
        """BEGIN IMMEDIATE: the check and the write of one hit are one step for all processes."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # --- moving window (the portal's strategy) ------------------------------------------------
    def _file_acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._transaction() as connection:
            (count,) = connection.execute(
                "SELECT count(*) FROM hit WHERE key = ? AND at > ?", (key, now - expiry)
            ).fetchone()
            if count + amount > limit:
                return False
            connection.executemany(
                "INSERT INTO hit (key, at, expires) VALUES (?, ?, ?)",
                [(key, now, now + expiry)] * amount,
            )
            if random.randrange(CLEAN_UP_ONE_IN) == 0:  # noqa: S311 - not for security
                connection.execute("DELETE FROM hit WHERE expires <= ?", (now,))
        return True

    def _file_get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = (
            self._connection()
            .execute(
                "SELECT min(at), count(*) FROM hit WHERE key = ? AND at > ?", (key, now - expiry)
            )
            .fetchone()
        )
        return (oldest if oldest is not None else now), count

    # --- fixed window ---------------------------------------------------------------------------
    def _file_incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT count, expires FROM counter WHERE key = ?", (key,)
            ).fetchone()
            count = amount if row is None or row[1] <= now else row[0] + amount
            expires = now + expiry if row is None or row[1] <= now else row[1]
            connection.execute(
                "INSERT OR REPLACE INTO counter (key, count, expires) VALUES (?, ?, ?)",
                (key, count, expires),
            )
        return count

    def _file_get(self, key: str) -> int:
        row = self._counter(key)
        return row[0] if row else 0

    def _file_get_expiry(self, key: str) -> float:
        row = self._counter(key)
        return row[1] if row else time.time()

    def _counter(self, key: str):
        return (
            self._connection()
            .execute(
                "SELECT count, expires FROM counter WHERE key = ? AND expires > ?",
                (key, time.time()),
            )
            .fetchone()
        )

    # --- upkeep ---------------------------------------------------------------------------------
    def check(self) -> bool:
        """Healthy when a write can begin now (a read alone would answer on a full disk)."""
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        except sqlite3.Error:
            self._failed_at = self._failed_at or time.monotonic()
            return False
        return True

    # --- the interface, each through the fallback guard -------------------------------------
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return self._guarded("_file_acquire_entry", key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self._guarded("_file_get_moving_window", key, limit, expiry)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._guarded("_file_incr", key, expiry, amount)

    def get(self, key: str) -> int:
        return self._guarded("_file_get", key)

    def get_expiry(self, key: str) -> float:
        return self._guarded("_file_get_expiry", key)

    def reset(self) -> int | None:
        return self._guarded("_file_reset")

    def clear(self, key: str) -> None:
        return self._guarded("_file_clear", key)

    def _file_reset(self) -> int | None:
        with self._transaction() as connection:
            removed = connection.execute("DELETE FROM hit").rowcount
            removed += connection.execute("DELETE FROM counter").rowcount
        return removed

    def _file_clear(self, key: str) -> None:
        with self._transaction() as connection:
            connection.execute("DELETE FROM hit WHERE key = ?", (key,))
            connection.execute("DELETE FROM counter WHERE key = ?", (key,))
