"""A dialogue's revisions: numbered 1..N without gaps or duplicates. Every write moves the dialogue's head and
puts its revisions in one transaction conditioned on the head it read; a writer that loses re-reads the head and
tries again, and after many losses answers 409. A write adds its patches to the head's tail, or, when the tail is
full, moves the head's base to the new description and keeps that snapshot on its last revision too
(descriptions.py): any revision's description is the nearest snapshot plus at most REPLAY revisions' patches."""
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from chalicelib.core import clock
from chalicelib.core.contracts import checked, failures, pointer
from chalicelib.core.errors import Conflict
from chalicelib.core.retry import BUDGET, TryAgain, retried
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.dialogues import descriptions, documents, patches
from chalicelib.dialogues.access import PROJECT_ADMIN, Caller, require
from chalicelib.dialogues.contracts import DESCRIPTION, MAX_BODY_BYTES, SEQUENCE
from chalicelib.dialogues.descriptions import described
from chalicelib.dialogues.errors import SURFACE, invalid
from chalicelib.dialogues.history import Window
from chalicelib.dialogues.models import Dialogue, Revision

EDIT, REVERT = "edit", "revert"
# The most revisions between two snapshots: a full tail, and a bulk of 50 that overflowed it.
REPLAY = descriptions.TAIL_REVISIONS + 50


@dataclass
class Draft:
    """A revision about to be written: what the client sent and the description it leads to."""

    type: str
    properties: dict[str, Any]
    description: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    created: int | None = None
    # A revert's patch from the description before it: not shown, but replayed like an edit's.
    patch: list[dict[str, Any]] | None = None


Plan = Callable[[Dialogue, dict[str, Any]], list[Draft]]


def fitting(document: Any, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """`document` if it is a dialogue description that fits the schema. `known` is a description this one was
    patched from: its sequences that are still the same objects fit already (a patch copies what it changes), so
    only the others are checked. On a dialogue of 100,000 blocks that is milliseconds for an edit, where checking
    it whole took 5 s."""
    sequences = document.get("sequences") if isinstance(document, dict) else None
    if known is None or not isinstance(sequences, list):
        return checked(DESCRIPTION, document, SURFACE)
    seen = {id(sequence) for sequence in known["sequences"]}
    found = failures(DESCRIPTION, {**document, "sequences": []})
    for index, sequence in enumerate(sequences):
        if id(sequence) not in seen:
            found += [failure._replace(path=("sequences", index, *failure.path))
                      for failure in failures(SEQUENCE, sequence)]
    if found:
        raise SURFACE.invalid(found)
    return cast("dict[str, Any]", document)  # a dict: it has a list of sequences, and fits the schema


def edit(who: Caller, dialogue: Dialogue, current: dict[str, Any], properties: dict[str, Any],
         at: tuple[Any, ...] = (), limits: patches.Limits | None = None, **extra: Any) -> Draft:
    """An edit that applies `properties["patch"]` to `current`; the result must fit the schema. `at` is where
    the patch sits in the request body, for errors; a client's patch comes with the request's `limits`."""
    after = described(fitting(patches.apply(current, properties["patch"], at, limits), known=current))
    _may_archive(who, dialogue, current, after)
    return Draft(EDIT, properties, after, **extra)


def unchanged(before: dict[str, Any], draft: Draft) -> bool:
    """Whether a draft leaves the description as it was: such a draft is not written (no revision, and
    `has_changes` stays as it was), on every write path."""
    return draft.description == before


def _may_archive(who: Caller, dialogue: Dialogue, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Archiving or restoring a dialogue is for its project's admins."""
    if after["is_archived"] != before["is_archived"]:
        require(who.administers(dialogue.project_id), PROJECT_ADMIN, project_id=dialogue.project_id)


Written = list[tuple[Revision, dict[str, Any]]]


def record(who: Caller, dialogue: Dialogue, plan: Plan) -> tuple[Dialogue, dict[str, Any], Written]:
    """Append the revisions `plan(dialogue, description)` drafts, all or none; the dialogue, its description and
    the new revisions with their bodies. `plan` runs again on the new head after a lost race."""

    def once() -> tuple[Dialogue, dict[str, Any], Written]:
        nonlocal dialogue
        current = descriptions.current(dialogue)
        drafts = plan(dialogue, current)
        if not drafts:
            return dialogue, current, []
        try:
            return dialogue, drafts[-1].description, _append(who, dialogue, drafts)
        except ConditionFailed as error:
            dialogue = Dialogue.get(dialogue.project_id, dialogue.id, consistent_read=True)
            raise TryAgain from error

    return retried(once, Conflict("contended", "Too many revisions at once to this dialogue: try again"),
                   tries=BUDGET)


def start(who: Caller, dialogue: Dialogue, draft: Draft) -> Written:
    """Write a new dialogue with its first revision."""
    return _append(who, dialogue, [draft], new=True)


def _append(who: Caller, dialogue: Dialogue, drafts: list[Draft], new: bool = False) -> Written:
    head, now = int(dialogue.head), clock.to_millis(clock.now())
    bodies = [_body(draft) for draft in drafts]
    final = drafts[-1].description
    tail = None if new else descriptions.tail_after(dialogue, [_replay(draft) for draft in drafts])
    # The base moves when the tail is full: the new description is stored once, for the head and the snapshot.
    base = documents.store(final, dialogue.id, descriptions.BASE_INLINE_BYTES) if tail is None else None
    items = [Revision(dialogue.id, head + index + 1, user_id=who.id, type=draft.type,
                      created=int(draft.created if draft.created is not None else now),
                      body=documents.store(body, dialogue.id), snapshot=base if draft is drafts[-1] else None)
             for index, (draft, body) in enumerate(zip(drafts, bodies, strict=True))]
    moved = {"head": head + len(items), "title": final["title"], "is_archived": final["is_archived"],
             "tail": tail or []}
    if base is not None:
        moved.update(base=base, base_number=head + len(items))

    def write(transaction: Any) -> None:
        if new:
            _set(dialogue, moved)
            transaction.save(dialogue, condition=Dialogue.id.does_not_exist())
        else:
            removed = [Dialogue.description.remove()] if base is not None else []
            transaction.update(dialogue, actions=[getattr(Dialogue, name).set(value) for name, value in moved.items()]
                               + removed, condition=Dialogue.head == head)
        for item in items:
            transaction.save(item, condition=Revision.number.does_not_exist())

    transact_write(write)
    _set(dialogue, {**moved, **({"description": None} if base is not None else {})})
    return list(zip(items, bodies, strict=True))


def _set(dialogue: Dialogue, values: dict[str, Any]) -> None:
    """The item as written: what the transaction set, on the model the request goes on with."""
    for name, value in values.items():
        setattr(dialogue, name, value)


def _replay(draft: Draft) -> list[dict[str, Any]]:
    """The patch that replays a draft from the description before it."""
    return draft.patch if draft.patch is not None else cast("list[dict[str, Any]]", draft.properties["patch"])


def _body(draft: Draft) -> dict[str, Any]:
    body = {"details": draft.details, "properties": draft.properties}
    return {**body, "patch": draft.patch} if draft.patch is not None else body


def from_bodies(who: Caller, bodies: list[dict[str, Any]], bulk: bool) -> Plan:
    """The plan for revisions a client posted (edits and reverts, checked against the schema already). A revision
    that changes nothing is checked like the others but not written, and takes no number: the others are
    numbered in order from the head, and a revert in the bulk names those numbers."""

    def plan(dialogue: Dialogue, current: dict[str, Any]) -> list[Draft]:
        drafts: list[Draft] = []
        limits = patches.Limits(MAX_BODY_BYTES)  # one request's, shared by its revisions
        for index, body in enumerate(bodies):
            prefix = (index,) if bulk else ()
            before = drafts[-1].description if drafts else current
            extra = {"details": body.get("details", {}), "created": body.get("created")}
            if body["type"] == EDIT:
                draft = edit(who, dialogue, before, body["properties"], (*prefix, "properties", "patch"), limits,
                             **extra)
            else:
                draft = _revert(who, dialogue, before, drafts, body["properties"], prefix, extra)
            if not unchanged(before, draft):
                drafts.append(draft)
        return drafts

    return plan


def _revert(who: Caller, dialogue: Dialogue, before: dict[str, Any], drafts: list[Draft], properties: dict[str, Any],
            prefix: tuple[Any, ...], extra: dict[str, Any]) -> Draft:
    number, head = int(properties["revision_id"]), int(dialogue.head)
    if number > head + len(drafts):
        raise invalid("not_found", pointer((*prefix, "properties", "revision_id")),
                      f"Revision {number} does not belong to dialogue {dialogue.id}")
    target = drafts[number - head - 1].description if number > head else description_at(dialogue, number)
    _may_archive(who, dialogue, before, target)
    return Draft(REVERT, properties, target, patch=patches.difference(before, target), **extra)


def description_at(dialogue: Dialogue, number: int) -> dict[str, Any]:
    """The description as revision `number` left it: from the head's base and tail when it is that recent, else the
    nearest snapshot at or before it and the patches since (one Query)."""
    recent = descriptions.recent(dialogue, number)
    if recent is not None:
        return recent
    replay = []
    for item in Revision.query(dialogue.id, Revision.number <= number, scan_index_forward=False,
                               consistent_read=True, page_size=REPLAY + 1):
        if item.snapshot is not None:
            document: dict[str, Any] = documents.load(item.snapshot)
            break
        replay.append(item)
    else:
        raise LookupError(f"dialogue {dialogue.id} has no snapshot before revision {number}")
    bodies = documents.load_all([item.body for item in reversed(replay)])
    return descriptions.replayed(document, [body["patch"] if "patch" in body else body["properties"]["patch"]
                                            for body in bodies])


def listing(dialogue: Dialogue, window: Window) -> list[tuple[Revision, dict[str, Any]]]:
    """A page of revisions with their bodies (stored ones fetched in parallel)."""
    page = window.read(Revision, dialogue.id, int(dialogue.head))
    return list(zip(page, documents.load_all([item.body for item in page]), strict=True))


def head(dialogue: Dialogue) -> tuple[Revision, dict[str, Any]]:
    """The dialogue's latest revision with its body."""
    item = Revision.get(dialogue.id, int(dialogue.head), consistent_read=True)
    return item, documents.load(item.body)
