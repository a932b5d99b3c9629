"""The nearby document's error shape: `{"error": "CODE"}`."""
from chalice import Response

from chalicelib.core.errors import ApiError
from chalicelib.core.routing import json_response

_CODES = {
    "invalid_json": "INVALID_JSON",
    "body_too_large": "BODY_TOO_LARGE",
    "token_missing": "AUTH_TOKEN_MISSING",
    "token_invalid": "AUTH_TOKEN_INVALID",
    "token_expired": "AUTH_TOKEN_EXPIRED",
    "unknown_account": "UNKNOWN_USER",
    "invalid_param": "INVALID_PARAMETER",
    "invalid_cursor": "INVALID_CURSOR",
    "contended": "TRY_AGAIN",
}


def render(error: ApiError) -> Response:
    return json_response({"error": _CODES.get(error.code, error.code)}, error.status)


def no_content() -> Response:
    return Response(body="", status_code=204)
