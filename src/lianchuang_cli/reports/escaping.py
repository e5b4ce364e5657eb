"""User text made inert in each output format: what a unit name, a note or a file name may hold
never acts as a formula, markup, a terminal command or a forged line, and never breaks a format.

- ``shown``: bytes of a file name that are not UTF-8 (a GBK name unpacked from a Windows zip reads
  as lone surrogates under Python's ``surrogateescape``) are written ``\\xNN``, in every format;
  ``ESCAPE`` is the codec error handler that does this for a whole stream.
- ``plain``: for lines read in a terminal or a CI log (problem lines, tables): control characters
  (ANSI escapes, carriage returns, newlines), bidirectional overrides and other invisible format
  characters are written as ``\\n``, ``\\x1b``, ``\\u202e``, so they can neither recolour the
  terminal, reorder what is shown nor start a forged ``file:line:col: 错误`` line.
- ``spreadsheet_text``: OWASP's advice against CSV injection: a text cell that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (numbers stay numbers).
- ``markdown_text``: HTML, link and table syntax in a Markdown cell is escaped.
- ``xml_text``: characters XML 1.0 cannot hold are written as ``\\xNN``.
"""

from __future__ import annotations

import codecs
import re

ESCAPE = "lianchuang-escape"
"""Codec error handler: a lone surrogate (an undecodable byte of a file name) becomes ``\\xNN``."""

JSON_ESCAPE = "lianchuang-json-escape"
"""The same inside JSON strings, where the backslash itself is written ``\\\\``."""


def _surrogate_text(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def _escape_handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return "".join(_surrogate_text(char) for char in chunk), error.end


def _json_escape_handler(error: UnicodeError) -> tuple[str, int]:
    text, end = _escape_handler(error)
    return text.replace("\\", "\\\\"), end


codecs.register_error(ESCAPE, _escape_handler)
codecs.register_error(JSON_ESCAPE, _json_escape_handler)


def shown(text: str) -> str:
    """``text`` with undecodable file-name bytes (lone surrogates) written ``\\xNN``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", ESCAPE).decode("utf-8")
    return text


def json_shown(text: str) -> str:
    """JSON text (already encoded by ``json``) with lone surrogates written as ``\\\\xNN``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", JSON_ESCAPE).decode("utf-8")
    return text


_UNSAFE_IN_LINE = re.compile(
    # C0 controls but tab, DEL and C1 controls, line and paragraph separators, bidirectional
    # embeddings, overrides and isolates, zero-width and other format characters, surrogates.
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
_UNSAFE_IN_SEGMENT = re.compile(_UNSAFE_IN_LINE.pattern.replace("\x0a-", "\x0b-"))
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    if "\ud800" <= char <= "\udfff":
        return _surrogate_text(char)
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: str) -> str:
    """One line of text for a terminal or a log: controls and invisible characters made visible."""
    if _UNSAFE_IN_LINE.search(text) is None:
        return text
    return _UNSAFE_IN_LINE.sub(_visible, text)


def plain_lines(text: str) -> str:
    """Like ``plain`` for text laid out in lines already (newlines are the layout's own)."""
    if _UNSAFE_IN_SEGMENT.search(text) is None:
        return text
    return _UNSAFE_IN_SEGMENT.sub(_visible, text)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a text cell as a formula (OWASP, CSV injection)."""


def spreadsheet_text(text: str) -> str:
    """A text cell for CSV: a leading apostrophe when it would start a formula."""
    text = shown(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formula_like(text: str) -> bool:
    """Whether a text cell would start a formula if typed into a spreadsheet."""
    return text.startswith(FORMULA_STARTS)


_MARKDOWN_SPECIAL = re.compile(r"[\\|<>\[\]]")
_MARKDOWN_ESCAPES = {"<": "&lt;", ">": "&gt;"}


def markdown_text(text: str) -> str:
    """Text for one Markdown table cell or line: no HTML, no links, no table breaks."""
    text = plain(text.replace("\r\n", " ").replace("\n", " "))
    if _MARKDOWN_SPECIAL.search(text) is None:
        return text
    return _MARKDOWN_SPECIAL.sub(lambda m: _MARKDOWN_ESCAPES.get(m.group(), "\\" + m.group()), text)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text XML 1.0 can hold: characters it cannot are written ``\\xNN`` (surrogates ``\\uNNNN``)."""
    if _NOT_XML.search(text) is None:
        return text
    return _NOT_XML.sub(_visible, text)
