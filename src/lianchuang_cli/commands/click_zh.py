"""Chinese for click's own messages (usage errors, help headings), which ship only in English.

click looks its strings up through ``gettext`` at call time, via names bound in each module;
rebinding those names is the only hook it offers short of a compiled message catalogue.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

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
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要取值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "default: {default}": "默认：{default}",
    "(dynamic)": "（动态）",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
}

_PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "Did you mean {possibility}?": "是否想写 {possibility}？",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个取值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个取值，只给了 1 个。",
}
_PLURALS_MANY = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选项之一：{choices}。",
    "(Did you mean one of: {possibilities}?)": "（是否想写：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个取值，给了 {len} 个。",
}


def _gettext(message: str) -> str:
    return _MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    if count == 1:
        return _PLURALS.get(singular, singular)
    return _PLURALS_MANY.get(plural, plural)


def install() -> None:
    """Make click speak Chinese for the rest of the process."""
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
