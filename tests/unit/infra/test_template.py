"""The synthesized template against the code: its tables are the model registry's (names, keys, attribute types,
GSIs, projections, TTL), and no IAM policy grants a wildcard action or resource beyond the allowed ones."""
import json

import pytest
from pynamodb.attributes import TTLAttribute

from chalicelib.core.settings import get_settings
from chalicelib.core.tables import registered
from chalicelib.files import layout
from chalicelib.jobs import JOBS


@pytest.fixture(scope="module", params=["dev", "prod"])
def template(request):
    """The stage's template with its resources (the Chalice app itself is packaged only by `make synth`)."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.stack import PlatformStack

    stack = PlatformStack(cdk.App(), f"serverless-platform-{request.param}", stage=request.param, with_app=False,
                          env=cdk.Environment(account="123456789012", region="us-east-1"))
    return request.param, Template.from_stack(stack).to_json()


def _resources(template: dict, kind: str) -> list[dict]:
    return [resource["Properties"] for resource in template["Resources"].values() if resource["Type"] == kind]


def _keys(schema: list[dict]) -> list[tuple]:
    return sorted((key["AttributeName"], key["KeyType"]) for key in schema)


def _registry(stage: str) -> dict:
    """What the models say, read straight from PynamoDB, by physical table name of `stage`."""
    import app  # noqa: F401  (registers every model)

    prefix = get_settings().table_prefix
    tables = {}
    for model in registered():
        schema = model._get_schema()
        ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
        tables[model.Meta.table_name.replace(prefix, f"serverless-platform-{stage}", 1)] = {
            "keys": _keys(schema["key_schema"]),
            "attributes": sorted((d["AttributeName"], d["AttributeType"]) for d in schema["attribute_definitions"]),
            "indexes": sorted((i["index_name"], _keys(i["key_schema"]), i["projection"]["ProjectionType"])
                              for i in schema.get("global_secondary_indexes", [])),
            "ttl": ttl[0] if ttl else None}
    return tables


def _template_tables(template: dict) -> dict:
    tables = {}
    for table in _resources(template, "AWS::DynamoDB::Table"):
        tables[table["TableName"]] = {
            "keys": _keys(table["KeySchema"]),
            "attributes": sorted((d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]),
            "indexes": sorted((i["IndexName"], _keys(i["KeySchema"]), i["Projection"]["ProjectionType"])
                              for i in table.get("GlobalSecondaryIndexes", [])),
            "ttl": table.get("TimeToLiveSpecification", {}).get("AttributeName")}
    return tables


def test_the_templates_tables_are_the_model_registrys(template):
    stage, body = template
    assert _template_tables(body) == _registry(stage)


def test_every_table_is_on_demand_with_point_in_time_recovery_and_prod_keeps_its_data(template):
    stage, body = template
    tables = [resource for resource in body["Resources"].values() if resource["Type"] == "AWS::DynamoDB::Table"]
    assert tables
    for table in tables:
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["DeletionProtectionEnabled"] is (stage == "prod")
        assert table["DeletionPolicy"] == ("Retain" if stage == "prod" else "Delete")


# Where "*" may stand, and why: SMS goes to phone numbers, which have no ARN; object keys under the app's own
# prefixes, and the log groups of the stage's functions, whose names Chalice makes.
ALLOWED_WILDCARDS = {("sns:Publish", "*")}
ALLOWED_PREFIX_WILDCARDS = ("/uploads/*", "/recordings/*", "/content-requests/*", "/responses/*", "/dialogues/*",
                            ":log-group:/aws/lambda/")


def _text(value) -> str:
    """A resource as text: an Fn::Join of parts (ARNs built from tokens) becomes the joined parts."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    return value if isinstance(value, str) else json.dumps(value)


def _allowed(action: str, resource: str) -> bool:
    if resource == "*":
        return (action, resource) in ALLOWED_WILDCARDS
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


def test_no_policy_grants_a_wildcard_action_or_resource_outside_the_allowed_ones(template):
    _, body = template
    statements = [s for s in _statements(body) if s["Effect"] == "Allow"]
    assert statements
    wide = []
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        wide += [action for action in actions if "*" in action]
        wide += [(action, resource) for action in actions for resource in map(_text, resources)
                 if not _allowed(action, resource)]
    assert wide == []


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


def _grants_by_role(template: dict) -> dict[str, list[dict]]:
    """Each role's Allow statements, by role name."""
    names = {logical: resource["Properties"]["RoleName"] for logical, resource in template["Resources"].items()
             if resource["Type"] == "AWS::IAM::Role"}
    grants = {name: [] for name in names.values()}
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in _resources(template, kind):
            for role in policy.get("Roles", []):
                grants[names[role["Ref"]]] += policy["PolicyDocument"]["Statement"]
    return grants


def _what(template: dict, statement: dict) -> set[str]:
    """What a statement grants, in words: physical table (and index) names, or a sender, or another action."""
    tables = {logical: resource["Properties"]["TableName"] for logical, resource in template["Resources"].items()
              if resource["Type"] == "AWS::DynamoDB::Table"}
    found = set()
    for resource in statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]:
        text = _text(resource)
        if "dynamodb:GetItem" in statement["Action"]:
            logical = json.loads(text.split("/index/")[0])["Fn::GetAtt"][0]
            found.add(tables[logical] + (f"/index/{text.split('/index/')[1]}" if "/index/" in text else ""))
        elif statement["Action"] == "sns:Publish":
            found.add("sms" if text == "*" else "push")
        else:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            found |= {{"sqs:SendMessage": "messenger", "ses:SendEmail": "mail"}.get(a, a) for a in actions}
    return found


def _granted(template: dict, role: str) -> set[str]:
    return set().union(*(_what(template, statement) for statement in _grants_by_role(template)[role]))


def _allowed_words(stage: str, tables, sends) -> set[str]:
    registry = _registry(stage)
    names = [f"serverless-platform-{stage}-{table}" for table in tables]
    logs = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    return {*names, *(f"{name}/index/{index[0]}" for name in names for index in registry[name]["indexes"]),
            *sends, *logs}


def test_each_job_runs_as_a_role_of_only_the_tables_and_senders_it_declares(template):
    stage, body = template
    assert len(JOBS) == 3
    for job in JOBS.values():
        granted = _granted(body, f"serverless-platform-{stage}-{job.name}")
        assert granted == _allowed_words(stage, job.tables, job.sends), job.name


def test_the_api_role_may_use_every_table_the_bucket_the_secret_and_every_sender(template):
    stage, body = template
    granted = _granted(body, f"serverless-platform-{stage}-api")

    registry_names = [name.removeprefix(f"serverless-platform-{stage}-") for name in _registry(stage)]
    assert granted == _allowed_words(stage, registry_names, {"sms", "push", "messenger", "mail"}) | {
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "secretsmanager:GetSecretValue"}
