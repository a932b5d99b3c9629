"""Schemathesis over every operation of the served OpenAPI document, against `make run`'s stack, with all of its
checks: no 5xx, answers that match their declared schemas and statuses, bad input refused, auth not ignored.
Its summary is kept in .cache/schemathesis.txt."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.mailbox import verified_http_user

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis") / "schemathesis.toml"
REPORT = ROOT / ".cache" / "schemathesis.txt"
# The run's bound. Examples per operation are capped in the config, and the run takes about 170 s on a quiet
# 2-core machine; past this it is killed and fails rather than hang.
MAX_SECONDS = 240


def _admin_token(stack) -> str:
    body = {"email": "admin@example.com", "password": "admin-password-123"}
    answer = requests.post(f"{stack.base_url}/api/auth/login/", data=json.dumps(body), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["access_token"]


# Two processes of one worker each, rather than one of two worker threads: hypothesis parses lambdas' source while
# it generates, and Python 3.11's ast keeps its recursion depth per interpreter, not per thread, so two threads
# parsing at once fail ("AST constructor recursion depth mismatch"). Each process takes about half the operations.
SHARES = ("^(Coaching|Nearby|Content requests|Reference)$", "^(Accounts|Recordings|Dialogues)$")


def test_every_operation_conforms_to_its_contract(local_stack):
    user = verified_http_user(local_stack, "schemathesis@example.com")
    env = {**os.environ, "ST_USER_TOKEN": user.http.headers["Authorization"].removeprefix("Bearer "),
           "ST_ADMIN_TOKEN": _admin_token(local_stack), "NO_COLOR": "1"}
    runs = [subprocess.Popen([str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run",
                              f"{local_stack.base_url}/openapi.json", "--url", local_stack.base_url,
                              "--workers", "1", "--include-tag-regex", share],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for share in SHARES]
    deadline, outputs = time.monotonic() + MAX_SECONDS, []
    try:
        for run in runs:
            outputs.append(run.communicate(timeout=max(1.0, deadline - time.monotonic()))[0])
    finally:
        for run in runs:
            run.kill()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(outputs))
    for output in outputs:
        print(output[output.find("SUMMARY"):])
    assert [run.returncode for run in runs] == [0, 0], "\n".join(output[-20000:] for output in outputs)
