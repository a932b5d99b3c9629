"""The one place boto3 clients are built: one per AWS service, on first use (so importing the app does not
import boto3), then kept for the process. Endpoints come from botocore itself (AWS_ENDPOINT_URL_<SERVICE>,
AWS_ENDPOINT_URL); a service that needs more than the defaults has its Config in `_CONFIGS`."""
import os
from collections.abc import Callable
from functools import cache
from typing import Any


def _s3_config() -> Any:
    from botocore.config import Config

    # SigV4 for the presigned POSTs and URLs. A local endpoint (http://localhost:PORT) cannot serve bucket
    # names as host names, whatever the AWS config file asks for.
    local = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return Config(signature_version="s3v4", s3={"addressing_style": "path"} if local else None)


# Per service: the botocore Config to build its client with, read when the client is built.
_CONFIGS: dict[str, Callable[[], Any]] = {"s3": _s3_config}


@cache
def client(name: str) -> Any:
    """The boto3 client of service `name` (`s3`, `sns`, ...), built once per process."""
    import boto3

    from chalicelib.core import telemetry

    config = _CONFIGS.get(name)
    built = boto3.client(name, config=config() if config else None)
    telemetry.watch(built.meta.events)
    return built


def reset() -> None:
    """Drop every cached client, so that the next call reads the environment again (tests)."""
    client.cache_clear()
