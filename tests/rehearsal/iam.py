"""Each recorded AWS call as the IAM requests it needs (action and resource ARN), judged against the calling
function's role as written in the template, by a real policy evaluator (@cloud-copilot/iam-simulate)."""
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from tests.rehearsal.template import ACCOUNT, REGION, Template

EVALUATOR = Path(__file__).with_name("iam")
# A transaction is authorized item by item, as the single-item action of each.
TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
# S3 operations whose IAM action has another name.
S3_ACTIONS = {"HeadObject": "GetObject", "PresignedPost": "PutObject", "ListObjectsV2": "ListBucket",
              "ListObjects": "ListBucket", "HeadBucket": "ListBucket"}


@dataclass(frozen=True)
class Need:
    """One IAM request a call makes: `action` on `resource`, for the call `call` (service:Operation)."""

    call: str
    action: str
    resource: str


def _table(name: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def _dynamodb(operation: str, params: dict) -> list[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [(f"dynamodb:{TRANSACT_ACTIONS[kind]}", _table(item["TableName"]))
                for entry in params["TransactItems"] for kind, item in entry.items()]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table(name)) for name in params["RequestItems"]]
    return [(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]


def _s3(operation: str, params: dict) -> list[tuple[str, str]]:
    bucket = f"arn:aws:s3:::{params['Bucket']}"
    if operation == "CopyObject":
        source = params["CopySource"]
        source = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else unquote(source)
        return [("s3:GetObject", f"arn:aws:s3:::{source.lstrip('/')}"),
                ("s3:PutObject", f"{bucket}/{params['Key']}")]
    if operation == "DeleteObjects":
        return [("s3:DeleteObject", f"{bucket}/{item['Key']}") for item in params["Delete"]["Objects"]]
    action = "s3:" + S3_ACTIONS.get(operation, operation)
    return [(action, f"{bucket}/{params['Key']}" if "Key" in params else bucket)]


def _queue_arn(url: str) -> str:
    account, name = urlparse(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def needs(call: dict) -> list[Need]:
    """The IAM requests of one recorded call."""
    service, operation, params = call["service"], call["operation"], call["params"]
    if service == "dynamodb":
        found = _dynamodb(operation, params)
    elif service == "s3":
        found = _s3(operation, params)
    elif service == "sns":
        target = params.get("TopicArn") or params.get("TargetArn")
        found = [(f"sns:{operation}", target or "*")]  # SMS to a phone number has no resource ARN
    elif service == "sqs":
        found = [(f"sqs:{operation}", _queue_arn(params["QueueUrl"]))]
    elif service == "secretsmanager":
        found = [(f"secretsmanager:{operation}", params["SecretId"])]
    elif service == "ssm":
        name = params["Name"] if params["Name"].startswith("/") else "/" + params["Name"]
        found = [(f"ssm:{operation}", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}")]
    elif service == "ses":
        sender = params.get("Source") or params.get("FromEmailAddress", "")
        found = [("ses:SendEmail" if operation.startswith("SendEmail") else f"ses:{operation}",
                  f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{sender.rpartition('@')[2]}")]
    else:  # judged on "*": an unknown call is denied unless the role allows it everywhere
        found = [(f"{service}:{operation}", "*")]
    return [Need(f"{service}:{operation}", action, resource) for action, resource in found]


def policies(template: Template, role_logical: str) -> list[dict]:
    """Every identity policy document attached to a role in the template, resolved."""
    role = template.resources[role_logical]["Properties"]
    found = [policy["PolicyDocument"] for policy in role.get("Policies", [])]
    assert not role.get("ManagedPolicyArns"), f"{role_logical}: managed policies outside the template"
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for properties in template.of_type(kind).values():
            if {"Ref": role_logical} in properties.get("Roles", []):
                found.append(properties["PolicyDocument"])
    return [template.resolve(document) for document in found]


def evaluator_ready() -> None:
    """Install the evaluator's npm package once (pinned by its package-lock.json)."""
    if (EVALUATOR / "node_modules" / "@cloud-copilot" / "iam-simulate").exists():
        return
    npm = shutil.which("npm")
    assert npm, "the IAM evaluator needs npm"
    subprocess.run([npm, "ci", "--silent", "--no-audit", "--no-fund"], cwd=EVALUATOR, check=True, timeout=300)


def judge(requests: list[dict]) -> list[str]:
    """The evaluator's verdict ("Allowed", "ImplicitlyDenied", ...) on each {principal, policies, action,
    resource}."""
    evaluator_ready()
    done = subprocess.run(["node", "evaluate.mjs"], cwd=EVALUATOR, input=json.dumps(
        {"account": ACCOUNT, "requests": requests}), capture_output=True, text=True, timeout=300, check=True)
    verdicts = json.loads(done.stdout)
    return [v["result"] if not v["errors"] else f"{v['result']} {v['errors']}" for v in verdicts]
