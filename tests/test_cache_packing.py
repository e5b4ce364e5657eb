"""Cache rows packed against the database's own dictionaries; other versions' databases pruned."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from click.testing import CliRunner

from lianchuang_cli.caching import cache_store, cache_trust
from lianchuang_cli.caching.cache_packing import MAX_UNPACKED, Packer
from lianchuang_cli.caching.grading_cache import EvidenceCache
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from tests.conftest import EXAMPLES

VILLAGES = sorted((EXAMPLES / "village").glob("*.yaml"))


def packer_for(folder: Path) -> Packer:
    key = cache_trust.folder_key(folder)
    assert key is not None
    return Packer(key)


def test_rows_round_trip_and_the_first_row_is_the_dictionary(tmp_path: Path) -> None:
    """Packed rows unpack exactly; the first row packed of a kind is that kind's dictionary."""
    database = tmp_path / "c.db"
    rows = [path.read_bytes() for path in VILLAGES]
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE dictionaries (kind TEXT PRIMARY KEY, data BLOB, seal BLOB)"
        )
        packer = packer_for(tmp_path / "c")
        packed = packer.pack(connection, "entry", rows)
        (dictionary,) = connection.execute("SELECT data FROM dictionaries").fetchone()
        assert dictionary == rows[0]
        assert [Packer(packer._key).unpack(connection, "entry", p) for p in packed] == rows
        # Against a dictionary of their own kind, the other villages pack far below zlib alone.
        assert sum(map(len, packed[1:])) < sum(len(row) for row in rows[1:]) / 3


def test_a_dictionary_that_fails_its_seal_makes_its_rows_misses(tmp_path: Path) -> None:
    """An edited dictionary is not used: every row packed against it is a miss, none an error."""
    cache = EvidenceCache(tmp_path / "c")
    fresh = [grade_file(path) for path in VILLAGES]
    assert [grade_file(path, cache=cache) for path in VILLAGES] == fresh
    cache.flush()
    with sqlite3.connect(cache.database) as connection:
        connection.execute("UPDATE dictionaries SET data = data || x'20'")
    again = EvidenceCache(tmp_path / "c")
    assert [grade_file(path, cache=again) for path in VILLAGES] == fresh
    assert again.rejected == 0  # the rows' own seals hold; they only cannot be unpacked


def test_unpacking_is_bounded(tmp_path: Path) -> None:
    """A row that would unpack past MAX_UNPACKED gives nothing (a bomb is not inflated)."""
    with sqlite3.connect(tmp_path / "c.db") as connection:
        connection.execute(
            "CREATE TABLE dictionaries (kind TEXT PRIMARY KEY, data BLOB, seal BLOB)"
        )
        packer = packer_for(tmp_path / "c")
        packer.pack(connection, "line", [b"x"])
        (bomb,) = packer.pack(connection, "line", [b"\0" * (MAX_UNPACKED + 1)])
        assert len(bomb) < MAX_UNPACKED // 100
        assert packer.unpack(connection, "line", bomb) is None
        assert packer.unpack(connection, "line", b"not zlib") is None


def test_a_cached_batch_takes_a_few_kilobytes_a_file(tmp_path: Path) -> None:
    """Results, lines and parsed entries packed: 10 copies of each example (six quite different
    units, so a harsh case) take under 20 KB a file, where unpacked rows took about 57 KB.
    The target of 15 KB is measured on a generated county by benchmarks/bench_batch.py (8.7 KB)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for copy in range(10):
        for path in VILLAGES:
            text = path.read_text("utf-8").replace("code: ", f"code: {copy}", 1)
            (folder / f"{copy}-{path.name}").write_text(text, "utf-8")
    cache = tmp_path / "cache"
    args = ["batch", str(folder), "--format", "json", "--jobs", "1", "--cache", str(cache)]
    assert CliRunner().invoke(main, args).exit_code == 0
    (database,) = cache.glob("*.db")
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (stored,) = connection.execute("SELECT count(*) FROM results").fetchone()
    assert stored == 10 * len(VILLAGES)
    assert database.stat().st_size / stored < 20 * 1024


def test_other_versions_databases_are_removed_once_idle(tmp_path: Path) -> None:
    """A database of another code version goes once nobody has written it for a while; one
    written just now (a run of that version still going) stays."""
    folder = tmp_path / "c"
    cache = EvidenceCache(folder)
    grade_file(VILLAGES[0], cache=cache)
    cache.flush()
    old = folder / "evidence-v0.0.9-8-0123456789abcdef.db"
    busy = folder / "evidence-v0.0.9-8-fedcba9876543210.db"
    shutil.copy(cache.database, old)
    (folder / (old.name + "-wal")).write_bytes(b"")
    shutil.copy(cache.database, busy)
    long_ago = time.time() - cache_store.STALE_AFTER - 60
    for stale in (old, folder / (old.name + "-wal")):
        os.utime(stale, (long_ago, long_ago))
    cache_store._connections.clear()  # a new process opening the cache
    grade_file(VILLAGES[1], cache=EvidenceCache(folder))
    assert not old.exists()
    assert not (folder / (old.name + "-wal")).exists()
    assert busy.exists()
    assert cache.database.exists()
