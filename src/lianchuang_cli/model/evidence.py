"""Evidence files (佐证材料): the unit, one entry per indicator, and penalty/bonus/veto events.

Each part of the file is validated on its own so that one run reports every problem in it.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar, cast

from msgspec import structs
from pydantic import TypeAdapter, ValidationError

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import MAX_LISTED, InputError, Problem
from lianchuang_cli.forms.fill_hints import fill_hint, value_field
from lianchuang_cli.model import fast_path, plain
from lianchuang_cli.model.evidence_data import (
    ENTRY,
    Event,
    Evidence,
    IndicatorEntries,
    IndicatorEntry,
    NotApplicable,
    Occurrence,
    UnitInfo,
    Version,
)
from lianchuang_cli.model.profile import SAME_FACTS, VillageProfile
from lianchuang_cli.model.rubric import AdjustmentItem, Indicator, LoadedRubric, VetoItem
from lianchuang_cli.model.rules.base import DEFERRED
from lianchuang_cli.model.same_counts import same_count_problems
from lianchuang_cli.model.validation import not_a_mapping, problems_from
from lianchuang_cli.model.values import UnitError, fraction_complaint, read_number
from lianchuang_cli.reading.document import Document, TextLines
from lianchuang_cli.reading.fullwidth import find_fullwidth, fullwidth_message

TOP_LEVEL_KEYS = (
    "rubric",
    "rubric_version",
    "unit",
    "profile",
    "indicators",
    "penalties",
    "bonuses",
    "vetoes",
)


LINKED_HINT = (
    "；本项由下级单位的评分结果核算：用 lianchuang grade-tree 评分整个县即可自动核算，"
    "单独评分时请填写申报值（报告中标注为“申报值（未核算）”）"
)

OccurrenceT = TypeVar("OccurrenceT", bound=Occurrence)

_UNIT = TypeAdapter(UnitInfo)
_EVENTS = TypeAdapter(list[Event], config=DEFERRED)
_OCCURRENCES = TypeAdapter(list[Occurrence], config=DEFERRED)
_VERSION = TypeAdapter(Version, config=DEFERRED)
_PROFILE = TypeAdapter(VillageProfile)
_PLAIN_EVENTS = plain.each(Event.read_plain)
_PLAIN_OCCURRENCES = plain.each(Occurrence.read_plain)

T = TypeVar("T")


def _read(schema: TypeAdapter[T], read_plain: plain.Reader, value: Any) -> T:
    """``value`` read without validation when it is plainly valid (``model.plain``: no validator
    is built), else validated by ``schema`` (which raises ``ValidationError``)."""
    read = read_plain(value)
    return schema.validate_python(value) if read is plain.DECLINED else cast(T, read)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """Return the choice closest to a probably misspelt ``word``, if any is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], *, listed: int = 0) -> str:
    """Return "；是否想写“x”？" for the closest choice, or an empty string.

    ``listed`` is how many problems are already known: past ``MAX_LISTED`` nobody reads the
    hint, and skipping the comparison keeps files with thousands of bad keys fast.
    """
    if listed >= MAX_LISTED:
        return ""
    close = closest(word, choices)
    return f"；是否想写“{close}”？" if close else ""


def evidence_not_a_mapping(doc: Document) -> Problem:
    """What to say when an evidence file is empty, or not a set of “键: 值” lines."""
    return not_a_mapping(
        doc,
        what="佐证材料",
        keys="所用细则（rubric）、考评对象（unit）和各项指标（indicators）",
        hint="可运行“lianchuang template village -o 文件名.yaml”生成填写模板",
    )


def requested_rubric(doc: Document) -> tuple[str, str | None]:
    """Read which rubric (and version) an evidence file asks for; raise if it does not say."""
    data = doc.data
    if not isinstance(data, dict):
        raise InputError([evidence_not_a_mapping(doc)])
    rubric = data.get("rubric")
    if not isinstance(rubric, str) or not rubric.strip():
        where = ["rubric"] if "rubric" in data else []
        raise InputError([doc.problem(where, "缺少 rubric（所用考评细则，如 rubric: village）")])
    version = data.get("rubric_version")
    if version is not None:
        try:
            version = _read(_VERSION, plain.filled_code, version)
        except ValidationError as exc:
            raise InputError(problems_from(exc, doc, ["rubric_version"])) from None
    return rubric.strip(), version


def check_evidence(
    doc: Document, loaded: LoadedRubric, *, supplied: Collection[str] = ()
) -> Evidence:
    """Validate an evidence document against its rubric; raise ``InputError`` with every problem.

    ``supplied`` names linked indicators whose values the caller computes from the level below:
    they may be left out, and a value written for one is kept as the unit's declared figure.
    """
    data: dict[str, Any] = doc.data
    problems: list[Problem] = list(doc.reading_problems)
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            hint = did_you_mean(key, TOP_LEVEL_KEYS, listed=len(problems))
            message = f"未知的键“{key}”{hint}"
            problems.append(doc.problem([key], message, key=True))

    unit: UnitInfo | None = None
    if "unit" not in data:
        problems.append(
            doc.problem([], "缺少 unit（考评对象：name、code、township、county、year）")
        )
    else:
        try:
            unit = _read(_UNIT, UnitInfo.read_plain, data["unit"])
        except ValidationError as exc:
            problems.extend(problems_from(exc, doc, ["unit"]))
        if unit is not None and unit.year != loaded.rubric.year:
            message = (
                f"考评年度{unit.year}与考评细则适用年度{loaded.rubric.year}不一致；"
                "请核对 year，或用 --rubric 指定对应年度的细则"
            )
            problems.append(doc.problem(["unit", "year"], message))

    profile = _check_profile(doc, data, loaded, problems)
    values, entries = _check_indicators(doc, data, loaded, problems, supplied)
    if profile is not None:
        problems.extend(_facts_typed_twice(doc, profile, values))
    problems.extend(same_count_problems(doc, loaded, values, profile))
    events, occurrences = (_EVENTS, _PLAIN_EVENTS), (_OCCURRENCES, _PLAIN_OCCURRENCES)
    penalties = _check_events(doc, data, "penalties", events, loaded.penalty_index, problems)
    bonuses = _check_events(doc, data, "bonuses", events, loaded.bonus_index, problems)
    vetoes = _check_events(doc, data, "vetoes", occurrences, loaded.veto_index, problems)
    if problems or unit is None:
        raise InputError(doc.in_order(problems))
    locations = doc.key_locations(["indicators"])
    return Evidence(doc, unit, values, entries, locations, penalties, bonuses, vetoes, profile)


def village_profile(doc: Document) -> VillageProfile | None:
    """The profile of a village file known to be valid (``Evidence.profile``, without checking the
    rest again: ``grade-tree`` takes the file's graded result from the evidence cache)."""
    data = doc.data
    profile = data.get("profile") if isinstance(data, dict) else None
    return None if profile is None else _read(_PROFILE, VillageProfile.read_plain, profile)


def _check_profile(
    doc: Document, data: dict[str, Any], loaded: LoadedRubric, problems: list[Problem]
) -> VillageProfile | None:
    if data.get("profile") is None:
        return None
    if loaded.rubric.level != "village":
        message = "profile（村情基本信息）只用于村级材料；乡镇、县的数据由下级材料核算"
        problems.append(doc.problem(["profile"], message, key=True))
        return None
    try:
        return _read(_PROFILE, VillageProfile.read_plain, data["profile"])
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, ["profile"]))
        return None


def _facts_typed_twice(
    doc: Document, profile: VillageProfile, values: Mapping[str, Any]
) -> list[Problem]:
    """A profile fact and the indicator reporting the same fact that disagree: an error at both."""
    problems = []
    for field, (indicator, name, unit) in SAME_FACTS.items():
        value = values.get(indicator)
        if not isinstance(value, Decimal):
            continue  # absent, 缺项 or not a number: nothing typed twice to compare
        fact = getattr(profile, field)
        if value == fact:
            continue
        both = (
            f"{name}填了两次且不一致：profile.{field} 为{fmt(fact)}{unit}，"
            f"指标 {indicator} 为{fmt(value)}{unit}"
        )
        fix = "同一事实只能有一个数（乡镇、县按 profile 核算），请按台账核实后把两处改成一致"
        problems.append(doc.problem(["profile", field], f"{both}；{fix}"))
        problems.append(doc.problem(["indicators", indicator, "value"], f"{both}；{fix}"))
    return problems


def _check_indicators(
    doc: Document,
    data: dict[str, Any],
    loaded: LoadedRubric,
    problems: list[Problem],
    supplied: Collection[str],
) -> tuple[dict[str, Any], IndicatorEntries]:
    """Each indicator's value (or 缺项) by id, and the entries as written; problems appended."""
    values: dict[str, Any] = {}
    entries = IndicatorEntries()
    raw = data.get("indicators")
    if not isinstance(raw, dict):
        where = ["indicators"] if "indicators" in data else []
        problems.append(doc.problem(where, "缺少 indicators（每项指标一条，键为指标 id）"))
        return values, entries
    readers = fast_path.readers(loaded)
    typos: dict[str, str] = {}  # indicator id -> the unknown key that looks like a typo of it
    for key, raw_entry in raw.items():
        read = readers.get(key)
        if read is not None and type(raw_entry) is dict:
            value = read(raw_entry)
            if value is not fast_path.DECLINED:
                values[key] = value
                entries.defer(key, raw_entry)
                continue
        if key not in loaded.indicator_index:
            problems.append(_unknown_indicator(doc, key, loaded, typos, listed=len(problems)))
            continue
        value = _check_entry(doc, key, raw_entry, loaded, entries, problems, supplied)
        if value is not _NO_VALUE:
            values[key] = value
    problems.extend(_not_applicable_share_problems(doc, loaded, values))
    problems.extend(_missing_indicators(doc, loaded, raw, supplied, typos))
    return values, entries


_NO_VALUE = object()
"""No value to keep for an indicator: a problem says why, or the caller computes it (linked)."""


def _unknown_indicator(
    doc: Document, key: str, loaded: LoadedRubric, typos: dict[str, str], *, listed: int
) -> Problem:
    """An indicator id the rubric does not have; a close id is suggested and kept in ``typos``."""
    index = loaded.indicator_index
    close = closest(key, index) if listed < MAX_LISTED else None
    if close:
        typos[close] = key
    hint = f"；是否想写“{close}”（{index[close][1].name}）？" if close else ""
    return doc.problem(["indicators", key], f"考评细则中没有指标“{key}”{hint}", key=True)


def _check_entry(
    doc: Document,
    key: str,
    raw_entry: Any,
    loaded: LoadedRubric,
    entries: IndicatorEntries,
    problems: list[Problem],
    supplied: Collection[str],
) -> Any:
    """One known indicator's entry checked: its value or 缺项, else ``_NO_VALUE``."""
    _, indicator = loaded.indicator_index[key]
    at: list[str | int] = ["indicators", key]
    if raw_entry is None and key in supplied:
        return _NO_VALUE
    entry = _parsed_entry(doc, at, indicator, raw_entry, problems)
    if entry is None:
        return _NO_VALUE
    entries.add(key, entry)
    if entry.self_score is not None and entry.self_score > indicator.points:
        message = f"自评分{fmt(entry.self_score)}超过本项满分{fmt(indicator.points)}"
        problems.append(doc.problem([*at, "self_score"], message))
    if entry.not_applicable is not None:
        marked = _not_applicable(entry, indicator)
        if isinstance(marked, str):
            problems.append(doc.problem([*at, "not_applicable"], marked))
            return _NO_VALUE
        return marked
    if entry.value is None:
        if key not in supplied:
            problems.append(_value_missing(doc, at, indicator, raw_entry))
        return _NO_VALUE
    return _checked_value(doc, at, indicator, entry.value, problems)


def _parsed_entry(
    doc: Document,
    at: list[str | int],
    indicator: Indicator,
    raw_entry: Any,
    problems: list[Problem],
) -> IndicatorEntry | None:
    """The entry as a mapping of value, note, attachments…; None when it is not one."""
    if raw_entry is None:
        message = f"指标“{indicator.name}”未填写；{indicator.rule.value_hint}"
        problems.append(doc.problem(at, message))
        return None
    if not isinstance(raw_entry, dict):
        message = (
            f"指标“{indicator.name}”应写成映射：在下一行缩进写“value: 值”"
            f"（可再加 note、attachments、self_score）；{indicator.rule.value_hint}"
        )
        problems.append(_fullwidth_instead(doc, doc.problem(at, message)))
        return None
    try:
        return _read(ENTRY, IndicatorEntry.read_plain, raw_entry)
    except ValidationError as exc:
        problems.extend(_fullwidth_instead(doc, p) for p in problems_from(exc, doc, at))
        return None


def _value_missing(
    doc: Document, at: list[str | int], indicator: Indicator, raw_entry: dict[str, Any]
) -> Problem:
    message = (
        f"指标“{indicator.name}”未填写{value_field(doc.form)}；{fill_hint(indicator, doc.form)}"
    )
    if indicator.linked is not None:
        message += LINKED_HINT
    return doc.problem([*at, "value"] if "value" in raw_entry else at, message)


def _checked_value(
    doc: Document, at: list[str | int], indicator: Indicator, written: Any, problems: list[Problem]
) -> Any:
    """The value as the indicator's rule reads it (a unit such as 万元 taken off), checked
    against the rule; ``_NO_VALUE`` when it does not fit."""
    rule = indicator.rule
    given, unit_written = written, False
    if rule.number_unit is not None:
        try:
            reading = read_number(written, rule.number_unit)
        except UnitError as exc:
            problems.append(doc.problem([*at, "value"], str(exc)))
            return _NO_VALUE
        given, unit_written = reading.value, reading.unit_written
    try:
        value = _read(rule.value_schema, rule.read_value, given)
    except ValidationError as exc:
        located = problems_from(exc, doc, [*at, "value"])
        if not located:  # the workbook reader has already said what is wrong on this row
            return _NO_VALUE
        first = located[0]
        hint = f"{first.message}；{fill_hint(indicator, doc.form)}"
        problems.append(_fullwidth_instead(doc, structs.replace(first, message=hint)))
        return _NO_VALUE
    complaint = rule.check_value(value, indicator.points)
    if complaint is None and not unit_written:
        complaint = fraction_complaint(value, rule.percent_reference)
    if complaint:
        problems.append(_fullwidth_instead(doc, doc.problem([*at, "value"], complaint)))
        return _NO_VALUE
    return value


def _missing_indicators(
    doc: Document,
    loaded: LoadedRubric,
    written: dict[str, Any],
    supplied: Collection[str],
    typos: Mapping[str, str],
) -> list[Problem]:
    """The rubric's indicators not written (nor computed by the caller), as one problem."""
    index = loaded.indicator_index
    if index.keys() <= written.keys():  # every indicator is written: none can be missing
        return []
    missing = [ind for i, (_, ind) in index.items() if i not in written and i not in supplied]
    if not missing:
        return []
    # The name first, the key in brackets, as every other field is named (单位名称（name）).
    listed = "、".join(
        f"{ind.name}（{ind.id}{f'，是否误写成了“{typos[ind.id]}”' if ind.id in typos else ''}）"
        for ind in missing
    )
    message = f"缺少{len(missing)}项指标：{listed}；可用 lianchuang template 生成完整模板"
    if any(ind.linked for ind in missing):
        message += LINKED_HINT
    return [doc.problem(["indicators"], message, key=True)]


def _fullwidth_instead(doc: Document, problem: Problem) -> Problem:
    """Name the full-width character on the problem's line when that is the real cause.

    ``value: ［a.pdf］`` or ``value: “本科”`` look right but are plain text to YAML; saying
    which character to retype helps more than "应为列表" or "不是可选项". A workbook cell
    holds its text as typed, so there is no YAML punctuation to mistake there.
    """
    if doc.form != "yaml" or not isinstance(doc, TextLines):
        return problem
    line = doc.line_text(problem.line)
    index = find_fullwidth(line, quotes=True)
    if index is None:
        return problem
    message = fullwidth_message(problem.line, index + 1, line[index])
    return Problem(problem.file, problem.line, index + 1, message)


# A remark may follow the situation after one of these.
_REMARK_SEPARATORS = "：:，,；;（(、 \t—-"


def _not_applicable(entry: IndicatorEntry, indicator: Indicator) -> NotApplicable | str:
    """The 缺项 an entry claims, or the message saying why it is not accepted."""
    situations = indicator.not_applicable_when
    if not situations:
        return f"指标“{indicator.name}”是每个单位都须考评的指标，不允许按缺项处理，请填写 value"
    if entry.value is not None:
        return "value 与 not_applicable 只能填写其一"
    text = (entry.not_applicable or "").strip()
    for situation in sorted(situations, key=len, reverse=True):
        rest = text[len(situation) :]
        if text.startswith(situation) and (not rest or rest[0] in _REMARK_SEPARATORS):
            return NotApplicable(situation, _remark(rest))
    accepted = "；".join(f"“{s}”" for s in situations)
    shown = f"“{text}”不是" if text else "未写明情形；"
    return (
        f"{shown}指标“{indicator.name}”可按缺项处理的情形。可选：{accepted}"
        "（写成“情形”或“情形：说明”；其他情况须如实填写 value）"
    )


def _remark(rest: str) -> str:
    """The free text after a situation: "：说明" or "（说明）" give "说明"; other brackets stay."""
    rest = rest.strip()
    for opening, closing in (("（", "）"), ("(", ")")):
        inner = rest[1:-1]
        if rest.startswith(opening) and rest.endswith(closing) and closing not in inner:
            return inner.strip()
    if rest[:1] in "（(":
        return rest
    return rest.lstrip(_REMARK_SEPARATORS).strip()


def _not_applicable_share_problems(
    doc: Document, loaded: LoadedRubric, values: dict[str, Any]
) -> list[Problem]:
    """The rubric's cap on how much of the total may be 缺项."""
    rubric = loaded.rubric
    share = rubric.not_applicable_max_share
    if share is None:
        return []
    marked = [
        loaded.indicator_index[key][1] for key, v in values.items() if isinstance(v, NotApplicable)
    ]
    points = sum((i.points for i in marked), Decimal(0))
    cap = share * rubric.total_points
    if points <= cap:
        return []
    names = "、".join(f"{i.name}（{fmt(i.points)}分）" for i in marked)
    message = (
        f"缺项合计{fmt(points)}分，超过细则允许的上限{fmt(cap)}分（总分的{fmt(share * 100)}%）："
        f"{names}；请逐项核实，能考评的如实填写 value"
    )
    return [doc.problem(["indicators"], message, key=True)]


def _check_events(
    doc: Document,
    data: dict[str, Any],
    section: str,
    schema: tuple[TypeAdapter[list[OccurrenceT]], plain.Reader],
    known: Mapping[str, AdjustmentItem] | Mapping[str, VetoItem],
    problems: list[Problem],
) -> tuple[OccurrenceT, ...]:
    raw = data.get(section)
    if raw is None:
        return ()
    try:
        events = _read(*schema, raw)
    except ValidationError as exc:
        problems.extend(problems_from(exc, doc, [section]))
        return ()
    seen: set[str] = set()
    for index, event in enumerate(events):
        at: Sequence[str | int] = [section, index, "id"]
        if event.id not in known:
            listed = "、".join(f"{v.name}（{k}）" for k, v in known.items()) or "无"
            hint = did_you_mean(event.id, known, listed=len(problems))
            message = f"考评细则中没有“{event.id}”；可选：{listed}{hint}"
            problems.append(doc.problem(at, message))
        elif event.id in seen:
            message = f"“{event.id}”重复出现；多次发生请合并为一条并填写 count"
            problems.append(doc.problem(at, message))
        seen.add(event.id)
    return tuple(events)
