"""expire-requests: due requests become expired once, free their owner's slot and leave the index."""
from datetime import timedelta

import pytest

from chalicelib.core import clock
from chalicelib.identity import service as accounts
from chalicelib.jobs import JOBS
from chalicelib.jobs.expiry import expire_requests
from chalicelib.nearby import requests
from chalicelib.nearby.models import ACTIVE, EXPIRED, ActiveRequests, DirectDelivery, NearbyRequest, RequestCell
from tests.unit.nearby.conftest import ASK

LIFETIME = timedelta(days=7)


@pytest.fixture
def two_requests(api, alice, bob):
    """Alice's map request (1), and Bob's direct request to Alice (2), both made now."""
    assert api.post("/api/v04/requests", ASK, token=alice)[0] == 201
    assert api.post("/api/v04/requests", {"message": "psst", "receiverUI": 1}, token=bob)[0] == 201


def active_count(number):
    return int(ActiveRequests.get(accounts.by_number(number).id).active)


def test_requests_past_their_end_are_expired_and_leave_the_index(api, two_requests):
    assert RequestCell.count() > 0 and DirectDelivery.count() == 1

    assert expire_requests(clock.now() + LIFETIME).changed == 2

    assert [(r.status, r.expiring) for r in NearbyRequest.batch_get([1, 2])] == [(EXPIRED, None)] * 2
    assert RequestCell.count() == 0 and DirectDelivery.count() == 0
    assert (active_count(1), active_count(2)) == (0, 0)


def test_an_expired_request_frees_its_owners_slot(api, alice, fixed_clock, settings_env):
    settings_env(MAX_ACTIVE_REQUESTS="1")
    assert api.post("/api/v04/requests", ASK, token=alice)[0] == 201
    assert api.post("/api/v04/requests", ASK, token=alice) == (400, {"error": "MAX_ACTIVE_REQUESTS_EXCEEDED"})
    fixed_clock.advance(days=7)

    assert expire_requests(clock.now()).changed == 1

    assert api.post("/api/v04/requests", ASK, token=api.sign_in("alice@example.com"))[0] == 201


def test_a_request_not_yet_due_is_untouched(api, two_requests):
    cells = RequestCell.count()

    assert expire_requests(clock.now() + LIFETIME - timedelta(seconds=1)).changed == 0

    assert [r.status for r in NearbyRequest.batch_get([1, 2])] == [ACTIVE, ACTIVE]
    assert RequestCell.count() == cells and DirectDelivery.count() == 1
    assert (active_count(1), active_count(2)) == (1, 1)


def test_a_second_run_expires_nothing_and_frees_no_slot_twice(api, two_requests):
    later = clock.now() + LIFETIME

    assert (expire_requests(later).changed, expire_requests(later).changed) == (2, 0)
    assert (active_count(1), active_count(2)) == (0, 0)


def test_a_run_that_read_the_request_before_another_run_expired_it_changes_nothing(api, two_requests):
    later = clock.now() + LIFETIME
    read_by_the_slower_run = NearbyRequest.get(1)
    assert expire_requests(later).changed == 2

    assert requests._expire(read_by_the_slower_run, later) == 0
    assert active_count(1) == 0 and NearbyRequest.get(1).status == EXPIRED


def test_a_renewed_request_is_not_expired_at_its_old_end(api, alice, fixed_clock):
    api.post("/api/v04/requests", ASK, token=alice)
    old_end = NearbyRequest.get(1).end
    read_before_the_renewal = NearbyRequest.get(1)
    fixed_clock.advance(days=2)
    assert api.get("/api/v04/requests/renew/1", token=api.sign_in("alice@example.com"))[0] == 200

    assert expire_requests(old_end + timedelta(minutes=1)).changed == 0
    assert requests._expire(read_before_the_renewal, old_end + timedelta(minutes=1)) == 0

    assert NearbyRequest.get(1).status == ACTIVE and RequestCell.count() > 0 and active_count(1) == 1
    assert expire_requests(old_end + timedelta(days=2)).changed == 1


def test_the_job_runs_on_its_schedule_with_the_platform_clock(api, client, two_requests, fixed_clock):
    from app import app

    [source] = [s for s in app.event_sources if s.name == "expire-requests"]
    fixed_clock.advance(days=7)

    client.lambda_.invoke("expire-requests", client.events.generate_cw_event("Scheduled Event", "aws.events", {}, []))

    assert source.schedule_expression.to_string() == "rate(5 minutes)"
    assert [r.status for r in NearbyRequest.batch_get([1, 2])] == [EXPIRED, EXPIRED]


def test_the_job_uses_exactly_what_its_role_grants(api, two_requests, aws_calls):
    aws_calls.clear()

    assert expire_requests(clock.now() + LIFETIME).changed == 2

    job = JOBS["expire-requests"]
    assert aws_calls.touched() == (set(job.tables), set(job.sends))
