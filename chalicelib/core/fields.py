"""Field checks that collect every failure of a body as the surface's own error keys."""
from typing import Any

from chalicelib.core.errors import BadRequest


class Problems:
    """The failing keys of one request body, raised together as a 400."""

    def __init__(self):
        self.keys: list[str] = []

    def add(self, key: str) -> None:
        self.keys.append(key)

    def raise_any(self) -> None:
        if self.keys:
            raise BadRequest(self.keys[0], "The request is not valid", errors=self.keys)


def text(body: dict, key: str, problems: Problems, *, missing: str, not_string: str,
         empty: str | None = None) -> str | None:
    """The string at `key`, or None after noting why not (`empty` defaults to the `missing` key)."""
    value = body.get(key)
    if value is None:
        problems.add(missing)
        return None
    if not isinstance(value, str):
        problems.add(not_string)
        return None
    if not value.strip():
        problems.add(empty or missing)
        return None
    return value


def integer(body: dict, key: str, problems: Problems, *, missing: str, not_int: str,
            negative: str | None = None) -> int | None:
    """The integer at `key` (booleans are not integers), or None after noting why not."""
    value = body.get(key)
    if value is None:
        problems.add(missing)
        return None
    if not is_int(value):
        problems.add(not_int)
        return None
    if negative and value < 0:
        problems.add(negative)
        return None
    return value


# JSON's safe integers: beyond them clients lose precision, and DynamoDB refuses numbers over 38 digits.
SAFE_INT = 2 ** 53 - 1


def is_int(value: Any) -> bool:
    """An integer a client can mean (booleans are not integers)."""
    return isinstance(value, int) and not isinstance(value, bool) and -SAFE_INT <= value <= SAFE_INT
