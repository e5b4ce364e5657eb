"""Files that could not be graded, kept in a temporary file instead of memory.

A province-sized batch where many files fail (last year's rubric version, say) would otherwise hold
every problem message in memory. ``FailureSpool`` behaves like a read-only collection: ``len``,
truth and repeated iteration in the order the failures were added.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator

from lianchuang_cli.scoring.results import FileFailure


class FailureSpool:
    """An append-only, re-readable list of ``FileFailure`` stored in a private temporary file."""

    def __init__(self, failures: Iterable[FileFailure] = ()) -> None:
        self._file = tempfile.TemporaryFile(prefix="lianchuang-failures-")  # noqa: SIM115
        self._count = 0
        for failure in failures:
            self.append(failure)

    def append(self, failure: FileFailure) -> None:
        """Store one more failure at the end."""
        self._file.seek(0, 2)
        pickle.dump(failure, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[FileFailure]:
        self._file.seek(0)
        for _ in range(self._count):
            failure: FileFailure = pickle.load(self._file)
            yield failure

    def __contains__(self, item: object) -> bool:
        return any(failure == item for failure in self)

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()
