"""Every output format of every command, in one place.

``FORMATS`` (``score`` and ``batch``) maps a format name to the function that writes a ``Report``.
The other commands' formats are ``TextFormat``s in ``COMMAND_FORMATS``: a function from what the
command produced (a county tree, a rubric diff, checked files) to text, given only the options
it declares (``width``/``color`` for tables, ``strict`` for problem lists). Every command's
``--format`` choices and help come from here, and README's format lists are tested against it.

A ``Format`` writer is ``write(report, stream) -> None``: text formats get a text stream (UTF-8, ``newline=""``),
binary formats (``binary=True``) a binary file. Writers are named by module and function and
imported only when used, so ``--help`` and ``score --format json`` never import rich or a workbook
library. Adding a format is one module under ``reports/`` and one line here; tests loop over
``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from typing import IO, TYPE_CHECKING, Any, cast

from msgspec import Struct

if TYPE_CHECKING:
    # Only for the type: ``--help`` imports this registry and must not pay for the report model.
    from lianchuang_cli.reports.batch_report import Report
    from lianchuang_cli.reports.json_line import RenderedLine
    from lianchuang_cli.scoring.results import UnitResult

Writer = Callable[["Report", IO[Any]], None]
Renderer = Callable[["UnitResult"], "RenderedLine"]
PartRenderer = Callable[["UnitResult"], bytes]


class Format(Struct, frozen=True):
    """A registered output format."""

    module: str
    function: str
    help: str
    binary: bool = False
    render: str = ""
    """Optional function of the same module, ``render(result) -> RenderedLine`` (one line of
    UTF-8, no newline, and where its rating fields are, for ``--cache`` to re-fill after
    re-rating: ``reports/json_line.py``): the engine calls it for each graded unit where the
    unit was graded (in the worker processes of ``--jobs N``) and the writer finds the lines in
    ``Report.rendered``."""
    reads_results: bool = True
    """Whether the writer reads each unit's full result (``Report.results()``) in a batch; when
    it does not, a batch does not keep them (the summary, and rendered lines, suffice)."""

    def writer(self) -> Writer:
        """Import and return the writer function."""
        return cast(Writer, getattr(import_module(self.module), self.function))

    def renderer(self) -> Renderer | None:
        """Import and return the per-result render function, if the format has one."""
        if not self.render:
            return None
        return cast(Renderer, getattr(import_module(self.module), self.render))


FORMATS: dict[str, Format] = {
    # A batch's table is its summary and ranking; ``score`` shows each unit's panel (it keeps
    # the results whatever the format).
    "table": Format(
        "lianchuang_cli.reports.table", "write_table", "表格，给人看", reads_results=False
    ),
    "json": Format(
        "lianchuang_cli.reports.json_report",
        "write_json",
        "JSON，一个对象",
        render="prerender",
        reads_results=False,
    ),
    "jsonl": Format(
        "lianchuang_cli.reports.json_report",
        "write_jsonl",
        "JSON Lines，每行一个单位",
        render="prerender",
        reads_results=False,
    ),
    "csv": Format(
        "lianchuang_cli.reports.csv_report",
        "write_csv",
        "排名表，Excel 可直接打开",
        reads_results=False,
    ),
    "markdown": Format(
        "lianchuang_cli.reports.markdown_report",
        "write_markdown",
        "汇总文档",
        reads_results=False,
    ),
    "html": Format(
        "lianchuang_cli.reports.html_report", "write_html", "可打印的网页报告（A4，评分表与图表）"
    ),
    "xlsx": Format(
        "lianchuang_cli.reports.xlsx_report",
        "write_xlsx",
        "Excel 工作簿（须 --output）",
        binary=True,
    ),
    "github": Format(
        "lianchuang_cli.reports.problems",
        "write_github",
        "GitHub Actions 工作流注释（材料错误标在行列上）",
    ),
    "junit": Format(
        "lianchuang_cli.reports.problems", "write_junit", "JUnit XML（每个文件一个测试用例）"
    ),
}


def write(name: str, report: Report, stream: IO[Any]) -> None:
    """Write ``report`` in format ``name``."""
    FORMATS[name].writer()(report, stream)


class TextFormat(Struct, frozen=True):
    """A registered format of ``grade-tree``, ``diff``, ``check`` or ``validate``: a function
    ``render(*subject, **options) -> str``, given only the ``options`` it names."""

    module: str
    function: str
    help: str
    options: tuple[str, ...] = ()
    pieces_function: str = ""
    """Optional function of the same module giving the same text as an iterator of pieces
    (``grade-tree``'s villages are written one at a time, never all held in memory)."""
    reads_results: bool = True
    """``grade-tree``: whether the report reads each village's full result (``TreeResult.full``);
    when it does not, the tree does not keep them (each village's ``TreeVillage`` suffices)."""
    render: str = ""
    """``grade-tree``: optional function of the same module, ``render(result) -> RenderedLine``,
    run where each village is graded; the report reads the lines (``TreeResult.line``) instead
    of full results."""
    part: str = ""
    """``grade-tree``: optional function of the same module, ``part(result) -> bytes``: a
    village's part of the report laid out where it is graded, from its full result (also one
    served by ``--cache``: unlike a ``render`` line it has no slots to re-fill after re-rating);
    the report reads the parts (``TreeResult.line``) instead of full results."""

    def renderer(self) -> Renderer | None:
        """Import and return the per-village render function, if the format has one."""
        if not self.render:
            return None
        return cast(Renderer, getattr(import_module(self.module), self.render))

    def part_renderer(self) -> PartRenderer | None:
        """Import and return the per-village part function, if the format has one."""
        if not self.part:
            return None
        return cast(PartRenderer, getattr(import_module(self.module), self.part))

    def __call__(self, *subject: Any, **options: Any) -> str:
        """Render ``subject`` (imported on first use)."""
        render = getattr(import_module(self.module), self.function)
        return cast(str, render(*subject, **{k: options[k] for k in self.options if k in options}))

    def pieces(self, *subject: Any, **options: Any) -> Iterator[str]:
        """The rendered text in pieces (the whole text as one piece without ``pieces_function``)."""
        if not self.pieces_function:
            yield self(*subject, **options)
            return
        render = getattr(import_module(self.module), self.pieces_function)
        yield from render(*subject, **{k: options[k] for k in self.options if k in options})


LAYOUT = ("width", "color")
_TREE = "lianchuang_cli.reports.tree_"
_DIFF = "lianchuang_cli.reports.diff_view"
_PROBLEMS = "lianchuang_cli.reports.problems"

TREE_FORMATS: dict[str, TextFormat] = {
    "table": TextFormat(
        f"{_TREE}table", "render_tree_table", "表格，给人看", LAYOUT, reads_results=False
    ),
    "json": TextFormat(
        f"{_TREE}json",
        "render_tree_json",
        "JSON，供程序读取（也是下一年的 --previous）",
        pieces_function="tree_json_pieces",
        reads_results=False,
        render="prerender_village",
    ),
    "html": TextFormat(
        "lianchuang_cli.reports.html_report",
        "render_tree_html",
        "可打印的网页报告（A4）",
        pieces_function="tree_html_pieces",
        reads_results=False,
        part="prerender_sheet",
    ),
}
DIFF_FORMATS: dict[str, TextFormat] = {
    "table": TextFormat(_DIFF, "render_diff_table", "表格，给人看", LAYOUT),
    "json": TextFormat(_DIFF, "render_diff_json", "JSON，供程序读取"),
    "markdown": TextFormat(_DIFF, "render_diff_markdown", "Markdown，可贴到代码评审中"),
}
CHECK_FORMATS: dict[str, TextFormat] = {
    "text": TextFormat(_PROBLEMS, "render_text", "每行一处问题（文件:行:列）", ("strict",)),
    "github": TextFormat(_PROBLEMS, "render_github", "GitHub Actions 工作流注释", ("strict",)),
    "junit": TextFormat(_PROBLEMS, "render_junit", "JUnit 测试报告 XML", ("strict",)),
}
VALIDATE_FORMATS: dict[str, TextFormat] = {
    "text": TextFormat(_PROBLEMS, "render_validation", "逐条列出错误，每个文件一行结论"),
    "github": CHECK_FORMATS["github"],
    "junit": CHECK_FORMATS["junit"],
}
_PUBLICATION = "lianchuang_cli.reports.publication"
VERIFY_FORMATS: dict[str, TextFormat] = {
    "table": TextFormat(_PUBLICATION, "render_review_table", "表格，给人看", LAYOUT),
    "html": TextFormat(
        _PUBLICATION, "render_review_html", "可打印的复核表网页（A4，评分表栏目同纸质表）"
    ),
}
COMMAND_FORMATS: dict[str, dict[str, Format] | dict[str, TextFormat]] = {
    "score": FORMATS,
    "batch": FORMATS,
    "grade-tree": TREE_FORMATS,
    "diff": DIFF_FORMATS,
    "check": CHECK_FORMATS,
    "validate": VALIDATE_FORMATS,
    "verify": VERIFY_FORMATS,
}
"""Command name → its formats (README's format lists are tested against this)."""


def format_help(formats: dict[str, Format] | dict[str, TextFormat]) -> str:
    """``--format``'s help: each format's name and what it is."""
    return "输出格式：" + "；".join(f"{name} {spec.help}" for name, spec in formats.items()) + "。"
