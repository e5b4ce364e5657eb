"""Chinese for click's own messages (usage errors, help headings), which ship only in English,
and a help formatter that measures Chinese in terminal cells.

click looks its strings up through ``gettext`` at call time, via names bound in each module;
rebinding those names is the only hook it offers short of a compiled message catalogue. Its help
formatter counts characters, so "--rubric 细则" was padded two columns short and Chinese help
text wrapped at twice the width; ``HelpFormatter`` below lays help out in cells, with Chinese
line breaking and Chinese punctuation ("选项：", "（默认：table）").
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types
from rich.cells import cell_len

from lianchuang_cli.reports.text_layout import break_lines

_MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s %(version)s",
    "Error: {message}": "错误：{message}",
    "Aborted!": "已中止。",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "No such option: {name}": "没有选项“{name}”。",
    "Option {name!r} does not take a value.": "选项“{name}”不需要取值。",
    "Invalid value for {param_hint}: {message}": "{param_hint}的取值无效：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value}不在范围{range}内。",
    "default: {default}": "默认：{default}",
    "(dynamic)": "（动态）",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”不可读。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
}

_PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "{value!r} is not {choice}.": "“{value}”不是{choice}。",
    "Did you mean {possibility}?": "是否想写{possibility}？",
    "Option {name!r} requires an argument.": "选项“{name}”需要一个取值。",
    "Takes {nargs} values but 1 was given.": "需要{nargs}个取值，只给了1个。",
}
_PLURALS_MANY = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "{value!r} is not one of {choices}.": "“{value}”不是可选项之一：{choices}。",
    "(Did you mean one of: {possibilities}?)": "（是否想写：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”需要{nargs}个取值。",
    "Takes {nargs} values but {len} were given.": "需要{nargs}个取值，给了{len}个。",
}


def _gettext(message: str) -> str:
    return _MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    if count == 1:
        return _PLURALS.get(singular, singular)
    return _PLURALS_MANY.get(plural, plural)


_QUOTED = re.compile(r"'([^'\n]*)'")
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_BARE_OPTION = re.compile(r"(?<![“\w-])(--?[A-Za-z][A-Za-z0-9_-]*)(?![A-Za-z0-9_-]*”)")


def chinese_punctuation(message: str) -> str:
    """Give a message assembled by click Chinese quotes and punctuation.

    click quotes option names and choices with ``repr`` ('--format', 'xml') and ends some
    messages with an English full stop; the templates above cannot reach those parts.
    """
    message = _QUOTED.sub(r"“\1”", message)
    message = message.replace("”, “", "”、“").replace("” / “", "”或“")
    message = _BARE_OPTION.sub(r"“\1”", message)
    message = re.sub(rf"(?<=[{_CJK}]) (?=“)|(?<=”) (?=[{_CJK}])|(?<=[。；，？]) +", "", message)
    message = re.sub(r"”\.(?=\s|$)", "”。", message)
    return re.sub(rf"(?<=[{_CJK}])\.$", "。", message)


def _chinese_show(show: Callable[..., None]) -> Callable[..., None]:
    def chinese(self: click.ClickException, file: IO[Any] | None = None) -> None:
        buffer = io.StringIO()
        show(self, file=buffer)
        # Only the "错误：" line is click's English-shaped sentence; usage and hint are Chinese.
        lines = buffer.getvalue().splitlines()
        shown = [chinese_punctuation(line) if line.startswith("错误：") else line for line in lines]
        click.echo("\n".join(shown), file=file, err=file is None)

    chinese.chinese = True  # type: ignore[attr-defined]
    return chinese


class HelpFormatter(click.HelpFormatter):
    """click's help layout, measured in terminal cells and broken by Chinese rules."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = _gettext("Usage:") if prefix is None else prefix.rstrip()
        first = f"{'':>{self.current_indent}}{prefix}{prog} "
        indent = " " * cell_len(first)
        room = max(self.width - cell_len(first), 20)
        lines = break_lines(args, room) if args else [""]
        self.write(first + lines[0] + "\n")
        for line in lines[1:]:
            self.write(indent + line + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("\n\n".join(_paragraphs(text, self.width - self.current_indent, indent)))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        first_col = min(max((cell_len(first) for first, _ in rows), default=0), col_max)
        first_col += col_spacing
        room = max(self.width - self.current_indent - first_col, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = [
                line
                for paragraph in _paragraphs(_chinese_default(second), room)
                for line in paragraph.split("\n")
            ]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


def _chinese_default(help_text: str) -> str:
    # click appends "  [默认：table; x>=1; required]" to an option's help: the default, the
    # range of a number and whether the option is required. Chinese text takes them in brackets.
    match = re.search(r"\s+\[([^\[\]]*)\]$", help_text)
    if match is None:
        return help_text
    items = [_extra_item(item) for item in match.group(1).split("; ")]
    return help_text[: match.start()] + "（" + "；".join(items) + "）"


_RANGE_WORDS = {"<": "小于", "<=": "不大于", ">": "大于", ">=": "不小于"}


def _extra_item(item: str) -> str:
    """One item of click's extra help: ``required`` and ranges (``x>=1``, ``0<=x<=5``) in Chinese."""
    if item in ("required", "必填"):
        return "必填"
    one_side = re.fullmatch(r"x(<=?|>=?)(\S+)", item)
    if one_side:
        return f"{_RANGE_WORDS[one_side.group(1)]}{one_side.group(2)}"
    both = re.fullmatch(r"(\S+?)(<=?)x(<=?)(\S+)", item)
    if both:
        low, high = both.group(1), both.group(4)
        low_word = "不小于" if both.group(2) == "<=" else "大于"
        high_word = "不大于" if both.group(3) == "<=" else "小于"
        return f"{low_word}{low}且{high_word}{high}"
    return item


def _paragraphs(text: str, width: int, indent: str = "") -> Iterable[str]:
    """Paragraphs separated by blank lines; a paragraph led by a ``\\b`` line is kept as written."""
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.split("\n")
        if lines[0].strip() == "\b":
            yield "\n".join(_verbatim(indent + line, width + len(indent)) for line in lines[1:])
            continue
        joined = lines[0].strip()
        for line in lines[1:]:
            line = line.strip()
            # Chinese lines join without a space; Latin words keep one between them.
            cjk_seam = re.match(rf"[{_CJK}]", joined[-1:]) or re.match(rf"[{_CJK}]", line[:1])
            joined += line if cjk_seam else " " + line
        yield "\n".join(indent + line for line in break_lines(joined, width))


def _verbatim(line: str, width: int) -> str:
    """A line of a ``\\b`` block as written, unless it is too wide: then wrapped, indented 4 more."""
    if cell_len(line) <= width:
        return line
    lead = " " * (len(line) - len(line.lstrip()))
    first, *rest = break_lines(line.strip(), width - len(lead) - 4)
    return "\n".join([lead + first, *(lead + "    " + part for part in rest)])


def install() -> None:
    """Make click speak Chinese for the rest of the process."""
    click.Context.formatter_class = HelpFormatter
    for error_class in (click.ClickException, click.UsageError):
        if not getattr(error_class.show, "chinese", False):
            error_class.show = _chinese_show(error_class.show)  # type: ignore[method-assign]
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
