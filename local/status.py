"""`make status`: the running local stack's summary again, and whether each piece answers."""
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlparse

from local import stack


def _answers(url: str) -> bool:
    parsed = urlparse(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parsed.hostname or "127.0.0.1", parsed.port or 80)) == 0


def _health(api: str) -> str:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=10) as response:  # noqa: S310 (our loopback URL)
            return json.dumps(json.load(response)["checks"])
    except urllib.error.HTTPError as error:  # 503: a piece is down, the body says which
        return json.dumps(json.load(error)["checks"])
    except OSError as error:
        return f"no answer ({error})"


def main() -> None:
    env = stack.load()
    print(stack.summary(env))
    pieces = {"API": env["PUBLIC_BASE_URL"], "DynamoDB": env["AWS_ENDPOINT_URL_DYNAMODB"],
              "S3": env["AWS_ENDPOINT_URL_S3"]}
    print("answers   " + "   ".join(f"{name} {'yes' if _answers(url) else 'NO'}" for name, url in pieces.items())
          + f"   /health {_health(env['PUBLIC_BASE_URL'])}")


if __name__ == "__main__":
    main()
