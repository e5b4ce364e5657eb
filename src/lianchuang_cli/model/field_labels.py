"""What each key of an evidence or rubric file is called in Chinese, for messages about it.

Keys stay English in the files (they are what people type); messages name the Chinese label
with the key beside it, "单位名称（name）未填写", so the reader knows the field and can find it.
"""

from __future__ import annotations

from collections.abc import Sequence

UNIT_FIELD_LABELS: dict[str, str] = {
    "rubric": "考评细则",
    "rubric_version": "细则版本",
    "name": "单位名称",
    "code": "单位代码",
    "township": "所属乡镇",
    "county": "所属县（市、区）",
    "township_code": "所属乡镇代码",
    "county_code": "所属县代码",
    "year": "考评年度",
}
"""The unit's fields (and the two top-level keys the unit sheet of a workbook also shows), in the
order of that sheet's rows."""

FIELD_LABELS: dict[str, str] = {
    # evidence
    "unit": "考评对象",
    "profile": "村情基本信息",
    "indicators": "指标",
    "penalties": "扣分事项",
    "bonuses": "加分事项",
    "vetoes": "一票否决事项",
    "value": "填报值",
    "not_applicable": "缺项情形",
    "note": "备注",
    "attachments": "附件",
    "self_score": "自评分",
    "count": "次数",
    "situation": "情形",
    "remark": "说明",
    "score": "评定分",
    "reason": "评定理由",
    "part": "符合条件的数量",
    "whole": "总数",
    "current": "今年数值",
    "previous": "去年数值",
    "secretary_education": "书记学历",
    "committee_size": "两委成员总数",
    "wealth_leaders": "致富带头人数",
    "collective_operating_income": "村集体经营性收入",
    "weak_and_lax": "软弱涣散村情况",
    "identified": "是否软弱涣散村",
    "rectified": "年内是否整顿转化",
    "organization_set_up": "村党组织按规定设置",
    "election_on_time": "村党组织按期换届",
    "secretary_trained": "书记年内参加县级集中轮训",
    "secretary_basic_pay": "书记年基本报酬",
    "rural_income_last_year": "上年度当地农村居民人均可支配收入",
    "operating_funds": "村级组织运转经费",
    "premises_area": "党群服务中心面积",
    "premises_functional": "党群服务中心功能齐全",
    # rubric
    "id": "编号",
    "title": "标题",
    "version": "版本",
    "level": "级别",
    "criteria": "考评项目",
    "ratings": "等级",
    "points": "分值",
    "clause": "条款",
    "requirement": "评分标准",
    "rule": "评分规则",
    "kind": "规则类型",
    "cap": "上限",
    "min_score": "最低分",
    "total_points": "总分",
    "score_floor": "总分下限",
    "quotas": "名额",
}
"""Every other key, whatever mapping it is in ("name" outside ``unit`` is just 名称)."""

_GENERIC = {"name": "名称", "code": "代码", "year": "年度"}


def field_label(loc: Sequence[str | int]) -> str:
    """ "单位名称（name）" for the key at the end of ``loc``; "“key”" when it has no label."""
    keys = [part for part in loc if isinstance(part, str)]
    if not keys:
        return "该项"
    key = keys[-1]
    in_unit = keys[:-1] == ["unit"] or (keys == [key] and key in ("rubric", "rubric_version"))
    label = (UNIT_FIELD_LABELS.get(key) if in_unit else None) or FIELD_LABELS.get(key)
    label = label or _GENERIC.get(key)
    return f"{label}（{key}）" if label else f"“{key}”"
