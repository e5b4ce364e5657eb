"""What a validated evidence file holds: the unit, each indicator's entry and value (or 缺项),
and the penalty, bonus and veto events. ``model.evidence`` checks a document into these."""

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar, cast

from msgspec import Struct
from pydantic import BeforeValidator, Field, TypeAdapter

from lianchuang_cli.model import plain
from lianchuang_cli.model.profile import VillageProfile
from lianchuang_cli.model.rules import Frozen, Score
from lianchuang_cli.model.rules.base import MAX_COUNT
from lianchuang_cli.reading.document import Document, Location


def _code_as_text(value: Any) -> Any:
    # A code written without quotes and without a leading zero arrives as a number.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, Field(min_length=1)]
Version = Annotated[str, BeforeValidator(_code_as_text), Field(min_length=1)]
Code = Annotated[str, BeforeValidator(_code_as_text)]


class UnitInfo(Frozen):
    """The assessed unit (考评对象)."""

    name: Text
    code: Annotated[str, BeforeValidator(_code_as_text), Field(min_length=1)]
    township: str = ""
    county: str = ""
    # Links one level up (三级联创): a village names its township's code, a township its county's.
    township_code: Code = ""
    county_code: Code = ""
    year: Annotated[int, Field(strict=True, ge=2000, le=2100)]

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "name": plain.filled,
        "code": plain.filled_code,
        "township": plain.text,
        "county": plain.text,
        "township_code": plain.code,
        "county_code": plain.code,
        "year": plain.whole(2000, 2100),
    }


class IndicatorEntry(Frozen):
    """What a unit hands in for one indicator."""

    value: Any = None
    not_applicable: str | None = None
    note: str = ""
    attachments: list[str] = []
    self_score: Score | None = None

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "value": plain.anything,  # read by the indicator's rule
        "not_applicable": plain.optional(plain.text),
        "note": plain.text,
        "attachments": plain.texts,
        "self_score": plain.optional(plain.score),
    }


class Occurrence(Frozen):
    """Something that happened, named by its rubric item id: a veto event as recorded."""

    id: Text
    note: str = ""
    attachments: list[str] = []

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "id": plain.filled,
        "note": plain.text,
        "attachments": plain.texts,
    }


class Event(Occurrence):
    """A penalty or bonus occurrence, ``count`` times."""

    count: Annotated[int, Field(strict=True, ge=1, le=MAX_COUNT)] = 1

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        **(Occurrence.plain_fields or {}),
        "count": plain.whole(1, MAX_COUNT),
    }


class NotApplicable(Struct, frozen=True):
    """An indicator marked not applicable (缺项): one of the rubric's situations, and a remark."""

    situation: str
    remark: str


class IndicatorEntries(Mapping[str, IndicatorEntry]):
    """Each indicator's entry, in file order, as validated.

    Entries that the validation fast path accepted (``fast_path``: nothing but a value, a note and
    attachments) are built on first access, from the same mapping with the same model as the full
    check builds them; scoring reads only ``self_score``, which such entries do not have.
    """

    __slots__ = ("_items", "self_scores")

    def __init__(self) -> None:
        self._items: dict[str, IndicatorEntry | dict[str, Any]] = {}
        self.self_scores: dict[str, Decimal] = {}
        """The self-assessed scores (自评分) given, by indicator id."""

    def __getitem__(self, key: str) -> IndicatorEntry:
        item = self._items[key]
        if isinstance(item, IndicatorEntry):
            return item
        entry = IndicatorEntry.read_plain(item)  # plain: the fast path took it
        if entry is plain.DECLINED:
            entry = ENTRY.validate_python(item)
        self._items[key] = entry
        return cast(IndicatorEntry, entry)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def self_score(self, key: str) -> Decimal | None:
        """The entry's self-assessed score, None when it has none or there is no entry."""
        return self.self_scores.get(key)

    def add(self, key: str, entry: IndicatorEntry) -> None:
        self._items[key] = entry
        if entry.self_score is not None:
            self.self_scores[key] = entry.self_score

    def defer(self, key: str, plain: dict[str, Any]) -> None:
        """Keep an entry the fast path accepted, to be built when asked for."""
        self._items[key] = plain


class Evidence(Struct, frozen=True):
    """A validated evidence file, with each indicator's value parsed by its rule."""

    doc: Document
    unit: UnitInfo
    values: dict[str, Any]
    entries: IndicatorEntries
    locations: dict[str, Location]
    penalties: tuple[Event, ...]
    bonuses: tuple[Event, ...]
    vetoes: tuple[Occurrence, ...]
    profile: VillageProfile | None = None


ENTRY = TypeAdapter(IndicatorEntry)
"""Builds an indicator's entry from its mapping (the full check and deferred fast-path entries)."""
