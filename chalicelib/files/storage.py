"""The media bucket: presigned POST uploads, checks of what was stored, presigned downloads."""
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.core.settings import get_settings

# HeadObject has no body, so a missing key answers 404 (or 403 when the caller may not list the bucket).
_MISSING_CODES = {"404", "NoSuchKey", "403"}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str


class FileMissing(Exception):
    """No object is stored under the key."""


class FileTooLarge(Exception):
    """The stored object is bigger than allowed."""


@lru_cache(maxsize=1)
def _client() -> Any:
    """The S3 client, built on first use so that importing the app does not import boto3."""
    import boto3
    from botocore.config import Config

    # A local endpoint (http://localhost:PORT) cannot serve bucket names as host names, whatever the
    # AWS config file asks for.
    local = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client("s3", config=Config(signature_version="s3v4",
                                            s3={"addressing_style": "path"} if local else None))


def reset_client() -> None:
    """Drop the cached client, so that the next call reads the endpoint again (tests)."""
    _client.cache_clear()


def upload_form(key: str, *, max_bytes: int, content_types: Sequence[str], expires_in: int = 900) -> dict:
    """A presigned S3 POST for exactly `key`, of 1 to `max_bytes` bytes and one of `content_types`."""
    if key.endswith("${filename}"):
        raise ValueError("the key must be exact: S3 would let ${filename} stand for any name")
    # S3 POST policies cannot list several allowed values, so several types share a starts-with prefix.
    prefix = os.path.commonprefix(list(content_types))
    if "/" not in prefix:
        raise ValueError(f"content types must share at least a major type, got {list(content_types)}")
    exact = len(content_types) == 1
    fields = {"Content-Type": prefix} if exact else {}
    type_condition = {"Content-Type": prefix} if exact else ["starts-with", "$Content-Type", prefix]
    post = _client().generate_presigned_post(
        Bucket=get_settings().media_bucket, Key=key, Fields=fields, ExpiresIn=expires_in,
        Conditions=[["content-length-range", 1, max_bytes], type_condition])
    return {"url": post["url"], "fields": post["fields"], "key": key, "expires_in": expires_in,
            "max_bytes": max_bytes, "content_types": list(content_types)}


def stored_object(key: str, *, max_bytes: int) -> StoredObject:
    """What is stored under `key`; FileMissing if nothing is, FileTooLarge if it exceeds `max_bytes`."""
    from botocore.exceptions import ClientError

    try:
        head = _client().head_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise FileMissing(key) from error
        raise
    stored = StoredObject(key, head["ContentLength"], head.get("ContentType", ""))
    if stored.size > max_bytes:
        raise FileTooLarge(f"{key} holds {stored.size} bytes, more than {max_bytes}")
    return stored


def download_url(key: str, expires_in: int = 3600) -> str:
    """A presigned GET URL for `key` that works for `expires_in` seconds."""
    return _client().generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().media_bucket, "Key": key}, ExpiresIn=expires_in)


def delete(key: str) -> None:
    """Remove the object under `key` (nothing happens if there is none)."""
    _client().delete_object(Bucket=get_settings().media_bucket, Key=key)


def put(key: str, data: bytes, content_type: str) -> StoredObject:
    """Store bytes the app itself holds (the legacy multipart upload, large dialogue documents)."""
    _client().put_object(Bucket=get_settings().media_bucket, Key=key, Body=data, ContentType=content_type)
    return StoredObject(key, len(data), content_type)


def get(key: str) -> bytes:
    """The bytes stored under `key` (FileMissing if none)."""
    from botocore.exceptions import ClientError

    try:
        return _client().get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise FileMissing(key) from error
        raise


def delete_prefix(prefix: str) -> int:
    """Remove every object whose key starts with `prefix` (a thousand per call); the number removed."""
    bucket, removed = get_settings().media_bucket, 0
    for page in _client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            _client().delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed
