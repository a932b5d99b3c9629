"""The geohash index: coarse cells written to every shard and read from one; lookups stay a few Queries."""
import boto3

from chalicelib.nearby import index
from chalicelib.nearby.models import NearbyRequest, RequestCell
from tests.unit.nearby.conftest import ASK

BIG = {**ASK, "location": {"lat": 33.749, "lon": -84.3884, "radius": 3000}}


def test_coarse_cells_are_written_to_every_shard(api, alice):
    assert api.post("/api/v04/requests", BIG, token=alice)[0] == 201
    cells = NearbyRequest.get(1).cells
    assert cells and all(len(cell) <= index.SHARDED_UP_TO for cell in cells)
    assert sorted(item.cell for item in RequestCell.scan()) == sorted(key for cell in cells for key in index.keys(cell))
    assert len(index.keys(cells[0])) == index.SHARDS


def test_any_shard_answers_the_same(api, alice, monkeypatch):
    assert api.post("/api/v04/requests", BIG, token=alice)[0] == 201
    for shard in range(index.SHARDS):
        monkeypatch.setattr(index.random, "choice", lambda keys, shard=shard: keys[min(shard, len(keys) - 1)])
        found = api.get("/api/v04/requests/nearest?lat=33.75&lon=-84.39", token=alice)[1]
        assert [r["requestId"] for r in found] == [1]


def test_a_lookup_is_one_query_a_precision_when_cells_are_small(api, alice, aws_calls):
    assert api.post("/api/v04/requests", ASK, token=alice)[0] == 201
    before = len(aws_calls)
    assert len(api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884", token=alice)[1]) == 1
    assert [op for _, op, _ in aws_calls[before:]].count("Query") == 7


def _ring(count, settings_env, alice_account, fixed_clock, radii=(750,)):
    """`count` circles whose edges cross the same cells, a metre apart in longitude, their radii taken in turn."""
    from chalicelib.nearby import requests

    settings_env(MAX_ACTIVE_REQUESTS="100000")
    for n in range(count):
        requests.create(alice_account, {"message": "m", "override": True, "location": {
            "lat": 33.749, "lon": -84.3884 + n * 1e-5, "radius": radii[n % len(radii)]}})
        fixed_clock.advance(seconds=1)


def _index_items_read(calls) -> int:
    """The index items the recorded Queries went through (each asked again, counting what it scanned)."""
    client = boto3.client("dynamodb")
    return sum(client.query(**params)["ScannedCount"] for service, operation, params in list(calls)
               if (service, operation) == ("dynamodb", "Query") and params["TableName"].endswith("-request-cells"))


def test_a_create_where_the_index_is_crowded_refines_its_cover_on_the_edge(api, settings_env, fixed_clock):
    from chalicelib.identity.models import Account

    _ring(index.CROWDED + 1, settings_env, Account(id="alice"), fixed_clock)
    first, last = NearbyRequest.get(1), NearbyRequest.get(index.CROWDED + 1)
    assert len({len(cell) for cell in first.cells}) == 1  # an empty index: the plain cover, one precision
    assert max(len(cell) for cell in last.cells) > max(len(cell) for cell in first.cells)
    assert len([key for cell in last.cells for key in index.keys(cell)]) <= index.BUDGET


def test_a_lookup_among_many_circles_that_miss_the_point_stops_at_its_queries(api, settings_env, fixed_clock,
                                                                                aws_calls, monkeypatch):
    from chalicelib.identity.models import Account
    from chalicelib.nearby import requests

    monkeypatch.setattr(index, "CROWDED", 10**6)  # no refinement: every circle lands in the same cells
    monkeypatch.setattr(index, "MAX_PAGE", index.FIRST_PAGE)  # pages of 8: the 60 items would take 14 Queries
    _ring(60, settings_env, Account(id="alice"), fixed_clock, radii=(300,))
    aws_calls.clear()
    # 400 m east of the centres: inside their cells, outside every circle.
    assert requests.nearest(33.749, -84.3884 + 400 / 92_600, Account(id="bob")).requests == []
    assert [op for _, op, _ in aws_calls].count("Query") <= index.MAX_QUERIES


def test_a_crowded_create_refines_up_to_what_its_transactions_hold(api, settings_env, fixed_clock):
    """More than the base cover's items where the index is crowded, and still one transaction for create, renew and
    expire (the request, the creator's counter and at most BUDGET index items)."""
    from chalicelib.identity.models import Account
    from chalicelib.nearby import requests

    _ring(index.CROWDED + 1, settings_env, Account(id="alice"), fixed_clock, radii=(1800,))
    last = NearbyRequest.get(index.CROWDED + 1)
    written = len([key for cell in last.cells for key in index.keys(cell)])
    assert 48 < written <= index.BUDGET == 98
    requests.renew(last.id, Account(id="alice"))
    fixed_clock.advance(days=8)
    assert requests.expire_due(fixed_clock.now()).changed == index.CROWDED + 1
    assert not list(RequestCell.scan())


def test_a_lookup_sizes_its_later_pages_to_the_hit_rate(api, settings_env, fixed_clock, aws_calls, monkeypatch):
    """Every other circle of the point's cell holds it: the lookup reads its 25 within 2 x (25 + 10) items (pages
    doubling from 8 read 77)."""
    from chalicelib.identity.models import Account
    from chalicelib.nearby import requests

    monkeypatch.setattr(index, "CROWDED", 10**6)  # no refinement: every circle lands in the point's cell
    _ring(100, settings_env, Account(id="alice"), fixed_clock, radii=(450, 700))
    aws_calls.clear()
    # 550 m east of the centres: inside the 700 m circles, outside the 450 m ones.
    assert len(requests.nearest(33.749, -84.3884 + 550 / 92_600, Account(id="bob")).requests) == 25
    assert _index_items_read(aws_calls) <= 2 * (25 + 10)


def _sample(newest, days, misses):
    """CROWD_SAMPLE items, newest first, spread evenly back over `days`, the first `misses` of them circles that miss
    part of the cell."""
    from datetime import timedelta

    from chalicelib.nearby.models import position

    step = timedelta(days=days) / index.CROWD_SAMPLE
    return [(position(newest - n * step, n), n < misses) for n in range(index.CROWD_SAMPLE)]


def test_a_cell_is_crowded_by_the_circles_it_holds_not_by_its_newest_alone(fixed_clock):
    """The same newest 16 items (2 circles that miss part of the cell) mean about 15 such circles in a cell whose 16
    newest came in a day (a request lives 7), too many for a point outside them: crowded; over the week, 2: not."""
    now = fixed_clock.now()
    assert index.crowding({"djgzzy": _sample(now, 1, misses=2), "djgzzz": _sample(now, 7, misses=2)}, now) == {
        "djgzzy": 2}
