"""Mutated examples never break the command line: no exception, exit 0/1/2, every error located.

Each example is damaged the ways files really get damaged (lines lost or pasted twice, indentation
shifted, a save cut short, odd values typed in, YAML syntax typed by accident, another encoding)
and graded through click's CliRunner. The run is derandomized and bounded so CI is deterministic.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, EXIT_OK
from tests.conftest import EXAMPLES

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
SOURCES = {path.name: path.read_text(encoding="utf-8") for path in VALID}

ODD_SCALARS = [
    "9" * 4301,
    "-" + "1" * 40,
    "1e26",
    "-1.36e+31",
    "'-1.36e+31'",
    '"1e999999999"',
    "1e-999999999",
    ".nan",
    ".inf",
    "0.96",
    "1",
    "０．９６",
    "１２",
    "93%",
    "９３％",
    "10万元",
    "12次",
    "8人",
    "12个",
    "186000元",
    "“本科”",
    "［a.pdf］",
    "｛part: 1, whole: 2｝",
    "{part: 6，whole: 7}",
    "true",
    "NO",
    "~",
    "[]",
    "{}",
    "{score: 1e30}",
    "{part: 99999999999999, whole: 1}",
    "'\x07'",
]
SYNTAX = [
    "&a ",
    "*a ",
    "*a",
    "!!str ",
    "!!int ",
    "!!binary ",
    "? ",
    "---\n",
    "...\n",
    "[",
    "{",
    "]",
]
SYNTAX += ["：", "\u3000", "- ", "|", ">", "%YAML 1.2\n", "\t", "\x07", "\x7f", "'", '"', "#", "@"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): ")
LIBYAML_ENGLISH = ("while ", "found ", "expected ", "could not", "did not", "unicode string")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """An example file after one to three kinds of damage, as the bytes that would be saved."""
    name = draw(st.sampled_from(sorted(SOURCES)))
    lines = SOURCES[name].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(["delete", "duplicate", "indent", "scalar", "syntax", "unicode"])
        )
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "indent":
            shift = draw(st.integers(-4, 4))
            lines[index] = " " * shift + line if shift > 0 else line[-shift:]
        elif kind == "scalar" and ": " in line:
            head = line.split(": ", 1)[0]
            lines[index] = f"{head}: {draw(st.sampled_from(ODD_SCALARS))}\n"
        elif kind == "syntax":
            column = draw(st.integers(0, max(0, len(line) - 1)))
            lines[index] = line[:column] + draw(st.sampled_from(SYNTAX)) + line[column:]
        elif kind == "unicode" and ": " in line:
            head = line.split(": ", 1)[0]
            text = draw(st.text(max_size=12))
            lines[index] = f"{head}: {text}\n"
        if not lines:
            lines = ["\n"]
    text = "".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    encoding = draw(st.sampled_from(ENCODINGS))
    return name, text.encode(encoding, errors="replace")


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated(), command=st.sampled_from(["score", "validate"]))
def test_mutated_examples_are_handled(case: tuple[str, bytes], command: str) -> None:
    """No exception escapes; the exit code is 0, 1 or 2; every error names file, line and column."""
    name, raw = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        result = CliRunner().invoke(main, [command, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (EXIT_OK, EXIT_GATE_FAILED, EXIT_INPUT_ERROR)
    findings = result.stdout if command == "validate" else result.stderr
    errors = [line for line in findings.splitlines() if ": 错误" in line]
    if result.exit_code == EXIT_INPUT_ERROR:
        assert errors, findings
    for line in errors:
        located = LOCATED.match(line)
        assert located, line
        assert located["file"] == str(path)
        assert int(located["line"]) >= 1
        assert int(located["column"]) >= 1
        assert not any(phrase in line for phrase in LIBYAML_ENGLISH), line
    assert "程序内部错误" not in result.output
    assert "Traceback" not in result.output
