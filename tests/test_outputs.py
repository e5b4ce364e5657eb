"""Output files and formats: nothing the run reads is overwritten, devices stay devices, a failed
write says why in Chinese and leaves nothing half-written, and hostile user text (formula
prefixes, control characters, ANSI escapes, newlines, markup, bidi overrides, undecodable file-name
bytes) comes out inert in every format (issue 17 items 1, 2, 4, 10, 11, 14)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_INPUT_ERROR
from lianchuang_cli.errors import os_reason
from lianchuang_cli.reports.escaping import FORMULA_STARTS, markdown_text, plain, shown
from lianchuang_cli.reports.registry import FORMATS
from tests.conftest import EXAMPLES

TAOYUAN = EXAMPLES / "village" / "taoyuan_excellent.yaml"

HOSTILE = {
    "formula": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2-2",
    "at": "@SUM(A1:A9)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "ansi": "\x1b[31m红\x1b[0m\x1b]0;标题\x07\x1b[2J",
    "newline": "甲\nfake.yaml:1:1: 错误: 伪造",
    "crlf": "乙\r\nfake.yaml:2:2: 错误: 伪造",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "link": "[点我](javascript:alert(1)) <javascript:alert(2)>",
    "bidi": "\u202eexe.txt\u2066x\u2069\u200f",
    "controls": "\x01\x08\x0b\x0c\x7f\x85\u2028\u2029",
    "pipe": "a|b\\|c",
}
"""One hostile text per kind; each becomes a unit name (with its notes) in its own file."""

FORGED_LINE = re.compile(r"^\s*fake\.yaml:\d+:\d+:", re.MULTILINE)
UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def run(*args: str) -> Result:
    """The command line, in process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of villages named and annotated with hostile text, one invalid file whose message
    quotes hostile text, and a file whose name holds bytes that are not UTF-8 (a GBK name)."""
    folder = tmp_path_factory.mktemp("hostile")
    source = TAOYUAN.read_text(encoding="utf-8")
    note = "note: 班子民主测评参评58人，“思想政治素质”评为好的56人"
    for number, (kind, text) in enumerate(HOSTILE.items()):
        evil = (
            source.replace("name: 桃源村党总支", f"name: {_quoted(text + kind)}")
            .replace("township: 桃源镇", f"township: {_quoted(text)}")
            .replace('code: "0571030101"', f'code: "05710302{number:02d}"')
            .replace(note, f"note: {_quoted(text)}")
        )
        (folder / f"{kind}.yaml").write_text(evil, encoding="utf-8")
    unknown = _quoted(HOSTILE["newline"] + HOSTILE["ansi"] + HOSTILE["html"])
    broken = source.replace("indicators:\n", f"indicators:\n  {unknown}:\n    value: 1\n", 1)
    (folder / "=broken.yaml").write_text(broken, encoding="utf-8")
    gbk = os.fsencode(folder) + b"/" + "桃源村".encode("gbk") + b".yaml"
    with open(gbk, "wb") as handle:
        handle.write(TAOYUAN.read_bytes())
    return folder


def _batch(folder: Path, name: str, tmp_path: Path) -> bytes:
    target = tmp_path / f"out.{name}"
    result = run("batch", str(folder), "--jobs", "1", "--format", name, "-o", str(target))
    assert result.exit_code == EXIT_INPUT_ERROR, result.output  # the broken file
    return target.read_bytes()


def _assert_plain_text(text: str) -> None:
    assert UNSAFE_IN_TEXT.search(text) is None, repr(UNSAFE_IN_TEXT.search(text))
    assert FORGED_LINE.search(text) is None


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_hostile_text_is_inert_in_every_batch_format(
    name: str, hostile: Path, tmp_path: Path
) -> None:
    """Each format of the batch report holds the hostile names safely, valid UTF-8 throughout."""
    raw = _batch(hostile, name, tmp_path)
    if name == "xlsx":
        _assert_xlsx_inert(tmp_path / "out.xlsx")
        return
    text = raw.decode("utf-8")  # strict: undecodable file-name bytes are written \xNN
    # GBK 桃 starts with the bytes cc d2; JSON and Markdown write the backslash of \xcc as \\.
    doubled = name.startswith("json") or name == "markdown"
    byte_name = "\\\\xcc\\\\xd2" if doubled else "\\xcc\\xd2"
    assert byte_name in text or name in ("table", "html")
    if name in ("table", "github"):
        _assert_plain_text(text)
    elif name == "junit":
        ElementTree.fromstring(raw)  # well-formed
        _assert_plain_text(text)
    elif name == "markdown":
        assert "<script" not in text
        assert "<img" not in text
        assert "<javascript" not in text
        assert re.search(r"(?<!\\)\]\(javascript:", text) is None  # \[x\](…) is no link
        _assert_plain_text(text)
        for table in re.findall(r"(?:^\|.*\n)+", text, re.MULTILINE):
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}
            assert len(widths) == 1, table  # no row broken by a | in user text
    elif name == "csv":
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), cell
        names = {row[1] for row in rows[1:]}
        assert "'" + HOSTILE["formula"] + "formula" in names
        assert "101.25" in {row[5] for row in rows[1:]}  # numbers stay numbers
    elif name == "html":
        assert "<script>alert" not in text
        assert "<img src=x" not in text
        assert "&lt;script&gt;alert(1)" in text
    elif name in ("json", "jsonl"):
        # Lossless: JSON keeps every hostile text exactly; only undecodable bytes are spelled out.
        documents = (
            [json.loads(line) for line in text.split("\n") if line] if name == "jsonl" else []
        )
        dumped = json.dumps(documents or json.loads(text), ensure_ascii=False)
        for kind, hostile_text in HOSTILE.items():
            assert json.dumps(hostile_text + kind, ensure_ascii=False)[1:-1] in dumped


def _assert_xlsx_inert(path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    formula_like = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    formula_like += 1
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
    assert formula_like > len(HOSTILE)  # names, townships, notes: kept as they are, as text
    names = {row[1] for row in book["汇总表"].iter_rows(min_row=2, values_only=True)}
    assert HOSTILE["formula"] + "formula" in names
    assert any(isinstance(v, str) and "\\xcc\\xd2" in v for v in _values(book["明细"]) | names) or (
        any("\\xcc\\xd2" in str(v) for v in _values(book["差距"]))
    )


def _values(sheet: object) -> set[object]:
    return {v for row in sheet.iter_rows(values_only=True) for v in row}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["table", "github", "junit", "json", "csv", "markdown", "html"])
def test_hostile_text_is_inert_in_score(name: str, hostile: Path) -> None:
    """``score`` shows each hostile unit's panel or line without acting on its text."""
    files = sorted(str(p) for p in hostile.iterdir() if p.name != "=broken.yaml")
    result = run("score", *files, "--format", name)
    assert result.exit_code == 0, result.output
    text = result.stdout
    if name in ("table", "github"):
        _assert_plain_text(text)
    elif name == "junit":
        ElementTree.fromstring(result.stdout_bytes)
    elif name == "json":
        json.loads(text)


def test_problem_lines_cannot_forge_a_line(hostile: Path) -> None:
    """A newline or an escape quoted in a message is shown escaped on stderr and in text formats."""
    for args in (
        ["validate", str(hostile / "=broken.yaml")],
        ["batch", str(hostile), "--jobs", "1", "--format", "json"],
        ["score", str(hostile / "=broken.yaml")],
    ):
        result = run(*args)
        assert result.exit_code == EXIT_INPUT_ERROR
        # validate lists its findings on stdout; batch's stdout is the (lossless) JSON
        shown_text = result.stderr if "json" in args else result.stdout + result.stderr
        _assert_plain_text(shown_text)
        assert "\\nfake.yaml:1:1" in shown_text


def test_escaping_helpers() -> None:
    """Each helper on its own: visible escapes, apostrophes, Markdown escapes, byte names."""
    assert plain("a\nb\x1b[1m\u202e") == "a\\nb\\x1b[1m\\u202e"
    assert markdown_text("<b>|[x](javascript:y)") == "&lt;b&gt;\\|\\[x\\](javascript:y)"
    assert shown(os.fsdecode(b"\xcc\xd2.yaml")) == "\\xcc\\xd2.yaml"
    assert shown("桃源村.yaml") == "桃源村.yaml"


# -- 17.1: never overwrite what the run reads --------------------------------------------------


def test_batch_refuses_to_overwrite_a_workbook_found_in_the_folder(tmp_path: Path) -> None:
    """Issue 17.1: ``batch ow -o ow/taoyuan.xlsx`` exited 0 and replaced the village's workbook."""
    folder = tmp_path / "ow"
    folder.mkdir()
    workbook = folder / "taoyuan.xlsx"
    assert run("convert", str(TAOYUAN), "--to", "xlsx", "-o", str(workbook)).exit_code == 0
    before = workbook.read_bytes()
    (tmp_path / "hard.xlsx").hardlink_to(workbook)
    (tmp_path / "soft.xlsx").symlink_to(workbook)
    for target in (workbook, tmp_path / "hard.xlsx", tmp_path / "soft.xlsx"):
        result = run("batch", str(folder), "--jobs", "1", "-o", str(target))
        assert result.exit_code == EXIT_INPUT_ERROR
        assert "本次要读取的文件" in result.stderr
        assert workbook.read_bytes() == before
    result = run("score", str(workbook), "-o", str(tmp_path / "soft.xlsx"), "--format", "xlsx")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert workbook.read_bytes() == before


def test_an_output_over_a_rubric_file_is_refused(tmp_path: Path) -> None:
    """The rubric a run reads is an input too, whatever its name."""
    rubric = tmp_path / "细则.txt"
    rubric.write_bytes((Path(__file__).parents[1] / "rubrics" / "village.yaml").read_bytes())
    before = rubric.read_bytes()
    result = run("score", str(TAOYUAN), "--rubric", str(rubric), "-o", str(rubric))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert rubric.read_bytes() == before


# -- 17.2: devices and FIFOs are streams ---------------------------------------------------------


def test_output_to_a_device_writes_to_it_and_keeps_it(tmp_path: Path) -> None:
    """Issue 17.2: ``-o /dev/null`` writes to the device; it is never renamed over."""
    result = run("score", str(TAOYUAN), "--format", "json", "-o", os.devnull)
    assert result.exit_code == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    """``-o latest.csv`` where latest.csv is a link: the file it names gets the new content
    (atomically), the link stays a link; a dangling link creates its target."""
    reports = tmp_path / "报表"
    reports.mkdir()
    target = reports / "2026.csv"
    target.write_text("旧内容", "utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    dangling = tmp_path / "next.csv"
    dangling.symlink_to(reports / "2027.csv")
    for out, named in ((link, target), (dangling, reports / "2027.csv")):
        result = run("batch", str(TAOYUAN), "--format", "csv", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.is_symlink()
        assert named.read_text("utf-8-sig").startswith("名次")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.csv", "next.csv", "报表"]
    assert sorted(p.name for p in reports.iterdir()) == ["2026.csv", "2027.csv"]


def test_output_to_a_fifo_is_streamed(tmp_path: Path) -> None:
    """A named pipe gets the report as a stream and stays a pipe."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("score", str(TAOYUAN), "--format", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["results"][0]["score"] == 101.25


# -- 17.4: a failed write is exit 2, in Chinese, with nothing left behind ---------------------------


@pytest.mark.parametrize("name", ["json", "csv", "xlsx"])
def test_a_full_disk_is_exit_2_in_chinese_and_leaves_nothing(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17.4: ENOSPC while writing was exit 3 with an English OSError (XlsxWriter wraps it
    in its own exception)."""
    from lianchuang_cli.commands import output

    class FullDisk(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def full_disk(target: int | str, binary: bool) -> IO[Any]:
        if isinstance(target, int):
            os.close(target)
        # The workbook's bytes fail when flushed at the end: XlsxWriter leaves its zip open
        # (closed at exit) when a write fails midway, which pytest would report.
        stream = io.BufferedWriter(FullDisk(), buffer_size=1 << 24 if binary else 1 << 10)
        return stream if binary else io.TextIOWrapper(stream, encoding="utf-8", newline="")

    monkeypatch.setattr(output, "_open", full_disk)
    target = tmp_path / f"汇总.{name}"
    target.write_bytes(b"old")
    result = run("batch", str(TAOYUAN.parent), "--jobs", "1", "-o", str(target))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "磁盘空间已满" in result.stderr
    assert "No space" not in result.stderr
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_device_is_exit_2_in_chinese() -> None:
    """``-o /dev/full``: the device is written as a stream and its ENOSPC said in Chinese."""
    result = run("batch", str(TAOYUAN.parent), "--jobs", "1", "--format", "csv", "-o", "/dev/full")
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "磁盘空间已满" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_standard_output_is_exit_2_in_chinese() -> None:
    """Redirecting to a full disk (``> /dev/full``) ends with a Chinese line, not a traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "lianchuang_cli", "score", str(TAOYUAN), "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == EXIT_INPUT_ERROR, done.stderr
    assert "磁盘空间已满" in done.stderr
    assert "Errno" not in done.stderr


@pytest.mark.parametrize(
    "code", [errno.EACCES, errno.EROFS, errno.ENOSPC, errno.EIO, errno.ENOENT, 12345]
)
def test_os_errors_are_said_in_chinese(code: int) -> None:
    """No English ``strerror`` reaches the user."""
    reason = os_reason(OSError(code, os.strerror(code)))
    assert reason
    assert not re.search("[A-Za-z]{3,}", reason)


def test_an_unwritable_folder_is_said_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only place: exit 2, the path and the reason in Chinese."""
    import tempfile

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = run("score", str(TAOYUAN), "--format", "json", "-o", str(tmp_path / "a.json"))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "文件系统是只读的" in result.stderr
    assert "Read-only" not in result.stderr


# -- 15.7: every command's formats from the registry, -o everywhere ------------------------------

RUBRIC_FILE = Path(__file__).parents[1] / "rubrics" / "village.yaml"
COUNTY = EXAMPLES / "county-demo"


def _command_cases() -> list[tuple[str, list[str]]]:
    from lianchuang_cli.reports.registry import COMMAND_FORMATS

    subjects = {
        "grade-tree": [str(COUNTY)],
        "diff": ["village", str(RUBRIC_FILE)],
        "check": [str(RUBRIC_FILE)],
        "validate": [str(TAOYUAN)],
    }
    cases = [
        (f"{command} {name}", [command, *subject, "--format", name])
        for command, subject in subjects.items()
        for name in COMMAND_FORMATS[command]
    ]
    return [
        *cases,
        ("rubric show", ["rubric", "show", "village"]),
        ("schema", ["schema", "village"]),
    ]


@pytest.mark.parametrize(("case", "args"), _command_cases(), ids=[c for c, _ in _command_cases()])
def test_every_command_writes_to_o_what_it_prints(
    case: str, args: list[str], tmp_path: Path
) -> None:
    """Issue 15.7: grade-tree, diff, check, validate (each format), rubric show and schema take
    ``-o``; the file holds exactly what the command prints, as UTF-8."""
    printed = run(*args)
    target = tmp_path / "out.txt"
    written = run(*args, "-o", str(target))
    assert written.exit_code == printed.exit_code, written.output
    assert target.read_bytes() == printed.stdout_bytes
    if printed.stdout_bytes:  # at most a line saying where
        assert printed.stdout_bytes not in written.stdout_bytes


def test_grade_tree_refuses_to_overwrite_last_years_results(tmp_path: Path) -> None:
    """``grade-tree … --previous last.json -o last.json`` would destroy last year's figures."""
    previous = tmp_path / "last.json"
    previous.write_bytes((COUNTY / "last-year-2025.json").read_bytes())
    before = previous.read_bytes()
    result = run("grade-tree", str(COUNTY), "--previous", str(previous), "-o", str(previous))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert previous.read_bytes() == before
    inside = run("grade-tree", str(COUNTY), "-o", str(COUNTY / "county.yaml"), "--format", "json")
    assert inside.exit_code == EXIT_INPUT_ERROR


def test_validate_refuses_to_overwrite_the_workbook_it_checks(tmp_path: Path) -> None:
    """A file being validated is never the output."""
    workbook = tmp_path / "桃源村.xlsx"
    assert run("convert", str(TAOYUAN), "--to", "xlsx", "-o", str(workbook)).exit_code == 0
    before = workbook.read_bytes()
    assert run("validate", str(workbook), "-o", str(workbook)).exit_code == EXIT_INPUT_ERROR
    assert workbook.read_bytes() == before


@pytest.fixture(scope="module")
def hostile_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county demo with a village named and annotated with every hostile text."""
    import shutil

    county = tmp_path_factory.mktemp("county") / "青山县"
    shutil.copytree(COUNTY, county)
    village = county / "taoyuan" / "nantang.yaml"
    text = "".join(HOSTILE[k] for k in ("formula", "ansi", "newline", "html", "bidi"))
    village.write_text(
        village.read_text(encoding="utf-8").replace("name: 南塘村党支部", f"name: {_quoted(text)}"),
        encoding="utf-8",
    )
    return county


@pytest.mark.parametrize("name", ["table", "json", "html"])
def test_hostile_text_is_inert_in_grade_tree(name: str, hostile_county: Path) -> None:
    """grade-tree's formats hold a hostile village name safely."""
    result = run("grade-tree", str(hostile_county), "--format", name)
    text = result.stdout
    if name == "table":
        _assert_plain_text(text)
    elif name == "json":
        shown_name = json.dumps(json.loads(text), ensure_ascii=False)
        assert (
            json.dumps(HOSTILE["newline"] + HOSTILE["html"], ensure_ascii=False)[1:-1] in shown_name
        )
    else:
        assert "<script>alert" not in text
        assert "<img src=x" not in text


@pytest.mark.parametrize("name", ["table", "json", "markdown"])
def test_hostile_text_is_inert_in_diff(name: str, hostile: Path) -> None:
    """diff --corpus names hostile units and unreadable files safely in each format."""
    changed = RUBRIC_FILE.read_text(encoding="utf-8").replace("threshold: 12", "threshold: 11", 1)
    new = hostile / "new-rubric.txt"
    new.write_text(changed, encoding="utf-8")
    try:
        result = run("diff", str(RUBRIC_FILE), str(new), "--corpus", str(hostile), "--format", name)
    finally:
        new.unlink()
    assert result.exit_code == 0, result.output
    text = result.stdout
    if name == "json":
        json.loads(text)
    else:
        _assert_plain_text(text)
        assert name == "table" or "<script" not in text  # a terminal shows markup as text


@pytest.mark.parametrize("name", ["text", "github", "junit"])
def test_hostile_text_is_inert_in_validate_and_check(name: str, hostile: Path) -> None:
    """validate and check show problems quoting hostile text inertly in each format."""
    validated = run("validate", str(hostile / "=broken.yaml"), "--format", name)
    rubric = hostile / "rubric.txt"
    rubric.write_text(
        RUBRIC_FILE.read_text(encoding="utf-8").replace(
            "id: village", f"id: {_quoted(HOSTILE['newline'])}", 1
        ),
        encoding="utf-8",
    )
    try:
        checked = run("check", str(rubric), "--format", name)
    finally:
        rubric.unlink()
    for result in (validated, checked):
        assert result.exit_code in (1, 2), result.output
        _assert_plain_text(result.stdout)
        if name == "junit":
            ElementTree.fromstring(result.stdout_bytes)


def test_the_console_shows_undecodable_file_name_bytes_as_in_files() -> None:
    """A GBK file name on a console (any encoding) reads ``\\xNN``, as in every output file."""
    from lianchuang_cli.commands.common import CONSOLE_FALLBACK

    name = os.fsdecode(b"\xcc\xd2.yaml")
    assert name.encode("gbk", CONSOLE_FALLBACK) == b"\\xcc\\xd2.yaml"
    assert name.encode("utf-8", CONSOLE_FALLBACK) == b"\\xcc\\xd2.yaml"
