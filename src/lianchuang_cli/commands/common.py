"""What every command shares: exit codes, the console (width, colour, encoding), rubric loading,
problem output."""

from __future__ import annotations

import codecs
import contextlib
import gc
import io
import os
import shutil
import sys
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NoReturn

import click

from lianchuang_cli.reports.escaping import shown

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from lianchuang_cli.errors import Problem
    from lianchuang_cli.grading.rubrics import RubricLoader
    from lianchuang_cli.model.rubric import LoadedRubric

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT: what shells report for Ctrl-C

MIN_WIDTH = 60
"""Narrower consoles still get output laid out for 60 columns (a stacked layout)."""

PIPED_WIDTH = 120
"""Width for output that goes to a file or a pipe when COLUMNS does not say otherwise."""


def color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to a non-empty value."""
    # no-color.org: "when present and not an empty string"; NO_COLOR= alone changes nothing.
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def width() -> int:
    """The console width to lay tables out for: COLUMNS when set, else the terminal's width."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    if sys.stdout.isatty():
        return max(MIN_WIDTH, shutil.get_terminal_size((100, 24)).columns)
    return PIPED_WIDTH


CONSOLE_FALLBACK = "lianchuang-console"
"""Codec error handler that replaces a character the console cannot show by a look-alike."""

_LOOK_ALIKES = {
    "\u2212": "-",  # minus sign
    "\u2022": "·",  # bullet
    "\u2713": "√",  # check mark
    "\u2717": "×",  # ballot x
    "\u2714": "√",
    "\u2718": "×",
    "\u00a0": " ",  # no-break space
    "\u2009": " ",  # thin space
}


def _console_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    replaced = []
    for char in error.object[error.start : error.end]:
        if "\ud800" <= char <= "\udfff":  # a file name's undecodable byte: \xNN, as in files
            replaced.append(shown(char))
            continue
        for candidate in (_LOOK_ALIKES.get(char), unicodedata.normalize("NFKC", char)):
            if candidate:
                try:
                    candidate.encode(error.encoding)
                except UnicodeEncodeError:
                    continue
                replaced.append(candidate)
                break
        else:
            replaced.append("?")
    return "".join(replaced), error.end


codecs.register_error(CONSOLE_FALLBACK, _console_fallback)


class _ReaderGone(io.BufferedIOBase):
    """Standard output that, once its reader has gone (``score … | head -1``), discards the rest.

    Without this a closed pipe surfaces as a ``BrokenPipeError`` wherever the next write happens
    (click turns it into exit 1, the code of a failed gate) or as "Exception ignored" noise at
    shutdown. With it, grading runs to the end and the exit code is what grading says.
    """

    def __init__(self, target: io.BufferedIOBase | io.RawIOBase) -> None:
        super().__init__()
        self._target = target
        self._gone = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return self._target.isatty()

    def write(self, data: ReadableBuffer, /) -> int:
        view = memoryview(data).cast("B")
        size = len(view)
        try:
            while view and not self._gone:
                written = self._target.write(view)  # a raw (unbuffered) stream may write part
                if not written:
                    break  # a non-blocking stream that is full: give up rather than spin
                view = view[written:]
        except BrokenPipeError:
            self._discard()
        return size

    def flush(self) -> None:
        if not self._gone:
            try:
                self._target.flush()
            except BrokenPipeError:
                self._discard()

    def close(self) -> None:
        self.flush()  # the real stream stays open: it belongs to the interpreter

    def _discard(self) -> None:
        self._gone = True
        # Bytes still buffered in the interpreter's own stdout must not fail at exit either.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._target.fileno())
            os.close(devnull)


def prepare_console() -> None:
    """Make stdout and stderr survive the console: characters its encoding lacks become
    look-alikes (a Windows console redirected to a file uses GBK), and a reader that stops
    early does not turn into an error."""
    stdout = sys.stdout
    binary = getattr(stdout, "buffer", None)
    if isinstance(stdout, io.TextIOWrapper) and isinstance(
        binary, io.BufferedIOBase | io.RawIOBase
    ):
        stdout.flush()
        sys.stdout = io.TextIOWrapper(
            _ReaderGone(binary),
            encoding=stdout.encoding,
            errors=CONSOLE_FALLBACK,
            line_buffering=stdout.line_buffering,
            write_through=stdout.write_through,
        )
    if isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors=CONSOLE_FALLBACK)


def echo_problems(problems: Iterable[Problem]) -> None:
    """Print located problems to stderr, one per line."""
    problems = tuple(problems)
    if not problems:  # nothing to print, nor to import (the table module and rich's)
        return
    from lianchuang_cli.reports.table import render_problems

    click.echo(render_problems(problems), err=True, nl=False)


def fail(message: str, code: int = EXIT_INPUT_ERROR) -> NoReturn:
    """Print one Chinese line to stderr and exit."""
    click.echo(message, err=True)
    sys.exit(code)


def rubric_loader() -> RubricLoader:
    """How this run loads rubrics: the loader ``cli.run`` made (with the user's rubric cache) and
    gave the command line as its context object, else plain loading (``grading.rubrics.PLAIN``)."""
    from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader

    context = click.get_current_context(silent=True)
    loader = None if context is None else context.find_object(RubricLoader)
    return PLAIN if loader is None else loader


def load_rubric_or_exit(name: str) -> LoadedRubric:
    """Load a shipped rubric id or a rubric file, or print its problems and exit 2."""
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.model.rubric import resolve_rubric, shipped_rubric_ids

    path = resolve_rubric(name)
    if not path.is_file():
        shipped = "、".join(shipped_rubric_ids()) or "无"
        raise click.UsageError(f"找不到考评细则“{name}”；内置细则：{shipped}，或给出细则文件路径")
    try:
        return rubric_loader().load(path)
    except InputError as exc:
        echo_problems(exc.problems)
        fail("考评细则有误，无法继续。")


def settle_heap_for_batch() -> None:
    """Make the garbage collector cheap for a long run over many files.

    Everything imported and built so far (pydantic's validators, the models) lives until exit:
    freezing it stops every collection from walking it again. Grading allocates many small,
    short-lived, acyclic objects, so collecting less often costs little memory; together this
    makes grading about a fifth faster.
    """
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def parse_decimal(value: str | None, option: str) -> Decimal | None:
    """Read a finite number given on the command line."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"“{value}”不是数字", param_hint=option) from None
    if not number.is_finite():
        raise click.BadParameter(f"“{value}”不是有限的数字", param_hint=option)
    return number
