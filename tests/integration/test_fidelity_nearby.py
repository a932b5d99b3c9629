"""Issue 17, items 1 and 2, over HTTP on `make run`'s stack: a partial location is a missing field, and renewing
an expired request makes it active again (once, under the limit, safely against other renewals and the job). Issue
20: a crowded cover is refined on by `reindex-requests`, and a renewal too large for one transaction finished."""
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


def _reindex(stack) -> int:
    """`make job NAME=reindex-requests` once: the requests it changed."""
    done = subprocess.run([sys.executable, "-m", "local.job", "reindex-requests"], cwd=ROOT, timeout=120,
                          env=bare_environment(LOCAL_STATE_DIR=str(stack.state_dir)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return job_changed(done.stdout)


def _index_items(stack, request_id) -> list[tuple[str, str]]:
    """The request's index items as stored: (key, end)."""
    pages = stack.dynamodb().get_paginator("scan").paginate(
        TableName=stack.table("nearby-request-cells"), FilterExpression="request_id = :id",
        ExpressionAttributeValues={":id": {"N": str(request_id)}}, ConsistentRead=True)
    return sorted((item["cell"]["S"], item["end"]["S"]) for page in pages for item in page["Items"])


def _cover_items(item) -> list[tuple[str, str]]:
    """The index items the request's stored cover names: every shard key of every cell, with its end."""
    from chalicelib.nearby import index

    cells = [cell["S"] for cell in item["cells"]["L"]]
    return sorted((key, item["end"]["S"]) for cell in cells for key in index.keys(cell))


def test_a_crowded_cover_is_refined_on_by_the_job_and_a_renewal_of_it_finished_by_the_next_run(local_stack):
    """On DynamoDB Local: the cover a crowded create held back is refined past one transaction's items in
    conditioned steps (the cover list compared whole), and a renewal of it, too large for its transaction, is
    finished by the next run; the request is found once at its centre throughout."""
    from chalicelib.nearby import index

    lat, lon = 33.52, -86.81  # Birmingham, Alabama: no other test asks there
    askers = [Client(local_stack, f"fidelity-crowd-{n}@example.com") for n in range(2)]
    ids = []
    for n in range(index.CROWDED + 1):  # a ring of wide circles whose edges cross the same cells
        body = {"location": {"lat": lat, "lon": lon + n * 1e-5, "radius": 1800}, "message": f"Crowd {n}",
                "override": True}
        assert askers[n % 2].call("POST", "/requests", body).status_code == 201
        ids.append(next(r["requestId"] for r in askers[n % 2].listed(lat, lon) if r["message"] == f"Crowd {n}"))
    last, owner = ids[-1], askers[(len(ids) - 1) % 2]
    held = _request(local_stack, last)
    assert held["reindex"] == {"S": "refine"}
    assert _index_items(local_stack, last) == _cover_items(held)

    assert _reindex(local_stack) >= 1

    refined = _request(local_stack, last)
    assert "reindex" not in refined and len(_cover_items(refined)) > index.BUDGET
    assert _index_items(local_stack, last) == _cover_items(refined)
    assert owner.nearest(lat, lon + 12 * 1e-5).count(last) == 1

    assert owner.call("GET", f"/requests/renew/{last}").status_code == 200
    renewed = _request(local_stack, last)
    assert renewed["reindex"] == {"S": "repair"} and renewed["cells"] == refined["cells"]
    stored = _index_items(local_stack, last)
    assert [key for key, _ in stored] == [key for key, _ in _cover_items(renewed)]
    assert sum(end == renewed["end"]["S"] for _, end in stored) == 99  # what the renewal's transaction held

    assert _reindex(local_stack) >= 1

    assert "reindex" not in _request(local_stack, last)
    assert _index_items(local_stack, last) == _cover_items(renewed)
    assert owner.nearest(lat, lon + 12 * 1e-5).count(last) == 1
