"""Renewing an expired request makes it active again: its end, its index items, a slot under the limit, at once."""
from datetime import timedelta

from chalicelib.core import clock
from chalicelib.identity import service as accounts
from chalicelib.jobs.expiry import expire_requests
from chalicelib.nearby import requests
from chalicelib.nearby.models import ACTIVE, EXPIRED, ActiveRequests, DirectDelivery, NearbyRequest, RequestCell
from tests.unit.nearby.conftest import ASK

LIFETIME = timedelta(days=7)
NEAREST = "/api/v04/requests/nearest?lat=33.749&lon=-84.3884"


def active_count(number):
    return int(ActiveRequests.get(accounts.by_number(number).id).active)


def expire_all(fixed_clock):
    fixed_clock.advance(days=8)
    assert expire_requests(clock.now()).changed >= 1


def test_renewing_an_expired_map_request_makes_it_active_again(api, alice, bob, map_request, fixed_clock):
    cells = sorted(NearbyRequest.get(1).cells)
    expire_all(fixed_clock)
    alice = api.sign_in("alice@example.com")
    assert RequestCell.count() == 0 and active_count(1) == 0

    status, body = api.get("/api/v04/requests/renew/1", token=alice)

    assert (status, body) == (200, {"newEnd": "2026-12-08T18:00:00.000Z"})
    request = NearbyRequest.get(1)
    assert (request.status, request.expiring, request.end) == (ACTIVE, ACTIVE, clock.now() + LIFETIME)
    assert sorted(c.cell for c in RequestCell.scan()) == cells
    assert {c.end for c in RequestCell.scan()} == {clock.now() + LIFETIME}
    assert active_count(1) == 1
    found = api.get(NEAREST, token=api.sign_in("bob@example.com"))[1]
    assert [(r["requestId"], r["end"]) for r in found] == [(1, "2026-12-08T18:00:00.000Z")]
    # Active again, it expires again at its new end, once.
    assert expire_requests(clock.now() + LIFETIME).changed == 1 and active_count(1) == 0


def test_renewing_an_expired_direct_request_puts_it_back_in_the_inbox(api, alice, bob, fixed_clock):
    assert api.post("/api/v04/requests", {"message": "psst", "receiverUI": 2}, token=alice)[0] == 201
    expire_all(fixed_clock)
    assert DirectDelivery.count() == 0

    assert api.get("/api/v04/requests/renew/1", token=api.sign_in("alice@example.com"))[0] == 200

    assert [d.request_id for d in DirectDelivery.scan()] == [1]
    inbox = api.get("/api/v04/requests/direct", token=api.sign_in("bob@example.com"))[1]
    assert [r["requestId"] for r in inbox] == [1]


def test_renewing_an_expired_request_is_within_the_active_limit(api, alice, fixed_clock, settings_env):
    settings_env(MAX_ACTIVE_REQUESTS="1")
    assert api.post("/api/v04/requests", {**ASK, "override": True}, token=alice)[0] == 201
    expire_all(fixed_clock)
    alice = api.sign_in("alice@example.com")
    assert api.post("/api/v04/requests", {**ASK, "override": True}, token=alice)[0] == 201

    refused = api.get("/api/v04/requests/renew/1", token=alice)

    assert refused == (400, {"error": "MAX_ACTIVE_REQUESTS_EXCEEDED"})
    assert NearbyRequest.get(1).status == EXPIRED and active_count(1) == 1
    assert RequestCell.count() == len(NearbyRequest.get(2).cells)


def test_a_second_renewal_of_an_expired_request_extends_it_without_another_slot(api, alice, map_request,
                                                                                fixed_clock):
    expire_all(fixed_clock)
    alice = api.sign_in("alice@example.com")

    assert [api.get("/api/v04/requests/renew/1", token=alice)[0] for _ in range(2)] == [200, 200]

    assert active_count(1) == 1 and NearbyRequest.get(1).status == ACTIVE


def test_a_renewal_that_read_the_request_active_before_the_job_expired_it_reactivates_it_once(
        api, alice, map_request, fixed_clock, monkeypatch):
    """The renewal reads the request active (past its end), the job expires it, the renewal's write is then
    refused by its status condition: it reads again and reactivates it, taking the slot the job freed."""
    fixed_clock.advance(days=8)
    account = accounts.by_number(1)
    stale, read_by_the_job = NearbyRequest.get(1), NearbyRequest.get(1)
    reads = iter([stale])
    real_get = requests.get
    monkeypatch.setattr(requests, "get", lambda rid: next(reads, None) or real_get(rid))
    assert requests._expire(NearbyRequest.get(1), clock.now()) == 1

    assert requests.renew(1, account) == clock.now() + LIFETIME

    assert NearbyRequest.get(1).status == ACTIVE and active_count(1) == 1
    assert RequestCell.count() == len(stale.cells) > 0
    # And the job's run that read it before the renewal changes nothing.
    assert requests._expire(read_by_the_job, clock.now()) == 0 and active_count(1) == 1
    assert RequestCell.count() == len(stale.cells)
