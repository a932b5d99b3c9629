"""The deploy rehearsal, before any request: each stage's tables are created on DynamoDB Local from the template
alone, every function's handler resolves in the asset zip to a callable of its own, no IAM statement allows an
action on `*`, the bucket lets browsers post upload forms, and every alarm watches a metric a resource of the stack
emits and notifies the stack's topic."""
import json

from chalicelib.core import metric_names as names
from chalicelib.jobs import JOBS
from tests.rehearsal.conftest import API
from tests.rehearsal.deploy import client
from tests.rehearsal.template import REGION, Template


def _described(stage, name: str) -> dict:
    return client("dynamodb", stage.deployment.dynamodb_url).describe_table(TableName=name)["Table"]


def _projection(projection: dict) -> dict:
    return {"ProjectionType": projection["ProjectionType"],
            "NonKeyAttributes": sorted(projection.get("NonKeyAttributes", []))}


def test_every_table_is_created_on_dynamodb_local_as_the_template_defines_it(stage):
    tables = stage.template.of_type("AWS::DynamoDB::Table")
    assert len(tables) >= 30
    ddb = client("dynamodb", stage.deployment.dynamodb_url)
    for logical, properties in tables.items():
        name = stage.template.deployed[logical].ref
        made = _described(stage, name)
        assert made["KeySchema"] == properties["KeySchema"], name
        assert made["BillingModeSummary"]["BillingMode"] == properties["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {i["IndexName"]: (i["KeySchema"], _projection(i["Projection"]))
                   for i in made.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["IndexName"]: (i["KeySchema"], _projection(i["Projection"]))
                           for i in properties.get("GlobalSecondaryIndexes", [])}, name
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        wanted = properties.get("TimeToLiveSpecification")
        assert ttl.get("AttributeName") == (wanted or {}).get("AttributeName"), name


def test_every_functions_handler_resolves_in_the_asset_zip_to_a_callable_of_its_own(stage):
    functions = stage.template.of_type("AWS::Serverless::Function")
    handlers = {logical: properties["Handler"] for logical, properties in functions.items()}
    assert len(set(handlers.values())) == len(handlers), f"functions share a handler: {handlers}"

    resolved = stage.functions[API].ask({"op": "resolve", "handlers": sorted(handlers.values())})

    assert {name: found.get("callable") for name, found in resolved.items()} == dict.fromkeys(resolved, True), resolved
    assert len({found["identity"] for found in resolved.values()}) == len(handlers)


def test_the_deployed_bucket_lets_a_page_on_any_origin_post_an_upload_form(stage):
    (logical,) = stage.template.of_type("AWS::S3::Bucket")
    name = stage.template.deployed[logical].ref
    rules = client("s3", stage.deployment.moto_url).get_bucket_cors(Bucket=name)["CORSRules"]
    assert [rule for rule in rules if "POST" in rule["AllowedMethods"] and rule["AllowedOrigins"] == ["*"]], rules


# Actions AWS offers no resource level for, which a statement may therefore allow on "*" (none today).
NO_RESOURCE_LEVEL: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray's actions take no resource: a traced function sends its segments with these",
    "xray:PutTelemetryRecords": "X-Ray's actions take no resource: a traced function sends its segments with these"}
# Statements of the form Allow + NotResource, and why each is narrower than "*".
NOT_RESOURCE = {("sns:Publish", "arn:aws:sns:*:*:*"):
                "SMS to a phone number has no ARN: this allows phone numbers and no topic"}


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _statements(template: Template) -> list[tuple[str, dict]]:
    """(resource logical id, statement) of every policy written in the template: identity and resource policies."""
    found = []
    for logical, resource in template.resources.items():
        properties = resource.get("Properties", {})
        documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])
                     if resource["Type"] == "AWS::IAM::Role"]
        if "PolicyDocument" in properties:
            documents.append(properties["PolicyDocument"])
        found += [(logical, template.resolve(s)) for d in documents for s in _listed(d["Statement"])]
    return found


def test_no_iam_statement_allows_an_action_on_every_resource(stage):
    statements = [(logical, s) for logical, s in _statements(stage.template) if s["Effect"] == "Allow"]
    assert statements
    wide = []
    for logical, statement in statements:
        actions = _listed(statement.get("Action", []))
        if "NotAction" in statement:
            wide.append((logical, statement))
        elif "NotResource" in statement:
            wide += [(logical, a) for a in actions for r in _listed(statement["NotResource"])
                     if (a, r) not in NOT_RESOURCE]
        elif "*" in _listed(statement.get("Resource", [])):
            wide += [(logical, a) for a in actions if a not in NO_RESOURCE_LEVEL]
    assert wide == []


# AWS-managed policies a role of the stack may carry, and why: they are not written in the template.
MANAGED = {"AWSLambdaBasicExecutionRole": "CDK's function that empties the dev bucket on destroy: its own logs",
           "AmazonAPIGatewayPushToCloudWatchLogs": "API Gateway's account role, which writes the access logs"}


def test_no_role_carries_a_managed_policy_beyond_the_listed_ones(stage):
    attached = [arn.rsplit("/", 1)[-1] for properties in stage.template.of_type("AWS::IAM::Role").values()
                for arn in stage.template.resolve(properties.get("ManagedPolicyArns", []))]
    assert [name for name in attached if name not in MANAGED] == []


def _emitters(template: Template) -> dict[tuple[str, str], list[dict]]:
    """(namespace, dimension names) → the dimension values of each resource of the stack that emits there."""
    deployed = template.deployed
    functions = [{"FunctionName": deployed[f].ref} for f in template.of_type("AWS::Serverless::Function")]
    apis = []
    for logical, properties in template.of_type("AWS::Serverless::Api").items():
        resolved = template.resolve(properties)
        name = resolved["DefinitionBody"]["info"]["title"]
        # API Gateway names the REST API after `Name` when given, else after the swagger's title: both must agree.
        if resolved.get("Name", name) == name:
            apis.append({"ApiName": name, "Stage": resolved["StageName"]})
    queues = [{"QueueName": deployed[q].attributes["QueueName"]} for q in template.of_type("AWS::SQS::Queue")]
    tables = [{"TableName": deployed[t].ref} for t in template.of_type("AWS::DynamoDB::Table")]
    # A regional web ACL emits per rule (by the rule's metric name) in its region.
    rules = [{"WebACL": acl["Name"], "Region": REGION, "Rule": rule["VisibilityConfig"]["MetricName"]}
             for acl in map(template.resolve, template.of_type("AWS::WAFv2::WebACL").values()) for rule in acl["Rules"]]
    # The app's own metrics (EMF, chalicelib/core/telemetry): by the functions' STAGE, per surface or job.
    [stage] = {template.resolve(p)["Environment"]["Variables"]["STAGE"]
               for p in template.of_type("AWS::Serverless::Function").values()}
    surfaces = [{names.STAGE: stage, names.SURFACE: surface} for surface in names.SURFACES]
    jobs = [{names.STAGE: stage, names.JOB: job} for job in JOBS]
    return {("AWS/Lambda", "FunctionName"): functions, ("AWS/ApiGateway", "ApiName,Stage"): apis,
            ("AWS/SQS", "QueueName"): queues, ("AWS/DynamoDB", "TableName"): tables,
            ("AWS/WAFV2", "Region,Rule,WebACL"): rules, (names.NAMESPACE, "Stage,Surface"): surfaces,
            (names.NAMESPACE, "Job,Stage"): jobs}


# The metrics each namespace's resources emit (of those an alarm may watch).
EMITTED = {"AWS/Lambda": {"Errors", "Throttles", "Invocations", "Duration", "ConcurrentExecutions"},
           "AWS/ApiGateway": {"5XXError", "4XXError", "Count", "Latency", "IntegrationLatency"},
           "AWS/SQS": {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage",
                       "NumberOfMessagesSent", "NumberOfMessagesReceived"},
           "AWS/DynamoDB": {"ThrottledRequests", "ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors",
                            "UserErrors"},
           "AWS/WAFV2": {"AllowedRequests", "BlockedRequests", "CountedRequests"},
           names.NAMESPACE: set(names.UNITS)}


def _metrics(alarm: dict) -> list[dict]:
    if "MetricName" in alarm:
        return [alarm]
    return [query["MetricStat"]["Metric"] for query in alarm["Metrics"] if "MetricStat" in query]


def test_every_alarm_watches_a_metric_of_the_stack_and_notifies_its_topic(stage):
    template = stage.template
    emitters = _emitters(template)
    topics = {deployed.ref for logical, deployed in template.deployed.items()
              if template.resources[logical]["Type"] == "AWS::SNS::Topic"}
    alarms = {logical: template.resolve(p) for logical, p in template.of_type("AWS::CloudWatch::Alarm").items()}
    assert alarms
    blind, mute = [], []
    for logical, alarm in alarms.items():
        if not alarm.get("AlarmActions") or not set(alarm["AlarmActions"]) <= topics:
            mute.append(logical)
        for metric in _metrics(alarm):
            dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            key = (metric["Namespace"], ",".join(sorted(dimensions)))
            emitted = metric["MetricName"] in EMITTED.get(metric["Namespace"], ())
            if not emitted or dimensions not in emitters.get(key, []):
                blind.append((logical, json.dumps(metric)))
    assert (blind, mute) == ([], [])
