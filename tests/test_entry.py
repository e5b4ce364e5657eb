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
from tests.conftest import EXAMPLES

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
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    env.update(extra)
    return env


@pytest.mark.parametrize("delay", [0.25, 0.4, 0.6, 0.8])
def test_ctrl_c_while_working_exits_130_with_one_line(delay: float) -> None:
    """Ctrl-C while modules load, workers start or files are graded: 130, one line, no traceback.

    (Before the entry point runs at all, ~30 ms after start, the interpreter itself answers.)
    """
    child = subprocess.Popen(
        command("score", *[FAILING] * 40),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(),
        preexec_fn=default_sigint,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == EXIT_INTERRUPTED
    assert err.decode("utf-8").strip() == INTERRUPTED_MESSAGE


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
    child = subprocess.Popen(
        command("score", *[str(example)] * 40),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
        preexec_fn=default_sigint,
    )
    time.sleep(0.6)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == EXIT_INTERRUPTED
    deadline = time.monotonic() + 5
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(tmp_path)) == []


def test_ctrl_c_while_printing_exits_130() -> None:
    """Ctrl-C once output has started (the handler is surely in place) behaves the same."""
    child = subprocess.Popen(
        command("validate", *[FAILING] * 2000),
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


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["score", *[FAILING] * 20], EXIT_OK),
        (["score", "--fail-under", "99", *[FAILING] * 20], EXIT_GATE_FAILED),
        (["validate", *[FAILING] * 500], EXIT_OK),
    ],
)
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_reader_that_stops_early_does_not_change_the_exit_code(
    args: list[str], code: int, unbuffered: str
) -> None:
    """``… | head -1``: the exit code is still the grading's, and nothing is said about the pipe."""
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
