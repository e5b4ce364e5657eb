"""The engine's process pool: results in order, a worker-handler thread that does not wake for
every result (the standard ``Pool``'s busy wait), and spawned workers that end as forked ones do
(``batching/worker_pool.py``)."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lianchuang_cli.batching import engine
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
    with _finished(WorkerPool(2, context=multiprocessing.get_context(start_method()))) as pool:
        assert list(pool.imap(_square, range(300))) == [n * n for n in range(300)]
    assert 1 <= rounds <= 10


@contextlib.contextmanager
def _finished(pool: WorkerPool) -> Iterator[WorkerPool]:
    """The pool, closed and joined when the block ends (terminated first if it failed)."""
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


class _TornDown:
    """Writes its file when it is freed: at the latest when the interpreter is taken down."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __del__(self) -> None:
        Path(self.path).write_text("torn down", encoding="utf-8")


_kept: list[_TornDown] = []


def _keep_until_exit(path: str) -> int:
    _kept.append(_TornDown(path))
    return os.getpid()


@pytest.mark.parametrize("spawned", [True, False])
def test_a_spawned_worker_ends_without_taking_its_interpreter_down(
    spawned: bool, tmp_path: Path
) -> None:
    """A spawned worker (Windows) told so ends as a forked one does, without freeing its objects
    one by one while the parent waits for the pool to join; told otherwise, it frees them (the
    check itself works)."""
    marker = tmp_path / "torn-down"
    context = multiprocessing.get_context("spawn")
    pool = WorkerPool(1, engine._init_worker, (os.getpid(), {}, spawned), context=context)
    with _finished(pool):
        assert pool.apply(_keep_until_exit, (str(marker),)) != os.getpid()
    assert marker.exists() is not spawned
