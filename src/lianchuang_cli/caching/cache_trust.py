"""When a cache folder's entries may be trusted, and the seal each entry carries.

A cached entry decides a grade when it is read back, so the caches (``--cache DIR`` and the
rubric cache) trust an entry only when both hold:

* **the folder is the user's own**: owned by the user running the tool and writable by nobody
  else (no group or other write bit). A folder the tool creates is made owner-only (0700) and
  its files 0600; a folder others may write is refused (``UnsafeCacheFolder``), since anyone
  who can write it could plant entries. (On Windows, where these bits do not describe access,
  the folder is taken as the user profile's own.)
* **the entry's seal matches**: each entry carries an HMAC-SHA256 of its content under the
  folder's own secret key (the ``key`` file, 32 random bytes made when the folder is first
  used). An entry that was edited, damaged or copied in from another folder fails the check and
  is a miss: the file is graded afresh, and the run says once that entries were rejected.

Nothing else is trusted: entries are also decoded defensively, so a failure of either kind can
only ever cost time, never change a result.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import stat
from pathlib import Path

KEY_FILE = "key"
KEY_BYTES = 32
_POSIX = os.name != "nt"


class UnsafeCacheFolder(Exception):
    """A cache folder that others may write: its entries cannot be trusted."""

    def __init__(self, folder: Path, reason: str) -> None:
        self.folder = folder
        super().__init__(
            f"缓存文件夹“{folder}”{reason}，其中的缓存内容可能被他人改动、不能信任。"
            f"请改用只有自己可写的文件夹（如 chmod 700 “{folder}”），或删除后让本工具重新创建"
        )


def folder_key(folder: Path) -> bytes | None:
    """The folder's secret key, making the folder (0700) and the key (0600) when they are new.

    Raises ``UnsafeCacheFolder`` for a folder (or key) that someone else owns or may write;
    None when the folder cannot be made or read (the cache is then simply not used).
    """
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _check_owned(folder, os.stat(folder), "文件夹")
        path = folder / KEY_FILE
        try:
            return _read_key(folder, path)
        except FileNotFoundError:
            return _make_key(folder, path)
    except UnsafeCacheFolder:
        raise
    except OSError:
        return None


def _check_owned(folder: Path, info: os.stat_result, what: str) -> None:
    if not _POSIX:
        return
    if what == "文件夹" and not stat.S_ISDIR(info.st_mode):
        raise OSError("not a folder")
    if info.st_uid != os.geteuid():
        raise UnsafeCacheFolder(folder, f"（{what}）属于其他用户")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeCacheFolder(folder, f"（{what}）其他用户也可写入")


def _read_key(folder: Path, path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with open(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError("key is not a regular file")
        _check_owned(folder, info, "密钥文件")
        key = stream.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:  # damaged: a new key (every entry sealed with the old one misses)
        return _make_key(folder, path, replace=True)
    return key


def _make_key(folder: Path, path: Path, *, replace: bool = False) -> bytes:
    """Write a new key under a temporary name, then publish it in one step.

    ``os.link`` fails if another process published a key first: its key is then used, so that
    concurrent first runs agree on one key.
    """
    key = os.urandom(KEY_BYTES)
    temporary = folder / f".key-{os.getpid()}-{os.urandom(4).hex()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        with open(descriptor, "wb") as stream:
            stream.write(key)
        if replace:
            os.replace(temporary, path)
            return key
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read_key(folder, path)
        return key
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def seal(key: bytes, *parts: bytes | None) -> bytes:
    """The HMAC-SHA256 of ``parts`` (each length-prefixed, so no two part lists collide)."""
    mac = hmac.new(key, digestmod="sha256")
    for part in parts:
        if part is None:
            mac.update(b"-")
        else:
            mac.update(b"%d:" % len(part))
            mac.update(part)
    return mac.digest()


def matches(mark: object, expected: bytes) -> bool:
    """Whether a stored ``mark`` is the ``expected`` seal (compared in constant time)."""
    return isinstance(mark, bytes) and hmac.compare_digest(mark, expected)


def create_private(path: Path) -> None:
    """Create ``path`` as an empty owner-only file if it does not exist yet."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
