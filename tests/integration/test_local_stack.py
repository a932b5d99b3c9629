"""`make run` as a newcomer meets it: it starts its own services, keeps data across restarts,
and stops everything it started on Ctrl-C. `make job` lists and runs jobs against it."""
import json
import socket
import subprocess
import sys

import requests

from local.services import free_port
from tests.conftest import ROOT, bare_environment, start_app, stop_app


def _listening(url):
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_make_run_keeps_data_across_restarts_and_stops_its_services(tmp_path):
    port = free_port()
    env = bare_environment(LOCAL_STATE_DIR=str(tmp_path), PORT=str(port))
    base = f"http://127.0.0.1:{port}/api/auth"
    account = {"fullname": "Dev", "email": "dev@example.com", "password": "twelve-chars-pw"}

    first = start_app(env, port)
    stack = json.loads((tmp_path / "stack.json").read_text())
    registered = requests.post(f"{base}/register/", data=json.dumps(account), timeout=30)
    assert stop_app(first) == 0

    assert registered.status_code == 201
    assert not (tmp_path / "stack.json").exists()
    assert not _listening(stack["AWS_ENDPOINT_URL_DYNAMODB"]) and not _listening(stack["AWS_ENDPOINT_URL_S3"])

    second = start_app(env, port)
    try:
        login = requests.post(f"{base}/login/", data=json.dumps(account), timeout=30)
        listing = subprocess.run([sys.executable, "-m", "local.job"], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=60)
        unknown = subprocess.run([sys.executable, "-m", "local.job", "no-such-job"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=60)
    finally:
        stop_app(second)

    assert login.status_code == 200
    assert (tmp_path / "jwt-secret").exists()
    assert listing.returncode == 0 and "expire-requests" in listing.stdout and "every 5 min" in listing.stdout
    assert unknown.returncode == 1 and "no job named 'no-such-job'" in unknown.stdout
