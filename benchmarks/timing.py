"""Timing shared by the benchmark scripts: the median wall time of repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    """Median wall time of ``action()`` over ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_ms(action: Callable[[], object], rounds: int) -> float:
    """Median wall time of ``action()`` over ``rounds`` runs, in milliseconds."""
    return median_seconds(action, rounds) * 1000
