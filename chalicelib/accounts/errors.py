"""The recordings document's envelope, which /api/auth (and later /api/projects) answers in."""
from typing import Any

from chalice import Response

from chalicelib.core.errors import ApiError
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
}


def envelope(data: Any, status: int = 200, **meta: Any) -> Response:
    """A success: `data`, and `meta` with any extra fields (such as the next page's cursor)."""
    return json_response({"data": data, "meta": {"success": True, "errors": [], **meta}}, status)


def render(error: ApiError) -> Response:
    keys = [_KEYS.get(code, code) for code in error.errors]
    return json_response({"data": None, "meta": {"success": False, "errors": keys}}, error.status)
