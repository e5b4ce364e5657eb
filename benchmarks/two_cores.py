"""How independent the machine's two cores are: the same pure-Python loop alone, then twice at once.

Run with ``python benchmarks/two_cores.py``. On two truly independent idle cores both runs take
as long as one; on this project's shared 2-core virtual machine each of two at once ran 0-19 %
slower, median 6 % (2026-12-07), which bounds what ``batch --jobs 2`` can gain here whatever the engine does.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time

LOOPS = 6_000_000


def spin(loops: int = LOOPS) -> float:
    """CPU seconds of a plain integer loop."""
    start = time.process_time()
    total = 0
    for i in range(loops):
        total += i * i
    return time.process_time() - start


def main(rounds: int = 5) -> None:
    slowdowns = []
    with multiprocessing.Pool(2) as pool:
        for _ in range(rounds):
            started = time.perf_counter()
            spin()
            alone = time.perf_counter() - started
            started = time.perf_counter()
            pool.map(spin, [LOOPS, LOOPS])
            together = time.perf_counter() - started
            slowdowns.append(together / alone)
            print(f"alone {alone:.3f} s, two at once {together:.3f} s: {together / alone:.2f}x")
    print(
        f"median: each of two at once takes {statistics.median(slowdowns):.2f}x as long as one alone"
    )


if __name__ == "__main__":
    main()
