"""Publication packs: publish → verify, tampering named, results re-derived byte for byte."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import main
from lianchuang_cli.errors import Problem
from lianchuang_cli.publishing.manifest import manifest_schema
from lianchuang_cli.publishing.pack import PublishError, publish, refuse_mixed_rubrics
from lianchuang_cli.reports.xlsx_template import render_workbook
from lianchuang_cli.scoring.results import FileFailure
from tests.conftest import EXAMPLES, ROOT

DEMO = EXAMPLES / "county-demo"
PREVIOUS = DEMO / "last-year-2025.json"
VILLAGES = EXAMPLES / "village"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def results_of(pack: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pack / "results" / "results.json").read_text("utf-8"))
    return data


def pack_files(pack: Path) -> dict[str, bytes]:
    """Every file of a pack except the manifest (which alone records the time)."""
    return {
        p.relative_to(pack).as_posix(): p.read_bytes()
        for p in sorted(pack.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.fixture(scope="module")
def villages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The village examples in a folder whose names hold Chinese characters and spaces, one of
    them a workbook, published once (a batch)."""
    root = tmp_path_factory.mktemp("publish")
    folder = root / "村级 材料"
    (folder / "桃源 镇").mkdir(parents=True)
    for path in sorted(VILLAGES.glob("*.yaml")):
        shutil.copy(path, folder / path.name)
    shutil.move(folder / "shiqiao_good.yaml", folder / "桃源 镇" / "石桥 村.yaml")
    workbook = folder / "liuxi_almost_excellent.yaml"
    from lianchuang_cli.grading.pipeline import read_evidence, rubric_for

    doc = read_evidence(workbook)
    (folder / "柳溪 村.xlsx").write_bytes(render_workbook(rubric_for(doc).rubric, doc))
    workbook.unlink()
    result = run("publish", str(folder), "-o", str(root / "公示 包"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return root


def copy_pack(villages: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the published pack and of its evidence (to tamper with)."""
    evidence = tmp_path / "材料"
    shutil.copytree(villages / "村级 材料", evidence)
    pack = tmp_path / "包"
    shutil.copytree(villages / "公示 包", pack)
    return pack, evidence


def test_batch_pack_verifies_and_records_relative_slash_paths(villages: Path) -> None:
    """A batch pack with YAML and workbook evidence verifies; the manifest names files relative, with /."""
    pack = villages / "公示 包"
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    paths = [item["path"] for item in manifest["evidence"]["files"]]
    assert "桃源 镇/石桥 村.yaml" in paths
    assert "柳溪 村.xlsx" in paths
    assert manifest["mode"] == "batch"
    assert [r["file"] for r in manifest["rubrics"]] == ["rubrics/village.yaml"]
    assert (pack / "rubrics" / "village.yaml").read_bytes() == (
        ROOT / "rubrics" / "village.yaml"
    ).read_bytes()
    assert {r["file"] for r in results_of(pack)["results"]} == set(paths)
    result = run("verify", str(pack))
    assert result.exit_code == 0, result.output
    assert "一致" in result.output.splitlines()[-1]


def test_moved_evidence_verifies_with_evidence_option(villages: Path, tmp_path: Path) -> None:
    """Results name files relative to the folder, so a copy elsewhere re-grades identically."""
    pack, evidence = copy_pack(villages, tmp_path)
    result = run("verify", str(pack), "--evidence", str(evidence))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "sheet", [(), ("--unit", "TAOYUAN"), ("--unit", "TAOYUAN", "--format", "html")]
)
def test_verify_writes_to_o_what_it_prints(
    villages: Path, tmp_path: Path, sheet: tuple[str, ...]
) -> None:
    """Issue 15.7 for verify: its formats come from the registry and ``-o`` holds exactly what it
    prints (the html sheet alone; the summary stays on the screen); never over a pack file."""
    pack = villages / "公示 包"
    code = next(r["unit"]["code"] for r in results_of(pack)["results"])
    args = ["verify", str(pack), *(code if a == "TAOYUAN" else a for a in sheet)]
    printed = run(*args)
    target = tmp_path / "复核.txt"
    written = run(*args, "-o", str(target))
    assert (written.exit_code, printed.exit_code) == (0, 0), written.output
    assert target.read_bytes() == printed.stdout_bytes
    assert printed.stdout_bytes not in written.stdout_bytes
    if "html" in sheet:
        assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
        assert "公示摘要" in written.stderr
    over = run("verify", str(pack), "-o", str(pack / "manifest.json"))
    assert over.exit_code == 2
    assert "不能被输出覆盖" in over.output


def test_changed_evidence_byte_is_named_first(villages: Path, tmp_path: Path) -> None:
    """One byte changed in one evidence file: exit 1, that file named before any comparison."""
    pack, evidence = copy_pack(villages, tmp_path)
    target = evidence / "桃源 镇" / "石桥 村.yaml"
    text = target.read_text("utf-8")
    value = re.search(r"value: (\d+)$", text, re.MULTILINE)
    assert value is not None
    changed = text[: value.start(1)] + str(int(value.group(1)) + 1) + text[value.end(1) :]
    target.write_text(changed, "utf-8")
    result = run("verify", str(pack), "--evidence", str(evidence))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    named = [line for line in lines if "佐证材料" in line and line.endswith("发布后被改动")]
    assert named == ["桃源 镇/石桥 村.yaml: 佐证材料发布后被改动"]
    assert lines.index(named[0]) == 1


def test_missing_and_added_evidence_are_named(villages: Path, tmp_path: Path) -> None:
    """A file gone and a file added since publication are each named."""
    pack, evidence = copy_pack(villages, tmp_path)
    (evidence / "hexi_vetoed.yaml").rename(evidence / "河西 村.yaml")
    result = run("verify", str(pack), "--evidence", str(evidence))
    assert result.exit_code == 1
    assert "hexi_vetoed.yaml: 佐证材料已不在材料文件夹中" in result.output
    assert "河西 村.yaml: 佐证材料发布后新增" in result.output


def test_changed_result_number_names_unit_and_field(villages: Path, tmp_path: Path) -> None:
    """One number changed in the published JSON: the file's digest and that unit's field named."""
    pack, _ = copy_pack(villages, tmp_path)
    path = pack / "results" / "results.json"
    data = results_of(pack)
    unit = data["results"][0]
    published = unit["score"]
    unit["score"] = published + 1
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    result = run("verify", str(pack))
    assert result.exit_code == 1
    assert (
        "results/results.json: 公示包内的文件内容与清单记录的摘要不符（被改动过）" in result.output
    )
    expected = f"{unit['unit']['name']}（{unit['unit']['code']}），{unit['file']}: score: {published + 1} → {published}"
    differences = [line for line in result.output.splitlines() if "，" in line and ": " in line]
    assert differences == [expected]


def test_changed_rubric_threshold_is_named(villages: Path, tmp_path: Path) -> None:
    """A rating threshold edited in the packed rubric: the rubric's copy is named and the
    re-grading uses it (the units' rubric digest differs), not the installed rubric."""
    pack, _ = copy_pack(villages, tmp_path)
    rubric = pack / "rubrics" / "village.yaml"
    text = rubric.read_text("utf-8")
    edited, count = re.subn(
        r"(min_score: )(\d+)", lambda m: f"{m[1]}{int(m[2]) + 1}", text, count=1
    )
    assert count == 1
    rubric.write_text(edited, "utf-8")
    result = run("verify", str(pack))
    assert result.exit_code == 1
    assert (
        "rubrics/village.yaml: 公示包内的文件内容与清单记录的摘要不符（被改动过）" in result.output
    )
    assert "rubric.sha256" in result.output


def test_other_tool_version_is_said_and_compared(villages: Path, tmp_path: Path) -> None:
    """A pack from another tool version: said, and the comparison still runs."""
    pack, _ = copy_pack(villages, tmp_path)
    manifest = json.loads((pack / "manifest.json").read_text("utf-8"))
    manifest["tool"]["version"] = "0.0.1"
    (pack / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    result = run("verify", str(pack))
    assert result.exit_code == 0, result.output
    assert "lianchuang 0.0.1 生成" in result.output
    assert "一致" in result.output


@pytest.mark.parametrize("edit", ["{", '{"kind": "other"}'])
def test_unreadable_pack_exits_2(villages: Path, tmp_path: Path, edit: str) -> None:
    """A manifest that is not JSON, or not a pack's, makes verify exit 2 with a Chinese reason."""
    pack, _ = copy_pack(villages, tmp_path)
    (pack / "manifest.json").write_text(edit, "utf-8")
    result = run("verify", str(pack))
    assert result.exit_code == 2
    assert "清单文件" in result.output
    assert "Traceback" not in result.output


def test_publish_never_overwrites_nor_writes_into_evidence(villages: Path) -> None:
    """An existing pack path, or one inside the evidence folder, is refused (exit 2)."""
    pack = villages / "公示 包"
    before = pack_files(pack)
    again = run("publish", str(villages / "村级 材料"), "-o", str(pack))
    assert again.exit_code == 2
    assert "已存在" in again.output
    assert pack_files(pack) == before
    inside = run("publish", str(villages / "村级 材料"), "-o", str(villages / "村级 材料" / "包"))
    assert inside.exit_code == 2
    assert "不能放在材料文件夹" in inside.output
    assert not (villages / "村级 材料" / "包").exists()
    assert not [p for p in villages.iterdir() if p.name.endswith(".part")]


def test_jobs_do_not_change_the_pack(villages: Path, tmp_path: Path) -> None:
    """Publishing with two worker processes gives the same bytes as with one."""
    published = publish(villages / "村级 材料", tmp_path / "two", jobs=2)
    assert published.manifest.units == 6
    assert pack_files(tmp_path / "two") == pack_files(villages / "公示 包")


def test_county_pack_is_byte_identical_twice_and_verifies(tmp_path: Path) -> None:
    """The county demo (a tree, with last year's results): identical result bytes on a second
    publication (two worker processes, then one; then from the cache), a verified pack (two
    workers re-grade it), and a 复核 sheet for one village."""
    # --rubric in a tree: the township rubric from a file of its own (a comment line more).
    township = tmp_path / "乡镇 细则.yaml"
    township.write_text(
        "# 本县使用的乡镇细则\n" + (ROOT / "rubrics" / "township.yaml").read_text("utf-8"), "utf-8"
    )
    first = run(
        "publish", str(DEMO), "-o", str(tmp_path / "a"), "--previous", str(PREVIOUS),
        "--rubric", str(township), "--jobs", "2",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    digest = re.search(r"公示摘要（SHA-256）：([0-9a-f]{64})", first.output)
    assert digest is not None
    second = publish(DEMO, tmp_path / "b", previous=PREVIOUS, rubric=township, jobs=1)
    assert pack_files(tmp_path / "a") == pack_files(tmp_path / "b")
    for again in ("c", "d"):  # the cache filled, then used
        cache = tmp_path / "cache"
        publish(DEMO, tmp_path / again, previous=PREVIOUS, rubric=township, cache_dir=cache)
        assert pack_files(tmp_path / again) == pack_files(tmp_path / "a")
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))
    assert manifest["mode"] == "tree"
    assert manifest["previous"]["file"] == "previous/last-year-2025.json"
    assert {r["id"] for r in manifest["rubrics"]} == {"village", "township", "county"}
    copy = tmp_path / "a" / "rubrics" / "township.yaml"
    assert copy.read_bytes() == township.read_bytes()
    assert second.manifest.units == manifest["units"]
    data = results_of(tmp_path / "a")
    assert str(tmp_path) not in json.dumps(data, ensure_ascii=False)
    village = next(r for r in data["results"] if r["unit"]["level"] == "village")
    checked = run("verify", str(tmp_path / "a"), "--unit", village["unit"]["code"], "--jobs", "2")
    assert checked.exit_code == 0, checked.output
    assert f"公示摘要（manifest.json 的 SHA-256）：{digest[1]}" in checked.output
    assert f"公示总分{village['score']}、等级{village['rating']}" in checked.output
    sheet = run(
        "verify", str(tmp_path / "a"), "--unit", village["unit"]["code"], "--format", "html"
    )
    assert sheet.exit_code == 0
    assert "<html" in sheet.output
    assert village["unit"]["name"] in sheet.output


def test_manifest_schema_is_the_shipped_file() -> None:
    """schemas/manifest.schema.json is generated from the manifest model (the docs cannot drift)."""
    shipped = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text("utf-8"))
    assert shipped == manifest_schema()


def test_readme_documents_publish_verify_and_manifest_fields() -> None:
    """README has both commands, their exit codes and every top-level field of the manifest."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "lianchuang publish" in readme
    assert "lianchuang verify" in readme
    assert "`lianchuang verify` 的退出码" in readme
    assert "schemas/manifest.schema.json" in readme
    for key in manifest_schema()["properties"]:
        assert f"`{key}`" in readme, key


def test_invalid_files_re_derive_with_the_pack_rubrics(tmp_path: Path) -> None:
    """A file asking for an unknown rubric is invalid when published and, graded with the pack's
    rubric copies, invalid at the same place when verified: exit 2 then, exit 0 on verify."""
    folder = tmp_path / "材料"
    folder.mkdir()
    shutil.copy(VILLAGES / "taoyuan_excellent.yaml", folder / "taoyuan.yaml")
    text = (VILLAGES / "shiqiao_good.yaml").read_text("utf-8")
    (folder / "typo.yaml").write_text(text.replace("rubric: village", "rubric: villag"), "utf-8")
    published = run("publish", str(folder), "-o", str(tmp_path / "pack"), "-j", "1")
    assert published.exit_code == 2, published.output
    assert "typo.yaml" in published.output
    assert results_of(tmp_path / "pack")["invalid"][0]["file"] == "typo.yaml"
    result = run("verify", str(tmp_path / "pack"))
    assert result.exit_code == 0, result.output


def test_mixed_rubrics_in_a_batch_are_refused() -> None:
    """A batch whose files ask for different rubrics (one ranked, others left out) is refused."""
    problem = Problem(
        "乡镇.yaml", 1, 1, "本批文件按考评细则“village”汇总排名……", code="mixed-rubric"
    )
    with pytest.raises(PublishError, match=re.escape("不同的考评细则（如 乡镇.yaml，共1个文件")):
        refuse_mixed_rubrics([FileFailure("乡镇.yaml", (problem,))])
    refuse_mixed_rubrics([FileFailure("坏.yaml", (Problem("坏.yaml", 3, 1, "缺少 rubric"),))])


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("rubric: village\n", False),
        ('rubric: "township"   # 乡镇\n', False),
        ("rubric: county\n", True),
        ("\"rubric\": 'county'\n", True),
        ("{rubric: village, unit: {}}\n", True),
        ("rubric: &id county\n", True),
        ("rubric: |\n  county\n", True),
        ("unit: {name: 村}\n", True),
    ],
)
def test_mode_detection_reads_every_file_that_might_be_a_county(
    tmp_path: Path, text: str, parsed: bool
) -> None:
    """Only a file plainly asking for a village or township rubric skips the full read."""
    from lianchuang_cli.grading.rubrics import PLAIN
    from lianchuang_cli.publishing.regrade import _may_ask_for, _shipped_levels

    path = tmp_path / "x.yaml"
    path.write_text(text, "utf-8")
    levels = _shipped_levels(PLAIN)
    county = {name for name, level in levels.items() if level == "county"}
    assert _may_ask_for(path, county, levels) is parsed


def test_county_file_in_utf16_makes_a_tree(tmp_path: Path) -> None:
    """A county file saved as UTF-16 (PowerShell's >) still makes the folder a county tree."""
    from lianchuang_cli.publishing.regrade import detect_mode, evidence_files

    folder = tmp_path / "县"
    shutil.copytree(DEMO, folder)
    county = folder / "county.yaml"
    county.write_text(county.read_text("utf-8"), "utf-16")
    assert detect_mode(folder, evidence_files(folder)) == "tree"


def test_review_sheet_sets_each_indicator_beside_its_published_score(
    villages: Path, tmp_path: Path
) -> None:
    """--unit: every indicator recomputed beside the published score; the edited one differs."""
    pack, _ = copy_pack(villages, tmp_path)
    data = results_of(pack)
    unit = data["results"][0]
    scored = [i for i in unit["indicators"] if i["score"] is not None]
    scored[0]["score"] = scored[0]["score"] + 1
    (pack / "results" / "results.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    result = CliRunner().invoke(
        main, ["verify", str(pack), "--unit", unit["unit"]["code"]], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 1
    assert result.output.count("不同") == 1
    assert result.output.count("相同") == len(unit["indicators"]) - 1
    assert f"indicators[{scored[0]['id']}].score" in result.output


def test_spawned_workers_give_the_same_pack(
    villages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers started as on Windows (spawn) grade relative paths in the evidence folder too."""
    from lianchuang_cli.batching import engine

    monkeypatch.setattr(engine, "START_METHOD", "spawn")
    publish(villages / "村级 材料", tmp_path / "spawned", jobs=2)
    assert pack_files(tmp_path / "spawned") == pack_files(villages / "公示 包")
