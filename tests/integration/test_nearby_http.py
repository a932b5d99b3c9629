"""The nearby API over real HTTP against `make run`'s server, DynamoDB Local and moto's S3: requests,
nearest, inboxes, a response with real bytes, notifications, the active limit under concurrency, and
`make job NAME=expire-requests`. The stack is shared, so each test has its own users and place."""
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.conftest import ROOT, HttpUser, bare_environment, job_changed

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20 + b"\r\n--not-a-boundary--\r\n"
LIMIT = 10  # the stage config's MAX_ACTIVE_REQUESTS


class Client(HttpUser):
    """A user who sends the bare token in Authorization, as the nearby document does."""

    def __init__(self, stack, email):
        super().__init__(stack, email, bare_token=True)

    def call(self, method, path, body=None, **kw):
        return super().call(method, "/v04" + path, body, **kw)

    def ask(self, lat, lon, message):
        """A map request at the point (whatever the hour), and its id as `nearest` shows it."""
        response = self.call("POST", "/requests", {"location": {"lat": lat, "lon": lon, "radius": 750},
                                                   "message": message, "override": True})
        assert response.status_code == 201, response.text
        return next(r["requestId"] for r in self.nearest(lat, lon) if r["message"] == message)

    def nearest(self, lat, lon):
        response = self.call("GET", f"/requests/nearest?lat={lat}&lon={lon}")
        assert response.status_code == 200, response.text
        return response.json()


def unique(text):
    return f"{text} {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def asker(local_stack):
    return Client(local_stack, "nearby-asker@example.com")


@pytest.fixture(scope="module")
def neighbour(local_stack):
    return Client(local_stack, "nearby-neighbour@example.com")


def test_a_map_request_is_found_nearest_marked_seen_and_renewed(asker, neighbour):
    message = unique("What is on at the market?")
    request_id = asker.ask(33.7490, -84.3884, message)

    [found] = [r for r in neighbour.nearest(33.7500, -84.3884) if r["requestId"] == request_id]
    seen = neighbour.call("PUT", f"/requests/{request_id}", {"seen": True})
    renewed = asker.call("GET", f"/requests/renew/{request_id}")
    refused = neighbour.call("GET", f"/requests/renew/{request_id}")

    assert found["creator"]["userId"] == asker.number and found["seen"] is False
    assert found["location"] == {"lat": 33.749, "lon": -84.3884, "radius": 750}
    assert (found["requestType"], found["responseCount"], found["discoverResponses"]) == (0, 0, [])
    assert (seen.status_code, seen.content) == (204, b"")
    assert neighbour.call("GET", f"/requests/{request_id}").json()["seen"] is True
    assert asker.call("GET", f"/requests/{request_id}").json()["seen"] is False
    assert renewed.status_code == 200
    new_end = datetime.fromisoformat(renewed.json()["newEnd"].replace("Z", "+00:00"))
    assert abs(new_end - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)
    assert (refused.status_code, refused.json()) == (400, {"error": "NOT_REQUEST_OWNER"})
    assert request_id not in [r["requestId"] for r in neighbour.nearest(34.5, -84.3884)]


def test_a_direct_request_reaches_only_its_receivers_inbox(local_stack, asker, neighbour):
    stranger = Client(local_stack, "nearby-stranger@example.com")
    message = unique("Can you see the harbour?")

    sent = asker.call("POST", "/requests", {"message": message, "receiverUI": neighbour.number})
    [delivered] = [r for r in neighbour.call("GET", "/requests/direct").json() if r["message"] == message]

    assert sent.status_code == 201
    assert (delivered["requestType"], delivered["receiverUI"]) == (1, neighbour.number)
    assert "location" not in delivered
    assert message not in [r["message"] for r in stranger.call("GET", "/requests/direct").json()]
    hidden = stranger.call("GET", f"/requests/{delivered['requestId']}")
    assert (hidden.status_code, hidden.json()) == (404, {"error": "REQUEST_NOT_FOUND"})


def test_a_response_goes_to_s3_is_recorded_and_notifies_a_follower(local_stack, asker, neighbour):
    responder = Client(local_stack, "nearby-responder@example.com")
    request_id = asker.ask(47.6062, -122.3321, unique("How long is the queue?"))
    assert neighbour.call("GET", f"/requests/follow/{request_id}").status_code == 204
    assert responder.call("GET", f"/requests/follow/{request_id}").status_code == 204
    quitter = Client(local_stack, "nearby-quitter@example.com")
    assert quitter.call("GET", f"/requests/follow/{request_id}").status_code == 204
    assert [quitter.call("GET", f"/requests/unfollow/{request_id}").status_code for _ in range(2)] == [204, 204]

    form = responder.call("POST", f"/requests/{request_id}/responses/uploads", {"type": 0}).json()
    uploaded = requests.post(form["url"], data={**form["fields"], "Content-Type": "image/jpeg"},
                             files={"file": ("queue.jpg", PHOTO, "image/jpeg")}, timeout=30)
    created = responder.call("POST", f"/requests/{request_id}/responses", {"key": form["key"], "type": 0})
    response = created.json()
    listed = asker.call("GET", f"/requests/{request_id}/responses").json()
    shown = asker.call("GET", f"/requests/{request_id}").json()
    notified = neighbour.call("GET", "/notifications").json()

    assert uploaded.status_code in (200, 201, 204)
    assert created.status_code == 201, created.text
    assert (response["requestId"], response["type"], response["responder"]["userId"]) == (
        request_id, 0, responder.number)
    assert [r["responseId"] for r in listed] == [response["responseId"]]
    assert requests.get(listed[0]["media"], timeout=30).content == PHOTO
    assert shown["responseCount"] == 1
    assert [d["cardId"] for d in shown["discoverResponses"]] == [response["cardId"]]
    assert requests.get(shown["discoverResponses"][0]["media"], timeout=30).content == PHOTO
    assert [(n["requestId"], n["responseId"]) for n in notified] == [(request_id, response["responseId"])]
    assert responder.call("GET", "/notifications").json() == []
    assert quitter.call("GET", "/notifications").json() == []


def test_a_response_is_refused_until_its_media_is_uploaded(local_stack, asker):
    responder = Client(local_stack, "nearby-hasty@example.com")
    request_id = asker.ask(47.6062, -122.3321, unique("Is it raining?"))
    form = responder.call("POST", f"/requests/{request_id}/responses/uploads", {"type": 1}).json()

    refused = responder.call("POST", f"/requests/{request_id}/responses", {"key": form["key"], "type": 1})

    assert (refused.status_code, refused.json()) == (400, {"error": "RESPONSE_MEDIA_NOT_UPLOADED"})
    assert form["content_types"] == ["video/mp4", "video/quicktime", "video/webm"]


def test_twenty_concurrent_requests_by_one_user_leave_the_limit_active(local_stack):
    racer = Client(local_stack, "nearby-racer@example.com")
    lat, lon = 40.7128, -74.0060
    body = {"location": {"lat": lat, "lon": lon, "radius": 750}, "message": "Race", "override": True}

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: racer.call("POST", "/requests", body), range(20)))

    assert sorted(a.status_code for a in answers) == [201] * LIMIT + [400] * LIMIT
    assert [a.json() for a in answers if a.status_code == 400] == [{"error": "MAX_ACTIVE_REQUESTS_EXCEEDED"}] * LIMIT
    mine = [r for r in racer.nearest(lat, lon) if r["creator"]["userId"] == racer.number]
    assert len(mine) == LIMIT


def _active_requests(local_stack):
    """How many requests the expiry index holds (every active request, of every test)."""
    return local_stack.dynamodb().query(
        TableName=local_stack.table("nearby-requests"), IndexName="expiring", Select="COUNT",
        KeyConditionExpression="expiring = :active", ExpressionAttributeValues={":active": {"S": "active"}})["Count"]


def test_make_job_expires_due_requests_once_even_when_two_runs_overlap(local_stack):
    # Last in the module: eight days ahead, every request of the session is due.
    owner = Client(local_stack, "nearby-expiring@example.com")
    lat, lon = 51.5074, -0.1278
    request_id = owner.ask(lat, lon, unique("Anyone at the bridge?"))
    due = _active_requests(local_stack)
    later = (datetime.now(UTC) + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = [sys.executable, "-m", "local.job", "expire-requests", "--now", later]
    env = bare_environment(LOCAL_STATE_DIR=str(local_stack.state_dir))

    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    expired = [job_changed(out) for out, _ in outputs]
    assert sum(expired) == due and due >= 1
    assert _active_requests(local_stack) == 0
    assert request_id not in [r["requestId"] for r in owner.nearest(lat, lon)]
    # Renewing the expired request makes it active again (issue 17), taking one of the slots freed.
    renewed = owner.call("GET", f"/requests/renew/{request_id}")
    assert renewed.status_code == 200 and set(renewed.json()) == {"newEnd"}
    assert request_id in [r["requestId"] for r in owner.nearest(lat, lon)]
    # The slot was freed once: the owner may have exactly LIMIT active requests again, the renewed one among them.
    body = {"location": {"lat": lat, "lon": lon, "radius": 750}, "message": "Again", "override": True}
    statuses = [owner.call("POST", "/requests", body).status_code for _ in range(LIMIT)]
    assert statuses == [201] * (LIMIT - 1) + [400]
