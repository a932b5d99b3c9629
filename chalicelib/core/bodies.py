"""Request bodies parsed by the platform, so each surface answers bad JSON in its own shape."""
import json
from typing import Any

from chalicelib.core.errors import InvalidJSON, PayloadTooLarge
from chalicelib.core.settings import get_settings

# The deepest nesting of arrays and objects a body may have. What reads a body recurses once or more a level
# (jsonschema about 3 frames, copy.deepcopy 2, jsonpatch's diff 3) under Python's limit of 1000 frames, so 900
# levels ended in RecursionError (a 500) once stored. 64 keeps the deepest of them near 200 frames, and is far more
# than documents use: a dialogue's block properties start at level 6, DynamoDB itself nests maps 32 deep at most.
MAX_DEPTH = 64


class TooDeep(InvalidJSON):
    """A body nested deeper than MAX_DEPTH; `path` holds the keys and indexes of the first value too deep (empty
    when the parser gave up before it could tell)."""

    def __init__(self, path: tuple[Any, ...] = ()):
        super().__init__("Nesting too deep")
        self.path = path


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
        raise TooDeep() from error
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise InvalidJSON(str(error)) from error
    if "\\u" in text.lower() and _has_lone_surrogate(body):
        raise InvalidJSON("A \\u escape is a lone surrogate, which is not text")
    # Only a text with more brackets than MAX_DEPTH can nest deeper (counting them is C speed).
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting(body) > MAX_DEPTH:
        raise TooDeep(too_deep_at(body))
    return body


def nesting(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply arrays and objects nest in `value` (a scalar 0, `[]` 1, `[{}]` 2), counted up to `limit` + 1,
    where the walk stops. It goes a level at a time, so no depth can make it recurse too far."""
    depth, level = 0, [value] if isinstance(value, (dict, list)) else []
    while level and depth <= limit:
        depth, below = depth + 1, []
        for node in level:
            below += [child for child in (node.values() if isinstance(node, dict) else node)
                      if isinstance(child, (dict, list))]
        level = below
    return depth


def too_deep_at(value: Any, limit: int = MAX_DEPTH) -> tuple[Any, ...]:
    """The keys and indexes of the first array or object nested deeper than `limit` (a value that is, else ())."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if len(path) >= limit:
            return path
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        stack.extend((node[key], (*path, key)) for key in reversed(keys))  # popped in document order
    return ()


def _has_lone_surrogate(body: Any) -> bool:
    """JSON allows "\\ud800", but no storage or UTF-8 encoder does: refuse it at the door."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_object(request: Any) -> dict[str, Any]:
    """The request's body, which must be a JSON object (a missing body counts as invalid JSON)."""
    body = json_body(request)
    if not isinstance(body, dict):
        raise InvalidJSON("Expected a JSON object")
    return body
