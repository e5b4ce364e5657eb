"""The next-rating search is exactly minimal: checked against brute force over small cases."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from lianchuang_cli.scoring.recovery import Candidate, fewest_then_cheapest

GROUPS = ("alpha", "beta", "gamma")

candidate_lists = st.lists(
    st.builds(
        Candidate,
        key=st.just(""),
        group=st.sampled_from(GROUPS),
        cents=st.integers(min_value=1, max_value=500).map(lambda c: c * 5 if c % 3 else c),
    ),
    max_size=9,
).map(lambda cs: [Candidate(f"g{i}", c.group, c.cents) for i, c in enumerate(cs)])


def brute_force(
    candidates: list[Candidate], deficits: dict[str, int], needed: int
) -> tuple[int, int] | None:
    """(items, cents) of the best subset by trying every one, or None when none qualifies."""
    for size in range(len(candidates) + 1):
        sums = [
            sum(c.cents for c in chosen)
            for chosen in combinations(candidates, size)
            if sum(c.cents for c in chosen) >= needed
            and all(
                sum(c.cents for c in chosen if c.group == group) >= deficit
                for group, deficit in deficits.items()
            )
        ]
        if sums:
            return size, min(sums)
    return None


@settings(max_examples=400, deadline=None)
@given(
    candidates=candidate_lists,
    deficits=st.dictionaries(st.sampled_from(GROUPS), st.integers(-200, 900), max_size=3),
    needed=st.integers(0, 4000),
)
def test_fewest_items_then_fewest_points(
    candidates: list[Candidate], deficits: dict[str, int], needed: int
) -> None:
    """Same item count and the same recovered points as the best of all subsets."""
    found = fewest_then_cheapest(candidates, deficits, needed)
    best = brute_force(candidates, deficits, needed)
    if best is None:
        assert found is None
        return
    assert found is not None
    assert len({c.key for c in found}) == len(found)
    total = sum(c.cents for c in found)
    assert total >= needed
    for group, deficit in deficits.items():
        assert sum(c.cents for c in found if c.group == group) >= deficit
    assert (len(found), total) == best


def test_small_fixes_beat_one_large_gap() -> None:
    """Two items are needed either way; the pair that recovers least is chosen, not the largest."""
    candidates = [
        Candidate("income", "beta", 200),
        Candidate("meetings", "alpha", 200),
        Candidate("petitions", "beta", 100),
    ]
    chosen = fewest_then_cheapest(candidates, {"alpha": 0, "beta": 100}, 300)
    assert chosen is not None
    assert {c.key for c in chosen} in ({"meetings", "petitions"}, {"income", "petitions"})
    assert sum(c.cents for c in chosen) == 300


def test_a_deficit_in_a_group_without_gaps_cannot_be_met() -> None:
    """A criterion short of its share with nothing left to recover makes the band unreachable."""
    assert fewest_then_cheapest([Candidate("a", "alpha", 100)], {"beta": 50}, 0) is None


@settings(max_examples=400, deadline=None)
@given(
    candidates=candidate_lists,
    deficits=st.dictionaries(st.sampled_from(GROUPS), st.integers(-200, 900), max_size=3),
    needed=st.integers(0, 2500),
)
def test_one_item_answers_are_the_table_search_answers(
    candidates: list[Candidate], deficits: dict[str, int], needed: int
) -> None:
    """When one item is the fewest, the direct pick is the very item the table search returns."""
    from lianchuang_cli.scoring import recovery

    by_group: dict[str, list[tuple[int, Candidate]]] = {}
    for position, candidate in enumerate(candidates):
        by_group.setdefault(candidate.group, []).append((position, candidate))
    if any(deficit > 0 and group not in by_group for group, deficit in deficits.items()):
        return
    most = recovery._greedy_count(by_group, deficits, needed)
    if most is None or most > 1:
        return
    searched = recovery._table_search(candidates, by_group, deficits, needed, max(most, 1))
    if most == 0:
        assert fewest_then_cheapest(candidates, deficits, needed) == () == searched
    else:
        assert fewest_then_cheapest(candidates, deficits, needed) == searched


def test_equally_cheap_single_items_give_the_first() -> None:
    candidates = [
        Candidate("a", "alpha", 100),
        Candidate("b", "beta", 100),
        Candidate("c", "alpha", 300),
    ]
    assert fewest_then_cheapest(candidates, {}, 100) == (candidates[0],)
    assert fewest_then_cheapest(candidates, {"beta": 50}, 100) == (candidates[1],)
    assert fewest_then_cheapest(candidates, {"alpha": 150}, 100) == (candidates[2],)
