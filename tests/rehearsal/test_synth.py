"""`make synth` as a fresh clone runs it: CloudFormation templates for dev and prod, written without an AWS
account, that cfn-lint passes with its informational checks, whose functions each run as their own
least-privilege role (the API handler's, or their job's) and find the public base URL, and whose Lambda package
holds only the runtime dependencies. (Traces, access logs, alarms and dashboards: tests/unit/infra.)"""
import json
import os
import subprocess
import sys
import zipfile

import pytest

import app  # noqa: F401  (registers every job)
from chalicelib.jobs import JOBS

DEV_TOOLS = ("moto", "pytest", "ruff", "hypothesis", "aws_cdk", "cfnlint", "requests", "_pytest", "xdist")


@pytest.fixture(scope="module", params=["dev", "prod"])
def stage_template(request, synthesized):
    """A stage and its template as `make synth` wrote it."""
    return request.param, json.loads((synthesized / f"serverless-platform-{request.param}.template.json").read_text())


def test_synth_writes_a_template_per_stage_that_cfn_lint_passes(synthesized):
    templates = sorted(synthesized.glob("*.template.json"))
    assert [t.name for t in templates] == ["serverless-platform-dev.template.json",
                                           "serverless-platform-prod.template.json"]
    # As `make synth` runs it: with the informational checks (those skipped are listed in the template itself).
    lint = subprocess.run([os.path.join(os.path.dirname(sys.executable), "cfn-lint"), "--include-checks", "I",
                           "--", *map(str, templates)], capture_output=True, text=True, timeout=300)
    assert (lint.returncode, lint.stdout) == (0, "")


def test_every_function_runs_as_its_own_role_with_the_stages_resources(synthesized):
    template = json.loads((synthesized / "serverless-platform-prod.template.json").read_text())
    resources = template["Resources"]
    # The functions' roles are named; API Gateway's logging role is not (it outlives the stack).
    roles = {resource["Properties"]["RoleName"].removeprefix("serverless-platform-prod-"): name
             for name, resource in resources.items()
             if resource["Type"] == "AWS::IAM::Role" and "RoleName" in resource["Properties"]}
    functions = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    expected = {"APIHandler": "api", "ExpireContentRequests": "expire-content-requests",
                "ExpireRequests": "expire-requests", "ReindexRequests": "reindex-requests",
                "SendCheckins": "send-checkins"}
    assert sorted(roles) == sorted(expected.values())
    assert sorted(functions) == sorted(expected)
    for function, properties in functions.items():
        assert properties["Role"] == {"Fn::GetAtt": [roles[expected[function]], "Arn"]}, function
        variables = properties["Environment"]["Variables"]
        assert variables["STAGE"] == "prod" and variables["EXPOSE_RESET_URL"] == "false"
        assert {"JWT_SECRET_ID", "PUSH_TOPIC_ARN", "FBOOK_QUEUE_URL", "MEDIA_BUCKET"} <= set(variables)
        assert "JWT_SECRET" not in variables


def test_the_public_base_url_parameter_is_the_domain_or_the_apis_url_and_every_function_is_told_its_name(
        stage_template):
    stage, template = stage_template
    name = f"/serverless-platform/{stage}/public-base-url"
    (parameter,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"]
    assert (parameter["Name"], parameter["Type"]) == (name, "String")
    condition, domain, api = parameter["Value"]["Fn::If"]
    assert template["Parameters"]["DomainName"]["Default"] == ""
    assert template["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainName"}, ""]}]}
    assert domain == {"Fn::Sub": ["https://${Domain}", {"Domain": {"Ref": "DomainName"}}]}
    assert api == {"Fn::Sub": ["https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api",
                               {"Api": {"Ref": "RestAPI"}}]}
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 1 + len(JOBS)
    for function in functions:
        assert function["Environment"]["Variables"]["PUBLIC_BASE_URL_PARAMETER"] == name


def test_the_lambda_package_holds_only_runtime_dependencies(synthesized):
    packages = list(synthesized.glob("asset.*.zip"))
    assert len(packages) == 1
    with zipfile.ZipFile(packages[0]) as package:
        tops = {name.split("/")[0] for name in package.namelist()}
    assert {"app.py", "chalicelib", "pynamodb", "jwt", "pygeohash", "jsonpatch.py", "jsonschema"} <= tops
    assert [top for top in tops if top.split("-")[0] in DEV_TOOLS] == []
    assert not any(top in tops for top in ("tests", "bench", "local", "infra"))
    print(f"Lambda package: {packages[0].stat().st_size / 1e6:.1f} MB zipped")


def test_every_module_of_the_lambda_package_carries_bytecode_lambda_uses_as_it_is(asset):
    """Lambda's task root is read-only and the zip's times are 1980: without an unchecked-hash .pyc beside each
    module, every cold start compiles every module (infra/bytecode.py)."""
    with zipfile.ZipFile(asset) as package:
        names = set(package.namelist())
        sources = [name for name in names if name.endswith(".py")]
        compiled = {name: package.read(name) for name in names if name.endswith(".pyc")}
    tag = sys.implementation.cache_tag

    missing = [name for name in sources if _cached(name, tag) not in compiled]
    # PEP 552 flags: 0b01, hash-based and not checked against the source.
    checked = [name for name, data in compiled.items() if int.from_bytes(data[4:8], "little") != 1]

    assert len(sources) > 200 and missing == [] and checked == []


def _cached(source: str, tag: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
