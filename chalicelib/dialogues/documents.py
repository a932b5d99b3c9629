"""Where dialogue descriptions (a head's base, a revision's snapshot) and revision bodies live: in the item while
small, else in the media bucket. A DynamoDB item stops at 400 KB and a transaction at 4 MB, while a description may
reach several MB."""
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.files import layout, storage

# Revision bodies: up to 50 revisions share one transaction with the head (4 MB in all). A dialogue's base
# (descriptions.py) is stored with its own, smaller bound.
PART_INLINE_BYTES = 16 * 1024
_PARALLEL = 8
# Keys this process has put: objects are named by content and never change, so one put each is enough.
_put: set[str] = set()


def _encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def store(value: Any, dialogue_id: int, inline_bytes: int = PART_INLINE_BYTES) -> dict[str, Any]:
    """A reference to `value` for an item: the value itself, or the key of an object holding it. Objects are
    named by their digest, so storing the same document twice writes one object."""
    data = _encode(value)
    if len(data) <= inline_bytes:
        return {"value": value}
    key = f"{layout.DIALOGUES}{dialogue_id}/{hashlib.sha256(data).hexdigest()}.json"
    if key not in _put:
        storage.put(key, data, "application/json")
        if len(_put) > 1000:
            _put.clear()
        _put.add(key)
    return {"s3": key}


def load(reference: dict[str, Any]) -> Any:
    """The document a reference stands for."""
    if "s3" not in reference:
        return reference["value"]
    return json.loads(storage.get(reference["s3"]))


def load_all(references: list[dict[str, Any]]) -> list[Any]:
    """Several documents, the stored ones fetched in parallel."""
    if sum("s3" in reference for reference in references) < 2:
        return [load(reference) for reference in references]
    with ThreadPoolExecutor(_PARALLEL) as pool:
        return list(pool.map(load, references))
