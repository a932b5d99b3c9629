"""The recordings document's envelope, which /api/auth (and later /api/projects) answers in."""
from typing import Any

from chalice.app import Response

from chalicelib.core.contracts import Failure, Surface
from chalicelib.core.errors import ApiError, BadRequest
from chalicelib.core.routing import json_response

# Platform-level error codes, named as this document names its keys.
_KEYS = {
    "invalid_json": "GENERAL_INVALID_JSON",
    "body_too_large": "GENERAL_BODY_TOO_LARGE",
    "unknown_account": "GENERAL_UNKNOWN_JWT_USER",
    "token_missing": "AUTH_TOKEN_MISSING",
    "token_invalid": "AUTH_TOKEN_INVALID",
    "token_expired": "AUTH_TOKEN_EXPIRED",
    "admin_required": "GENERAL_ADMIN_REQUIRED",
    "invalid_param": "GENERAL_INVALID_PARAMETER",
    "invalid_cursor": "GENERAL_INVALID_CURSOR",
    "contended": "GENERAL_TRY_AGAIN",
    "too_many_attempts": "AUTH_TOO_MANY_ATTEMPTS",
    "too_many_mails": "AUTH_TOO_MANY_EMAILS",
    # Identity's refusals (chalicelib/identity/errors.py), under this document's keys.
    "email_taken": "AUTH_EMAIL_EXISTS",
    "wrong_password": "AUTH_INCORRECT_PASSWORD",
    "email_unknown": "AUTH_EMAIL_DOES_NOT_EXIST",
    "account_not_found": "USER_DOES_NOT_EXIST",
    "link_not_found": "TOKEN_404",
    "link_used": "TOKEN_USED",
    "link_expired": "TOKEN_EXPIRED",
    "mail_failed": "ISSUE_SENDING_EMAIL",
    "method_not_allowed": "GENERAL_METHOD_NOT_ALLOWED",
}


def envelope(data: Any, status: int = 200, **meta: Any) -> Response:
    """A success: `data`, and `meta` with any extra fields (such as the next page's cursor)."""
    return json_response({"data": data, "meta": {"success": True, "errors": [], **meta}}, status)


def render(error: ApiError) -> Response:
    keys = [_KEYS.get(code, code) for code in error.errors]
    return json_response({"data": None, "meta": {"success": False, "errors": keys}}, error.status)


def invalid(failures: list[Failure]) -> BadRequest:
    """400 listing each failing field's key once, in the order the contract declares the fields."""
    keys = list(dict.fromkeys(failure.key or "GENERAL_INVALID_PARAMETER" for failure in failures))
    return BadRequest(keys[0], "The request is not valid", errors=keys)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["data", "meta"],
    "properties": {
        "data": {"type": "null"},
        "meta": {"type": "object", "required": ["success", "errors"], "properties": {
            "success": {"const": False}, "errors": {"type": "array", "items": {"type": "string"}}}},
    },
}


def envelope_schema(data: dict[str, Any]) -> dict[str, Any]:
    """The schema of a success envelope around `data`."""
    return {"type": "object", "required": ["data", "meta"], "properties": {
        "data": data,
        "meta": {"type": "object", "required": ["success", "errors"], "properties": {
            "success": {"const": True}, "errors": {"type": "array", "maxItems": 0}}}}}


SURFACE = Surface(tag="Accounts", invalid=invalid, error_schema=ERROR_SCHEMA, invalid_status=400)
