"""Hot keys of the geohash index: one city at 10,000 `nearest` queries a second (and a steady stream of creates
and expiries), with the read pattern bench/nearest.py measures, against DynamoDB's per-partition limits
(3,000 RCU/s, 1,000 WCU/s). Prints the busiest key of each precision, unsharded and as written today
(index.SHARDS keys for precisions up to index.SHARDED_UP_TO, one read at random), and whether any key
exceeds the limits. Creates write their covers refined as if every cell were crowded (the most items a create
writes), and `reindex-requests` refines them on likewise. In memory, a minute or two. Usage:
    python bench/hot_cells.py [--rate 10000] [--creates 50] [--queries 8.2] [--items 43]
"""
import argparse
import math
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
READ_LIMIT, WRITE_LIMIT = 3_000, 1_000
# The dense city of bench/nearest.py: six neighbourhoods in Lagos, spreads of 300 m to 1.2 km.
CITY_LAT, CITY_LON = 6.5244, 3.3792
ITEM_BYTES = 200  # an index item: cell, position, id, circle, end, TTL
SAMPLE = 100_000


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat)))


def city(rng: random.Random) -> list[tuple[float, float, float]]:
    return [(*offset(CITY_LAT, CITY_LON, rng.uniform(-10_000, 10_000), rng.uniform(-10_000, 10_000)),
             rng.uniform(300, 1200)) for _ in range(6)]


def place(rng: random.Random, hubs: list[tuple[float, float, float]]) -> tuple[float, float]:
    lat, lon, spread = rng.choice(hubs)
    return offset(lat, lon, rng.gauss(0, spread), rng.gauss(0, spread))


def read_units(queries_per_lookup: float, items_per_lookup: float) -> float:
    """RCU one lookup spends on each precision's key: eventually consistent Queries, 0.5 RCU per 4 KB started."""
    per_query = items_per_lookup / queries_per_lookup * ITEM_BYTES
    return queries_per_lookup / 7 * 0.5 * math.ceil(max(1.0, per_query) / 4096)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10_000, help="nearest queries a second in the city")
    parser.add_argument("--creates", type=float, default=50, help="map requests created (and expired) a second")
    parser.add_argument("--queries", type=float, default=8.2, help="Queries per lookup (bench/nearest.py, dense)")
    parser.add_argument("--items", type=float, default=43, help="items read per lookup (bench/nearest.py, dense)")
    args = parser.parse_args()
    from chalicelib.geo import cells as geo
    from chalicelib.nearby import index

    rng = random.Random(3)
    hubs = city(rng)
    rcu = read_units(args.queries, args.items)
    reads: dict[bool, Counter] = {False: Counter(), True: Counter()}
    for _ in range(SAMPLE):
        for cell in geo.point_cells(*place(rng, hubs)).values():
            reads[False][cell] += 1
            reads[True][index.read_key(cell)] += 1
    writes: Counter = Counter()
    for _ in range(SAMPLE // 10):
        lat, lon = place(rng, hubs)
        radius = rng.uniform(100, 2000)
        # Refined as if every cell were crowded: the most index items a create writes, then the cells
        # reindex-requests puts as it refines the cover on (each key put once and deleted once).
        every_cell_crowded = lambda cells: dict.fromkeys(cells, 1)  # noqa: E731
        created = index.cover(lat, lon, radius, every_cell_crowded).cells
        for cell in {*created, *index.further(lat, lon, radius, created, every_cell_crowded)}:
            writes.update(index.keys(cell))
    read_scale, write_scale = args.rate * rcu / SAMPLE, args.creates * 2 * 2 / (SAMPLE // 10)  # put + delete, 2 WCU
    print(f"one city at {args.rate:,.0f} nearest/s ({rcu:.2f} RCU per precision per lookup), "
          f"{args.creates:,.0f} creates/s; limits {READ_LIMIT:,} RCU/s and {WRITE_LIMIT:,} WCU/s per key")
    print(f"{'precision':>9} {'RCU/s unsharded':>16} {'RCU/s sharded':>14} {'WCU/s':>7}")
    worst_read = worst_write = 0.0
    for precision in geo.PRECISIONS:
        plain = max(n for cell, n in reads[False].items() if len(cell) == precision) * read_scale
        sharded = max(n for key, n in reads[True].items() if len(key.split(":")[0]) == precision) * read_scale
        written = max((n for key, n in writes.items() if len(key.split(":")[0]) == precision), default=0) * write_scale
        worst_read, worst_write = max(worst_read, sharded), max(worst_write, written)
        print(f"{precision:>9} {plain:>16,.0f} {sharded:>14,.0f} {written:>7,.0f}")
    verdict = "no key exceeds them" if worst_read <= READ_LIMIT and worst_write <= WRITE_LIMIT else "THROTTLED"
    print(f"busiest key: {worst_read:,.0f} RCU/s, {worst_write:,.0f} WCU/s: {verdict}")
    print(f"write amplification of sharding: each cell of precision <= {index.SHARDED_UP_TO} is written "
          f"{index.SHARDS} times")


if __name__ == "__main__":
    main()
