"""``lianchuang batch`` end to end: discovery, statuses, formats, atomic output, exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.batching.discovery import find_evidence
from lianchuang_cli.batching.engine import POOL_CHUNK, grade_batch, pool_chunks
from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, EXIT_OK
from lianchuang_cli.reports.json_report import PRETTY_RESULTS, prerender, write_json, write_jsonl
from tests.conftest import EXAMPLES, report_validator

VILLAGES = sorted((EXAMPLES / "village").glob("*.yaml"))
BROKEN = EXAMPLES / "invalid" / "tab_character.yaml"


def copy_as_another_unit(path: Path, target: Path, number: int) -> None:
    """Copy an example as the file of another unit: a unit code is unique in a batch."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(\n  code: "\d+)"', rf'\g<1>{number:03d}"', text, count=1)
    target.write_text(text, encoding="utf-8")


def run(*args: str) -> Result:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The village examples, one broken file, a note and a sub-folder with one more village."""
    root = tmp_path / "county"
    root.mkdir()
    for path in VILLAGES:
        shutil.copy(path, root / path.name)
    shutil.copy(BROKEN, root / "broken.yml")
    (root / "说明.txt").write_text("不是材料", encoding="utf-8")
    (root / "sub").mkdir()
    # Another village filed like the first one (a unit code must be unique in a batch).
    text = VILLAGES[0].read_text(encoding="utf-8")
    again = re.sub(r'code: "\d+"', 'code: "0571039999"', text, count=1)
    (root / "sub" / "again.yaml").write_text(again, encoding="utf-8")
    return root


def test_discovery_is_sorted_and_skips_what_is_not_evidence(folder: Path) -> None:
    """Only .yaml/.yml regular files, sorted; sub-folders only with recursive."""
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.yaml")  # would block a reader: never opened
    flat = find_evidence([folder], recursive=False)
    names = [Path(f).name for f in flat.files]
    assert names == sorted(names)
    assert "broken.yml" in names
    assert "pipe.yaml" not in names
    assert not any(name.endswith(".txt") for name in names)
    deep = find_evidence([folder], recursive=True)
    assert len(deep.files) == len(flat.files) + 1
    missing = find_evidence([folder / "nowhere"], recursive=False)
    assert missing.files == ()
    assert "不存在" in missing.missing[0].problems[0].message


def test_table_summary_then_invalid_files(folder: Path) -> None:
    """The table shows the summary and ranking, then the broken file's located errors; exit 2."""
    result = run("batch", str(folder), "--jobs", "1")
    assert result.exit_code == EXIT_INPUT_ERROR
    out = result.stdout
    for text in (
        "批量评分汇总",
        "等级分布",
        "共性问题",
        "排名",
        "名次规则",
        "一票否决",
        "无效文件",
    ):
        assert text in out
    assert out.index("排名") < out.index("无效文件")
    assert f"{folder / 'broken.yml'}:" in out
    assert "考评细则：" in out
    assert "跳过" in result.stderr
    assert "Traceback" not in result.output


def test_json_statuses_and_parallel_equals_serial(folder: Path) -> None:
    """Every file gets a status; two processes give byte-identical output to one."""
    serial = run("batch", str(folder), "-r", "--format", "json", "--jobs", "1")
    parallel = run("batch", str(folder), "-r", "--format", "json", "--jobs", "2")
    assert serial.stdout == parallel.stdout
    payload = json.loads(serial.stdout)
    report_validator().validate(payload)
    statuses = {Path(r["file"]).name: r["status"] for r in payload["results"]}
    assert statuses["hexi_vetoed.yaml"] == "vetoed"
    assert statuses["taoyuan_excellent.yaml"] == "graded"
    assert [Path(i["file"]).name for i in payload["invalid"]] == ["broken.yml"]
    assert payload["summary"]["files"]["graded"] == len(VILLAGES) + 1
    ranks = sorted(r["rank"] for r in payload["results"])
    assert ranks == list(range(1, len(VILLAGES) + 2))


def test_gates_and_quota(tmp_path: Path) -> None:
    """Exit 1 when a unit fails a gate (after quotas); a quota names the demoted unit."""
    folder = tmp_path / "ok"
    folder.mkdir()
    for path in VILLAGES:
        shutil.copy(path, folder / path.name)
    assert run("batch", str(folder), "--jobs", "1").exit_code == EXIT_OK
    gated = run("batch", str(folder), "--jobs", "1", "--min-rating", "合格")
    assert gated.exit_code == EXIT_GATE_FAILED
    assert "未达门槛" in gated.stderr
    result = run("batch", str(folder), "--jobs", "1", "--format", "json", "--quota", "优秀=20%")
    payload = json.loads(result.stdout)
    report_validator().validate(payload)
    demoted = [r for r in payload["results"] if r["quota_note"]]
    assert demoted
    assert all(r["rating"] == "良好" and r["rating_by_score"] == "优秀" for r in demoted)
    assert payload["summary"]["quotas"][0]["cap"] == 1


@pytest.mark.parametrize("quota", ["优秀", "优秀=abc", "优秀=150%", "五星=10%"])
def test_bad_quota_is_a_usage_error(folder: Path, quota: str) -> None:
    """A malformed or unknown quota exits 2 with a Chinese message."""
    result = run("batch", str(folder), "--jobs", "1", "--quota", quota)
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "--quota" in result.stderr


def test_rubric_declared_quota(folder: Path, tmp_path: Path) -> None:
    """``quotas:`` in the rubric caps a rating like --quota does."""
    rubric = tmp_path / "village.yaml"
    text = (EXAMPLES.parent / "rubrics" / "village.yaml").read_text(encoding="utf-8")
    rubric.write_text(text + "quotas:\n  - {rating: 优秀, max_percent: 10}\n", encoding="utf-8")
    result = run("batch", str(folder), "--jobs", "1", "--rubric", str(rubric), "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["summary"]["quotas"] == [
        {"rating": "优秀", "percent": 10, "cap": 0, "demoted": 2, "tied": 0}
    ]


def test_xlsx_workbook_reads_back(folder: Path, tmp_path: Path) -> None:
    """The workbook has its sheets, a frozen header, number formats and coloured ratings."""
    target = tmp_path / "汇总.xlsx"
    result = run("batch", str(folder), "--jobs", "1", "-o", str(target))
    assert result.exit_code == EXIT_INPUT_ERROR
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["汇总表", "明细", "差距", "共性问题", "无效文件", "统计"]
    ranking = book["汇总表"]
    assert ranking.freeze_panes == "A2"
    header = [cell.value for cell in ranking[1]]
    assert header[:8] == ["名次", "单位", "单位代码", "乡镇", "县", "总分", "等级", "状态"]
    assert ranking.max_row == len(VILLAGES) + 1
    first = [cell.value for cell in ranking[2]]
    assert first[0] == 1
    assert ranking.cell(2, 6).number_format == "0.00"
    assert ranking.cell(2, 7).fill.fgColor.rgb.endswith("C6EFCE")
    gaps = book["差距"]
    assert gaps.max_row > len(VILLAGES)
    invalid = [[c.value for c in row] for row in book["无效文件"].iter_rows(min_row=2)]
    assert invalid
    assert all(str(row[0]).endswith("broken.yml") for row in invalid)
    assert book["明细"].max_row == len(VILLAGES) + 1


def test_xlsx_needs_an_output_file(folder: Path) -> None:
    """A workbook is never written to the terminal."""
    result = run("batch", str(folder), "--format", "xlsx")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "--output" in result.stderr


def test_csv_has_a_bom_and_every_file(folder: Path, tmp_path: Path) -> None:
    """UTF-8 with BOM so Excel reads the Chinese; invalid files are rows with status 无效."""
    target = tmp_path / "out.csv"
    run("batch", str(folder), "--jobs", "1", "-o", str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("名次,单位,")
    assert len(lines) == 1 + len(VILLAGES) + 1
    assert ",无效," in lines[-1]


def test_output_is_atomic_and_never_an_input(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while writing exits 130 and leaves the old file; an input is never overwritten."""
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    from lianchuang_cli.reports import json_report

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(json_report, "write_json", interrupted)
    result = run("batch", str(folder), "--jobs", "1", "-o", str(target))
    assert result.exit_code == 130
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county", "out.json"]
    monkeypatch.undo()
    victim = folder / "taoyuan_excellent.yaml"
    before = victim.read_bytes()
    refused = run("batch", str(folder), "--jobs", "1", "-o", str(victim), "--format", "json")
    assert refused.exit_code == EXIT_INPUT_ERROR
    assert victim.read_bytes() == before


def test_no_progress_bar_when_not_a_terminal(folder: Path) -> None:
    """CI and pipes see no progress bar on stderr."""
    result = run("batch", str(folder), "--jobs", "1", "--format", "jsonl")
    assert "评分中" not in result.stderr
    assert "\x1b[" not in result.stderr


def test_progress_bar_draws_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the bar counts files on stderr and nothing reaches stdout."""
    import io

    from lianchuang_cli.commands.reporting import progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err, out = Terminal(), io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", out)
    with progress_bar(4, enabled=True) as advance:
        assert advance is not None
        for done in range(1, 5):
            advance(done)
    assert "4/4" in err.getvalue()
    assert out.getvalue() == ""
    with progress_bar(4, enabled=False) as nothing:
        assert nothing is None


def test_nothing_to_grade_and_missing_output_folder(tmp_path: Path, folder: Path) -> None:
    """An empty folder is an error (exit 2), as is an output folder that does not exist."""
    empty = tmp_path / "empty"
    (empty / "inner").mkdir(parents=True)
    nothing = run("batch", str(empty))
    assert nothing.exit_code == EXIT_INPUT_ERROR
    assert "没有找到佐证材料" in nothing.stderr
    assert "--recursive" in nothing.stderr
    nowhere = run("batch", str(folder), "-o", str(tmp_path / "no" / "out.csv"))
    assert nowhere.exit_code == EXIT_INPUT_ERROR
    assert "不存在" in nowhere.stderr


@pytest.fixture(params=["fork", "spawn"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workers forked (Linux, macOS) and spawned (as on Windows, where there is no fork)."""
    from lianchuang_cli.batching import engine

    method: str = request.param
    monkeypatch.setattr(engine, "START_METHOD", method)
    return method


def test_results_rendered_in_workers_equal_the_writers_own(
    start_method: str, tmp_path: Path
) -> None:
    """JSON and jsonl pre-rendered per result (in two workers) equal the parent's own rendering,
    byte for byte, past the size where results are written one per line; quotas demote some."""
    files = []
    for copy in range(PRETTY_RESULTS // len(VILLAGES) + 2):
        for path in VILLAGES:
            target = tmp_path / f"{copy}-{path.name}"
            copy_as_another_unit(path, target, copy)
            files.append(str(target))
    quotas = {"优秀": Decimal(5), "良好": Decimal(20)}
    outputs = []
    for jobs, render in ((1, None), (2, prerender), (1, prerender)):
        with grade_batch(files, jobs=jobs, quotas=quotas, render=render) as graded:
            report = graded.report()
            assert (report.rendered is None) == (render is None)
            assert graded.summary.graded > PRETTY_RESULTS
            texts = []
            for writer in (write_json, write_jsonl):
                stream = io.StringIO()
                writer(report, stream)
                texts.append(stream.getvalue())
            outputs.append(texts)
    assert outputs[0] == outputs[1] == outputs[2]
    payload = json.loads(outputs[1][0])
    report_validator().validate(payload)
    assert any(r["quota_note"] for r in payload["results"])
    assert any(r["rating"] != r["rating_by_score"] for r in payload["results"])


DECLARED_TOWNSHIP_VALUES = """indicators:
  villages_qualified:
    value: {part: 5, whole: 7}
  five_good_villages_trend:
    value: {current: 60, previous: 55}
  weak_rectified:
    value: {part: 5, whole: 7}
  weak_collective_villages:
    value: 0
  strong_collective_villages:
    value: 50
  villages_public_opinion:
    value: 18
"""


def test_every_format_is_the_same_with_one_or_two_workers(
    start_method: str, tmp_path: Path
) -> None:
    """Whatever the format, two worker processes (which summarise and render what they grade,
    and keep full results only for the formats that read them) write exactly what one process
    writes: quotas demote some units, a broken file and a file of another rubric are listed."""
    from lianchuang_cli.reports.registry import FORMATS

    folder = tmp_path / "mixed"
    folder.mkdir()
    for copy in range(3):
        for path in VILLAGES:
            copy_as_another_unit(path, folder / f"{copy}-{path.name}", copy)
    shutil.copy(BROKEN, folder / "1-broken.yaml")
    township = (EXAMPLES / "county-demo" / "yunling" / "township.yaml").read_text("utf-8")
    (folder / "2-township.yaml").write_text(
        township.replace("indicators:\n", DECLARED_TOWNSHIP_VALUES, 1), "utf-8"
    )
    quotas = ("--quota", "优秀=10%", "--quota", "良好=30%")
    formats = dict(FORMATS)
    if start_method == "spawn":  # a pool start costs about a second: one format of each kind
        whole = next(name for name, spec in FORMATS.items() if spec.reads_results)
        formats = {"json": FORMATS["json"], whole: FORMATS[whole]}
        assert not FORMATS["json"].reads_results
    for name, spec in formats.items():
        outputs: list[object] = []
        for jobs in ("1", "2"):
            target = tmp_path / f"{name}-{jobs}.{'xlsx' if spec.binary else 'out'}"
            result = run(
                "batch", str(folder), "--jobs", jobs, "--format", name, "-o", str(target), *quotas
            )
            assert result.exit_code == EXIT_INPUT_ERROR, result.stderr
            if spec.binary:
                book = openpyxl.load_workbook(target, read_only=True)
                outputs.append(
                    [
                        [list(row) for row in book[sheet].iter_rows(values_only=True)]
                        for sheet in book.sheetnames
                    ]
                )
            else:
                outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1], name
    payload = json.loads((tmp_path / "json-1.out").read_text("utf-8"))
    report_validator().validate(payload)
    assert any(r["quota_note"] for r in payload["results"])
    codes = {e["code"] for failure in payload["invalid"] for e in failure["errors"]}
    assert "mixed-rubric" in codes


def test_results_are_not_kept_unless_asked_for() -> None:
    """A writer that needs only the summary and rendered lines gets no full results."""
    files = [str(path) for path in VILLAGES]
    with grade_batch(files, keep_results=False, render=prerender) as graded:
        report = graded.report()
        with pytest.raises(RuntimeError):
            next(report.results())
        assert len(list(graded.rendered())) == len(VILLAGES)


def test_quota_tie_is_reported_in_every_batch_format(tmp_path: Path) -> None:
    """batch taoyuan --quota 优秀=20%: 桃源村 and 杏花村 tie on every figure; each format says 并列."""
    folder = tmp_path / "taoyuan"
    folder.mkdir()
    for name in ("taoyuan", "xinghua", "liuxi", "nantang", "hexi"):
        shutil.copy(EXAMPLES / "county-demo" / "taoyuan" / f"{name}.yaml", folder)
    for name in ("table", "json", "jsonl", "csv", "markdown", "html", "xlsx"):
        target = tmp_path / f"out.{name}"
        result = CliRunner().invoke(
            main,
            ["batch", str(folder), "--quota", "优秀=20%", "--format", name, "-o", str(target)],
        )
        assert result.exit_code == 0, (name, result.output)
        if name == "xlsx":
            book = openpyxl.load_workbook(target)
            text = " ".join(str(c.value) for s in book for row in s.iter_rows() for c in row)
        else:
            text = target.read_text(encoding="utf-8-sig")
        assert "并列" in text, name
        assert "杏花村" in text, name
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    ratings = {r["unit"]: r["rating"] for r in data["summary"]["ranking"]}
    assert ratings["桃源村党总支"] == ratings["杏花村党支部"] == "优秀"
    assert data["summary"]["quotas"][0]["tied"] == 1


@pytest.mark.parametrize("count", [1, 7, 100, 2000])
def test_pool_chunks_cover_the_files_in_order_and_shrink_towards_the_end(count: int) -> None:
    """A pool's chunks hold every file once, in order, never more than ``POOL_CHUNK``, each no
    larger than the one before, and the last ones single files (the workers finish together)."""
    files = [f"{number}.yaml" for number in range(count)]
    chunks = list(pool_chunks(files, 2))
    assert [file for chunk in chunks for file in chunk] == files
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes) <= POOL_CHUNK
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == 1
