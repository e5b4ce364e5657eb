"""Line breaking for Chinese text in a fixed number of terminal cells (CJK characters take two).

Every text format shares these rules, so that no report ever prints "扣0" / ".3分" or starts a
line with "，":

- a number stays whole with its sign, decimal point, range and unit ("-0.8个百分点", "0–3分",
  "10万元", "96%"), and so does a run of Latin letters and digits (an id, a version);
- no line starts with closing punctuation (，。；：、）」』】》？！% …) and no line ends with
  opening punctuation (（「『【《“ …): the character moves with its neighbour (kinsoku);
- otherwise a line may break between any two Chinese characters, at a space (which is dropped)
  or after the ``/`` or ``\\`` of a file path ("examples/village/" | "shiqiao_good.yaml");
- only a single unbreakable piece wider than the whole line is cut, as late as possible.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.cells import cell_len

CLOSING = frozenset("，。；：、）」』】》〉〕］｝？！％‰,.;:!?)]}%”’…—～·")
"""Characters that must not start a line."""

OPENING = frozenset("（「『【《〈〔［｛“‘([{≥≤＜＞<>±")
"""Characters that must not end a line (comparison signs belong to the number that follows)."""

_UNITS = (
    "个百分点|百分点|万元|亿元|元|万|平方公里|平方米|公里|米|吨|小时|分钟|分|人|名|次|件|项|个"
    "|岁|年|月|日|天|户|亩|倍|届|条|篇|场"
    "|行|列|页|层|级|档|所|村|%|％|‰"
)
_VISIBLE_ATOM = (
    # a number: sign, digits with separators and decimals, an optional range, an optional unit
    rf"[-+−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[–~～-][-+−]?\d[\d,]*(?:\.\d+)?)?(?:{_UNITS})?"
    # a run of Latin letters and digits, with inner dots, dashes, slashes, colons, underscores
    r"|[A-Za-z0-9_]+(?:[./:@\\-][A-Za-z0-9_]+)*"
)
_ATOM = re.compile(rf"{_VISIBLE_ATOM}|\s+|.")


def _chars(chars: frozenset[str]) -> str:
    return "".join(re.escape(char) for char in sorted(chars))


_PIECE = re.compile(
    # The pieces of ``_groups`` in one pass where no path separator cuts atoms: an atom, then
    # each following atom that starts with a closing mark or follows an opening one.
    rf"\s+|(?:{_VISIBLE_ATOM}|\S)"
    rf"(?:(?=[{_chars(CLOSING)}])(?:{_VISIBLE_ATOM}|\S)|(?<=[{_chars(OPENING)}])(?:{_VISIBLE_ATOM}|\S))*"
)


_PATH_SEPARATOR = re.compile(r"(?<=[/\\])(?=[^/\\])")


def _atoms(paragraph: str) -> list[tuple[int, int]]:
    atoms = []
    for match in _ATOM.finditer(paragraph):
        start, end = match.span()
        # A file path may break after each separator, never inside a file or folder name.
        for cut in _PATH_SEPARATOR.finditer(paragraph, start + 1, end):
            atoms.append((start, cut.start()))
            start = cut.start()
        atoms.append((start, end))
    return atoms


@lru_cache(maxsize=4096)  # a pure memo, as ``line_spans``: the text is all it reads
def _groups(paragraph: str) -> tuple[tuple[int, int, bool, int], ...]:
    """Split into (start, end, is_space, cells) pieces; no line may break inside a non-space piece.

    The cells are measured here, once a piece, not once a piece per width laid out."""
    if "/" not in paragraph and "\\" not in paragraph:
        return tuple(
            (match.start(), match.end(), (text := match.group()).isspace(), cell_len(text))
            for match in _PIECE.finditer(paragraph)
        )
    return _path_groups(paragraph)


def _path_groups(paragraph: str) -> tuple[tuple[int, int, bool, int], ...]:
    """``_groups`` atom by atom, for text where a path separator may cut an atom."""
    groups: list[tuple[int, int, bool]] = []
    joinable = False  # whether the last piece is text a closing mark or an opening one joins
    for start, end in _atoms(paragraph):
        if paragraph[start:end].isspace():
            groups.append((start, end, True))
            joinable = False
        elif joinable and (paragraph[start] in CLOSING or paragraph[groups[-1][1] - 1] in OPENING):
            groups[-1] = (groups[-1][0], end, False)
        else:
            groups.append((start, end, False))
            joinable = True
    return tuple(
        (start, end, is_space, cell_len(paragraph[start:end])) for start, end, is_space in groups
    )


@lru_cache(maxsize=4096)  # rich measures and renders the same text several times
def line_spans(paragraph: str, width: int) -> tuple[tuple[int, int], ...]:
    """(start, end) of each line of one paragraph (no newlines) laid out in ``width`` cells.

    Spaces where a line breaks are left out of both lines; an empty paragraph is one empty line.
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    start: int | None = None  # where the current line starts
    end = 0  # where its visible text ends
    used = 0  # cells used up to ``end``
    pending = 0  # cells of spaces after ``end``, kept only if more text follows on the line
    for g_start, g_end, is_space, size in _groups(paragraph):
        if is_space:
            if start is not None:
                pending += size
            continue
        if start is not None and used + pending + size <= width:
            end, used, pending = g_end, used + pending + size, 0
            continue
        if start is not None:
            lines.append((start, end))
        if size <= width:
            start, end, used, pending = g_start, g_end, size, 0
            continue
        # One piece wider than the line (a long id or path): cut it, filling each line.
        pieces = _cut(paragraph, g_start, g_end, width)
        lines.extend(pieces[:-1])
        start, end = pieces[-1]
        used, pending = cell_len(paragraph[start:end]), 0
    lines.append((start, end) if start is not None else (0, 0))
    return tuple(lines)


_NUMBER_CHARS = frozenset("0123456789.,")
_WORD_ENDS = frozenset("_-.")


def _cut(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Cut an over-wide piece into lines, between a number and its unit rather than inside either."""
    pieces: list[tuple[int, int]] = []
    piece_start, used = start, 0
    good_cut: int | None = None  # latest position in the current line where a cut reads well
    word_cut: int | None = None  # latest one after "_", "-" or "." (file and id names)
    for position in range(start, end):
        char = text[position]
        if (
            position > piece_start
            and char not in CLOSING
            and not (char in _NUMBER_CHARS and text[position - 1] in _NUMBER_CHARS)
        ):
            good_cut = position
            if text[position - 1] in _WORD_ENDS and char.isascii() and char.isalpha():
                word_cut = position
        size = cell_len(char)
        if used + size > width and position > piece_start:
            if word_cut is not None and cell_len(text[word_cut:position]) + size > width:
                word_cut = None  # the rest would not fit on the next line either
            cut = word_cut or good_cut or position
            pieces.append((piece_start, cut))
            piece_start, good_cut, word_cut = cut, None, None
            used = cell_len(text[cut:position])
        used += size
    pieces.append((piece_start, end))
    return pieces


def break_lines(text: str, width: int) -> list[str]:
    """Lay ``text`` out in lines of at most ``width`` cells; newlines in ``text`` are kept."""
    return [
        paragraph[start:end]
        for paragraph in text.split("\n")
        for start, end in line_spans(paragraph, width)
    ]


def widest_piece(text: str) -> int:
    """Cells of the widest piece of ``text`` that no line break may split."""
    return max(
        (
            size
            for paragraph in text.split("\n")
            for _, _, is_space, size in _groups(paragraph)
            if not is_space
        ),
        default=0,
    )
