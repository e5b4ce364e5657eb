"""The 说明.txt of a publication pack: what the pack is and how anyone checks it.

Apart from ``publication`` (what ``publish`` and ``verify`` say about a pack), which reads the
publishing package's results, so that writing a pack (``publishing.pack``) does not import the
module that reads what it wrote.
"""

from __future__ import annotations

MODE_WORDS = {
    "tree": "按 grade-tree 评分整个县（村→乡镇→县）",
    "batch": "按 batch --recursive 批量评分",
}


def readme_text(*, mode: str, units: int, invalid: int) -> str:
    """说明.txt: what the pack is and the one command that checks it (no time, no paths)."""
    return (
        "本文件夹是用 lianchuang publish 生成的“三级联创”考评结果公示包。\n"
        "\n"
        f"评分方式：{MODE_WORDS[mode]}；已评分单位{units}个，无法评分的文件{invalid}个。\n"
        "\n"
        "包内文件：\n"
        "  manifest.json   清单：每份佐证材料和考评细则的 SHA-256 摘要、影响结果的选项、工具版本、发布时间、\n"
        "                  每个结果文件的摘要。清单本身的 SHA-256 即公示摘要，随公示通知一同公布。\n"
        "  results/        评分结果：results.json（JSON）、report.html（可打印）、summary*.xlsx（汇总表）；\n"
        "                  结果文件中不含时间，同样的材料再发布一次，结果文件逐字节相同。\n"
        "  rubrics/        评分所用考评细则的原样副本。\n"
        "  previous/       上年结果（发布时给了 --previous 才有）。\n"
        "\n"
        "核对（任何人都可以做，用包内的细则重新评分，逐项比对每个分数、等级、名次和差距）：\n"
        "\n"
        "  lianchuang verify 本文件夹 --evidence 材料文件夹\n"
        "\n"
        "完全一致时退出码为 0；有不一致时逐项列出（单位、项目、公示值 → 重新计算值），退出码为 1。\n"
        "对某个单位有异议时加 --unit 单位代码，打印该单位逐项重新计算的复核表。\n"
    )
