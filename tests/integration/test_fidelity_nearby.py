"""Issue 17, items 1 and 2, over HTTP on `make run`'s stack: a partial location is a missing field, and renewing
an expired request makes it active again (once, under the limit, safely against other renewals and the job)."""
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ROOT, bare_environment, job_changed
from tests.integration import test_nearby_http as nearby_http

LIMIT = nearby_http.LIMIT


class Client(nearby_http.Client):
    """The nearby client of test_nearby_http, with the requests this module asks for by place."""

    def ask(self, lat, lon):
        message = f"Fidelity {uuid.uuid4().hex[:8]}"
        response = self.call("POST", "/requests", {"location": {"lat": lat, "lon": lon, "radius": 750},
                                                   "message": message, "override": True})
        assert response.status_code == 201, response.text
        return next(r["requestId"] for r in self.listed(lat, lon) if r["message"] == message)

    def listed(self, lat, lon):
        response = self.call("GET", f"/requests/nearest?lat={lat}&lon={lon}")
        assert response.status_code == 200, response.text
        return response.json()

    def nearest(self, lat, lon):
        return [r["requestId"] for r in self.listed(lat, lon)]


def _request(stack, request_id):
    return stack.dynamodb().get_item(TableName=stack.table("nearby-requests"), Key={"id": {"N": str(request_id)}},
                                     ConsistentRead=True)["Item"]


def _active_count(stack, request_id):
    """The creator's active-request count, as the limit's condition reads it."""
    creator = _request(stack, request_id)["creator_id"]
    item = stack.dynamodb().get_item(TableName=stack.table("nearby-active-requests"), Key={"account_id": creator},
                                     ConsistentRead=True)["Item"]
    return int(item["count"]["N"])


def _due_now(stack, request_id):
    """Move the request's end a minute into the past (only this request is then due)."""
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    stack.dynamodb().update_item(TableName=stack.table("nearby-requests"), Key={"id": {"N": str(request_id)}},
                                 UpdateExpression="SET #end = :past", ExpressionAttributeNames={"#end": "end"},
                                 ExpressionAttributeValues={":past": {"S": past}})


def _job(stack):
    """`make job NAME=expire-requests`, started now (with the platform's clock)."""
    return subprocess.Popen([sys.executable, "-m", "local.job", "expire-requests"], cwd=ROOT,
                            env=bare_environment(LOCAL_STATE_DIR=str(stack.state_dir)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _expired_by(run):
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    return job_changed(out)


def _expire(stack, request_id):
    _due_now(stack, request_id)
    assert _expired_by(_job(stack)) == 1
    assert _request(stack, request_id)["status"] == {"S": "expired"}


@pytest.fixture(scope="module")
def asker(local_stack):
    return Client(local_stack, "fidelity-nearby@example.com")


@pytest.mark.parametrize("location", [
    {"lat": 1.0}, {"lat": 33.749, "lon": -84.3884}, {"lon": -84.3884, "radius": 750}, {},
])
def test_item1_a_location_missing_a_part_is_required_field_missing(asker, location):
    answer = asker.call("POST", "/requests", {"location": location, "message": "x"})

    assert (answer.status_code, answer.json()) == (400, {"error": "REQUIRED_FIELD_MISSING"})


@pytest.mark.parametrize(("location", "code"), [
    ({"lat": 91, "lon": -84.3884, "radius": 750}, "INVALID_LOCATION"),
    ({"lat": 33.749, "lon": "x", "radius": 750}, "INVALID_LOCATION"),
    ({"lat": 33.749, "lon": -84.3884, "radius": 9}, "INVALID_RADIUS"),
])
def test_item1_a_location_part_present_but_wrong_keeps_its_invalid_code(asker, location, code):
    answer = asker.call("POST", "/requests", {"location": location, "message": "x"})

    assert (answer.status_code, answer.json()) == (400, {"error": code})


def test_item2_concurrent_renewals_reactivate_an_expired_request_once(local_stack):
    owner = Client(local_stack, "fidelity-renewer@example.com")
    lat, lon = 35.6762, 139.6503
    request_id = owner.ask(lat, lon)
    _expire(local_stack, request_id)
    assert request_id not in owner.nearest(lat, lon) and _active_count(local_stack, request_id) == 0

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: owner.call("GET", f"/requests/renew/{request_id}"), range(8)))

    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    for answer in answers:
        new_end = datetime.fromisoformat(answer.json()["newEnd"].replace("Z", "+00:00"))
        assert abs(new_end - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)
    item = _request(local_stack, request_id)
    assert (item["status"], item["expiring"]) == ({"S": "active"}, {"S": "active"})
    assert _active_count(local_stack, request_id) == 1
    assert owner.nearest(lat, lon).count(request_id) == 1
    # Each renewal answers the end it wrote; the one written last stands.
    assert owner.call("GET", f"/requests/{request_id}").json()["end"] in {a.json()["newEnd"] for a in answers}


def test_item2_renewals_racing_the_expiry_job_leave_the_request_active_with_one_slot(local_stack):
    owner = Client(local_stack, "fidelity-racer@example.com")
    lat, lon = -33.8688, 151.2093
    request_id = owner.ask(lat, lon)
    _due_now(local_stack, request_id)  # due, not yet expired: the job and the renewals race for it

    run = _job(local_stack)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: owner.call("GET", f"/requests/renew/{request_id}"), range(4)))
    expired = _expired_by(run)

    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert expired in (0, 1)
    assert _request(local_stack, request_id)["status"] == {"S": "active"}
    assert _active_count(local_stack, request_id) == 1
    assert owner.nearest(lat, lon).count(request_id) == 1


def test_item2_renewing_an_expired_request_is_within_the_active_limit(local_stack):
    owner = Client(local_stack, "fidelity-limited@example.com")
    lat, lon = 48.8566, 2.3522
    request_id = owner.ask(lat, lon)
    _expire(local_stack, request_id)
    body = {"location": {"lat": lat, "lon": lon, "radius": 750}, "message": "Full", "override": True}
    assert [owner.call("POST", "/requests", body).status_code for _ in range(LIMIT)] == [201] * LIMIT

    refused = owner.call("GET", f"/requests/renew/{request_id}")

    assert (refused.status_code, refused.json()) == (400, {"error": "MAX_ACTIVE_REQUESTS_EXCEEDED"})
    assert _request(local_stack, request_id)["status"] == {"S": "expired"}
    assert _active_count(local_stack, request_id) == LIMIT
    assert request_id not in owner.nearest(lat, lon)
