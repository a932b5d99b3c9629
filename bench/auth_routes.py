"""Per-route figures for /api/auth over real HTTP on DynamoDB Local: DynamoDB calls and items read
per request, and p50/p95 latency. The app runs in this process (Chalice's local server) so that its
DynamoDB calls can be counted; bounded: a fixed number of sequential requests per route."""
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REQUESTS_PER_ROUTE = 40


def main() -> None:
    from local.services import free_port, start_dynamodb_local

    dynamodb = start_dynamodb_local()
    os.environ.update(AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", TABLE_PREFIX="bench", MAIL_BACKEND="memory",
                      JWT_SECRET="bench-secret-bench-secret-bench-secret")
    try:
        run(free_port())
    finally:
        dynamodb.stop()


def _counting_calls() -> Counter:
    """Count DynamoDB operations and the items they read, at PynamoDB's one call site."""
    from pynamodb.connection.base import Connection

    counts: Counter = Counter()
    original = Connection._make_api_call

    def counted(self, operation, kwargs):
        response = original(self, operation, kwargs)
        counts[operation] += 1
        counts["items read"] += ("Item" in response) + len(response.get("Items", []))
        return response

    Connection._make_api_call = counted
    return counts


def run(port: int) -> None:
    import requests
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, create_local_server

    from app import app
    from chalicelib.core.tables import create_tables

    create_tables()
    counts = _counting_calls()
    ChaliceRequestHandler.log_message = lambda *args: None
    server = create_local_server(app, Config.create(), "127.0.0.1", port)
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    # A connection per request, as API Gateway's clients mostly have; Chalice's dev server writes
    # headers and body separately, which on a kept-alive connection adds a 40 ms delayed ACK.
    base, http = f"http://127.0.0.1:{port}/api/auth", requests
    password = "twelve-chars-pw"
    accounts = []

    def register(n):
        body = {"fullname": "Bench User", "email": f"bench{n}@example.com", "password": password}
        response = http.post(f"{base}/register/", data=json.dumps(body))
        accounts.append(response.json()["data"])
        return response

    routes = {
        "POST /register/": register,
        "POST /login/": lambda n: http.post(f"{base}/login/", data=json.dumps(
            {"email": f"bench{n}@example.com", "password": password})),
        "GET /me/": lambda n: http.get(f"{base}/me/",
                                       headers={"Authorization": f"Bearer {accounts[n]['access_token']}"}),
        "POST /refresh/": lambda n: http.post(f"{base}/refresh/", data=json.dumps(
            {"refresh_token": accounts[n]["refresh_token"]})),
    }
    print(f"/api/auth over HTTP on DynamoDB Local, {REQUESTS_PER_ROUTE} sequential requests per route")
    print(f"{'route':<16} {'p50 ms':>7} {'p95 ms':>7}  DynamoDB per request")
    for name, call in routes.items():
        counts.clear()
        times = []
        for n in range(REQUESTS_PER_ROUTE):
            start = time.perf_counter()
            response = call(n)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code < 300, (name, response.status_code, response.text)
        per_call = ", ".join(f"{op} {count / REQUESTS_PER_ROUTE:g}" for op, count in sorted(counts.items()))
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{name:<16} {statistics.median(times):7.1f} {p95:7.1f}  {per_call}")
    server.shutdown()


if __name__ == "__main__":
    main()
