"""The deploy rehearsal's fixtures: both stages' templates as `make synth` writes them, deployed onto a fresh
DynamoDB Local and moto's server, and their functions loaded from the asset zip in clean interpreters."""
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, bare_environment
from tests.rehearsal import events
from tests.rehearsal.deploy import Deployment
from tests.rehearsal.lambdas import Function, TraceDaemon, endpoints, runtime_packages, unpack
from tests.rehearsal.template import Template

STAGES = ("dev", "prod")
API = "APIHandler"
ADMIN = ("admin@example.com", "admin-password-123")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> Path:
    """`make synth`'s output for both stages, written without an AWS account."""
    out = tmp_path_factory.mktemp("cdk.out")
    env = bare_environment(CDK_OUTDIR=str(out), AWS_DEFAULT_REGION="us-east-1",
                           JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")
    done = subprocess.run([sys.executable, "infra/app.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def asset(synthesized) -> Path:
    """The Lambda asset zip both stages' functions run."""
    (package,) = synthesized.glob("asset.*.zip")
    return package


@pytest.fixture(scope="session")
def task_root(asset, tmp_path_factory) -> Path:
    return unpack(asset, tmp_path_factory.mktemp("task"))


@pytest.fixture(scope="session")
def runtime(tmp_path_factory) -> Path:
    return runtime_packages(tmp_path_factory.mktemp("runtime") / "python")


@pytest.fixture(scope="session")
def services():
    """A fresh DynamoDB Local (in memory) and moto's server, for both stages (their names do not collide)."""
    from local.services import start_dynamodb_local, start_moto

    dynamodb, moto = start_dynamodb_local(), start_moto()
    yield dynamodb.url, moto.url
    dynamodb.stop()
    moto.stop()


def template(synthesized: Path, stage: str) -> Template:
    return Template(synthesized / f"serverless-platform-{stage}.template.json")


@dataclass
class Stage:
    """One stage deployed and running: its template, deployment, functions and every call they made."""

    name: str
    template: Template
    deployment: Deployment
    functions: dict[str, Function]
    gateway: events.Gateway
    traces: TraceDaemon
    calls: list[tuple[str, dict]] = field(default_factory=list)  # (function logical id, recorded call)

    def invoke(self, logical: str, event: dict) -> dict:
        outcome = self.functions[logical].invoke(event)
        self.calls += [(logical, call) for call in outcome["calls"]]
        assert "error" not in outcome, outcome["error"]
        return outcome["result"]

    def operator(self, function: str, *args) -> None:
        """An operator's one-off run in the API function's shape (not judged as the function's own calls)."""
        outcome = self.functions[API].call(function, *args)
        assert "error" not in outcome, outcome["error"]

    def http(self, method: str, path: str, **kwargs) -> tuple[int, dict, bytes]:
        """An HTTP request as API Gateway passes it to the API function: status, headers, body."""
        return events.answer(self.invoke(API, self.gateway.event(method, path, **kwargs)))


@pytest.fixture(scope="session", params=STAGES)
def stage(request, synthesized, services, task_root, runtime, tmp_path_factory) -> Stage:
    """The stage's template deployed, and each of its functions started cold with the template's environment."""
    dynamodb_url, moto_url = services
    deployed = Deployment(template(synthesized, request.param), dynamodb_url, moto_url).create()
    local = endpoints(dynamodb_url, moto_url)
    logs = tmp_path_factory.mktemp(f"logs-{request.param}")
    traces = TraceDaemon()
    functions = {logical: Function(deployed.template, logical, task_root, runtime, local, logs / f"{logical}.log",
                                   traces) for logical in deployed.template.of_type("AWS::Serverless::Function")}
    (api_logical,) = deployed.template.of_type("AWS::Serverless::Api")
    api = deployed.template.resolve(deployed.template.resources[api_logical]["Properties"])
    gateway = events.Gateway(api["DefinitionBody"], deployed.template.deployed[api_logical].ref, api["StageName"])
    running = Stage(request.param, deployed.template, deployed, functions, gateway, traces)
    # What `make run` does and a deployed stage needs once: the platform admin account.
    running.operator("chalicelib.identity.service.ensure_admin", *ADMIN)
    yield running
    for function in functions.values():
        function.stop()
    traces.stop()


def json_of(raw: bytes):
    return json.loads(raw) if raw else None
