"""Validated rubrics kept between runs, so that ``score`` does not re-check the rubric every time.

Loading a rubric for grading reads its YAML with positions, validates it and runs every lint
check (``lint.engine``): about a tenth of ``score ONE_FILE``'s start-up, for a file that almost
never changes. Once a rubric has loaded without errors, its validated form is written here as
JSON (``Rubric.model_dump_json``; never pickle), and later runs rebuild the rubric from that JSON
without validating it again (``model.restore``): validating would first build the validator of
every rubric model, which the models otherwise defer (``model.rules.base.Frozen``). An entry is
stored only if it restores as the very rubric that was checked, and trusted only under its seal.

An entry is found by the SHA-256 of the rubric file's bytes and a fingerprint of the code that
judges rubrics: the tool's version, pydantic's, Python's, and the name, size and modification
time of every module of the package. Editing the rubric, upgrading, or touching any source file
therefore misses, and the rubric is checked again in full. A rubric with errors is never stored
(it is checked, and refused, every time). An entry whose seal does not match, or that does not
restore, is a miss, never an error; so is a folder that cannot be read or written.

Rubrics loaded from a cache entry do not know the positions of their parts in the file
(``LoadedRubric.position`` gives 1:1); grading never locates rubric parts, ``check`` and the
lint engine read the file themselves.

Each entry is sealed with the folder's key, and a folder others may write is not used
(``cache_trust``): an entry that was edited, damaged or copied from elsewhere is a miss, and
``notices`` says so once for the command line to show.

A ``RubricCache`` is used only by a ``grading.rubrics.RubricLoader`` given it: the command line
makes one in ``default_folder()`` for each run and passes it down; the core never opens one by
itself. The folder is ``$LIANCHUANG_CACHE_HOME`` if set (empty: no cache), else
``$XDG_CACHE_HOME/lianchuang`` or ``~/.cache/lianchuang`` (``%LOCALAPPDATA%\\lianchuang`` on
Windows).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lianchuang_cli import __version__

if TYPE_CHECKING:
    from lianchuang_cli.model.rubric import LoadedRubric, Rubric

ENV_FOLDER = "LIANCHUANG_CACHE_HOME"
MAX_RUBRIC_BYTES = 8 * 1024 * 1024
"""Larger files are not looked up (the reader refuses them anyway)."""
MAX_ENTRIES = 64
"""Entries kept; each is the size of its rubric's JSON (~30 KB for the village rubric)."""

_fingerprint: str | None = None
"""A pure memo: the modules of this process's code do not change while it runs."""


def default_folder() -> Path | None:
    """Where the command line keeps rubrics: see the module's docstring; None for no cache."""
    configured = os.environ.get(ENV_FOLDER)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "lianchuang" if base else None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except (KeyError, RuntimeError):  # no home directory
            return None
    return Path(base) / "lianchuang"


class RubricCache:
    """Validated rubrics kept in ``folder``: ``load`` and ``store`` (see the module).

    Picklable: a worker process gets the folder and opens it afresh (its own key and counts).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._key: bytes | None = None
        self._usable = True
        self._rejected = 0
        self._refused: str | None = None

    def __reduce__(self) -> tuple[type[RubricCache], tuple[Path]]:
        return (RubricCache, (self.folder,))

    def notices(self) -> list[str]:
        """What the user should hear about the cache in this run: a refused folder, rejected
        entries."""
        said = [] if self._refused is None else [f"提示：未使用细则缓存。{self._refused}。"]
        if self._rejected:
            said.append(
                f"提示：细则缓存中有{self._rejected}条记录未通过校验（可能被改动或已损坏），"
                "已弃用并重新读取细则；结果不受影响。"
            )
        return said

    def _folder_key(self) -> bytes | None:
        """The folder's key, once; None when the folder is not usable."""
        if self._key is None and self._usable:
            from lianchuang_cli.caching.cache_trust import UnsafeCacheFolder, folder_key

            try:
                self._key = folder_key(self.folder)
            except UnsafeCacheFolder as exc:
                self._refused = str(exc)
            self._usable = self._key is not None
        return self._key

    def load(self, path: Path) -> LoadedRubric | None:
        """The rubric at ``path`` from the cache, or None (a miss, anything unusual)."""
        key = self._folder_key()
        if key is None:
            return None
        from lianchuang_cli.caching import cache_trust
        from lianchuang_cli.digests import sha256_bytes  # here: ``--help`` needs no hashing

        try:
            info = os.stat(path)
            # Only regular files: opening a pipe could block, and the reader refuses it anyway.
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RUBRIC_BYTES:
                return None
            with open(path, "rb") as handle:
                sha256 = sha256_bytes(handle.read())  # the digest the YAML reader gives a rubric
            sealed = _entry(self.folder, sha256).read_bytes()
        except (OSError, ValueError):
            return None
        mark, _, text = sealed.partition(b"\n")
        if not cache_trust.matches(_hex(mark), cache_trust.seal(key, sha256.encode(), text)):
            self._rejected += 1
            return None
        from lianchuang_cli.model.rubric import LoadedRubric

        rubric = _restored(text)
        return None if rubric is None else LoadedRubric(rubric, path, sha256)

    def store(self, loaded: LoadedRubric) -> None:
        """Keep a rubric that loaded without errors (the oldest entries beyond ``MAX_ENTRIES``
        go)."""
        key = self._folder_key()
        if key is None:
            return
        import tempfile

        from lianchuang_cli.caching import cache_trust

        text = loaded.rubric.model_dump_json()
        # Only what reads back as the very same rubric is worth keeping: equal, and of the same
        # types (a decimal dumps as text, a whole number as a number).
        restored = _restored(text)
        if restored is None or restored != loaded.rubric or restored.model_dump_json() != text:
            return
        folder = self.folder
        entry = _entry(folder, loaded.sha256)
        data = text.encode()
        mark = cache_trust.seal(key, loaded.sha256.encode(), data).hex().encode()
        try:
            descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".rubric-", suffix=".part")
        except OSError:
            return
        try:
            with open(descriptor, "wb") as stream:  # mkstemp: owner-only
                stream.write(mark + b"\n" + data)
            os.replace(temporary, entry)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return
        _prune(folder)


def _restored(text: str | bytes) -> Rubric | None:
    """The rubric an entry's JSON holds, rebuilt without validation (``model.restore``: the
    entry was validated before it was stored, and its seal checked); None if it is not one."""
    import msgspec

    from lianchuang_cli.model.restore import restore
    from lianchuang_cli.model.rubric import Rubric

    try:
        return restore(Rubric, msgspec.json.decode(text))
    except (msgspec.DecodeError, KeyError, TypeError, ValueError, ArithmeticError):
        return None


def user_cache() -> RubricCache | None:
    """The command line's rubric cache, in ``default_folder()``; None when turned off."""
    folder = default_folder()
    return None if folder is None else RubricCache(folder)


def code_fingerprint() -> str:
    """Versions of the tool, pydantic and Python, and the name, size and mtime of each module."""
    global _fingerprint
    if _fingerprint is None:
        import hashlib

        import pydantic_core

        parts = [f"{__version__}|{pydantic_core.__version__}|{sys.version}"]
        _list_modules(package_folder(), "", parts)
        digest = hashlib.sha256("|".join(parts).encode("utf-8", "surrogateescape"))
        _fingerprint = digest.hexdigest()
    return _fingerprint


def package_folder() -> str:
    """The folder of the whole package (this module sits one level down, in ``caching/``)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _list_modules(folder: str, prefix: str, parts: list[str]) -> None:
    """Append "relative/path.py:size:mtime" for each module under ``folder``, in name order."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: entry.name)
    for entry in entries:
        if entry.name.endswith(".py") and entry.is_file():
            info = entry.stat()
            parts.append(f"{prefix}{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        elif entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
            _list_modules(entry.path, f"{prefix}{entry.name}/", parts)


def _entry(folder: Path, sha256: str) -> Path:
    return folder / f"rubric-{code_fingerprint()[:16]}-{sha256}.json"


def _hex(text: bytes) -> bytes | None:
    try:
        return bytes.fromhex(text.decode("ascii"))
    except ValueError:
        return None


def _prune(folder: Path) -> None:
    # Several installs (versions, virtual environments) may share the folder: keep the newest
    # entries rather than only this code's, so that they do not keep evicting each other.
    with contextlib.suppress(OSError):
        entries = sorted(
            ((entry.stat().st_mtime_ns, entry) for entry in folder.glob("rubric-*.json")),
            reverse=True,
        )
        for _, stale in entries[MAX_ENTRIES:]:
            stale.unlink()
