"""Console-script entry point: Ctrl-C handling is installed before anything heavy is imported.

Importing click, rich and pydantic takes tens of milliseconds; a Ctrl-C in that window used to
print a ``KeyboardInterrupt`` traceback. This module imports nothing but the standard library
until the handler is in place. From then on a Ctrl-C leaves at once with one Chinese line and
exit code 130 (128 + SIGINT, what shells report for an interrupted command) — except inside
``interruptible()``, where the first one raises ``KeyboardInterrupt`` so that a running command
can stop its worker processes and remove half-written files before the same line is printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

INTERRUPTED_MESSAGE = "已中断。"

_raise_next = False


def interrupted(signum: int, frame: FrameType | None) -> None:
    """SIGINT handler: raise once inside ``interruptible()``, otherwise say so and leave at once."""
    global _raise_next
    if _raise_next:
        _raise_next = False  # a second Ctrl-C during the clean-up leaves at once
        raise KeyboardInterrupt
    # os.write and os._exit are safe at any point, even while a print to stderr is half done.
    prefix = "\n" if os.isatty(2) else ""  # start below the terminal's echoed "^C"
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    with contextlib.suppress(OSError):  # stderr closed: the exit code still tells
        os.write(2, f"{prefix}{INTERRUPTED_MESSAGE}\n".encode(encoding, errors="replace"))
    os._exit(128 + signal.SIGINT)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within this block, the first Ctrl-C raises ``KeyboardInterrupt`` (for the caller to catch)."""
    global _raise_next
    _raise_next = True  # last: a KeyboardInterrupt can only start inside the block
    try:
        yield
    finally:
        _raise_next = False


def run() -> None:
    """Install the Ctrl-C handler, then run the command line."""
    # A command started in the background by a non-interactive shell has SIGINT ignored: keep it so.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupted)
    from lianchuang_cli.cli import run as run_cli

    run_cli()
