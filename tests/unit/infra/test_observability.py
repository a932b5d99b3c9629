"""The synthesized template with the Chalice app (as `make synth` writes it) against the observability it promises:
traces on the API's stage and every function, JSON access logs and per-method metrics, the alarms (API 5xx share,
p99 latency, each job's failures and missed runs, throttles, queues) each notifying the ops topic, and a dashboard
per stage over the metrics the app emits (names as in chalicelib/core/metric_names.py, spelled out here)."""
import fcntl
import json
import os
from unittest import mock

import pytest

from chalicelib.jobs import JOBS
from tests.conftest import ROOT

SURFACES = ("accounts", "recordings", "nearby", "content_requests", "coaching", "dialogues", "apidocs")
XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


@pytest.fixture(scope="session")
def app_templates() -> dict:
    """Both stages' templates with the app packaged by Chalice, as `make synth` makes them. Chalice writes its
    package to the project's .chalice/deployments: test workers take turns, so none reads another's half-written zip.
    Packaging puts each stage's variables into os.environ (to load the app as deployed): they are put back after."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import PlatformStack

    lock = ROOT / ".chalice" / "deployments" / ".synth.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as held, mock.patch.dict(os.environ):
        fcntl.flock(held, fcntl.LOCK_EX)
        app = cdk.App()
        env = cdk.Environment(account="123456789012", region="us-east-1")
        stacks = {stage: PlatformStack(app, f"serverless-platform-{stage}", stage=stage, env=env)
                  for stage in ("dev", "prod")}
        return {stage: Template.from_stack(stack).to_json() for stage, stack in stacks.items()}


@pytest.fixture(params=["dev", "prod"])
def template(request, app_templates):
    return request.param, app_templates[request.param]


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {logical: resource for logical, resource in template["Resources"].items() if resource["Type"] == kind}


def _functions(template: dict) -> dict[str, dict]:
    return {logical: resource["Properties"]
            for logical, resource in _of_type(template, "AWS::Serverless::Function").items()}


def _api(template: dict) -> dict:
    (api,) = _of_type(template, "AWS::Serverless::Api").values()
    return api


def _alarms(template: dict) -> list[dict]:
    return [resource["Properties"] for resource in _of_type(template, "AWS::CloudWatch::Alarm").values()]


def _ops_topic(template: dict) -> str:
    (logical,) = [logical for logical, resource in _of_type(template, "AWS::SNS::Topic").items()
                  if resource["Properties"]["TopicName"].endswith("-alarms")]
    return logical


def _dimensions(metric: dict) -> dict:
    return {dimension["Name"]: dimension["Value"] for dimension in metric.get("Dimensions", [])}


def _watched(alarm: dict) -> list[tuple[str, str, dict, int]]:
    """Every metric an alarm reads, as (namespace, name, dimensions, period): its own, or its math's."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"], _dimensions(alarm), alarm["Period"])]
    return [(stat["Metric"]["Namespace"], stat["Metric"]["MetricName"], _dimensions(stat["Metric"]), stat["Period"])
            for stat in (query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query)]


def _alarms_on(template: dict, namespace: str, metric: str) -> list[dict]:
    return [alarm for alarm in _alarms(template)
            if any((space, name) == (namespace, metric) for space, name, _, _ in _watched(alarm))]


def _function_name(logical: str) -> str:
    """A Chalice function's name as the template writes it (the last part of its ARN), as text."""
    return json.dumps({"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": [logical, "Arn"]}]}]})


def _job_function(name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name)


def test_the_api_stage_is_traced_and_every_function_traces_actively(template):
    _, body = template
    assert _api(body)["Properties"]["TracingEnabled"] is True
    functions = _functions(body)
    assert sorted(functions) == sorted(["APIHandler", *map(_job_function, JOBS)])
    assert {logical: properties["Tracing"] for logical, properties in functions.items()} == {
        logical: "Active" for logical in functions}


def test_every_function_role_may_send_traces_to_xray(template):
    _, body = template
    for logical, properties in _functions(body).items():
        role = properties["Role"]["Fn::GetAtt"][0]
        statements = [statement for policy in _of_type(body, "AWS::IAM::Policy").values()
                      if {"Ref": role} in policy["Properties"]["Roles"]
                      for statement in policy["Properties"]["PolicyDocument"]["Statement"]]
        assert {"Action": XRAY, "Effect": "Allow", "Resource": "*"} in statements, logical


def test_every_function_is_told_its_stage_and_the_powertools_service_and_namespace(template):
    stage, body = template
    for logical, properties in _functions(body).items():
        variables = properties["Environment"]["Variables"]
        assert (variables["STAGE"], variables["POWERTOOLS_SERVICE_NAME"], variables["POWERTOOLS_METRICS_NAMESPACE"]) \
            == (stage, "serverless-platform", "ServerlessPlatform"), logical


def test_the_api_stage_writes_a_json_access_log_line_per_request_to_a_log_group_kept_30_days(template):
    stage, body = template
    setting = _api(body)["Properties"]["AccessLogSetting"]
    (group, attribute) = setting["DestinationArn"]["Fn::GetAtt"]
    log_group = body["Resources"][group]
    assert (log_group["Type"], attribute, log_group["Properties"]["RetentionInDays"]) == (
        "AWS::Logs::LogGroup", "Arn", 30)
    assert log_group["DeletionPolicy"] == ("RetainExceptOnCreate" if stage == "prod" else "Delete")
    line = json.loads(setting["Format"])
    assert line == {
        "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath", "status": "$context.status",
        "protocol": "$context.protocol", "responseLength": "$context.responseLength",
        "integrationLatency": "$context.integrationLatency", "responseLatency": "$context.responseLatency",
        "xrayTraceId": "$context.xrayTraceId"}


def test_api_gateway_logs_through_the_accounts_cloudwatch_role_set_before_the_api_and_kept_on_delete(template):
    _, body = template
    ((account_id, account),) = _of_type(body, "AWS::ApiGateway::Account").items()
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = body["Resources"][role_id]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "apigateway.amazonaws.com"}}]
    (managed,) = role["Properties"]["ManagedPolicyArns"]
    assert managed["Fn::Join"][1][-1] == ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    # Unnamed: a stage deployed again after a delete makes a new role beside the kept one.
    assert "RoleName" not in role["Properties"]
    assert (account["DeletionPolicy"], role["DeletionPolicy"]) == ("Retain", "Retain")
    assert account_id in _api(body)["DependsOn"]


def test_every_method_of_the_api_has_metrics_and_throttling_and_no_data_trace(template):
    _, body = template
    assert _api(body)["Properties"]["MethodSettings"] == [{
        "HttpMethod": "*", "ResourcePath": "/*", "ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200,
        "MetricsEnabled": True, "DataTraceEnabled": False}]


def test_every_alarm_notifies_the_ops_topic_of_its_alarm_and_of_its_return_to_ok(template):
    _, body = template
    topic = [{"Ref": _ops_topic(body)}]
    alarms = _alarms(body)
    assert alarms
    for alarm in alarms:
        assert (alarm["AlarmActions"], alarm["OKActions"]) == (topic, topic), alarm["AlarmDescription"]


def test_the_5xx_alarm_watches_the_share_of_the_apis_requests_by_its_own_name_and_stage(template):
    stage, body = template
    api = _api(body)["Properties"]
    name = f"serverless-platform-{stage}"
    # API Gateway names the API after Name (and, imported from the definition, its title): one per stage.
    assert (api["Name"], api["DefinitionBody"]["info"]["title"], api["StageName"]) == (name, name, "api")
    (alarm,) = _alarms_on(body, "AWS/ApiGateway", "5XXError")
    (expression,) = [query for query in alarm["Metrics"] if "Expression" in query]
    stats = {query["Id"]: query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query}
    assert expression["Expression"] == "IF(requests >= 20, errors / requests, 0)"
    assert {key: (stat["Metric"]["MetricName"], _dimensions(stat["Metric"]), stat["Stat"], stat["Period"])
            for key, stat in stats.items()} == {
        "errors": ("5XXError", {"ApiName": name, "Stage": "api"}, "Sum", 300),
        "requests": ("Count", {"ApiName": name, "Stage": "api"}, "Sum", 300)}
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == (
        "GreaterThanThreshold", 0.01, "notBreaching")


def test_the_latency_alarm_watches_the_apis_p99_over_3_seconds_in_3_of_5_minutes(template):
    stage, body = template
    (alarm,) = _alarms_on(body, "AWS/ApiGateway", "Latency")
    assert _dimensions(alarm) == {"ApiName": f"serverless-platform-{stage}", "Stage": "api"}
    assert (alarm["ExtendedStatistic"], alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"],
            alarm["Threshold"], alarm["ComparisonOperator"]) == ("p99", 60, 5, 3, 3000, "GreaterThanThreshold")


def test_each_job_alarms_when_a_run_fails_and_when_two_of_its_intervals_pass_without_a_run(template):
    stage, body = template
    failed = _alarms_on(body, "ServerlessPlatform", "JobFailed")
    missed = _alarms_on(body, "ServerlessPlatform", "JobRuns")
    assert len(JOBS) == 4 and (len(failed), len(missed)) == (len(JOBS), len(JOBS))
    by_job = {(alarm["MetricName"], _dimensions(alarm)["Job"]): alarm for alarm in failed + missed}
    for job in JOBS.values():
        run_failed, not_run = by_job[("JobFailed", job.name)], by_job[("JobRuns", job.name)]
        for alarm in (run_failed, not_run):
            assert (_dimensions(alarm), alarm["Statistic"], alarm["EvaluationPeriods"]) == (
                {"Stage": stage, "Job": job.name}, "Sum", 1)
        assert (run_failed["ComparisonOperator"], run_failed["Threshold"], run_failed["TreatMissingData"]) == (
            "GreaterThanOrEqualToThreshold", 1, "notBreaching")
        assert (not_run["Period"], not_run["ComparisonOperator"], not_run["Threshold"],
                not_run["TreatMissingData"]) == (2 * job.every_minutes * 60, "LessThanThreshold", 1, "breaching")


def test_each_function_alarms_on_its_errors_and_its_throttles(template):
    _, body = template
    for metric in ("Errors", "Throttles"):
        alarms = _alarms_on(body, "AWS/Lambda", metric)
        watched = sorted(json.dumps(_dimensions(alarm)["FunctionName"]) for alarm in alarms)
        assert watched == sorted(_function_name(f) for f in ("APIHandler", *map(_job_function, JOBS))), metric
        assert {(alarm["Statistic"], alarm["Threshold"], alarm["TreatMissingData"]) for alarm in alarms} == {
            ("Sum", 1, "notBreaching")}


def test_every_table_is_watched_for_read_and_write_throttles_by_alarms_of_at_most_10_metrics(template):
    _, body = template
    tables = {resource["Properties"]["TableName"] for resource in _of_type(body, "AWS::DynamoDB::Table").values()}
    alarms = [alarm for alarm in _alarms(body)
              if any(space == "AWS/DynamoDB" for space, _, _, _ in _watched(alarm))]
    watched = set()
    for alarm in alarms:
        metrics = _watched(alarm)
        assert len(metrics) <= 10  # CloudWatch's hard limit for an alarm's metric math
        (expression,) = [query["Expression"] for query in alarm["Metrics"] if "Expression" in query]
        assert expression == f"SUM([{', '.join(query['Id'] for query in alarm['Metrics'] if 'MetricStat' in query)}])"
        assert (alarm["Threshold"], alarm["TreatMissingData"]) == (1, "notBreaching")
        watched |= {(name, dimensions["TableName"]) for _, name, dimensions, _ in metrics}
    assert watched == {(metric, table) for table in tables for metric in ("ReadThrottleEvents", "WriteThrottleEvents")}


def test_the_queues_alarms_watch_the_dead_letters_and_the_oldest_message(template):
    _, body = template
    assert len(_alarms_on(body, "AWS/SQS", "ApproximateNumberOfMessagesVisible")) == 1
    assert len(_alarms_on(body, "AWS/SQS", "ApproximateAgeOfOldestMessage")) == 1


def _dashboard_body(value) -> dict:
    """The dashboard's JSON, each token in it (the region, a function's name) as its template JSON text."""
    separator, parts = value["Fn::Join"]
    return json.loads(separator.join(part if isinstance(part, str) else json.dumps(json.dumps(part))[1:-1]
                                     for part in parts))


def _graphed(body: dict) -> set[tuple]:
    """Every metric the dashboard graphs: (namespace, name, dimensions as sorted pairs, statistic)."""
    found = set()
    for widget in body["widgets"]:
        for line in widget["properties"].get("metrics", []):
            *ids, options = line if isinstance(line[-1], dict) else (*line, {})
            namespace, name, *pairs = ids
            found.add((namespace, name, tuple(sorted(zip(pairs[::2], pairs[1::2], strict=True))),
                       options.get("stat", "Average")))
    return found


def test_each_stage_has_its_dashboard_of_surfaces_jobs_tables_functions_and_queues(template):
    stage, body = template
    (dashboard,) = [resource["Properties"] for resource in _of_type(body, "AWS::CloudWatch::Dashboard").values()]
    assert dashboard["DashboardName"] == f"serverless-platform-{stage}"
    graphed = _graphed(_dashboard_body(dashboard["DashboardBody"]))
    for surface in SURFACES:
        dimensions = (("Stage", stage), ("Surface", surface))
        for metric in ("Requests", "ClientErrors", "ServerErrors"):
            assert ("ServerlessPlatform", metric, dimensions, "Sum") in graphed, (surface, metric)
        assert ("ServerlessPlatform", "Latency", dimensions, "p99") in graphed, surface
    assert ("ServerlessPlatform", "NearestItemsRead", (("Stage", stage), ("Surface", "nearby")), "Sum") in graphed
    for job in JOBS:
        for metric in ("JobRuns", "JobFailed", "ItemsChanged", "ItemsFailed"):
            assert ("ServerlessPlatform", metric, (("Job", job), ("Stage", stage)), "Sum") in graphed, (job, metric)
    tables = [resource["Properties"]["TableName"] for resource in _of_type(body, "AWS::DynamoDB::Table").values()]
    for table in tables:
        for metric in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ReadThrottleEvents",
                       "WriteThrottleEvents"):
            assert ("AWS/DynamoDB", metric, (("TableName", table),), "Sum") in graphed, (table, metric)
    functions = ("APIHandler", *map(_job_function, JOBS))
    assert {line for line in graphed if line[0] == "AWS/Lambda"} == {
        ("AWS/Lambda", metric, (("FunctionName", _function_name(function)),), "Sum")
        for function in functions for metric in ("Errors", "Throttles")}
    assert {name for namespace, name, _, _ in graphed if namespace == "AWS/SQS"} == {
        "ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"}
