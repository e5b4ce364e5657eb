"""Find the evidence files of a batch: ``.yaml``/``.yml``/``.xlsx`` regular files in the folders given.

Only regular files are ever returned (a FIFO or a device would block or flood the reader); other
entries are counted as skipped. The order is deterministic: arguments in the order given, each
folder's entries sorted by name, sub-folders (with ``recursive``) where they sort.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lianchuang_cli.errors import Problem, file_problem
from lianchuang_cli.results import FileFailure

EVIDENCE_SUFFIXES = (".yaml", ".yml", ".xlsx")
LOCK_FILE_PREFIX = "~$"
"""Excel and WPS leave ``~$name.xlsx`` lock files next to an open workbook; they are not evidence."""


@dataclass(frozen=True, slots=True)
class Found:
    """The files to grade, how many other entries were skipped, and arguments that do not exist."""

    files: tuple[str, ...]
    skipped: int
    missing: tuple[FileFailure, ...]


def find_evidence(paths: Iterable[str | Path], *, recursive: bool) -> Found:
    """List the evidence files under ``paths``; a file named directly is taken whatever its suffix."""
    files: list[str] = []
    seen: set[str] = set()
    skipped = 0
    missing: list[FileFailure] = []
    for raw in paths:
        path = os.fspath(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            problem = file_problem(path, "文件或文件夹不存在；请检查路径", code="not-found")
            missing.append(FileFailure(path, (problem,)))
            continue
        if stat.S_ISDIR(mode):
            for entry, is_evidence in _walk(path, recursive=recursive):
                if isinstance(is_evidence, FileFailure):
                    missing.append(is_evidence)
                elif not is_evidence:
                    skipped += 1
                elif entry not in seen:
                    seen.add(entry)
                    files.append(entry)
        elif stat.S_ISREG(mode):
            if path not in seen:
                seen.add(path)
                files.append(path)
        else:
            skipped += 1
    return Found(tuple(files), skipped, tuple(missing))


def _walk(folder: str, *, recursive: bool) -> Iterator[tuple[str, bool | FileFailure]]:
    """Yield (path, is an evidence file) for every entry, depth first in name order.

    A folder that cannot be listed yields a failure in place of its entries.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        message = f"无法读取文件夹（{exc.strerror or exc}）；请检查权限"
        yield folder, FileFailure(folder, (Problem(folder, 1, 1, message, code="unreadable"),))
        return
    for entry in entries:
        # Symlinked folders are not followed: they can loop and can leave the tree asked for.
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                yield from _walk(entry.path, recursive=True)
            else:
                yield entry.path, False
            continue
        try:
            regular = entry.is_file()
        except OSError:
            regular = False
        yield entry.path, regular and entry.name.lower().endswith(EVIDENCE_SUFFIXES)
