"""The dialogues error shape: `{"type", "message", "details"}` for every client error (the document's
"Client errors"): parse_error, validation_error with JSON-pointer paths, not_found, unauthorized, forbidden."""
from chalice import Response

from chalicelib.core.errors import ApiError, Forbidden, NotFound
from chalicelib.core.routing import json_response

# Platform error codes, and the type each is shown as here.
_TYPES = {"invalid_json": "parse_error", "token_missing": "unauthorized", "token_invalid": "unauthorized",
          "token_expired": "unauthorized", "unknown_account": "unauthorized"}


class Invalid(ApiError):
    """422: the body is JSON but not what the schema (or a rule) allows; one entry per failure."""

    status = 422

    def __init__(self, errors: list[dict]):
        super().__init__("validation_error", "Invalid request body", details={"errors": errors})


def failure(kind: str, path: str, message: str) -> dict:
    """One entry of a validation_error: the failing check, a JSON pointer, and why."""
    return {"type": kind, "path": path, "message": message}


def invalid(kind: str, path: str, message: str) -> Invalid:
    return Invalid([failure(kind, path, message)])


def not_found(kind: str, id: object, **parents: object) -> NotFound:
    """404 naming the id asked for (and the parent ids where the document shows them)."""
    return NotFound("not_found", f"{kind} {id} not found",
                    details={"id": str(id), **{name: str(value) for name, value in parents.items()}})


def forbidden(permission: str, **scope: object) -> Forbidden:
    """403 naming the permission the route needs and what it would apply to."""
    return Forbidden("forbidden", f"This needs the {permission} permission",
                     details={"permission": permission, **{name: str(value) for name, value in scope.items()}})


def render(error: ApiError) -> Response:
    kind = _TYPES.get(error.code, error.code)
    details = dict(error.details)
    if kind == "unauthorized":
        details = {"reason": error.code}
    return json_response({"type": kind, "message": error.message, "details": details}, error.status)
