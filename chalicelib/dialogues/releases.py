"""Releases: numbered marks on a dialogue's revisions, made by project admins. The latest one decides
`is_published` and `has_changes`; numbers run 1..N, kept by a condition on the dialogue's release count."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.contracts import checked
from chalicelib.core.errors import Conflict
from chalicelib.core.retry import BUDGET, TryAgain, retried
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.dialogues import revisions
from chalicelib.dialogues.access import PROJECT_ADMIN, Caller, require
from chalicelib.dialogues.contracts import RELEASE
from chalicelib.dialogues.errors import SURFACE, invalid
from chalicelib.dialogues.history import Window
from chalicelib.dialogues.ids import fetch, number
from chalicelib.dialogues.models import Dialogue, Release, Revision


def create(who: Caller, dialogue: Dialogue, body: Any) -> tuple[Dialogue, Release]:
    """Release the revision the body names; a concurrent release makes this one try again on the new count."""
    require(who.administers(dialogue.project_id), PROJECT_ADMIN, project_id=dialogue.project_id)
    checked(RELEASE, body, SURFACE)
    revision = number(body["revision_id"])

    def once() -> tuple[Dialogue, Release]:
        nonlocal dialogue
        if revision is None or revision > int(dialogue.head):
            raise invalid("not_found", "/revision_id",
                          f"Revision {body['revision_id']} does not belong to dialogue {dialogue.id}")
        try:
            return dialogue, _release(dialogue, revision)
        except ConditionFailed as error:
            dialogue = Dialogue.get(dialogue.project_id, dialogue.id, consistent_read=True)
            raise TryAgain from error

    return retried(once, Conflict("contended", "Too many releases at once of this dialogue: try again"),
                   tries=BUDGET)


def _release(dialogue: Dialogue, revision: int) -> Release:
    """Write release number count + 1 if the count is still what was read."""
    count = int(dialogue.release_count)
    release = Release(dialogue.id, count + 1, revision=revision, created=clock.to_millis(clock.now()))

    def write(transaction: Any) -> None:
        transaction.condition_check(Revision, dialogue.id, revision, condition=Revision.number.exists())
        transaction.update(dialogue, actions=[Dialogue.release_count.set(count + 1),
                                              Dialogue.released_revision.set(revision)],
                           condition=Dialogue.release_count == count)
        transaction.save(release, condition=Release.number.does_not_exist())

    transact_write(write)
    dialogue.release_count, dialogue.released_revision = count + 1, revision
    return release


def existing(dialogue: Dialogue, raw_id: str) -> Release:
    return fetch(Release, "Release", raw_id, dialogue.id, dialogue_id=dialogue.id)


def description(dialogue: Dialogue, release: Release) -> dict[str, Any]:
    """The description as released."""
    return revisions.description_at(dialogue, int(release.revision))


def listing(dialogue: Dialogue, window: Window) -> list[Release]:
    return window.read(Release, dialogue.id, int(dialogue.release_count))
