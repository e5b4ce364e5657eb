"""Failures spooled to disk read back whole, in order, as often as asked."""

from __future__ import annotations

from lianchuang_cli.batching.failure_spool import FailureSpool
from lianchuang_cli.errors import Problem
from lianchuang_cli.scoring.results import FileFailure


def failure(name: str, count: int) -> FileFailure:
    """A failure with ``count`` located problems."""
    return FileFailure(
        name, tuple(Problem(name, line, 2, f"第{line}行有误") for line in range(1, count + 1))
    )


def test_spool_reads_back_in_order_repeatedly() -> None:
    """len, truth, iteration twice and interleaved appends all see the same failures."""
    first, second, third = failure("a.yaml", 1), failure("b.yaml", 3), failure("c.yaml", 2)
    spool = FailureSpool([first])
    assert len(spool) == 1
    spool.append(second)
    assert list(spool) == [first, second]
    spool.append(third)
    assert list(spool) == [first, second, third]
    assert list(spool) == [first, second, third]
    assert second in spool
    assert bool(spool)
    spool.close()


def test_empty_spool_is_false() -> None:
    """No failures: the spool is falsy and iterates to nothing."""
    spool = FailureSpool()
    assert not spool
    assert list(spool) == []
    spool.close()
