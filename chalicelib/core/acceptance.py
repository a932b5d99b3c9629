"""The fast path of request checks: a schema compiled to Python by fastjsonschema accepts a valid value without
loading jsonschema (about 35 ms at a cold start).

Only its "valid" is taken: a value it refuses is checked again by jsonschema, whose failures and messages the API
documents. So it must never accept what jsonschema refuses, and is used only where both read a schema alike: on
schemas of the keywords below, and on plain JSON values with no float that is a whole number (the API's integers
exclude 1.0, which fastjsonschema counts as an integer)."""
import math
from collections.abc import Callable
from typing import Any

# Keywords that only annotate (x-* ones too): both validators ignore them.
_ANNOTATIONS = frozenset({"$comment", "$schema", "default", "description", "examples", "title", "contentMediaType",
                          "readOnly", "writeOnly", "deprecated"})
# Keywords fastjsonschema (draft 7) applies as 2020-12 does, on the value alone.
_CONSTRAINTS = frozenset({"type", "required", "minLength", "maxLength", "minItems", "maxItems", "minProperties",
                          "maxProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "pattern"})
# Keywords whose value is a subschema, a list of them, or a map of them.
_SUBSCHEMA = frozenset({"not", "additionalProperties", "items", "if", "then", "else"})
_SUBSCHEMAS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_MAPS = frozenset({"properties", "$defs"})
# jsonschema's only check of an email: it holds an @.
_FORMATS: dict[str, Callable[[str], bool]] = {"email": lambda text: "@" in text}

Check = Callable[[Any], Any]
# What _keyword answers for a keyword the fast path does not take (None may be a keyword's value).
_UNTAKEN = object()
# Checks by the id of their schema; each entry holds its schema, so no id is reused while cached. None: no fast path.
_CHECKS: dict[int, tuple[dict[str, Any], Check | None]] = {}


def accepts(schema: dict[str, Any], value: Any) -> bool:
    """True when `value` surely fits `schema`; False when it may not (jsonschema then decides)."""
    check = _check(schema)
    if check is None or not _plain(value):
        return False
    try:
        check(value)
    except Exception:  # its refusal, or any fault of the fast path: jsonschema decides
        return False
    return True


def _check(schema: dict[str, Any]) -> Check | None:
    cached = _CHECKS.get(id(schema))
    if cached is None:
        cached = schema, _compiled(schema)
        _CHECKS[id(schema)] = cached
    return cached[1]


def _compiled(schema: dict[str, Any]) -> Check | None:
    """The fast check of `schema`, or None where fastjsonschema could read it otherwise than jsonschema."""
    draft7 = _as_draft7(schema)
    if draft7 is None:
        return None
    import fastjsonschema

    try:  # use_default=False: it would otherwise write defaults into the request's value
        check: Check = fastjsonschema.compile(draft7, formats=_FORMATS, use_default=False)
    except Exception:  # a schema it cannot compile has no fast path
        return None
    return check


def _as_draft7(schema: Any) -> Any:
    """`schema` as draft 7 reads it the way 2020-12 reads the original (a `$ref` beside other keywords goes into an
    allOf: draft 7 ignores those keywords), or None when it holds a keyword the fast path does not take."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        return None
    out: dict[str, Any] = {}
    for keyword, value in schema.items():
        taken = _keyword(keyword, value)
        if taken is _UNTAKEN:
            return None
        out[keyword] = taken
    ref = out.pop("$ref", None)
    if ref is None or not set(out) - {"$defs"} - _ANNOTATIONS:
        return out if ref is None else {**out, "$ref": ref}
    # `$defs` stays where the `#/$defs/...` pointers find it
    defs = {"$defs": out.pop("$defs")} if "$defs" in out else {}
    return {**defs, "allOf": [{"$ref": ref}, out]}


def _keyword(keyword: str, value: Any) -> Any:
    """The keyword's value as draft 7 reads it, or _UNTAKEN when the fast path does not take it."""
    if keyword in _ANNOTATIONS or keyword.startswith("x-") or keyword in _CONSTRAINTS:
        return value
    if keyword == "$ref":
        return value if isinstance(value, str) and value.startswith("#/$defs/") else _UNTAKEN
    if keyword in ("const", "enum"):
        values = [value] if keyword == "const" else value
        return value if isinstance(values, list) and all(_scalar(item) for item in values) else _UNTAKEN
    if keyword == "format":
        return value if value in _FORMATS else _UNTAKEN
    if keyword in _SUBSCHEMA:
        return _UNTAKEN if (schema := _as_draft7(value)) is None else schema
    if keyword in _SUBSCHEMAS and isinstance(value, list):
        listed = [_as_draft7(item) for item in value]
        return _UNTAKEN if any(item is None for item in listed) else listed
    if keyword in _SCHEMA_MAPS and isinstance(value, dict):
        named = {name: _as_draft7(item) for name, item in value.items()}
        return _UNTAKEN if any(item is None for item in named.values()) else named
    return _UNTAKEN


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int) or (isinstance(value, float) and _plain(value))


def _plain(value: Any) -> bool:
    """Whether `value` is made of what json.loads gives (dicts with text keys, lists, texts, bools, ints, None) and
    floats that are finite and not whole: where the two validators see types alike."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            if not math.isfinite(item) or item.is_integer():
                return False
        elif not (item is None or isinstance(item, str | bool | int)):
            return False
    return True
