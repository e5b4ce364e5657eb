"""Verify a publication pack: its files against the manifest, the evidence against the recorded
digests, and the published results against a re-grading with the pack's own rubrics."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from lianchuang_cli import __version__
from lianchuang_cli.digests import sha256_bytes, sha256_file
from lianchuang_cli.errors import os_reason
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.publishing.compare import Difference, compare_results
from lianchuang_cli.publishing.manifest import Manifest, ManifestError, read_manifest
from lianchuang_cli.publishing.regrade import (
    RESULTS_JSON,
    Regraded,
    Request,
    evidence_files,
    regrade,
)

EvidenceChange = Literal["changed", "missing", "added"]
PackProblem = Literal["changed", "missing"]


class PackError(Exception):
    """The pack cannot be verified (unreadable manifest, no evidence folder); message in Chinese."""


@dataclass(frozen=True, slots=True)
class Verification:
    """Everything ``verify`` found, in the order it reports it."""

    pack: Path
    manifest: Manifest
    digest: str
    """SHA-256 of ``manifest.json``: compare with the 公示摘要 announced in the notice."""
    evidence_folder: Path
    pack_files: tuple[tuple[str, PackProblem], ...]
    evidence: tuple[tuple[str, EvidenceChange], ...]
    differences: tuple[Difference, ...]
    regraded: Regraded
    tool_version: str = __version__

    @property
    def same_tool(self) -> bool:
        """Whether the pack was published by this version of the tool."""
        return self.manifest.tool.version == self.tool_version

    @property
    def identical(self) -> bool:
        """Nothing changed: pack files, evidence and every published value."""
        return not (self.pack_files or self.evidence or self.differences)


def verify(
    pack: Path, *, evidence: Path | None = None, jobs: int = 1, loader: RubricLoader = PLAIN
) -> Verification:
    """Verify ``pack`` (re-grading ``evidence``, or the folder the manifest records; rubrics
    loaded by ``loader``)."""
    if not pack.is_dir():
        raise PackError(f"{pack}: 不是文件夹；请给出 lianchuang publish 生成的公示包文件夹")
    try:
        manifest, raw = read_manifest(pack)
    except ManifestError as exc:
        raise PackError(str(exc)) from None
    folder = (evidence or Path(manifest.evidence.folder)).absolute()
    if not folder.is_dir():
        hint = "" if evidence else "；材料已移到别处时用 --evidence 指定材料文件夹"
        raise PackError(f"{folder}: 材料文件夹不存在{hint}")
    entries: list[tuple[str, str]] = [(e.file, e.sha256) for e in manifest.outputs]
    entries += [(r.file, r.sha256) for r in manifest.rubrics]
    if manifest.previous is not None:
        entries.append((manifest.previous.file, manifest.previous.sha256))
    pack_files = tuple(
        (file, problem)
        for file, digest in entries
        if (problem := _pack_file_problem(pack / file, digest)) is not None
    )
    recorded = {item.path: item.sha256 for item in manifest.evidence.files}
    present = evidence_files(folder, manifest.mode)
    changes: list[tuple[str, EvidenceChange]] = []
    for name in present:
        if name not in recorded:
            changes.append((name, "added"))
        elif sha256_file(folder / name)[0] != recorded[name]:
            changes.append((name, "changed"))
    changes.extend((name, "missing") for name in recorded if name not in set(present))
    changes.sort(key=lambda item: item[0])
    batch_rubric = manifest.mode == "batch" and manifest.options.rubric is not None
    request = Request(
        folder=folder,
        mode=manifest.mode,
        quotas=_quotas(manifest),
        # A batch given --rubric grades every file with it; otherwise (and always in a tree)
        # each file's rubric is the pack's copy of the id it asks for.
        rubric=_pack_rubric(pack, manifest) if batch_rubric else None,
        rubrics={} if batch_rubric else _pack_rubrics(pack, manifest),
        previous=pack / manifest.previous.file if manifest.previous else None,
        previous_name=manifest.previous.file if manifest.previous else "",
        jobs=jobs,
        loader=loader,
    )
    published = _published(pack)
    same_tool = manifest.tool.version == __version__

    def render_all(recomputed: bytes) -> bool:
        # Same tool, the very same JSON: the other result files must then re-derive byte for byte.
        return same_tool and recomputed == _published_bytes(pack)

    regraded = regrade(request, present, render_all=render_all)
    differences = _differences(pack, published, regraded)
    return Verification(
        pack=pack,
        manifest=manifest,
        digest=sha256_bytes(raw),
        evidence_folder=folder,
        pack_files=pack_files,
        evidence=tuple(changes),
        differences=tuple(differences),
        regraded=regraded,
    )


def _pack_file_problem(path: Path, expected: str) -> PackProblem | None:
    try:
        digest, _ = sha256_file(path)
    except OSError:
        return "missing"
    return None if digest == expected else "changed"


def _quotas(manifest: Manifest) -> dict[str, Decimal]:
    quotas = {}
    for rating, text in manifest.options.quota.items():
        try:
            quotas[rating] = Decimal(text)
        except InvalidOperation:
            raise PackError(f"清单中的名额“{rating}={text}”不是数字") from None
    return quotas


def _pack_rubrics(pack: Path, manifest: Manifest) -> dict[str, Path]:
    """Rubric id → its copy in the pack (the rubrics graded with, not the installed ones)."""
    return {rubric.id: (pack / rubric.file).absolute() for rubric in manifest.rubrics}


def _pack_rubric(pack: Path, manifest: Manifest) -> Path:
    found = [r for r in manifest.rubrics if r.id == manifest.options.rubric]
    if not found:
        raise PackError(f"清单中没有 --rubric 所指细则“{manifest.options.rubric}”的副本")
    return (pack / found[0].file).absolute()


class _Unreadable(str):
    """Published results that cannot be read: why."""


def _published_bytes(pack: Path) -> bytes | None:
    try:
        return (pack / RESULTS_JSON).read_bytes()
    except OSError:
        return None


def _published(pack: Path) -> Any:
    try:
        return json.loads((pack / RESULTS_JSON).read_bytes().decode("utf-8"))
    except OSError as exc:
        return _Unreadable(f"无法读取（{os_reason(exc)}）")
    except UnicodeDecodeError:
        return _Unreadable("无法读取（不是 UTF-8 文本）")
    except json.JSONDecodeError as exc:
        return _Unreadable(f"无法读取（第{exc.lineno}行第{exc.colno}列不是有效的 JSON）")


def _differences(pack: Path, published: Any, regraded: Regraded) -> Sequence[Difference]:
    if isinstance(published, _Unreadable):
        return [Difference(RESULTS_JSON, "（整个文件）", str(published), "已重新生成")]
    recomputed = json.loads(regraded.outputs[RESULTS_JSON].decode("utf-8"))
    found = list(compare_results(published, recomputed))
    for name, data in regraded.outputs.items():  # rendered only when the JSON is byte-identical
        path = pack / name
        if name != RESULTS_JSON and path.is_file() and path.read_bytes() != data:
            found.append(Difference(name, "（文件内容）", "与清单相符", "与重新生成的不同"))
    return found
