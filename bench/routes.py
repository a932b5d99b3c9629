"""Per-route figures over real HTTP on DynamoDB Local (and moto's S3): DynamoDB calls and items read
per request, and p50/p95 latency. The app runs in this process (Chalice's local server) so that its
DynamoDB calls can be counted; bounded: a fixed number of sequential requests per route."""
import json
import os
import re
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dynamodb_calls import count_dynamodb_calls  # bench/ is on the path: the scripts run from it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = 30  # requests per route
PASSWORD = "twelve-chars-pw"


def main() -> None:
    from local.services import free_port, start_dynamodb_local, start_moto

    dynamodb, moto = start_dynamodb_local(), start_moto()
    os.environ.update(AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url, AWS_ENDPOINT_URL_S3=moto.url,
                      AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      TABLE_PREFIX="bench", MEDIA_BUCKET="bench-media", MAIL_BACKEND="memory",
                      JWT_SECRET="bench-secret-bench-secret-bench-secret", PUBLIC_BASE_URL="http://127.0.0.1/api")
    try:
        run(free_port())
    finally:
        dynamodb.stop()
        moto.stop()


class Http:
    """JSON over a fresh connection per request, as most API Gateway clients have. (Chalice's dev
    server writes headers and body separately: on a kept-alive connection that adds a 40 ms ACK delay.)"""

    def __init__(self, base: str):
        import requests

        self.base, self.requests, self.token = base, requests, None

    def __call__(self, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.requests.request(method, self.base + path, headers=headers,
                                         data=json.dumps(body) if body is not None else None)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        body = response.json() if response.content else None
        return body["data"] if isinstance(body, dict) and "data" in body else body  # the recordings envelope


def run(port: int) -> None:
    import boto3
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, create_local_server

    from app import app
    from chalicelib.core.tables import create_tables

    create_tables()
    boto3.client("s3").create_bucket(Bucket="bench-media")
    counts = count_dynamodb_calls()
    ChaliceRequestHandler.log_message = lambda *args: None
    server = create_local_server(app, Config.create(), "127.0.0.1", port)
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    http = Http(f"http://127.0.0.1:{port}/api")
    print(f"over HTTP on DynamoDB Local, {N} sequential requests per route")
    print(f"{'route':<44} {'p50 ms':>7} {'p95 ms':>7}  DynamoDB per request")

    def measure(name, call):
        counts.clear()
        times, result = [], None
        for n in range(N):
            start = time.perf_counter()
            result = call(n)
            times.append((time.perf_counter() - start) * 1000)
        per_call = ", ".join(f"{op} {count / N:g}" for op, count in sorted(counts.items()) if op != "query items read")
        print(f"{name:<44} {statistics.median(times):7.1f} {statistics.quantiles(times, n=20)[18]:7.1f}  {per_call}")
        return result

    tokens = []
    measure("POST /auth/register/", lambda n: tokens.append(http("POST", "/auth/register/", {
        "fullname": "Bench User", "email": f"bench{n}@example.com", "password": PASSWORD})))
    measure("POST /auth/login/", lambda n: http("POST", "/auth/login/", {"email": f"bench{n}@example.com",
                                                                         "password": PASSWORD}))
    http.token = tokens[0]["access_token"]
    measure("GET /auth/me/", lambda n: http("GET", "/auth/me/"))
    measure("POST /auth/refresh/",
            lambda n: http("POST", "/auth/refresh/", {"refresh_token": tokens[n]["refresh_token"]}))
    measure("POST /projects/", lambda n: http("POST", "/projects/", {
        "title": f"Project {n}", "description": "d", "privacy": "public", "topics": ["One", "Two"]}))
    measure("GET /projects/ (30 public projects)", lambda n: http("GET", "/projects/"))
    measure("GET /projects/1/", lambda n: http("GET", "/projects/1/"))
    measure("PUT /projects/1/ (rename, topics)", lambda n: http("PUT", "/projects/1/", {
        "title": f"Renamed {n}", "topics": [{"id": 1, "text": f"One {n}", "is_active": 1}]}))

    def new_session(n):
        form = http("POST", "/projects/1/sessions/uploads/")
        boto3.client("s3").put_object(Bucket="bench-media", Key=form["key"], Body=b"audio", ContentType="audio/mpeg")
        return http("POST", "/projects/1/sessions/", {
            "recording_key": form["key"], "participants": [{"Name": "A", "Email": "bench1@example.com", "Role": 1}],
            "prompts": [{"Start": 0, "End": 5, "PromptID": 1}]})

    measure("POST uploads/ + S3 put + POST sessions/", new_session)
    session = new_session(0)
    base = f"/projects/1/sessions/{session['id']}/annotations/"
    http("POST", "/projects/1/codes/", {"text": "Tag"})
    measure("POST .../annotations/", lambda n: http("POST", base, {
        "content": f"Note {n}", "start_interval": n, "end_interval": n + 1, "tags": [1]}))
    measure("POST .../annotations/1/comments/", lambda n: http("POST", f"{base}1/comments/", {"content": f"c{n}"}))
    measure("GET .../annotations/ (30 notes, 30 comments)", lambda n: http("GET", base))
    measure("GET /projects/1/sessions/<sid>/ (same)", lambda n: http("GET", f"/projects/1/sessions/{session['id']}/"))
    measure("GET /projects/1/sessions/ (page of 20)", lambda n: http("GET", "/projects/1/sessions/?limit=20"))
    content_requests(http, measure)
    coaching(http, measure)
    dialogues(Http(f"http://127.0.0.1:{port}"), http.token, measure)
    server.shutdown()


def content_requests(http, measure) -> None:
    import boto3

    day = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y/%m/%d")
    ask = {"name": "Party", "recipient": "Rita", "prompt": "The cake", "expiration_date": day, "time_type": "multi_use"}
    made = measure("POST /v4/content_requests", lambda n: http("POST", "/v4/content_requests", {
        "content_request": {**ask, "name": f"Party {n}"}}))
    measure("GET /v4/content_requests?pending=true (30)", lambda n: http("GET", "/v4/content_requests?pending=true"))
    link = f"/v4/content_requests/{made['token']}"
    measure("GET /v4/content_requests/<token>", lambda n: http("GET", link))
    measure("PUT /v4/content_requests/<id>", lambda n: http("PUT", f"/v4/content_requests/{made['id']}", {
        "content_request": {"name": f"Renamed {n}"}}))

    def send(n):
        form = http("POST", f"{link}/uploads", {"name": "a.png", "format_type": "png", "media_type": "photo",
                                                "size": 5})
        boto3.client("s3").put_object(Bucket="bench-media", Key=form["s3_key"], Body=b"12345", ContentType="image/png")
        return http("PUT", f"{link}/complete", {"media_files": [{"name": "a", "s3_key": form["s3_key"],
                                                                 "format_type": "png", "media_type": "photo",
                                                                 "size": 5}]})

    measure("POST <token>/uploads + S3 put + PUT complete", send)
    measure("GET /v4/content_requests/<id>/media_files (30)",
            lambda n: http("GET", f"/v4/content_requests/{made['id']}/media_files?per_page=30"))


def accepted(http, email: str) -> str:
    """Follow the invitation mailed to `email` (the memory outbox), as its owner would: a coaching role binds only
    once the address is proved. Gives the access token."""
    from chalicelib.core.collaborators import current

    [token] = re.findall(r"/api/auth/verify/([^/\s]+)/", [m.body for m in current().mail.sent if m.to == email][-1])
    return http("POST", f"/auth/verify/{token}/", {"password": PASSWORD})["access_token"]


def coaching(http, measure) -> None:
    """A Superadmin, one org, a coach with 10 clients of 3 tasks each; then each role's listings."""
    from chalicelib.identity import service

    service.register("Bench Root", "root@bench.example", PASSWORD, is_admin=True)
    root = http("POST", "/auth/login/", {"email": "root@bench.example", "password": PASSWORD})["access_token"]
    http.token = root
    org = http("POST", "/orgs", {"name": "Bench org", "sms_number": "+15555555555"})
    person = {"last_name": "Bench", "org_id": org["id"], "phone": "555-555-0100"}
    coach = http("POST", "/coaches", {**person, "first_name": "Coach", "email": "coach@bench.example"})
    http("POST", "/users", {**person, "first_name": "Admin", "email": "admin@bench.example", "type": "Admin"})
    tokens = {name: accepted(http, f"{name}@bench.example") for name in ("coach", "admin")}
    http.token = tokens["coach"]
    clients = measure("POST /clients (coach)", lambda n: http("POST", "/clients", {
        **person, "first_name": f"Client{n}", "email": f"client{n}@bench.example", "coach_id": coach["id"]}))
    measure("POST /tasks (no order: goes last)", lambda n: http("POST", "/tasks", {
        "title": f"Task {n}", "category": "custom", "user_id": clients["id"] - (n % 10),
        "date_assigned": "2026-11-23"}))
    task = http("GET", f"/clients/{clients['id']}/tasks")[0]
    measure("POST /requests (sets the user's status)", lambda n: http("POST", "/requests", {
        "user_id": clients["id"], "task_id": task["id"]}))
    for role in ("coach", "admin"):
        http.token = tokens[role]
        measure(f"GET /clients ({role}, 30 clients)", lambda n: http("GET", "/clients"))
        measure(f"GET /tasks ({role}, 30 tasks)", lambda n: http("GET", "/tasks"))
    measure(f"GET /clients/{clients['id']} (admin)", lambda n: http("GET", f"/clients/{clients['id']}"))
    http.token = root
    measure("GET /tasks (Superadmin: a Query per org)", lambda n: http("GET", "/tasks"))


def dialogues(http, root_token, measure) -> None:
    """The platform admin's project with a dialogue of 20 sequences; revisions, a PUT, releases, listings; then a
    dialogue of about 2 MB, whose description lives in S3."""
    http.token = root_token
    project = http("POST", "/projects/", {"title": "Bench project"})
    path = f"/projects/{project['id']}/dialogues"
    sequences = [{"id": f"s{i}", "title": f"Sequence {i}", "blocks": [{"id": "ask", "type": "question"}]}
                 for i in range(20)]
    measure("POST /projects/<p>/dialogues/ (20 sequences)", lambda n: http("POST", f"{path}/", {
        "title": f"Survey {n}", "sequences": sequences}))
    dialogue = f"{path}/1"
    measure("GET /projects/<p>/dialogues/<d>", lambda n: http("GET", dialogue))
    measure("POST .../revisions/ (one edit)", lambda n: http("POST", f"{dialogue}/revisions/", {
        "type": "edit", "properties": {"patch": [{"op": "replace", "path": "/sequences/0/title", "value": f"T{n}"}]}}))
    measure("PATCH /projects/<p>/dialogues/<d>", lambda n: http("PATCH", dialogue, [
        {"op": "replace", "path": "/title", "value": f"Survey {n}"}]))
    measure("PUT /projects/<p>/dialogues/<d>", lambda n: http("PUT", dialogue, {
        "title": f"Put {n}", "sequences": sequences}))
    measure("GET .../revisions/ (page of 30, of 91)", lambda n: http("GET", f"{dialogue}/revisions/"))
    measure("POST .../releases/", lambda n: http("POST", f"{dialogue}/releases/", {"revision_id": str(n + 1)}))
    measure("GET .../releases/<r> (description replayed)", lambda n: http("GET", f"{dialogue}/releases/{n + 1}"))
    measure("GET /projects/<p> (30 dialogue summaries)", lambda n: http("GET", f"/projects/{project['id']}"))
    big = {"title": "Big", "sequences": [{"id": f"s{i}", "title": "x" * 1000, "blocks": [
        {"id": f"b{j}", "type": "question", "title": "x" * 1000} for j in range(20)]} for i in range(100)]}
    made = http("POST", f"{path}/", big)
    large = f"{path}/{made['id']}"
    measure("GET a 2 MB dialogue (from S3)", lambda n: http("GET", large))
    measure("POST .../revisions/ on a 2 MB dialogue", lambda n: http("POST", f"{large}/revisions/", {
        "type": "edit", "properties": {"patch": [{"op": "replace", "path": "/sequences/0/title", "value": f"T{n}"}]}}))


if __name__ == "__main__":
    main()
