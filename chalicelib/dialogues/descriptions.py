"""A dialogue's description as its head keeps it: a base snapshot (as of revision `base_number`) and the tail, the
patches of the revisions since. A write appends its patches to the tail, so a revision writes its patch and a
small head, not the description; once the tail passes TAIL_REVISIONS or TAIL_BYTES the write moves the base to the
new description instead (the snapshot that revisions.description_at replays from)."""
import json
from typing import Any

from chalicelib.dialogues import documents, patches
from chalicelib.dialogues.models import Dialogue

TAIL_REVISIONS = 16
TAIL_BYTES = 8 * 1024
# A base up to this size stays in the head (a short dialogue reads in one GetItem); larger ones are S3 objects.
BASE_INLINE_BYTES = 4 * 1024
# The head without its description: what routes that neither show nor change the description read.
HEAD_FIELDS = ["project_id", "id", "title", "is_archived", "head", "release_count", "released_revision", "created"]


def described(document: dict[str, Any]) -> dict[str, Any]:
    """A dialogue description (one that fits the schema) with `is_archived` filled in and nothing else, such as
    a PUT's read-only fields: the document itself when it is that already."""
    if list(document) == ["title", "sequences", "is_archived"]:
        return document
    return {"title": document["title"], "sequences": document["sequences"],
            "is_archived": bool(document.get("is_archived", False))}


def _base(dialogue: Dialogue) -> tuple[dict[str, Any], int, list[list[dict[str, Any]]]]:
    """The base, its revision number and the tail; an item from before bases is its description with no tail."""
    if dialogue.base is None:
        return documents.load(dialogue.description), int(dialogue.head), []
    return documents.load(dialogue.base), int(dialogue.base_number), list(dialogue.tail or [])


def current(dialogue: Dialogue) -> dict[str, Any]:
    """The description as of the head: the base with the tail applied."""
    document, _, tail = _base(dialogue)
    return replayed(document, tail)


def recent(dialogue: Dialogue, number: int) -> dict[str, Any] | None:
    """The description as of revision `number` when the head holds it (from the base on), else None."""
    if dialogue.base is None or not int(dialogue.base_number) <= number <= int(dialogue.head):
        return None
    document, base_number, tail = _base(dialogue)
    return replayed(document, tail[:number - base_number])


def replayed(document: dict[str, Any], operations: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """`document` after each patch in turn, described as a write left it."""
    for patch in operations:
        document = described(patches.apply(document, patch))
    return document


def tail_after(dialogue: Dialogue, added: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]] | None:
    """The head's tail once a write adds the patches `added`; None when the write should move the base instead."""
    if dialogue.base is None:
        return None
    tail = list(dialogue.tail or []) + added
    if len(tail) > TAIL_REVISIONS or len(json.dumps(tail, separators=(",", ":"), ensure_ascii=False)) > TAIL_BYTES:
        return None
    return tail
