"""The dialogues error shape: `{"type", "message", "details"}` for every client error (the document's
"Client errors"): parse_error, validation_error with JSON-pointer paths, not_found, unauthorized, forbidden."""

from typing import Any

from chalice.app import Response

from chalicelib.core import contracts
from chalicelib.core.errors import ApiError, Forbidden, InvalidJSON, NotFound
from chalicelib.core.routing import json_response

# Platform error codes, and the type each is shown as here.
_TYPES = {"invalid_json": "parse_error", "token_missing": "unauthorized", "token_invalid": "unauthorized",
          "token_expired": "unauthorized", "unknown_account": "unauthorized"}
# Keys a contract's schema names (x-errors) for failures answered otherwise than as one entry each.
EMPTY_BODY, TOO_MANY_OPERATIONS = "empty_body", "too_many_operations"
# The document's examples patch one to three fields; a client's editor sends one edit's worth. 100 is far above
# that and keeps a bulk of 50 revisions near 5,000 operations; a larger change is a PUT.
MAX_OPERATIONS = 100


class Invalid(ApiError):
    """422: the body is JSON but not what the schema (or a rule) allows; one entry per failure."""

    status = 422

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("validation_error", "Invalid request body", details={"errors": errors})


def failure(kind: str, path: str, message: str) -> dict[str, Any]:
    """One entry of a validation_error: the failing check, a JSON pointer, and why."""
    return {"type": kind, "path": path, "message": message}


def invalid(kind: str, path: str, message: str) -> Invalid:
    return Invalid([failure(kind, path, message)])


def too_many_operations(prefix: tuple[Any, ...] = ()) -> Invalid:
    return invalid("patch", contracts.pointer((*prefix, MAX_OPERATIONS)),
                   f"A patch may have at most {MAX_OPERATIONS} operations: send a larger change as a PUT")


def schema_failures(failures: list[contracts.Failure]) -> ApiError:
    """The answer to a body that fails its schema: one entry per failure, `type` the keyword and `path` a JSON
    pointer, in path order; a value failing one check through two parts of a schema is listed once. An empty
    (or null) body is a parse error, and a patch of too many operations is refused before it is read."""
    keys = {found.key for found in failures}
    if EMPTY_BODY in keys:
        return InvalidJSON("Expecting value", 1, 1)
    if TOO_MANY_OPERATIONS in keys:
        return too_many_operations()
    entries: dict[tuple[Any, ...], dict[str, Any]] = {}
    for found in failures:
        entry = failure(found.keyword, found.pointer, found.message)
        entries.setdefault((entry["path"], entry["type"], entry["message"]), entry)
    return Invalid(sorted(entries.values(), key=lambda entry: (entry["path"], entry["type"]))[:contracts.MAX_FAILURES])


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


ERROR_SCHEMA = {"type": "object", "required": ["type", "message", "details"], "properties": {
    "type": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}
SURFACE = contracts.Surface(tag="Dialogues", invalid=schema_failures, error_schema=ERROR_SCHEMA, invalid_status=422)
