"""Console-script entry point: Ctrl-C handling is installed before anything heavy is imported.

Importing click, rich and pydantic takes tens of milliseconds; a Ctrl-C in that window used to
print a ``KeyboardInterrupt`` traceback. This module and the handler's (``commands.interrupts``)
import nothing but the standard library until the handler is in place; the command line is
imported after it.
"""

from __future__ import annotations

import gc
import signal

from lianchuang_cli.commands.interrupts import interrupted

START_GC_THRESHOLD = 100_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""


def run() -> None:
    """Install the Ctrl-C handler, then run the command line."""
    # A command started in the background by a non-interactive shell has SIGINT ignored: keep it so.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupted)
    # Start-up allocates ~70,000 objects that live until exit (modules, classes, validators);
    # with the default threshold (700) the collector walks them ~90 times for nothing, a
    # tenth of ``score ONE_FILE``. Collect rarely: memory is still reclaimed by reference
    # counting, and long runs still collect (``settle_heap_for_batch`` tunes them further).
    gc.set_threshold(START_GC_THRESHOLD, 10, 10)
    from lianchuang_cli.commands.cli import run as run_cli

    try:
        run_cli()
    finally:
        # At exit Python runs full collections over every object still alive (modules, classes,
        # validators: ~200,000), which reference counting frees anyway: 6% of ``score
        # ONE_FILE``'s instructions. Frozen objects are left out of those collections. Files
        # are closed by now (``with`` blocks, atomic outputs); the standard streams are still
        # flushed by the interpreter as usual.
        gc.freeze()
