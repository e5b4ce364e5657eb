"""The fast line reader: it declines, or it reads exactly what libyaml reads (values and keys)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.reading.yaml_fast import scan
from lianchuang_cli.reading.yaml_reader import (
    SourceDocument,
    _parse_libyaml,
    decode_text,
    parse_yaml,
)
from lianchuang_cli.reports.template import render_template
from tests.conftest import DATA, EXAMPLES, MINI_RUBRIC, RUBRICS
from tests.test_template import fill

ROOT = Path(__file__).resolve().parents[1]
REPO_YAML = sorted(
    path
    for folder in (EXAMPLES, DATA, RUBRICS, ROOT / "src")
    for path in [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]
)
VALID_VILLAGES = sorted((EXAMPLES / "village").glob("*.yaml"))
RUBRIC_FILES = [*sorted(RUBRICS.glob("*.yaml")), MINI_RUBRIC]


def typed(value: Any) -> Any:
    """A value with the type and repr of every scalar, so Decimal('1.0') differs from 1.00."""
    if isinstance(value, dict):
        return {"dict": [(key, typed(item)) for key, item in value.items()]}
    if isinstance(value, list):
        return {"list": [typed(item) for item in value]}
    return (type(value).__name__, repr(value))


def libyaml_doc(text: str) -> SourceDocument:
    return _parse_libyaml(text, "t.yaml", "", None)


def assert_same_as_libyaml(text: str) -> bool:
    """Check the fast reader on ``text`` against libyaml; return whether it read the text."""
    fast = scan(text)
    try:
        slow = libyaml_doc(text)
    except InputError:
        assert fast is None, "libyaml refuses this text, the fast reader must decline"
        return False
    if fast is None:
        return False
    data, keys = fast
    assert typed(data) == typed(slow.data)
    for path, (column, lines) in keys.items():
        expected = slow.key_locations(path)
        assert {key: (at.line, at.column) for key, at in expected.items()} == {
            key: (line, column) for key, line in lines.items()
        }
    return True


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository(path: Path) -> None:
    try:
        text = decode_text(path.read_bytes(), path.name)
    except InputError:
        return  # not text the reader would ever see
    assert_same_as_libyaml(text)


@pytest.mark.parametrize("path", VALID_VILLAGES, ids=lambda p: p.stem)
def test_shipped_village_examples_are_read_fast(path: Path) -> None:
    """The files most users copy from never fall back to libyaml."""
    text = path.read_text(encoding="utf-8")
    assert assert_same_as_libyaml(text)
    doc = parse_yaml(text, name=path.name)
    assert doc._fast_keys is not None
    assert ("indicators",) in doc._fast_keys


@pytest.mark.parametrize("rubric_path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_templates_are_read_fast(rubric_path: Path) -> None:
    """``lianchuang template`` output, blank and filled in, is read without libyaml."""
    template = render_template(load_rubric(rubric_path).rubric)
    assert assert_same_as_libyaml(template)
    assert assert_same_as_libyaml(fill(template, rubric_path))


def varied(text: str, rng: random.Random) -> str:
    """An example with every value rewritten at random, as the batch benchmark generates."""

    def number() -> str:
        value = rng.uniform(-5, 120)
        return rng.choice([f"{value:.{rng.randint(0, 3)}f}", str(round(value)), f"{value:.1e}"])

    def value(match: re.Match[str]) -> str:
        kind = rng.randrange(6)
        if kind == 0:
            return f"{match.group(1)}{number()}"
        if kind == 1:
            return f"{match.group(1)}{{part: {rng.randint(0, 50)}, whole: {rng.randint(1, 60)}}}"
        if kind == 2:
            return (
                f'{match.group(1)}{{score: {number()}, reason: "部分工作未按期完成，群众有意见"}}'
            )
        if kind == 3:
            return f"{match.group(1)}{rng.choice(['true', 'false', 'True', '~', ''])}"
        if kind == 4:
            return f"{match.group(1)}{rng.choice(['优秀', '好', '０５７１', '１１', '－３．５'])}"
        return match.group(0)

    return re.sub(r"^(    value: ).*$", value, text, flags=re.MULTILINE)


def test_generated_benchmark_like_files() -> None:
    """Files like the benchmark's (every value varied at random) are all read fast."""
    rng = random.Random(8)
    examples = [path.read_text(encoding="utf-8") for path in VALID_VILLAGES]
    for index in range(5 * len(examples)):
        text = varied(examples[index % len(examples)], rng)
        assert assert_same_as_libyaml(text)
        assert assert_same_as_libyaml(text.replace("\n", "\r\n"))


def test_positions_of_a_fast_document_come_from_libyaml() -> None:
    """Nothing is composed for the indicators' keys; any other position composes lazily."""
    text = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
    fast = parse_yaml(text, name="t.yaml")
    slow = libyaml_doc(text)
    assert fast._tree == []
    assert fast.key_locations(["indicators"]) == slow.key_locations(["indicators"])
    assert fast._tree == []
    located: list[list[str | int]] = [
        ["unit", "code"],
        ["indicators", "team_unity", "value", "score"],
        ["bonuses", 1],
    ]
    for loc in located:
        assert fast.position(loc) == slow.position(loc)
        assert fast.position(loc, key=True) == slow.position(loc, key=True)
        assert fast.problem(loc, "消息") == slow.problem(loc, "消息")
    assert fast._tree != []
    # Through a sequence or into a flow mapping: answered from the node tree, as before.
    keyed: list[list[str | int]] = [["bonuses", 0], ["indicators", "team_unity", "value"], []]
    keyed.append(["nothing"])
    for loc in keyed:
        assert fast.key_locations(loc) == slow.key_locations(loc)
    assert fast.data == slow.data
    assert fast.root is not None
    assert slow.root is not None
    assert (fast.root.start_mark.line, fast.root.end_mark.line) == (
        slow.root.start_mark.line,
        slow.root.end_mark.line,
    )


@pytest.mark.parametrize(
    "text",
    [
        "a: x #c\nb: x#c\nc: 'x #c' #d\nd: \"a: b\"  # e\ne: a:b\nf: http://x.y/z?q=1\n",
        "a:\n- x\n- y: 1\n  z: [1, 2]\nb:   # c\n  c:\n    - {a: 1, b: 'x''y'}\n",
        "- a\n-   b: 1\n    c: ~\n- [ a , b ]\n- {}\n- -1\n- -.5\n",
        "  a: 1\n  b:\n      c: 2\n  d: 3\n",
        "a: 0571\nb: 1.10\nc: １１\nd: －３．５\ne: 1e3\nf: +1\ng: -0\nh: 12:30\ni: TRUE\n",
        "a: " + "长" * 2000 + "\nb: [" + "x" * 2000 + "]\nc: {d: " + "y" * 2000 + "}\n",
        "- " + "长" * 2000 + "\n- '" + "x" * 2000 + "'\n",
        "a: x\u3000\nb: \u3000y\nc: z\u00a0\nd: “本科”\ne: ［a.pdf］\n",
        "a: 1\r\nb:\r\n  c: 2\r\n",
    ],
)
def test_reads_like_libyaml(text: str) -> None:
    """Comments, quotes, colons, sequences in all their forms, long lines: read fast, the same."""
    assert assert_same_as_libyaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\ta\n",
        "a: x\rb: y\n",
        "a: x\x85b\n",
        "a: x\u2028\n",
        "\ufeffa: 1\n",
        "a: \ufeff1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "? a\n: 1\n",
        "a: |\n  x\n",
        "a: >\n  x\n",
        "a: x\n  y\n",
        "a: 'x\n  y'\n",
        'a: "x\\ny"\n',
        "a: [x, [y]]\n",
        "a: {b: {c: 1}}\n",
        "a: [x,\n  y]\n",
        "a: 1\na: 2\n",
        "a: 1234567890123456789012345678901\n",
        "名称: 桃源村\n",
        "a: b: c\n",
        "a：1\n",
        "a:\n- x\n-\n",
        "- - x\n",
        "a:\n    b: 1\n  c: 2\n",
        "",
        "# only a comment\n",
    ],
)
def test_declines(text: str) -> None:
    """What the fast reader leaves to libyaml (which reads it or reports the problem)."""
    assert scan(text) is None
    assert outcome(lambda: parse_yaml(text, name="t.yaml")) == outcome(lambda: libyaml_doc(text))


def outcome(read: Callable[[], SourceDocument]) -> object:
    """The values read, or the problems reported."""
    try:
        return typed(read().data)
    except InputError as exc:
        return [str(problem) for problem in exc.problems]


# ---------------------------------------------------------------- generated texts

KEYS = ["a", "b", "value", "note", "0571", "1", "true", "null", "a.b", "a-b", "名称", "a b", '"a"']
SCALARS = [
    *["0", "3", "0571", "1e3", "1E-2", ".5", "5.", "+1", "-0", "-1", "-.5", "1_000", "0x1F", "0o7"],
    *[
        "12:30",
        "2026-01-01",
        "1.10",
        "1.0",
        "93.8",
        "１１",
        "－３．５",
        "０５７１",
        ".inf",
        "-.inf",
    ],
    *["yes", "no", "on", "off", "y", "n", "null", "Null", "NULL", "~", "True", "TRUE", "tRue"],
    *["false", "桃源村", "“本科”", "［a.pdf］", "a\u3000", "\u3000a", "x  ", "a #b", "a#b"],
    *["a: b", "a:b", "a:", "a :b", "-x", "- x", "-", ":x", "?x", "? x", "@x", "`x", "%x", "&a x"],
    *["*a", "!!str 0571", "!x y", "|", ">-", ",x", "x,y", "x]", "x}", "a'b", 'a"b', "#c", ""],
    *['"a #b"', '"a: b"', '"a\\nb"', '"a\\"b"', '""', "''", "'it''s'", "'a' b", '"a"#c', '"a" #c'],
    *['"unclosed', "'unclosed", "'a\\b'", '"多行', "[a.pdf, b.pdf]", "[a,b]", "[ a , b ]", "[]"],
    *[
        "[ ]",
        "[a,]",
        "[a, , b]",
        "[a, [b]]",
        "[a: b]",
        "[a #b]",
        "[a#b]",
        "[-1, -x, - x]",
        "[1.0, 2]",
    ],
    *["['x', \"y\"]", "[\"a,b\", 'c]']", "[a] b", "[a] #c", "[a]#c", "{}", "{ }", "{a: 1}"],
    *['{score: 3, reason: "x"}', "{a: 1, a: 2}", "{a: }", "{a:1}", "{a: 1,}", "{a: [1]}"],
    *["{part: 29, whole: 38}", "{a: b: c}", '{"a": 1}', "{a: 1]", "[a}", "{a: 'x''y'}", "{a}"],
]
ALPHABET = " #:-[]{},'\"\\ab01.\u3000：\t&*!|>?%@`~"


def libyaml_reads(value: str) -> bool:
    try:
        libyaml_doc(f"a: {value}\n")
    except InputError:
        return False
    return True


READABLE = [value for value in SCALARS if libyaml_reads(value)]
"""The scalars libyaml reads after a key: most of a generated text, so that many are read."""


@st.composite
def document(draw: st.DrawFn) -> str:
    """Lines whose indentation mostly follows the structure so far, with tricky values."""
    levels = [0]
    out = []
    for _ in range(draw(st.integers(1, 10))):
        move = draw(st.integers(0, 19))
        if move <= 9:
            indent = levels[-1]
        elif move <= 13:
            indent = levels[-1] + draw(st.sampled_from([1, 2, 2, 2, 4]))
            levels.append(indent)
        elif move <= 18:
            levels = levels[: draw(st.integers(1, len(levels)))]
            indent = levels[-1]
        else:
            indent = draw(st.integers(0, 6))
        scalar = draw(st.sampled_from(READABLE) if draw(st.integers(0, 5)) else tricky)
        key = draw(st.sampled_from(KEYS[:7]) if draw(st.integers(0, 5)) else st.sampled_from(KEYS))
        comment = draw(st.sampled_from(["", "", "", "", "", " # 注释", "  #c", "#c", "   "]))
        pad = " " * indent
        shape = draw(st.integers(0, 30))
        if shape == 0:
            out.append(pad + draw(st.sampled_from(["", "# c", "---", "...", "%YAML 1.2", "- "])))
        elif shape == 1:
            out.append(f"{pad}{key}：{scalar}")
        elif shape <= 8:
            out.append(f"{pad}{key}:{comment}")
        elif shape <= 13:
            out.append(f"{pad}- {scalar}{comment}")
        elif shape <= 17:
            out.append(f"{pad}- {key}: {scalar}{comment}")
        else:
            out.append(f"{pad}{key}: {scalar}{comment}")
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]))
    return newline.join(out) + draw(st.sampled_from([newline, "", newline + newline]))


tricky = st.sampled_from(SCALARS) | st.text(ALPHABET, max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_generated_texts(text: str) -> None:
    """Tricky lines: either declined, or read exactly as libyaml reads them."""
    assert_same_as_libyaml(text)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_generated_evidence_like_texts(data: st.DataObject) -> None:
    """Nested evidence-shaped files with a tricky value here and there."""
    out = ["rubric: village", "unit:", "  name: 桃源村", "indicators:"]
    for number in range(data.draw(st.integers(1, 4))):
        out.append(f"  i{number}:")
        keys = st.lists(st.sampled_from(KEYS[:5]), min_size=1, max_size=3, unique=True)
        for key in data.draw(keys):
            value = data.draw(st.sampled_from(READABLE) if data.draw(st.integers(0, 4)) else tricky)
            indent = data.draw(st.sampled_from(["    ", "    ", "    ", "   ", "      "]))
            out.append(f"{indent}{key}: {value}")
    out.append(data.draw(st.sampled_from(["bonuses: []", "bonuses:", "bonuses:\n  - {a: 1}"])))
    out.append(data.draw(st.sampled_from(["vetoes:\n- x\n- y: 1\n  z: 2", "vetoes:\n  - x"])))
    assert_same_as_libyaml("\n".join(out) + "\n")


EDITS = [*" #:-\"'[]{},\t\n\r&*!|>?%@`~：\u3000x0.\\", "\n  ", ": ", " #", "- ", "\r\n", "---"]


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(VALID_VILLAGES),
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.sampled_from(["insert", "delete", "replace"]),
            st.sampled_from(EDITS),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_edited_examples(path: Path, edits: list[tuple[float, str, str]]) -> None:
    """A shipped example with a character or two typed, deleted or changed anywhere."""
    text = path.read_text(encoding="utf-8")
    for where, how, what in edits:
        at = int(where * len(text))
        if how == "insert":
            text = text[:at] + what + text[at:]
        elif how == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + what + text[at + 1 :]
    assert_same_as_libyaml(text)


def test_odd_characters_are_the_complement_of_libyaml_printable() -> None:
    """``_ODD`` is written as a small class for start-up time; it must match exactly the
    characters outside what the fast reader accepts, over every code point."""
    from lianchuang_cli.reading import yaml_fast

    accepted = re.compile(
        "[^\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )
    everything = "".join(map(chr, range(0x110000)))
    expected = [m.start() for m in accepted.finditer(everything)]
    assert [m.start() for m in yaml_fast._ODD.finditer(everything)] == expected
