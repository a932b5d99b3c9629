"""Does the time of a failed sign-in tell whether an account has the email?

POST /api/auth/login/ through chalice.test.Client on moto, in interleaved pairs: a known email with a wrong
password, then an unknown email. Each pair uses an email not tried before (its own registered account and its
own unknown address), so no failure count or lock comes into it. Prints each side's median and the median,
minimum and maximum of the per-pair ratio known/unknown (1.0: no timing oracle). A figure, not a test.
"""
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAIRS = 21
PASSWORD = "bench-password-0123"


def main() -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(STAGE="bench", TABLE_PREFIX="bench", MEDIA_BUCKET="bench-media", MAIL_BACKEND="memory",
                      OUTBOUND_BACKEND="memory", PUBLIC_BASE_URL="https://bench.example.test/api",
                      JWT_SECRET="bench-secret-bench-secret-bench-secret",
                      AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.core.tables import create_tables

    with mock_aws():
        create_tables()
        with Client(app, project_dir=str(ROOT / "tests")) as client:
            run(client)


def login(client, email: str, password: str) -> tuple[float, int]:
    body = json.dumps({"email": email, "password": password})
    start = time.perf_counter()
    response = client.http.post("/api/auth/login/", body=body, headers={"Content-Type": "application/json"})
    return time.perf_counter() - start, response.status_code


def run(client) -> None:
    for n in range(PAIRS + 1):
        body = json.dumps({"fullname": f"Bench {n}", "email": f"known-{n}@example.com", "password": PASSWORD})
        response = client.http.post("/api/auth/register/", body=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 201, response.body
    login(client, "known-0@example.com", "wrong-password-00"), login(client, "warm-up@example.com", PASSWORD)
    known, unknown = [], []
    for n in range(1, PAIRS + 1):
        took, status = login(client, f"known-{n}@example.com", "wrong-password-00")
        assert status == 401, status
        known.append(took)
        took, status = login(client, f"nobody-{n}@example.com", "wrong-password-00")
        assert status == 401, status
        unknown.append(took)
    ratios = [k / u for k, u in zip(known, unknown, strict=True)]
    print(f"failed sign-ins, {PAIRS} interleaved pairs (chalice.test.Client on moto):")
    print(f"  known email, wrong password: median {statistics.median(known) * 1000:.1f} ms")
    print(f"  unknown email:               median {statistics.median(unknown) * 1000:.1f} ms")
    print(f"  ratio known/unknown per pair: median {statistics.median(ratios):.2f}, "
          f"range {min(ratios):.2f}–{max(ratios):.2f}")


if __name__ == "__main__":
    main()
