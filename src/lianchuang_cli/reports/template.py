"""Evidence file skeletons: one entry per indicator, each with a Chinese comment on how to fill it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rubric import LEVEL_NAMES, AdjustmentItem, Rubric, VetoItem
from lianchuang_cli.model.same_counts import fill_notes
from lianchuang_cli.reports.evidence_schema import schema_file_name

NAME_EXAMPLES = {"village": "桃源村党支部", "township": "桃源镇党委", "county": "青山县委"}


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str, indent: str) -> str:
    return "".join(f"{indent}# {line}\n" for line in text.splitlines())


def render_template(rubric: Rubric) -> str:
    """Return a YAML evidence skeleton for ``rubric``; once filled in, it validates."""
    level = LEVEL_NAMES[rubric.level]
    out = [
        # Editors with a YAML language server complete and check against this (lianchuang schema).
        f"# yaml-language-server: $schema={schema_file_name(rubric)}\n",
        f"# {rubric.title}（{rubric.id} {rubric.version}）佐证材料\n",
        f"# 依据：{rubric.source}\n",
        "# 填写方法：每项指标在 value 后填写实际情况（格式见该项上方说明），\n",
        "#   note 写简要说明，attachments 列出佐证材料文件，self_score 填自评分（可不填）。\n",
        "# 填好后运行 lianchuang validate 本文件 检查，lianchuang score 本文件 查看得分与差距。\n",
        f"rubric: {rubric.id}\n",
        f"rubric_version: {_quoted(rubric.version)}\n",
        "unit:\n",
        f'  name: ""        # {level}党组织名称，如“{NAME_EXAMPLES[rubric.level]}”\n',
        '  code: ""        # 单位代码，请加引号以保留开头的0\n',
        '  township: ""    # 所属乡镇\n',
        '  county: ""      # 所属县（市、区）\n',
        *_parent_code_lines(rubric.level),
        f"  year: {rubric.year}      # 考评年度\n",
        *_profile_lines(rubric.level),
        "indicators:\n",
    ]
    for criterion in rubric.criteria:
        clause = f"，{criterion.clause}" if criterion.clause else ""
        out.append(f"\n  # ==== {criterion.name}（{fmt(criterion.points)}分{clause}）====\n")
        for indicator in criterion.indicators:
            out.append(f"\n  # {indicator.name}（{fmt(indicator.points)}分）\n")
            out.append(_comment(f"评分标准：{indicator.requirement}", "  "))
            out.append(_comment(f"填写：{indicator.rule.value_hint}", "  "))
            if indicator.linked is not None:
                out.append(
                    _comment(
                        f"本项由下级单位结果核算（{indicator.linked.describe()}）："
                        "用 lianchuang grade-tree 评分整个县时自动核算，value 可不填；"
                        "单独评分时填写申报值，报告中标注为“申报值（未核算）”",
                        "  ",
                    )
                )
            if indicator.not_applicable_when:
                situations = "；".join(indicator.not_applicable_when)
                out.append(
                    _comment(
                        f"本项仅在以下情形可按缺项处理：{situations}。确属其一时删去 value，"
                        "改写 not_applicable: 情形（可在情形后加“：说明”）",
                        "  ",
                    )
                )
            out.extend(_comment(note, "  ") for note in fill_notes(rubric, indicator.id))
            example = indicator.rule.example(indicator.points)
            out.append(f"  {indicator.id}:\n")
            out.append(f"    value:          # 例：{example}\n")
            out.append('    note: ""\n')
            out.append("    attachments: []\n")
            out.append("    self_score:     # 自评分（可不填）\n")
    out.append(
        _events_section(
            "penalties", "扣分项（发生时填写，每条 id 与 count 次数）", rubric.penalties
        )
    )
    out.append(_events_section("bonuses", "加分项（申报时填写）", rubric.bonuses))
    out.append(_events_section("vetoes", "一票否决事项（发生时填写）", rubric.vetoes))
    return "".join(out)


def _parent_code_lines(level: str) -> list[str]:
    """The unit's link one level up, which grade-tree uses to put units together."""
    if level == "village":
        return ['  township_code: ""   # 所属乡镇的单位代码（grade-tree 据此归入乡镇）\n']
    if level == "township":
        return ['  county_code: ""     # 所属县的单位代码（grade-tree 据此归入县）\n']
    return []


def _profile_lines(level: str) -> list[str]:
    """The village profile the township and county figures are computed from."""
    if level != "village":
        return []
    return [
        "# 村情基本信息（profile）：乡镇、县的联创指标（书记学历、致富带头人、集体经济、软弱涣散）\n",
        "# 由此核算。用 lianchuang grade-tree 汇总全县时必填：去掉下面各行行首的“# ”后填写。\n",
        "# profile:\n",
        "#   secretary_education: 大专          # 书记学历：研究生、本科、大专、高中、初中及以下\n",
        "#   committee_size: 7                  # 村“两委”成员总数（人）\n",
        "#   wealth_leaders: 3                  # 其中致富带头人（人）\n",
        "#   collective_operating_income: 12.5  # 村集体经营性收入（万元）\n",
        "#   weak_and_lax: {identified: false, rectified: false}  # 是否软弱涣散、年内是否整顿转化\n",
        "#   # 保障和组织情况：县级“设置换届”“书记轮训”“运转经费”“村干部报酬”“活动场所”由此核算，\n",
        "#   # 所辖村有一个未填，县的该项就无法核算\n",
        "#   organization_set_up: true         # 村党组织按规定设置：true 是，false 否\n",
        "#   election_on_time: true            # 村党组织按期换届\n",
        "#   secretary_trained: true           # 书记年内参加县级集中轮训\n",
        "#   secretary_basic_pay: 50000        # 书记年基本报酬（元）\n",
        "#   rural_income_last_year: 21680     # 上年度当地农村居民人均可支配收入（元）\n",
        "#   operating_funds: 8.8              # 村级组织运转经费（万元）\n",
        "#   premises_area: 280                # 党群服务中心面积（平方米）\n",
        "#   premises_functional: true         # 党群服务中心功能齐全\n",
    ]


def _events_section(key: str, title: str, items: Sequence[AdjustmentItem | VetoItem]) -> str:
    lines = [f"\n# {title}；可选：\n"]
    for item in items:
        suffix = ""
        if isinstance(item, AdjustmentItem):
            verb = "扣" if key == "penalties" else "加"
            cap = f"，最多{verb}{fmt(item.cap)}分" if item.cap is not None else ""
            suffix = f"（每次{verb}{fmt(item.points)}分{cap}）"
        lines.append(f"#   {item.id}：{item.name}{suffix}\n")
    first = items[0].id if items else "xxx"
    count = "" if key == "vetoes" else ", count: 1"
    lines.append(f'# 例：\n#   - {{id: {first}{count}, note: "情况说明"}}\n')
    lines.append(f"{key}: []\n")
    return "".join(lines)
