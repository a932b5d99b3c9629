"""Schemathesis over every operation of the served OpenAPI document, against `make run`'s stack, with all of its
checks: no 5xx, answers that match their declared schemas and statuses, bad input refused, auth not ignored.
Its summary is kept in .cache/schemathesis.txt."""
import json
import os
import subprocess
import sys
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


def test_every_operation_conforms_to_its_contract(local_stack):
    user = verified_http_user(local_stack, "schemathesis@example.com")
    env = {**os.environ, "ST_USER_TOKEN": user.http.headers["Authorization"].removeprefix("Bearer "),
           "ST_ADMIN_TOKEN": _admin_token(local_stack), "NO_COLOR": "1"}
    command = [str(Path(sys.executable).with_name("st")), "--config-file", str(CONFIG), "run",
               f"{local_stack.base_url}/openapi.json", "--url", local_stack.base_url, "--workers", "2"]
    run = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=MAX_SECONDS)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(run.stdout + run.stderr)
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
