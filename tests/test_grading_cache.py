"""The parsed-evidence cache: same outcomes as a fresh read, misses on any change, never an error."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import pytest
from click.testing import CliRunner

from lianchuang_cli.caching import cache_store, cache_trust, grading_cache
from lianchuang_cli.caching.cache_packing import Packer
from lianchuang_cli.caching.entry_codec import decode_object, encode_values
from lianchuang_cli.caching.grading_cache import CachedDocument, EvidenceCache
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import GradingPlan, grade_file
from lianchuang_cli.reports.json_report import outcome_to_dict, prerender
from lianchuang_cli.scoring.ranking import unit_key
from lianchuang_cli.scoring.results import FileOutcome, UnitFacts, UnitResult
from lianchuang_cli.scoring.row_store import encode_row
from lianchuang_cli.scoring.tally import Tally, losses
from tests.conftest import EXAMPLES, ROOT, RUBRICS


def damage(cache: EvidenceCache, table: str, column: str, value: str | None) -> None:
    """Set ``column`` of every row of ``table`` and seal the rows again with the folder's key:
    a malformed row that passes its seal, so that decoding alone is shown never to trust it."""
    key = cache_trust.folder_key(cache.folder)
    assert key is not None
    data = None if value is None else value.encode()
    with sqlite3.connect(cache.database) as connection:
        if data is not None and column in ("entry", "result", "line"):  # packed columns
            (data,) = Packer(key).pack(connection, column, [data])
        connection.execute(f"UPDATE {table} SET {column} = ?", (data,))
        if table == "entries":
            for digest, entry in connection.execute("SELECT digest, entry FROM entries").fetchall():
                mark = cache_store.entry_seal(key, digest, entry)
                connection.execute("UPDATE entries SET seal = ? WHERE digest = ?", (mark, digest))
            return
        columns = "request, result, render, line, slots, facts"
        for digest, *row in connection.execute(f"SELECT digest, {columns} FROM results"):
            seals = cache_store.row_seals(key, digest, tuple(row))
            connection.execute(
                "UPDATE results SET seal = ?, result_seal = ? WHERE digest = ?", (*seals, digest)
            )


def entries(folder: Path) -> int:
    """How many parsed files the cache folder holds."""
    (database,) = folder.glob("*.db")
    with sqlite3.connect(database) as connection:
        count: int = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    return count


CASES = sorted((EXAMPLES / "village").glob("*.yaml")) + sorted(
    (EXAMPLES / "invalid").glob("*.yaml")
)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_cached_outcome_equals_fresh_outcome(path: Path, tmp_path: Path) -> None:
    """Cold and warm cache both give exactly the outcome of an uncached read, problems included."""
    fresh = grade_file(path)
    cache = EvidenceCache(tmp_path)
    assert grade_file(path, cache=cache) == fresh
    assert grade_file(path, cache=cache) == fresh


def test_unchanged_bytes_are_not_parsed_again(tmp_path: Path) -> None:
    """The second read comes from the entry; an edited file misses and gets its own entry."""
    source = tmp_path / "unit.yaml"
    source.write_bytes((EXAMPLES / "village" / "taoyuan_excellent.yaml").read_bytes())
    cache = EvidenceCache(tmp_path / "cache")
    assert not isinstance(cache.read(source), CachedDocument)
    assert isinstance(cache.read(source), CachedDocument)
    source.write_text(source.read_text("utf-8") + "\n# 改动\n", encoding="utf-8")
    assert not isinstance(cache.read(source), CachedDocument)
    assert entries(tmp_path / "cache") == 0  # written a transaction at a time
    cache.flush()
    assert entries(tmp_path / "cache") == 2


def test_corrupt_or_unwritable_entries_are_misses(tmp_path: Path) -> None:
    """A damaged entry or database is a miss; a cache folder that cannot be made still grades."""
    path = EXAMPLES / "village" / "shiqiao_good.yaml"
    fresh = grade_file(path)
    cache = EvidenceCache(tmp_path / "c")
    grade_file(path, cache=cache)
    cache.flush()
    with sqlite3.connect(cache.database) as connection:
        connection.execute("DELETE FROM results")
    damage(cache, "entries", "entry", '{"data": {"$d": "x"}}')
    assert grade_file(path, cache=cache) == fresh
    broken = tmp_path / "broken"
    broken.mkdir()
    EvidenceCache(broken).database.write_bytes(b"not a database" * 100)
    assert grade_file(path, cache=EvidenceCache(broken)) == fresh
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    assert grade_file(path, cache=EvidenceCache(blocked)) == fresh


def test_values_round_trip_exactly() -> None:
    """Decimals keep their digits, keys starting with "$" survive, ints and bools stay apart."""
    data = {
        "$d": "text",
        "$$x": [Decimal("2.50"), Decimal("1E+3"), 1, True, None, "0571"],
        "n": {"$d": Decimal("-0.0")},
    }
    back = json.loads(json.dumps(encode_values(data)), object_hook=decode_object)
    assert back == data
    assert [str(v) for v in back["$$x"][:2]] == ["2.50", "1E+3"]
    assert type(back["$$x"][2]) is int
    assert back["$$x"][3] is True
    assert str(back["n"]["$d"]) == "-0.0"


def test_score_cache_option(tmp_path: Path) -> None:
    """``score --cache DIR`` fills the folder and grades the same the second time."""
    runner = CliRunner()
    files = [str(p) for p in sorted((EXAMPLES / "village").glob("*.yaml"))]
    args = ["score", *files, "--format", "json", "--cache", str(tmp_path / "c")]
    first = runner.invoke(main, args)
    second = runner.invoke(main, args)
    assert first.exit_code == second.exit_code == 0, first.output
    assert json.loads(first.output) == json.loads(second.output)
    assert entries(tmp_path / "c") == len(files)


def test_batch_cache_option(tmp_path: Path) -> None:
    """``batch --cache DIR`` grades a folder the same with a cold and a warm cache."""
    runner = CliRunner()
    args = ["batch", str(EXAMPLES / "village"), "--jobs", "1", "--format", "json"]
    cached = [*args, "--cache", str(tmp_path / "c")]
    plain = runner.invoke(main, args)
    cold = runner.invoke(main, cached)
    warm = runner.invoke(main, cached)
    assert plain.exit_code == cold.exit_code == warm.exit_code == 0, plain.output
    assert json.loads(plain.stdout) == json.loads(cold.stdout) == json.loads(warm.stdout)


def test_dollar_keys_come_back_from_an_entry(tmp_path: Path) -> None:
    """Keys that look like the decimal tag are stored escaped and read back as written."""
    source = tmp_path / "odd.yaml"
    source.write_text('"$d": "1.5"\nx: {"$d": 2.5, "$$y": [1.50, "$d"]}\n', encoding="utf-8")
    cache = EvidenceCache(tmp_path / "cache")
    fresh = cache.read(source)
    cached = cache.read(source)
    assert isinstance(cached, CachedDocument)
    assert cached.data == fresh.data
    assert str(cached.data["x"]["$$y"][0]) == "1.50"


# ---------------------------------------------------------------- re-grading after a rubric edit

VILLAGE = RUBRICS / "village.yaml"

RUBRIC_EDITS: dict[str, list[tuple[str, str]]] = {
    # Rating bands and identity only: stored results are re-rated, not graded again.
    "threshold": [("{name: 良好, min_score: 80}", "{name: 良好, min_score: 81}")],
    "criterion_share": [("min_criterion_share: 0.8", "min_criterion_share: 0.9")],
    "band_added": [
        (
            "  - {name: 合格, min_score: 60}",
            "  - {name: 基本合格, min_score: 70}\n  - {name: 合格, min_score: 60}",
        )
    ],
    "rating_renamed": [("{name: 不合格, min_score: 0}", "{name: 较差, min_score: 0}")],
    "version": [('version: "2026.3"', 'version: "2026.4"')],
    "title": [("title: “五个好”村党组织考评细则", "title: “五个好”村党组织考评细则（修订）")],
    "quotas": [("ratings:\n", "quotas: [{rating: 优秀, max_percent: 10}]\nratings:\n")],
    # Everything else: graded again from the parsed values.
    "weights": [
        (
            "name: 贯彻执行路线方针政策\n        points: 3",
            "name: 贯彻执行路线方针政策\n        points: 2",
        ),
        ("name: 班子团结协作\n        points: 2", "name: 班子团结协作\n        points: 3"),
    ],
    "rule": [("bands: [{min: 90, points: 2}", "bands: [{min: 92, points: 2}")],
    "indicator_renamed": [("- id: team_unity\n", "- id: team_cohesion\n")],
    "indicator_name": [("name: 班子团结协作\n", "name: 班子团结\n")],
    "long_term": [("long_term: true\n", "long_term: false\n")],
    "awarded_by": [("name: 支部党员大会\n", "name: 支部党员大会\n        awarded_by: 乡镇党委\n")],
    "penalty": [("    points: 2\n    cap: 4\n", "    points: 3\n    cap: 5\n")],
    "bonus_cap": [("bonus_cap: 3\n", "bonus_cap: 2\n")],
    "veto_name": [("name: 贿选\n", "name: 换届贿选\n")],
    "floor": [("score_floor: 0\n", "score_floor: 10\n")],
    "policy": [("not_applicable_policy: rescale", "not_applicable_policy: full_marks")],
    "max_share": [("not_applicable_max_share: 0.05", "not_applicable_max_share: 0.02")],
    "year": [("year: 2026\n", "year: 2027\n")],
}


def edited_rubric(folder: Path, edit: str) -> Path:
    text = VILLAGE.read_text(encoding="utf-8")
    for old, new in RUBRIC_EDITS[edit]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / f"village_{edit}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The examples, valid and invalid, and generated villages (some without rubric_version).

    40 generated villages reach every line and branch of the package that 120 reached (measured
    with coverage; the one exception, the JSON writer's 1 MB flush, has its own test in
    test_reports.py), in less than half the time.
    """
    spec = importlib.util.spec_from_file_location(
        "bench_batch", ROOT / "benchmarks" / "bench_batch.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    folder = tmp_path_factory.mktemp("generated")
    bench.generate(folder, 40, seed=8, invalid_every=0)
    for index, path in enumerate(sorted(folder.glob("*.yaml"))):
        if index % 5 == 0:
            text = path.read_text(encoding="utf-8").replace('rubric_version: "2026.3"\n', "")
            path.write_text(text, encoding="utf-8")
    return CASES + sorted(folder.glob("*.yaml"))


def exact(outcome: FileOutcome) -> tuple[str, str]:
    """The JSON a user sees, and the repr that tells 2.5 from 2.50."""
    return json.dumps(outcome_to_dict(outcome), ensure_ascii=False), repr(outcome)


@pytest.mark.parametrize("edit", sorted(RUBRIC_EDITS))
def test_regrade_after_a_rubric_edit_equals_a_fresh_grade(
    edit: str, corpus: list[Path], tmp_path: Path
) -> None:
    """A cache filled under the shipped rubric, re-graded under an edited one, gives exactly what
    grading afresh under the edited rubric gives, valid and invalid files alike."""
    edited = edited_rubric(tmp_path, edit)
    cache = EvidenceCache(tmp_path / "cache")
    for path in corpus:
        grade_file(path, rubric_path=VILLAGE, cache=cache)
    regraded = [grade_file(path, rubric_path=edited, cache=cache) for path in corpus]
    fresh = [grade_file(path, rubric_path=edited) for path in corpus]
    assert [exact(o) for o in regraded] == [exact(o) for o in fresh]
    # And again, now that the cache holds entries of both rubrics.
    assert [exact(grade_file(p, rubric_path=edited, cache=cache)) for p in corpus] == [
        exact(o) for o in fresh
    ]


def test_a_threshold_edit_reuses_stored_results(tmp_path: Path) -> None:
    """After a rating threshold moves, unchanged files are neither parsed nor validated again."""
    edited = edited_rubric(tmp_path, "threshold")
    cache = EvidenceCache(tmp_path / "cache")
    paths = sorted((EXAMPLES / "village").glob("*.yaml"))
    for path in paths:
        grade_file(path, rubric_path=VILLAGE, cache=cache)
    with (
        patch.object(grading_cache, "parse_yaml", side_effect=AssertionError("parsed")),
        patch.object(GradingPlan, "check", side_effect=AssertionError("validated")),
    ):
        regraded = [grade_file(path, rubric_path=edited, cache=cache) for path in paths]
    assert [exact(o) for o in regraded] == [exact(grade_file(p, rubric_path=edited)) for p in paths]


def test_same_bytes_under_another_name(tmp_path: Path) -> None:
    """A stored result is keyed by content: a copy of a file is graded under its own name."""
    cache = EvidenceCache(tmp_path / "cache")
    source = EXAMPLES / "village" / "qingshan_not_applicable.yaml"
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(source.read_bytes())
    grade_file(source, cache=cache)
    assert exact(grade_file(copy, cache=cache)) == exact(grade_file(copy))


def test_corrupt_stored_results_are_misses(tmp_path: Path) -> None:
    """A stored result that does not decode is graded afresh."""
    path = EXAMPLES / "village" / "shiqiao_good.yaml"
    fresh = exact(grade_file(path))
    cache = EvidenceCache(tmp_path / "c")
    grade_file(path, cache=cache)
    cache.flush()
    damaged = [
        ("result", '["x", 1]'),
        ("result", "[[1, 2]]"),
        ("result", "{"),
        ("request", "[1, 2]"),
    ]
    for column, text in damaged:
        damage(cache, "results", column, text)
        cache = EvidenceCache(tmp_path / "c")  # nothing pending: the damaged row is read
        assert exact(grade_file(path, cache=cache)) == fresh
        cache.flush()  # the miss stored the result again


@pytest.mark.parametrize("edit", ["threshold", "band_added", "version", "rule"])
def test_batch_regrade_output_is_byte_identical(
    edit: str, corpus: list[Path], tmp_path: Path
) -> None:
    """``batch --cache`` after a rubric edit writes exactly what a batch without cache writes:
    JSON and jsonl, with lines re-used from the cache, jobs 1 and 2."""
    edited = edited_rubric(tmp_path, edit)
    folder = tmp_path / "units"
    folder.mkdir()
    for path in corpus:
        (folder / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    # The same bytes under two names: each line names its own file.
    (folder / "zz-copy.yaml").write_bytes(corpus[0].read_bytes())
    runner = CliRunner()
    cache = ["--cache", str(tmp_path / "c")]
    for output in ("json", "jsonl"):
        args = ["batch", str(folder), "--format", output, "--rubric"]
        runner.invoke(main, [*args, str(VILLAGE), "--jobs", "1", *cache])
        plain = runner.invoke(main, [*args, str(edited), "--jobs", "1"])
        for jobs in ("1", "2"):
            warm = runner.invoke(main, [*args, str(edited), "--jobs", jobs, *cache])
            assert warm.exit_code == plain.exit_code
            assert warm.stdout == plain.stdout, (output, jobs)


def test_results_stored_without_a_line_get_one_when_a_batch_serves_them(tmp_path: Path) -> None:
    """``score --cache`` stores results without JSON lines; the first ``batch`` that serves them
    stores the lines, and later batches re-use them, still writing what a batch without cache
    writes."""
    edited = edited_rubric(tmp_path, "threshold")
    folder = EXAMPLES / "village"
    cache = EvidenceCache(tmp_path / "c")
    for path in sorted(folder.glob("*.yaml")):
        grade_file(path, rubric_path=VILLAGE, cache=cache)
    cache.flush()

    def lines() -> int:
        with sqlite3.connect(cache.database) as connection:
            found: int = connection.execute(
                "SELECT count(*) FROM results WHERE line IS NOT NULL"
            ).fetchone()[0]
        return found

    assert lines() == 0
    runner = CliRunner()
    args = ["batch", str(folder), "--format", "jsonl", "--jobs", "1", "--rubric", str(edited)]
    plain = runner.invoke(main, args)
    served = runner.invoke(main, [*args, "--cache", str(tmp_path / "c")])
    assert lines() == len(list(folder.glob("*.yaml")))
    again = runner.invoke(main, [*args, "--cache", str(tmp_path / "c")])
    assert plain.stdout == served.stdout == again.stdout


@pytest.mark.parametrize("edit", ["threshold", "criterion_share", "band_added", "rating_renamed"])
def test_facts_served_without_decoding_equal_the_full_result(
    edit: str, corpus: list[Path], tmp_path: Path
) -> None:
    """A batch that needs only the summary and the JSON line gets ``UnitFacts`` for a stored
    result whose next rating still holds: every field, the summary's tally, ranking key and row,
    and the line are what the fully graded result gives; the others come back whole."""
    edited = edited_rubric(tmp_path, edit)
    cache = EvidenceCache(tmp_path / "cache")
    for path in corpus:
        cache.grade_rendered(path, rubric_path=VILLAGE, render=prerender)
    served = 0
    for path in corpus:
        outcome, line = cache.grade_rendered(path, rubric_path=edited, render=prerender, facts=True)
        fresh = grade_file(path, rubric_path=edited)
        if not isinstance(outcome, UnitFacts):
            assert exact(outcome) == exact(fresh)
            continue
        served += 1
        assert isinstance(fresh, UnitResult)
        assert line == prerender(fresh).text
        for name in UnitFacts.__struct_fields__:
            if name not in ("gap_count", "losses"):
                assert getattr(outcome, name) == getattr(fresh, name), name
        assert outcome.gap_count == len(fresh.gaps)
        assert outcome.losses == tuple(losses(fresh))
        assert repr(outcome.criteria) == repr(fresh.criteria)
        assert unit_key(outcome) == unit_key(fresh)
        assert encode_row(outcome) == encode_row(fresh)
        by_facts, by_result = Tally.of(outcome), Tally.of(fresh)
        by_facts.add(outcome)
        by_result.add(fresh)
        assert by_facts.rubric == by_result.rubric
        assert by_facts.criterion_totals == by_result.criterion_totals
        assert by_facts.indicators == by_result.indicators
    assert served >= 10  # most units keep their target after such an edit


def test_corrupt_facts_are_misses(tmp_path: Path) -> None:
    """Stored facts that do not read fall back to the stored result, with the same line."""
    path = EXAMPLES / "village" / "shiqiao_good.yaml"
    edited = edited_rubric(tmp_path, "threshold")
    fresh = grade_file(path, rubric_path=edited)
    assert isinstance(fresh, UnitResult)
    cache = EvidenceCache(tmp_path / "c")
    cache.grade_rendered(path, rubric_path=VILLAGE, render=prerender)
    cache.flush()
    for text in ("{", "[1, 2]", '["a", "b", "c", "d", [], "x", "1", false, [], 0, []]', None):
        damage(cache, "results", "facts", text)
        cache = EvidenceCache(tmp_path / "c")
        outcome, line = cache.grade_rendered(path, rubric_path=edited, render=prerender, facts=True)
        assert isinstance(outcome, UnitResult)
        assert exact(outcome) == exact(fresh)
        assert line == prerender(fresh).text


def test_files_read_ahead_grade_as_files_read_one_by_one(tmp_path: Path) -> None:
    """A chunk read ahead (its stored rows fetched in one statement) grades as each file read in
    turn: a stored unit, a new one, the same bytes twice, a missing file and a folder."""
    stored, new = (
        EXAMPLES / "village" / "shiqiao_good.yaml",
        EXAMPLES / "village" / "taoyuan_excellent.yaml",
    )
    twice = tmp_path / "twice.yaml"
    twice.write_bytes(stored.read_bytes())
    chunk = [str(stored), str(new), str(twice), str(tmp_path / "missing.yaml"), str(tmp_path)]
    cache = EvidenceCache(tmp_path / "c")
    cache.grade(stored)
    cache.flush()
    cache = EvidenceCache(tmp_path / "c")
    cache.read_ahead(chunk)
    ahead = [exact(cache.grade(path)) for path in chunk]
    assert ahead == [exact(grade_file(path)) for path in chunk]
    assert cache.rejected == 0


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_closes_its_database(tmp_path: Path, jobs: str) -> None:
    """A ``batch --cache`` process, and each of its ``--jobs`` workers, closes its database when
    it leaves, so SQLite folds the write-ahead log into it: no ``-wal`` file (which grew to 17 MB
    at 2,000 files) is left beside it. Two workers closing at the same moment each see the other
    and leave the log (one run in ten): the parent folds it in once the pool has joined."""
    cache = tmp_path / "cache"
    environment = {**os.environ, "LIANCHUANG_CACHE_HOME": str(tmp_path / "rubrics")}
    command = [sys.executable, "-m", "lianchuang_cli", "batch", str(EXAMPLES / "village")]
    done = subprocess.run(
        [*command, "--jobs", jobs, "--format", "json", "--cache", str(cache)],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    assert list(cache.glob("*.db"))
    assert not list(cache.glob("*-wal"))
