"""`nearest` at scale: fill DynamoDB Local with N map requests over a 60 km x 60 km city (radii 100 m
to 2 km, created over the past week) and print, for N = 1,000, 10,000 and 100,000, the DynamoDB items
read and Query calls per `nearest` query and its p50/p95 time (in process, so calls can be counted).

Requests and their index cells are written in batches, as `create` would write them; the city fills
cumulatively (1k, then 9k more, then 90k more). Bounded: 200 queries per size. Usage:
    python bench/nearest.py [--sizes 1000,10000,100000] [--queries 200]
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
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat)))


def random_point(rng: random.Random) -> tuple[float, float]:
    return offset(CITY_LAT, CITY_LON, rng.uniform(-HALF_SIDE_M, HALF_SIDE_M), rng.uniform(-HALF_SIDE_M, HALF_SIDE_M))


def fill(first_id: int, count: int, rng: random.Random, workers: int = 4) -> int:
    """Write `count` map requests and their cells from parallel batch writers; returns the cells written."""
    from concurrent.futures import ThreadPoolExecutor

    chunk = -(-count // workers)
    seeds = [rng.random() for _ in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(lambda n: fill_chunk(first_id + n * chunk, min(chunk, count - n * chunk),
                                                 random.Random(seeds[n])), range(workers)))


def fill_chunk(first_id: int, count: int, rng: random.Random) -> int:
    """Write `count` map requests and their cells; returns the index items written."""
    from chalicelib.geo import cells as geo
    from chalicelib.nearby.models import MAP, NearbyRequest, RequestCell
    from chalicelib.nearby.requests import LIFETIME, position

    written = 0
    with NearbyRequest.batch_write() as requests, RequestCell.batch_write() as index:
        for request_id in range(first_id, first_id + count):
            lat, lon = random_point(rng)
            radius = rng.uniform(100, 2000)
            start = NOW - timedelta(seconds=rng.uniform(0, 6.9 * 24 * 3600))
            cover = geo.cover(lat, lon, radius)
            requests.save(NearbyRequest(request_id, kind=MAP, creator_id="bench", message="m", lat=lat, lon=lon,
                                        radius=radius, cells=list(cover.cells), start=start, end=start + LIFETIME,
                                        expiring="active"))
            at = position(start, request_id)
            for cell in cover.cells:
                index.save(RequestCell(cell, at, request_id=request_id, lat=lat, lon=lon, radius=radius,
                                       end=start + LIFETIME, remove_at=start + LIFETIME))
            written += len(cover.cells)
    return written


def measure(queries: int, rng: random.Random, counts: Counter) -> dict:
    from chalicelib.nearby import requests

    times, found = [], 0
    counts.clear()
    for _ in range(queries):
        lat, lon = random_point(rng)
        start = time.perf_counter()
        found += len(requests.nearest(lat, lon))
        times.append((time.perf_counter() - start) * 1000)
    return {"index items read": counts["query items read"] / queries, "Query calls": counts["Query"] / queries,
            "found": found / queries,
            "p50 ms": statistics.median(times), "p95 ms": statistics.quantiles(times, n=20)[18]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    from local.services import start_dynamodb_local

    dynamodb = start_dynamodb_local()
    os.environ.update(AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", TABLE_PREFIX="bench-nearest")
    try:
        run([int(size) for size in args.sizes.split(",")], args.queries)
    finally:
        dynamodb.stop()


def run(sizes: list[int], queries: int) -> None:
    import app  # noqa: F401  (registers every model)
    from chalicelib.core import clock, collaborators
    from chalicelib.core.tables import create_tables

    create_tables()
    with collaborators.using(clock=clock.FixedClock(NOW)):
        report(sizes, queries)


def report(sizes: list[int], queries: int) -> None:
    rng, counts, total, cells = random.Random(7), None, 0, 0
    print(f"nearest over a 60 km city, radii 100 m to 2 km, {queries} random points per size")
    print(f"{'N':>8} {'cells/req':>9} {'index items read':>17} {'Query calls':>12} {'found':>6} {'p50 ms':>7} "
          f"{'p95 ms':>7}   (fill s)")
    for size in sizes:
        began = time.perf_counter()
        cells += fill(total + 1, size - total, rng)
        total = size
        filled = time.perf_counter() - began
        counts = counts or count_dynamodb_calls()
        figures = measure(queries, random.Random(size), counts)
        print(f"{size:>8} {cells / total:>9.1f} {figures['index items read']:>17.1f} {figures['Query calls']:>12.1f} "
              f"{figures['found']:>6.1f} {figures['p50 ms']:>7.1f} {figures['p95 ms']:>7.1f}   ({filled:.0f})",
              flush=True)


if __name__ == "__main__":
    main()
