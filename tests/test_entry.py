"""The installed command as a real process: Ctrl-C, a reader that stops early, the console's encoding."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INTERRUPTED, EXIT_OK
from lianchuang_cli.commands.interrupts import INTERRUPTED_MESSAGE
from tests.conftest import EXAMPLES, OUTPUT_SETTINGS

FAILING = str(EXAMPLES / "village" / "baishui_failing.yaml")
VILLAGES = sorted(str(p) for p in (EXAMPLES / "village").glob("*.yaml"))


def command(*args: str) -> list[str]:
    """The command line that runs lianchuang the way the console script does."""
    return [sys.executable, "-m", "lianchuang_cli", *args]


def default_sigint() -> None:
    """In the child before it runs: SIGINT handled by default, as in a terminal, even when the
    tests run as a background job (where a non-interactive shell starts them with it ignored,
    and the entry point rightly keeps it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process, without settings that change its output."""
    env = {k: v for k, v in os.environ.items() if k not in OUTPUT_SETTINGS}
    env.update(extra)
    return env


IMPORT_REPORT = "import time:"
"""How ``python -X importtime`` starts the line it writes to stderr as each import finishes."""
ENTRY_IMPORTED = b"| lianchuang_cli.entry\n"


def started_with_handler(stderr: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``lianchuang ARGS`` (its stderr to the file ``stderr``) and return once its Ctrl-C
    handler is surely in place.

    A fixed sleep after the start is not enough: on a loaded machine the interpreter can take
    longer than the sleep to reach the entry point, and a Ctrl-C before it is the interpreter's
    own (a traceback), not ours. The child reports each finished import (``-X importtime``); the
    first one after ``lianchuang_cli.entry`` comes from inside ``entry.run()``, after the handler
    was installed.
    """
    with stderr.open("wb") as sink:
        child = subprocess.Popen(
            [sys.executable, "-X", "importtime", "-m", "lianchuang_cli", *args],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=child_env(),
            preexec_fn=default_sigint,
        )
    deadline = time.monotonic() + 60
    while True:
        said = stderr.read_bytes()
        if ENTRY_IMPORTED in said and not said.endswith(ENTRY_IMPORTED):
            return child
        assert child.poll() is None, f"the child ended before its handler was in place: {said!r}"
        assert time.monotonic() < deadline, "the child did not reach its entry point in 60 s"
        time.sleep(0.005)


def said_besides_imports(stderr: Path) -> str:
    """What the child wrote to stderr, less the ``-X importtime`` report."""
    lines = stderr.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith(IMPORT_REPORT)).strip()


# From the moment the handler is in place: modules still load, workers start, files are graded.
@pytest.mark.parametrize("delay", [0.0, 0.15, 0.35, 0.55])
def test_ctrl_c_while_working_exits_130_with_one_line(delay: float, tmp_path: Path) -> None:
    """Ctrl-C while modules load, workers start or files are graded: 130, one line, no traceback.

    (Before the entry point runs at all, ~30 ms after start, the interpreter itself answers.)
    The 400 files take seconds to grade: the Ctrl-C always comes while the work goes on.
    """
    stderr = tmp_path / "stderr"
    child = started_with_handler(stderr, "score", *[FAILING] * 400)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == EXIT_INTERRUPTED
    assert said_besides_imports(stderr) == INTERRUPTED_MESSAGE


def processes_mentioning(marker: str) -> list[int]:
    """Pids of running processes whose command line contains ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_ctrl_c_during_a_parallel_batch_leaves_no_worker_behind(tmp_path: Path) -> None:
    """The pool's workers go with the parent; none waits for work forever."""
    example = tmp_path / "unit.yaml"
    example.write_bytes(Path(FAILING).read_bytes())
    stderr = tmp_path / "stderr"
    child = started_with_handler(stderr, "score", *[str(example)] * 400)
    deadline = time.monotonic() + 60
    while set(processes_mentioning(str(tmp_path))) <= {child.pid}:  # forked workers share argv
        assert time.monotonic() < deadline, "no worker started in 60 s"
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == EXIT_INTERRUPTED
    assert said_besides_imports(stderr) == INTERRUPTED_MESSAGE
    deadline = time.monotonic() + 5
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(tmp_path)) == []


def long_named_copy(folder: Path) -> str:
    """FAILING under a 240-byte name, so that a few hundred lines of ``validate`` (each naming
    the file) overflow a pipe's 64 KB and the writer is surely still writing."""
    copy = folder / f"{'很长的文件名' * 13}.yaml"
    copy.write_bytes(Path(FAILING).read_bytes())
    return str(copy)


def test_ctrl_c_while_printing_exits_130(tmp_path: Path) -> None:
    """Ctrl-C once output has started (the handler is surely in place) behaves the same."""
    child = subprocess.Popen(
        command("validate", *[long_named_copy(tmp_path)] * 500),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        preexec_fn=default_sigint,
    )
    assert child.stdout is not None
    child.stdout.readline()
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == EXIT_INTERRUPTED
    assert err.decode("utf-8").strip() == INTERRUPTED_MESSAGE


# Each output is more than a pipe holds (five score tables of FAILING are 150 KB), so the
# writer surely meets the closed pipe.
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["score", *[FAILING] * 5], EXIT_OK),
        (["score", "--fail-under", "99", *[FAILING] * 5], EXIT_GATE_FAILED),
        (["validate", *["LONG_NAMED"] * 500], EXIT_OK),
    ],
)
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_reader_that_stops_early_does_not_change_the_exit_code(
    args: list[str], code: int, unbuffered: str, tmp_path: Path
) -> None:
    """``… | head -1``: the exit code is still the grading's, and nothing is said about the pipe."""
    if "LONG_NAMED" in args:
        copy = long_named_copy(tmp_path)
        args = [copy if arg == "LONG_NAMED" else arg for arg in args]
    with subprocess.Popen(
        command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(PYTHONUNBUFFERED=unbuffered),
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        child.stdout.readline()
        child.stdout.close()
        err = child.stderr.read().decode("utf-8")
        assert child.wait(timeout=60) == code
    for noise in ("Traceback", "Exception ignored", "BrokenPipe", "Broken pipe", "错误"):
        assert noise not in err


def test_gbk_console_gets_no_question_marks() -> None:
    """Output redirected on a GBK console decodes strictly and loses no character to '?'."""
    done = subprocess.run(
        command("score", *VILLAGES),
        capture_output=True,
        env=child_env(PYTHONIOENCODING="gbk"),
        check=False,
    )
    text = done.stdout.decode("gbk") + done.stderr.decode("gbk")
    assert "总分" in text
    assert "?" not in text


def test_characters_missing_from_gbk_become_look_alikes(tmp_path: Path) -> None:
    """A unit name with a minus sign and a bullet prints as '-' and '·' on a GBK console."""
    path = tmp_path / "odd.yaml"
    path.write_text("rubric: village\nunit: {name: 甲村\u2212一组\u2022二组}\n", encoding="utf-8")
    done = subprocess.run(
        command("validate", str(path)),
        capture_output=True,
        env=child_env(PYTHONIOENCODING="gbk"),
        check=False,
    )
    assert done.stdout.decode("gbk", errors="strict")  # validate's findings
    assert "Traceback" not in done.stderr.decode("gbk")


def test_an_interrupt_caught_after_code_run_by_exec_keeps_the_exit_code() -> None:
    """CPython 3.11 ends the process by SIGINT when exactly KeyboardInterrupt left ``exec()``'d
    code (as when a Ctrl-C lands while dataclasses or pydantic build a class), even if it was
    caught; the exception raised inside ``interruptible()`` is a subclass, which it never marks."""
    script = (
        "import os, signal\n"
        "from lianchuang_cli.commands.interrupts import Interrupted, interrupted, interruptible\n"
        "signal.signal(signal.SIGINT, interrupted)\n"
        "try:\n"
        "    with interruptible():\n"
        "        exec('os.kill(os.getpid(), signal.SIGINT)\\nwhile True: pass\\n')\n"
        "except KeyboardInterrupt as error:\n"
        "    assert type(error) is Interrupted\n"
        "    print('caught')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "caught\n", "")
