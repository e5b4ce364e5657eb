"""``convert``: YAML ⇄ workbook without losing or changing anything a grade depends on."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file, read_evidence, rubric_for
from lianchuang_cli.reading.xlsx_reader import read_workbook
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.evidence_yaml import render_evidence_yaml, scalar
from lianchuang_cli.reports.xlsx_template import render_workbook
from lianchuang_cli.scoring.results import UnitResult
from tests.conftest import EXAMPLES
from tests.test_xlsx_reader import meaning

DEMO = EXAMPLES / "county-demo"
EXAMPLE_FILES = [
    *sorted((EXAMPLES / "village").glob("*.yaml")),
    # One file of each level from the county demo: a village profile, parent codes, linked
    # indicators left for grade-tree, year-on-year (change) values.
    DEMO / "shiqiao" / "qingshan.yaml",
    DEMO / "shiqiao" / "township.yaml",
    DEMO / "county.yaml",
]


def to_xlsx(source: Path, target: Path) -> Path:
    """Convert a YAML evidence file to a workbook."""
    doc = read_yaml(source)
    target.write_bytes(render_workbook(rubric_for(doc).rubric, doc))
    return target


def to_yaml(source: Path, target: Path) -> Path:
    """Convert a workbook to a YAML evidence file."""
    doc = read_workbook(source)
    text = render_evidence_yaml(doc.data, rubric=rubric_for(doc).rubric, source=source.name)
    target.write_text(text, encoding="utf-8")
    return target


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Evidence values with the defaults a reader fills in anyway made explicit."""
    result = dict(data)
    for key in ("penalties", "bonuses", "vetoes"):
        events = []
        for event in result.get(key) or []:
            event = {k: v for k, v in event.items() if v not in ("", [], None)}
            if key != "vetoes":
                event.setdefault("count", 1)
            events.append(event)
        result[key] = sorted(events, key=lambda e: str(e["id"]))
    result["indicators"] = {
        key: {k: v for k, v in entry.items() if v not in ("", [])}
        for key, entry in result["indicators"].items()
    }
    result["unit"] = {k: v for k, v in result["unit"].items() if v not in ("", None)}
    return result


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_round_trip_keeps_every_value(example: Path, tmp_path: Path) -> None:
    """YAML → xlsx → YAML gives the same values; xlsx → YAML → xlsx gives the same workbook values."""
    first = to_xlsx(example, tmp_path / "first.xlsx")
    back = to_yaml(first, tmp_path / "back.yaml")
    second = to_xlsx(back, tmp_path / "second.xlsx")
    assert normalised(read_yaml(back).data) == normalised(read_yaml(example).data)
    assert read_workbook(second).data == read_workbook(first).data


@pytest.mark.parametrize(
    "example", sorted((EXAMPLES / "village").glob("*.yaml")), ids=lambda p: p.stem
)
def test_converted_files_grade_the_same(example: Path, tmp_path: Path) -> None:
    """The workbook and the YAML converted back from it grade exactly like the original."""
    workbook = to_xlsx(example, tmp_path / "unit.xlsx")
    back = to_yaml(workbook, tmp_path / "back.yaml")
    results = [grade_file(path) for path in (example, workbook, back)]
    assert all(isinstance(r, UnitResult) for r in results), results
    original, from_workbook, from_back = (meaning(r) for r in results if isinstance(r, UnitResult))
    assert from_workbook == original
    assert from_back == original


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("桃源村党总支", "桃源村党总支"),
        ("0571", '"0571"'),
        ("true", '"true"'),
        ("NO", '"NO"'),
        ("12:30", '"12:30"'),
        ("a: b", '"a: b"'),
        ("- 列表", '"- 列表"'),
        ("2026年", '"2026年"'),
        ("第一行\n第二行", '"第一行\\n第二行"'),
    ],
)
def test_text_is_quoted_only_when_yaml_would_misread_it(text: str, written: str) -> None:
    """Plain where safe; quoted where a YAML reader would take it for something else."""
    assert scalar(text) == written
    assert read_yaml_value(written) == text


def read_yaml_value(written: str) -> Any:
    """What the project's YAML reader makes of a scalar."""
    from lianchuang_cli.reading.yaml_reader import parse_yaml

    return parse_yaml(f"k: {written}\n", name="t.yaml").data["k"]


def run(*args: str) -> Any:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_converts_both_ways_next_to_the_input(tmp_path: Path) -> None:
    """Without --output the result sits next to the input, same name, other suffix."""
    source = tmp_path / "桃源村.yaml"
    source.write_bytes((EXAMPLES / "village" / "taoyuan_excellent.yaml").read_bytes())
    to_workbook = run("convert", str(source), "--to", "xlsx")
    assert to_workbook.exit_code == 0, to_workbook.output
    assert (tmp_path / "桃源村.xlsx").is_file()
    again = run("convert", str(source), "--to", "xlsx")
    assert again.exit_code == 2
    assert "已存在" in again.output
    back = run(
        "convert", str(tmp_path / "桃源村.xlsx"), "--to", "yaml", "-o", str(tmp_path / "b.yaml")
    )
    assert back.exit_code == 0, back.output
    assert isinstance(grade_file(tmp_path / "b.yaml"), UnitResult)


def test_cli_refuses_converting_to_the_same_form(tmp_path: Path) -> None:
    """Converting a YAML file to YAML is a usage error."""
    result = run("convert", str(EXAMPLES / "village" / "taoyuan_excellent.yaml"), "--to", "yaml")
    assert result.exit_code == 2
    assert "已经是 yaml 格式" in result.output


def test_cli_locates_what_cannot_be_converted(tmp_path: Path) -> None:
    """An indicator the rubric lacks cannot get a row: the problem names its YAML line."""
    text = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
    source = tmp_path / "bad.yaml"
    source.write_text(
        text.replace("  theme_party_days:", "  theme_party_dyas:", 1), encoding="utf-8"
    )
    result = run("convert", str(source), "--to", "xlsx")
    assert result.exit_code == 2
    line = text.splitlines().index("  theme_party_days:") + 1  # the key's own line
    assert f"bad.yaml:{line}:" in result.output
    assert "theme_party_dyas" in result.output
    assert not (tmp_path / "bad.xlsx").exists()


def test_unfinished_files_convert_too(tmp_path: Path) -> None:
    """A half-filled YAML file becomes a half-filled workbook: empty values stay empty."""
    text = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
    source = tmp_path / "half.yaml"
    source.write_text(
        text.replace(
            "  theme_party_days:\n    value: 11\n", "  theme_party_days:\n    value:\n", 1
        ),
        encoding="utf-8",
    )
    workbook = to_xlsx(source, tmp_path / "half.xlsx")
    assert read_evidence(workbook).data["indicators"]["theme_party_days"]["value"] is None


def test_grade_tree_takes_workbooks_among_yaml_files(tmp_path: Path) -> None:
    """A county folder where some villages and a township hand in workbooks grades the same."""
    from lianchuang_cli.tree.grade import grade_tree

    folder = tmp_path / "county"
    shutil.copytree(DEMO, folder)
    for name in ("shiqiao/qingshan.yaml", "shiqiao/township.yaml", "yunling/zhukeng.yaml"):
        source = folder / name
        to_xlsx(source, source.with_suffix(".xlsx"))
        source.unlink()
    (folder / "shiqiao" / "~$township.xlsx").write_bytes(b"lock file Excel leaves behind")
    mixed, plain = grade_tree(folder), grade_tree(DEMO)
    assert not mixed.failures
    assert mixed.county is not None
    assert plain.county is not None
    assert meaning(mixed.county) == meaning(plain.county)
    for ours, theirs in zip(mixed.townships, plain.townships, strict=True):
        assert ours.result is not None
        assert theirs.result is not None
        assert meaning(ours.result) == meaning(theirs.result)
        assert [meaning(mixed.full(v)) for v in ours.villages] == [
            meaning(plain.full(v)) for v in theirs.villages
        ]
