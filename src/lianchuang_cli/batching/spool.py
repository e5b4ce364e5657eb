"""Spool files of the grading engine: records (bytes) of graded units in a temporary file, in
the order they were added, written by this process or by forked workers (``spooled``)."""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Iterator
from typing import IO, Any

SPOOL_BUFFER = 1 << 18
"""Spool files are written in pieces this large (a rendered result is about 17 KB)."""

# A spool record as a grader hands it over: the bytes, or where a worker wrote them into the
# spool file (offset, length); None when not asked for.
Record = bytes | tuple[int, int] | None
Shared = dict[str, tuple[int, Any]]  # spool name -> (file descriptor, shared end-of-file counter)


def temporary_spool(prefix: str) -> IO[bytes]:
    # Closed by its owner (engine.GradedBatch, a tree's results), also when grading fails.
    return tempfile.TemporaryFile(prefix=prefix, buffering=SPOOL_BUFFER)


class Spool:
    """Records (bytes) of graded units in a temporary file, read back in the order they were
    added: appended by this process, or written by a forked worker straight into the same file
    (``_write_shared``), which then only says where."""

    def __init__(self, prefix: str) -> None:
        self.file = temporary_spool(prefix)
        self._offsets = array("q")
        self._lengths = array("q")
        self._end = 0

    def append(self, record: bytes) -> None:
        """Add a record written by this process."""
        self.file.write(record)
        self._offsets.append(self._end)
        self._lengths.append(len(record))
        self._end += len(record)

    def written(self, where: tuple[int, int]) -> None:
        """Add a record a worker wrote into the file: (offset, length)."""
        self._offsets.append(where[0])
        self._lengths.append(where[1])

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, index: int) -> bytes:
        """One record, by the order it was added (after the writers are done)."""
        self.file.seek(self._offsets[index])
        return self.file.read(self._lengths[index])

    def __iter__(self) -> Iterator[bytes]:
        file = self.file
        for offset, length in zip(self._offsets, self._lengths, strict=True):
            file.seek(offset)  # within the read-ahead buffer, mostly: records are nearly in order
            yield file.read(length)

    def close(self) -> None:
        self.file.close()


def spool_record(spool: Spool | None, record: Record) -> None:
    """Add a record handed over by a grader to ``spool`` (written here, or placed by a worker)."""
    if spool is None or record is None:
        return
    if isinstance(record, bytes):
        spool.append(record)
    else:
        spool.written(record)


def spooled(shared: Shared, name: str, blobs: list[bytes]) -> list[Record]:
    """In a forked worker, write ``blobs`` into the parent's spool ``name`` in one write and say
    where each went; elsewhere (no such shared spool) hand them over as they are."""
    if name not in shared or not blobs:
        return list(blobs)
    offset = _write_shared(*shared[name], b"".join(blobs))
    places: list[Record] = []
    for blob in blobs:
        places.append((offset, len(blob)))
        offset += len(blob)
    return places


def _write_shared(descriptor: int, end: Any, data: bytes) -> int:
    """Append ``data`` to a spool file shared with the parent and the other workers (at an
    offset reserved under the counter's lock, so writes never overlap); return the offset."""
    with end.get_lock():
        offset = int(end.value)
        end.value = offset + len(data)
    view = memoryview(data)
    done = 0
    while done < len(data):
        done += os.pwrite(descriptor, view[done:], offset + done)
    return offset
