"""Whether each piece the API stands on answers: the DynamoDB tables and the media bucket. Each check is one cheap
call (no scan, no data read), and a result is kept for a few seconds so that calls to /health cannot multiply
into calls to AWS."""
import logging
import time
from collections.abc import Callable
from typing import Any

KEEP_SECONDS = 10.0
_last: tuple[float, dict[str, str]] | None = None


def _dynamodb() -> None:
    from chalicelib.core.tables import registered

    registered()[0].describe_table()


def _s3() -> None:
    from chalicelib.core.clients import client
    from chalicelib.core.settings import get_settings

    client("s3").head_bucket(Bucket=get_settings().media_bucket)


CHECKS: dict[str, Callable[[], None]] = {"dynamodb": _dynamodb, "s3": _s3}


def _outcome(check: Callable[[], None]) -> str:
    try:
        check()
    except Exception:  # any failure is "unreachable": the reason (names, endpoints) stays in the logs
        logging.getLogger(__name__).exception("health check failed")
        return "unreachable"
    return "ok"


def report(now: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """`{"status": "ok" | "degraded", "checks": {piece: "ok" | "unreachable"}}`."""
    global _last
    if _last is None or now() - _last[0] >= KEEP_SECONDS:
        _last = (now(), {name: _outcome(check) for name, check in CHECKS.items()})
    checks = _last[1]
    return {"status": "ok" if all(state == "ok" for state in checks.values()) else "degraded", "checks": checks}


def forget() -> None:
    """Drop the kept result (tests)."""
    global _last
    _last = None
