"""The content request document's error shape: `{"errors": [{"param": ..., "message": ...}]}`."""
import re
from typing import Any, cast

from chalice.app import Response

from chalicelib.core.contracts import Failure, Surface
from chalicelib.core.errors import ApiError
from chalicelib.core.routing import json_response

# Platform errors (tokens, bodies, contention) name the param they are about.
_PARAMS = {
    "token_missing": "Authorization",
    "token_invalid": "Authorization",
    "token_expired": "Authorization",
    "unknown_account": "Authorization",
    "invalid_json": "body",
    "body_too_large": "body",
    "contended": "base",
}


class Invalid(ApiError):
    """422: each failing param with the document's validation sentence."""

    status = 422

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("validation_error", errors[0]["message"], errors=errors)


def refused(param: str, message: str) -> Invalid:
    return Invalid([{"param": param, "message": message}])


# Sibling fields in the document's order (a body's, a file's, a query's), for failures within one param.
_ORDER = {name: rank for rank, name in enumerate((
    "content_request", "media_files", "s3_key", "name", "recipient", "prompt", "expiration_date", "time_type", "status",
    "format_type", "media_type", "size", "note", "pending", "query", "sort_by", "sort_to", "page", "per_page"))}


def position(param: str) -> list[int]:
    """Where a param comes in the document's order: `media_files[1][size]` after `media_files[1][name]`."""
    return [int(part) if part.isdigit() else _ORDER.get(part, len(_ORDER)) for part in re.findall(r"[^][]+", param)]


def param(failure: Failure) -> str:
    """The param as the document names it: `content_request[name]`, `media_files[0][size]`; the body as its
    schema's `x-param` says (or `body`)."""
    if not failure.path:
        return cast(str, failure.schema.get("x-param", "body"))
    first, *rest = failure.path
    return str(first) + "".join(f"[{part}]" for part in rest)


def invalid(failures: list[Failure]) -> Invalid:
    """422: each failing param once, with the sentence of the first keyword it fails (as its schema orders them),
    in the document's order of the fields (what a schema marks `x-late` after the rest); nothing under a param
    that itself fails (a list that is too long, a file that is not a Hash)."""
    paths = {failure.path for failure in failures}
    errors: dict[str, str] = {}
    for failure in sorted(failures, key=lambda failure: (failure.schema.get("x-late", 0), position(param(failure)))):
        if not any(failure.path[:end] in paths for end in range(len(failure.path))):
            errors.setdefault(param(failure), failure.key or failure.message)
    return Invalid([{"param": name, "message": message} for name, message in errors.items()])


ERROR_SCHEMA = {"type": "object", "required": ["errors"], "properties": {"errors": {
    "type": "array", "items": {"type": "object", "required": ["param", "message"],
                               "properties": {"param": {"type": "string"}, "message": {"type": "string"}}}}}}
SURFACE = Surface(tag="Content requests", invalid=invalid, error_schema=ERROR_SCHEMA, invalid_status=422)


def not_found(param: str) -> ApiError:
    return ApiError("not_found", "Not found", errors=[{"param": param, "message": "Not found"}], status=404)


def closed(message: str) -> ApiError:
    """409: the request is in a state that refuses what was asked (completed, canceled, expired)."""
    return ApiError("closed", message, errors=[{"param": "status", "message": message}], status=409)


def _message(error: ApiError) -> str:
    if error.code != "invalid_json":
        return error.message
    where = error.details
    return f"Invalid JSON: {where['reason']} (line {where['line']}, column {where['column']})"


def render(error: ApiError) -> Response:
    errors = [entry if isinstance(entry, dict) else {"param": _PARAMS.get(entry, "base"), "message": _message(error)}
              for entry in error.errors]
    return json_response({"errors": errors}, error.status)
