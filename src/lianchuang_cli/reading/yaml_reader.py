"""Read every YAML file the tool opens (rubrics and evidence) through one hardened mechanism.

The text is composed into a node tree by libyaml (``yaml.CSafeLoader``), then turned into plain
Python values by a single walk that also rejects duplicate keys, non-standard tags and alias
bombs. Plain scalars follow YAML 1.2: only ``true``/``false`` are booleans, so ``NO`` and ``on``
stay text, ``0571`` stays the text "0571" (a code, not octal 377), ``12:30`` stays text, and
numbers with a fraction become exact ``Decimal`` values, never floats. The node tree is kept so
that any value can be located afterwards (``SourceDocument.position``), at no cost when the file
is valid.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lianchuang_cli.errors import InputError, Problem

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Files above this size are refused before parsing (PyYAML needs ~1 min and 2 GB for 50 MB)."""

MAX_VALUES = 200_000
"""Upper bound on values produced after alias expansion: stops "billion laughs" documents."""

MAX_DEPTH = 64
"""Deepest nesting accepted; real rubrics and evidence files nest fewer than ten levels."""

_TAG = "tag:yaml.org,2002:"
STR_TAG = _TAG + "str"
INT_TAG = _TAG + "int"
FLOAT_TAG = _TAG + "float"
BOOL_TAG = _TAG + "bool"
NULL_TAG = _TAG + "null"
SEQ_TAG = _TAG + "seq"
MAP_TAG = _TAG + "map"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
# A leading zero keeps a scalar as text: administrative codes such as 0571 must not change.
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT_RE = re.compile(
    r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z"
)


_TYPED_STARTS = frozenset("0123456789+-.~nNtTfF")


def _resolve_plain(value: str) -> str:
    """Tag a plain (unquoted) scalar the way YAML 1.2's core schema would."""
    if value and value[0] not in _TYPED_STARTS:
        return STR_TAG  # most scalars are Chinese text: skip the patterns
    if value in _NULLS:
        return NULL_TAG
    if value in _TRUES or value in _FALSES:
        return BOOL_TAG
    if _INT_RE.match(value):
        return INT_TAG
    if _FLOAT_RE.match(value):
        return FLOAT_TAG
    return STR_TAG


class _Loader(yaml.CSafeLoader):
    """libyaml-backed composer whose implicit typing follows YAML 1.2 instead of YAML 1.1."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0] and value is not None:
                return _resolve_plain(value)
            return STR_TAG
        return SEQ_TAG if kind is SequenceNode else MAP_TAG


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A parsed YAML file: its plain values, and the node tree that locates each of them."""

    name: str
    data: Any
    root: Node | None
    sha256: str

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the value at ``loc`` (or of its key).

        Path parts that do not name a key (pydantic adds union tags to its locations) are
        skipped; a path that ends early points at the deepest node that exists.
        """
        node = self.root
        if node is None:
            return 1, 1
        key_node: Node | None = None
        for part in loc:
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if k.value == str(part):
                        key_node, node = k, v
                        break
                else:
                    key_node = None
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key_node, node = None, node.value[part]
            else:
                key_node = None
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1, target.start_mark.column + 1

    def key_lines(self, loc: Sequence[str | int]) -> dict[str, int]:
        """Return the 1-based line of every key of the mapping at ``loc`` (one pass)."""
        node = self.root
        for part in loc:
            if not isinstance(node, MappingNode):
                return {}
            node = next((v for k, v in node.value if k.value == str(part)), None)
        if not isinstance(node, MappingNode):
            return {}
        lines: dict[str, int] = {}
        for key_node, _ in node.value:
            lines.setdefault(str(key_node.value), key_node.start_mark.line + 1)
        return lines

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """Build a problem located at ``loc``."""
        line, column = self.position(loc, key=key)
        return Problem(self.name, line, column, message)


def read_yaml(
    path: str | Path, *, name: str | None = None, problems: list[Problem] | None = None
) -> SourceDocument:
    """Read, decode and parse a YAML file; raise ``InputError`` with located problems.

    With a ``problems`` list, problems found while building values (duplicate keys, unsupported
    tags) are appended to it instead of raised, and the document keeps what could be built (the
    first of duplicated keys): a linter then reports them together with everything else.
    """
    display = name if name is not None else str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(display, 1, 1, "找不到文件，请检查路径是否正确")]) from None
    except IsADirectoryError:
        raise InputError([Problem(display, 1, 1, "这是一个文件夹，不是 YAML 文件")]) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError([Problem(display, 1, 1, f"无法读取文件（{reason}）")]) from None
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        message = f"文件超过{limit} MB，不像是考评材料；请检查是否选错了文件"
        raise InputError([Problem(display, 1, 1, message)])
    return parse_yaml(raw, name=display, problems=problems)


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 text."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    message = "文件不是可识别的文本（支持 UTF-8 或 GBK 编码）；请用记事本或 WPS 另存为 UTF-8 编码"
    raise InputError([Problem(name, 1, 1, message)])


def parse_yaml(
    source: bytes | str, *, name: str, problems: list[Problem] | None = None
) -> SourceDocument:
    """Parse YAML text or bytes into a ``SourceDocument``; raise ``InputError`` on any problem."""
    raw = source if isinstance(source, bytes) else source.encode("utf-8")
    sha256 = hashlib.sha256(raw).hexdigest()
    text = decode_text(source, name) if isinstance(source, bytes) else source
    _check_flow_depth(text, name)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_problem(exc, name)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, 1, 1, f"YAML 无法解析（{exc}）")]) from None
    finally:
        loader.dispose()
    if root is None:
        return SourceDocument(name, None, None, sha256)
    builder = _ValueBuilder(name)
    data = builder.build(root)
    if builder.problems:
        if problems is None:
            raise InputError(builder.problems)
        problems.extend(builder.problems)
    return SourceDocument(name, data, root, sha256)


_FLOW_OPENERS_CHECKED = 2000
"""Above this many ``[``/``{`` the nesting is measured before composing: libyaml's composer
recurses once per level and overflows the C stack (a segfault, not an exception) near 30,000.
Block nesting cannot get that deep within ``MAX_FILE_BYTES``; flow brackets can."""


def _check_flow_depth(text: str, name: str) -> None:
    if text.count("[") + text.count("{") < _FLOW_OPENERS_CHECKED:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    message = f"嵌套层数过深（超过{MAX_DEPTH}层）"
                    raise InputError([Problem(name, line, column, message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_problem(exc, name)]) from None


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "此处不能出现“键: 值”；常见原因是缩进不对，或文本中含有“: ”却没有加引号",
    ),
    ("could not find expected ':'", "缺少冒号“:”；每个键后面应写“: ”（冒号加一个空格）"),
    ("did not find expected key", "缩进不一致：同一层的键必须左对齐"),
    ("did not find expected '-' indicator", "列表项缩进不一致：同一列表的“- ”必须左对齐"),
    (
        "found character that cannot start any token",
        "出现了不能作为开头的字符（如 Tab 或 @、`）；请改用空格缩进，或给文本加引号",
    ),
    ("found undefined alias", "引用了未定义的锚点（*名称）"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有成对闭合"),
    ("found unknown escape character", "双引号文本中有无效的转义字符“\\”；请改用单引号"),
    ("expected a single document", "文件中只能有一个 YAML 文档（不要使用“---”分隔多个文档）"),
    ("control characters are not allowed", "文件含有控制字符，可能不是文本文件"),
    ("found duplicate anchor", "锚点名称重复"),
    ("exceeded maximum nesting depth", f"嵌套层数过深（超过{MAX_DEPTH}层）"),
)


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    detail = exc.problem or ""
    context = f"{exc.context or ''} {detail}"
    for needle, hint in _SYNTAX_HINTS:
        if needle in context:
            return Problem(name, line, column, f"YAML 格式错误：{hint}")
    return Problem(name, line, column, f"YAML 格式错误（{detail}）；请检查缩进、冒号后的空格和引号")


class _TooLarge(Exception):
    pass


class _ValueBuilder:
    """Turn a composed node tree into plain values, collecting problems instead of stopping."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def build(self, root: Node) -> Any:
        try:
            return self.value(root, 0)
        except _TooLarge as exc:
            self.problems.append(self.at(root, str(exc)))
            return None

    def at(self, node: Node, message: str) -> Problem:
        return Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def value(self, node: Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooLarge(f"展开后的值超过{MAX_VALUES}个（锚点/别名可能被滥用）")
        if type(node) is ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _TooLarge(f"嵌套层数过深（超过{MAX_DEPTH}层）")
        node_id = id(node)
        if node_id in self.active:
            self.problems.append(self.at(node, "别名引用了自身所在的结构（循环引用）"))
            return None
        self.active.add(node_id)
        try:
            if type(node) is SequenceNode:
                if node.tag != SEQ_TAG:
                    self.problems.append(self.at(node, _unsupported_tag(node.tag)))
                return [self.value(item, depth + 1) for item in node.value]
            return self.mapping(node, depth)
        finally:
            self.active.discard(node_id)

    def mapping(self, node: Node, depth: int) -> dict[str, Any]:
        if node.tag != MAP_TAG:
            self.problems.append(self.at(node, _unsupported_tag(node.tag)))
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                self.problems.append(self.at(key_node, "键必须是简单文本，不能是列表或映射"))
                continue
            key = key_node.value
            if key in result:
                first = key_lines[key]
                message = f"重复的键“{key}”（第{first}行已出现）；请删除或合并其中一处"
                self.problems.append(replace(self.at(key_node, message), code="duplicate-key"))
                continue
            key_lines[key] = key_node.start_mark.line + 1
            result[key] = self.value(value_node, depth + 1)
        return result

    def scalar(self, node: Node) -> Any:
        tag, text = node.tag, node.value
        if tag == STR_TAG:
            return text
        if tag == NULL_TAG and text in _NULLS:
            return None
        if tag == BOOL_TAG and (text in _TRUES or text in _FALSES):
            return text in _TRUES
        if tag == INT_TAG and _INT_RE.match(text):
            return int(text)
        if tag == FLOAT_TAG:
            try:
                return Decimal(text)
            except InvalidOperation:
                pass
        if tag in (NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG):
            kind = tag.removeprefix(_TAG)
            self.problems.append(self.at(node, f"“{text}”不是有效的 !!{kind} 值"))
        else:
            self.problems.append(self.at(node, _unsupported_tag(tag)))
        return None


def _unsupported_tag(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"不支持的 YAML 标签{shown}；请去掉标签，直接写值"
