"""Write a publication pack: grade, copy the rubrics as read, record every digest, then rename.

The pack is built in a temporary sibling folder and renamed into place only when complete, never
over an existing path; nothing is ever written into the evidence folder.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from lianchuang_cli import __version__
from lianchuang_cli.digests import sha256_bytes, sha256_file
from lianchuang_cli.errors import os_reason
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.publishing.manifest import (
    MANIFEST_NAME,
    Evidence,
    EvidenceFile,
    Manifest,
    Options,
    PackFile,
    PreviousFile,
    RubricFile,
    Tool,
    manifest_bytes,
)
from lianchuang_cli.publishing.regrade import (
    Mode,
    Regraded,
    Request,
    detect_mode,
    evidence_files,
    regrade,
)
from lianchuang_cli.reports.pack_readme import readme_text
from lianchuang_cli.scoring.results import FileFailure

README_NAME = "说明.txt"
PREVIOUS_FOLDER = "previous"
RUBRIC_FOLDER = "rubrics"


class PublishError(Exception):
    """The pack cannot be written; the message says why (Chinese)."""


@dataclass(frozen=True, slots=True)
class Published:
    """A written pack: where, its manifest's digest (the 公示摘要), what it holds."""

    pack: Path
    digest: str
    manifest: Manifest
    regraded: Regraded


def check_destination(folder: Path, pack: Path) -> None:
    """Refuse a pack path that exists, lies inside the evidence folder, or holds it."""
    if os.path.lexists(pack):
        raise PublishError(f"“{pack}”已存在；公示包不会覆盖已有的文件或文件夹，请换一个名称")
    parent = pack.parent.absolute()
    if not parent.is_dir():
        raise PublishError(f"公示包所在的文件夹“{pack.parent}”不存在；请先创建")
    where, evidence = Path(os.path.realpath(parent / pack.name)), Path(os.path.realpath(folder))
    if where.is_relative_to(evidence) or evidence.is_relative_to(where):
        raise PublishError(f"公示包“{pack}”不能放在材料文件夹“{folder}”之内；请放到材料文件夹以外")


def publish(
    folder: Path,
    pack: Path,
    *,
    quotas: Mapping[str, Decimal] | None = None,
    rubric: Path | None = None,
    previous: Path | None = None,
    jobs: int = 1,
    now: datetime | None = None,
    loader: RubricLoader = PLAIN,
    cache_dir: Path | None = None,
) -> Published:
    """Grade ``folder`` and write the pack ``pack``; ``PublishError`` says why it cannot.
    Rubrics are loaded by ``loader``; ``jobs`` processes grade (a county tree too), with the
    evidence cache in ``cache_dir`` if given."""
    folder = folder.absolute()
    check_destination(folder, pack)
    mode: Mode = detect_mode(folder, evidence_files(folder), rubric, loader)
    files = evidence_files(folder, mode)
    if not files:
        raise PublishError(f"在“{folder}”（含子文件夹）中没有找到佐证材料（.yaml/.yml/.xlsx 文件）")
    digests = {name: sha256_file(folder / name) for name in files}
    previous_name = f"{PREVIOUS_FOLDER}/{previous.name}" if previous is not None else ""
    request = Request(
        folder=folder,
        mode=mode,
        quotas=dict(quotas or {}),
        rubric=rubric.absolute() if rubric is not None else None,
        previous=previous.absolute() if previous is not None else None,
        previous_name=previous_name,
        jobs=jobs,
        cache_dir=cache_dir.absolute() if cache_dir is not None else None,
        loader=loader,
    )
    regraded = regrade(request, files)
    refuse_mixed_rubrics(regraded.invalid)
    # Evidence that changed while it was graded would make the pack lie about its inputs.
    for name in files:
        if sha256_file(folder / name) != digests[name]:
            raise PublishError(f"{name}: 评分过程中此文件被改动；请等材料定稿后重新发布")
    contents: dict[str, bytes] = dict(regraded.outputs)
    rubrics = []
    for used in regraded.rubrics:
        data = used.path.read_bytes()
        if sha256_bytes(data) != used.sha256:
            raise PublishError(f"{used.path}: 评分过程中考评细则被改动；请重新发布")
        name = f"{RUBRIC_FOLDER}/{used.id}.yaml"
        if name in contents:
            name = f"{RUBRIC_FOLDER}/{used.id}-{used.sha256[:12]}.yaml"
        contents[name] = data
        rubrics.append(RubricFile(id=used.id, version=used.version, sha256=used.sha256, file=name))
    previous_entry = None
    if previous is not None:
        data = previous.read_bytes()
        contents[previous_name] = data
        previous_entry = PreviousFile(
            file=previous_name, sha256=sha256_bytes(data), size=len(data), name=previous.name
        )
    readme = readme_text(mode=mode, units=len(regraded.units), invalid=len(regraded.invalid))
    contents[README_NAME] = readme.encode("utf-8")
    outputs = [
        PackFile(file=name, sha256=sha256_bytes(contents[name]), size=len(contents[name]))
        for name in (*regraded.outputs, README_NAME)
    ]
    manifest = Manifest(
        manifest_version=1,
        kind="lianchuang-publication",
        mode=mode,
        published_at=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        tool=Tool(name="lianchuang", version=__version__, python=platform.python_version()),
        options=Options(
            quota={rating: str(percent) for rating, percent in (quotas or {}).items()},
            rubric=rubrics[0].id if rubric is not None and rubrics else None,
            previous=previous_name or None,
        ),
        evidence=Evidence(
            folder=str(folder),
            files=[
                EvidenceFile(path=name, sha256=digest, size=size)
                for name, (digest, size) in digests.items()
            ],
        ),
        rubrics=rubrics,
        previous=previous_entry,
        outputs=outputs,
        units=len(regraded.units),
        invalid=len(regraded.invalid),
    )
    raw = manifest_bytes(manifest)
    contents[MANIFEST_NAME] = raw
    _write_pack(pack, contents)
    return Published(pack, sha256_bytes(raw), manifest, regraded)


def refuse_mixed_rubrics(invalid: Sequence[FileFailure]) -> None:
    """A batch ranks units of one rubric; files left out for asking another would be re-graded
    with a rubric the pack does not hold, so such a folder is refused rather than published."""
    mixed = [f.file for f in invalid if any(p.code == "mixed-rubric" for p in f.problems)]
    if mixed:
        raise PublishError(
            f"文件夹中的材料使用了不同的考评细则（如 {mixed[0]}，共{len(mixed)}个文件与其余不同）；"
            "批量发布的公示包只按一种细则评分排名：请把不同细则的材料分开发布；"
            "村、乡镇、县三级材料请连同县级材料放在同一个县文件夹中，按 grade-tree 发布"
        )


def _write_pack(pack: Path, contents: Mapping[str, bytes]) -> None:
    """Build the pack in a temporary sibling folder and rename it into place when complete."""
    parent = pack.parent.absolute()
    try:
        building = Path(tempfile.mkdtemp(dir=parent, prefix=f".{pack.name}.", suffix=".part"))
    except OSError as exc:
        raise PublishError(f"无法在“{parent}”中写入：{os_reason(exc)}") from None
    try:
        for name, data in contents.items():
            target = building / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if os.path.lexists(pack):  # appeared while grading
            raise PublishError(f"“{pack}”已存在；公示包不会覆盖已有的文件或文件夹")
        os.rename(building, pack)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise PublishError(f"无法写入公示包“{pack}”：{os_reason(exc)}") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
