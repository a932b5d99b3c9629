"""The geohash index of map requests: which cells a request is indexed under, their shard keys, and how they are read.

A request's cover is refined where the index is crowded (finer cells on the circle's edge), so a point meets few
circles that do not hold it. Coarse cells, read by every `nearest` query of a city, are written to SHARDS keys and
read from one.
"""
import math
import random
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from chalicelib.core import clock
from chalicelib.geo import cells as geo
from chalicelib.nearby.models import LIFETIME, RequestCell, started

# Cells of this precision or coarser (4.9 km and up) are each read by a large share of a city's queries: 3 keys each
# keep such a key under DynamoDB's 3,000 RCU/s per partition at 10,000 queries/s (bench/hot_cells.py). Three, so that
# a base cover of 32 such cells (96 index items) still fits one transaction.
SHARDED_UP_TO, SHARDS = 5, 3
# Index items a refinement may bring a request to: create, renew and expire write them with the request and the
# creator's counter, within TransactWriteItems' 100. Only crowded cells are split, so the budget is spent where the
# index is crowded: elsewhere a request keeps its base cover (15 items a create at 1,000 uniform circles, 40 at
# 10,000). At 20,000 clustered circles (93 items a create there), with pages sized from the hit rate, the worst
# points read at most 1.6 times items / (found + 10) against 2.7 with 48 items, the worst sparse ones 3.8 against
# 6.3 (bench/nearest.py).
BUDGET = 98
# A cell is crowded when it holds about CROWDED circles that miss part of it, or more (estimated from its newest
# CROWD_SAMPLE items): a point of the cell outside them reads them all, and a lookup that finds nothing may read 20
# items in all its cells. 12 rather than 20 as a point reads several cells: in bench/nearest.py's fills (replayed in
# memory) 20 left 20 of the 200 worst sparse points over the bound at 5,000 clustered circles and 12 left 5 (6: 5),
# for 40 items a create in the uniform city at 10,000 circles (6: 57; 20: 23; a fixed sample count of 4: 65).
CROWD_SAMPLE, CROWDED = 16, 12
# Cells a create asks about at most (one Query each), so a create in a crowded place stays a few round trips.
CROWD_ASKS = 32
# Where BUDGET or CROWD_ASKS held a create's cover back, the `reindex-requests` job refines it on, off the request path,
# in transactions of at most FOLLOW_UP_ITEMS index items (the request's own update is the 100th). At 20,000 clustered
# circles 200 items leave no point over the bound where 98 left 10 of the 200 worst sparse ones (3.8 times
# items / (found + 10) at worst; bench/nearest_budget.py).
FURTHER_BUDGET, FURTHER_ASKS, FOLLOW_UP_ITEMS = 200, 128, 99
# Index items of a cell's first page; later pages are sized from the lookup's hit rate (at most MAX_PAGE).
FIRST_PAGE, MAX_PAGE = 8, 100
# Queries a lookup makes at most: one first page for each precision, the rest for later pages.
MAX_QUERIES = 12


def shards(cell: str) -> int:
    """How many keys the cell is written to."""
    return SHARDS if len(cell) <= SHARDED_UP_TO else 1


def keys(cell: str) -> list[str]:
    """The cell's keys: the cell itself (shard 0, as stored before sharding), then `<cell>:<shard>`."""
    return [cell] + [f"{cell}:{shard}" for shard in range(1, shards(cell))]


def read_key(cell: str) -> str:
    """One of the cell's keys, at random, so that reads spread over its shards."""
    return random.choice(keys(cell))


def cover(lat: float, lon: float, radius_m: float,
          how_crowded: Callable[[list[str]], dict[str, int]] | None = None) -> geo.Refined:
    """The cells a new circle is indexed under: its geohash cover, refined where the index is crowded (`crowded`,
    unless told otherwise: bench/nearest.py judges from memory), within one transaction's items; held back when
    the budget or CROWD_ASKS stopped it (`reindex-requests` goes on: `further`)."""
    return _refined(lat, lon, radius_m, geo.cover(lat, lon, radius_m).cells, how_crowded, BUDGET, CROWD_ASKS)


def further(lat: float, lon: float, radius_m: float, cells: Iterable[str],
            how_crowded: Callable[[list[str]], dict[str, int]] | None = None) -> tuple[str, ...]:
    """A held-back cover refined on, off the request path, within FURTHER_BUDGET items and FURTHER_ASKS Queries."""
    return _refined(lat, lon, radius_m, cells, how_crowded, FURTHER_BUDGET, FURTHER_ASKS).cells


def _refined(lat: float, lon: float, radius_m: float, cells: Iterable[str],
             how_crowded: Callable[[list[str]], dict[str, int]] | None, budget: int, asks: int) -> geo.Refined:
    how_crowded, cut = how_crowded or crowded, False

    def crowded_within_asks(cells: list[str]) -> dict[str, int]:
        nonlocal asks, cut
        asked, asks, cut = cells[:asks], max(0, asks - len(cells)), cut or len(cells) > asks
        return how_crowded(asked)

    refined = geo.refined(lat, lon, radius_m, cells, crowded_within_asks, shards, budget)
    return geo.Refined(refined.cells, refined.held_back or cut)


def follow_ups(old: Iterable[str], new: Iterable[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The transactions that take a cover from `old` to `new` (which only splits old's cells), as (cover before,
    cover after) pairs: each split (a cell's items deleted, its children's put) whole in one, coarser splits first,
    at most FOLLOW_UP_ITEMS index items a transaction. Every cover between two transactions is a cover."""
    new, current = frozenset(new), frozenset(old)
    # Every cell split on the way: below each old cell, the proper prefixes of the new cells it holds.
    split = {cell[:end] for cell in new - current
             for start in (next(n for n in range(len(cell) - 1, 0, -1) if cell[:n] in current),)
             for end in range(start, len(cell))}
    made = new | split
    steps, before = [], current
    for parent in sorted(split, key=lambda cell: (len(cell), cell)):
        after = (current - {parent}) | {cell for cell in made if len(cell) == len(parent) + 1 and cell[:-1] == parent}
        if _items(before ^ after) > FOLLOW_UP_ITEMS:
            steps.append((before, current))
            before = current
        current = after
    return [*steps, (before, current)] if before != current else steps


def _items(cells: Iterable[str]) -> int:
    return sum(shards(cell) for cell in cells)


def crowded(cells: list[str]) -> dict[str, int]:
    """The crowded cells among these, each with how many of its newest CROWD_SAMPLE circles miss part of it (one
    small Query a cell, in parallel)."""
    if not cells:
        return {}
    with ThreadPoolExecutor(min(len(cells), 8)) as pool:
        samples = dict(zip(cells, pool.map(_newest, cells), strict=True))
    return crowding(samples, clock.now())


def _newest(cell: str) -> list[tuple[str, bool]]:
    """The cell's newest CROWD_SAMPLE items, newest first, as (position, the circle misses part of the cell)."""
    items = RequestCell.query(cell, scan_index_forward=False, limit=CROWD_SAMPLE, page_size=CROWD_SAMPLE)
    return [(item.position, not geo.inside(float(item.lat), float(item.lon), float(item.radius), cell))
            for item in items]


def crowding(samples: dict[str, list[tuple[str, bool]]], now: datetime) -> dict[str, int]:
    """Of cells sampled as `_newest` reads them, the crowded ones, each with its sample's misses (the share of its
    circles that some of its points read for nothing: the weight of its split)."""
    return {cell: sum(miss for _, miss in sample) for cell, sample in samples.items()
            if _circles_missing_part(sample, now) >= CROWDED}


def _circles_missing_part(newest: list[tuple[str, bool]], now: datetime) -> float:
    """About how many circles missing part of the cell it holds. When the sample is full the cell holds more: as
    many as the sample, scaled from the time back to its oldest to a request's lifetime (a cell holds the circles
    of the last 7 days)."""
    misses = sum(miss for _, miss in newest)
    if len(newest) < CROWD_SAMPLE:
        return misses
    return misses * max(1.0, LIFETIME / max(now - started(newest[-1][0]), LIFETIME / 1000))


class Pages:
    """The later pages a lookup may still read, shared by its cells' streams (MAX_QUERIES in all), and their sizes."""

    def __init__(self, cells: int, wanted: int, found: Callable[[], int]) -> None:
        self.left, self.wanted, self.found = MAX_QUERIES - cells, wanted, found

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0

    def after(self, read: int) -> int:
        """The next page of a cell once `read` of its items are read: the items it should hold down to the hits still
        wanted, at the lookup's rate so far, + 2 (at least the hits wanted + 2). A cell's items run out only where the
        lookup has read every cell down to the same time, so `found` hits came with `read` of its items."""
        found = self.found()
        missing = self.wanted - found
        return min(MAX_PAGE, max(missing, math.ceil(missing * read / max(found, 1))) + 2)


def items_newest_first(cell: str, pages: Pages) -> Iterator[RequestCell]:
    """The cell's index items newest first, from one of its shards: a small first page, then, while the lookup may
    read more, pages sized to what the lookup has seen (`Pages.after`). Sizing pages to the hits wanted alone left a
    cell full of circles that miss the point unread when the lookup's Queries ran out (missed matches); doubling
    them read up to 2.1 times the bound where hits abound (bench/nearest.py's 20,000 clustered circles, replayed in
    memory; 1.8 sized from the hit rate)."""
    key, last, limit, read = read_key(cell), None, FIRST_PAGE, 0
    while True:
        page = RequestCell.query(key, scan_index_forward=False, limit=limit, page_size=limit,
                                 last_evaluated_key=last)
        for item in page:
            read += 1
            yield item
        last = page.last_evaluated_key
        if last is None or not pages.take():
            return
        limit = pages.after(read)
