"""Read every YAML file the tool opens (rubrics and evidence) through one hardened mechanism.

Most evidence files are written in a plain subset of YAML that ``yaml_fast`` reads line by line,
several times faster. Whatever it declines is composed into a node tree by libyaml
(``yaml.CSafeLoader``), then turned into plain Python values by a single walk that also rejects
duplicate keys, non-standard tags and alias bombs. Both readers type scalars through
``yaml_scalars`` (YAML 1.2: only ``true``/``false`` are booleans, ``0571`` stays text, fractions
become exact ``Decimal`` values) and give the same values. The node tree locates any value
afterwards (``SourceDocument.position``); for a fast-read file it is composed only when a
position is asked for, so that valid files pay nothing for it."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from msgspec.structs import replace

from lianchuang_cli.digests import sha256_bytes
from lianchuang_cli.errors import InputError, Problem, file_problem
from lianchuang_cli.reading import yaml_fast
from lianchuang_cli.reading.document import Location
from lianchuang_cli.reading.files import read_regular_file
from lianchuang_cli.reading.formats import foreign_advice
from lianchuang_cli.reading.fullwidth import split_lines
from lianchuang_cli.reading.yaml_errors import event_problem, reader_problem, syntax_problem
from lianchuang_cli.reading.yaml_fast import KeyPositions
from lianchuang_cli.reading.yaml_scalars import (
    MAP_TAG,
    SEQ_TAG,
    STR_TAG,
    resolve_plain,
    scalar_value,
    unsupported_tag,
)

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    _Loader: type[yaml.CSafeLoader]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Files above this size are refused before parsing (PyYAML needs ~1 min and 2 GB for 50 MB)."""

MAX_VALUES = 200_000
"""Upper bound on values produced after alias expansion: stops "billion laughs" documents."""

MAX_NODES = 50_000
"""Upper bound on values written in a file, checked before the node tree is built: each node
costs about 1 KB, so this keeps memory far below 200 MB (a real evidence file has ~500)."""

MAX_DEPTH = 64
"""Deepest nesting accepted; real rubrics and evidence files nest fewer than ten levels."""


def _import_libyaml() -> None:
    """Import PyYAML (about 7 ms) on first use and bind its names in this module.

    The fast reader reads every valid evidence file without it, and a cached rubric is not read
    at all, so ``score`` on a valid file never pays for it. Everything that touches nodes runs
    after ``_compose`` or ``_precheck``'s event walk, which call this first.
    """
    global yaml, MappingNode, Node, ScalarNode, SequenceNode, _Loader
    if "_Loader" in globals():
        return
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    class Loader(yaml.CSafeLoader):
        """libyaml-backed composer whose implicit typing follows YAML 1.2 instead of YAML 1.1."""

        # libyaml's composer calls these two hooks around every node, for PyYAML's path
        # resolvers, which are never used here: C callables that ignore their arguments save
        # two Python calls per node (a village file has about 400 nodes).
        # (The stubs type them as methods; a builtin stored on the class is called unbound.)
        descend_resolver: Callable[[Any, Any], Any] = {}.get  # type: ignore[assignment]
        ascend_resolver: Callable[[], Any] = tuple

        def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
            if kind is ScalarNode:
                if implicit[0] and value is not None:
                    return resolve_plain(value)
                return STR_TAG
            return SEQ_TAG if kind is SequenceNode else MAP_TAG

    _Loader = Loader


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A parsed YAML file: its plain values, and the node tree that locates each of them.

    A file read by the fast line reader (``yaml_fast``) has no node tree until a position is
    asked for: it is then composed from the text by libyaml, so positions are the same whichever
    reader built the values. The keys of block mappings reached through mappings only are
    located from what the fast reader noted, without composing (every valid evidence file asks
    where its indicators are).
    """

    name: str
    data: Any
    _tree: list[Node | None] = field(repr=False, compare=False)
    """``[root]`` once composed (at once by the libyaml reader), empty until then."""
    sha256: str
    text: str = field(default="", repr=False)
    _fast_keys: KeyPositions | None = field(default=None, repr=False, compare=False)
    form: ClassVar[str] = "yaml"
    reading_problems: ClassVar[tuple[Problem, ...]] = ()
    # Lazily built lookups, so that locating many problems stays linear in the file's size.
    _keys: dict[int, dict[str, tuple[Node, Node]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _lines: list[list[str]] = field(default_factory=list, repr=False, compare=False)

    @property
    def root(self) -> Node | None:
        """The libyaml node tree of the text (None for an empty document)."""
        tree = self._tree
        if not tree:
            tree.append(_compose(self.text))
        return tree[0]

    def _entries(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        entries = self._keys.get(id(node))
        if entries is None:
            entries = {}
            for key_node, value_node in node.value:
                entries.setdefault(str(key_node.value), (key_node, value_node))
            self._keys[id(node)] = entries
        return entries

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
                found = self._entries(node).get(str(part))
                if found is not None:
                    key_node, node = found
                else:
                    key_node = None
            elif isinstance(node, SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key_node, node = None, node.value[part]
            else:
                key_node = None
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1, target.start_mark.column + 1

    def location(self, loc: Sequence[str | int], *, key: bool = False) -> Location:
        """Return where the value at ``loc`` (or its key) is, as a text position."""
        return Location(*self.position(loc, key=key))

    def key_locations(self, loc: Sequence[str | int]) -> dict[str, Location]:
        """Return the position of every key of the mapping at ``loc`` (one pass)."""
        if self._fast_keys is not None:
            noted = self._fast_keys.get(tuple(loc))  # type: ignore[arg-type]
            if noted is not None:
                column, lines = noted
                return {key: Location(line, column) for key, line in lines.items()}
        node = self.root
        for part in loc:
            if not isinstance(node, MappingNode):
                return {}
            entry = self._entries(node).get(str(part))
            node = entry[1] if entry else None
        if not isinstance(node, MappingNode):
            return {}
        found: dict[str, Location] = {}
        for key, (key_node, _) in self._entries(node).items():
            mark = key_node.start_mark
            found[key] = Location(mark.line + 1, mark.column + 1)
        return found

    def line_text(self, line: int) -> str:
        """Return the text of a 1-based line of the source ("" when unknown)."""
        if not self._lines:
            self._lines.append(split_lines(self.text))
        lines = self._lines[0]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """Build a problem located at ``loc``."""
        line, column = self.position(loc, key=key)
        return Problem(self.name, line, column, message)

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems from the top of the file down."""
        return sorted(problems, key=lambda p: (p.line, p.column))


def read_yaml(
    path: str | Path, *, name: str | None = None, problems: list[Problem] | None = None
) -> SourceDocument:
    """Read, decode and parse a YAML file; raise ``InputError`` with located problems.

    With a ``problems`` list, problems found while building values (duplicate keys, unsupported
    tags) are appended to it instead of raised, and the document keeps what could be built (the
    first of duplicated keys): a linter then reports them together with everything else.
    """
    display = name if name is not None else str(path)
    raw = read_yaml_bytes(path, display)
    return parse_yaml(raw, name=display, problems=problems)


def read_yaml_bytes(path: str | Path, display: str) -> bytes:
    """The bytes of a YAML file (a regular file within ``MAX_FILE_BYTES``), as ``read_yaml`` reads
    them; ``InputError`` located at ``display`` otherwise."""
    return read_regular_file(path, display, limit=MAX_FILE_BYTES, what="YAML 文件")


_SUPPORTED_ENCODINGS = "本工具支持 UTF-8（推荐）、GBK 和带 BOM 的 UTF-16 编码"
_RESAVE = "请用记事本或 WPS 另存为 UTF-8 编码"


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 text."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encodings: tuple[str, ...] = ()
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
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
    found = _wide_encoding(raw)
    if found:
        message = f"文件是 {found}；{_SUPPORTED_ENCODINGS}，{_RESAVE}"
    else:
        message = f"文件不是可识别的文本；{_SUPPORTED_ENCODINGS}，{_RESAVE}"
    raise InputError([Problem(name, 1, 1, message)])


def _wide_encoding(raw: bytes) -> str | None:
    """Name UTF-32, or UTF-16 without a BOM, from where the zero bytes of ASCII text fall."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32 编码"
    sample = raw[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    quads = len(sample) // 4
    if len(raw) % 4 == 0 and quads:
        for offset, order in ((1, "小端序"), (0, "大端序")):
            # ASCII and CJK characters in UTF-32 both have a zero in their highest byte pair.
            zero_pairs = sum(
                1
                for i in range(0, quads * 4, 4)
                if sample[i + 2 * offset : i + 2 * offset + 2] == b"\0\0"
            )
            if zero_pairs == quads:
                return f"UTF-32 编码（{order}）"
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    if len(raw) % 2 == 0 and odd_zeros != even_zeros:
        order = "小端序" if odd_zeros > even_zeros else "大端序"
        return f"UTF-16 编码（{order}，无 BOM）"
    return None


def parse_yaml(
    source: bytes | str, *, name: str, problems: list[Problem] | None = None
) -> SourceDocument:
    """Parse YAML text or bytes into a ``SourceDocument``; raise ``InputError`` on any problem."""
    raw = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    advice = foreign_advice(raw, name) if isinstance(source, bytes) else None
    if advice is not None:
        raise InputError([file_problem(name, advice)])
    sha256 = sha256_bytes(raw)  # a rubric's digest (LoadedRubric.sha256) is this one
    text = decode_text(source, name) if isinstance(source, bytes) else source
    _precheck(text, name)
    fast = yaml_fast.scan(text)
    if fast is not None:
        return SourceDocument(name, fast[0], [], sha256, text, fast[1])
    return _parse_libyaml(text, name, sha256, problems)


def _parse_libyaml(
    text: str, name: str, sha256: str, problems: list[Problem] | None
) -> SourceDocument:
    """Compose the node tree with libyaml and build the values from it; report every problem."""
    _import_libyaml()
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError([syntax_problem(exc, name, text)]) from None
    except yaml.reader.ReaderError as exc:
        raise InputError([reader_problem(exc, name, text)]) from None
    except yaml.YAMLError:
        raise InputError([Problem(name, 1, 1, "YAML 无法解析；请检查文件内容是否为文本")]) from None
    if root is None:
        return SourceDocument(name, None, [None], sha256, text)
    builder = _ValueBuilder(name, aliases="*" in text)
    data = builder.build(root)
    if builder.problems:
        if problems is None:
            raise InputError(builder.problems)
        problems.extend(builder.problems)
    return SourceDocument(name, data, [root], sha256, text)


def _compose(text: str) -> Node | None:
    """Compose the node tree of a text with libyaml (raises ``yaml.YAMLError``)."""
    _import_libyaml()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_FLOW_OPENERS_CHECKED = 2000
"""Above this many ``[``/``{`` the nesting is measured before composing: libyaml's composer
recurses once per level and overflows the C stack (a segfault, not an exception) near 30,000.
Block nesting cannot get that deep within ``MAX_FILE_BYTES``; flow brackets can."""

_NODE_MARKERS = ",[{:-?\n"
"""Every node after the first follows one of these characters (a separator, an opening bracket,
a key or list indicator, or a line break), and each can introduce at most three nodes (a key,
an empty value and the mapping holding them)."""


def _precheck(text: str, name: str) -> None:
    """Refuse, before composing, documents too deep or with too many values to build safely.

    Only suspicious texts are walked (through libyaml's event stream, which holds one event
    at a time), so a normal file pays two ``str.count`` calls.
    """
    deep = text.count("[") + text.count("{") >= _FLOW_OPENERS_CHECKED
    # No text has more node markers than characters: short texts need not count them.
    if not deep and 3 * (len(text) + 1) <= MAX_NODES:
        return
    bound = 3 * (sum(text.count(c) for c in _NODE_MARKERS) + 1)
    if not deep and bound <= MAX_NODES:
        return
    depth = 0
    nodes = 0
    _import_libyaml()
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    message = f"文件中的值超过{MAX_NODES}个，不像是考评材料；请检查是否选错了文件"
                    raise InputError([event_problem(event, name, message)])
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    message = f"嵌套层数过深（超过{MAX_DEPTH}层）"
                    raise InputError([event_problem(event, name, message)])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise InputError([syntax_problem(exc, name, text)]) from None
    except yaml.reader.ReaderError as exc:
        raise InputError([reader_problem(exc, name, text)]) from None


class _TooLarge(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


class _ValueBuilder:
    """Turn a composed node tree into plain values, collecting problems instead of stopping."""

    def __init__(self, name: str, *, aliases: bool) -> None:
        self.name = name
        self.aliases = aliases
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def build(self, root: Node) -> Any:
        try:
            return self.value(root, 0)
        except _TooLarge as exc:
            self.problems.append(self.at(exc.node, str(exc)))
            return None

    def at(self, node: Node, message: str) -> Problem:
        return Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def value(self, node: Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.aliases:
                raise _TooLarge(f"展开后的值超过{MAX_VALUES}个（锚点/别名可能被滥用）", node)
            raise _TooLarge(
                f"文件中的值超过{MAX_VALUES}个，不像是考评材料；请检查是否选错了文件", node
            )
        if type(node) is ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _TooLarge(f"嵌套层数过深（超过{MAX_DEPTH}层）", node)
        node_id = id(node)
        if node_id in self.active:
            self.problems.append(self.at(node, "别名引用了自身所在的结构（循环引用）"))
            return None
        self.active.add(node_id)
        try:
            if type(node) is SequenceNode:
                if node.tag != SEQ_TAG:
                    self.problems.append(self.at(node, unsupported_tag(node.tag)))
                return [self.value(item, depth + 1) for item in node.value]
            return self.mapping(node, depth)
        finally:
            self.active.discard(node_id)

    def mapping(self, node: Node, depth: int) -> dict[str, Any]:
        if node.tag != MAP_TAG:
            self.problems.append(self.at(node, unsupported_tag(node.tag)))
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
        value, message = scalar_value(node.tag, node.value)
        if message is not None:
            self.problems.append(self.at(node, message))
        return value
