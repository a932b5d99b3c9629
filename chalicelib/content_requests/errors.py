"""The content request document's error shape: `{"errors": [{"param": ..., "message": ...}]}`."""
from chalice import Response

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

    def __init__(self, errors: list[dict]):
        super().__init__("validation_error", errors[0]["message"], errors=errors)


def invalid(param: str, message: str) -> Invalid:
    return Invalid([{"param": param, "message": message}])


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
