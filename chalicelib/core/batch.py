"""Reading items of several tables in one round trip: a consistent BatchGetItem by (model, key), for the routes
that read what a path and a caller name together (issue 20)."""
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.core.errors import Conflict
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.tables import connection

PAGE = 100  # keys per BatchGetItem
# (model, key): the key is the hash key, or a tuple of the hash key and, if any, the range key.
Wanted = tuple[Any, Any]


def read(wanted: Iterable[Wanted], fields: dict[Any, list[str]] | None = None) -> dict[Wanted, Any]:
    """The items that exist under each (model, key), by (model, key): one BatchGetItem across the tables for each
    hundred keys (and again only for keys DynamoDB leaves unprocessed). `fields` names the attributes to read of a
    model (its keys included); other models are read whole."""
    keys = list(dict.fromkeys(wanted))
    found: dict[Wanted, Any] = {}
    for start in range(0, len(keys), PAGE):
        _read_page(keys[start:start + PAGE], fields or {}, found)
    return found


def _raw_key(model: Any, key: Any) -> dict[str, Any]:
    values = key if isinstance(key, tuple) else (key,)
    attributes = [model._hash_key_attribute(), model._range_key_attribute()][:len(values)]
    return {a.attr_name: {a.attr_type: a.serialize(value)} for a, value in zip(attributes, values, strict=True)}


def _key_names(model: Any) -> list[str]:
    return [a.attr_name for a in (model._hash_key_attribute(), model._range_key_attribute()) if a]


def _identity(table: str, raw_key: dict[str, Any]) -> tuple[Any, ...]:
    return table, tuple(sorted((name, *value.items()) for name, value in raw_key.items()))


def _read_page(page: list[Wanted], fields: dict[Any, list[str]], found: dict[Wanted, Any]) -> None:
    asked: dict[tuple[Any, ...], Wanted] = {}
    models: dict[str, Any] = {}
    unread: dict[str, Any] = {}
    for model, key in page:
        raw, table = _raw_key(model, key), model.Meta.table_name
        asked[_identity(table, raw)], models[table] = (model, key), model
        entry = unread.setdefault(table, {"Keys": [], "ConsistentRead": True})
        entry["Keys"].append(raw)
        if model in fields:
            names = {f"#f{index}": name for index, name in enumerate(fields[model])}
            entry.update(ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)

    def once() -> None:
        nonlocal unread
        answer = connection().dispatch("BatchGetItem", {"RequestItems": unread})
        for table, items in answer.get("Responses", {}).items():
            model = models[table]
            for item in items:
                key = {name: item[name] for name in _key_names(model)}
                found[asked[_identity(table, key)]] = model.from_raw_data(item)
        unread = answer.get("UnprocessedKeys") or {}
        if unread:
            raise TryAgain

    retried(once, Conflict("contended", "The records could not all be read at once: try again"))


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """The items in lists of `size` (the last may be shorter), read lazily: a paged Query's keys a batch at a time."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
