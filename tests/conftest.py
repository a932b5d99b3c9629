"""Fixtures shared by every test: a test environment that never reaches AWS, moto for unit tests,
and a real local stack (DynamoDB Local, moto's server, the app over HTTP) for integration tests."""
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

# The base of mailed links, with a stage path as API Gateway's URL has one.
PUBLIC_BASE_URL = "https://api.example.test/api"
# Set before anything imports chalicelib: settings and table names are read at import.
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update({
    "STAGE": "test", "TABLE_PREFIX": "platform-test", "MEDIA_BUCKET": "platform-test-media",
    "JWT_SECRET": "unit-test-secret-that-is-long-enough-0123456789", "MAIL_BACKEND": "memory",
    "OUTBOUND_BACKEND": "memory", "EXPOSE_RESET_URL": "true", "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    # EMF lines only where a test turns them on (tests/unit/core/test_telemetry.py)
    "POWERTOOLS_METRICS_DISABLED": "true",
})

from chalicelib.core import clients, clock, collaborators, counters, mail  # noqa: E402
from chalicelib.core.settings import get_settings, public_base_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _moto_dynamodb():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def _back_up_each_table_once_per_transaction() -> None:
    """moto backs up a transaction's table with a deep copy once per item of the transaction, all before any write,
    so a transaction of n items on a table of m costs n x m: hand it one copy per table per transaction instead.
    (A geohash cover of 48 index items made a create take seconds.)"""
    import threading

    from moto.dynamodb import models

    backups = threading.local()

    class OneBackupPerTable:  # stands in for the `copy` module inside moto.dynamodb.models
        @staticmethod
        def deepcopy(value, memo=None):
            taken = getattr(backups, "taken", None)
            if taken is None or not isinstance(value, models.Table):
                return copy.deepcopy(value, memo)
            if id(value) not in taken:
                taken[id(value)] = copy.deepcopy(value)
            return taken[id(value)]

    real = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backups.taken = {}
        try:
            return real(self, transact_items)
        finally:
            backups.taken = None

    models.copy = OneBackupPerTable
    models.DynamoDBBackend.transact_write_items = transact_write_items


_back_up_each_table_once_per_transaction()


def saved_store() -> tuple:
    """What the store holds now, to `restore_store` later: moto's tables, and this process's id blocks (which
    the copied counter items account for). moto has no public snapshot; recreating the tables costs far more."""
    from chalicelib.core import counters

    return copy.deepcopy(_moto_dynamodb().tables), counters.held()


def restore_store(saved: tuple) -> None:
    from chalicelib.core import counters

    tables, blocks = saved
    _moto_dynamodb().tables = copy.deepcopy(tables)
    counters.hold(blocks)


@pytest.fixture(scope="session")
def empty_tables():
    """Every registered table, created once on moto through the registry (as the local stack does)."""
    from moto import mock_aws

    import app  # noqa: F401  (registers every model)
    from chalicelib.core.tables import create_tables

    with mock_aws():
        create_tables()
        return copy.deepcopy(_moto_dynamodb().tables)


@pytest.fixture
def aws(empty_tables):
    """moto in place of AWS, with every registered table, empty. Each test gets a copy of the tables
    created once, which takes milliseconds where creating them takes a third of a second. The app's cached
    boto3 clients are dropped before and after, so none outlives its test."""
    from moto import mock_aws

    clients.reset()
    counters.forget()
    with mock_aws():
        _moto_dynamodb().tables = copy.deepcopy(empty_tables)
        yield
    clients.reset()
    counters.forget()


@pytest.fixture
def empty_store(aws, empty_tables):
    """Empty every table again (each example of a property test starts from nothing)."""
    return lambda: (counters.forget(), setattr(_moto_dynamodb(), "tables", copy.deepcopy(empty_tables)))


@pytest.fixture
def bucket(aws):
    """The media bucket in moto, with the S3 client built afresh for it."""
    import boto3

    clients.reset()
    boto3.client("s3").create_bucket(Bucket=get_settings().media_bucket)
    yield get_settings().media_bucket
    clients.reset()


@pytest.fixture(autouse=True)
def fast_path_accepts_only_what_jsonschema_accepts(monkeypatch):
    """Every value a test's requests have checked: what the fast path (core/acceptance.py) accepts, jsonschema
    accepts too. Disagreements are gathered, so the request answers as it would, and fail the test at its end."""
    from chalicelib.core import acceptance, contracts

    accepts, disagreements = acceptance.accepts, []

    def checked(schema, value):
        accepted = accepts(schema, value)
        if accepted:
            found = [error.message for error in contracts._validator(schema).iter_errors(value)]
            if found:
                disagreements.append((value, found))
        return accepted

    monkeypatch.setattr(acceptance, "accepts", checked)
    yield
    assert not disagreements, f"the fast path accepted what jsonschema refuses: {disagreements[:3]}"


@pytest.fixture
def fixed_clock():
    fixed = clock.FixedClock(NOW)
    with collaborators.using(clock=fixed):
        yield fixed


@pytest.fixture
def outbox():
    memory = mail.MemoryOutbox()
    with collaborators.using(mail=memory):
        yield memory


class AwsCalls(list):
    """The AWS calls made while a test records them, as (service, operation, params)."""

    def touched(self) -> tuple[set[str], set[str]]:
        """The tables (registry names) the calls used, and what else: `sms`, `push` (the topic), `messenger`
        (the queue), `mail`, or `service:Operation` for anything a job role would not grant."""
        prefix, tables, others = get_settings().table_prefix + "-", set(), set()
        for service, operation, params in self:
            if service == "dynamodb":
                items = [next(iter(item.values())) for item in params.get("TransactItems", [])]
                names = [params.get("TableName"), *params.get("RequestItems", {}), *(i["TableName"] for i in items)]
                tables |= {name.removeprefix(prefix) for name in names if name}
            elif (service, operation) == ("sns", "Publish"):
                others.add("sms" if "PhoneNumber" in params else "push")
            else:
                others.add({("sqs", "SendMessage"): "messenger", ("ses", "SendEmail"): "mail"}.get(
                    (service, operation), f"{service}:{operation}"))
        return tables, others


@pytest.fixture
def aws_calls(monkeypatch):
    """Record every AWS call (botocore's, and so PynamoDB's) from here on; clear() to start afresh."""
    from botocore.client import BaseClient

    calls, real = AwsCalls(), BaseClient._make_api_call

    def record(client, operation, params):
        calls.append((client.meta.service_model.service_name, operation, params))
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    return calls


@pytest.fixture
def log_lines():
    """The JSON lines the platform logs from here on (requests, job runs, modules), as Lambda's log gets them:
    `log_lines()` all of them, `log_lines("request")` those of one kind."""
    import io
    import logging

    from chalicelib.core import telemetry

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(telemetry.logger.registered_formatter)
    added = [logging.getLogger(name) for name in (telemetry.SERVICE, telemetry.MODULES)]
    for target in added:
        target.addHandler(handler)

    def read(kind: str | None = None) -> list[dict]:
        found = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in found if kind is None or line.get("kind") == kind]

    yield read
    for target in added:
        target.removeHandler(handler)


@pytest.fixture
def emf(monkeypatch, capsys):
    """The EMF documents printed from here on (Lambda's stdout, which CloudWatch turns into metrics)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def read() -> list[dict]:
        printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
        return [document for document in printed if "_aws" in document]

    return read


@pytest.fixture
def settings_env(monkeypatch):
    """Change a setting for one test: settings_env(EXPOSE_RESET_URL="false"); None unsets it."""

    def change(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        forget()

    def forget() -> None:
        get_settings.cache_clear()
        public_base_url.cache_clear()
        collaborators.forget()

    yield change
    forget()


@pytest.fixture
def base_url_parameter(aws, settings_env):
    """The deployed configuration of mailed links: no PUBLIC_BASE_URL, and an SSM parameter (on moto) named by
    PUBLIC_BASE_URL_PARAMETER holding the API's URL. Gives that URL."""
    import boto3

    name, url = "/serverless-platform/test/public-base-url", "https://abc123.execute-api.us-east-1.amazonaws.com/api"
    boto3.client("ssm").put_parameter(Name=name, Value=url, Type="String")
    settings_env(PUBLIC_BASE_URL=None, PUBLIC_BASE_URL_PARAMETER=name)
    return url


@pytest.fixture
def client(aws, fixed_clock, outbox):
    """chalice.test.Client on the whole app, over moto, with a fixed clock and an in-memory outbox."""
    from chalice.test import Client

    from app import app

    # An empty project dir: the stage config of .chalice/ must not leak into the test settings.
    with Client(app, project_dir=str(ROOT / "tests")) as test_client:
        yield test_client


class Api:
    """Small JSON helpers over chalice.test.Client: `api.post(path, body)` gives (status, json)."""

    def __init__(self, client):
        self.client = client

    def call(self, method, path, body=None, token=None, headers=None, raw=None):
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.http.request(method, path, body=payload, headers=sent)
        return response.status_code, json.loads(response.body) if response.body else None

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def sign_up(self, email, fullname="Someone Else"):
        """Register an account and give its access token."""
        status, body = self.post("/api/auth/register/", {"fullname": fullname, "email": email,
                                                         "password": "twelve-chars-pw"})
        assert status == 201, body
        return body["data"]["access_token"]

    def sign_in(self, email):
        status, body = self.post("/api/auth/login/", {"email": email, "password": "twelve-chars-pw"})
        assert status == 200, body
        return body["data"]["access_token"]


@pytest.fixture
def api(client):
    return Api(client)


JAY = {"fullname": "Jay Rainey", "email": "jay@example.com", "password": "twelve-chars-pw"}


@pytest.fixture
def jay(api):
    """A registered account: its registration body and its tokens."""
    status, body = api.post("/api/auth/register/", JAY)
    assert status == 201
    return {**JAY, **body["data"]}


# --- integration: the real local stack over HTTP ---

# The pages' browser tests: Debian's Chromium, driven by Playwright. Without the background-networking flags
# Chromium keeps calling Google's hosts, which this machine refuses.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser(local_stack):
    """Headless Chromium (Debian's package, driven by Playwright), for the pages `make run`'s stack serves."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Chromium is missing: .ci/run installs Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, timeout=60_000)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class LocalStack:
    base_url: str
    env: dict
    state_dir: Path

    def table(self, name: str) -> str:
        return f"{self.env['TABLE_PREFIX']}-{name}"

    def dynamodb(self):
        import boto3

        return boto3.client("dynamodb", endpoint_url=self.env["AWS_ENDPOINT_URL_DYNAMODB"],
                            region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.env["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def keys_under(self, prefix: str) -> list[str]:
        """The media bucket's keys under `prefix`, read from the stack's S3."""
        listing = self.s3().list_objects_v2(Bucket=self.env["MEDIA_BUCKET"], Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))


class HttpUser:
    """A registered (or signed-in) user of the local stack, calling `/api<path>` with their token."""

    def __init__(self, stack: LocalStack, email: str, bare_token: bool = False):
        import requests

        self.base = stack.base_url + "/api"
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))  # tests use 20 threads
        body = {"fullname": email.split("@")[0].title(), "email": email, "password": "twelve-chars-pw"}
        response = self.http.post(f"{self.base}/auth/register/", data=json.dumps(body), timeout=30)
        if response.status_code == 409:
            response = self.http.post(f"{self.base}/auth/login/", data=json.dumps(body), timeout=30)
        token = response.json()["data"]["access_token"]
        me = self.http.get(f"{self.base}/auth/me/", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.number = me.json()["data"]["user_id"]
        self.http.headers["Authorization"] = token if bare_token else f"Bearer {token}"

    def call(self, method: str, path: str, body=None, **kw):
        raw = kw.pop("data", None)
        data = json.dumps(body) if body is not None else raw
        return self.http.request(method, self.base + path, data=data, timeout=30, **kw)


def job_changed(output: str) -> int:
    """The items a `make job` run changed, from what it printed (its log line's short form)."""
    [changed] = re.findall(r"^job [a-z-]+: seen \d+, changed (\d+), failed \d+$", output, re.MULTILINE)
    return int(changed)


def bare_environment(**extra: str) -> dict:
    """A shell as a newcomer has it: PATH and HOME, nothing of the test settings above."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {**keep, **extra}


def start_app(env: dict, port: int, timeout: float = 120) -> subprocess.Popen:
    """`python -m local` (what `make run` runs) in the background, ready once it answers HTTP."""
    import requests

    log = Path(env["LOCAL_STATE_DIR"]) / "run.log"
    with open(log, "a") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"`python -m local` exited: {log.read_text()}")
        try:
            requests.get(f"http://127.0.0.1:{port}/api/auth/me/", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.3)
    stop_app(process)
    raise RuntimeError(f"`python -m local` did not serve within {timeout}s: {log.read_text()}")


def stop_app(process: subprocess.Popen) -> int:
    """Ctrl-C, as a developer stops `make run`."""
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory):
    """DynamoDB Local (in memory) and moto's server started here, and the app pointed at them
    through the AWS_ENDPOINT_URL_* variables, serving on a free port."""
    from local.services import free_port, start_dynamodb_local, start_moto

    dynamodb, moto = start_dynamodb_local(), start_moto()
    state = tmp_path_factory.mktemp("stack")
    port = free_port()
    moto_endpoints = {f"AWS_ENDPOINT_URL_{service}": moto.url for service in ("S3", "SNS", "SQS", "SES")}
    env = bare_environment(LOCAL_STATE_DIR=str(state), PORT=str(port), AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url,
                           **moto_endpoints)
    process = start_app(env, port)
    try:
        yield LocalStack(f"http://127.0.0.1:{port}", json.loads((state / "stack.json").read_text()), state)
    finally:
        stop_app(process)
        dynamodb.stop()
        moto.stop()


@pytest.fixture
def dynamodb_local(local_stack, monkeypatch):
    """The platform's models in this process, pointed at the stack's DynamoDB Local (tables under
    this test run's prefix): for service-level checks that only the real engine can make."""
    import app  # noqa: F401  (registers every model)
    from chalicelib.core import tables, transactions

    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", local_stack.env["AWS_ENDPOINT_URL_DYNAMODB"])

    def reconnect():
        for model in tables.registered():
            model._connection = None
        transactions.connection.cache_clear()

    reconnect()
    tables.create_tables()
    yield
    monkeypatch.undo()
    reconnect()
