"""The first request of each route family after a cold start, against the same request warm.

For each family a fresh interpreter imports the app, then makes one request twice on DynamoDB Local (and moto's
S3) through chalice.test.Client: the first pays for the process's first AWS client, the second is warm. The
goal (issue 20): first <= 1.3 x (warm + one DynamoDB client creation), the client's cost measured apart in
fresh interpreters too. Prints the median of RUNS interleaved rounds per family, and the same ratio without the
checks' first load (the fast path's: fastjsonschema's import and the schema's compilation, core/acceptance.py; and
jsonschema's, which a valid request should not need), the share a request that checks a body or a query pays once."""
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("RUNS", "7"))
PASSWORD = "bench-password-123"
# (family, method, path, header style) of a request that reads DynamoDB on its success path.
FAMILIES = [
    ("accounts", "GET", "/api/auth/me/", "Bearer"),
    ("recordings", "GET", "/api/projects/", "Bearer"),
    ("nearby", "GET", "/api/v04/requests/nearest?lat=51.5&lon=-0.12", "bare"),
    ("content_requests", "GET", "/api/v4/content_requests?pending=true", "Authentication"),
    ("coaching", "GET", "/api/orgs", "Bearer"),
    ("dialogues", "GET", "/projects", "Bearer"),
]

CHILD = """
import json, os, sys, time
began = time.perf_counter()
import app
imported = time.perf_counter()
from chalice.test import Client
from chalicelib.core import acceptance, contracts
loading = {"fast": 0.0, "jsonschema": 0.0}
def timed(name, build):
    def run(*args):
        start = time.perf_counter()
        try:
            return build(*args)
        finally:
            loading[name] += time.perf_counter() - start
    return run
acceptance._compiled = timed("fast", acceptance._compiled)
contracts._validator_class = timed("jsonschema", contracts._validator_class)
method, path, style, token = sys.argv[1:5]
header = token if style == "bare" else f"Bearer {token}"
name = "Authentication" if style == "Authentication" else "Authorization"
times = []
with Client(app.app) as client:
    for _ in range(2):
        start = time.perf_counter()
        answer = client.http.request(method, path, headers={name: header})
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, (path, answer.status_code, answer.body[:300])
print(json.dumps({"import": imported - began, "first": times[0], "warm": times[1],
                  "validator": loading["fast"] + loading["jsonschema"], "jsonschema": loading["jsonschema"] > 0}))
"""

CLIENT = """
import json, time
import app, boto3
start = time.perf_counter()
boto3.session.Session().client("dynamodb")
print(json.dumps({"client": time.perf_counter() - start}))
"""


def child(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{args[:2]} failed:\n{done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from local.services import start_dynamodb_local, start_moto

    dynamodb, moto = start_dynamodb_local(), start_moto()
    os.environ.update(AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url, AWS_ENDPOINT_URL_S3=moto.url,
                      AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      TABLE_PREFIX="bench-first", MEDIA_BUCKET="bench-first-media", MAIL_BACKEND="memory",
                      OUTBOUND_BACKEND="memory", PUBLIC_BASE_URL="http://127.0.0.1/api",
                      JWT_SECRET="bench-secret-bench-secret-bench-secret")
    try:
        run(prepare())
    finally:
        dynamodb.stop()
        moto.stop()


def prepare() -> str:
    """Tables, the bucket and a verified platform admin; its access token."""
    import boto3

    import app  # noqa: F401  (registers every model)
    from chalicelib.core.tables import create_tables
    from chalicelib.identity import service

    create_tables()
    boto3.client("s3").create_bucket(Bucket="bench-first-media")
    admin = service.ensure_admin("bench-admin@example.com", PASSWORD)
    return service.tokens_for(admin)["access_token"]


def run(token: str) -> None:
    rounds: dict[str, list[dict]] = {family: [] for family, *_ in FAMILIES}
    clients = []
    for _ in range(RUNS):
        clients.append(child(CLIENT)["client"])
        for family, method, path, style in FAMILIES:
            rounds[family].append(child(CHILD, method, path, style, token))
    client = statistics.median(clients) * 1000
    print(f"first request per route family after `import app`, median of {RUNS} fresh interpreters each")
    print(f"one DynamoDB client creation after import: {client:.0f} ms")
    print(f"{'family':<18} {'import ms':>9} {'first ms':>9} {'warm ms':>8} {'checks ms':>12} "
          f"{'first/(warm+client)':>20} {'without the checks':>22}")
    for family, runs in rounds.items():
        first, warm, validator = (statistics.median(r[k] for r in runs) * 1000 for k in ("first", "warm", "validator"))
        imported = statistics.median(r["import"] for r in runs) * 1000
        ratios = sorted(r["first"] * 1000 / (r["warm"] * 1000 + client) for r in runs)
        apart = sorted((r["first"] - r["validator"]) * 1000 / (r["warm"] * 1000 + client) for r in runs)
        print(f"{family:<18} {imported:9.0f} {first:9.0f} {warm:8.1f} {validator:12.1f} "
              f"{statistics.median(ratios):8.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) "
              f"{statistics.median(apart):10.2f} ({apart[0]:.2f}-{apart[-1]:.2f})  (goal 1.30)"
              f"{'  jsonschema loaded' if any(r['jsonschema'] for r in runs) else ''}")


if __name__ == "__main__":
    main()
