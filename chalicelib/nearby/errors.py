"""The nearby document's error shape: `{"error": "CODE"}`, one code: that of the first check a request fails."""
from chalice.app import Response

from chalicelib.core.contracts import Failure, Surface
from chalicelib.core.errors import ApiError, BadRequest, InvalidJSON
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
    "method_not_allowed": "METHOD_NOT_ALLOWED",
}
MISSING = "REQUIRED_FIELD_MISSING"


def render(error: ApiError) -> Response:
    return json_response({"error": _CODES.get(error.code, error.code)}, error.status)


def invalid(failures: list[Failure]) -> ApiError:
    """The code of the first failure in the contract's order, except that a missing field comes first: a missing
    top-level field before anything else, a missing part of a field before a wrong part of it. A body that is not
    an object is not the JSON the route reads."""
    if any(not failure.path for failure in failures):
        return InvalidJSON("Expected a JSON object")
    first = failures[0]
    missing = any(f.key == MISSING and (len(f.path) == 1 or f.name == first.name) for f in failures)
    code = MISSING if missing else first.key or "invalid_param"
    return BadRequest(code, first.message)


ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
SURFACE = Surface(tag="Nearby", invalid=invalid, error_schema=ERROR_SCHEMA, invalid_status=400)
