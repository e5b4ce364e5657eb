"""The pack's ``manifest.json``: every input and output with its SHA-256, the options, the tool.

The model is also the JSON Schema shipped in ``schemas/manifest.schema.json`` (a test keeps the
two equal), so the documented fields cannot drift from what is written and read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from lianchuang_cli.errors import os_reason

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
Digest = Annotated[str, Field(pattern="^[0-9a-f]{64}$", description="SHA-256（十六进制小写）")]


def _inside(path: str) -> str:
    """A path that stays inside its folder: no ``..`` part, no drive letter."""
    parts = path.split("/")
    if ".." in parts or "" in parts or ":" in parts[0]:
        raise ValueError("应为文件夹内的相对路径（用 / 分隔，不含 ..）")
    return path


PackPath = Annotated[
    str,
    Field(pattern=r"^[^/\\][^\\]*$", description="相对路径，用 / 分隔（Windows 上同样）"),
    AfterValidator(_inside),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class EvidenceFile(_Strict):
    """One evidence file as it was graded."""

    path: PackPath = Field(description="相对于材料文件夹的路径，用 / 分隔")
    sha256: Digest
    size: int = Field(ge=0, description="字节数")


class Evidence(_Strict):
    """The evidence folder and every file in it that was graded."""

    folder: str = Field(description="发布时材料文件夹的完整路径（verify 默认从这里重新评分）")
    files: list[EvidenceFile]


class RubricFile(_Strict):
    """A rubric used, and its exact copy in the pack."""

    id: str
    version: str
    sha256: Digest
    file: PackPath = Field(description="包内细则副本的路径（与评分时读取的字节完全相同）")


class PackFile(_Strict):
    """A file in the pack: a result, or the copy of the previous-year file."""

    file: PackPath = Field(description="包内路径")
    sha256: Digest
    size: int = Field(ge=0)


class PreviousFile(PackFile):
    """The previous-year results (``--previous``), copied into the pack."""

    name: str = Field(description="发布时给出的文件名")


class Options(_Strict):
    """The options that change results."""

    quota: dict[str, str] = Field(description="--quota：等级 → 名额比例（%）")
    rubric: str | None = Field(description="--rubric 指定的细则 id；未指定时为 null")
    previous: str | None = Field(description="--previous：包内上年结果副本的路径")


class Tool(_Strict):
    """The tool that published the pack."""

    name: Literal["lianchuang"]
    version: str
    python: str


class Manifest(_Strict):
    """``manifest.json`` of a publication pack (公示包)."""

    model_config = ConfigDict(
        extra="allow", frozen=True, title="lianchuang 公示包清单（manifest.json）"
    )

    manifest_version: Literal[1] = Field(description="清单格式版本")
    kind: Literal["lianchuang-publication"]
    mode: Literal["tree", "batch"] = Field(
        description="tree：按 grade-tree 评分县文件夹；batch：按 batch --recursive 评分"
    )
    published_at: str = Field(description="发布时间（UTC，ISO 8601）；结果文件中不含时间")
    tool: Tool
    options: Options
    evidence: Evidence
    rubrics: list[RubricFile]
    previous: PreviousFile | None
    outputs: list[PackFile] = Field(description="结果文件（JSON、HTML、xlsx、说明.txt）及其摘要")
    units: int = Field(ge=0, description="已评分的单位数")
    invalid: int = Field(ge=0, description="无法评分的文件数")


class ManifestError(Exception):
    """The manifest cannot be read; the message says why (Chinese)."""


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as written: indented UTF-8 JSON, keys in model order, one final newline."""
    text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def read_manifest(pack: Path) -> tuple[Manifest, bytes]:
    """The pack's manifest and its bytes; ``ManifestError`` when it is missing or malformed."""
    path = pack / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(
            f"{path}: 找不到清单文件；这不是 lianchuang publish 生成的公示包"
        ) from None
    except OSError as exc:
        raise ManifestError(f"{path}: 无法读取清单文件（{os_reason(exc)}）") from None
    try:
        data: Any = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: 清单文件不是有效的 JSON（{exc}）") from None
    try:
        return Manifest.model_validate(data), raw
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "（顶层）"
        raise ManifestError(
            f"{path}: 清单文件格式不对：{where}：{first['msg']}（共{exc.error_count()}处）"
        ) from None


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``manifest.json``."""
    schema = Manifest.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/lianchuang/lianchuang-cli/schemas/manifest.schema.json",
        **schema,
    }
