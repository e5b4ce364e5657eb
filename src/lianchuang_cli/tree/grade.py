"""Grade a county folder bottom-up: villages, then townships with their villages' figures, then
the county with its townships' and villages' figures. No I/O beyond reading the input files.

Units link by code: a village names its township's code (``unit.township_code``), a township its
county's (``unit.county_code``). Whatever does not link is reported like a validation error and
left out of the figures above it; a file that cannot be graded never stops the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

from lianchuang_cli.batching.discovery import evidence_paths
from lianchuang_cli.batching.engine import graded_chunks, open_cache
from lianchuang_cli.batching.spool import spool_record
from lianchuang_cli.errors import Problem
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.evidence import did_you_mean
from lianchuang_cli.model.evidence_data import NotApplicable
from lianchuang_cli.model.rubric import LoadedRubric, Rubric, shipped_rubrics_dir
from lianchuang_cli.reports.json_line import Render
from lianchuang_cli.scoring.linked import LowerUnit, linked_values
from lianchuang_cli.scoring.placing import check_tree_quotas, place_level
from lianchuang_cli.scoring.ranking import RankKey, ranked_first
from lianchuang_cli.scoring.results import Provenance, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary
from lianchuang_cli.tree.facts import fact_problems
from lianchuang_cli.tree.previous import PreviousFigures
from lianchuang_cli.tree.tree_result import (
    SeenUnit,
    TownshipNode,
    TreeResult,
    TreeVillage,
    Unlinked,
)
from lianchuang_cli.tree.units import (
    PARENT_KEY,
    SpooledResults,
    TreeUnit,
    TreeWork,
    grade_unit,
    numbered,
    read_file,
    village_evidence,
)

PARENT_NAME = {"village": "乡镇", "township": "县"}
LEVEL_WORD = {"village": "村", "township": "乡镇", "county": "县"}

_Unit = TreeUnit


def tree_files(root: Path) -> list[Path]:
    """Every evidence file (YAML or workbook) under ``root``, in any layout, in a stable order."""
    return evidence_paths([root])


def grade_tree(
    root: Path,
    *,
    previous: PreviousFigures | None = None,
    previous_file: str = "",
    previous_year: int | None = None,
    rubrics: Mapping[str, Path] | None = None,
    quotas: Mapping[str, Decimal] | None = None,
    jobs: int = 1,
    cache_dir: Path | None = None,
    keep_results: bool = True,
    render: Render | None = None,
    part: Callable[[UnitResult], bytes] | None = None,
    loader: RubricLoader = PLAIN,
) -> TreeResult:
    """Grade every file under ``root`` as one county; see the module docstring.

    ``rubrics`` (rubric id → file) replaces the shipped rubrics (a publication pack's copies).
    ``quotas`` (``--quota``: percent per rating) apply to the villages and to the townships, over
    each level's rubric ``quotas``; the ratings after quotas are the ones counted a level up.
    ``QuotaError`` when a quota names no village or township rating.
    The files are read, and the villages graded, by the batch engine (``jobs`` processes,
    ``cache_dir`` as ``batch --cache``); the villages' full results wait in a spool that the
    result holds until it is closed (``TreeResult.full`` reads them back). Without
    ``keep_results`` they are not kept (a report that reads only ``TreeVillage`` facts, like the
    table), and ``TreeResult.full`` must not be asked for a village; with ``render`` (a format's
    ``TextFormat.render``) each village's line is rendered where it is graded and kept instead
    (``TreeResult.line``); with ``part`` (a format's ``TextFormat.part``) each village's part
    of the report, laid out where it is graded from its full result, also one from the cache.
    Rubrics are loaded by ``loader``, here and in the workers.
    """
    lines = render is not None or part is not None
    store = SpooledResults("results" if keep_results else "lines" if lines else "")
    rubrics = rubrics or {}
    work = TreeWork(tuple(rubrics.items()), cache_dir, keep_results, loader, render, part)
    try:
        return _grade_tree(
            root, store, previous or {}, previous_file, previous_year, rubrics, quotas or {},
            jobs, work,
        )  # fmt: skip
    except BaseException:
        store.close()
        raise


def _grade_tree(
    root: Path,
    store: SpooledResults,
    previous: PreviousFigures,
    previous_file: str,
    previous_year: int | None,
    rubrics: Mapping[str, Path],
    quotas: Mapping[str, Decimal],
    jobs: int,
    work: TreeWork,
) -> TreeResult:
    loader = work.loader
    units = _read_all([str(path) for path in tree_files(root)], rubrics, jobs, work, store)
    levels = {u.level or "": _rubric(u, rubrics, loader) for u in units[::-1] if u.rubric_id}
    check_tree_quotas(quotas or {}, levels)
    problems: list[Problem] = []  # last year's file is checked after (previous.check_against)
    county = _the_county(root, units, problems)
    _check_codes(units, problems)
    townships = [u for u in units if u.level == "township" and not u.left_out]
    if county is not None:
        _link(townships, [county], problems)
    _link([u for u in units if u.level == "village" and not u.left_out], townships, problems)
    for township in townships:
        if not township.children and township.code:
            message = (
                f"没有任何村的 township_code 指向本乡镇（代码“{township.code}”）；"
                "请检查各村材料的 township_code，或把本乡镇的村级材料放入文件夹"
            )
            problems.append(township.at("code", message, "tree-no-villages"))
    ordered = sorted(townships, key=lambda t: (t.code, t.name))
    villages = [v for t in ordered for v in sorted(_graded(t.children), key=_ranked)]
    placed = {"village": _place(villages, "village", units, quotas, rubrics, loader)}
    for unit in units:
        if unit.level == "township":
            below = {"village": unit.children}
            _grade(unit, _values(unit, previous, below, problems), below)
    placed["township"] = _place(_graded(ordered), "township", units, quotas, rubrics, loader)
    if county is not None:
        linked_townships = [t for t in townships if t.linked_to is county]
        villages = [v for t in linked_townships for v in t.children]
        below = {"village": villages, "township": linked_townships}
        _grade(county, _values(county, previous, below, problems), below)
    for extra in units:
        if extra.level == "county" and extra is not county:
            # Graded on its own declared values only, and listed as left out.
            _grade(extra, _values(extra, previous, {"village": [], "township": []}, []))
    if (
        previous_file
        and previous_year is not None
        and county
        and county.year is not None
        and previous_year != county.year - 1
    ):
        message = f"上年结果为{previous_year}年度，而本次考评为{county.year}年度；逐年比较应使用上一年度的结果"
        problems.append(Problem(previous_file, 1, 1, message, "warning", "tree-previous-year"))
    return TreeResult(
        root=str(root),
        county=_own(county) if county else None,
        county_file=county.name if county else "",
        county_code=county.code if county else "",
        townships=tuple(_node(t) for t in ordered),
        unlinked=tuple(
            Unlinked(u.result, u.left_out) for u in units if u.result is not None and u.left_out
        ),
        failures=tuple(u.failure for u in units if u.failure is not None),
        failed_levels=tuple(u.level or "" for u in units if u.failure is not None),
        problems=tuple(sorted(problems, key=lambda p: (p.file, p.line, p.column))),
        previous_file=previous_file,
        levels=placed,
        seen=tuple(
            SeenUnit(u.name, u.level, u.code, u.label, u.parent, u.township, u.county)
            for u in units
            if u.code and u.level
        ),
        store=store,
    )


def _read_all(
    files: list[str], rubrics: Mapping[str, Path], jobs: int, work: TreeWork, store: SpooledResults
) -> list[_Unit]:
    """Every file read, in order, and every village graded (``tree.units``), by the engine;
    township and county files are read again here, where they are graded later."""
    units: list[_Unit] = []
    cache = open_cache(work.cache_dir, work.loader)
    chunks = graded_chunks(files, jobs=jobs, work=work, spools={"results": store.spool})
    with closing(chunks):
        for chunk in chunks:
            for unit in chunk:
                if unit.level in ("township", "county"):
                    unit = read_file(unit.name, rubrics, cache, work.loader)
                elif unit.record is not None and isinstance(unit.result, TreeVillage):
                    unit.result = numbered(unit.result, len(store.spool))
                    spool_record(store.spool, unit.record)
                    unit.record = None
                units.append(unit)
    store.spool.file.flush()
    return units


def _graded(units: list[_Unit]) -> list[_Unit]:
    return [u for u in units if u.result is not None]


def _place(
    placed: list[_Unit],
    level: str,
    units: list[_Unit],
    quotas: Mapping[str, Decimal],
    rubrics: Mapping[str, Path],
    loader: RubricLoader,
) -> BatchSummary:
    """Rank ``placed`` (one level's graded units, in the tree's order) and apply the quotas."""
    rubric = _rubric(placed[0], rubrics, loader) if placed else None
    township_scope = level == "village" and rubric is not None and rubric.quota_scope == "township"
    summary = place_level(
        [u.result for u in placed if u.result is not None],
        level=level,
        rubric=rubric,
        quotas=quotas,
        invalid=sum(u.level == level and u.failure is not None for u in units),
        groups=[u.linked_to.label if u.linked_to else "" for u in placed] if township_scope else (),
    )
    for index, unit in enumerate(placed):
        unit.placement = summary.placements[index]
    return summary


def _rubric(unit: _Unit, rubrics: Mapping[str, Path], loader: RubricLoader) -> Rubric:
    """The rubric ``unit`` was checked against (loaded again, here, for a file read in a worker
    process)."""
    if unit.plan is not None:
        return unit.plan.loaded.rubric
    path = rubrics.get(unit.rubric_id) or shipped_rubrics_dir() / f"{unit.rubric_id}.yaml"
    loaded: LoadedRubric = loader.load(path)
    return loaded.rubric


def _the_county(root: Path, units: list[_Unit], problems: list[Problem]) -> _Unit | None:
    counties = [u for u in units if u.level == "county"]
    if not units:
        message = "文件夹（含子文件夹）中没有材料文件（.yaml、.yml、.xlsx）；请检查路径"
        problems.append(Problem(str(root), 1, 1, message, code="tree-empty"))
        return None
    if not counties:
        message = "文件夹中没有县级材料（rubric: county）；乡镇、村照常评分，但无法汇总到县"
        problems.append(Problem(str(root), 1, 1, message, code="tree-no-county"))
        return None
    for extra in counties[1:]:
        extra.left_out = f"文件夹中已有县级材料 {counties[0].name}"
        message = f"文件夹中有多个县级材料：汇总使用 {counties[0].name}，本文件未参与汇总"
        problems.append(extra.at("code", message, "tree-many-counties"))
    return counties[0]


def _check_codes(units: list[_Unit], problems: list[Problem]) -> None:
    """Two files naming one unit code: the first (in path order) counts, the others do not."""
    first: dict[str, _Unit] = {}
    for unit in units:
        if not unit.code or unit.left_out:
            continue
        if unit.code in first:
            earlier = first[unit.code]
            unit.left_out = f"单位代码“{unit.code}”与 {earlier.name} 重复"
            message = (
                f"单位代码“{unit.code}”与 {earlier.name} 重复；同一单位只能有一份材料，"
                "本文件未计入汇总。请核对代码，或删去重复的文件"
            )
            problems.append(unit.at("code", message, "tree-duplicate-code"))
        else:
            first[unit.code] = unit


def _link(children: list[_Unit], parents: Sequence[_Unit], problems: list[Problem]) -> None:
    """Attach each child to the parent whose code it names; report what does not fit."""
    by_code = {p.code: p for p in parents if p.code}
    for child in children:
        level = child.level or "village"
        key = PARENT_KEY[level]
        parent_word = PARENT_NAME[level]
        if not child.parent:
            if not child.readable or child.code == "":
                continue  # unreadable: its own failure says why
            child.left_out = f"未填写 {key}"
            message = f"缺少 {key}（所属{parent_word}的单位代码），无法归入{parent_word}；本文件未计入汇总"
            problems.append(child.at("code", message, "tree-parent-code-missing"))
            continue
        parent = by_code.get(child.parent)
        if parent is None:
            child.left_out = f"{key}“{child.parent}”没有对应的{parent_word}材料"
            codes = "、".join(sorted(by_code)) or "无"
            message = (
                f"{key}“{child.parent}”没有对应的{parent_word}材料（文件夹中的{parent_word}代码："
                f"{codes}），本文件未计入汇总{did_you_mean(child.parent, by_code)}"
            )
            problems.append(child.at(key, message, "tree-parent-not-found"))
            continue
        if child.year is not None and parent.year is not None and child.year != parent.year:
            child.left_out = f"考评年度{child.year}与所属{parent_word}的{parent.year}不一致"
            message = (
                f"考评年度{child.year}与所属{parent_word}（{parent.name}）的{parent.year}不一致；"
                "本文件未计入汇总"
            )
            problems.append(child.at("year", message, "tree-year-mismatch"))
            continue
        child.linked_to = parent
        parent.children.append(child)


def _values(
    unit: _Unit, previous: PreviousFigures, below: dict[str, list[_Unit]], problems: list[Problem]
) -> dict[str, tuple[Any, Provenance]]:
    if unit.plan is None or unit.evidence is None:
        return {}
    indicators = list(unit.plan.linked)
    declared = {
        i.id: unit.evidence.values[i.id]
        for i in indicators
        if i.id in unit.evidence.values
        and not isinstance(unit.evidence.values[i.id], NotApplicable)
    }
    last = {
        indicator: figure for (code, indicator), figure in previous.items() if code == unit.code
    }
    values: dict[str, tuple[Any, Provenance]] = {}
    for level, children in below.items():
        lower = _lower(children)
        values.update(
            linked_values(
                [i for i in indicators if i.linked is not None and i.linked.of == level],
                lower,
                found=len(children),
                declared=declared,
                previous=last,
            )
        )
    villages = [village_evidence(c) for c in below.get("village", []) if c.result]
    problems.extend(fact_problems(unit.plan.loaded, unit.evidence, values, villages))
    return values


def _lower(children: list[_Unit]) -> list[LowerUnit]:
    """The graded units among ``children``, with their village profiles."""
    return [LowerUnit(c.result, c.profile, c.placement) for c in children if c.result is not None]


def _grade(
    unit: _Unit,
    linked: dict[str, tuple[Any, Provenance]],
    below: dict[str, list[_Unit]] | None = None,
) -> None:
    lower = None if below is None else {level: _lower(c) for level, c in below.items()}
    grade_unit(unit, linked, lower)


def _node(township: _Unit) -> TownshipNode:
    ranked = sorted(_graded(township.children), key=_ranked)
    graded = [c.result for c in ranked if isinstance(c.result, TreeVillage)]
    placements = tuple(c.placement for c in ranked if c.placement is not None)
    ratings = graded[0].ratings if graded else ()
    distribution = tuple((name, sum(p.rating == name for p in placements)) for name in ratings)
    return TownshipNode(
        code=township.code,
        file=township.name,
        result=_own(township),
        villages=tuple(graded),
        villages_found=len(township.children),
        distribution=distribution,
        placement=township.placement,
        placements=placements,
    )


def _own(unit: _Unit) -> UnitResult | None:
    """The full result of a unit graded in this process (a township, the county)."""
    assert unit.result is None or isinstance(unit.result, UnitResult)
    return unit.result


def _ranked(unit: _Unit) -> RankKey:
    """``ranking.rank_key`` of a graded unit."""
    assert unit.result is not None
    return ranked_first(unit.result)
