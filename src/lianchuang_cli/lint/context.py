"""The rubric as lint checks see it: every part that loaded, and where each part sits in the file.

A rubric with a schema error is still checked: each criterion, indicator, band and item that
validates on its own is kept, so one typo never hides the other problems. Parts that fail are
dropped (their schema errors are reported separately); a top-level or criterion field that fails
gets a neutral stand-in that no check reports on (a criterion's points fall back to the sum of its
indicators, the total to the sum of the criteria). Every kept model is indexed by identity to its
path in the file, which is how checks locate what they find.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from yaml.nodes import MappingNode, SequenceNode

from lianchuang_cli.lint.finding import Finding
from lianchuang_cli.model.rubric import Criterion, Indicator, LoadedRubric, Rubric
from lianchuang_cli.reading.yaml_reader import SourceDocument

Loc = tuple[str | int, ...]
LoadRubric = Callable[[Path], LoadedRubric]
"""How a check loads another rubric (``grading.rubrics.load_rubric``, passed in by whoever lints)."""


class RubricContext:
    """A (possibly partial) rubric, its source document, and the position of each of its parts."""

    def __init__(
        self,
        doc: SourceDocument,
        built: BuiltRubric,
        *,
        lines: Sequence[str] = (),
        load: LoadRubric | None = None,
    ) -> None:
        self.doc = doc
        self.lines = lines
        self.load = load
        """Loads another rubric for checks that compare with one (None: those checks are skipped)."""
        self.rubric = built.rubric
        self.positions = built.positions
        self.incomplete = built.incomplete

    def whole(self, part: BaseModel, field: str) -> bool:
        """Whether every item of the list ``field`` of ``part`` loaded (sums need all of them)."""
        return self.loc(part, field) not in self.incomplete

    def loc(self, part: BaseModel, *path: str | int) -> Loc:
        """The path in the file of ``part`` (a model of this rubric), extended by ``path``."""
        return (*self.positions.get(id(part), ()), *path)

    def at(self, part: BaseModel, *path: str | int, message: str, key: bool = False) -> Finding:
        """A finding located at ``part`` (or at one of its fields)."""
        return Finding(self.loc(part, *path), message, key)

    def span(self, part: BaseModel) -> tuple[int, int]:
        """The first and last 1-based line of ``part`` in the file, with the comment lines
        directly above it (where a rubric notes what an item is based on)."""
        node = self.doc.root
        for step in self.loc(part):
            if isinstance(node, MappingNode):
                node = next((v for k, v in node.value if k.value == str(step)), None)
            elif isinstance(node, SequenceNode) and isinstance(step, int):
                node = node.value[step] if 0 <= step < len(node.value) else None
            if node is None:
                return 1, 1
        assert node is not None
        lines = self.lines
        first, end = node.start_mark.line, node.end_mark
        # A block ends where the next token starts: on a later line, that line is not ours.
        ends_here = end.line < len(lines) and lines[end.line][: end.column].strip()
        last = end.line if ends_here else end.line - 1  # (a block at the end of the file)
        last = min(last, len(lines) - 1)
        while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
            last -= 1
        while 0 < first <= len(lines) and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        return first + 1, last + 1

    def indicators(self) -> Iterable[tuple[Criterion, Indicator]]:
        """Every indicator that loaded, with its criterion."""
        return self.rubric.indicators()


@dataclass(frozen=True, slots=True)
class BuiltRubric:
    """A rubric as far as it loaded: positions of its parts, lists that lost items, the errors."""

    rubric: Rubric
    positions: dict[int, Loc]
    incomplete: frozenset[Loc]
    error: ValidationError | None


def build_rubric(doc: SourceDocument) -> BuiltRubric:
    """Validate the whole rubric; on failure, build it from the parts that validate on their own."""
    positions: dict[int, Loc] = {}
    data = doc.data if isinstance(doc.data, dict) else {}
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        incomplete: set[Loc] = set()
        partial = _partial(Rubric, data, (), positions, incomplete)
        assert isinstance(partial, Rubric)  # the root always has stand-ins
        return BuiltRubric(partial, positions, frozenset(incomplete), exc)
    index_positions(rubric, (), positions)
    return BuiltRubric(rubric, positions, frozenset(), None)


def index_positions(value: Any, loc: Loc, positions: dict[int, Loc]) -> None:
    """Record the path of every model reachable from ``value``."""
    if isinstance(value, BaseModel):
        positions[id(value)] = loc
        for name in type(value).model_fields:
            index_positions(getattr(value, name, None), (*loc, name), positions)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if isinstance(item, BaseModel | list | tuple | dict):
                index_positions(item, (*loc, index), positions)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, BaseModel | list | tuple | dict):
                index_positions(item, (*loc, key), positions)


def _sum_points(parts: Iterable[Any]) -> Decimal:
    return sum((part.points for part in parts), Decimal(0))


# Stand-ins for required fields that failed validation: chosen so that no check reports on them.
_FALLBACKS: dict[type[BaseModel], Callable[[dict[str, Any]], dict[str, Any]]] = {
    Rubric: lambda fields: {
        "id": "",
        "level": "village",
        "title": "",
        "version": "",
        "year": 0,
        "source": "",
        "criteria": [],
        "ratings": [],
        "total_points": _sum_points(fields.get("criteria", [])),
    },
    Criterion: lambda fields: {
        "id": "",
        "name": fields.get("id", ""),
        "indicators": [],
        "points": _sum_points(fields.get("indicators", [])),
    },
}


def _partial(
    cls: type[BaseModel], raw: Any, loc: Loc, positions: dict[int, Loc], incomplete: set[Loc]
) -> Any:
    if not isinstance(raw, dict):
        return None
    try:
        whole = cls.model_validate(raw)
    except ValidationError:
        pass
    else:
        index_positions(whole, loc, positions)
        return whole
    fields: dict[str, Any] = {}
    failed = False
    for name, info in cls.model_fields.items():
        item_model = _list_item_model(info.annotation)
        if name not in raw:
            failed = failed or info.is_required()
            if item_model is not None and info.is_required():
                incomplete.add((*loc, name))
            continue
        if item_model is not None and isinstance(raw[name], list):
            built = (
                _partial(item_model, item, (*loc, name, index), positions, incomplete)
                for index, item in enumerate(raw[name])
            )
            fields[name] = [part for part in built if part is not None]
            if len(fields[name]) < len(raw[name]):
                incomplete.add((*loc, name))
            continue
        try:
            fields[name] = _field_adapter(cls, name).validate_python(raw[name])
        except ValidationError:
            failed = failed or info.is_required()
            if item_model is not None:
                incomplete.add((*loc, name))
            continue
        index_positions(fields[name], (*loc, name), positions)
    if failed:
        fallback = _FALLBACKS.get(cls)
        if fallback is None:
            return None
        fields = {**fallback(fields), **fields}
    part = cls.model_construct(**fields)
    positions[id(part)] = loc
    return part


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is not list:
        return None
    (item,) = get_args(annotation)
    if get_origin(item) is Annotated:
        item = get_args(item)[0]
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


@cache  # a pure memo: a model class's field never changes
def _field_adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = cls.model_fields[name]
    if info.discriminator is not None:
        discriminated: Any = Annotated[
            info.annotation, *info.metadata, Field(discriminator=info.discriminator)
        ]
        return TypeAdapter(discriminated)
    return TypeAdapter(info.rebuild_annotation())
