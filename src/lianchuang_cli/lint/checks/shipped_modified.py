"""``shipped-modified``: an edited copy of a shipped rubric changes its version.

A copy of ``village.yaml`` with one threshold changed but the same id and version grades the
same files differently under the same name ("village 2026.2"); reports then cannot tell the two
apart except by the content digest. ``check`` says so where the version is written.
"""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.digests import sha256_file
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import shipped_rubrics_dir


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric_id, version = ctx.rubric.id, ctx.rubric.version
    path = shipped_rubrics_dir() / f"{rubric_id}.yaml"
    if not rubric_id.isidentifier() or not path.is_file():
        return
    # Compared by bytes first: the shipped rubric itself (loaded below) stops here.
    if ctx.load is None or sha256_file(path)[0] == ctx.doc.sha256:
        return
    if ctx.load(path).rubric.version == version:
        message = (
            f"内容与内置细则 {rubric_id} {version} 不同，但 id 和版本号相同：两者的评分结果会以同一"
            "名称出现；修改细则请同时改版本号，并在文件开头的修订记录中写明改了什么"
        )
        yield ctx.at(ctx.rubric, "version", message=message)


CHECK = Check(
    "shipped-modified", "warning", "与内置细则 id、版本相同的细则，内容也与内置细则相同", run
)
