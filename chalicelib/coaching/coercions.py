"""What the contracts cannot say, done where a service takes a body: times read on the calendar (a 400 naming
each field that is none), text trimmed, nested entries cut to the keys they store."""
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalicelib.coaching.contracts import ISO
from chalicelib.coaching.errors import invalid_fields
from chalicelib.core import clock


def moment(value: str) -> datetime:
    """An ISO 8601 time (a date alone is midnight UTC) in UTC; ValueError for one UTC cannot hold
    (9999-12-31T23:59:59-23:59) or outside the years clock.parse_iso takes."""
    return clock.parse_iso(value)


def day(value: str) -> datetime:
    """A date column: the day of an ISO 8601 date or time, at midnight UTC."""
    parsed = moment(value)
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)


def coerced(values: dict[str, Any], *, trimmed: tuple[str, ...] = (),
            times: dict[str, Callable[[str], Any]] | None = None,
            entries: dict[str, tuple[Any, ...]] | None = None) -> dict[str, Any]:
    """`values` with the `trimmed` texts stripped, `times` parsed and each list of `entries` cut to its keys."""
    found, errors = dict(values), []
    for key in trimmed:
        if found.get(key) is not None:
            found[key] = found[key].strip()
    for key, read in (times or {}).items():
        if found.get(key) is not None:
            try:
                found[key] = read(found[key])
            except ValueError:
                errors.append({"field": key, "message": ISO})
    for key, keys in (entries or {}).items():
        if found.get(key) is not None:
            found[key] = [{name: entry.get(name) for name in keys} for entry in found[key]]
    if errors:
        raise invalid_fields(errors)
    return found
