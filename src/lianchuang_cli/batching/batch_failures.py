"""Why a file of a batch is not ranked although it may be fine on its own: it uses another
rubric than the batch (a township's file among villages), or its unit code is another file's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec.structs import replace

from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.grading.pipeline import read_evidence
from lianchuang_cli.model.rubric import LEVEL_NAMES
from lianchuang_cli.scoring.results import FileFailure

if TYPE_CHECKING:
    from lianchuang_cli.scoring.tally import RubricInfo

RubricKey = tuple[str, str]  # (rubric id, sha256), as the engine keys a batch's rubric


def mixed_rubric(file: str, batch_rubric: str, rubric: RubricInfo) -> FileFailure:
    """A graded file whose rubric is not the batch's."""
    message = (
        f"本批文件按考评细则“{batch_rubric}”汇总排名，此文件使用细则“{rubric.id}”"
        f"（{rubric.version}版）；不同细则的文件请分开评分，"
        "村、乡镇、县三级材料在同一文件夹时请用 lianchuang grade-tree"
    )
    return FileFailure(file, (Problem(file, 1, 1, message, code="mixed-rubric"),))


def other_rubric(failure: FileFailure, batch: RubricKey | None) -> FileFailure:
    """A file that failed a rubric other than the batch's: say what it is, not what it lacks."""
    if failure.rubric is None or batch is None or failure.rubric[0] == batch[0]:
        return failure
    rubric, level = failure.rubric
    file = failure.file
    if level == "village":
        advice = "不同细则的文件请分开评分"
    else:
        advice = (
            "乡镇、县的材料请与所属各村的材料放在一起，用 lianchuang grade-tree 评分整个县"
            "（联创指标由下级单位的评分结果核算）"
        )
    message = (
        f"此文件是{LEVEL_NAMES.get(level, level)}级材料（考评细则“{rubric}”），"
        f"本批按考评细则“{batch[0]}”汇总排名，未评分；{advice}"
    )
    return FileFailure(file, (Problem(file, 1, 1, message, code="mixed-rubric"),), failure.rubric)


def duplicate_code(files: Sequence[str], index: int, duplicates: Mapping[int, str]) -> FileFailure:
    """The failure of one of the files that share a unit code, located at its code."""
    code, file = duplicates[index], files[index]
    clashing = (files[i] for i, c in sorted(duplicates.items()) if c == code and files[i] != file)
    others = "、".join(f"“{name}”" for name in dict.fromkeys(clashing))
    message = (
        f"单位代码“{code}”与{others}重复：同一单位只能有一份结果，这几份材料都不计入排名；"
        "请核对单位代码，或删去重复的材料"
    )
    try:
        problem = read_evidence(file).problem(["unit", "code"], message)
    except InputError:  # it was read a moment ago; if it cannot be now, name the file only
        problem = Problem(file, 1, 1, message)
    return FileFailure(file, (replace(problem, code="duplicate-code"),))
