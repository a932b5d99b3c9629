"""Settings read once from the environment that `.chalice/config.json` (or `make run`) sets."""
import os
from functools import lru_cache
from typing import NamedTuple

from chalicelib.core.clients import client

_TRUE = {"1", "true", "yes", "on"}


class Settings(NamedTuple):
    stage: str
    table_prefix: str
    media_bucket: str
    access_token_seconds: int
    refresh_token_seconds: int
    reset_token_seconds: int
    expose_reset_url: bool
    mail_backend: str
    mail_outbox_dir: str
    mail_from: str
    max_json_bytes: int
    max_active_requests: int
    push_topic_arn: str
    outbound_backend: str
    outbound_outbox_dir: str
    fbook_queue_url: str


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as error:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from error


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    stage = env.get("STAGE", "dev")
    return Settings(
        stage=stage,
        table_prefix=env.get("TABLE_PREFIX", f"serverless-platform-{stage}"),
        media_bucket=env.get("MEDIA_BUCKET", f"serverless-platform-{stage}-media"),
        access_token_seconds=_int("ACCESS_TOKEN_SECONDS", 15 * 60),
        refresh_token_seconds=_int("REFRESH_TOKEN_SECONDS", 30 * 24 * 3600),
        reset_token_seconds=_int("RESET_TOKEN_SECONDS", 3600),
        expose_reset_url=env.get("EXPOSE_RESET_URL", "false").lower() in _TRUE,
        mail_backend=env.get("MAIL_BACKEND", "ses"),
        mail_outbox_dir=env.get("MAIL_OUTBOX_DIR", ".local/outbox"),
        mail_from=env.get("MAIL_FROM", "no-reply@example.com"),
        max_json_bytes=_int("MAX_JSON_BYTES", 1024 * 1024),
        max_active_requests=_int("MAX_ACTIVE_REQUESTS", 10),
        push_topic_arn=env.get("PUSH_TOPIC_ARN", ""),
        outbound_backend=env.get("OUTBOUND_BACKEND", "aws"),
        outbound_outbox_dir=env.get("OUTBOUND_OUTBOX_DIR", ".local/outbound"),
        fbook_queue_url=env.get("FBOOK_QUEUE_URL", ""),
    )


@lru_cache(maxsize=1)
def public_base_url() -> str:
    """The absolute base of every link the app mails, e.g. `https://abc.execute-api.us-east-1.amazonaws.com/api`:
    PUBLIC_BASE_URL, else the SSM parameter named by PUBLIC_BASE_URL_PARAMETER. Read on the first link, not at
    import (cold starts stay short), then kept for the process. Never taken from a request's headers: those
    are the caller's to choose, and behind API Gateway they lack the stage path."""
    url = os.environ.get("PUBLIC_BASE_URL", "")
    parameter = os.environ.get("PUBLIC_BASE_URL_PARAMETER", "")
    if not url and parameter:
        # only deployed stages read it from SSM
        url = client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"]
    if not url:
        raise RuntimeError("Set PUBLIC_BASE_URL or PUBLIC_BASE_URL_PARAMETER: mailed links need an absolute base")
    return url.rstrip("/")
