"""Paging helpers: opaque cursors over DynamoDB keys, and page/per_page windows."""
import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import BadRequest


def encode_cursor(last_key: dict | None) -> str | None:
    """An opaque, URL-safe token for DynamoDB's LastEvaluatedKey (None when there is no next page)."""
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    """The key a cursor stands for; a cursor that was not made by encode_cursor is a 400."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError) as error:
        raise BadRequest("invalid_cursor", "The page cursor is not valid") from error
    if not isinstance(key, dict) or not all(_is_key_value(value) for value in key.values()):
        raise BadRequest("invalid_cursor", "The page cursor is not valid")
    return key


def _is_key_value(value: Any) -> bool:
    """A DynamoDB key attribute as the wire has it: {"S": "..."} or {"N": "..."}."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("S", value.get("N")), str)


@dataclass(frozen=True)
class Page:
    """A 1-based page of `per_page` items."""

    number: int
    per_page: int

    @property
    def end(self) -> int:
        """How many items there are up to the end of this page: what a Query must read to serve it."""
        return self.number * self.per_page

    def slice(self, items: Sequence[Any]) -> list:
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


def page_of(query: dict | None, default_per_page: int, max_per_page: int) -> Page:
    """The `page` and `per_page` query parameters as a Page."""
    query = query or {}
    return Page(positive_int(query.get("page"), "page", 1),
                positive_int(query.get("per_page"), "per_page", default_per_page, max_per_page))
