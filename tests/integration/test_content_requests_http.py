"""The content request API over real HTTP against `make run`'s server, DynamoDB Local and moto's S3: the whole
flow with real bytes, refusals that change nothing, twenty concurrent completions, and the expiry job."""
import json
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, HttpUser, bare_environment, job_changed

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + b"\r\n--not-a-boundary--\r\n"


class Owner(HttpUser):
    """A signed-in user who sends the token in `Authentication`, the header the document names."""

    def __init__(self, stack, email):
        super().__init__(stack, email)
        self.http.headers["Authentication"] = self.http.headers.pop("Authorization")

    def call(self, method, path, body=None, **kw):
        return super().call(method, "/v4/content_requests" + path, body, **kw)

    def ask(self, **fields):
        today = datetime.now(UTC).strftime("%Y/%m/%d")
        body = {"name": f"Party {uuid.uuid4().hex[:6]}", "recipient": "Rita", "prompt": "The cake, please",
                "expiration_date": today, **fields}
        response = self.call("POST", "", {"content_request": body})
        assert response.status_code == 201, response.text
        return response.json()


class Recipient:
    """Whoever has the link: no account, no token."""

    def __init__(self, stack, token):
        self.base = f"{stack.base_url}/api/v4/content_requests/{token}"
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))

    def call(self, method, path="", body=None, raw=None):
        data = raw if raw is not None else json.dumps(body) if body is not None else None
        return self.http.request(method, self.base + path, data=data, timeout=30)

    def upload(self, data=PHOTO, size=None):
        """An upload form, and the bytes posted to it as a browser posts them; the file as completion names it."""
        form = self.call("POST", "/uploads", {"name": "cake.png", "format_type": "png", "media_type": "photo",
                                              "size": size or len(data)})
        assert form.status_code == 201, form.text
        form = form.json()
        posted = requests.post(form["url"], data=form["fields"], files={"file": ("cake.png", data, "image/png")},
                               timeout=30)
        assert posted.status_code in (200, 201, 204), posted.text
        return {"name": "cake", "s3_key": form["s3_key"], "format_type": "png", "media_type": "photo",
                "size": len(data), "note": "The big one"}


@pytest.fixture(scope="module")
def owner(local_stack):
    return Owner(local_stack, "content-owner@example.com")


def _mail_to(stack, email):
    outbox = Path(stack.env["MAIL_OUTBOX_DIR"])
    return [json.loads(path.read_text()) for path in sorted(outbox.glob("*.json"))
            if json.loads(path.read_text())["to"] == email]


def test_a_request_is_answered_by_link_with_real_bytes_and_the_owner_downloads_them(local_stack, owner):
    created = owner.ask(time_type="one_time")
    recipient = Recipient(local_stack, created["token"])

    opened = recipient.call("GET")
    sent = recipient.upload()
    completed = recipient.call("PUT", "/complete", {"media_files": [sent]})
    done = owner.call("GET", "?pending=false&query=" + created["name"].upper()).json()
    still_pending = owner.call("GET", "?pending=true").json()
    files = owner.call("GET", f"/{created['id']}/media_files").json()

    assert opened.status_code == 200
    assert opened.json() == {**created, "user": {"id": owner.number, "email": "content-owner@example.com",
                                                 "first_name": "Content-Owner", "last_name": "",
                                                 "avatar_image": None}}
    assert (completed.status_code, completed.json()) == (200, {"success": True})
    assert done == {"content_requests": [{**created, "status": "completed"}], "meta": {"total_count": 1}}
    assert created["id"] not in [r["id"] for r in still_pending["content_requests"]]
    [file] = files["media_files"]
    assert {k: file[k] for k in ("name", "format_type", "media_type", "size", "note")} == {
        "name": "cake", "format_type": "png", "media_type": "photo", "size": len(PHOTO), "note": "The big one"}
    # The file was kept out of staging, under the key the listing shows; the staged upload is gone.
    assert local_stack.keys_under(f"content-requests/{created['id']}/") == [file["s3_key"]]
    assert sent["s3_key"] not in local_stack.keys_under("uploads/")
    assert requests.get(file["url"], timeout=30).content == PHOTO
    assert any(created["name"] in mail["subject"] for mail in _mail_to(local_stack, "content-owner@example.com"))


def test_refused_completions_leave_the_request_pending_and_record_nothing(local_stack, owner):
    created = owner.ask(time_type="multi_use")
    recipient = Recipient(local_stack, created["token"])
    sent = recipient.upload()
    never_uploaded = recipient.call("POST", "/uploads", {"name": "b.png", "format_type": "png",
                                                        "media_type": "photo", "size": 10}).json()["s3_key"]
    other = Recipient(local_stack, owner.ask()["token"]).upload()

    refusals = {
        "invalid JSON": recipient.call("PUT", "/complete", raw='{"media_files": [}'),
        "wrong size": recipient.call("PUT", "/complete", {"media_files": [{**sent, "size": len(PHOTO) - 1}]}),
        "never uploaded": recipient.call("PUT", "/complete", {"media_files": [{**sent, "s3_key": never_uploaded,
                                                                                "size": 10}]}),
        "never issued": recipient.call("PUT", "/complete", {"media_files": [{**sent, "s3_key": "content-requests/x"}]}),
        "another request's key": recipient.call("PUT", "/complete", {"media_files": [other]}),
        "wrong type": recipient.call("PUT", "/complete", {"media_files": [{**sent, "size": "big"}]}),
    }

    assert {name: (r.status_code, r.json()) for name, r in refusals.items()} == {
        "invalid JSON": (400, {"errors": [{"param": "body",
                                           "message": "Invalid JSON: Expecting value (line 1, column 18)"}]}),
        "wrong size": (422, {"errors": [{"param": "media_files[0][size]",
                                         "message": f"Does not match the uploaded file ({len(PHOTO)} bytes)"}]}),
        "never uploaded": (422, {"errors": [{"param": "media_files[0][s3_key]",
                                             "message": "No file was uploaded under this key"}]}),
        "never issued": (422, {"errors": [{"param": "media_files[0][s3_key]",
                                           "message": "Was not issued by this request's upload route"}]}),
        "another request's key": (422, {"errors": [{"param": "media_files[0][s3_key]",
                                                    "message": "Was not issued by this request's upload route"}]}),
        "wrong type": (422, {"errors": [{"param": "media_files[0][size]", "message": "Must be a Integer"}]}),
    }
    assert owner.call("GET", f"/{created['id']}/media_files").json() == {"media_files": [], "meta": {"total_count": 0}}
    assert recipient.call("GET").json()["status"] == "pending"
    stranger = Owner(local_stack, "content-stranger@example.com")
    foreign = stranger.call("PUT", f"/{created['id']}", {"content_request": {"status": "canceled"}})
    assert (foreign.status_code, foreign.json()) == (404, {"errors": [{"param": "id", "message": "Not found"}]})
    assert stranger.call("DELETE", f"/{created['id']}").status_code == 404
    assert recipient.call("GET").json()["status"] == "pending"


def test_twenty_concurrent_completions_of_a_one_time_request_let_exactly_one_through(local_stack, owner):
    created = owner.ask(time_type="one_time")
    recipient = Recipient(local_stack, created["token"])
    sent = recipient.upload()

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: recipient.call("PUT", "/complete", {"media_files": [sent]}), range(20)))

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [409] * 19, [r.text for r in answers]
    assert {r.json()["errors"][0]["message"] for r in answers if r.status_code == 409} == {
        "The content request was already completed"}
    stored = local_stack.dynamodb().get_item(TableName=local_stack.table("content-requests"),
                                             Key={"id": {"N": str(created["id"])}}, ConsistentRead=True)["Item"]
    assert (stored["status"]["S"], stored["file_count"]["N"]) == ("completed", "1")
    listed = owner.call("GET", f"/{created['id']}/media_files").json()
    assert listed["meta"]["total_count"] == 1
    # Each completion copied the upload out of staging; the losers removed only their own copies.
    assert local_stack.keys_under(f"uploads/content-requests/{created['id']}/") == []
    assert len(local_stack.keys_under(f"content-requests/{created['id']}/")) == 1
    assert requests.get(listed["media_files"][0]["url"], timeout=30).content == PHOTO


def _due(stack, now):
    return stack.dynamodb().query(
        TableName=stack.table("content-requests"), IndexName="expiring", Select="COUNT",
        KeyConditionExpression="expiring = :pending AND expires_at <= :now",
        ExpressionAttributeValues={":pending": {"S": "pending"},
                                   ":now": {"S": now.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")}},
    )["Count"]


def test_make_job_expires_each_due_request_once_even_when_two_runs_overlap(local_stack, owner):
    today = owner.ask()
    later = owner.ask(expiration_date=(datetime.now(UTC) + timedelta(days=30)).strftime("%Y/%m/%d"))
    now = datetime.now(UTC) + timedelta(days=2)
    due = _due(local_stack, now)
    command = [sys.executable, "-m", "local.job", "expire-content-requests", "--now", now.isoformat()]
    env = bare_environment(LOCAL_STATE_DIR=str(local_stack.state_dir))

    runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum(job_changed(out) for out, _ in outputs) == due >= 1
    assert _due(local_stack, now) == 0
    assert Recipient(local_stack, today["token"]).call("GET").json()["status"] == "expired"
    assert Recipient(local_stack, later["token"]).call("GET").json()["status"] == "pending"
    refused = Recipient(local_stack, today["token"]).call("POST", "/uploads", {
        "name": "late.png", "format_type": "png", "media_type": "photo", "size": 10})
    # Expired by the job: the server's clock has not reached the day's end, the status says it all the same.
    assert (refused.status_code, refused.json()) == (409, {"errors": [{"param": "status",
                                                                       "message": "The content request has expired"}]})


def test_a_browser_on_another_origin_may_send_the_authentication_header(local_stack):
    preflight = requests.options(f"{local_stack.base_url}/api/v4/content_requests", timeout=30, headers={
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authentication,content-type"})

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {"Authentication", "Authorization", "Content-Type"} <= set(
        preflight.headers["Access-Control-Allow-Headers"].split(","))
    assert {"GET", "POST"} <= set(preflight.headers["Access-Control-Allow-Methods"].split(","))


def test_make_backfill_puts_a_request_stored_before_the_sorted_shelves_back_on_them(local_stack, owner):
    made = owner.ask(name="Zz older request")
    key = {"id": {"N": str(made["id"])}}
    table = local_stack.table("content-requests")
    written = local_stack.dynamodb().get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    local_stack.dynamodb().update_item(TableName=table, Key=key,
                                       UpdateExpression="REMOVE created_key, name_key, recipient_key, expiration_key")

    def by_name() -> list:
        answer = owner.call("GET", "?pending=true&sort_by=name&sort_to=desc&per_page=100")
        assert answer.status_code == 200, answer.text
        return [request["id"] for request in answer.json()["content_requests"]]

    assert made["id"] not in by_name()
    command = [sys.executable, "-m", "local.backfill"]
    env = bare_environment(LOCAL_STATE_DIR=str(local_stack.state_dir))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("content requests: ")]
    assert line.endswith(", 1 written, 0 failed"), done.stdout
    assert by_name()[0] == made["id"]
    assert local_stack.dynamodb().get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == written
