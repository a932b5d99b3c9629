"""The coaching error shape: `{"message": ...}`, with `errors: [{"field", "message"}]` for bad input (and for a
403 that names the fields it refuses)."""
import math
import re
from typing import Any

from chalice.app import Response

from chalicelib.coaching.contracts import NESTED_KEYS
from chalicelib.core.contracts import Failure, Surface
from chalicelib.core.errors import ApiError, BadRequest, Conflict, Forbidden
from chalicelib.core.routing import json_response

_FIELDS = {"invalid_json": "body", "body_too_large": "body"}


def invalid_fields(errors: list[dict[str, Any]]) -> BadRequest:
    """400: each failing field with why."""
    return BadRequest("validation_error", "Invalid input", errors=errors)


def invalid_field(field: str, message: str) -> BadRequest:
    return invalid_fields([{"field": field, "message": message}])


def _missing(failure: Failure) -> bool:
    """A key absent, or null where the schema refuses it (`not` null, which names no message of its own)."""
    return failure.keyword == "required" or (failure.keyword == "not" and failure.key is None)


def _field(path: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The field a failure is told on (`title`; `2.title` in a bulk update; `body`), and the path below it."""
    if path and isinstance(path[0], int):  # an entry of a bulk update: named by its id if it is no object
        return (f"{path[0]}.{path[1]}", path[2:]) if len(path) > 1 else (f"{path[0]}.id", ())
    return (str(path[0]), path[1:]) if path else ("body", ())


def _declared(key: str) -> int:
    """Where a nested object's key is declared (its failures are told in that order)."""
    return NESTED_KEYS.index(key) if key in NESTED_KEYS else len(NESTED_KEYS)


def _rank(below: tuple[Any, ...], failure: Failure) -> tuple[Any, ...]:
    """Which failure of a field is told: the outermost, the first entry, a nested object's missing keys before
    its bad ones, and keys in their declared order."""
    return tuple((0, part) if isinstance(part, int) else
                 (0 if _missing(failure) and index == len(below) - 1 else 1, _declared(part))
                 for index, part in enumerate(below))


def _message(below: tuple[Any, ...], failure: Failure, others: list[tuple[tuple[Any, ...], Failure]]) -> str:
    if not below:
        return failure.key or ("is required" if failure.keyword == "required" else
                               "must not be null" if failure.keyword == "not" else failure.message)
    if isinstance(below[-1], str) and _missing(failure):  # a nested object's keys that are missing or null
        names = {path[-1] for path, other in others if path[:-1] == below[:-1] and path and _missing(other)}
        return "must have " + ", ".join(sorted(names, key=_declared))
    if isinstance(below[-1], str):
        return f"has a {below[-1]} that {failure.key or failure.message}"
    return failure.key or failure.message


def invalid(failures: list[Failure]) -> BadRequest:
    """400 naming each failing field once, with the message of its first failure (keys the schemas' `x-errors`
    give; `is required`, `must not be null`, and `must have`/`has a ... that` for a nested object's keys). An
    entry of a bulk update whose id fails is named by its id alone."""
    by_field: dict[str, list[tuple[tuple[Any, ...], Failure]]] = {}
    for failure in failures:
        field, below = _field(failure.path)
        by_field.setdefault(field, []).append((below, failure))
    errors = []
    for field, found in by_field.items():
        below, failure = min(found, key=lambda item: _rank(*item))
        errors.append({"field": field, "message": _message(below, failure, found)})
    no_id = tuple(error["field"][:-2] for error in errors if re.fullmatch(r"[0-9]+\.id", error["field"]))
    return invalid_fields([error for error in errors
                           if error["field"][:-2] in no_id or not error["field"].startswith(no_id)])


def in_body_order(error: BadRequest, body: Any) -> BadRequest:
    """The same failures, those of fields given in the body's order and then those missing (as the fields of a
    body were checked one by one before)."""
    def rank(field: str) -> list[float]:
        at = body
        ranks: list[float] = []
        for part in field.split("."):
            if isinstance(at, list) and part.isdigit() and int(part) < len(at):
                ranks.append(int(part))
                at = at[int(part)]
            elif isinstance(at, dict) and part in at:
                ranks.append(list(at).index(part))
                at = at[part]
            else:
                ranks.append(math.inf)
                break
        return ranks

    return invalid_fields(sorted(error.errors, key=lambda failure: rank(failure["field"])))


def not_found() -> ApiError:
    return ApiError("not_found", "Not found", status=404)


def forbidden(errors: list[dict[str, Any]] | None = None) -> Forbidden:
    """403; `errors` names the fields refused (a field the role may not change, a record out of scope)."""
    return Forbidden("forbidden", "Forbidden", errors=errors)


def in_use(message: str) -> Conflict:
    return Conflict("in_use", message)


def render(error: ApiError) -> Response:
    body: dict[str, Any] = {"message": error.message}
    if error.code in _FIELDS:
        reason = error.details.get("reason")
        body["errors"] = [{"field": _FIELDS[error.code], "message": reason or error.message}]
    elif error.errors and isinstance(error.errors[0], dict):
        body["errors"] = error.errors
    return json_response(body, error.status)


ERROR_SCHEMA = {"type": "object", "required": ["message"], "properties": {
    "message": {"type": "string"},
    "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": "string"}, "message": {"type": "string"}}}}}}
SURFACE = Surface(tag="Coaching", invalid=invalid, error_schema=ERROR_SCHEMA, invalid_status=400)
