"""Ids in paths: the document shows strings, the tables hold the integers they name (and the accounts' and
grants' ids, strings)."""

from chalicelib.core.routing import parse_id, path_id
from chalicelib.core.store import ModelT, get_or
from chalicelib.dialogues.errors import not_found


def number(raw: str) -> int | None:
    """A path's id as the integer (from 1) it names, or None for anything that cannot be one."""
    return parse_id(raw, least=1)


def fetch(model: type[ModelT], kind: str, raw_id: str, *parent_keys: int, **parents: object) -> ModelT:
    """The `model` item keyed by the parent keys and `raw_id` (strongly consistent); else a 404 naming `raw_id`
    (and `parents`)."""
    missing = not_found(kind, raw_id, **parents)
    return get_or(model, *parent_keys, path_id(raw_id, missing, least=1), missing=missing)


# The most a DynamoDB sort key holds (a partition key holds 2,048): a string id longer than this names nothing.
_KEY_BYTES = 1024


def keyable(raw: str) -> bool:
    """Whether a path's string id (an account's, a grant's) can be a key to read: 1 to 1,024 bytes of UTF-8.
    Anything else names nothing, and is not read."""
    try:
        return 0 < len(raw.encode("utf-8")) <= _KEY_BYTES
    except UnicodeEncodeError:  # a lone surrogate
        return False
