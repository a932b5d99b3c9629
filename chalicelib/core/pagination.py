"""Paging helpers: opaque cursors over DynamoDB keys, and page/per_page windows."""
import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from chalicelib.core.errors import BadRequest


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """An opaque, URL-safe token for DynamoDB's LastEvaluatedKey (None when there is no next page)."""
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, keys: dict[str, str] | None = None, **within: Any) -> dict[str, Any] | None:
    """The key a cursor stands for; a cursor that was not made by encode_cursor is a 400. With `keys` (see
    key_types) the key must name exactly those attributes, each of its type, and match `within` (the Query's
    partition, such as project_id=7): DynamoDB refuses any other start key, AWS and DynamoDB Local alike, but
    not always the same ones (Local takes a key string of 3,000 characters, AWS stops at 1,024 bytes), so
    nothing forged reaches either."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError) as error:
        raise BadRequest("invalid_cursor", "The page cursor is not valid") from error
    if not isinstance(key, dict) or not key or not all(_is_key_value(value) for value in key.values()):
        raise BadRequest("invalid_cursor", "The page cursor is not valid")
    if keys is not None and not _fits(key, keys, within):
        raise BadRequest("invalid_cursor", "The page cursor is not valid")
    return key


def _is_key_value(value: Any) -> bool:
    """A DynamoDB key attribute as the wire has it: {"S": "..."} or {"N": "..."}."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("S", value.get("N")), str)


# A number DynamoDB keeps exactly (38 digits); ids and keys here are such numbers.
_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,37})(\.[0-9]{1,37})?")
# DynamoDB's limit for a sort key (a partition key may have 2,048 bytes; no key of ours comes near either).
_KEY_STRING_BYTES = 1024


def _fits(key: dict[str, Any], keys: dict[str, str], within: dict[str, Any]) -> bool:
    if set(key) != set(keys):
        return False
    for name, value in key.items():
        (kind, text), = value.items()
        if kind != keys[name]:
            return False
        if kind == "N" and (not _NUMBER.fullmatch(text) or len(text.replace("-", "").replace(".", "")) > 38):
            return False
        if kind == "S":
            try:
                size = len(text.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
                return False
            if not 0 < size <= _KEY_STRING_BYTES:
                return False
        if name in within and text != str(within[name]):
            return False
    return True


def key_types(model: Any, index: Any = None) -> dict[str, str]:
    """The attributes of a LastEvaluatedKey from a Query of `model`, or of its `index`, with their DynamoDB types:
    the table's key, and the index's."""
    types = {}
    for schema in (model._get_schema(), *([index._get_schema()] if index is not None else [])):
        defined = {item["AttributeName"]: item["AttributeType"] for item in schema["attribute_definitions"]}
        types.update({item["AttributeName"]: defined[item["AttributeName"]] for item in schema["key_schema"]})
    return types


# DynamoDB takes a Query's Limit as a 32-bit integer.
QUERY_LIMIT = 2**31 - 1


class Page(NamedTuple):
    """A 1-based page of `per_page` items."""

    number: int
    per_page: int

    @property
    def end(self) -> int:
        """How many items there are up to the end of this page: what a Query must read to serve it."""
        return self.number * self.per_page

    @property
    def limit(self) -> int:
        """`end` as a Query's Limit, which DynamoDB takes as a 32-bit integer: a page that ends past as many items
        is past the last one anyway, and answers empty."""
        return min(self.end, QUERY_LIMIT)

    def slice(self, items: Sequence[Any]) -> list[Any]:
        start = (self.number - 1) * self.per_page
        return list(items[start:start + self.per_page])


def positive_int(value: Any, name: str, default: int, maximum: int | None = None) -> int:
    """A query parameter as an integer >= 1 (capped at `maximum`); anything else is a 400 naming it."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest("invalid_param", f"{name} must be an integer", details={"param": name}) from error
    if number < 1:
        raise BadRequest("invalid_param", f"{name} must be at least 1", details={"param": name})
    return min(number, maximum) if maximum else number


def page_of(query: dict[str, Any] | None, default_per_page: int, max_per_page: int) -> Page:
    """The `page` and `per_page` query parameters as a Page."""
    query = query or {}
    return Page(positive_int(query.get("page"), "page", 1),
                positive_int(query.get("per_page"), "per_page", default_per_page, max_per_page))
