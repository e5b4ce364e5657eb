"""Find the input files of a command: evidence (``.yaml``/``.yml``/``.xlsx``) or YAML files in folders.

Every command that walks folders (``batch``, ``score`` given a folder, ``grade-tree``,
``check --examples``, ``diff --corpus``) goes through ``find_evidence``, so they all skip the
same things: office lock files (``~$桃花村.xlsx`` next to a workbook open in Excel or WPS), and
anything that is not a regular file. Only regular files are ever returned (a FIFO or a device
would block or flood the reader); every other entry is named in ``Found.skipped`` with the
reason. The order is deterministic: arguments in the order given, each folder's entries sorted by
name, sub-folders (with ``recursive``) where they sort.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lianchuang_cli.errors import Problem, file_problem, os_reason
from lianchuang_cli.scoring.results import FileFailure, SkippedEntry

EVIDENCE_SUFFIXES = (".yaml", ".yml", ".xlsx")
YAML_SUFFIXES = (".yaml", ".yml")
LOCK_FILE_PREFIXES = ("~$", ".~")
"""Excel and WPS leave ``~$name.xlsx`` (WPS on Linux ``.~name.xlsx``) next to an open workbook:
a few bytes of lock data, never evidence, and gone when the workbook is closed."""

LOCK_FILE = "Excel / WPS 打开工作簿时留下的临时文件，不是佐证材料"
NOT_EVIDENCE = "不是佐证材料（.yaml/.yml/.xlsx）"
SUB_FOLDER = "子文件夹；要一并评分请加 --recursive"
FOLDER_LINK = "指向文件夹的符号链接，不跟随"


@dataclass(frozen=True, slots=True)
class Found:
    """The files to take, the entries skipped (each with why), and arguments that do not exist."""

    files: tuple[str, ...]
    skipped: tuple[SkippedEntry, ...]
    missing: tuple[FileFailure, ...]


def is_lock_file(name: str) -> bool:
    """Whether a file name is an office lock file rather than a document."""
    return name.startswith(LOCK_FILE_PREFIXES)


def find_evidence(
    paths: Iterable[str | Path],
    *,
    recursive: bool,
    suffixes: tuple[str, ...] = EVIDENCE_SUFFIXES,
) -> Found:
    """List the files under ``paths`` that end in ``suffixes``; a file named directly is taken
    whatever its suffix (but never a FIFO, device or socket)."""
    files: list[str] = []
    seen: set[str] = set()
    skipped: list[SkippedEntry] = []
    missing: list[FileFailure] = []
    for raw in paths:
        path = os.fspath(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            if os.path.lexists(path):  # a dangling link or a link loop: named, not an error
                skipped.append(SkippedEntry(path, _broken_link(exc)))
                continue
            problem = file_problem(path, "文件或文件夹不存在；请检查路径", code="not-found")
            missing.append(FileFailure(path, (problem,)))
            continue
        if stat.S_ISDIR(mode):
            for entry, outcome in _walk(path, recursive=recursive, suffixes=suffixes):
                if isinstance(outcome, FileFailure):
                    missing.append(outcome)
                elif isinstance(outcome, str):
                    skipped.append(SkippedEntry(entry, outcome))
                elif entry not in seen:
                    seen.add(entry)
                    files.append(entry)
        elif stat.S_ISREG(mode):
            if path not in seen:
                seen.add(path)
                files.append(path)
        else:
            skipped.append(SkippedEntry(path, _odd_kind(mode)))
    return Found(tuple(files), tuple(skipped), tuple(missing))


def evidence_paths(
    folders: Iterable[Path], *, suffixes: tuple[str, ...] = EVIDENCE_SUFFIXES
) -> list[Path]:
    """The files under ``folders`` (sub-folders included) as paths, for a command that grades
    them as a whole and reports no skipped entries (``grade-tree``, ``check --examples``,
    ``diff --corpus``); a folder that cannot be listed is left out."""
    found = find_evidence(folders, recursive=True, suffixes=suffixes)
    return [Path(file) for file in found.files]


def _walk(
    folder: str, *, recursive: bool, suffixes: tuple[str, ...]
) -> Iterator[tuple[str, bool | str | FileFailure]]:
    """Yield (path, True or why it is skipped) for every entry, depth first in name order.

    A folder that cannot be listed yields a failure in place of its entries.
    """
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        message = f"无法读取文件夹（{os_reason(exc)}）；请检查权限"
        yield folder, FileFailure(folder, (Problem(folder, 1, 1, message, code="unreadable"),))
        return
    for entry in entries:
        # Symlinked folders are not followed: they can loop and can leave the tree asked for.
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                yield from _walk(entry.path, recursive=True, suffixes=suffixes)
            else:
                yield entry.path, SUB_FOLDER
            continue
        yield entry.path, _verdict(entry, suffixes)


def _verdict(entry: os.DirEntry[str], suffixes: tuple[str, ...]) -> bool | str:
    """True for a file to take, else why the entry is skipped."""
    # A regular file that is no link says so in its folder's listing (no stat call: 2,000 files
    # listed in 3 ms of CPU instead of 10); links, FIFOs, devices and the like are looked at.
    if not entry.is_file(follow_symlinks=False):
        try:
            mode = entry.stat().st_mode  # follows a link to its target
        except OSError as exc:
            return _broken_link(exc) if entry.is_symlink() else f"无法读取（{os_reason(exc)}）"
        if stat.S_ISDIR(mode):
            return FOLDER_LINK
        if not stat.S_ISREG(mode):
            return _odd_kind(mode)
    if is_lock_file(entry.name):
        return LOCK_FILE
    if not entry.name.lower().endswith(suffixes):
        return NOT_EVIDENCE
    return True


def _odd_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO），不读取"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件，不读取"
    if stat.S_ISSOCK(mode):
        return "套接字，不读取"
    return "不是普通文件，不读取"


def _broken_link(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "符号链接循环（链接最终指回自己），不读取"
    if exc.errno == errno.ENOENT:
        return "符号链接指向的文件不存在"
    return f"符号链接无法打开（{os_reason(exc)}）"
