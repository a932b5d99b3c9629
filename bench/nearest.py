"""`nearest` at scale: fill DynamoDB Local with N map requests over a 60 km x 60 km city (radii 100 m
to 2 km, created over the past week) and print, for N = 1,000, 10,000 and 100,000, the DynamoDB items
read and Query calls per `nearest` query, the largest items read / (found + 10) (the bound is 2) and its p50/p95
time (in process, so calls can be counted).

Then the dense worst case: 20,000 circles clustered in the neighbourhoods of one city, queried at the points
where the index is worst for them (the most circles indexed under the point's cells per circle holding it),
with the average and largest items read and Queries per lookup and the ratio items / (found + 10), and every point
over the bound of 2.

Requests and their index cells are written in batches, as `create` would write them (the cover refined
where the index is crowded, judged from an in-memory copy of the index as `index.crowded` judges it from
the table); the city fills cumulatively (1k, then 9k more, then 90k more). Bounded: 200 queries per size.
Usage:
    python bench/nearest.py [--sizes 1000,10000,100000] [--queries 200] [--dense 20000]
"""
import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dynamodb_calls import count_dynamodb_calls  # bench/ is on the path: the scripts run from it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CITY_LAT, CITY_LON, HALF_SIDE_M = 33.7490, -84.3884, 30_000
DENSE_LAT, DENSE_LON = 6.5244, 3.3792
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat)))


def random_point(rng: random.Random) -> tuple[float, float]:
    return offset(CITY_LAT, CITY_LON, rng.uniform(-HALF_SIDE_M, HALF_SIDE_M), rng.uniform(-HALF_SIDE_M, HALF_SIDE_M))


class MemoryIndex:
    """The index's contents as the fill writes them, to refine covers as `index.crowded` would from the table."""

    def __init__(self) -> None:
        self.cells: dict[str, list[tuple[str, bool, int]]] = {}  # cell -> (position, circle misses part of it, id)
        self.reindexed: list[tuple[int, int]] = []  # per cover refined on: transactions, index items written

    def crowded(self, cells: list[str]) -> dict[str, int]:
        from chalicelib.nearby import index

        newest = {cell: self.cells.get(cell, [])[-index.CROWD_SAMPLE:][::-1] for cell in cells}
        return index.crowding({cell: [(at, edge) for at, edge, _ in newest[cell]] for cell in cells}, NOW)

    def add(self, at: str, request_id: int, circle: tuple[float, float, float], cells: tuple[str, ...]) -> None:
        import bisect

        from chalicelib.geo import cells as geo

        for cell in cells:
            bisect.insort(self.cells.setdefault(cell, []), (at, not geo.inside(*circle, cell), request_id))

    def remove(self, at: str, request_id: int, cells) -> None:
        """Take a circle's items out of these cells (a refinement replaces them)."""
        import bisect

        for cell in cells:
            entries = self.cells[cell]
            n = bisect.bisect_left(entries, (at,))
            while entries[n][2] != request_id:
                n += 1
            del entries[n]

    def indexed(self, lat: float, lon: float) -> list[int]:
        """The ids of the circles indexed under the point's cells: a superset of those holding it."""
        from chalicelib.geo import cells as geo

        return [request_id for cell in geo.point_cells(lat, lon).values()
                for _, _, request_id in self.cells.get(cell, [])]


def plan(first_id: int, count: int, rng: random.Random, place, memory: MemoryIndex,
         reindexed: bool = True) -> list[tuple]:
    """`count` new map requests (id, lat, lon, radius, start, cells), covers refined as `create` refines them, and,
    where create's budget held one back, as `reindex-requests` refines it on (unless not `reindexed`). The job runs
    every minute: here it refines a cover before the next create (the dense city gets 2 a minute)."""
    from chalicelib.nearby import index
    from chalicelib.nearby.models import position

    planned = []
    for request_id in range(first_id, first_id + count):
        lat, lon = place(rng)
        radius = rng.uniform(100, 2000)
        start = NOW - timedelta(seconds=rng.uniform(0, 6.9 * 24 * 3600))
        at = position(start, request_id)
        cells, held_back = index.cover(lat, lon, radius, memory.crowded)
        memory.add(at, request_id, (lat, lon, radius), cells)
        if held_back and reindexed:
            memory.remove(at, request_id, cells)
            further = index.further(lat, lon, radius, cells, memory.crowded)
            memory.reindexed.append(follow_up_cost(cells, further))
            memory.add(at, request_id, (lat, lon, radius), further)
            cells = further
        planned.append((request_id, lat, lon, radius, start, cells))
    return planned


def follow_up_cost(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    """The transactions `reindex-requests` takes a cover from `old` to `new` in (`index.follow_ups`), and the index
    items they write (puts and deletes)."""
    from chalicelib.nearby import index

    steps = index.follow_ups(old, new)
    return len(steps), sum(index.shards(cell) for before, after in steps for cell in before ^ after)


def fill(planned: list[tuple], workers: int = 16) -> int:
    """Write the planned requests and their index items from parallel batch writers; returns the items written."""
    from concurrent.futures import ThreadPoolExecutor

    chunk = -(-len(planned) // workers)
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(fill_chunk, [planned[n:n + chunk] for n in range(0, len(planned), chunk)]))


def fill_chunk(planned: list[tuple]) -> int:
    """Write these map requests and their index items (every shard key); returns the index items written."""
    from chalicelib.nearby import index
    from chalicelib.nearby.models import LIFETIME, MAP, NearbyRequest, RequestCell, position

    written = 0
    with NearbyRequest.batch_write() as requests, RequestCell.batch_write() as items:
        for request_id, lat, lon, radius, start, cells in planned:
            requests.save(NearbyRequest(request_id, kind=MAP, creator_id="bench", message="m", lat=lat, lon=lon,
                                        radius=radius, cells=list(cells), start=start, end=start + LIFETIME,
                                        expiring="active"))
            at = position(start, request_id)
            for key in (key for cell in cells for key in index.keys(cell)):
                items.save(RequestCell(key, at, request_id=request_id, lat=lat, lon=lon, radius=radius,
                                       end=start + LIFETIME, remove_at=start + LIFETIME))
                written += 1
    return written


def measure(points: list[tuple[float, float]], counts: Counter) -> dict:
    """Query each point; the per-lookup items read, Queries, answers and times."""
    from chalicelib.identity.models import Account
    from chalicelib.nearby import requests

    caller = Account(id="bench")
    items, queries, found, times = [], [], [], []
    for lat, lon in points:
        before = Counter(counts)
        start = time.perf_counter()
        found.append(len(requests.nearest(lat, lon, caller).requests))
        times.append((time.perf_counter() - start) * 1000)
        items.append(counts["query items read"] - before["query items read"])
        queries.append(counts["Query"] - before["Query"])
    return {"items": items, "queries": queries, "found": found, "times": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dense", type=int, default=20_000, help="circles of the dense case (0: skip it)")
    args = parser.parse_args()
    from local.services import start_dynamodb_local

    dynamodb = start_dynamodb_local()
    os.environ.update(AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", TABLE_PREFIX="bench-nearest")
    try:
        run([int(size) for size in args.sizes.split(",") if size], args.queries, args.dense)
    finally:
        dynamodb.stop()


def run(sizes: list[int], queries: int, dense: int) -> None:
    import app  # noqa: F401  (registers every model)
    from chalicelib.core import clock, collaborators
    from chalicelib.core.tables import create_tables

    create_tables()
    counts = count_dynamodb_calls()
    with collaborators.using(clock=clock.FixedClock(NOW)):
        if sizes:
            report(sizes, queries, counts)
        if dense:
            report_dense(dense, queries, counts)


def report(sizes: list[int], queries: int, counts: Counter) -> None:
    from chalicelib.nearby import index

    rng, memory, total, cells = random.Random(7), MemoryIndex(), 0, 0
    print(f"nearest over a 60 km city, radii 100 m to 2 km, {queries} random points per size")
    print(f"{'N':>8} {'items/req':>9} {'index items read':>17} {'Query calls':>12} {'found':>6} {'max ratio':>9} "
          f"{'p50 ms':>7} {'p95 ms':>7}   (fill s)   (ratio: items / (found + 10), budget 2)")
    for size in sizes:
        began = time.perf_counter()
        planned = plan(total + 1, size - total, rng, random_point, memory)
        cells += fill(planned)
        written = [sum(index.shards(cell) for cell in new[5]) for new in planned]
        total = size
        filled = time.perf_counter() - began
        point_rng = random.Random(size)
        figures = measure([random_point(point_rng) for _ in range(queries)], counts)
        print(f"{size:>8} {cells / total:>9.1f} {statistics.mean(figures['items']):>17.1f} "
              f"{statistics.mean(figures['queries']):>12.1f} {statistics.mean(figures['found']):>6.1f} "
              f"{max(ratios(figures)):>9.2f} "
              f"{statistics.median(figures['times']):>7.1f} {statistics.quantiles(figures['times'], n=20)[18]:>7.1f}"
              f"   ({filled:.0f}; new requests' index items: max {max(written)})", flush=True)


def neighbourhoods(rng: random.Random, count: int = 6) -> list[tuple[float, float, float]]:
    """Where the dense city's circles gather: (lat, lon, spread in metres). The dense city is Lagos, far from the
    uniform one, so the two share no cell."""
    return [(*offset(DENSE_LAT, DENSE_LON, rng.uniform(-10_000, 10_000), rng.uniform(-10_000, 10_000)),
             rng.uniform(300, 1200)) for _ in range(count)]


def dense_plan(size: int, memory: MemoryIndex, progress=None,
               reindexed: bool = True) -> tuple[list[tuple], random.Random, list]:
    """The dense worst case's circles, crowded into a few neighbourhoods and planned into `memory` (in chunks,
    `progress` told the count after each); with the rng as the plan leaves it and the neighbourhoods, from which
    its points are picked."""
    rng = random.Random(11)
    hubs = neighbourhoods(rng)

    def clustered(rng: random.Random) -> tuple[float, float]:
        lat, lon, spread = rng.choice(hubs)
        return offset(lat, lon, rng.gauss(0, spread), rng.gauss(0, spread))

    planned: list[tuple] = []
    for first in range(0, size, 2000):
        planned += plan(10_000_001 + first, min(2000, size - first), rng, clustered, memory, reindexed)
        if progress:
            progress(len(planned))
    return planned, rng, hubs


def report_dense(size: int, queries: int, counts: Counter) -> None:
    """The worst case: circles crowded into a few neighbourhoods, queried where the index serves them worst."""
    from chalicelib.nearby import index

    memory = MemoryIndex()
    began = time.perf_counter()
    planned, rng, hubs = dense_plan(size, memory)
    written = fill(planned)
    filled = time.perf_counter() - began
    worst, sparse = worst_points(planned, memory, rng, hubs, queries)
    most = max(sum(index.shards(cell) for cell in new[5]) for new in planned)
    print(f"\ndense worst case: {size} circles in {len(hubs)} neighbourhoods (spread 300 m to 1.2 km), "
          f"{written / size:.1f} index items a request ({most} at most), filled in {filled:.0f} s")
    print_dense(f"{queries} points where the index serves worst (most circles indexed per circle holding the "
                "point)", worst, counts)
    print_dense(f"{len(sparse)} points with fewer than 25 true matches where the index serves worst", sparse, counts)


def print_dense(title: str, points: list[tuple[float, float, int]], counts: Counter) -> None:
    figures = measure([(lat, lon) for lat, lon, _ in points], counts)
    bounds = ratios(figures)
    wrong = sum(found != min(25, true) for found, (_, _, true) in zip(figures["found"], points, strict=True))
    print(title)
    print(f"  items read per lookup: avg {statistics.mean(figures['items']):.1f}, max {max(figures['items'])}")
    print(f"  Queries per lookup:    avg {statistics.mean(figures['queries']):.1f}, max {max(figures['queries'])}")
    print(f"  true matches:          avg {statistics.mean(t for _, _, t in points):.1f}, "
          f"found avg {statistics.mean(figures['found']):.1f} (answers of the wrong length: {wrong})")
    print(f"  items / (found + 10):  avg {statistics.mean(bounds):.2f}, max {max(bounds):.2f}  (budget 2; "
          f"{sum(bound > 2 for bound in bounds)} points over it)")
    for bound, (lat, lon, true), items in zip(bounds, points, figures["items"], strict=True):
        if bound > 2:
            print(f"    over: ({lat:.6f}, {lon:.6f}) {true} true matches, {items} items read, ratio {bound:.2f}")
    print(f"  p50 {statistics.median(figures['times']):.1f} ms, "
          f"p95 {statistics.quantiles(figures['times'], n=20)[18]:.1f} ms", flush=True)


def ratios(figures: dict) -> list[float]:
    """Each lookup's items read / (found + 10): the bound is 2."""
    return [items / (found + 10) for items, found in zip(figures["items"], figures["found"], strict=True)]


def worst_points(planned: list[tuple], memory: MemoryIndex, rng: random.Random, hubs: list, count: int) -> tuple:
    """Of 20 x `count` points around the neighbourhoods, the `count` with the most circles indexed under their cells
    per circle holding them, and likewise among those with fewer than 25 true matches: (lat, lon, true matches)."""
    from chalicelib.geo import cells as geo

    circles = {request_id: (lat, lon, radius) for request_id, lat, lon, radius, _, _ in planned}
    scored = []
    for _ in range(20 * count):
        lat, lon, spread = rng.choice(hubs)
        lat, lon = offset(lat, lon, rng.gauss(0, 2 * spread), rng.gauss(0, 2 * spread))
        indexed = memory.indexed(lat, lon)
        true = sum(geo.contains(*circles[request_id], lat, lon) for request_id in indexed)
        scored.append((len(indexed) / (min(25, true) + 10), lat, lon, true))
    ranked = sorted(scored, reverse=True)
    return ([(lat, lon, true) for _, lat, lon, true in ranked[:count]],
            [(lat, lon, true) for _, lat, lon, true in ranked if true < 25][:count])


if __name__ == "__main__":
    main()
