"""Ctrl-C: one Chinese line and exit code 130 at any moment, or a clean-up where one is needed.

The console script (``entry``) installs ``interrupted`` as the SIGINT handler before anything
heavy is imported; this module imports nothing but the standard library, so that ``entry`` can
import it first. A Ctrl-C leaves at once with one Chinese line and exit code 130 (128 + SIGINT,
what shells report for an interrupted command), after terminating any worker processes. Leaving
at once is what makes "no traceback, no hang, at any moment" hold: a ``KeyboardInterrupt`` raised
at an arbitrary point can be swallowed by a callback, can leave a process pool's locks held so
that terminating the pool hangs, or can leak started workers. Code that must clean up (remove a
half-written file) runs inside ``interruptible()``, where the first Ctrl-C raises
``KeyboardInterrupt`` instead; the command then prints the same line.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType, TracebackType

INTERRUPTED_MESSAGE = "已中断。"

_raise_next = False


class Interrupted(KeyboardInterrupt):
    """The ``KeyboardInterrupt`` raised inside ``interruptible()``.

    A subclass on purpose: CPython 3.11 marks the interpreter as interrupted when exactly
    ``KeyboardInterrupt`` leaves code run by ``exec()`` of a string (dataclasses and pydantic
    build methods that way, so a Ctrl-C while a module loads can do it), even if the program
    catches it later, and then ends the process by SIGINT instead of with our exit code. The
    check compares the type itself, so a subclass never sets the mark; ``except
    KeyboardInterrupt`` still catches it.
    """


def interrupted(signum: int, frame: FrameType | None) -> None:
    """SIGINT handler: raise once inside ``interruptible()``, otherwise say so and leave at once."""
    global _raise_next
    if _raise_next and not _importing(frame):
        _raise_next = False  # a second Ctrl-C during the clean-up leaves at once
        raise Interrupted
    stop_children()
    # os.write and os._exit are safe at any point, even while a print to stderr is half done.
    prefix = "\n" if os.isatty(2) else ""  # start below the terminal's echoed "^C"
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    try:  # noqa: SIM105 (contextlib may not be imported yet at the first Ctrl-C)
        os.write(2, f"{prefix}{INTERRUPTED_MESSAGE}\n".encode(encoding, errors="replace"))
    except OSError:
        pass  # stderr closed: the exit code still tells
    os._exit(128 + signal.SIGINT)


def _importing(frame: FrameType | None) -> bool:
    # An interrupt raised inside the import machinery can be swallowed by one of its callbacks
    # ("Exception ignored in … _get_module_lock") and the run goes on; nothing needs cleaning up
    # while modules load, so leave at once instead.
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def stop_children() -> None:
    """Terminate worker processes still running: a pool's workers ignore SIGINT and would wait
    for work forever once we are gone."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    try:
        for child in multiprocessing.active_children():
            child.terminate()
    except Exception:
        pass  # best effort: we are leaving either way


class interruptible:  # lower case: used like a function, ``with interruptible():``
    """Within this block, the first Ctrl-C raises ``KeyboardInterrupt`` (for the caller to catch)."""

    def __enter__(self) -> None:
        global _raise_next
        _raise_next = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _raise_next
        _raise_next = False
