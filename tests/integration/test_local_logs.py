"""`make run`'s log files (issue 21): every request it serves is one JSON line in `.local/logs/api.jsonl`, the same
line the Lambda writes, and `make job` files its run in `jobs.jsonl`."""
import json
import subprocess
import sys
import time

import requests

from tests.conftest import ROOT, bare_environment

FIELDS = {"request_id", "route", "method", "status", "latency_ms", "cold_start", "dynamodb_calls",
          "dynamodb_capacity", "other_calls", "timestamp", "level", "surface"}


def _lines(path, wanted: int, timeout: float = 10) -> list[dict]:
    """The JSON lines of `path` once it holds at least `wanted` (the server writes after answering)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        if len(found) >= wanted or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_each_request_is_one_json_line_with_its_route_status_account_and_round_trips(local_stack):
    log = local_stack.state_dir / "logs" / "api.jsonl"
    before = len(_lines(log, 0))
    email, password = f"logs-{time.time_ns()}@example.com", "twelve-chars-pw"
    base = f"{local_stack.base_url}/api/auth"

    registered = requests.post(f"{base}/register/", json={"fullname": "Lou Logs", "email": email,
                                                          "password": password}, timeout=30)
    token = registered.json()["data"]["access_token"]
    me = requests.get(f"{base}/me/", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    missing = requests.get(f"{base}/me/", timeout=30)

    lines = [line for line in _lines(log, before + 3)[before:] if line.get("kind") == "request"]
    assert (registered.status_code, me.status_code, missing.status_code) == (201, 200, 401)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "/api/auth/register", 201), ("GET", "/api/auth/me", 200), ("GET", "/api/auth/me", 401)]
    for line in lines:
        assert set(line) >= FIELDS, FIELDS - set(line)
        assert line["surface"] == "accounts"
    assert [line["dynamodb_calls"] >= 1 for line in lines] == [True, True, False]
    assert "account_id" in lines[1] and "account_id" not in lines[2]
    written = log.read_text()
    assert email not in written and password not in written and token not in written


def test_make_job_writes_its_run_to_the_jobs_file(local_stack):
    log = local_stack.state_dir / "logs" / "jobs.jsonl"
    before = len(_lines(log, 0))
    env = bare_environment(LOCAL_STATE_DIR=str(local_stack.state_dir))

    done = subprocess.run([sys.executable, "-m", "local.job", "expire-requests"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-2000:]
    [line] = [line for line in _lines(log, before + 1)[before:] if line.get("job")]
    assert (line["kind"], line["job"], line["failed"]) == ("job", "expire-requests", 0)
    assert {"seen", "changed", "latency_ms", "dynamodb_calls"} <= set(line)
    assert "job expire-requests: seen" in done.stdout
