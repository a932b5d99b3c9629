"""The synthesized template against the code: its tables are the model registry's (names, keys, attribute types,
GSIs, whole projections, TTL), no IAM policy grants a wildcard action or resource beyond the allowed ones (X-Ray), every
alarm notifies the ops topic, and prod keeps its data while dev can be torn down."""
import json
import re
from pathlib import Path

import pytest
from pynamodb.attributes import TTLAttribute

from chalicelib.core.settings import get_settings
from chalicelib.core.tables import registered
from chalicelib.files import layout
from chalicelib.jobs import JOBS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", params=["dev", "prod"])
def template(request):
    """The stage's template with its resources (the Chalice app itself is packaged only by `make synth`)."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import PlatformStack

    stack = PlatformStack(cdk.App(), f"serverless-platform-{request.param}", stage=request.param, with_app=False,
                          env=cdk.Environment(account="123456789012", region="us-east-1"))
    return request.param, Template.from_stack(stack).to_json()


class _AnyText:
    """Equal to any non-empty string: for a description, whose wording is not the test's business."""

    def __eq__(self, other) -> bool:
        return isinstance(other, str) and bool(other)


ANY_TEXT = _AnyText()


def _resources(template: dict, kind: str) -> list[dict]:
    return [resource["Properties"] for resource in template["Resources"].values() if resource["Type"] == kind]


def _keys(schema: list[dict]) -> list[tuple]:
    return sorted((key["AttributeName"], key["KeyType"]) for key in schema)


def _projection(projection: dict) -> str:
    """A whole projection, its type and any NonKeyAttributes (an INCLUDE without them is refused)."""
    return json.dumps(projection, sort_keys=True)


def _registry(stage: str) -> dict:
    """What the models say, as PynamoDB's own CreateTable would send it, by physical table name of `stage`."""
    import app  # noqa: F401  (registers every model)

    prefix = get_settings().table_prefix
    tables = {}
    for model in registered():
        schema = model._get_schema()
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        tables[model.Meta.table_name.replace(prefix, f"serverless-platform-{stage}", 1)] = {
            "keys": _keys(schema["key_schema"]),
            "attributes": sorted((d["AttributeName"], d["AttributeType"]) for d in schema["attribute_definitions"]),
            "indexes": sorted((i["index_name"], _keys(i["key_schema"]), _projection(i["projection"]))
                              for i in schema.get("global_secondary_indexes", [])),
            "ttl": ttl[0] if ttl else None}
    return tables


def _template_tables(template: dict) -> dict:
    tables = {}
    for table in _resources(template, "AWS::DynamoDB::Table"):
        tables[table["TableName"]] = {
            "keys": _keys(table["KeySchema"]),
            "attributes": sorted((d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]),
            "indexes": sorted((i["IndexName"], _keys(i["KeySchema"]), _projection(i["Projection"]))
                              for i in table.get("GlobalSecondaryIndexes", [])),
            "ttl": table.get("TimeToLiveSpecification", {}).get("AttributeName")}
    return tables


def test_the_templates_tables_are_the_model_registrys(template):
    stage, body = template
    assert _template_tables(body) == _registry(stage)


def test_an_include_index_lists_its_projected_attributes(template):
    _, body = template
    indexes = [index for table in _resources(body, "AWS::DynamoDB::Table")
               for index in table.get("GlobalSecondaryIndexes", [])]
    included = [index for index in indexes if index["Projection"]["ProjectionType"] == "INCLUDE"]
    assert included, "the content requests' `expiring` index projects the owner"
    for index in included:
        assert index["Projection"]["NonKeyAttributes"], index["IndexName"]


def test_every_table_is_on_demand_with_point_in_time_recovery(template):
    stage, body = template
    tables = _resources(body, "AWS::DynamoDB::Table")
    assert tables
    for properties in tables:
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        # Protection would make a failed first create stick in ROLLBACK_FAILED: prod keeps its tables by RETAIN.
        assert "DeletionProtectionEnabled" not in properties


# What CDK writes for RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: a failed first create deletes what it made, a
# stack delete or a replacement keeps it.
KEPT = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}
DELETED = {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}


def test_prod_keeps_its_tables_bucket_and_secret_except_on_a_failed_create_and_dev_deletes_them(template):
    stage, body = template
    data = [resource for resource in body["Resources"].values()
            if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SecretsManager::Secret")]
    assert {resource["Type"] for resource in data} == {"AWS::DynamoDB::Table", "AWS::S3::Bucket",
                                                         "AWS::SecretsManager::Secret"}
    for resource in data:
        policies = {key: resource.get(key, "Delete") for key in KEPT}
        assert policies == (KEPT if stage == "prod" else DELETED), resource["Type"]


def test_the_bucket_is_named_by_account_and_region_and_only_devs_is_emptied_on_delete(template):
    stage, body = template
    (logical,) = [name for name, resource in body["Resources"].items() if resource["Type"] == "AWS::S3::Bucket"]
    assert body["Resources"][logical]["Properties"]["BucketName"] == {"Fn::Join": ["-", [
        f"serverless-platform-{stage}-media", {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}]]}
    emptied = [resource["Properties"]["BucketName"] for resource in body["Resources"].values()
               if resource["Type"] == "Custom::S3AutoDeleteObjects"]
    assert emptied == ([{"Ref": logical}] if stage == "dev" else [])


# Where "*" may stand, and why: object keys under the app's own prefixes, and the log groups of the stage's
# functions, whose names Chalice makes. No Allow has Resource "*".
ALLOWED_PREFIX_WILDCARDS = ("/uploads/*", "/recordings/*", "/content-requests/*", "/responses/*", "/dialogues/*",
                            ":log-group:/aws/lambda/")


def _text(value) -> str:
    """A resource as text: an Fn::Join of parts (ARNs built from tokens) becomes the joined parts."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    return value if isinstance(value, str) else json.dumps(value)


# SMS goes to phone numbers, which have no ARN: AWS's documented form allows publishing to everything that is not
# a topic. It is the one NotResource, and allows no topic.
SMS = {"Action": "sns:Publish", "Effect": "Allow", "NotResource": 'arn:{"Ref": "AWS::Partition"}:sns:*:*:*'}


def _allowed(action: str, resource: str) -> bool:
    if "*" not in resource:
        return True
    return resource.endswith("*") and any(part in resource for part in ALLOWED_PREFIX_WILDCARDS)


def _statements(template: dict) -> list[dict]:
    found = []
    # CDK moves statements past an inline policy's size into managed policies.
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in _resources(template, kind):
            found += policy["PolicyDocument"]["Statement"]
    for role in _resources(template, "AWS::IAM::Role"):
        for policy in role.get("Policies", []):
            found += policy["PolicyDocument"]["Statement"]
    return found


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


# X-Ray's actions name no resource: IAM takes them only on "*". They are the one Allow on "*", and only together.
XRAY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


def test_no_policy_grants_a_wildcard_action_or_resource_outside_the_allowed_ones(template):
    _, body = template
    statements = [s for s in _statements(body) if s["Effect"] == "Allow"]
    assert statements
    everywhere = [s for s in statements if "*" in map(_text, _listed(s.get("Resource", [])))]
    assert everywhere and all(s == {"Action": XRAY, "Effect": "Allow", "Resource": "*"} for s in everywhere)
    statements = [s for s in statements if s not in everywhere]
    wide = []
    for statement in statements:
        if "NotResource" in statement:
            wide += [] if {**statement, "NotResource": _text(statement["NotResource"])} == SMS else [statement]
            continue
        actions = _listed(statement["Action"])
        resources = _listed(statement["Resource"])
        wide += [action for action in actions if "*" in action]
        wide += [(action, resource) for action in actions for resource in map(_text, resources)
                 if not _allowed(action, resource)]
    assert wide == []


# What PynamoDB asks DynamoDB for, by the model method the app calls: a method used needs its action on the role.
PYNAMODB_ACTIONS = {"batch_write": "dynamodb:BatchWriteItem", "batch_get": "dynamodb:BatchGetItem",
                    "query": "dynamodb:Query", "count": "dynamodb:Query", "scan": "dynamodb:Scan",
                    "exists": "dynamodb:DescribeTable"}


def test_the_table_actions_cover_every_batch_query_and_scan_the_app_calls(template):
    _, body = template
    source = "\n".join(path.read_text() for path in (ROOT / "chalicelib").rglob("*.py"))
    needed = {PYNAMODB_ACTIONS[method] for method in re.findall(rf"\.({'|'.join(PYNAMODB_ACTIONS)})\(", source)}
    assert "dynamodb:BatchWriteItem" in needed  # content-request DELETE, and nearby responses with followers
    for statement in _statements(body):
        if any(action.startswith("dynamodb:") for action in _listed(statement["Action"])):
            assert needed <= set(statement["Action"])


def test_the_functions_may_touch_every_table_and_index_and_nothing_else(template):
    stage, body = template
    granted = set()
    for statement in _statements(body):
        if any(action.startswith("dynamodb:") for action in statement["Action"]):
            granted |= {json.dumps(resource, sort_keys=True) for resource in statement["Resource"]}
    expected = sum(1 + len(table["indexes"]) for table in _registry(stage).values())
    assert len(granted) == expected


def test_the_functions_may_use_objects_under_every_prefix_of_the_bucket_layout_and_no_others(template):
    _, body = template
    granted = set()
    for statement in _statements(body):
        if "s3:PutObject" in statement["Action"]:
            granted |= {_text(resource).split("/")[-2] + "/" for resource in statement["Resource"]}
            assert set(statement["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert granted == set(layout.ALL)


def test_the_bucket_expires_unclaimed_uploads_and_aborts_incomplete_ones(template):
    _, body = template
    (bucket,) = _resources(body, "AWS::S3::Bucket")
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-unclaimed-uploads"] == {"Id": "expire-unclaimed-uploads", "Prefix": "uploads/",
                                                 "ExpirationInDays": layout.UPLOADS_KEPT_DAYS, "Status": "Enabled"}
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}


def test_the_bucket_lets_a_page_on_any_origin_post_upload_forms_and_fetch_downloads(template):
    _, body = template
    (bucket,) = _resources(body, "AWS::S3::Bucket")
    assert bucket["CorsConfiguration"]["CorsRules"] == [{
        "AllowedMethods": ["POST", "GET", "HEAD"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"],
        "MaxAge": layout.CORS_MAX_AGE}]


def _grants_by_role(template: dict) -> dict[str, list[dict]]:
    """Each function role's Allow statements, by role name (CDK's own, unnamed, roles left out)."""
    names = {logical: resource["Properties"]["RoleName"] for logical, resource in template["Resources"].items()
             if resource["Type"] == "AWS::IAM::Role" and "RoleName" in resource["Properties"]}
    grants = {name: [] for name in names.values()}
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in _resources(template, kind):
            for role in policy.get("Roles", []):
                if role["Ref"] in names:
                    grants[names[role["Ref"]]] += policy["PolicyDocument"]["Statement"]
    return grants


def _what(template: dict, statement: dict) -> set[str]:
    """What a statement grants, in words: physical table (and index) names, or a sender, or another action."""
    tables = {logical: resource["Properties"]["TableName"] for logical, resource in template["Resources"].items()
              if resource["Type"] == "AWS::DynamoDB::Table"}
    if "NotResource" in statement:
        return {"sms"} if {**statement, "NotResource": _text(statement["NotResource"])} == SMS else {"?"}
    found = set()
    for resource in _listed(statement["Resource"]):
        text = _text(resource)
        if "dynamodb:GetItem" in statement["Action"]:
            logical = json.loads(text.split("/index/")[0])["Fn::GetAtt"][0]
            found.add(tables[logical] + (f"/index/{text.split('/index/')[1]}" if "/index/" in text else ""))
        elif statement["Action"] == "sns:Publish":
            found.add("push")
        elif statement["Action"] == "ssm:GetParameter":
            found.add("ssm:GetParameter " + text.split(":parameter")[1])
        else:
            found |= {{"sqs:SendMessage": "messenger", "ses:SendEmail": "mail"}.get(a, a)
                      for a in _listed(statement["Action"])}
    return found


def _granted(template: dict, role: str) -> set[str]:
    return set().union(*(_what(template, statement) for statement in _grants_by_role(template)[role]))


def _allowed_words(stage: str, tables, sends) -> set[str]:
    registry = _registry(stage)
    names = [f"serverless-platform-{stage}-{table}" for table in tables]
    logs = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    parameter = f"ssm:GetParameter /serverless-platform/{stage}/public-base-url"
    return {*names, *(f"{name}/index/{index[0]}" for name in names for index in registry[name]["indexes"]),
            *sends, *logs, parameter, *XRAY}


def test_each_job_runs_as_a_role_of_only_the_tables_and_senders_it_declares(template):
    stage, body = template
    assert len(JOBS) == 4
    for job in JOBS.values():
        granted = _granted(body, f"serverless-platform-{stage}-{job.name}")
        assert granted == _allowed_words(stage, job.tables, job.sends), job.name


def test_the_api_role_may_use_every_table_the_bucket_the_secret_push_and_mail_but_no_sms_or_messenger(template):
    stage, body = template
    granted = _granted(body, f"serverless-platform-{stage}-api")

    registry_names = [name.removeprefix(f"serverless-platform-{stage}-") for name in _registry(stage)]
    assert granted == _allowed_words(stage, registry_names, {"push", "mail"}) | {
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "secretsmanager:GetSecretValue"}


def test_every_function_role_may_read_exactly_the_public_base_url_parameter(template):
    stage, body = template
    arn = (f'arn:{{"Ref": "AWS::Partition"}}:ssm:us-east-1:123456789012:parameter/serverless-platform/{stage}/'
           "public-base-url")
    grants = _grants_by_role(body)
    assert len(grants) == 1 + len(JOBS)
    for role, statements in grants.items():
        reads = [s for s in statements if "ssm" in json.dumps(s["Action"])]
        assert [(s["Action"], _text(s["Resource"])) for s in reads] == [("ssm:GetParameter", arn)], role


def _ops_topic(template: dict) -> str:
    (logical,) = [name for name, resource in template["Resources"].items()
                  if resource["Type"] == "AWS::SNS::Topic" and resource["Properties"]["TopicName"].endswith("-alarms")]
    return logical


def test_the_ops_topic_mails_the_alarm_email_parameter_when_one_is_given(template):
    stage, body = template
    topic = _ops_topic(body)
    assert body["Resources"][topic]["Properties"]["TopicName"] == f"serverless-platform-{stage}-alarms"
    assert body["Parameters"]["AlarmEmail"] == {"Type": "String", "Default": "", "Description": ANY_TEXT}
    (subscription,) = [r for r in body["Resources"].values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Properties"] == {"Endpoint": {"Ref": "AlarmEmail"}, "Protocol": "email",
                                          "TopicArn": {"Ref": topic}}
    assert body["Conditions"][subscription["Condition"]] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}


def test_every_alarm_notifies_the_ops_topic(template):
    _, body = template
    alarms = _resources(body, "AWS::CloudWatch::Alarm")
    assert alarms
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": _ops_topic(body)}], alarm["AlarmDescription"]


def test_the_messenger_queue_keeps_messages_14_days_and_alarms_when_its_oldest_waits_an_hour(template):
    _, body = template
    queues = {r["Properties"]["QueueName"].rsplit("-", 1)[-1]: logical for logical, r in body["Resources"].items()
              if r["Type"] == "AWS::SQS::Queue"}
    for logical in queues.values():
        assert body["Resources"][logical]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    watched = {(a["MetricName"], a["Dimensions"][0]["Value"]["Fn::GetAtt"][0], a["Statistic"], a["Threshold"])
               for a in _resources(body, "AWS::CloudWatch::Alarm") if a.get("Namespace") == "AWS/SQS"}
    assert watched == {("ApproximateAgeOfOldestMessage", queues["messenger"], "Maximum", 3600),
                       ("ApproximateNumberOfMessagesVisible", queues["dlq"], "Maximum", 1)}



def test_the_web_acl_rate_limits_each_ip_on_every_auth_path_and_alarms_when_it_blocks(template):
    from infra.resources import AUTH_PATHS

    stage, body = template
    (acl,) = _resources(body, "AWS::WAFv2::WebACL")
    (rule,) = acl["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    paths = rate["ScopeDownStatement"]["OrStatement"]["Statements"]
    assert (acl["Name"], acl["Scope"], rate["AggregateKeyType"], rate["Limit"], rate["EvaluationWindowSec"]) == (
        f"serverless-platform-{stage}-api", "REGIONAL", "IP", 100, 300)
    assert [p["ByteMatchStatement"]["SearchString"] for p in paths] == list(AUTH_PATHS)
    assert {(p["ByteMatchStatement"]["PositionalConstraint"], json.dumps(p["ByteMatchStatement"]["FieldToMatch"]))
            for p in paths} == {("CONTAINS", '{"UriPath": {}}')}
    (alarm,) = [a for a in _resources(body, "AWS::CloudWatch::Alarm") if a.get("Namespace") == "AWS/WAFV2"]
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Threshold"]) == ("BlockedRequests", "Sum", 1)
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "WebACL": acl["Name"], "Rule": rule["VisibilityConfig"]["MetricName"], "Region": {"Ref": "AWS::Region"}}
