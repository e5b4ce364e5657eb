"""``level-event-overlap``: a penalty on an event in the units below shares no level with their veto.

One event has one consequence across levels too: a township leader given 留党察看 already fails
the township under the township rubric, and the county counts that (乡镇一票否决, the share of
townships rated 合格). A county penalty on the same discipline would cost the county a second
time. A penalty that says ``event: {kind: ..., of: township, levels: [...]}`` is compared with
the vetoes of the same kind in the township rubric: the rubric file of that level beside this
one when there is one, else the shipped rubric.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lianchuang_cli.errors import InputError
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import LEVEL_NAMES, Rubric, shipped_rubrics_dir


def lower_rubric(ctx: RubricContext, level: str) -> Rubric | None:
    """The rubric of ``level`` used with this one: beside it, else shipped; None if unusable."""
    beside = Path(ctx.doc.name).parent / f"{level}.yaml"
    path = beside if beside.is_file() else shipped_rubrics_dir() / f"{level}.yaml"
    if ctx.load is None or path.resolve() == Path(ctx.doc.name).resolve():
        return None
    try:
        rubric = ctx.load(path).rubric
    except (InputError, OSError):
        return None  # reported when that file itself is checked
    return rubric if rubric.level == level else None


def run(ctx: RubricContext) -> Iterator[Finding]:
    for penalty in ctx.rubric.penalties:
        scope = penalty.event
        if scope is None or scope.of is None:
            continue
        lower = lower_rubric(ctx, scope.of)
        if lower is None:
            continue
        for veto in lower.vetoes:
            if veto.event is None or veto.event.kind != scope.kind:
                continue
            shared = [level for level in scope.levels if level in veto.event.levels]
            if shared:
                message = (
                    f"扣分项“{penalty.name}”适用的“{'、'.join(shared)}”级别，在{LEVEL_NAMES[scope.of]}"
                    f"细则中已适用一票否决“{veto.name}”（{scope.kind}），并由本级的联创指标计入："
                    "同一事件只能有一种后果，请从 levels 中删去这些级别"
                )
                yield ctx.at(scope, "levels", message=message)


CHECK = Check(
    "level-event-overlap",
    "error",
    "针对下级单位事件的扣分项（`event: {kind, of, levels}`）与下级细则同类一票否决事项的级别不重叠：下级已否决的事件经联创指标计入本级，不再扣分",
    run,
)
