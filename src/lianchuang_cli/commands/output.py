"""Writing a command's output file (``-o``): never over a file the run reads, never a half-written
file, never a device replaced by a regular file, and an operating-system failure said in Chinese.

- ``check_output_path`` refuses an output that is one of the files the run reads (the files named
  and those found in folders, rubric and previous-year files), through a symlink or a hard link too.
- ``output_stream`` writes a regular file atomically (a part file beside it, renamed over it only
  when complete; through a symbolic link, the file it points to is replaced and the link kept)
  and a device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) as a
  stream: renaming over a device node would destroy it.
- A write that fails (a full disk, a read-only folder, no permission) removes the part file and
  exits 2 with a Chinese sentence (``errors.os_reason``), whatever library raised it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from lianchuang_cli.commands.common import fail
from lianchuang_cli.commands.interrupts import interruptible
from lianchuang_cli.errors import os_reason
from lianchuang_cli.reports.escaping import ESCAPE, shown

EVIDENCE_SUFFIXES = (".yaml", ".yml")


def check_output_path(output: Path, reads: Iterable[str | Path]) -> None:
    """Refuse an output path that is an evidence file, a folder, or any file the run reads."""
    if output.suffix.lower() in EVIDENCE_SUFFIXES:
        raise click.BadParameter(
            "输出文件不能以 .yaml/.yml 结尾（以免与佐证材料混淆或覆盖材料）", param_hint="--output"
        )
    if output.is_dir():
        raise click.BadParameter(
            f"“{shown(str(output))}”是文件夹；请给出文件名", param_hint="--output"
        )
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise click.BadParameter(
            f"输出文件所在的文件夹“{shown(str(folder))}”不存在；请先创建", param_hint="--output"
        )
    read = read_by_run(output, reads)
    if read is not None:
        raise click.BadParameter(
            f"“{shown(str(output))}”是本次要读取的文件（{shown(str(read))}），不能被输出覆盖；"
            "请换一个输出文件名",
            param_hint="--output",
        )


def rubric_reads(rubric_path: Path | None) -> list[Path]:
    """The rubric files a grading run may read: the one given, and the shipped ones that evidence
    files name."""
    from lianchuang_cli.model.rubric import shipped_rubrics_dir

    shipped = shipped_rubrics_dir()
    found = sorted(shipped.glob("*.yaml")) if shipped.is_dir() else []
    return [rubric_path, *found] if rubric_path is not None else found


def read_by_run(output: Path, reads: Iterable[str | Path]) -> str | Path | None:
    """The file among ``reads`` that ``output`` is (the same file by any name), if any."""
    try:
        target = os.stat(output)
    except OSError:
        return None  # nothing there yet: it cannot be one of the inputs
    if not stat.S_ISREG(target.st_mode):
        return None  # a device or a FIFO is written as a stream, never replaced
    for path in reads:
        try:
            found = os.stat(path)
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino):
            return path
    return None


def _os_error(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc``, also when a library wrapped it (XlsxWriter)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        wrapped = next((a for a in current.args if isinstance(a, OSError)), None)
        if wrapped is not None:
            return wrapped
        current = current.__cause__ or current.__context__
    return None


def _cannot_write(path: Path, error: OSError) -> None:
    hint = "请清理磁盘空间后重试" if error.errno in (28, 122) else "请检查路径和权限，或换一个位置"
    fail(f"无法写入“{shown(str(path))}”：{os_reason(error)}；{hint}。没有留下不完整的输出文件。")


def _is_stream(path: Path) -> bool:
    """Whether ``path`` is a device or a FIFO, or a name for one of the process's own streams
    (``/dev/stdout`` is a link to whatever standard output is, a regular file too)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
        return True
    real = os.path.realpath(path)
    return os.path.islink(path) and real.startswith(("/proc/", "/dev/"))


def _open(target: int | str, binary: bool) -> IO[Any]:
    if binary:
        return open(target, "wb")
    return open(target, "w", encoding="utf-8", newline="", errors=ESCAPE)


@contextmanager
def output_stream(path: Path, *, binary: bool) -> Iterator[IO[Any]]:
    """A stream to ``path``: atomic for a regular file, direct for a device or a FIFO.

    Text is UTF-8; bytes of a file name that are not UTF-8 are written ``\\xNN`` (``ESCAPE``).
    """
    if _is_stream(path):
        try:
            with interruptible(), _open(str(path), binary) as stream:
                yield stream
        except Exception as exc:
            error = _os_error(exc)
            if error is None:
                raise
            _cannot_write(path, error)
        return
    if os.path.islink(path):  # the file the link names is the output; the link stays a link
        path = Path(os.path.realpath(path))
    directory = path.parent if str(path.parent) else Path(".")
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".part"
        )
    except OSError as exc:
        _cannot_write(path, exc)
    try:
        # A Ctrl-C while writing raises KeyboardInterrupt here (instead of leaving the process at
        # once) so that the part file is removed.
        with interruptible():
            with _open(descriptor, binary) as stream:
                yield stream
            # mkstemp creates the file private (0600); give it the permissions of a new file.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):  # already renamed into place
            os.unlink(temporary)
        error = _os_error(exc) if isinstance(exc, Exception) else None
        if error is None:
            raise
        _cannot_write(path, error)


def write_output(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through ``output_stream``."""
    with output_stream(path, binary=True) as stream:
        stream.write(content)


def write_new_file(path: Path, content: bytes) -> None:
    """Write a file that must not exist yet (inputs and earlier work are never overwritten);
    a device or a FIFO is written to as a stream."""
    if os.path.lexists(path) and not _is_stream(path):
        raise click.UsageError(f"文件“{shown(str(path))}”已存在；为避免覆盖，请换一个文件名")
    write_output(path, content)


OUTPUT_HELP = (
    "写入此文件（UTF-8；写完整后才替换，不留半个文件；不能是本次读取的文件），而不是屏幕。"
)


def output_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--output``/``-o 文件``, the same for every command."""
    return click.option(
        "--output",
        "-o",
        "output",
        type=click.Path(path_type=Path, dir_okay=False),
        metavar="文件",
        help=OUTPUT_HELP,
    )(command)


def emit(text: str, output: Path | None) -> None:
    """``text`` to standard output, or to ``output`` through ``output_stream``."""
    if output is None:
        click.echo(text, nl=False)
        return
    with output_stream(output, binary=False) as stream:
        stream.write(text)


def emit_pieces(pieces: Iterable[str], output: Path | None) -> None:
    """``emit`` for text made in pieces (a report too large to hold whole), piece by piece."""
    if output is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    with output_stream(output, binary=False) as stream:
        for piece in pieces:
            stream.write(piece)


def files_under(folder: Path, suffixes: tuple[str, ...]) -> Iterator[str]:
    """Every file under ``folder`` (sub-folders included) whose name ends with ``suffixes``."""
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(suffixes):
                yield os.path.join(parent, name)
