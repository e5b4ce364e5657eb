"""The printable HTML report: self-contained, escaped, the table's wording, and it prints in Chromium."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.batching.engine import grade_batch
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports import wording
from lianchuang_cli.reports.batch_report import ReportOptions
from lianchuang_cli.reports.html_charts import score_bands
from lianchuang_cli.reports.html_report import render_tree_html, write_html
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.tree.grade import grade_tree
from tests.conftest import EXAMPLES
from tests.test_tree_formats import expected, read_html

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
DEMO = EXAMPLES / "county-demo"
CHROMIUM = Path("/usr/bin/chromium")
SHEET_COLUMNS = ("分值", "考评内容与评分标准", "自评分", "得分", "说明")


def page(paths: list[Path], *, unit_panels: bool = True) -> str:
    """The HTML report for ``paths``: as ``score`` writes it, or as ``batch`` does."""
    stream = io.StringIO()
    with grade_batch([str(p) for p in paths]) as batch:
        write_html(batch.report(ReportOptions(unit_panels=unit_panels)), stream)
    return stream.getvalue()


def graded(path: Path) -> UnitResult:
    """A result that must grade."""
    result = grade_file(path)
    assert isinstance(result, UnitResult), result
    return result


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_score_sheet_says_what_the_table_says(path: Path) -> None:
    """One unit: the paper form's columns, and every gap, advice and note worded as in the table."""
    text = html.unescape(page([path]))
    result = graded(path)
    for column in SHEET_COLUMNS:
        assert f"<th>{column}</th>" in text
    for criterion in result.criteria:
        assert f'<th colspan="5">{criterion.name}（' in text
    assert f"{result.unit_name}评分表" in text
    for gap in result.gaps:
        assert gap.explanation in text
        assert gap.advice in text
    for line in (wording.next_rating_text(result), *wording.score_notes(result)):
        assert line in text
    for reason in result.veto_reasons:
        assert reason in text


def test_page_needs_nothing_from_outside() -> None:
    """No script, no stylesheet or font link, no image or URL other than the SVG namespace."""
    text = page(VALID, unit_panels=False) + page(VALID[:1])
    assert "<script" not in text
    assert "<link" not in text
    assert "@import" not in text
    assert "url(" not in text
    assert not re.search(r"\b(?:src|href)=", text)
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {"http://www.w3.org/2000/svg"}


def test_batch_has_charts_ranking_and_common_problems() -> None:
    """A batch: three inline SVG charts, 共性问题, and a ranking row for every unit."""
    text = page(VALID, unit_panels=False)
    assert text.count("<svg") == 3
    for title in ("排名（总分）", "等级分布", "各考评项目平均分", "共性问题"):
        assert title in text
    ranking = text[text.index("<h2>排名</h2>") :]
    for path in VALID:
        assert graded(path).unit_name in ranking


def test_user_text_is_escaped(tmp_path: Path) -> None:
    """Markup typed into an evidence file is shown as text, never run."""
    source = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
    hostile = source.replace("name: 桃源村党总支", 'name: "<script>alert(1)</script>村"', 1)
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile, encoding="utf-8")
    text = page([path])
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;村" in text


def test_score_and_batch_write_html_files(tmp_path: Path) -> None:
    """score -o x.html and batch -o x.html (format taken from the suffix) both write a page."""
    runner = CliRunner()
    scored = tmp_path / "score.html"
    result = runner.invoke(main, ["score", str(VALID[0]), "--format", "html", "-o", str(scored)])
    assert result.exit_code == 0, result.output
    batch = tmp_path / "batch.html"
    folder = tmp_path / "in"
    folder.mkdir()
    for path in VALID:
        shutil.copy(path, folder / path.name)
    result = runner.invoke(main, ["batch", str(folder), "-j", "1", "-o", str(batch)])
    assert result.exit_code == 0, result.output
    assert scored.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "共性问题" in batch.read_text(encoding="utf-8")


def test_grade_tree_html_has_every_level() -> None:
    """grade-tree --format html: the county overview, each township's villages, every sheet."""
    args = ["grade-tree", str(DEMO), "--previous", str(DEMO / "last-year-2025.json")]
    result = CliRunner().invoke(main, [*args, "--format", "html"])
    text = html.unescape(result.stdout)
    assert text.startswith("<!DOCTYPE html>")
    assert "青山县委“三级联创”评分结果" in text
    for township in ("桃源镇党委", "村排名"):
        assert township in text
    assert text.count('<section class="sheet">') == 17  # 1 county, 3 townships, 13 villages


def chromium(tmp_path: Path, target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on a local file, isolated from the network and any profile."""
    if not CHROMIUM.exists():
        if os.environ.get("LIANCHUANG_REQUIRE_CHROMIUM"):
            pytest.fail(
                "/usr/bin/chromium is missing but CI requires it (apt-get install chromium)"
            )
        pytest.skip("/usr/bin/chromium is not installed here (Debian package chromium); CI has it")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        target.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    """Lines where Chromium reports the page's console output or a resource it could not load."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line or "Failed to load resource" in line or "Uncaught" in line
    ]


def test_console_check_sees_page_errors(tmp_path: Path) -> None:
    """The check below would notice a page that logs an error (so its silence means something)."""
    noisy = tmp_path / "noisy.html"
    noisy.write_text('<html><body><script>console.error("坏了")</script></body></html>')
    run = chromium(tmp_path, noisy, "--dump-dom")
    assert console_messages(run.stderr)


def test_page_renders_without_console_errors_and_prints_to_pdf(tmp_path: Path) -> None:
    """Chromium renders a batch report with unit sheets silently and prints it to A4 pages."""
    target = tmp_path / "report.html"
    target.write_text(page(VALID[:3]), encoding="utf-8")
    shown = chromium(tmp_path, target, "--dump-dom")
    assert shown.returncode == 0, shown.stderr
    assert "评分表" in shown.stdout
    assert console_messages(shown.stderr) == []
    pdf = tmp_path / "report.pdf"
    printed = chromium(tmp_path, target, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert printed.returncode == 0, printed.stderr
    assert console_messages(printed.stderr) == []
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", content))
    # The summary (2 pages for three units), then each unit's sheet on 2–3 pages like the paper form.
    assert 2 + 2 * 3 <= pages <= 2 + 3 * 3
    # A4 portrait is 595 × 842 points (Chromium writes 594.96 × 841.92).
    sizes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", content)
    assert sizes
    assert all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in sizes)


def test_histogram_keeps_empty_bands() -> None:
    """Issue 16.9: 95, 85.5 and 52 give five bands, 70–80 and 60–70 empty (not 80–90 next to 50–60)."""
    bands = score_bands([Decimal("95"), Decimal("85.5"), Decimal("52")])
    assert bands == [(90, 1), (80, 1), (70, 0), (60, 0), (50, 1)]
    assert score_bands([]) == []


def test_printed_ranking_gives_notes_their_own_line() -> None:
    """The veto note spans the table under its unit's row; path, 状态 and 备注 are not columns."""
    text = page(VALID, unit_panels=False)
    ranking = text[
        text.index("<h2>排名</h2>") : text.index("</table>", text.index("<h2>排名</h2>"))
    ]
    header = re.findall(r"<th>([^<]*)</th>", ranking)
    assert {"文件", "状态", "备注"}.isdisjoint(header)
    assert header[:2] == ["名次", "单位"]
    vetoed = graded(EXAMPLES / "village" / "hexi_vetoed.yaml")
    note = "备注：一票否决：" + "；".join(vetoed.veto_reasons)
    assert f'<td colspan="{len(header) - 1}">{html.escape(note)}</td>' in ranking


def test_invalid_files_head_their_problems() -> None:
    """Each bad file's name heads its problems' rows (位置, 严重程度, 错误)."""
    text = html.unescape(page(VALID[:1] + INVALID, unit_panels=False))
    section = text[text.index("<h2>无法评分的文件</h2>") :]
    for path in INVALID:
        assert section.count(f'<th colspan="3">{path}</th>') == 1
    assert "<th>位置</th><th>严重程度</th><th>错误</th>" in section
    # Indicators are named in Chinese, the key the file needs in brackets (issue 16.9).
    assert "民情恳谈会（people_forums）、困难群众帮扶（needy_care）" in section
    assert "发生安全生产一般事故（safety_accident）" in section
    assert not re.search(r"[a-z_]+（[^a-z（）]*[\u4e00-\u9fff]", section)


MEASURE = """<script>
(() => {
  const narrow = [];
  let tallest = [0, ""];
  for (const cell of document.querySelectorAll("th, td")) {
    const style = getComputedStyle(cell);
    const em = parseFloat(style.fontSize);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner < 4 * em - 0.5) narrow.push([cell.textContent.slice(0, 20), inner / em]);
  }
  for (const row of document.querySelectorAll("tr")) {
    const lines = row.getBoundingClientRect().height / parseFloat(getComputedStyle(row.cells[0]).lineHeight);
    if (lines > tallest[0]) tallest = [lines, row.textContent.slice(0, 40)];
  }
  document.body.setAttribute("data-measured", JSON.stringify({narrow, tallest}));
})();
</script>"""
"""Measures the laid-out page: cells narrower than four characters of their font, the tallest row."""


def measured(tmp_path: Path, text: str) -> tuple[str, dict[str, list[object]]]:
    """A copy of the page laid out by Chromium at the printed width (A4 less margins = 188 mm = 710 px
    at 96 dpi): the DOM it built and what the measuring script found."""
    target = tmp_path / "measured.html"
    target.write_text(text.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    run = chromium(tmp_path, target, "--window-size=800,1100", "--dump-dom")
    assert run.returncode == 0, run.stderr
    found = re.search(r'data-measured="([^"]*)"', run.stdout)
    assert found, run.stdout[:500]
    result: dict[str, list[object]] = json.loads(html.unescape(found[1]))
    return run.stdout, result


def printed_pages(tmp_path: Path, text: str, name: str) -> int:
    """How many A4 pages Chromium prints the page on."""
    target = tmp_path / f"{name}.html"
    target.write_text(text, encoding="utf-8")
    pdf = tmp_path / f"{name}.pdf"
    printed = chromium(tmp_path, target, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert printed.returncode == 0, printed.stderr
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


TALLEST_ROW_LINES = 6
"""A printed row taller than this many lines of its text is a layout fault (a vetoed unit's note in a
narrow column made one of 15 lines); the longest indicator rows take 4–5."""


def test_printed_batch_has_no_narrow_column_and_no_tall_row(tmp_path: Path) -> None:
    """Issue 16.9: batch summary with the vetoed unit and invalid files, and unit sheets: every column
    keeps four characters' room (按得分等级, 严重程度 wrapped a character a line) and no row is tall."""
    _, found = measured(tmp_path, page(VALID + INVALID[:4]))
    assert found["narrow"] == []
    lines, row = found["tallest"]
    assert isinstance(lines, float | int)
    assert lines <= TALLEST_ROW_LINES, row


def test_score_sheet_prints_on_three_pages_at_most(tmp_path: Path) -> None:
    """Issue 16.9: 白水坑村's sheet (46 gaps) printed on 8 A4 pages; the paper form takes 2–3."""
    assert (
        printed_pages(tmp_path, page([EXAMPLES / "village" / "baishui_failing.yaml"]), "one") <= 3
    )


def test_printed_county_report(tmp_path: Path) -> None:
    """Issue 16.1/16.9: the county report as Chromium lays it out shows the tree's figures (read
    back from its DOM), keeps every column four characters wide, and prints one page for the overview,
    one per township and at most three per unit sheet."""
    tree = grade_tree(DEMO)
    text = render_tree_html(tree)
    dom, found = measured(tmp_path, text)
    assert found["narrow"] == []
    assert read_html(dom, tree) == expected(tree)
    sheets = 1 + len(tree.townships) + sum(len(n.villages) for n in tree.townships)
    pages = printed_pages(tmp_path, text, "county")
    assert pages <= 1 + len(tree.townships) + 3 * sheets
