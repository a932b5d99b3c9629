"""The media bucket: presigned POST uploads, claiming them out of staging, checks of what was stored,
presigned downloads."""
import logging
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple, cast
from urllib.parse import quote, urlsplit

from chalicelib.core.clients import client
from chalicelib.core.settings import get_settings
from chalicelib.files.layout import UPLOADS

# HeadObject has no body, so a missing key answers 404; GetObject and CopyObject say NoSuchKey. (The role may
# list the bucket, so S3 never disguises a missing key as 403: an AccessDenied stays an error.)
_MISSING_CODES = {"404", "NoSuchKey"}
# What upload_key names a file: 32 hex digits, and an extension where the surface gives one.
_UPLOAD_NAME = re.compile(r"[0-9a-f]{32}(\.[0-9A-Za-z]{1,16})?")
COPY_THREADS = 8
# The only types a photo or a video may be stored and served as: raster images and video containers. Nothing a
# browser runs script from (SVG, HTML, XML, PDF ...) is on it; each surface accepts a subset (docs/decisions.md).
RASTER_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-m4v", "video/3gpp"})
# What a download is served as when the record holds no checked type (files recorded before types were kept).
UNKNOWN_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")

logger = logging.getLogger(__name__)


class StoredObject(NamedTuple):
    key: str
    size: int
    content_type: str


class FileMissing(Exception):
    """No object is stored under the key."""


class FileTooLarge(Exception):
    """The stored object is bigger than allowed."""


def upload_key(prefix: str, extension: str = "") -> str:
    """A fresh key for one upload form of `prefix` (`recordings/5/`): staged under `uploads/` until claimed."""
    return f"{UPLOADS}{prefix}{uuid.uuid4().hex}{'.' + extension if extension else ''}"


def is_upload_key(key: str, prefix: str) -> bool:
    """Whether `key` is one that `upload_key(prefix, ...)` could have made."""
    staged = UPLOADS + prefix
    return key.startswith(staged) and _UPLOAD_NAME.fullmatch(key[len(staged):]) is not None


@contextmanager
def claimed(keys: Sequence[str]) -> Iterator[list[str]]:
    """Copy each staged upload out of `uploads/` to a fresh key of its own, and yield those keys to record.

    If the block raises, the copies are removed; once it returns, the staged uploads are (or, failing that,
    the lifecycle rule expires them). Each completion owns its copies, so a retried or doubled completion
    never removes a file that another one recorded. A staged upload that is gone (claimed meanwhile, or
    expired) raises FileMissing, and nothing is kept."""
    kept = [_kept_key(key) for key in keys]
    try:
        with ThreadPoolExecutor(min(COPY_THREADS, len(keys) or 1)) as pool:
            list(pool.map(_copy, keys, kept))
        yield kept
    except BaseException:
        delete_all(kept)
        raise
    try:
        delete_all(keys)
    except Exception:  # the record is written: the lifecycle rule removes what stays staged
        logger.exception("staged uploads not removed: %s", keys)


def _kept_key(staged: str) -> str:
    """Where a staged upload is kept once claimed: out of `uploads/`, under a new name, same extension."""
    folder, _, name = staged.removeprefix(UPLOADS).rpartition("/")
    _, dot, extension = name.partition(".")
    return f"{folder}/{uuid.uuid4().hex}{dot}{extension}"


def _copy(source: str, target: str) -> None:
    from botocore.exceptions import ClientError

    bucket = get_settings().media_bucket
    try:
        client("s3").copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": source})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise FileMissing(source) from error
        raise


def upload_form(key: str, *, max_bytes: int, content_types: Sequence[str], expires_in: int = 900) -> dict[str, Any]:
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
    post = client("s3").generate_presigned_post(
        Bucket=get_settings().media_bucket, Key=key, Fields=fields, ExpiresIn=expires_in,
        Conditions=[["content-length-range", 1, max_bytes], type_condition])
    return {"url": post["url"], "fields": post["fields"], "key": key, "expires_in": expires_in,
            "max_bytes": max_bytes, "content_types": list(content_types)}


def upload_origin() -> str:
    """The origin (`scheme://host[:port]`) that upload forms post to, as a page's Content-Security-Policy names it.

    Read from a form botocore signs (nothing is sent), so it is the forms' own; its key is under the uploads
    prefix, where the API's role may put objects, so even this unused form asks for nothing the role lacks."""
    url = client("s3").generate_presigned_post(Bucket=get_settings().media_bucket, Key=f"{UPLOADS}origin")["url"]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stored_object(key: str, *, max_bytes: int) -> StoredObject:
    """What is stored under `key`; FileMissing if nothing is, FileTooLarge if it exceeds `max_bytes`."""
    from botocore.exceptions import ClientError

    try:
        head = client("s3").head_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise FileMissing(key) from error
        raise
    stored = StoredObject(key, head["ContentLength"], head.get("ContentType", ""))
    if stored.size > max_bytes:
        raise FileTooLarge(f"{key} holds {stored.size} bytes, more than {max_bytes}")
    return stored


def download_url(key: str, expires_in: int = 3600, *, content_type: str | None = None,
                 filename: str | None = None) -> str:
    """A presigned GET URL for `key` that works for `expires_in` seconds.

    Whatever the uploader stored, S3 answers it as an attachment (a browser saves it and never renders it at the
    bucket's origin) of `content_type`, the type checked and recorded when the file was claimed; a file recorded
    without one is served as application/octet-stream."""
    return cast(str, client("s3").generate_presigned_url("get_object", ExpiresIn=expires_in, Params={
        "Bucket": get_settings().media_bucket, "Key": key, "ResponseContentDisposition": attachment(filename),
        "ResponseContentType": served_type(content_type)}))


def served_type(content_type: str | None) -> str:
    """`content_type` if it is a bare `type/subtype`, else application/octet-stream (no parameters, no header
    tricks: the value goes into S3's Content-Type answer)."""
    value = (content_type or "").strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else UNKNOWN_TYPE


def attachment(filename: str | None = None) -> str:
    """A Content-Disposition of `attachment`, with the file's name where one is known: an ASCII `filename` for
    every client and the exact name as RFC 6266's `filename*`."""
    name = " ".join((filename or "").split())[:200]
    if not name:
        return "attachment"
    plain = re.sub(r"[^A-Za-z0-9._ -]", "_", name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def delete(key: str) -> None:
    """Remove the object under `key` (nothing happens if there is none)."""
    client("s3").delete_object(Bucket=get_settings().media_bucket, Key=key)


def put(key: str, data: bytes, content_type: str) -> StoredObject:
    """Store bytes the app itself holds (the legacy multipart upload, large dialogue documents)."""
    client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=data, ContentType=content_type)
    return StoredObject(key, len(data), content_type)


def get(key: str) -> bytes:
    """The bytes stored under `key` (FileMissing if none)."""
    from botocore.exceptions import ClientError

    try:
        return cast(bytes, client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read())
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
            raise FileMissing(key) from error
        raise


def delete_all(keys: Sequence[str]) -> None:
    """Remove the objects under `keys`, a thousand per call (keys with nothing stored are no matter)."""
    for start in range(0, len(keys), 1000):
        client("s3").delete_objects(Bucket=get_settings().media_bucket, Delete={
            "Objects": [{"Key": key} for key in keys[start:start + 1000]], "Quiet": True})


def delete_prefix(prefix: str) -> int:
    """Remove every object whose key starts with `prefix`; the number removed."""
    removed = 0
    for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=get_settings().media_bucket,
                                                                         Prefix=prefix):
        keys = [item["Key"] for item in page.get("Contents", [])]
        delete_all(keys)
        removed += len(keys)
    return removed
