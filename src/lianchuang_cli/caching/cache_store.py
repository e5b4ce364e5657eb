"""Where ``--cache`` keeps its rows: one SQLite database per code version in the cache folder.

Two tables of rows, by the SHA-256 of an evidence file's bytes: ``entries`` (what parsing the file
produced) and ``results`` (a graded result with what re-rating it needs, and the rendered line
and facts a batch serves it from). What the rows mean is ``grading_cache``'s business; this
module keeps them safe and small:

* every row is sealed with the folder's key and checked when read (``cache_trust``): a row that
  fails is a miss, counted in ``CacheStore.rejected``;
* the large columns are packed against the database's own dictionaries (``cache_packing``);
* rows are written ``WRITE_EVERY`` at a time in one short transaction (the write lock is held
  only that long, so parallel workers do not wait on each other), the rest when the store goes
  away or the process ends; rows not yet written are served from memory meanwhile;
* the database is named for the tool version and the package's code fingerprint (the one the
  rubric cache uses), so other code never reads a row; other versions' databases are removed
  once idle.

SQLite rather than a file per entry: creating a small file costs about 0.3 ms on a typical disk,
more than parsing the YAML; an insert costs a twentieth of that. Each process opens its own
connection (connections must not cross ``fork``). The cache is an optimisation only: an
unreadable, corrupt or unwritable row or database is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lianchuang_cli import __version__
from lianchuang_cli.caching import cache_packing, cache_trust
from lianchuang_cli.caching.cache_packing import Packer
from lianchuang_cli.caching.rubric_cache import code_fingerprint

ENTRY_FORMAT = 10
"""Bump when the row layout changes."""

Row = tuple[bytes, bytes, bytes | None, bytes | None, bytes | None, bytes | None]
"""A result row as stored: request, result, render name, line, slots and facts (UTF-8 bytes)."""


WRITE_EVERY = 64
"""New entries written per transaction (a commit costs more than several inserts)."""


class _Pending:
    """Entries made by one process and not yet written, by digest."""

    def __init__(self, pid: int, database: str, key: bytes) -> None:
        self.pid = pid
        self.database = database
        self.key = key
        self.packer = Packer(key)
        self.entries: dict[str, bytes] = {}
        self.results: dict[str, Row] = {}

    def added(self) -> None:
        if len(self.entries) + len(self.results) >= WRITE_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write everything pending in one transaction; on any failure the entries are dropped."""
        entries, results = self.entries, self.results
        self.entries, self.results = {}, {}
        # A process forked from this one holds a copy of these entries: only their maker writes.
        connection = _connections.get((self.pid, self.database))
        if os.getpid() != self.pid or connection is None or not (entries or results):
            return
        try:
            # IMMEDIATE: the write lock from the start, so that a first dictionary read inside
            # the transaction cannot go stale while another process writes one.
            connection.execute("BEGIN IMMEDIATE")
            try:
                texts = self.packer.pack(connection, "entry", list(entries.values()))
                connection.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                    [
                        (digest, text, entry_seal(self.key, digest, text))
                        for digest, text in zip(entries, texts, strict=True)
                    ],
                )
                rows = list(results.values())
                packed = iter(self.packer.pack(connection, "result", [row[1] for row in rows]))
                lines = iter(self.packer.pack(connection, "line", [r[3] for r in rows if r[3]]))
                results = {
                    digest: (row[0], next(packed), row[2], row[3] and next(lines), *row[4:])
                    for digest, row in zip(results, rows, strict=True)
                }
                connection.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (digest, *row, *row_seals(self.key, digest, row))
                        for digest, row in results.items()
                    ],
                )
            finally:
                connection.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")


class _Connections(dict[tuple[int, str], "sqlite3.Connection | None"]):
    """Each process's open databases, by (pid, database)."""


_connections = _Connections()


def _close_connections(connections: _Connections) -> None:
    """Close this process's databases: SQLite then folds the write-ahead log into the database
    (a connection left open at exit leaves its log, up to ~16 MB, beside the database)."""
    for (pid, _), connection in list(connections.items()):
        if pid == os.getpid() and connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
            del connections[(pid, _)]


# At exit, finalizers run newest first: this one, made before any store's, runs after every store
# has written its pending rows. (Nothing else closes them: the interpreter's last collections skip
# the objects ``entry.run`` froze.)
weakref.finalize(_connections, _close_connections, _connections)
"""Open databases by process and path (a forked worker opens its own): a pool, not a setting."""


def fold_log(folder: Path) -> None:
    """Fold the write-ahead log of ``folder``'s database into it and remove it, when no other
    process has the database open (after a pool of workers has joined)."""
    database = CacheStore.database_in(folder)
    if not database.with_name(f"{database.name}-wal").exists():
        return
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()  # the last connection to close removes the log


def _close_in_worker() -> None:
    """In a ``--jobs`` worker, close its databases when it leaves: a worker ends with
    ``os._exit`` after multiprocessing's own finalizers, so the interpreter's exit hooks (the
    ``weakref.finalize`` above) never run there and each worker's log would stay behind."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None or multiprocessing.parent_process() is None:
        return  # not a worker (a worker has imported multiprocessing before it grades)
    from multiprocessing import util

    util.Finalize(_connections, _close_connections, args=(_connections,), exitpriority=0)


STALE_AFTER = 600
"""Seconds after its last write that another version's database is removed (one still being
written by a run of that version is left alone)."""


def _remove_stale_databases(current: Path) -> None:
    """Remove the databases of other code versions: their entries can never be read again."""
    now = time.time()
    with contextlib.suppress(OSError):
        for database in current.parent.glob("evidence-*.db"):
            if database == current:
                continue
            parts = [database, *(database.with_name(database.name + end) for end in _SIDE_FILES)]
            written = max((p.stat().st_mtime for p in parts if p.exists()), default=now)
            if now - written > STALE_AFTER:
                for part in parts:
                    with contextlib.suppress(FileNotFoundError):
                        part.unlink()


_SIDE_FILES = ("-wal", "-shm", "-journal")


def _open(database: Path) -> sqlite3.Connection | None:
    """Open (creating if needed) the entries database, or None when it cannot be used."""
    try:
        # Owner-only from the start (SQLite gives its -wal and -shm files the same mode).
        cache_trust.create_private(database)
        # Autocommit, and wait for another worker's write rather than fail at once.
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        # Entries are tens of kilobytes: 16 KB pages halve the cost of writing them and make
        # reading one faster (fewer overflow pages) for about a fifth more disk space than 4 KB
        # pages (larger ones waste more); only a new database takes the size.
        connection.execute("PRAGMA page_size=16384")
        # WAL with NORMAL sync: no flush to disk per insert; a crash can lose the last entries,
        # never corrupt the others, and a lost entry is only a miss.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        # Every column is UTF-8 bytes (BLOB): the seal is checked on the bytes as stored,
        # without encoding text again.
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, entry BLOB NOT NULL,"
            " seal BLOB NOT NULL)"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS results (digest TEXT PRIMARY KEY, request BLOB NOT NULL,"
            " result BLOB NOT NULL, render BLOB, line BLOB, slots BLOB, facts BLOB,"
            " seal BLOB NOT NULL, result_seal BLOB NOT NULL)"
        )
        connection.execute(cache_packing.SCHEMA)
    except (OSError, sqlite3.Error):
        return None
    return connection


def entry_seal(key: bytes, digest: str, entry: bytes) -> bytes:
    """The seal of a parsed entry (``cache_trust``)."""
    return cache_trust.seal(key, b"entry", digest.encode(), entry)


def row_seals(key: bytes, digest: str, row: Row) -> tuple[bytes, bytes]:
    """The seals of a result row: of everything but the result, and of the result (checked
    apart, so that a unit served from its line and facts never hashes its full result)."""
    return _row_seal(key, digest, row), _result_seal(key, digest, row[1])


def _row_seal(key: bytes, digest: str, row: Row) -> bytes:
    return cache_trust.seal(key, b"row", digest.encode(), row[0], *row[2:])


def _result_seal(key: bytes, digest: str, result: bytes) -> bytes:
    return cache_trust.seal(key, b"result", digest.encode(), result)


_RESULT_COLUMNS = "request, result, render, line, slots, facts, seal, result_seal"

FETCH_AT_MOST = 256
"""Most rows ``fetch_results`` asks for in one statement (well within SQLite's limit on a
statement's parameters)."""


class CacheStore:
    """The rows of one cache folder, as this process reads and writes them."""

    @staticmethod
    def database_in(folder: Path) -> Path:
        """The database of this code version in ``folder``."""
        return folder / f"evidence-v{__version__}-{ENTRY_FORMAT}-{code_fingerprint()[:16]}.db"

    def __init__(self, folder: Path) -> None:
        """Use ``folder``; raises ``UnsafeCacheFolder`` if others may write it."""
        self.database = self.database_in(folder)
        self._key = cache_trust.folder_key(folder)
        self._pending = _Pending(os.getpid(), str(self.database), self._key or b"")
        self.rejected = 0
        """Stored rows whose seal did not match (edited, damaged or foreign), in this process."""
        self._fetched: dict[str, Any] = {}
        weakref.finalize(self, self._pending.flush)

    def flush(self) -> None:
        """Write the rows made so far."""
        self._pending.flush()

    def _connection(self) -> sqlite3.Connection | None:
        if self._key is None:  # the folder cannot be used: every read is a miss
            return None
        key = (os.getpid(), str(self.database))
        if key not in _connections:
            if not any(pid == key[0] for pid, _ in _connections):
                _close_in_worker()
            _connections[key] = _open(self.database)
            _remove_stale_databases(self.database)
        return _connections[key]

    def usable(self) -> bool:
        """Whether rows can be kept at all (else every read misses and nothing is stored)."""
        return self._connection() is not None

    def entry(self, digest: str) -> bytes | None:
        """A parsed entry's JSON: pending in memory, or stored, sealed and unpacked; or None."""
        text = self._pending.entries.get(digest)
        if text is not None:
            return text
        connection = self._connection()
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT entry, seal FROM entries WHERE digest = ?", (digest,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        packed, mark = row
        if not isinstance(packed, bytes) or not cache_trust.matches(
            mark, entry_seal(self._pending.key, digest, packed)
        ):
            self.rejected += 1
            return None
        return self._pending.packer.unpack(connection, "entry", packed)

    def fetch_results(self, digests: Sequence[str]) -> None:
        """Read the stored result rows of ``digests`` in one statement, for ``result_row`` to
        take (and check) one by one: one statement a chunk of files rather than one a file
        (about 18 against 5 µs a file, measured 2026-12-07). Forgets any earlier fetch."""
        self._fetched = {}
        wanted = [
            digest for digest in dict.fromkeys(digests) if digest not in self._pending.results
        ]
        connection = self._connection()
        if connection is None or not wanted or len(wanted) > FETCH_AT_MOST:
            return
        try:
            rows = connection.execute(
                f"SELECT digest, {_RESULT_COLUMNS} FROM results"
                f" WHERE digest IN ({','.join('?' * len(wanted))})",
                wanted,
            ).fetchall()
        except sqlite3.Error:
            return
        fetched: dict[str, Any] = dict.fromkeys(wanted)
        for digest, *row in rows:
            if digest in fetched:
                fetched[digest] = tuple(row)
        self._fetched = fetched

    def result_row(self, digest: str) -> tuple[Row, Callable[[], bytes | None] | None] | None:
        """A result row, its result left packed: the row (with an empty result) and the
        function that unpacks the result; a pending row comes whole, with None."""
        pending = self._pending.results.get(digest)
        if pending is not None:
            return pending, None
        connection = self._connection()
        if connection is None:
            return None
        if digest in self._fetched:
            row = self._fetched.pop(digest)
        else:
            try:
                row = connection.execute(
                    f"SELECT {_RESULT_COLUMNS} FROM results WHERE digest = ?", (digest,)
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        key = self._pending.key
        if not all(part is None or isinstance(part, bytes) for part in row) or not (
            cache_trust.matches(row[6], _row_seal(key, digest, row[:6]))
        ):
            self.rejected += 1
            return None
        packer = self._pending.packer
        line = row[3]
        if line is not None:
            line = packer.unpack(connection, "line", line)
            if line is None:
                return None
        packed_result, result_mark = row[1], row[7]

        def result() -> bytes | None:
            if not cache_trust.matches(result_mark, _result_seal(key, digest, packed_result)):
                self.rejected += 1
                return None
            return packer.unpack(connection, "result", packed_result)

        return (row[0], b"", row[2], line, row[4], row[5]), result

    def add_entry(self, digest: str, text: bytes) -> None:
        """Keep a parsed entry's JSON."""
        self._pending.entries[digest] = text
        self._pending.added()

    def add_result(self, digest: str, row: Row) -> None:
        """Keep a result row."""
        self._pending.results[digest] = row
        self._pending.added()
