"""Run the registered checks over rubric files; the one place that stamps codes and severities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from msgspec.structs import replace

from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.lint.base import Check
from lianchuang_cli.lint.checks import CHECKS
from lianchuang_cli.lint.context import LoadRubric, RubricContext, build_rubric
from lianchuang_cli.model.rubric import LoadedRubric, Rubric
from lianchuang_cli.model.validation import not_a_mapping, problems_from
from lianchuang_cli.reading.yaml_reader import SourceDocument, decode_text, read_yaml

SCHEMA_CODE = "schema"
YAML_CODE = "yaml"
"""Codes of the problems found before the checks run: the file's YAML, and the rubric schema."""


@dataclass(frozen=True, slots=True)
class RubricLint:
    """Every problem found in one rubric file, and the rubric itself when it has no errors."""

    path: Path
    problems: tuple[Problem, ...]
    loaded: LoadedRubric | None

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``error`` (those that stop the rubric from being used)."""
        return tuple(p for p in self.problems if p.severity == "error")


def lint_file(
    path: Path, *, load: LoadRubric | None, checks: Mapping[str, Check] = CHECKS
) -> RubricLint:
    """Read a rubric file and run every check on whatever parts of it load; ``load`` loads the
    other rubrics that some checks compare with. It has no default: a caller that passes None
    says it accepts that those checks find nothing."""
    found: list[Problem] = []
    try:
        doc = read_yaml(path, problems=found)
    except InputError as exc:
        return RubricLint(path, tuple(_with_code(p, YAML_CODE) for p in exc.problems), None)
    problems = [_with_code(p, YAML_CODE) for p in found]
    # Comments are not in the parsed document; checks about them (practice-marked) read the text.
    try:
        lines = tuple(decode_text(path.read_bytes(), str(path)).splitlines())
    except (OSError, InputError):
        lines = ()
    loaded, more = lint_document(doc, path=path, checks=checks, lines=lines, load=load)
    problems.extend(more)
    problems.sort(key=lambda p: (p.line, p.column))
    usable = loaded if not any(p.severity == "error" for p in problems) else None
    return RubricLint(path, tuple(problems), usable)


def lint_document(
    doc: SourceDocument,
    *,
    path: Path,
    checks: Mapping[str, Check] = CHECKS,
    lines: Sequence[str] = (),
    load: LoadRubric | None,
) -> tuple[LoadedRubric | None, list[Problem]]:
    """Check a parsed rubric; return it (when the schema accepted it) with the problems found."""
    if not isinstance(doc.data, dict):
        problem = not_a_mapping(
            doc,
            what="考评细则",
            keys="编号（id）、级别（level）、考评项目（criteria）、等级（ratings）等",
            hint="可参照内置细则（lianchuang rubric show village）",
        )
        return None, [replace(problem, code=SCHEMA_CODE)]
    if "criteria" not in doc.data and {"rubric", "indicators"} <= doc.data.keys():
        message = (
            "这是佐证材料（有 rubric 和 indicators），不是考评细则；请用 lianchuang validate 检查"
        )
        return None, [Problem(doc.name, 1, 1, message, code=SCHEMA_CODE)]
    built = build_rubric(doc)
    problems: list[Problem] = []
    if built.error is not None:
        schema = problems_from(built.error, doc, model=Rubric)
        problems.extend(_with_code(p, SCHEMA_CODE) for p in schema)
    context = RubricContext(doc, built, lines=lines, load=load)
    for check in checks.values():
        for finding in check.run(context):
            line, column = doc.position(finding.loc, key=finding.key)
            problems.append(
                Problem(doc.name, line, column, finding.message, check.severity, check.code)
            )
    if built.error is not None:
        return None, problems
    loaded = LoadedRubric(built.rubric, path, doc.sha256, document=doc, positions=built.positions)
    return loaded, problems


def _with_code(problem: Problem, code: str) -> Problem:
    return problem if problem.code else replace(problem, code=code)
