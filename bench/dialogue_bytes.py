"""What a dialogue's routes move in DynamoDB (and S3): bytes written per revision, and DynamoDB round trips, items
and bytes read per route, for a small (2 KB) and a large (200 KB) dialogue, or the sizes in KB given as arguments.
In process on moto, through the app's routes (chalice.test.Client), counting at botocore; bounded: a few seconds.

Bytes are DynamoDB's item sizes (attribute names and values), which capacity is billed on: a write costs its new
items, and an update the larger of the item before and after (1 WCU a KB); a read the items it reads (Query: the
whole items, whatever the projection), shown here as the bytes the answers carried.
"""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    del os.environ[_name]
os.environ.update(STAGE="bench", TABLE_PREFIX="bench", MEDIA_BUCKET="bench-media", MAIL_BACKEND="memory",
                  JWT_SECRET="bench-secret-bench-secret-bench-secret", AWS_ACCESS_KEY_ID="bench",
                  AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
                  AWS_SHARED_CREDENTIALS_FILE=os.devnull)

REVISIONS = 40  # single edits posted to each dialogue
PASSWORD = "twelve-chars-pw"


def size(value: dict) -> int:
    """DynamoDB's size of a typed value (an item is a map without the map's own overhead)."""
    (kind, inner), = value.items()
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(size(item) + 1 for item in inner)
    return 3 + item_size(inner)


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + size(value) for name, value in item.items())


class Meter:
    """Every AWS call from `start()` on: DynamoDB round trips, items and bytes read, S3 bytes put."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.calls: list[tuple[str, str, dict, dict]] = []
        real = BaseClient._make_api_call

        def record(client, operation, params):
            answer = real(client, operation, params)
            self.calls.append((client.meta.service_model.service_name, operation, params, answer))
            return answer

        BaseClient._make_api_call = record

    def start(self) -> None:
        self.calls.clear()

    def dynamodb(self) -> list[tuple[str, dict, dict]]:
        return [(op, params, answer) for service, op, params, answer in self.calls if service == "dynamodb"]

    def read(self) -> tuple[int, int, int]:
        """Round trips, items read and their bytes."""
        items = []
        for _, _, answer in self.dynamodb():
            items += [answer["Item"]] if "Item" in answer else answer.get("Items", [])
            items += [item for found in answer.get("Responses", {}).values() for item in found]
        return len(self.dynamodb()), len(items), sum(item_size(item) for item in items)

    def written(self, head_bytes: int) -> tuple[int, int]:
        """DynamoDB bytes a write is billed on (items put, and an updated head at its size after) and S3 bytes."""
        put = 0
        for _, params, _ in self.dynamodb():
            for entry in params.get("TransactItems", []):
                put += item_size(entry["Put"]["Item"]) if "Put" in entry else head_bytes if "Update" in entry else 0
        s3 = sum(len(_bytes(params["Body"])) for service, op, params, _ in self.calls
                 if (service, op) == ("s3", "PutObject"))
        return put, s3


def _bytes(body) -> bytes:
    return body.getvalue() if hasattr(body, "getvalue") else body.encode() if isinstance(body, str) else body


def description(kilobytes: int) -> dict:
    blocks = [{"id": f"b{n}", "type": "question", "title": "q" * 1000} for n in range(kilobytes)]
    return {"title": "Survey", "is_archived": False, "sequences": [{"id": "s", "title": "S", "blocks": blocks}]}


def main() -> None:
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.core.tables import create_tables
    from chalicelib.dialogues.models import Dialogue
    from chalicelib.identity import service as accounts

    with mock_aws(), Client(app, project_dir=str(ROOT / "tests")) as client:
        create_tables()
        boto3.client("s3").create_bucket(Bucket="bench-media")
        accounts.register("Bench Admin", "bench@example.com", PASSWORD, is_admin=True)

        def call(method: str, path: str, body=None, token=None):
            headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
            answer = client.http.request(method, path, body=json.dumps(body) if body is not None else None,
                                         headers=headers)
            assert answer.status_code < 300, (method, path, answer.status_code, answer.body[:300])
            return json.loads(answer.body) if answer.body else None

        token = call("POST", "/api/auth/login/", {"email": "bench@example.com", "password": PASSWORD})
        token = token["data"]["access_token"]
        project = call("POST", "/projects/", {"title": "Bench"}, token)["id"]
        meter = Meter()
        raw = boto3.client("dynamodb")

        def head_bytes(dialogue_id: str) -> int:
            key = {"project_id": {"N": project}, "id": {"N": dialogue_id}}
            return item_size(raw.get_item(TableName=Dialogue.Meta.table_name, Key=key, ConsistentRead=True)["Item"])

        print(f"A dialogue's routes, {REVISIONS} single edits each (DynamoDB item bytes; S3 bytes put apart):")
        for kilobytes in [int(arg) for arg in sys.argv[1:]] or [2, 200]:
            dialogue = call("POST", f"/projects/{project}/dialogues/", description(kilobytes), token)["id"]
            path = f"/projects/{project}/dialogues/{dialogue}"
            dynamodb, s3 = [], []
            for n in range(REVISIONS):
                meter.start()
                call("POST", path + "/revisions/", {"type": "edit", "properties": {"patch": [
                    {"op": "replace", "path": f"/sequences/0/blocks/{n % kilobytes}/id", "value": f"x{n}"}]}}, token)
                written = meter.written(head_bytes(dialogue))
                dynamodb.append(written[0])
                s3.append(written[1])
            call("POST", path + "/releases/", {"revision_id": "2"}, token)
            print(f"  {kilobytes:3} KB dialogue: a revision writes {sum(dynamodb) / REVISIONS:8,.0f} B to DynamoDB "
                  f"on average (max {max(dynamodb):,}), {sum(s3) / REVISIONS:8,.0f} B to S3 on average "
                  f"(max {max(s3):,}); head item {head_bytes(dialogue):,} B")
            for label, route in (("dialogue list", f"/projects/{project}/dialogues/"), ("dialogue", path),
                                 ("revision list", path + "/revisions/"), ("release list", path + "/releases/"),
                                 ("release", path + "/releases/1/")):
                meter.start()
                call("GET", route, token=token)
                trips, items, read = meter.read()
                print(f"      GET {label:14} {trips} round trips, {items:3} items, {read:9,} B read")


if __name__ == "__main__":
    main()
