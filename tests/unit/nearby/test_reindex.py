"""reindex-requests: a cover create's budget held back is refined on in steps, each a whole cover; renewals and
expiries larger than a transaction are finished; and those that meet a refinement half-way put or delete exactly the
cover's items."""
from datetime import timedelta

import pytest

from chalicelib.core import transactions
from chalicelib.core.clock import now
from chalicelib.geo import cells as geo
from chalicelib.identity.models import Account
from chalicelib.jobs.reindexing import reindex_requests
from chalicelib.nearby import index, requests
from chalicelib.nearby import reindex as reindex_module
from chalicelib.nearby.models import EXPIRED, REFINE, REPAIR, NearbyRequest, RequestCell
from chalicelib.nearby.reindex import reindex
from tests.unit.nearby.test_index import _ring

CROWDED = index.CROWDED + 1  # the ring's last circle meets a crowded index


def indexed(request_id: int) -> list[tuple[str, str]]:
    """The request's index items as stored: (key, end)."""
    return sorted((item.cell, item.end.isoformat()) for item in RequestCell.scan(RequestCell.request_id == request_id))


def expected(request: NearbyRequest) -> list[tuple[str, str]]:
    """The index items of the request's cover as stored on it: every key of every cell, with its end."""
    return sorted((key, request.end.isoformat()) for cell in request.cells for key in index.keys(cell))


def items(cells) -> int:
    return sum(index.shards(cell) for cell in cells)


@pytest.fixture
def held_back(api, settings_env, fixed_clock) -> NearbyRequest:
    """The last of a ring of wide circles: create's budget held its cover back."""
    _ring(CROWDED, settings_env, Account(id="alice"), fixed_clock, radii=(1800,))
    request = NearbyRequest.get(CROWDED)
    assert request.reindex == REFINE and items(request.cells) <= index.BUDGET
    return request


def test_a_create_in_an_empty_place_is_not_held_back(api, settings_env, fixed_clock):
    _ring(1, settings_env, Account(id="alice"), fixed_clock)

    assert NearbyRequest.get(1).reindex is None
    assert reindex_requests(now()).seen == 0


def test_the_job_refines_a_held_back_cover_beyond_creates_budget_and_lifts_its_mark(held_back):
    tally = reindex_requests(now())

    request = NearbyRequest.get(held_back.id)
    assert (tally.changed, request.reindex) == (1, None)
    assert index.BUDGET < items(request.cells) <= index.FURTHER_BUDGET
    assert set(request.cells) != set(held_back.cells)
    assert indexed(request.id) == expected(request)  # the old cells' items gone, the new ones' there
    assert reindex_requests(now()).seen == 0


def test_a_refined_cover_still_finds_its_circle_once_at_every_point_of_it(held_back):
    reindex_requests(now())
    request = NearbyRequest.get(held_back.id)
    cells = set(request.cells)
    for north in range(-1700, 1800, 100):
        for east in range(-1700, 1800, 100):
            point = (request.lat + north / 111_320, request.lon + east / 92_600)
            if geo.contains(request.lat, request.lon, request.radius, *point):
                assert len(cells & set(geo.point_cells(*point).values())) == 1, point
    found = requests.nearest(request.lat, request.lon, Account(id="bob")).requests
    assert [r.id for r in found].count(request.id) == 1


def test_a_refinement_too_large_for_one_transaction_goes_in_steps_each_a_whole_cover(held_back, monkeypatch,
                                                                                      aws_calls):
    monkeypatch.setattr(index, "FOLLOW_UP_ITEMS", 40)
    aws_calls.clear()

    assert reindex_requests(now()).changed == 1

    request = NearbyRequest.get(held_back.id)
    transactions = [params for _, op, params in aws_calls if op == "TransactWriteItems"]
    assert len(transactions) >= 3 and all(len(t["TransactItems"]) <= 41 for t in transactions)
    assert indexed(request.id) == expected(request) and request.reindex is None


def test_the_steps_take_the_cover_from_old_to_new_through_covers_within_the_items():
    circle = (33.749, -84.3884, 1800)
    old = geo.cover(*circle).cells
    new = geo.refined(*circle, old, lambda cells: dict.fromkeys(cells, 4), index.shards, 400).cells

    steps = index.follow_ups(old, new)

    assert steps[0][0] == set(old) and steps[-1][1] == set(new) and len(steps) > 1
    for (before, after), (following, _) in zip(steps, steps[1:], strict=False):
        assert after == following
    for before, after in steps:
        assert items(before ^ after) <= index.FOLLOW_UP_ITEMS
        assert not any(a != b and b.startswith(a) for a in after for b in after)  # disjoint cells


def test_a_renewal_that_read_the_cover_before_a_refinement_reads_again_and_the_job_puts_what_its_transaction_held_not(
        held_back, monkeypatch, fixed_clock):
    """A refined cover has more items than a renewal's transaction holds: it puts what fits and marks the request;
    the next run puts the rest. No item of the cover it first read is put back."""
    stale = NearbyRequest.get(held_back.id)
    reindex_requests(now())
    reads = iter([stale])
    monkeypatch.setattr(requests, "get", lambda request_id: next(reads, None) or NearbyRequest.get(request_id))
    fixed_clock.advance(days=1)

    requests.renew(held_back.id, Account(id="alice"))

    request = NearbyRequest.get(held_back.id)
    assert request.end == fixed_clock.now() + timedelta(days=7) and request.reindex == REPAIR
    stored = indexed(request.id)
    assert {key for key, _ in stored} == {key for key, _ in expected(request)}
    assert sum(end == request.end.isoformat() for _, end in stored) == transactions.ITEMS - 1

    assert reindex_requests(now()).changed == 1
    assert indexed(request.id) == expected(request) and NearbyRequest.get(request.id).reindex is None


def test_an_expiry_that_read_the_cover_before_a_refinement_leaves_the_request_to_the_next_run(held_back, fixed_clock):
    stale = NearbyRequest.get(held_back.id)
    reindex_requests(now())
    later = fixed_clock.now() + timedelta(days=8)

    assert requests._expire(stale, later) == 0
    assert indexed(held_back.id) == expected(NearbyRequest.get(held_back.id))

    assert requests.expire_due(later).changed == CROWDED
    request = NearbyRequest.get(held_back.id)
    assert (request.status, request.reindex) == (EXPIRED, REPAIR)
    assert len(indexed(held_back.id)) == items(request.cells) - (transactions.ITEMS - 2)

    fixed_clock.advance(days=8)
    assert reindex_requests(now()).changed >= 1
    assert not list(RequestCell.scan()) and NearbyRequest.get(held_back.id).reindex is None


def test_a_refinement_that_meets_a_renewal_changes_nothing_and_the_next_run_refines_the_renewed_request(
        held_back, fixed_clock):
    fixed_clock.advance(days=1)
    requests.renew(held_back.id, Account(id="alice"))

    assert reindex(held_back, now()) is False  # it read the end before the renewal
    renewed = NearbyRequest.get(held_back.id)
    assert renewed.cells == held_back.cells and renewed.reindex == REFINE
    assert indexed(renewed.id) == expected(renewed)

    assert reindex_requests(now()).changed == 1
    refined = NearbyRequest.get(held_back.id)
    assert refined.end == renewed.end and indexed(refined.id) == expected(refined)


def test_a_held_back_request_past_its_end_is_not_refined_and_leaves_the_index_of_held_back_covers(held_back,
                                                                                                 fixed_clock):
    fixed_clock.advance(days=8)

    tally = reindex_requests(now())

    assert (tally.seen, tally.changed) == (1, 0)
    request = NearbyRequest.get(held_back.id)
    assert request.reindex is None and request.cells == held_back.cells


def test_an_expiry_lifts_the_mark(held_back, fixed_clock):
    fixed_clock.advance(days=8)
    requests.expire_due(fixed_clock.now())

    assert NearbyRequest.get(held_back.id).reindex is None


def test_a_run_past_its_time_leaves_the_rest_marked_for_the_next(held_back, monkeypatch):
    monkeypatch.setattr(reindex_module, "RUN_SECONDS", 0)

    assert reindex_requests(now()).seen == 0
    assert NearbyRequest.get(held_back.id).reindex == REFINE

    monkeypatch.setattr(reindex_module, "RUN_SECONDS", 20)
    assert reindex_requests(now()).changed >= 1 and NearbyRequest.get(held_back.id).reindex is None

