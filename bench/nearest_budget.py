"""Issue 20 experiment, in memory (no DynamoDB): would a larger refinement budget bring every point of the dense
worst case within the bound (items read <= 2 x (found + 10))?

Replays `nearest.report_dense`'s fill of 20,000 clustered circles (same seeds, `plan` with `MemoryIndex`) with
`index.BUDGET` patched to each budget; as deployed ("reindexed": budget 98, then `reindex-requests` refines each
held-back cover to `index.FURTHER_BUDGET` before the next create); and the variant "refine later": covers written
with budget 98, then, once the whole fill is in, every circle's cover refined further (only splits: a cell gives
way to its children that touch the circle, as `geo.refined` does) against the crowding of the index as it then is,
with budget B, circle after circle in creation order, each re-refinement updating the in-memory index before the
next is judged (an asynchronous refiner that runs after the area got crowded). The refiner asks about crowding
without create's CROWD_ASKS cap (it is off the request path).

Lookups run the real `requests.nearest` (so `index.items_newest_first`, `index.Pages`, the merge and the stop at
25 hits or MAX_QUERIES), with `RequestCell.query` replaced by an in-memory fake that serves a cell's items newest
first, `limit` at a time, and answers a LastEvaluatedKey whenever it returned `limit` items (as DynamoDB does,
even when no item is left), and `requests.listing` replaced by the ids found. Shards do not matter in memory.

The points are picked once, from the 98-budget fill, as `report_dense` picks them (`worst_points`), and reused
for every configuration. Missed matches: of the min(25, true) newest circles holding the (rounded) point, those
not found.

Usage (from the repository root):
    python bench/nearest_budget.py [--size 20000] [--queries 200] [--configs 98,150,200,300,400,later98,...]
"""
import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from unittest.mock import patch

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from nearest import NOW, MemoryIndex, dense_plan, follow_up_cost, worst_points  # noqa: E402

DEFAULT_CONFIGS = "98,reindexed,150,200,300,400,later98,later200,later300"


class Memory(MemoryIndex):
    """MemoryIndex that can be copied (each configuration refines its own)."""

    def copy(self) -> "Memory":
        other = Memory()
        other.cells = {cell: list(entries) for cell, entries in self.cells.items()}
        return other


def dense_fill(size: int, budget: int, label: str, reindexed: bool = False):
    """report_dense's fill with index.BUDGET = budget (and `reindex-requests` if `reindexed`): (planned, memory, rng
    after the fill, hubs)."""
    from chalicelib.nearby import index

    memory, began = Memory(), time.perf_counter()

    def progress(done: int) -> None:
        print(f"  [{label}] filled {done}/{size} ({time.perf_counter() - began:.0f} s)", flush=True)

    with patch.object(index, "BUDGET", budget):
        planned, rng, hubs = dense_plan(size, memory, progress, reindexed)
    return planned, memory, rng, hubs


def refine_later(planned: list[tuple], memory: Memory, budget: int, label: str) -> tuple[list[tuple], dict]:
    """Every circle's cover refined further against the index as it is, with `budget` (see the module doc); the new
    plan, and what the follow-up writes cost."""
    from chalicelib.geo import cells as geo
    from chalicelib.nearby import index
    from chalicelib.nearby.models import position

    new_plan, began = [], time.perf_counter()
    changed, transactions, written, asks = 0, [], [], [0]

    def crowded(cells: list[str]) -> dict[str, int]:
        asks[0] += len(cells)
        return memory.crowded(cells)

    for n, (request_id, lat, lon, radius, start, cells) in enumerate(planned, 1):
        new = geo.refined(lat, lon, radius, cells, crowded, index.shards, budget).cells
        if set(new) != set(cells):
            at = position(start, request_id)
            memory.remove(at, request_id, cells)
            memory.add(at, request_id, (lat, lon, radius), new)
            changed += 1
            count, items = follow_up_cost(cells, new)
            transactions.append(count)
            written.append(items)
        else:
            transactions.append(0)
            written.append(0)
        new_plan.append((request_id, lat, lon, radius, start, new))
        if n % 4000 == 0:
            print(f"  [{label}] re-refined {n}/{len(planned)} ({time.perf_counter() - began:.0f} s)", flush=True)
    return new_plan, {"changed": changed, "transactions": transactions, "written": written, "asks": asks[0]}


class Store:
    """The index in memory, per cell newest first, served as `RequestCell.query` serves it."""

    class Item:
        __slots__ = ("position", "request_id", "creator_id", "lat", "lon", "radius", "end")

    class Page(list):
        last_evaluated_key = None

    def __init__(self, planned: list[tuple]) -> None:
        from chalicelib.nearby.models import LIFETIME, position

        by_cell: dict[str, list] = {}
        for request_id, lat, lon, radius, start, cells in planned:
            item = Store.Item()
            item.position, item.request_id, item.creator_id = position(start, request_id), request_id, "bench"
            item.lat, item.lon, item.radius, item.end = lat, lon, radius, start + LIFETIME
            for cell in cells:
                by_cell.setdefault(cell, []).append(item)
        self.cells = {cell: sorted(items, key=lambda i: i.position, reverse=True) for cell, items in by_cell.items()}
        self.lock, self.items_read, self.queries = threading.Lock(), 0, 0

    def query(self, key: str, scan_index_forward: bool = True, limit: int | None = None,
              page_size: int | None = None, last_evaluated_key=None, **_):
        assert scan_index_forward is False and limit == page_size and limit and limit > 0, (limit, page_size)
        items = self.cells.get(key.split(":")[0], [])
        start = 0 if last_evaluated_key is None else last_evaluated_key
        page = Store.Page(items[start:start + limit])
        if len(page) == limit:  # DynamoDB answers a LastEvaluatedKey whenever the limit stopped it
            page.last_evaluated_key = start + limit
        with self.lock:
            self.items_read += len(page)
            self.queries += 1
        return page


def lookups(store: Store, points: list[tuple[float, float, int]]) -> dict:
    """Run requests.nearest at each point against the store: items read, Queries, found ids."""
    from chalicelib.core import clock, collaborators
    from chalicelib.identity.models import Account
    from chalicelib.nearby import requests
    from chalicelib.nearby.models import RequestCell

    class Found(list):
        requests = property(lambda self: self)

        def active(self, now):
            return self

    caller = Account(id="bench")
    figures = {"items": [], "queries": [], "found": []}
    with collaborators.using(clock=clock.FixedClock(NOW)), \
            patch.object(RequestCell, "query", store.query), \
            patch.object(requests, "listing", lambda found, account, known=(): Found(i for i, _ in found)):
        for lat, lon, _ in points:
            store.items_read = store.queries = 0
            found = requests.nearest(lat, lon, caller)
            figures["items"].append(store.items_read)
            figures["queries"].append(store.queries)
            figures["found"].append(list(found))
    return figures


def expected(planned: list[tuple], candidates: dict, points: list[tuple[float, float, int]]) -> list[list[int]]:
    """The min(25, true) newest circles holding each (rounded, as nearest rounds it) point."""
    from chalicelib.geo import cells as geo
    from chalicelib.nearby.models import position
    from chalicelib.nearby.requests import NEAREST_MAX, degrees

    by_id = {request_id: (lat, lon, radius, position(start, request_id))
             for request_id, lat, lon, radius, start, _ in planned}
    out = []
    for (lat, lon, _), ids in zip(points, candidates, strict=True):
        plat, plon = degrees(lat), degrees(lon)
        holding = sorted((by_id[i][3], i) for i in set(ids) if geo.contains(*by_id[i][:3], plat, plon))
        out.append([i for _, i in holding[::-1][:NEAREST_MAX]])
    return out


def summary(name: str, points, figures: dict, truth: list[list[int]]) -> str:
    items, queries = figures["items"], figures["queries"]
    ratios = [n / (len(found) + 10) for n, found in zip(items, figures["found"], strict=True)]
    missed = sum(len(set(want) - set(found)) for want, found in zip(truth, figures["found"], strict=True))
    wrong = sum(len(found) != min(25, true) for found, (_, _, true) in zip(figures["found"], points, strict=True))
    return (f"{name:<7} items {statistics.mean(items):6.1f} {max(items):4d}  queries {statistics.mean(queries):4.1f} "
            f"{max(queries):3d}  ratio {statistics.mean(ratios):4.2f} {max(ratios):4.2f}  "
            f"over2 {sum(r > 2 for r in ratios):3d}"
            f"  missed {missed} (wrong length {wrong})")


def overs(points, figures: dict) -> list[str]:
    return [f"      over: ({lat:.6f}, {lon:.6f}) {true} true, {n} items, {q} queries, ratio {n / (len(f) + 10):.2f}"
            for (lat, lon, true), n, q, f in zip(points, figures["items"], figures["queries"], figures["found"],
                                                 strict=True) if n / (len(f) + 10) > 2]


def per_create(planned: list[tuple]) -> tuple[float, int]:
    from chalicelib.nearby import index

    written = [sum(index.shards(cell) for cell in new[5]) for new in planned]
    return statistics.mean(written), max(written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--configs", default=DEFAULT_CONFIGS)
    parser.add_argument("--verbose", action="store_true", help="print every point over the bound")
    args = parser.parse_args()
    import app  # noqa: F401  (registers every model)

    configs = args.configs.split(",")
    began = time.perf_counter()
    print(f"replaying the dense fill ({args.size} clustered circles) with budget 98, to pick the points", flush=True)
    base_plan, base_memory, rng, hubs = dense_fill(args.size, 98, "98")
    worst, sparse = worst_points(base_plan, base_memory, rng, hubs, args.queries)
    sets = {"worst": worst, "sparse": sparse}
    # Every circle holding a point is indexed under one of its cells (the cover's guarantee, any refinement).
    truths = {name: expected(base_plan, [base_memory.indexed(lat, lon) for lat, lon, _ in pts], pts)
              for name, pts in sets.items()}
    print(f"points: {len(worst)} worst (true avg {statistics.mean(t for *_, t in worst):.1f}), {len(sparse)} sparse "
          f"(true avg {statistics.mean(t for *_, t in sparse):.1f})  ({time.perf_counter() - began:.0f} s)",
          flush=True)
    rows = []
    for config in configs:
        if config.startswith("later"):
            budget = int(config[5:])
            planned, cost = refine_later(base_plan, base_memory.copy(), budget, config)
            changed = cost["changed"]
            extra = (f"; follow-ups: {changed} of {len(planned)} circles re-refined, transactions a circle avg "
                     f"{statistics.mean(cost['transactions']):.2f} max {max(cost['transactions'])}, items written a "
                     f"circle (puts + deletes) avg {statistics.mean(cost['written']):.1f} max {max(cost['written'])}, "
                     f"crowding asks {cost['asks'] / len(planned):.1f} a circle")
        elif config == "reindexed":
            planned, memory, _, _ = dense_fill(args.size, 98, config, reindexed=True)
            transactions, written = zip(*memory.reindexed, strict=True)
            extra = (f"; reindex-requests refined {len(transactions)} of {len(planned)} covers, transactions "
                     f"{statistics.mean(transactions):.2f} (max {max(transactions)}) and index items written (puts "
                     f"+ deletes) {statistics.mean(written):.1f} (max {max(written)}) a refined cover")
        else:
            budget = int(config)
            planned = base_plan if budget == 98 else dense_fill(args.size, budget, config)[0]
            extra = ""
        avg, most = per_create(planned)
        store = Store(planned)
        lines = [f"{config}: index items per create avg {avg:.1f}, max {most}{extra}"]
        for name, pts in sets.items():
            figures = lookups(store, pts)
            lines.append("  " + summary(name, pts, figures, truths[name]))
            if args.verbose:
                lines += overs(pts, figures)
        rows.append(lines)
        print("\n".join(lines) + f"  ({time.perf_counter() - began:.0f} s)", flush=True)
    print("\n== table: items (avg max), queries (avg max), ratio items/(found+10) (avg max), points over 2, missed ==")
    for lines in rows:
        print("\n".join(line for line in lines if not line.startswith("      over")))


if __name__ == "__main__":
    main()
