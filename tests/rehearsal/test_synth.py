"""`make synth` as a fresh clone runs it: CloudFormation templates for dev and prod, written without an AWS
account, that cfn-lint passes with its informational checks, whose functions each run as their own
least-privilege role (the API handler's, or their job's) and find the public base URL, whose alarms watch what
the stack's resources emit and notify the ops topic, and whose Lambda package holds only the runtime
dependencies."""
import json
import os
import subprocess
import sys
import zipfile

import pytest
from chalice.utils import to_cfn_resource_name

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


def _alarms(template: dict) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]


def _function_name(logical: str) -> dict:
    """A Chalice function's name as the template writes it: the last part of its ARN."""
    return {"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": [logical, "Arn"]}]}]}


def test_alarms_watch_the_apis_5xx_rate_each_functions_errors_and_throttles_and_the_queues(stage_template):
    _, template = stage_template
    single = [a for a in _alarms(template) if "MetricName" in a]
    watched = sorted((a["Namespace"], a["MetricName"], a["Statistic"], a["Threshold"]) for a in single)

    assert watched == sorted([("AWS/ApiGateway", "5XXError", "Average", 0.01),
                              ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 1),
                              ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", 3600),
                              ("AWS/WAFV2", "BlockedRequests", "Sum", 1),
                              *[("AWS/Lambda", metric, "Sum", 1) for metric in ("Errors", "Throttles")
                                for _ in range(4)]])
    functions = {json.dumps(d["Value"]) for a in single for d in a.get("Dimensions", []) if d["Name"] == "FunctionName"}
    assert functions == {json.dumps(_function_name(f)) for f in ("APIHandler", *map(to_cfn_resource_name, JOBS))}


def test_the_5xx_alarm_watches_the_deployed_api_by_its_own_stage_name_and_stage(stage_template):
    stage, template = stage_template
    api = template["Resources"]["RestAPI"]["Properties"]
    name = f"serverless-platform-{stage}"
    # API Gateway names the API after Name (and, imported from the definition, its title): one per stage.
    assert (api["Name"], api["DefinitionBody"]["info"]["title"], api["StageName"]) == (name, name, "api")
    (alarm,) = [a for a in _alarms(template) if a.get("MetricName") == "5XXError"]
    assert alarm["Namespace"] == "AWS/ApiGateway"
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {"ApiName": name, "Stage": "api"}


def test_each_job_alarms_when_two_of_its_intervals_pass_without_a_successful_run(stage_template):
    _, template = stage_template
    missed = {}
    for alarm in _alarms(template):
        if "Metrics" in alarm:
            stats = {m["Id"]: m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m}
            missed[json.dumps(stats["invocations"]["Metric"]["Dimensions"])] = (alarm, stats)
    assert len(missed) == len(JOBS)
    for job in JOBS.values():
        dimensions = [{"Name": "FunctionName", "Value": _function_name(to_cfn_resource_name(job.name))}]
        alarm, stats = missed[json.dumps(dimensions)]
        (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
        assert (expression["Expression"], expression["ReturnData"]) == ("FILL(invocations,0) - FILL(errors,0)", True)
        assert {name: (s["Metric"]["Namespace"], s["Metric"]["MetricName"], s["Metric"]["Dimensions"], s["Stat"],
                       s["Period"]) for name, s in stats.items()} == {
            name: ("AWS/Lambda", metric, dimensions, "Sum", job.every_minutes * 60)
            for name, metric in (("invocations", "Invocations"), ("errors", "Errors"))}
        assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"],
                alarm["TreatMissingData"]) == ("LessThanThreshold", 1, 2, "breaching"), job.name


def test_every_alarm_notifies_the_ops_topic(stage_template):
    stage, template = stage_template
    (topic,) = [name for name, r in template["Resources"].items() if r["Type"] == "AWS::SNS::Topic"
                and r["Properties"]["TopicName"] == f"serverless-platform-{stage}-alarms"]
    alarms = _alarms(template)
    # Errors and throttles of each function, each job's missed runs, the API's 5xx, the two queues' and the WAF's.
    assert len(alarms) == 2 * (1 + len(JOBS)) + len(JOBS) + 1 + 2 + 1
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": topic}], alarm["AlarmDescription"]


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
