"""The one YAML reading mechanism: YAML 1.2 scalars, positions, and refusal of hostile input."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from lianchuang_cli.errors import InputError
from lianchuang_cli.reading.yaml_reader import (
    MAX_FILE_BYTES,
    MAX_NODES,
    parse_yaml,
    read_yaml,
)
from tests.conftest import DATA, expected_problems, run_python


def problems(text: str | bytes) -> list[str]:
    """Parse and return the problems as ``line:column: message`` strings."""
    with pytest.raises(InputError) as caught:
        parse_yaml(text, name="t.yaml")
    return [f"{p.line}:{p.column}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("NO", "NO"),
        ("on", "on"),
        ("yes", "yes"),
        ("0571", "0571"),
        ("12:30", "12:30"),
        ("2026-01-01", "2026-01-01"),
        (".inf", ".inf"),
        ("0x1F", "0x1F"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("42", 42),
        ("-3", -3),
        ("0", 0),
        ("0.1", Decimal("0.1")),
        ("2.50", Decimal("2.50")),
        ("1e3", Decimal("1e3")),
        ("１１", 11),
        ("－３．５", Decimal("-3.5")),
        ("０５７１", "０５７１"),
        ("第１２期", "第１２期"),
        ('"42"', "42"),
        ("'true'", "true"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(scalar: str, expected: object) -> None:
    """NO/on stay text, codes keep their leading zero, fractions are exact decimals."""
    value = parse_yaml(f"a: {scalar}\n", name="t.yaml").data["a"]
    assert value == expected
    assert type(value) is type(expected)


def test_positions_are_one_based_and_count_characters() -> None:
    """Columns count characters, so Chinese text before a value does not shift it."""
    doc = parse_yaml("名称: 桃源村\n列表: [一二三, x]\n", name="t.yaml")
    assert doc.position(["名称"]) == (1, 5)
    assert doc.position(["列表", 1]) == (2, 11)
    assert doc.position(["列表"], key=True) == (2, 1)
    assert doc.position(["没有", "这个"]) == (1, 1)


def test_duplicate_keys_are_reported_each_time() -> None:
    """PyYAML would silently keep the last value; every repeat is reported instead."""
    assert problems("a: 1\nb: 2\na: 3\nb: 4\n") == [
        "3:1: 重复的键“a”（第1行已出现）；请删除或合并其中一处",
        "4:1: 重复的键“b”（第2行已出现）；请删除或合并其中一处",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x}\n",
        "a: !!python/object/apply:os.system [ls]\n",
        "a: !!timestamp 2026-01-01\n",
        "a: !custom x\n",
    ],
)
def test_non_standard_tags_are_refused(text: str) -> None:
    """Only the standard str/int/float/bool/null/map/seq tags are accepted."""
    (message,) = problems(text)
    assert message.startswith("1:4: 不支持的 YAML 标签")


def test_explicit_standard_tags_are_honoured() -> None:
    """!!str keeps text as text, and a bad !!int is reported."""
    assert parse_yaml("a: !!str 0571\n", name="t.yaml").data == {"a": "0571"}
    assert problems("a: !!int abc\n") == ["1:4: “abc”不是有效的 !!int 值"]


def test_alias_bomb_is_stopped() -> None:
    """A billion-laughs document is refused instead of expanding."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (message,) = problems("\n".join(lines) + "\n")
    assert "展开后的值超过" in message


def test_recursive_alias_is_refused() -> None:
    """A structure that contains itself cannot be turned into values."""
    (message,) = problems("a: &x [1, *x]\n")
    assert "循环引用" in message


@pytest.mark.parametrize(
    "text", ["[" * 100_000, "[" * 100 + "]" * 100, "a:\n" + "  - " * 80 + "x\n"]
)
def test_deep_nesting_is_refused_without_crashing(text: str) -> None:
    """libyaml's composer would overflow the C stack near 30,000 levels."""
    (message,) = problems(text)
    assert "嵌套层数过深" in message


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """The size check runs on the bytes, before PyYAML sees them."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert "超过" in caught.value.problems[0].message


@pytest.mark.parametrize(
    "raw",
    [
        "名称: 桃源村\n".encode(),
        "\ufeff名称: 桃源村\n".encode(),
        "名称: 桃源村\n".encode("gbk"),
        "名称: 桃源村\n".encode("utf-16"),
    ],
)
def test_windows_encodings_are_read(raw: bytes) -> None:
    """UTF-8 with or without BOM, GBK and UTF-16 (with BOM) are all normal on Windows PCs."""
    assert parse_yaml(raw, name="t.yaml").data == {"名称": "桃源村"}


def test_binary_junk_is_refused() -> None:
    """Bytes that are no text get a message, not a traceback."""
    (message,) = problems(b"\x00\x01\x02\xff\xfe garbage")
    assert "不是可识别的文本" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b: c\n", "1:5: YAML 格式错误：此处不能出现"),
        ("a:\n  b: 1\n c: 2\n", "3:2: YAML 格式错误"),
        ("\ta: 1\n", "1:1: YAML 格式错误：出现了不能作为开头的字符"),
        ('a: "x\n', "2:1: YAML 格式错误：文件意外结束"),
        ("a: 1\n---\nb: 2\n", "2:1: YAML 格式错误：文件中只能有一个 YAML 文档"),
    ],
)
def test_syntax_errors_are_located_in_chinese(text: str, expected: str) -> None:
    """Syntax errors carry line and column and say how to fix the usual causes."""
    (message,) = problems(text)
    assert message.startswith(expected)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    """Unreadable paths become problems, not exceptions."""
    for path, text in ((tmp_path / "none.yaml", "文件不存在"), (tmp_path, "文件夹")):
        with pytest.raises(InputError) as caught:
            read_yaml(path)
        assert text in caught.value.problems[0].message


def test_empty_document_has_no_data() -> None:
    """An empty file parses to nothing; its readers say what is missing."""
    assert parse_yaml("", name="t.yaml").data is None


def test_sha256_is_of_the_bytes() -> None:
    """The rubric digest in reports is the digest of the file as stored."""
    import hashlib

    raw = b"a: 1\n"
    assert parse_yaml(raw, name="t.yaml").sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nnote: " + "7" * 4301 + "\n", "2:7: 数字“" + "7" * 23 + "…”有4301位"),
        ("a: [1, 2.5e" + "9" * 40 + "]\n", "1:8: 数字“2.5e" + "9" * 19 + "…”有42位"),
    ],
)
def test_numbers_with_too_many_digits_are_located(text: str, expected: str) -> None:
    """Python refuses ints of more than 4,300 digits; the reader refuses them first, located."""
    (message,) = problems(text)
    assert message.startswith(expected)


@pytest.mark.parametrize("item", ["1", "{}"])
def test_too_many_values_are_refused_before_building_the_tree(item: str) -> None:
    """Hundreds of thousands of tiny values are refused without building a node for each."""
    (message,) = problems("x: [" + ", ".join([item] * (MAX_NODES + 10)) + "]\n")
    assert f"文件中的值超过{MAX_NODES}个" in message
    assert "锚点" not in message


def test_the_value_count_blames_anchors_only_when_there_are_aliases() -> None:
    """Without any alias the message says the file is too big, not that anchors were abused."""
    (message,) = problems("".join(f"k{i}: [1, 2, 3, 4]\n" for i in range(41_000)))
    assert "值超过" in message
    assert "锚点" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\x07c\n", "1:5: 第1行第5列有控制字符（U+0007）"),
        ("名称: 桃源\n说明: 桃\x7f源\n", "2:6: 第2行第6列有控制字符（U+007F）"),
        ("a: 1\n" + "b: [" * 3 + "\x1b", "2:13: 第2行第13列有控制字符（U+001B）"),
    ],
)
def test_control_characters_are_located_in_chinese(text: str, expected: str) -> None:
    """libyaml's reader error gives a byte offset; it becomes a line and column of characters."""
    (message,) = problems(text)
    assert message.startswith(expected)
    assert "unicode string" not in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("名称: 桃源村\nyear: 2026\n".encode("utf-16-le"), "UTF-16 编码（小端序，无 BOM）"),
        ("名称: 桃源村\nyear: 2026\n".encode("utf-16-be"), "UTF-16 编码（大端序，无 BOM）"),
        ("名称: 桃源村\n".encode("utf-32"), "UTF-32 编码"),
        ("名称: 桃源村\n".encode("utf-32-le"), "UTF-32 编码（小端序）"),
    ],
)
def test_wide_encodings_are_named(raw: bytes, expected: str) -> None:
    """UTF-16 without a BOM and UTF-32 are named, with the encodings that are supported."""
    (message,) = problems(raw)
    assert f"文件是 {expected}；本工具支持 UTF-8（推荐）、GBK 和带 BOM 的 UTF-16 编码" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """Only regular files are read: a named pipe with no writer would otherwise block forever."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as caught:
        read_yaml(fifo)
    assert "不是普通文件" in caught.value.problems[0].message


def test_an_unreadable_file_is_its_own_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied becomes a located problem (root can read anything, so it is simulated)."""
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    real_open = os.open

    def refuse(name: str | Path, flags: int, *args: int) -> int:
        if Path(name) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    assert "没有读取这个文件的权限" in caught.value.problems[0].message


def test_locating_many_problems_stays_linear() -> None:
    """Each key is found through an index built once per mapping, not by rescanning the mapping."""
    doc = parse_yaml("".join(f"k{i}: {i}\n" for i in range(20_000)), name="t.yaml")
    assert doc.position(["k19999"], key=True) == (20000, 1)
    assert doc.position(["k0"]) == (1, 5)
    assert doc.key_locations([])["k123"].line == 124
    assert doc.line_text(3) == "k2: 2"


YAML_CASES = sorted((DATA / "yaml" / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("path", YAML_CASES, ids=lambda p: p.stem)
def test_yaml_errors_are_located_in_chinese(path: Path) -> None:
    """Each libyaml error class (and each limit) gets its position and a Chinese explanation."""
    expected = expected_problems(path)
    assert expected, "header lines # 预期错误：line:column 消息片段 missing"
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    found = [(p.line, p.column, p.message) for p in caught.value.problems]
    assert [(line, column) for line, column, _ in found] == [(row, col) for row, col, _ in expected]
    for (_, _, message), (_, _, fragment) in zip(found, expected, strict=True):
        assert fragment in message
        assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", message), message


def test_libyaml_is_imported_only_when_needed() -> None:
    """A file the fast reader reads never imports PyYAML (start-up time); asking for a position
    the fast reader did not note composes the tree then, and flow/alias syntax still parses."""
    code = (
        "import sys\n"
        "from lianchuang_cli.reading.yaml_reader import parse_yaml\n"
        "doc = parse_yaml(b'unit:\\n  name: x\\nindicators:\\n  a: {value: 3}\\n', name='t.yaml')\n"
        "assert 'yaml' not in sys.modules, 'yaml imported for a plain file'\n"
        "assert doc.position(['indicators', 'a', 'value']) == (4, 14)\n"
        "assert 'yaml' in sys.modules\n"
        "doc = parse_yaml(b'a: &x 1\\nb: *x\\n', name='t.yaml')\n"
        "assert doc.data == {'a': 1, 'b': 1}, doc.data\n"
    )
    run_python(code)
