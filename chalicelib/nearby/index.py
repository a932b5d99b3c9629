"""The geohash index of map requests: which cells a request is indexed under, their shard keys, and how they are read.

A request's cover is refined where the index is crowded (finer cells on the circle's edge), so a point meets few
circles that do not hold it. Coarse cells, read by every `nearest` query of a city, are written to SHARDS keys and
read from one.
"""
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

from chalicelib.geo import cells as geo
from chalicelib.nearby.models import RequestCell

# Cells of this precision or coarser (4.9 km and up) are each read by a large share of a city's queries: 3 keys each
# keep such a key under DynamoDB's 3,000 RCU/s per partition at 10,000 queries/s (bench/hot_cells.py). Three, so that
# a base cover of 32 such cells (96 index items) still fits one transaction.
SHARDED_UP_TO, SHARDS = 5, 3
# Index items a refinement may bring a request to (its base cover has about 15; refining never takes it past 98, so
# create, renew and expire still write them with the request and the creator's counter within TransactWriteItems'
# 100). 48 rather than 98: at 5,000 clustered circles, 98 cut the worst sparse point's items / (found + 10) from 3.45
# to 2.45 but doubled every create's writes.
BUDGET = 48
# A cell is crowded when at least CROWDED of its newest CROWD_SAMPLE items are circles the cell is not wholly inside:
# each is a circle that some point of the cell reads without being in it.
CROWD_SAMPLE, CROWDED = 16, 4
# Cells a create asks about at most (one Query each), so a create in a crowded place stays a few round trips.
CROWD_ASKS = 32
# Index items of a cell's first page; later pages are sized to the hits still wanted (at most MAX_PAGE).
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


def cover(lat: float, lon: float, radius_m: float) -> tuple[str, ...]:
    """The cells a new circle is indexed under: its geohash cover, refined where the index is crowded, within one
    transaction's items."""
    asks = CROWD_ASKS

    def crowded_within_asks(cells: list[str]) -> list[str]:
        nonlocal asks
        asked, asks = cells[:asks], max(0, asks - len(cells))
        return crowded(asked)

    return geo.refined(lat, lon, radius_m, geo.cover(lat, lon, radius_m).cells, crowded_within_asks, shards, BUDGET)


def crowded(cells: list[str]) -> list[str]:
    """The crowded cells among these, most crowded first (one small Query each, in parallel)."""
    if not cells:
        return []
    with ThreadPoolExecutor(min(len(cells), 8)) as pool:
        edges = dict(zip(cells, pool.map(_edge_items, cells), strict=True))
    return sorted((cell for cell in cells if edges[cell] >= CROWDED), key=lambda cell: -edges[cell])


def _edge_items(cell: str) -> int:
    """How many of the cell's newest CROWD_SAMPLE circles do not hold the whole cell."""
    items = RequestCell.query(cell, scan_index_forward=False, limit=CROWD_SAMPLE, page_size=CROWD_SAMPLE)
    return sum(not geo.inside(float(item.lat), float(item.lon), float(item.radius), cell) for item in items)


class Pages:
    """The later pages a lookup may still read, shared by its cells' streams (MAX_QUERIES in all)."""

    def __init__(self, cells: int) -> None:
        self.left = MAX_QUERIES - cells

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def items_newest_first(cell: str, wanted: Callable[[], int], pages: Pages) -> Iterator[RequestCell]:
    """The cell's index items newest first, from one of its shards: a small first page, then, while the lookup may
    read more, pages of the hits still wanted (+2) or twice the last page, whichever is more. Doubling lets a cell
    full of circles that miss the point be read within the lookup's Queries (at 20,000 clustered circles, sizing
    pages to the hits wanted alone missed matches at 6 of 200 sparse points), at some extra items where hits
    abound (bench/nearest.py)."""
    key, last, limit = read_key(cell), None, FIRST_PAGE
    while True:
        page = RequestCell.query(key, scan_index_forward=False, limit=limit, page_size=limit,
                                 last_evaluated_key=last)
        yield from page
        last = page.last_evaluated_key
        if last is None or not pages.take():
            return
        limit = min(MAX_PAGE, max(wanted() + 2, 2 * limit))
