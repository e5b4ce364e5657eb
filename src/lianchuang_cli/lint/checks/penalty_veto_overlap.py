"""``penalty-veto-overlap``: a penalty and a veto on the same kind of event share no level.

One event has one consequence: a 较大 accident must not cost 2 points *and* fail the unit. Items
say what they cover with ``event: {kind: safety_accident, levels: [一般]}``; levels are compared
as written.
"""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    vetoes = [veto for veto in ctx.rubric.vetoes if veto.event is not None]
    for penalty in ctx.rubric.penalties:
        if penalty.event is None:
            continue
        for veto in vetoes:
            assert veto.event is not None
            if veto.event.kind != penalty.event.kind:
                continue
            shared = [level for level in penalty.event.levels if level in veto.event.levels]
            if shared:
                message = (
                    f"扣分项“{penalty.name}”与一票否决“{veto.name}”都适用于"
                    f"“{'、'.join(shared)}”级别的同类事件（{penalty.event.kind}）："
                    "同一事件只能有一种后果，请让两者的 levels 不重叠"
                )
                yield ctx.at(penalty.event, "levels", message=message)


CHECK = Check(
    "penalty-veto-overlap",
    "error",
    "同类事件（`event: {kind, levels}`）的扣分项与一票否决事项适用的级别不重叠：一事一种后果",
    run,
)
