"""Command-line entry point: the command group, and the last line of defence against tracebacks.

Each command lives in its own module under ``commands/``, imported only when that command runs
(``--help`` and a mistyped name import them all). Core modules are imported inside the commands
so that ``lianchuang --help`` stays fast: building the pydantic models costs more than everything
else at start-up.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from lianchuang_cli import __version__
from lianchuang_cli.caching.rubric_cache import user_cache
from lianchuang_cli.commands import click_zh
from lianchuang_cli.commands.common import (
    EXIT_INPUT_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    prepare_console,
)
from lianchuang_cli.commands.interrupts import (
    INTERRUPTED_MESSAGE,
    stop_children,
)
from lianchuang_cli.grading.rubrics import RubricLoader

# pydantic scans every installed package's entry points for plugins before building its first
# model (15–30 ms at each start); the tool's own models have no use for plugins. (Its plugin
# loader still imports importlib.metadata, about 4% of ``score ONE_FILE``'s instructions: not
# worth standing in for a private pydantic module.)
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


COMMANDS = {
    "score": "score",
    "batch": "batch",
    "validate": "validate",
    "template": "template",
    "convert": "convert",
    "rubric": "rubric",
    "check": "check",
    "diff": "diff",
    "schema": "schema",
    "grade-tree": "grade_tree",
    "publish": "publish",
    "verify": "verify",
}
"""Command name → its module under ``commands/``, whose function of the same name is the command."""


class LazyGroup(click_zh.ChineseCommands):
    """A group that imports a command's module only when the command is used.

    ``score`` then does not pay for importing ``batch``, ``check``, ``diff`` …; help lists every
    command, and a mistyped name loads them all so that click can suggest the closest.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name (importing them all: help shows each one's summary)."""
        for name in COMMANDS:
            self._load(name)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command called ``cmd_name``, imported on first use."""
        if cmd_name in COMMANDS:
            self._load(cmd_name)
        else:
            self.list_commands(ctx)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> None:
        if name not in self.commands:
            module = COMMANDS[name]
            command = getattr(import_module(f"lianchuang_cli.commands.{module}"), module)
            self.add_command(command, name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="lianchuang",
    message="%(prog)s %(version)s",
    help="显示版本号并退出。",
)
def main() -> None:
    """农村党的建设“三级联创”考评工具：按考评细则给佐证材料打分、定等级、列差距。

    \b
    常用：
      lianchuang template village -o 桃源村.yaml   生成佐证材料模板
      lianchuang template village --format xlsx -o 桃源村.xlsx
                                                  生成 Excel 工作簿模板
      lianchuang validate 桃源村.yaml              只检查填写是否正确
      lianchuang score 桃源村.yaml                 打分、定等级、列出差距
      lianchuang batch 材料/ -r -o 汇总.xlsx       批量评分、排名、汇总
      lianchuang rubric show village               查看考评细则
      lianchuang check --examples examples         检查考评细则、核对示例的预期结果（供 CI 使用）
      lianchuang diff 旧细则.yaml 新细则.yaml --corpus 材料/
                                                  比较两版细则，及其对今年材料的影响
      lianchuang grade-tree 青山县/                评分整个县（村→乡镇→县）
      lianchuang convert 桃源村.xlsx --to yaml     Excel 工作簿与 YAML 互相转换
      lianchuang publish 青山县/ -o 公示包/         生成公示包（结果、细则、摘要）
      lianchuang verify 公示包/                    核对公示包：重新评分并逐项比对

    退出码：0 全部评分（未设门槛，或均达到 --fail-under / --min-rating 门槛）；
    1 已评分但未达门槛；2 无法评分（材料有误、文件无法读取、用法错误）；3 程序内部错误；
    130 被 Ctrl-C 中断。
    """


def run() -> None:
    """Run the command line; no outcome, however unexpected, ends in a traceback."""
    prepare_console()
    # Handed to the commands as the context object (``common.rubric_loader``), never set globally.
    loader = RubricLoader(user_cache())
    try:
        code = _invoke(loader)
    except KeyboardInterrupt:  # from an ``interruptible()`` block, or with Python's own handler
        click.echo(INTERRUPTED_MESSAGE, err=True)
        code = EXIT_INTERRUPTED
    except OSError as exc:  # the machine's, not ours: a full disk, a closed or failing stream
        from lianchuang_cli.errors import os_reason
        from lianchuang_cli.reports.escaping import shown

        where = f"“{shown(str(exc.filename))}”" if exc.filename else "输出"
        click.echo(f"无法读写{where}：{os_reason(exc)}；请检查后重试。", err=True)
        code = EXIT_INPUT_ERROR
    except Exception as exc:  # last line of defence: never show a traceback
        click.echo(f"程序内部错误：{type(exc).__name__}: {exc}", err=True)
        click.echo("这不是您的操作问题；请把以上信息和所用文件发给维护人员。", err=True)
        code = EXIT_INTERNAL_ERROR
    for notice in loader.notices():
        click.echo(notice, err=True)
    if code == EXIT_INTERRUPTED:
        stop_children()
    sys.exit(code)


def _invoke(loader: RubricLoader) -> int:
    try:
        outcome = main.main(prog_name="lianchuang", standalone_mode=False, obj=loader)
    except click.exceptions.Abort:  # click's rendering of a KeyboardInterrupt
        click.echo(INTERRUPTED_MESSAGE, err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else EXIT_INTERNAL_ERROR
    return outcome if isinstance(outcome, int) else 0
