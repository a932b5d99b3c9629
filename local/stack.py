"""Local configuration of the app: the dev stage's settings with local endpoints, secret and outbox."""
import json
import os
import secrets
from pathlib import Path
from typing import Any

from local.services import ROOT

STATE_DIR = Path(os.environ.get("LOCAL_STATE_DIR", ROOT / ".local"))
STACK_FILE = STATE_DIR / "stack.json"
ENDPOINT_SERVICES = ("DYNAMODB", "S3", "SQS", "SNS", "SES")
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                    "AWS_DEFAULT_REGION": "us-east-1"}


def stage_environment(stage: str = "dev") -> dict:
    """The environment `.chalice/config.json` gives a stage (top level, then the stage's own)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return {**config.get("environment_variables", {}),
            **config["stages"][stage].get("environment_variables", {})}


def jwt_secret() -> str:
    """JWT_SECRET if set, else a random local secret kept in the state folder."""
    if os.environ.get("JWT_SECRET"):
        return os.environ["JWT_SECRET"]
    path = STATE_DIR / "jwt-secret"
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def local_environment(endpoints: dict, port: int) -> dict:
    """What the app serving on `port` runs with locally. Variables already set in the shell win over these
    defaults."""
    env = stage_environment("dev")
    env.pop("JWT_SECRET_ID", None)  # the local secret is given directly
    env.update(FAKE_CREDENTIALS)
    env.update(MAIL_BACKEND="outbox", MAIL_OUTBOX_DIR=str(STATE_DIR / "outbox"), JWT_SECRET=jwt_secret(),
               OUTBOUND_BACKEND="outbox", OUTBOUND_OUTBOX_DIR=str(STATE_DIR / "outbound"),
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")  # mailed links open on this machine's server
    # Only the local stack answers /forgot/ with the link: on any deployed stage it would hand anyone who
    # knows an email that account.
    env.update(EXPOSE_RESET_URL="true")
    # EMF metrics are for CloudWatch: locally the log lines carry the same figures.
    env.update(POWERTOOLS_METRICS_DISABLED="true")
    env.update({f"AWS_ENDPOINT_URL_{service}": url for service, url in endpoints.items()})
    env.update({key: value for key, value in os.environ.items() if key in env and key != "JWT_SECRET"})
    return env


def save(env: dict) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    STACK_FILE.write_text(json.dumps(env, indent=2))
    STACK_FILE.chmod(0o600)


def load() -> dict:
    if not STACK_FILE.exists():
        raise SystemExit("No local stack is running: start it with `make run` first.")
    return json.loads(STACK_FILE.read_text())


def prepare(env: dict) -> None:
    """Make the stack ready for the app: every table, the bucket, the push topic and the local admin account."""
    import boto3

    from chalicelib.core.tables import create_tables
    from chalicelib.dialogues import channels
    from chalicelib.identity import service

    created = create_tables()
    if created:
        print(f"created {len(created)} tables")
    _add_missing_indexes()
    s3 = boto3.client("s3")
    if env["MEDIA_BUCKET"] not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=env["MEDIA_BUCKET"])
    _bucket_cors(s3, env["MEDIA_BUCKET"])
    _push_topic(env)
    admin_email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
    admin_password = os.environ.get("ADMIN_PASSWORD", "admin-password-123")
    service.ensure_admin(admin_email, admin_password)
    # for the summary: the password only where it is the documented default
    shown = "(ADMIN_PASSWORD)" if "ADMIN_PASSWORD" in os.environ else admin_password
    env["LOCAL_ADMIN"] = f"{admin_email} / {shown}"
    seeded = channels.seed_examples()
    if seeded:
        print("added dialogue providers: " + ", ".join(p.title for p in seeded))


def _bucket_cors(s3: Any, bucket: str) -> None:
    """The deployed bucket's CORS rule (infra/resources.py), so that the request page posts uploads as it does
    on AWS."""
    from chalicelib.files import layout

    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedMethods": list(layout.CORS_METHODS), "AllowedOrigins": ["*"], "AllowedHeaders": ["*"],
        "MaxAgeSeconds": layout.CORS_MAX_AGE}]})


def _add_missing_indexes() -> None:
    """Indexes added to a model since the local data was made: DynamoDB builds them on the existing table."""
    import boto3

    from chalicelib.core.tables import registered

    client = boto3.client("dynamodb")
    for model in registered():
        table = client.describe_table(TableName=model.Meta.table_name)["Table"]
        present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
        schema = model._get_schema()
        for index in schema.get("global_secondary_indexes", []):
            if index["index_name"] in present:
                continue
            client.update_table(TableName=model.Meta.table_name, AttributeDefinitions=index["attribute_definitions"],
                                GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": index["index_name"],
                                                                         "KeySchema": index["key_schema"],
                                                                         "Projection": index["projection"]}}])
            print(f"index {index['index_name']} added to {model.Meta.table_name}")


def _push_topic(env: dict) -> None:
    """The SNS topic for mobile push: PUSH_TOPIC_ARN from the shell, else one made on the local SNS.
    With neither (no local SNS endpoint), the app skips push."""
    import boto3

    from chalicelib.core.settings import get_settings

    arn = os.environ.get("PUSH_TOPIC_ARN")
    if not arn and os.environ.get("AWS_ENDPOINT_URL_SNS"):
        arn = boto3.client("sns").create_topic(Name=f"{get_settings().table_prefix}-push")["TopicArn"]
    if arn:
        env["PUSH_TOPIC_ARN"] = os.environ["PUSH_TOPIC_ARN"] = arn
        get_settings.cache_clear()  # settings were read before the topic was known


def summary(env: dict) -> str:
    """What `make run` serves and where, in a few lines (`make status` prints it again)."""
    api = env["PUBLIC_BASE_URL"]
    return "\n".join([
        f"API       {api}   docs {api}/docs   health {api}/health",
        f"AWS       DynamoDB {env['AWS_ENDPOINT_URL_DYNAMODB']}   S3, SQS, SNS, SES {env['AWS_ENDPOINT_URL_S3']}",
        f"admin     {env.get('LOCAL_ADMIN', '')}   push: {'on' if env.get('PUSH_TOPIC_ARN') else 'off (no SNS)'}",
        f"outboxes  mail {env['MAIL_OUTBOX_DIR']}   SMS and Messenger {env['OUTBOUND_OUTBOX_DIR']}",
        f"jobs      {env.get('LOCAL_JOBS') or 'none'} (on a local timer; `make job NAME=<job>` runs one now)",
        f"logs      {STATE_DIR / 'logs'}/api.jsonl, jobs.jsonl (JSON lines, as on Lambda; a short form below)",
        f"state     {STATE_DIR} (tables, files, secret)   `make status` shows this again; Ctrl-C stops everything",
    ])
