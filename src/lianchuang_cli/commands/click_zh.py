"""Chinese for click's own messages (usage errors, help headings), which ship only in English,
and a help formatter that measures Chinese in terminal cells.

Only click's extension points are used: ``ChineseContext`` (its ``formatter_class``),
``HelpFormatter`` (headings, usage prefix and help rows in Chinese, laid out in cells with
Chinese line breaking and punctuation: "选项：", "（默认：table）"), and ``ChineseCommands``, the
command-group mix-in whose ``make_context`` and ``invoke`` hand click's errors on as
``ChineseUsageError`` / ``ChineseError``, which show themselves in Chinese. click builds its
messages from English templates (through gettext); ``translate`` maps each template of the
catalogue below back to its Chinese form, fields included, so no click module is modified.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO, Any

import click
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
    # The names a path type gives itself, title-cased in its messages ("File '…' does not exist.").
    "File": "文件",
    "Directory": "文件夹",
    "Path": "路径",
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


_FIELD = re.compile(r"\{(\w+)(!r)?\}")
_REPR = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""


@cache  # compiled once from the constant tables above
def _templates() -> tuple[tuple[re.Pattern[str], str, frozenset[str]], ...]:
    """Each English template as a pattern (its fields as named groups), its Chinese form, and
    which fields click formats with ``!r`` (their quotes are dropped: the Chinese quotes them)."""
    pairs = [
        *_MESSAGES.items(),
        *_PLURALS.items(),
        *_PLURALS_MANY.items(),
    ]
    compiled = []
    # Most literal text first ("Invalid value for {param_hint}: …" before "Invalid value: …").
    # "Missing {param_type}" is for parameter types this tool has none of; matched back, it
    # would swallow "Missing argument '文件...'." whole.
    pairs = [pair for pair in pairs if pair[0] != "Missing {param_type}"]
    for english, chinese in sorted(pairs, key=lambda pair: -len(_FIELD.sub("", pair[0]))):
        pattern, at, reprs = "", 0, set()
        for field in _FIELD.finditer(english):
            pattern += re.escape(english[at : field.start()])
            name = field.group(1)
            if name in reprs or f"(?P<{name}>" in pattern:
                pattern += f"(?P={name})"
            elif field.group(2):
                pattern += f"(?P<{name}>{_REPR})"
                reprs.add(name)
            else:
                # Never across "  ", which click puts between the sentences it joins.
                pattern += f"(?P<{name}>(?:(?!  ).)+?)"
            at = field.end()
        # A template ends where the sentence does: at a blank or at the end of the message.
        pattern += re.escape(english[at:]) + r"(?=\s|\Z)"
        compiled.append((re.compile(pattern, re.DOTALL), chinese, frozenset(reprs)))
    return tuple(compiled)


def translate(message: str) -> str:
    """click's English message in Chinese: every sentence built from a catalogued template is
    replaced by the template's Chinese form with its fields (translated in turn); text no
    template matches (our own Chinese messages, file names) is kept as it is."""
    whole = _translate_whole(message)
    if whole is not None:
        return whole
    # Sentences joined by click ("No such option: --x  Did you mean --y?"): at each start of a
    # sentence, the first template that matches up to the next blank (or the end) is taken.
    out: list[str] = []
    at = 0
    while at < len(message):
        piece = _translate_prefix(message, at)
        if piece is None:
            out.append(message[at])
            at += 1
        else:
            text, at = piece
            out.append(text)
    return "".join(out)


def _translate_whole(message: str) -> str | None:
    for pattern, chinese, reprs in _templates():
        match = pattern.fullmatch(message)
        if match is not None:
            return _filled(chinese, match, reprs)
    return None


def _translate_prefix(message: str, at: int) -> tuple[str, int] | None:
    if at and not message[at - 1].isspace():
        return None
    for pattern, chinese, reprs in _templates():
        match = pattern.match(message, at)
        if match is not None:
            return _filled(chinese, match, reprs), match.end()
    return None


def _filled(chinese: str, match: re.Match[str], reprs: frozenset[str]) -> str:
    values = {
        name: _unquoted(value) if name in reprs else translate(value)
        for name, value in match.groupdict().items()
    }
    return chinese.format(**values)


def _unquoted(text: str) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


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


class ChineseError(click.ClickException):
    """A click error (not a usage error) shown in Chinese."""

    def __init__(self, original: click.ClickException) -> None:
        super().__init__(original.format_message())

    def format_message(self) -> str:
        """The message in Chinese."""
        return translate(self.message)

    def show(self, file: IO[Any] | None = None) -> None:
        """``错误：…`` on stderr."""
        _echo_error(self.format_message(), file, self.show_color)


class ChineseUsageError(click.UsageError):
    """A usage error shown in Chinese: the usage line, how to get help, then ``错误：…``."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(original.format_message(), original.ctx)

    def format_message(self) -> str:
        """The message in Chinese."""
        return translate(self.message)

    def show(self, file: IO[Any] | None = None) -> None:
        """As click shows a usage error, in Chinese."""
        ctx, color = self.ctx, None
        if ctx is not None:
            color = ctx.color
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                option = max(ctx.help_option_names, key=len)
                hint = f"运行“{ctx.command_path} {option}”查看帮助。\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
        _echo_error(self.format_message(), file, color)


def _echo_error(message: str, file: IO[Any] | None, color: bool | None) -> None:
    # Only this line is click's English-shaped sentence; usage and hint are Chinese already.
    line = chinese_punctuation(f"错误：{message}")
    click.echo(line, file=file, err=file is None, color=color)


_SHOWN_AS_IS: tuple[type[click.ClickException], ...] = tuple(
    # A group called without a command shows its help (click 8.2 and later).
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)


_PASSED_ON: tuple[type[click.ClickException], ...] = (
    ChineseUsageError,
    ChineseError,
    *_SHOWN_AS_IS,
)


@contextmanager
def chinese_errors() -> Iterator[None]:
    """Hand on click's errors raised inside as their Chinese counterparts."""
    try:
        yield
    except _PASSED_ON:
        raise
    except click.UsageError as exc:
        raise ChineseUsageError(exc) from None
    except click.ClickException as exc:
        raise ChineseError(exc) from None


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
        self.write(f"{'':>{self.current_indent}}{_gettext(heading)}：\n")

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
        rows = [(_chinese_metavar(first), second) for first, second in rows]
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
                for paragraph in _paragraphs(_chinese_default(_gettext(second)), room)
                for line in paragraph.split("\n")
            ]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")


_PATH_METAVAR = re.compile(r"(?<= )(FILE|DIRECTORY|PATH)$")


def _chinese_metavar(option: str) -> str:
    # A path option's metavar is its type's English name upper-cased ("--output PATH").
    return _PATH_METAVAR.sub(lambda m: _gettext(m.group(1).title()), option)


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
    if item.startswith("default: "):
        return "默认：" + _gettext(item.removeprefix("default: "))
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


class ChineseContext(click.Context):
    """A context whose help is laid out by ``HelpFormatter``."""

    formatter_class = HelpFormatter


class ChineseCommands(click.Group):
    """A command group whose commands (and their sub-commands) speak Chinese: contexts laid out
    by ``HelpFormatter``, and click's errors shown as ``ChineseUsageError`` / ``ChineseError``."""

    context_class = ChineseContext

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the group's own arguments; errors in Chinese."""
        with chinese_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command (parsing its arguments); errors in Chinese."""
        with chinese_errors():
            return super().invoke(ctx)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register a sub-command, giving it (and its own sub-commands) the Chinese context."""
        _speak_chinese(cmd)
        super().add_command(cmd, name)


def _speak_chinese(command: click.Command) -> None:
    command.context_class = ChineseContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _speak_chinese(sub)
