"""`make synth` as a fresh clone runs it: CloudFormation templates for dev and prod, written without an AWS
account, that cfn-lint passes, whose functions each run as their own least-privilege role (the API handler's,
or their job's), and whose Lambda package holds only the runtime dependencies."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT, bare_environment

DEV_TOOLS = ("moto", "pytest", "ruff", "hypothesis", "aws_cdk", "cfnlint", "requests", "_pytest", "xdist")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    out = tmp_path_factory.mktemp("cdk.out")
    env = bare_environment(CDK_OUTDIR=str(out), AWS_DEFAULT_REGION="us-east-1",
                           JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1")
    done = subprocess.run([sys.executable, "infra/app.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_synth_writes_a_template_per_stage_that_cfn_lint_passes(synthesized):
    templates = sorted(synthesized.glob("*.template.json"))
    assert [t.name for t in templates] == ["serverless-platform-dev.template.json",
                                           "serverless-platform-prod.template.json"]
    lint = subprocess.run([os.path.join(os.path.dirname(sys.executable), "cfn-lint"), *map(str, templates)],
                          capture_output=True, text=True, timeout=300)
    assert (lint.returncode, lint.stdout) == (0, "")


def test_every_function_runs_as_its_own_role_with_the_stages_resources(synthesized):
    template = json.loads((synthesized / "serverless-platform-prod.template.json").read_text())
    resources = template["Resources"]
    roles = {resource["Properties"]["RoleName"].removeprefix("serverless-platform-prod-"): name
             for name, resource in resources.items() if resource["Type"] == "AWS::IAM::Role"}
    functions = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    expected = {"APIHandler": "api", "ExpireContentRequests": "expire-content-requests",
                "ExpireRequests": "expire-requests", "SendCheckins": "send-checkins"}
    assert sorted(roles) == sorted(expected.values())
    assert sorted(functions) == sorted(expected)
    for function, properties in functions.items():
        assert properties["Role"] == {"Fn::GetAtt": [roles[expected[function]], "Arn"]}, function
        variables = properties["Environment"]["Variables"]
        assert variables["STAGE"] == "prod" and variables["EXPOSE_RESET_URL"] == "false"
        assert {"JWT_SECRET_ID", "PUSH_TOPIC_ARN", "FBOOK_QUEUE_URL", "MEDIA_BUCKET"} <= set(variables)
        assert "JWT_SECRET" not in variables


def test_alarms_watch_the_apis_5xx_rate_each_functions_errors_and_throttles_and_the_dead_letters(synthesized):
    template = json.loads((synthesized / "serverless-platform-prod.template.json").read_text())
    alarms = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = sorted((a["Namespace"], a["MetricName"], a["Statistic"], a["Threshold"]) for a in alarms)

    assert watched == sorted([("AWS/ApiGateway", "5XXError", "Average", 0.01),
                              ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 1),
                              *[("AWS/Lambda", metric, "Sum", 1) for metric in ("Errors", "Throttles")
                                for _ in range(4)]])
    functions = {json.dumps(d["Value"]) for a in alarms for d in a.get("Dimensions", []) if d["Name"] == "FunctionName"}
    assert len(functions) == 4


def test_the_lambda_package_holds_only_runtime_dependencies(synthesized):
    packages = list(synthesized.glob("asset.*.zip"))
    assert len(packages) == 1
    with zipfile.ZipFile(packages[0]) as package:
        tops = {name.split("/")[0] for name in package.namelist()}
    assert {"app.py", "chalicelib", "pynamodb", "jwt", "pygeohash", "jsonpatch.py", "jsonschema"} <= tops
    assert [top for top in tops if top.split("-")[0] in DEV_TOOLS] == []
    assert not any(top in tops for top in ("tests", "bench", "local", "infra"))
    print(f"Lambda package: {packages[0].stat().st_size / 1e6:.1f} MB zipped")
