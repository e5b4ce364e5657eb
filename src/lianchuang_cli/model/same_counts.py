"""One population counted at several places of a unit's file (the rubric's ``same_counts``).

桃源村 gave its party-member total as 86 for the young-member share and as 48 for the dues paid:
two numbers for one fact, each scoring a different indicator. The rubric names the places that
count the same population; a file that gives them different numbers (or a part larger than the
whole) is wrong at every place involved, and the unit is not graded until they agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from msgspec import Struct

from lianchuang_cli.errors import Problem
from lianchuang_cli.model.profile import VillageProfile
from lianchuang_cli.model.rubric import LoadedRubric, Rubric, SameCount
from lianchuang_cli.reading.document import Document

PROFILE = "profile"


class Place(Struct, frozen=True):
    """A place a number is written: a profile field, or an indicator's value (or a field of it)."""

    key: str
    field: str | None
    in_profile: bool

    @classmethod
    def parse(cls, text: str) -> Place:
        """``profile.committee_size``, ``dues_paid.whole`` or ``secretary_drives_households``."""
        key, _, field = text.partition(".")
        if key == PROFILE:
            return cls(field, None, True)
        return cls(key, field or None, False)

    @property
    def path(self) -> list[str | int]:
        """Where the number is in the evidence file."""
        if self.in_profile:
            return [PROFILE, self.key]
        return ["indicators", self.key, "value", *([self.field] if self.field else [])]

    def __str__(self) -> str:
        if self.in_profile:
            return f"{PROFILE}.{self.key}"
        return f"{self.key}.{self.field}" if self.field else self.key

    def read(self, values: Mapping[str, Any], profile: VillageProfile | None) -> int | None:
        """The whole number written here, or None when nothing countable is (a percentage
        written as a number, 缺项, an entry left out)."""
        if self.in_profile:
            found = getattr(profile, self.key, None) if profile is not None else None
        else:
            found = values.get(self.key)
            if self.field is not None:
                found = getattr(found, self.field, None)
        return found if type(found) is int else None


def same_count_problems(
    doc: Document,
    loaded: LoadedRubric,
    values: Mapping[str, Any],
    profile: VillageProfile | None,
) -> list[Problem]:
    """Every place where the file gives a population a number the other places contradict."""
    problems: list[Problem] = []
    for fact in loaded.rubric.same_counts:
        equal = _given(fact.equal, values, profile)
        if len({number for _, number in equal}) > 1:
            listed = "，".join(_label(place, loaded, number, fact) for place, number in equal)
            message = (
                f"{fact.name}填了不同的数：{listed}；同一{fact.name}只能有一个数，"
                "请按台账核实后把各处改成一致"
            )
            problems.extend(doc.problem(place.path, message) for place, _ in equal)
            continue  # which total is right is for the unit to say: parts are compared after
        for part, number in _given(fact.within, values, profile):
            for place, whole in equal:
                if number <= whole:
                    continue
                message = (
                    f"{_label(part, loaded, number, fact)}多于{fact.name}："
                    f"{_label(place, loaded, whole, fact)}；"
                    f"前者只计{fact.name}中的一部分，不能多于总数，请按台账核实"
                )
                problems.append(doc.problem(part.path, message))
                problems.append(doc.problem(place.path, message))
    return problems


def _given(
    places: list[str], values: Mapping[str, Any], profile: VillageProfile | None
) -> list[tuple[Place, int]]:
    found = [(place, place.read(values, profile)) for place in map(_parsed, places)]
    return [(place, number) for place, number in found if number is not None]


@cache
def _parsed(text: str) -> Place:
    # A rubric names a handful of places, read for every file graded. A pure memo: a place is
    # all in its text.
    return Place.parse(text)


def _label(place: Place, loaded: LoadedRubric, number: int, fact: SameCount) -> str:
    """“按月交纳党费（dues_paid.whole）48人”."""
    entry = loaded.indicator_index.get(place.key)
    name = "村情基本信息" if place.in_profile or entry is None else entry[1].name
    return f"{name}（{place}）{number}{fact.unit}"


def fill_notes(rubric: Rubric, indicator_id: str) -> list[str]:
    """What a template says at an indicator counted in a ``same_counts`` population: the other
    places its number must agree with, so the one filling it in types one number once."""
    notes = []
    for fact in rubric.same_counts:
        for section in ("equal", "within"):
            for text in getattr(fact, section):
                place = Place.parse(text)
                if place.in_profile or place.key != indicator_id:
                    continue
                what = f"本项的 {place.field} " if place.field else "本项填写值"
                others = "、".join(t for t in fact.equal if t != text)
                if section == "equal":
                    notes.append(f"同一总体：{what}为{fact.name}，须与 {others} 相同")
                else:
                    notes.append(f"同一总体：{what}只计{fact.name}中的一部分，不能多于 {others}")
    return notes
