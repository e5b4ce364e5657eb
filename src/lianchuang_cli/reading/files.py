"""An input file's bytes, read safely: regular files only, never blocking, within a size limit.

Shared by the YAML reader, the workbook reader and the evidence cache (which reads the bytes to
find them by digest), so that all three refuse the same things with the same Chinese words.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lianchuang_cli.errors import InputError, file_problem, os_reason


def read_regular_file(path: str | Path, display: str, *, limit: int, what: str) -> bytes:
    """Read at most ``limit`` + 1 bytes of a regular file, never blocking on a pipe; refuse a
    missing file, a folder (“not a {what}”), a pipe or device, or more than ``limit`` bytes."""

    def refuse(message: str) -> InputError:
        return InputError([file_problem(display, message)])

    try:
        # O_NONBLOCK: opening a FIFO that has no writer would otherwise wait forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise refuse("文件不存在；请检查路径和文件名是否正确") from None
    except IsADirectoryError:
        raise refuse(f"这是一个文件夹，不是{what}") from None
    except PermissionError:
        raise refuse(
            "没有读取这个文件的权限；请检查文件权限，或复制一份到自己的文件夹再试"
        ) from None
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "文件名含有不能使用的字符"
        raise refuse(f"无法读取文件（{reason}）") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise refuse(f"这是一个文件夹，不是{what}")
        if not stat.S_ISREG(mode):
            raise refuse(
                "这不是普通文件（而是管道、设备等），无法作为考评材料读取；请给出文件的路径"
            )
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise refuse(f"无法读取文件（{os_reason(exc)}）") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise refuse(f"文件超过{limit // (1024 * 1024)} MB，不像是考评材料；请检查是否选错了文件")
    return raw
