"""The coaching error shape: `{"message": ...}`, with `errors: [{"field", "message"}]` for bad input (and for a
403 that names the fields it refuses)."""
from chalice import Response

from chalicelib.core.errors import ApiError, BadRequest, Conflict, Forbidden
from chalicelib.core.routing import json_response

_FIELDS = {"invalid_json": "body", "body_too_large": "body"}


def invalid(errors: list[dict]) -> BadRequest:
    """400: each failing field with why."""
    return BadRequest("validation_error", "Invalid input", errors=errors)


def invalid_field(field: str, message: str) -> BadRequest:
    return invalid([{"field": field, "message": message}])


def not_found() -> ApiError:
    return ApiError("not_found", "Not found", status=404)


def forbidden(errors: list[dict] | None = None) -> Forbidden:
    """403; `errors` names the fields refused (a field the role may not change, a record out of scope)."""
    return Forbidden("forbidden", "Forbidden", errors=errors)


def in_use(message: str) -> Conflict:
    return Conflict("in_use", message)


def render(error: ApiError) -> Response:
    body: dict = {"message": error.message}
    if error.code in _FIELDS:
        reason = error.details.get("reason")
        body["errors"] = [{"field": _FIELDS[error.code], "message": reason or error.message}]
    elif error.errors and isinstance(error.errors[0], dict):
        body["errors"] = error.errors
    return json_response(body, error.status)
