"""libyaml's errors said in Chinese: where the problem is and how to fix it (a full-width
character typed for YAML punctuation is named as the cause when it is one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lianchuang_cli.errors import Problem
from lianchuang_cli.reading.fullwidth import find_fullwidth, fullwidth_message, split_lines

if TYPE_CHECKING:
    import yaml


def event_problem(event: yaml.Event, name: str, message: str) -> Problem:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(name, line, column, message)


_FIX = "；请检查缩进、冒号后的空格和引号"
_TRAILING_TEXT = "值的后面多了内容；引号文本要整个放在引号里，一行只写一个“键: 值”"
_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "此处不能出现“键: 值”；常见原因是缩进不对，或文本中含有“: ”却没有加引号",
    ),
    ("mapping keys are not allowed", "此处不能出现“? ”开头的键；如果是文本，请加引号"),
    (
        "block sequence entries are not allowed",
        "此处不能出现列表项“- ”；请检查缩进，或给以“-”开头的文本加引号",
    ),
    ("could not find expected ':'", "缺少冒号“:”；每个键后面应写“: ”（冒号加一个空格）"),
    ("did not find expected key", "缩进不一致：同一层的键必须左对齐"),
    ("did not find expected '-' indicator", "列表项缩进不一致：同一列表的“- ”必须左对齐"),
    (
        "did not find expected ',' or ']'",
        "方括号列表没有正确结束：各项之间用“, ”分隔，最后以“]”结束",
    ),
    (
        "did not find expected ',' or '}'",
        "花括号映射没有正确结束：各项之间用“, ”分隔，最后以“}”结束",
    ),
    ("did not find expected node content", "此处缺少值；请检查是否多了符号或少了内容" + _FIX),
    (
        "found character that cannot start any token",
        "出现了不能作为开头的字符（如 Tab 或 @、`）；请改用空格缩进，或给文本加引号",
    ),
    ("found a tab character", "出现了 Tab 字符；YAML 只能用空格缩进，请把 Tab 改为空格"),
    ("found duplicate anchor", "锚点名称重复"),
    ("found undefined alias", "引用了未定义的锚点（*名称）；如果是文本，请加引号"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有成对闭合"),
    ("found unknown escape character", "双引号文本中有无效的转义字符“\\”；请改用单引号"),
    ("hexdecimal number", "双引号文本中的“\\x”“\\u”转义写法不对；请改用单引号"),
    ("invalid Unicode character escape", "双引号文本中的“\\u”转义不是有效字符；请改用单引号"),
    ("expected a single document", "文件中只能有一个 YAML 文档（不要使用“---”分隔多个文档）"),
    ("found unexpected document indicator", "文本中出现了“---”或“...”；如果是文本，请加引号"),
    (
        "did not find expected <document start>",
        "文档在此之前已经结束（前面多了“...”，或缩进不对），此处的内容无法归属；请检查这一行和上面几行",
    ),
    ("directive", "“%”开头的指令写法不对；考评材料不需要指令，请删除该行，或给文本加引号"),
    ("found incompatible YAML document", "不支持的 YAML 版本；请删除“%YAML”这一行"),
    ("tag", "“!”开头的标签写法不对；请去掉标签，直接写值，或给文本加引号"),
    ("URI", "“!”开头的标签写法不对；请去掉标签，直接写值，或给文本加引号"),
    ("anchor", "“&”“*”后应写锚点名称（字母或数字）；如果是文本，请加引号"),
    ("alias", "“&”“*”后应写锚点名称（字母或数字）；如果是文本，请加引号"),
    ("found unexpected ':'", "此处的冒号“:”无法识别；如果是文本，请加引号"),
    ("indentation indicator", "多行文本“|”“>”后的缩进数字不能为0"),
    ("block scalar", "多行文本（“|”或“>”）的写法不对：符号后只能跟注释，文本应从下一行缩进开始"),
    ("did not find expected comment or line break", "此处应换行；同一行内多写了内容" + _FIX),
    ("control characters are not allowed", "文件含有控制字符，可能不是文本文件"),
    ("exceeded maximum nesting depth", "嵌套层数过深"),
    ("simple key", "键太长或没有结束；请检查是否缺少冒号“:”，或给长文本加引号"),
    ("quoted scalar", "引号文本没有正确结束；请检查引号是否成对"),
    ("plain scalar", "文本写法不对；请给含有特殊符号的文本加引号"),
)


def syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    fullwidth = _fullwidth_near(text, line, name)
    if fullwidth is not None:
        return fullwidth
    context = f"{exc.problem or ''} | {exc.context or ''}"
    block_end = "did not find expected key" in context or "expected '-' indicator" in context
    if block_end and mark is not None:
        # Reported in the middle of a line: the line has more after its value, not a bad indent.
        before = split_lines(text[: mark.index])[-1] if mark.index <= len(text) else ""
        if before.strip():
            return Problem(name, line, column, f"YAML 格式错误：{_TRAILING_TEXT}")
    for needle, hint in _SYNTAX_HINTS:
        if needle in context:
            return Problem(name, line, column, f"YAML 格式错误：{hint}")
    return Problem(name, line, column, f"YAML 格式错误：此处的写法无法识别{_FIX}")


_FULLWIDTH_LOOKBACK = 10
"""How many lines above a syntax error to look for the full-width character that caused it: a
key typed with a full-width colon becomes text that runs on until the next real key."""


def _fullwidth_near(text: str, line: int, name: str) -> Problem | None:
    """Return the full-width punctuation at or just above a syntax error, if there is any."""
    lines = split_lines(text)
    for number in range(min(line, len(lines)), max(0, line - _FULLWIDTH_LOOKBACK), -1):
        index = find_fullwidth(lines[number - 1])
        if index is not None:
            char = lines[number - 1][index]
            message = fullwidth_message(number, index + 1, char)
            return Problem(name, number, index + 1, f"YAML 格式错误：{message}")
    return None


def reader_problem(exc: yaml.reader.ReaderError, name: str, text: str) -> Problem:
    """Locate a character libyaml refuses (BEL, DEL and other control characters)."""
    # libyaml reads the text as UTF-8 and reports a byte offset.
    prefix = text.encode("utf-8", "surrogatepass")[: max(0, exc.position)]
    lines_before = split_lines(prefix.decode("utf-8", "ignore"))
    line, column = len(lines_before), len(lines_before[-1]) + 1
    character = exc.character
    code = character if isinstance(character, int) else ord(str(character)[:1] or "?")
    message = (
        f"第{line}行第{column}列有控制字符（U+{code:04X}），YAML 文件中不允许出现；"
        "请删除该字符（常见于从其他软件复制的文字）"
    )
    return Problem(name, line, column, message)
