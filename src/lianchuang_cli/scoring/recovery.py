"""The next-rating search: the fewest gaps to recover, and among those the fewest points.

A unit reaches a better rating when the points it recovers lift the total to the band's minimum
and lift every criterion to the band's share. Both conditions only ask for *enough* recovered
points (the total grows with the recovered points even through 缺项 rescaling and the floor), so
the search works on whole cents: ``needed`` for the total, one deficit per criterion.

Exact search, not a greedy pick of the largest gaps (which proposes "raise income from 0 to 10万元"
when two small fixes would do): per criterion, every reachable sum of its gaps with the fewest
items that reach it; then the criteria are combined sum by sum. Sums are whole cents of at most
the rubric's total, so the tables stay small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msgspec import Struct


class Candidate(Struct, frozen=True):
    """A gap that may be recovered: its criterion and the points it would recover, in cents."""

    key: str
    group: str
    cents: int


# sum of cents → (number of items, the items' positions in the candidate list, ascending)
_Table = dict[int, tuple[int, tuple[int, ...]]]


def _better(new: tuple[int, tuple[int, ...]], old: tuple[int, tuple[int, ...]] | None) -> bool:
    return old is None or new < old


def _group_table(members: Sequence[tuple[int, Candidate]], deficit: int, most: int) -> _Table:
    """Every sum this criterion's gaps reach with at most ``most`` items that covers its deficit."""
    table: _Table = {0: (0, ())}
    for position, candidate in members:
        for total, (count, items) in list(table.items()):
            if count == most:
                continue
            entry = (count + 1, (*items, position))
            key = total + candidate.cents
            if _better(entry, table.get(key)):
                table[key] = entry
    return {total: entry for total, entry in table.items() if total >= deficit}


def _greedy_count(
    by_group: Mapping[str, list[tuple[int, Candidate]]], deficits: Mapping[str, int], needed: int
) -> int | None:
    """A feasible item count (largest gaps first), bounding the exact search; None if none is."""
    chosen: set[int] = set()
    for group, deficit in deficits.items():
        largest = sorted(by_group.get(group, []), key=lambda m: -m[1].cents)
        covered = 0
        for position, candidate in largest:
            if covered >= deficit:
                break
            chosen.add(position)
            covered += candidate.cents
        if covered < deficit:
            return None
    everything = sorted(
        (m for members in by_group.values() for m in members), key=lambda m: -m[1].cents
    )
    total = sum(c.cents for p, c in everything if p in chosen)
    for position, candidate in everything:
        if total >= needed:
            break
        if position not in chosen:
            chosen.add(position)
            total += candidate.cents
    return len(chosen) if total >= needed else None


def _prune(table: _Table, needed: int) -> _Table:
    """Drop sums at or above ``needed`` that no fewer items beat with a smaller sum."""
    kept: _Table = {}
    best_count: int | None = None
    for total in sorted(table):
        count, items = table[total]
        if total < needed:
            kept[total] = (count, items)
        elif best_count is None or count < best_count:
            kept[total] = (count, items)
            best_count = count
    return kept


def _fewest_of_one(
    candidates: Sequence[Candidate], deficits: Mapping[str, int], needed: int
) -> tuple[Candidate, ...] | None:
    """The search's answer when one item is the fewest that can do: the cheapest single item
    meeting every condition, the first of equally cheap ones (the table search keeps the same)."""
    short = [group for group, deficit in deficits.items() if deficit > 0]
    best: tuple[int, int] | None = None
    for position, candidate in enumerate(candidates):
        if candidate.cents < needed or any(group != candidate.group for group in short):
            continue
        if any(candidate.cents < deficits[group] for group in short):
            continue
        if best is None or (candidate.cents, position) < best:
            best = (candidate.cents, position)
    return None if best is None else (candidates[best[1]],)


def fewest_then_cheapest(
    candidates: Sequence[Candidate], deficits: Mapping[str, int], needed: int
) -> tuple[Candidate, ...] | None:
    """The subset with the fewest items, then the fewest cents, meeting every condition.

    Conditions: the chosen cents add up to at least ``needed``, and for every group the chosen
    cents of that group add up to at least its deficit (groups not in ``deficits`` need nothing).
    Returns None when even every candidate together does not meet them.
    """
    by_group: dict[str, list[tuple[int, Candidate]]] = {}
    for position, candidate in enumerate(candidates):
        by_group.setdefault(candidate.group, []).append((position, candidate))
    for group, deficit in deficits.items():
        if deficit > 0 and group not in by_group:
            return None
    most = _greedy_count(by_group, deficits, needed)
    if most is None:
        return None
    if most <= 1:
        return _fewest_of_one(candidates, deficits, needed) if most else ()
    return _table_search(candidates, by_group, deficits, needed, most)


def _table_search(
    candidates: Sequence[Candidate],
    by_group: Mapping[str, list[tuple[int, Candidate]]],
    deficits: Mapping[str, int],
    needed: int,
    most: int,
) -> tuple[Candidate, ...] | None:
    """The exact search over every group's table of sums, with at most ``most`` items."""
    combined: _Table = {0: (0, ())}
    for group, members in by_group.items():
        options = _group_table(members, deficits.get(group, 0), most)
        if not options:
            return None
        merged: _Table = {}
        for total, (count, items) in combined.items():
            for extra, (more, chosen) in options.items():
                if count + more > most:
                    continue
                entry = (count + more, tuple(sorted((*items, *chosen))))
                key = total + extra
                if _better(entry, merged.get(key)):
                    merged[key] = entry
        combined = _prune(merged, needed)
    feasible = [
        (count, total, items) for total, (count, items) in combined.items() if total >= needed
    ]
    if not feasible:
        return None
    _, _, items = min(feasible)
    return tuple(candidates[position] for position in items)
