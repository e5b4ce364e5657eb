"""Validated rubrics kept between runs, so that ``score`` does not re-check the rubric every time.

Loading a rubric for grading reads its YAML with positions, validates it and runs every lint
check (``lint.engine``): about a tenth of ``score ONE_FILE``'s start-up, for a file that almost
never changes. Once a rubric has loaded without errors, its validated form is written here as
JSON (``Rubric.model_dump_json``; never pickle) and later runs validate that JSON instead.

An entry is found by the SHA-256 of the rubric file's bytes and a fingerprint of the code that
judges rubrics: the tool's version, pydantic's, Python's, and the name, size and modification
time of every module of the package. Editing the rubric, upgrading, or touching any source file
therefore misses, and the rubric is checked again in full. A rubric with errors is never stored
(it is checked, and refused, every time). Entries are validated like any input when read, so a
damaged one is a miss, never an error; so is a folder that cannot be read or written.

Rubrics loaded from a cache entry do not know the positions of their parts in the file
(``LoadedRubric.position`` gives 1:1); grading never locates rubric parts, ``check`` and the
lint engine read the file themselves.

Each entry is sealed with the folder's key, and a folder others may write is not used
(``cache_trust``): an entry that was edited, damaged or copied from elsewhere is a miss, and
``notices`` says so once for the command line to show.

The cache is used only when the command line turns it on (``use``): the folder is
``$LIANCHUANG_CACHE_HOME`` if set (empty: no cache), else ``$XDG_CACHE_HOME/lianchuang`` or
``~/.cache/lianchuang`` (``%LOCALAPPDATA%\\lianchuang`` on Windows).
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
    from lianchuang_cli.model.rubric import LoadedRubric

ENV_FOLDER = "LIANCHUANG_CACHE_HOME"
MAX_RUBRIC_BYTES = 8 * 1024 * 1024
"""Larger files are not looked up (the reader refuses them anyway)."""
MAX_ENTRIES = 64
"""Entries kept; each is the size of its rubric's JSON (~30 KB for the village rubric)."""

_folder: Path | None = None
_fingerprint: str | None = None
_key: bytes | None = None
_rejected = 0
_refused: str | None = None


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


def use(folder: Path | None) -> None:
    """Keep validated rubrics in ``folder`` from now on (None: stop)."""
    global _folder, _key, _rejected, _refused
    _folder = folder
    _key, _rejected, _refused = None, 0, None


def notices() -> list[str]:
    """What the user should hear about the cache in this run: a refused folder, rejected entries."""
    said = [] if _refused is None else [f"提示：未使用细则缓存。{_refused}。"]
    if _rejected:
        said.append(
            f"提示：细则缓存中有{_rejected}条记录未通过校验（可能被改动或已损坏），已弃用并重新读取细则；"
            "结果不受影响。"
        )
    return said


def _folder_key() -> tuple[Path, bytes] | None:
    """The cache folder and its key, once per process; None when there is no usable cache."""
    global _folder, _key, _refused
    folder = _folder
    if folder is None:
        return None
    if _key is None:
        from lianchuang_cli.caching.cache_trust import UnsafeCacheFolder, folder_key

        try:
            _key = folder_key(folder)
        except UnsafeCacheFolder as exc:
            _refused = str(exc)
        if _key is None:
            _folder = None
            return None
    return folder, _key


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


def load(path: Path) -> LoadedRubric | None:
    """The rubric at ``path`` from the cache, or None (no cache, a miss, anything unusual)."""
    global _rejected
    usable = _folder_key()
    if usable is None:
        return None
    folder, key = usable
    from lianchuang_cli.caching import cache_trust
    from lianchuang_cli.digests import sha256_bytes  # here: ``--help`` needs no hashing

    try:
        info = os.stat(path)
        # Only regular files: opening a pipe could block, and the reader refuses it anyway.
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RUBRIC_BYTES:
            return None
        with open(path, "rb") as handle:
            sha256 = sha256_bytes(handle.read())  # the digest the YAML reader gives a rubric
        sealed = _entry(folder, sha256).read_bytes()
    except (OSError, ValueError):
        return None
    mark, _, text = sealed.partition(b"\n")
    if not cache_trust.matches(_hex(mark), cache_trust.seal(key, sha256.encode(), text)):
        _rejected += 1
        return None
    from pydantic import ValidationError

    from lianchuang_cli.model.rubric import LoadedRubric, Rubric

    try:
        rubric = Rubric.model_validate_json(text)
    except (ValidationError, ValueError):
        return None
    return LoadedRubric(rubric, path, sha256)


def store(loaded: LoadedRubric) -> None:
    """Keep a rubric that loaded without errors (the oldest entries beyond ``MAX_ENTRIES`` go)."""
    usable = _folder_key()
    if usable is None:
        return
    folder, key = usable
    import tempfile

    from lianchuang_cli.caching import cache_trust
    from lianchuang_cli.model.rubric import Rubric

    text = loaded.rubric.model_dump_json()
    try:
        # Only what reads back as the very same rubric is worth keeping.
        if Rubric.model_validate_json(text) != loaded.rubric:
            return
    except ValueError:
        return
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
