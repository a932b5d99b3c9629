"""`make run` as a newcomer meets it: it starts its own services, keeps data and files across restarts,
and stops everything it started on Ctrl-C or a signal to its process group, however it was started. `make job`
lists and runs jobs against it; `make status` shows it again; unknown paths answer 404 and /health each piece."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import requests

from local.services import free_port
from tests.conftest import ROOT, bare_environment, start_app, stop_app


def _listening(url):
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def _environment(tmp_path) -> tuple[dict, int]:
    """A newcomer's shell, on free ports (never the fixed defaults, which a developer's `make run` may hold)."""
    port = free_port()
    return bare_environment(LOCAL_STATE_DIR=str(tmp_path), PORT=str(port), DYNAMODB_PORT=str(free_port()),
                            MOTO_PORT=str(free_port())), port


def _s3(stack: dict):
    return boto3.client("s3", endpoint_url=stack["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def test_make_run_keeps_data_and_files_across_restarts_and_stops_its_services(tmp_path):
    env, port = _environment(tmp_path)
    base = f"http://127.0.0.1:{port}/api/auth"
    account = {"fullname": "Dev", "email": "dev@example.com", "password": "twelve-chars-pw"}
    upload = bytes(range(256)) * 40

    first = start_app(env, port)
    stack = json.loads((tmp_path / "stack.json").read_text())
    registered = requests.post(f"{base}/register/", data=json.dumps(account), timeout=30)
    # a browser's upload: a form POST with the policy the app would sign
    post = _s3(stack).generate_presigned_post(stack["MEDIA_BUCKET"], "media/kept.bin")
    uploaded = requests.post(post["url"], data=post["fields"], files={"file": ("kept.bin", upload)}, timeout=30)
    assert stop_app(first) == 0

    assert registered.status_code == 201 and uploaded.status_code == 204
    assert not (tmp_path / "stack.json").exists()
    assert not _listening(stack["AWS_ENDPOINT_URL_DYNAMODB"]) and not _listening(stack["AWS_ENDPOINT_URL_S3"])

    second = start_app(env, port)
    try:
        stack = json.loads((tmp_path / "stack.json").read_text())
        url = _s3(stack).generate_presigned_url("get_object", Params={"Bucket": stack["MEDIA_BUCKET"],
                                                                      "Key": "media/kept.bin"})
        downloaded = requests.get(url, timeout=30)
        login = requests.post(f"{base}/login/", data=json.dumps(account), timeout=30)
        status = subprocess.run([sys.executable, "-m", "local.status"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=60)
        listing = subprocess.run([sys.executable, "-m", "local.job"], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=60)
        unknown = subprocess.run([sys.executable, "-m", "local.job", "no-such-job"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=60)
    finally:
        stop_app(second)

    assert downloaded.status_code == 200 and downloaded.content == upload
    assert login.status_code == 200
    assert (tmp_path / "jwt-secret").exists()
    assert status.returncode == 0 and f"API       http://127.0.0.1:{port}" in status.stdout
    assert "answers   API yes   DynamoDB yes   S3 yes" in status.stdout
    assert listing.returncode == 0 and "expire-requests" in listing.stdout and "every 5 min" in listing.stdout
    assert unknown.returncode == 1 and "no job named 'no-such-job'" in unknown.stdout


def _group(pgid: int) -> set[int]:
    """The live processes of process group `pgid` (zombies excluded)."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            continue
        if entry.isdigit() and fields[0] != "Z" and int(fields[2]) == pgid:
            found.add(int(entry))
    return found


def test_a_sigint_to_the_process_group_of_a_background_make_run_stops_every_service(tmp_path):
    env, port = _environment(tmp_path)

    def as_a_background_job():  # a shell starts background jobs with SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    with open(tmp_path / "run.log", "a") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=log, stderr=log,
                                   stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=as_a_background_job)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "stack.json").exists() or not _listening(f"http://127.0.0.1:{port}"):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.3)
        stack = json.loads((tmp_path / "stack.json").read_text())
        running = _group(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    assert len(running) == 3  # the app, DynamoDB Local's java and moto
    assert _group(process.pid) == set()
    urls = [f"http://127.0.0.1:{port}", stack["AWS_ENDPOINT_URL_DYNAMODB"], stack["AWS_ENDPOINT_URL_S3"]]
    assert [url for url in urls if _listening(url)] == []


def test_unknown_paths_answer_404_and_health_reports_each_piece(tmp_path):
    env, port = _environment(tmp_path)
    base = f"http://127.0.0.1:{port}"
    process = start_app(env, port)
    try:
        answers = {path: requests.request(method, base + path, timeout=30) for method, path in [
            ("GET", "/health"), ("GET", "/"), ("GET", "/no/such/path"), ("POST", "/api/auth/no/such/path"),
            ("GET", "/api/v04/nowhere"), ("DELETE", "/api/v4/nowhere/at/all"), ("GET", "/api/auth/login")]}
    finally:
        stop_app(process)

    assert {path: (answer.status_code, answer.json()) for path, answer in answers.items()} == {
        "/health": (200, {"status": "ok", "checks": {"dynamodb": "ok", "s3": "ok"}}),
        "/": (404, {"message": "Not found"}),
        "/no/such/path": (404, {"message": "Not found"}),
        "/api/auth/no/such/path": (404, {"data": None, "meta": {"success": False, "errors": ["not_found"]}}),
        "/api/v04/nowhere": (404, {"error": "not_found"}),
        "/api/v4/nowhere/at/all": (404, {"errors": [{"param": "base", "message": "Not found"}]}),
        "/api/auth/login": (405, {"data": None, "meta": {"success": False, "errors": ["GENERAL_METHOD_NOT_ALLOWED"]}}),
    }
