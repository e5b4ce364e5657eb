"""``lianchuang check``: lint rubric files (and re-grade examples against their expected results)."""

from __future__ import annotations

import sys
from itertools import chain
from pathlib import Path

import click

from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, rubric_loader
from lianchuang_cli.commands.output import check_output_path, emit, files_under, output_option
from lianchuang_cli.reports.registry import CHECK_FORMATS, format_help


def rubric_files(paths: tuple[Path, ...]) -> list[Path]:
    """The rubric files named, with folders expanded to their ``*.yaml``/``*.yml`` files."""
    from lianchuang_cli.batching.discovery import YAML_SUFFIXES, find_evidence
    from lianchuang_cli.model.rubric import shipped_rubrics_dir

    found = find_evidence(
        paths or (shipped_rubrics_dir(),), recursive=False, suffixes=YAML_SUFFIXES
    )
    return [Path(file) for file in found.files]


@click.command(options_metavar="[选项]")
@click.argument(
    "paths",
    nargs=-1,
    metavar="[细则文件或文件夹]...",
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--strict", is_flag=True, help="警告也算不通过（退出码1）。")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(CHECK_FORMATS)),
    default="text",
    show_default=True,
    help=format_help(CHECK_FORMATS),
)
@output_option
@click.option(
    "--examples",
    multiple=True,
    metavar="文件夹",
    type=click.Path(exists=True, path_type=Path),
    help="重新评分此文件夹中的示例，与其中写明的预期结果核对（可重复）。",
)
@click.option(
    "--update-expectations",
    is_flag=True,
    help="按本次评分结果改写示例中的预期结果行（有意修改细则后使用）。",
)
def check(
    paths: tuple[Path, ...],
    strict: bool,
    output_format: str,
    examples: tuple[Path, ...],
    update_expectations: bool,
    output: Path | None,
) -> None:
    """检查考评细则：分值合计、评分规则、等级、编号等，逐条列出问题（文件:行:列）。

    \b
    不给路径时检查全部内置细则。--examples 还会重新评分示例文件，
    与文件中的“# 预期：总分 …，等级 …”或“# 预期错误：行:列”逐一核对。
    退出码：0 没有问题；1 发现问题（--strict 时警告也算）；2 无法检查。
    """
    from lianchuang_cli.batching.discovery import EVIDENCE_SUFFIXES
    from lianchuang_cli.commands.output import rubric_reads
    from lianchuang_cli.grading.expectations import (
        Trees,
        check_example,
        example_files,
        update_example,
    )
    from lianchuang_cli.lint.engine import lint_file
    from lianchuang_cli.reports.problems import CheckedFile, failing

    if update_expectations and not examples:
        raise click.UsageError("--update-expectations 需要与 --examples 一起使用")
    files = rubric_files(paths)
    if not files:
        click.echo("没有找到细则文件（*.yaml）。", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    if output is not None:  # the rubrics, and every file of the examples (trees included)
        in_examples = (f for folder in examples for f in files_under(folder, EVIDENCE_SUFFIXES))
        check_output_path(output, chain(files, examples, in_examples, rubric_reads(None)))
    loader = rubric_loader()
    checked = [CheckedFile(str(path), lint_file(path, load=loader.load).problems) for path in files]
    example_paths = example_files(examples)
    if examples and not example_paths:
        click.echo("没有找到示例文件（*.yaml）。", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    trees: Trees = {}
    if update_expectations:
        for path in example_paths:
            if update_example(path, trees, loader):
                click.echo(f"已更新预期结果：{path}", err=True)
    checked.extend(
        CheckedFile(str(path), check_example(path, trees, loader)) for path in example_paths
    )
    emit(CHECK_FORMATS[output_format](checked, strict=strict), output)
    problems = [p for f in checked for p in f.problems]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    counted = f"{len(files)}个细则文件" + (f"、{len(example_paths)}个示例" if examples else "")
    click.echo(f"检查了{counted}：错误{errors}处，警告{warnings}处。", err=True)
    if any(failing(p, strict=strict) for p in problems):
        sys.exit(EXIT_GATE_FAILED)
