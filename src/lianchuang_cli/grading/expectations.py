"""Expected results of example files, written in the file itself and checked by re-grading.

An example that grades carries one header line ``# 预期：总分 95.06，等级 良好``; a deliberately broken
example carries one ``# 预期错误：行:列`` line per problem it must report. A township or county file
that is only graded as part of a whole county says so:
``# 预期（grade-tree --previous last-year-2025.json）：总分 97，等级 优秀`` — it is then graded with
``grade-tree`` from the nearest folder above it that holds the county file (``--previous`` relative to
that folder). ``check_example`` grades the file and returns a located problem (code
``expected-result``) when the outcome differs;
``update_example`` rewrites those lines from the outcome, keeping the file's encoding, BOM and
line endings, and shifting positions for the lines it adds or removes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lianchuang_cli.batching.discovery import YAML_SUFFIXES, evidence_paths
from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.scoring.results import FileFailure, FileOutcome

CODE = "expected-result"
SCORE_LINE = re.compile(r"^# 预期(（[^）\n]*）)?：总分 (\S+)，等级 (\S+)[ \t]*$", re.MULTILINE)
TREE_MODE = re.compile(r"^（grade-tree(?: --previous (\S+))?）$")
Trees = dict[tuple[Path, str], dict[Path, FileOutcome]]
"""Graded county trees by (root folder, previous file), so that a tree is graded once per run."""
ERROR_LINE = re.compile(r"^# 预期错误：(\d+):(\d+)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What an example says it grades to: a score and rating, or where its problems are."""

    score: str | None = None
    rating: str | None = None
    positions: tuple[tuple[int, int], ...] = ()
    mode: str = ""

    def describe(self) -> str:
        """The expectation in the words of the header line."""
        if self.score is not None:
            how = "（grade-tree）" if TREE_MODE.match(self.mode) else ""
            return f"总分 {self.score}，等级 {self.rating}{how}"
        if self.positions:
            return "错误位于 " + "、".join(f"{line}:{column}" for line, column in self.positions)
        return "无"


def expectation_of(text: str) -> Expectation | None:
    """Read the expectation lines of an example, or ``None`` when it has none."""
    score = SCORE_LINE.search(text)
    if score is not None:
        return Expectation(score=score.group(2), rating=score.group(3), mode=score.group(1) or "")
    positions = sorted({(int(line), int(column)) for line, column in ERROR_LINE.findall(text)})
    return Expectation(positions=tuple(positions)) if positions else None


def outcome_of(outcome: FileOutcome, mode: str = "") -> Expectation:
    """What a graded file actually came to, in the same terms."""
    if isinstance(outcome, FileFailure):
        return Expectation(positions=tuple(sorted({(p.line, p.column) for p in outcome.problems})))
    return Expectation(score=fmt(outcome.score), rating=outcome.rating, mode=mode)


def grade_example(path: Path, mode: str, trees: Trees, loader: RubricLoader = PLAIN) -> FileOutcome:
    """Grade an example alone, or within its county tree when ``mode`` says grade-tree."""
    tree = TREE_MODE.match(mode)
    if tree is None:
        return grade_file(path, loader=loader)
    root = next((d for d in path.resolve().parents if _holds_county(d)), path.parent)
    previous = tree.group(1) or ""
    key = (root, previous)
    if key not in trees:
        trees[key] = _grade_tree(root, previous, loader)
    problem = Problem(str(path), 1, 1, f"在“{root}”的全县评分中没有找到本文件的结果")
    return trees[key].get(path.resolve(), FileFailure(str(path), (problem,)))


def _holds_county(folder: Path) -> bool:
    return any(
        re.search(r"^rubric: *county *$", p.read_text(encoding="utf-8-sig", errors="replace"), re.M)
        for p in folder.glob("*.yaml")
    )


def _grade_tree(root: Path, previous: str, loader: RubricLoader) -> dict[Path, FileOutcome]:
    # grade-tree builds on this module's neighbours; imported here to keep `check` light.
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.tree.grade import grade_tree
    from lianchuang_cli.tree.previous import load_previous, top_township_rating

    figures: dict[Any, Any] = {}
    year = None
    if previous:
        try:
            top = top_township_rating(loader=loader)
            figures, year = load_previous(root / previous, top_rating=top)
        except InputError as exc:
            return {
                p.resolve(): FileFailure(str(p), tuple(exc.problems))
                for p in evidence_paths([root], suffixes=YAML_SUFFIXES)
            }
    with grade_tree(
        root, previous=figures, previous_file=previous, previous_year=year, loader=loader
    ) as tree:
        results: list[FileOutcome] = [tree.county] if tree.county is not None else []
        for node in tree.townships:
            results.extend([node.result] if node.result is not None else [])
            results.extend(tree.full(village) for village in node.villages)
        results.extend(tree.failures)
    return {Path(r.file).resolve(): r for r in results}


def check_example(
    path: Path, trees: Trees | None = None, loader: RubricLoader = PLAIN
) -> tuple[Problem, ...]:
    """Re-grade one example (rubrics loaded by ``loader``); return a problem when it lacks or
    differs from its expectation."""
    text = _decode(path.read_bytes())[0]
    expected = expectation_of(text)
    mode = expected.mode if expected is not None else ""
    got = outcome_of(grade_example(path, mode, {} if trees is None else trees, loader), mode)
    if expected is None:
        message = (
            f"没有预期结果行（# 预期：总分 …，等级 … 或 # 预期错误：行:列）；实际 {got.describe()}；"
            "确认无误后可用 --update-expectations 写入"
        )
        return (Problem(str(path), 1, 1, message, code=CODE),)
    if expected == got:
        return ()
    line = _expectation_line(text)
    message = (
        f"预期 {expected.describe()}，实际 {got.describe()}；"
        "如属有意修改，请用 --update-expectations 更新"
    )
    return (Problem(str(path), line, 1, message, code=CODE),)


def update_example(path: Path, trees: Trees | None = None, loader: RubricLoader = PLAIN) -> bool:
    """Rewrite the expectation lines of ``path`` from its grading; return whether it changed."""
    raw = path.read_bytes()
    text, encoding, bom = _decode(raw)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    expected = expectation_of(text)
    mode = expected.mode if expected is not None else ""
    trees = {} if trees is None else trees
    # Adding or removing header lines moves every problem below them: grade until stable.
    for _ in range(5):
        got = outcome_of(grade_example(path, mode, trees, loader), mode)
        new_lines = _with_expectation(lines, got)
        if new_lines == lines:
            break
        lines = new_lines
        path.write_bytes(bom + newline.join(lines).encode(encoding))
    return path.read_bytes() != raw


def example_files(folders: Sequence[Path]) -> list[Path]:
    """Every example (``*.yaml``/``*.yml``) under the folders, in a stable order."""
    return evidence_paths(folders, suffixes=YAML_SUFFIXES)


def _expectation_line(text: str) -> int:
    match = SCORE_LINE.search(text) or ERROR_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _with_expectation(lines: list[str], got: Expectation) -> list[str]:
    new = (
        [f"# 预期{got.mode}：总分 {got.score}，等级 {got.rating}"]
        if got.score is not None
        else [f"# 预期错误：{line}:{column}" for line, column in got.positions]
    )
    old = [i for i, line in enumerate(lines) if SCORE_LINE.match(line) or ERROR_LINE.match(line)]
    if old:
        at = old[0]
    else:
        # After the leading comment block, which describes the example.
        at = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    kept = [line for i, line in enumerate(lines) if i not in set(old)]
    return kept[:at] + new + kept[at:]


def _decode(raw: bytes) -> tuple[str, str, bytes]:
    """Text, the encoding to write it back with, and the BOM to restore."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding), encoding, bom
    try:
        return raw.decode("utf-8"), "utf-8", b""
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace"), "gb18030", b""
