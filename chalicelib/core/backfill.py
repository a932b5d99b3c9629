"""Backfills: the attributes an index is keyed on, written on items stored before the attribute existed, so that
the index lists them. Run once after an upgrade (`make backfill`), never by a route: each reads its table whole.
Every write is conditioned on the item existing and the attribute still missing, so a run can be repeated,
interrupted, or race the app's own writes."""
import functools
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.core.telemetry import Tally


def fill(model: Any, key: Any, attribute: Any, values: Callable[[Any], dict[str, Any]], tally: Tally) -> Tally:
    """Set `values(item)` on each item of `model` (hash key `key`) that lacks `attribute`; an empty answer leaves
    the item as it is. Counts into `tally`, and returns it."""
    for item in model.scan(attribute.does_not_exist()):
        tally.take(functools.partial(_set, model, key, attribute, item, values))
    return tally


def _set(model: Any, key: Any, attribute: Any, item: Any, values: Callable[[Any], dict[str, Any]]) -> bool:
    found = values(item)
    if not found:
        return False
    try:
        item.update(actions=[getattr(model, name).set(value) for name, value in found.items()],
                    condition=key.exists() & attribute.does_not_exist())
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False  # deleted, or written by the app meanwhile
    return True
