"""Caches trust nothing they did not seal themselves, in a folder nobody else may write."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.batching import engine
from lianchuang_cli.batching.engine import grade_batch
from lianchuang_cli.caching import cache_trust
from lianchuang_cli.caching.cache_packing import Packer
from lianchuang_cli.caching.grading_cache import EvidenceCache
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from tests.conftest import EXAMPLES, ROOT
from tests.test_batch import DECLARED_TOWNSHIP_VALUES

TAOYUAN = EXAMPLES / "village" / "taoyuan_excellent.yaml"
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="permission bits describe access on POSIX")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def edit_stored_rows(database: Path, old: bytes, new: bytes) -> int:
    """Change text in every stored row as someone editing the database by hand would: unpacked,
    edited and packed again (with the database's own dictionaries), but not sealed again."""
    key = cache_trust.folder_key(database.parent)
    assert key is not None
    changed = 0
    with sqlite3.connect(database) as connection:
        packer = Packer(key)
        for table, columns in (("results", ("result", "line", "facts")), ("entries", ("entry",))):
            for column in columns:
                rows = connection.execute(f"SELECT digest, {column} FROM {table}").fetchall()
                for digest, value in rows:
                    packed = column != "facts"
                    text = packer.unpack(connection, column, value) if packed else value
                    if isinstance(text, bytes) and old in text:
                        text = text.replace(old, new)
                        (stored,) = packer.pack(connection, column, [text]) if packed else (text,)
                        connection.execute(
                            f"UPDATE {table} SET {column} = ? WHERE digest = ?", (stored, digest)
                        )
                        changed += 1
    return changed


@pytest.mark.parametrize("output", ["json", "table"])
def test_an_edited_result_row_is_rejected_and_said_once(output: str, tmp_path: Path) -> None:
    """Editing a stored 101.25 优秀 into 55.25 不合格 changes nothing but a notice on stderr."""
    cache = tmp_path / "cache"
    plain = run("score", str(TAOYUAN), "--format", output)
    assert "101.25" in plain[1]
    assert run("score", str(TAOYUAN), "--format", output, "--cache", str(cache))[:2] == plain[:2]
    (database,) = cache.glob("*.db")
    assert edit_stored_rows(database, b"101.25", b"55.25") > 0
    assert edit_stored_rows(database, "优秀".encode(), "不合格".encode()) > 0
    code, stdout, stderr = run("score", str(TAOYUAN), "--format", output, "--cache", str(cache))
    assert (code, stdout) == plain[:2]
    assert stderr.count("未通过校验") == 1
    # The rejected rows were replaced by fresh, sealed ones: the next run is quiet.
    assert run("score", str(TAOYUAN), "--format", output, "--cache", str(cache)) == plain


def test_a_stored_line_of_another_length_is_a_miss(tmp_path: Path) -> None:
    """A rendered line lengthened by hand is rejected (before: exit 3 from the template)."""
    cache = tmp_path / "cache"
    edited = tmp_path / "village.yaml"
    edited.write_text(
        (ROOT / "rubrics" / "village.yaml")
        .read_text("utf-8")
        .replace("min_score: 90", "min_score: 89", 1),
        encoding="utf-8",
    )
    args = ["batch", str(EXAMPLES / "village"), "--format", "jsonl", "--jobs", "1"]
    run(*args, "--cache", str(cache))
    (database,) = cache.glob("*.db")
    assert edit_stored_rows(database, b'{"', b'{   "') > 0
    plain = run(*args, "--rubric", str(edited))
    code, stdout, stderr = run(*args, "--rubric", str(edited), "--cache", str(cache))
    assert (code, stdout) == plain[:2]
    assert "未通过校验" in stderr


def test_an_edited_result_is_hashed_only_when_it_is_read(tmp_path: Path) -> None:
    """A stored result edited by hand (its row intact) is never read by a batch served from its
    line and facts, whose output stays exact; a run that reads the result rejects it."""
    village = ROOT / "rubrics" / "village.yaml"
    edited = tmp_path / "village.yaml"
    text = village.read_text(encoding="utf-8")
    edited.write_text(text.replace("{name: 良好, min_score: 80}", "{name: 良好, min_score: 81}"))
    cache = tmp_path / "cache"
    args = ["batch", str(EXAMPLES / "village"), "--jobs", "1", "--cache", str(cache)]
    run(*args, "--format", "json", "--rubric", str(village))
    (database,) = cache.glob("*.db")
    with sqlite3.connect(database) as connection:
        for digest, result in connection.execute("SELECT digest, result FROM results").fetchall():
            damaged = result[:-1] + bytes([result[-1] ^ 1])
            connection.execute("UPDATE results SET result = ? WHERE digest = ?", (damaged, digest))
    for output in ("json", "html"):  # html reads whole results
        plain = run(*args[:-2], "--format", output, "--rubric", str(edited))
        code, stdout, stderr = run(*args, "--format", output, "--rubric", str(edited))
        assert (code, stdout) == plain[:2]
        assert ("未通过校验" in stderr) == (output == "html"), output


def test_entries_from_another_cache_folder_are_not_trusted(tmp_path: Path) -> None:
    """Each folder has its own key: a database copied in from elsewhere is all misses."""
    first, second = EvidenceCache(tmp_path / "a"), EvidenceCache(tmp_path / "b")
    fresh = grade_file(TAOYUAN)
    assert grade_file(TAOYUAN, cache=first) == fresh
    first.flush()
    with sqlite3.connect(first.database) as source, sqlite3.connect(second.database) as copy:
        source.backup(copy)
    assert grade_file(TAOYUAN, cache=second) == fresh
    assert second.rejected == 2  # the stored result, then the parsed entry


@POSIX_ONLY
def test_a_new_cache_folder_and_its_files_are_owner_only(tmp_path: Path) -> None:
    """The folder is made 0700, the key and the database 0600."""
    folder = tmp_path / "new" / "cache"
    cache = EvidenceCache(folder)
    grade_file(TAOYUAN, cache=cache)
    cache.flush()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for made in (folder / cache_trust.KEY_FILE, cache.database):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made


@POSIX_ONLY
def test_a_cache_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    """``--cache`` on a world-writable folder: exit 2 and a Chinese reason, before grading."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    code, _, stderr = run("score", str(TAOYUAN), "--cache", str(folder))
    assert code == 2
    assert "其他用户也可写入" in stderr
    assert "chmod 700" in stderr
    assert not any(folder.iterdir())
    with pytest.raises(cache_trust.UnsafeCacheFolder):
        grade_batch([str(TAOYUAN)], cache_dir=folder)


@POSIX_ONLY
def test_a_key_others_may_write_is_refused(tmp_path: Path) -> None:
    """A key file others could replace makes the folder untrusted too."""
    folder = tmp_path / "c"
    assert cache_trust.folder_key(folder) is not None
    (folder / cache_trust.KEY_FILE).chmod(0o666)
    with pytest.raises(cache_trust.UnsafeCacheFolder, match="密钥文件"):
        cache_trust.folder_key(folder)


def test_a_damaged_key_is_replaced(tmp_path: Path) -> None:
    """A truncated key is replaced by a new one; what it sealed becomes a miss."""
    folder = tmp_path / "c"
    key = cache_trust.folder_key(folder)
    (folder / cache_trust.KEY_FILE).write_bytes(b"short")
    again = cache_trust.folder_key(folder)
    assert again is not None
    assert len(again) == cache_trust.KEY_BYTES
    assert again != key


def test_the_seal_separates_its_parts() -> None:
    """Moving bytes from one part to the next changes the seal."""
    key = b"k" * 32
    assert cache_trust.seal(key, b"ab", b"c") != cache_trust.seal(key, b"a", b"bc")
    assert cache_trust.seal(key, None, b"") != cache_trust.seal(key, b"", None)


INVALID = sorted((ROOT / "tests" / "data" / "evidence" / "invalid").glob("*.yaml")) + sorted(
    (EXAMPLES / "invalid").glob("*.yaml")
)


@pytest.mark.parametrize(("jobs", "method"), [("1", "fork"), ("2", "fork"), ("2", "spawn")])
def test_outputs_are_the_same_with_and_without_the_cache(
    jobs: str, method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file reads the same uncached, cold and warm: invalid ones (full-width hints
    included) and graded ones, in one process and in forked or spawned workers."""
    monkeypatch.setattr(engine, "START_METHOD", method)
    folder = tmp_path / "in"
    folder.mkdir()
    for path in [*INVALID, *sorted((EXAMPLES / "village").glob("*.yaml"))]:
        (folder / path.name).write_bytes(path.read_bytes())
    args = ["batch", str(folder), "--format", "json", "--jobs", jobs]
    plain = run(*args)
    assert "全角" in plain[1]  # the hint whose absence was the bug
    assert '"graded": 6' in plain[1] or '"graded":6' in plain[1]
    cold = run(*args, "--cache", str(tmp_path / "c"))
    warm = run(*args, "--cache", str(tmp_path / "c"))
    assert plain == cold == warm


def test_a_band_condition_edit_grades_afresh(tmp_path: Path) -> None:
    """Editing a band's conditions on the units below (优秀 needs 30 % 五个好 villages instead of
    20 %) changes what the result states: a cached batch says the new condition, as a fresh one."""
    township = ROOT / "rubrics" / "township.yaml"
    edited = tmp_path / "township.yaml"
    text = township.read_text("utf-8")
    old = "{linked: {figure: share_rated, of: village}, at_least: 20}"
    assert text.count(old) == 1
    edited.write_text(text.replace(old, old.replace("20", "30")), "utf-8")
    declared = (EXAMPLES / "county-demo" / "yunling" / "township.yaml").read_text("utf-8")
    unit = tmp_path / "township-unit.yaml"
    unit.write_text(declared.replace("indicators:\n", DECLARED_TOWNSHIP_VALUES, 1), "utf-8")
    args = ["batch", str(unit), "--format", "json", "--jobs", "1"]
    cache = ("--cache", str(tmp_path / "c"))
    assert (
        run(*args, "--rubric", str(township), *cache)[1] == run(*args, "--rubric", str(township))[1]
    )
    fresh = run(*args, "--rubric", str(edited))
    assert "30" in fresh[1]
    assert run(*args, "--rubric", str(edited), *cache) == fresh
