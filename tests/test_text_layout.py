"""Chinese line breaking: numbers stay whole, no line starts with closing punctuation."""

from __future__ import annotations

import random

import pytest
from rich.cells import cell_len

from lianchuang_cli.reports import text_layout
from lianchuang_cli.reports.text_layout import break_lines, widest_piece

SAMPLE = (
    "要求不低于15%，38人中3人，约占7.89%，约低7.11个百分点，每低1个百分点扣0.3分，扣2.13分；"
    "实际-0.8个百分点，达到“≥-1个百分点”档，视情况得0–3分（村部经常无人值班）。"
)


@pytest.mark.parametrize("width", range(8, 61))
def test_every_width_keeps_numbers_whole_and_punctuation_attached(width: int) -> None:
    """At any width: lines fit, numbers are not split, no line starts with ，。；…

    Below 16 cells "7.11个百分点，" no longer fits on one line: the unit is then cut from the
    number, never the number itself.
    """
    lines = break_lines(SAMPLE, width)
    assert "".join(lines) == SAMPLE
    for line in lines:
        assert cell_len(line) <= width
        assert line[0] not in "，。；：、）」』】》？！%”"
        assert line[-1] not in "（「『【《“≥"
    numbers = ("7.89%", "7.11个百分点", "0.3分", "2.13分", "-0.8个百分点", "0–3分")
    for number in numbers if width >= 16 else ("7.89", "7.11", "0.3", "2.13", "-0.8", "0–3"):
        assert any(number in line for line in lines), (number, lines)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("扣0.3分", 5, ["扣", "0.3分"]),
        ("扣0.3分", 4, ["扣", "0.3", "分"]),
        ("得1.5分，扣完为止", 9, ["得1.5分，", "扣完为止"]),
        ("得1.5分，扣完为止", 8, ["得", "1.5分，", "扣完为止"]),
        ("村民代表会议决议（决议公开）", 12, ["村民代表会议", "决议（决议公", "开）"]),
        ("全体党员（正式）", 8, ["全体党员", "（正式）"]),
        ("abc def", 3, ["abc", "def"]),
        ("前\n\n后", 10, ["前", "", "后"]),
        ("party_congress", 6, ["party_", "congre", "ss"]),
    ],
)
def test_examples(text: str, width: int, expected: list[str]) -> None:
    """Breaks fall between Chinese characters or at spaces; only an over-wide piece is cut."""
    assert break_lines(text, width) == expected


def test_widest_piece_is_the_longest_unbreakable_run() -> None:
    """A table column must be at least this wide to avoid cutting anything."""
    assert widest_piece("每低1个百分点扣0.2分，") == cell_len("1个百分点")
    assert widest_piece("") == 0


def test_one_pass_pieces_equal_the_atom_by_atom_pieces() -> None:
    """The one-regex split (text without path separators) gives the pieces of the general split."""
    rng = random.Random(15)
    alphabet = [
        *"白水坑，。；：、）（「」《》【】？！％‰,.;:!?)]}%”’…—～·“‘([{≥≤＜＞<>± 　\t",
        *"0123456789.-+−–~～,abcXYZ_@",
        "万元",
        "个百分点",
        "12.5",
        "-3",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        assert text_layout._groups(text) == text_layout._path_groups(text), text
