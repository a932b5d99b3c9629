"""Request bodies parsed by the platform, so each surface answers bad JSON in its own shape."""
import json
from typing import Any

from chalicelib.core.errors import InvalidJSON, PayloadTooLarge
from chalicelib.core.settings import get_settings


def json_body(request: Any, max_bytes: int | None = None) -> Any:
    """The request's JSON body; an empty body is None. Raises InvalidJSON, or PayloadTooLarge past `max_bytes`
    (MAX_JSON_BYTES unless a route allows more)."""
    raw = request.raw_body or b""
    if len(raw) > (max_bytes or get_settings().max_json_bytes):
        raise PayloadTooLarge("body_too_large", "The request body is too large")
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start:error.start].decode("utf-8", "replace")) + 1
        raise InvalidJSON("Body is not UTF-8", raw.count(b"\n", 0, error.start) + 1, column) from error
    return parse_json(text)


class _NotJson(ValueError):
    """NaN, Infinity or -Infinity: Python's parser takes them, JSON has no such values."""


def _refuse_constant(name: str) -> None:
    raise _NotJson(name)


def parse_json(text: str) -> Any:
    """JSON text as a value a store can hold; anything else raises InvalidJSON."""
    try:
        body = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InvalidJSON(error.msg, error.lineno, error.colno) from error
    except _NotJson as error:
        at = text.find(str(error))
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        raise InvalidJSON(f"{error} is not a JSON value", line, column) from error
    except RecursionError as error:
        raise InvalidJSON("Nesting too deep") from error
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise InvalidJSON(str(error)) from error
    if "\\u" in text.lower() and _has_lone_surrogate(body):
        raise InvalidJSON("A \\u escape is a lone surrogate, which is not text")
    return body


def _has_lone_surrogate(body: Any) -> bool:
    """JSON allows "\\ud800", but no storage or UTF-8 encoder does: refuse it at the door."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_object(request: Any) -> dict:
    """The request's body, which must be a JSON object (a missing body counts as invalid JSON)."""
    body = json_body(request)
    if not isinstance(body, dict):
        raise InvalidJSON("Expected a JSON object")
    return body
