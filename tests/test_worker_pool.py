"""The engine's process pool: results in order, and a worker-handler thread that does not wake
for every result (the standard ``Pool``'s busy wait, ``batching/worker_pool.py``)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from typing import Any

import pytest

from lianchuang_cli.batching.engine import start_method
from lianchuang_cli.batching.worker_pool import WorkerPool


def _square(number: int) -> int:
    return number * number


def test_worker_handler_wakes_per_worker_and_state_change_not_per_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 results through two workers: the handler checks its workers a few times (start, close),
    where the standard Pool's checked them over and over while each result waited to be read
    (153–594 rounds in three runs)."""
    rounds = 0
    maintain = multiprocessing.pool.Pool._maintain_pool  # type: ignore[attr-defined]

    def counted(*args: Any) -> None:
        nonlocal rounds
        rounds += 1
        maintain(*args)

    # The handler thread is started as ``Pool._handle_workers``, which calls Pool's own method.
    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counted))
    pool = WorkerPool(2, context=multiprocessing.get_context(start_method()))
    try:
        assert list(pool.imap(_square, range(300))) == [n * n for n in range(300)]
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    assert 1 <= rounds <= 10
