"""Ids in paths: the document shows strings, the tables hold the integers they name."""
from typing import Any

from chalicelib.dialogues.errors import not_found


def number(raw: str) -> int | None:
    """A path's id as the integer (from 1) it names, or None for anything that cannot be one."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 and int(raw) > 0 else None


def fetch(model: Any, kind: str, raw_id: str, *parent_keys: int, **parents: object) -> Any:
    """The `model` item keyed by the parent keys and `raw_id` (strongly consistent); else a 404 naming `raw_id`
    (and `parents`)."""
    item_id = number(raw_id)
    try:
        if item_id is not None:
            return model.get(*parent_keys, item_id, consistent_read=True)
    except model.DoesNotExist:
        pass
    raise not_found(kind, raw_id, **parents)
