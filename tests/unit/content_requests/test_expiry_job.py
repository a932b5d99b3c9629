"""expire-content-requests: pending requests past their day become expired, once, and nothing else changes."""
from datetime import UTC, datetime

import pytest

from chalicelib.content_requests.models import ContentRequest
from chalicelib.jobs import JOBS
from chalicelib.jobs.content_expiry import expire_content_requests
from tests.unit.content_requests.conftest import BASE

END_OF_23RD = datetime(2026, 11, 24, tzinfo=UTC)  # requests due 2026/11/23 are open until here


def stored():
    return {int(r.id): r.attribute_values for r in ContentRequest.scan(consistent_read=True)}


def pending_index():
    return sorted(int(r.id) for r in ContentRequest.by_expiry.query("pending"))


@pytest.fixture
def mixed(api, owner, create, send):
    """1 and 2 pending and due on the 23rd (one-time, multi-use), 3 pending and due on the 24th,
    4 completed and 5 canceled (both due on the 23rd); the tokens, by id."""
    tokens = {1: create(expiration_date="2026/11/23")["token"],
              2: create(expiration_date="2026/11/23", time_type="multi_use")["token"],
              3: create(expiration_date="2026/11/24")["token"],
              4: create(expiration_date="2026/11/23")["token"],
              5: create(expiration_date="2026/11/23")["token"]}
    assert api.put(f"{BASE}/{tokens[4]}/complete", {"media_files": [send(tokens[4])]})[0] == 200
    assert api.put(f"{BASE}/5", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    return tokens


def no_scan(*args, **kwargs):
    raise AssertionError("the job must Query the expiring index, never Scan")


def test_the_job_expires_each_due_pending_request_once_and_touches_nothing_else(mixed, monkeypatch):
    before = stored()

    with monkeypatch.context() as patch:
        patch.setattr(ContentRequest, "scan", no_scan)
        assert expire_content_requests(END_OF_23RD).changed == 2
        assert expire_content_requests(END_OF_23RD).changed == 0

    after = stored()
    for number in (1, 2):
        assert (after[number]["status"], after[number].get("expiring"), after[number]["updated_at"]) == (
            "expired", None, END_OF_23RD)
        assert after[number]["shelf"] == f"{before[number]['owner_id']}#closed"
        unchanged = ("status", "expiring", "updated_at", "shelf")
        assert {k: v for k, v in after[number].items() if k not in unchanged} == {
            k: v for k, v in before[number].items() if k not in unchanged}
    assert {n: after[n] for n in (3, 4, 5)} == {n: before[n] for n in (3, 4, 5)}


def test_the_job_expires_a_request_only_once_its_day_is_over(mixed):
    before = stored()

    assert expire_content_requests(datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)).changed == 0
    assert stored() == before
    assert expire_content_requests(END_OF_23RD).changed == 2
    assert expire_content_requests(datetime(2026, 11, 24, 23, 59, 59, tzinfo=UTC)).changed == 0
    assert expire_content_requests(datetime(2026, 11, 25, tzinfo=UTC)).changed == 1
    assert {n: r["status"] for n, r in stored().items()} == {
        1: "expired", 2: "expired", 3: "expired", 4: "completed", 5: "canceled"}


def test_expired_requests_leave_the_expiring_index_and_the_pending_list(api, mixed, fixed_clock):
    assert pending_index() == [1, 2, 3]

    expire_content_requests(END_OF_23RD).changed
    fixed_clock.advance(hours=12)
    owner = api.sign_in("owner@example.com")

    assert pending_index() == [3]
    listed = api.get(f"{BASE}?pending=true", token=owner)[1]
    assert ([r["id"] for r in listed["content_requests"]], listed["meta"]) == ([3], {"total_count": 1})
    closed = api.get(f"{BASE}?pending=false&sort_to=asc", token=owner)[1]["content_requests"]
    assert [(r["id"], r["status"]) for r in closed] == [
        (1, "expired"), (2, "expired"), (4, "completed"), (5, "canceled")]


def test_the_link_shows_expired_after_the_job(api, mixed, fixed_clock):
    expire_content_requests(END_OF_23RD).changed
    fixed_clock.advance(hours=12)

    status, body = api.get(f"{BASE}/{mixed[1]}")

    assert (status, body["status"], body["id"]) == (200, "expired", 1)
    assert ContentRequest.get(1).status == "expired"
    assert api.get(f"{BASE}/{mixed[4]}")[1]["status"] == "completed"
    assert api.get(f"{BASE}/{mixed[5]}")[1]["status"] == "canceled"


def test_a_run_that_read_the_index_before_a_change_expires_only_what_is_still_due(api, owner, mixed, monkeypatch):
    stale = list(ContentRequest.by_expiry.query("pending", ContentRequest.expires_at <= END_OF_23RD))
    assert sorted(int(r.id) for r in stale) == [1, 2]
    assert api.put(f"{BASE}/1", {"content_request": {"expiration_date": "2026/11/30"}}, token=owner)[0] == 200
    monkeypatch.setattr(ContentRequest.by_expiry, "query", lambda *args, **kwargs: iter(stale))

    assert expire_content_requests(END_OF_23RD).changed == 1  # 2 only: 1 was given a new day after the read
    before = stored()
    assert expire_content_requests(END_OF_23RD).changed == 0  # as an overlapping run would: already expired
    assert stored() == before
    assert (before[1]["status"], before[2]["status"]) == ("pending", "expired")


def test_the_job_is_registered_to_run_hourly():
    job = JOBS["expire-content-requests"]

    assert (job.run, job.every_minutes) == (expire_content_requests, 60)


def test_the_job_uses_exactly_what_its_role_grants(mixed, aws_calls):
    aws_calls.clear()

    assert expire_content_requests(END_OF_23RD).changed == 2

    job = JOBS["expire-content-requests"]
    assert aws_calls.touched() == (set(job.tables), set(job.sends))
