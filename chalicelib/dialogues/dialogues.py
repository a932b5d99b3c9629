"""Dialogues: created with their first revision, listed with what the caller may do, replaced (PUT) and patched
(PATCH) through new revisions."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest
from chalicelib.dialogues import descriptions, patches, projects, revisions, shapes
from chalicelib.dialogues.access import PROJECT_ADMIN, Caller, require
from chalicelib.dialogues.contracts import MAX_BODY_BYTES
from chalicelib.dialogues.ids import fetch
from chalicelib.dialogues.models import Dialogue, Project
from chalicelib.dialogues.revisions import Draft

FILTERS = ("is_archived", "is_published", "has_changes", "can_view", "can_edit")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def existing(project: Project, raw_id: str) -> Dialogue:
    return fetch(Dialogue, "Dialogue", raw_id, project.id, project_id=project.id)


def located(who: Caller, raw_project: str, raw_id: str, dialogue: Dialogue | None) -> Dialogue:
    """The dialogue a read by the path's ids found, once the caller may see its project (which exists: projects
    are never deleted). When the read found none, the lookups and errors as in order: the project's 404 or 403,
    then the dialogue's 404."""
    if dialogue is None:
        return existing(projects.visible(who, raw_project), raw_id)
    require(who.sees_project(dialogue.project_id), "project:dialogues:read", project_id=dialogue.project_id)
    return dialogue


def viewable(who: Caller, dialogue: Dialogue) -> Dialogue:
    require(who.can_view(dialogue.project_id, dialogue.id), "dialogue:read", project_id=dialogue.project_id,
            dialogue_id=dialogue.id)
    return dialogue


def editable(who: Caller, dialogue: Dialogue) -> Dialogue:
    require(who.can_edit(dialogue.project_id, dialogue.id), "dialogue:write", project_id=dialogue.project_id,
            dialogue_id=dialogue.id)
    return dialogue


def summary(who: Caller, dialogue: Dialogue) -> dict[str, Any]:
    return shapes.dialogue_summary(dialogue, who.can_view(dialogue.project_id, dialogue.id),
                                   who.can_edit(dialogue.project_id, dialogue.id))


def shown(who: Caller, dialogue: Dialogue, description: dict[str, Any] | None = None) -> dict[str, Any]:
    description = description if description is not None else descriptions.current(dialogue)
    return shapes.dialogue(dialogue, description, who.can_view(dialogue.project_id, dialogue.id),
                           who.can_edit(dialogue.project_id, dialogue.id))


def summaries(who: Caller, project: Project, query: Any = None) -> list[dict[str, Any]]:
    """The project's dialogues (one Query) as the caller sees them, filtered on the flags the query names."""
    wanted = {}
    for name in FILTERS:
        raw = (query or {}).get(name)
        if raw is not None:
            if raw.lower() not in _BOOLEANS:
                raise BadRequest("invalid_param", f"{name} must be true or false", details={"param": name})
            wanted[name] = _BOOLEANS[raw.lower()]
    found = [summary(who, dialogue) for dialogue in Dialogue.query(project.id, consistent_read=True,
                                                                   attributes_to_get=descriptions.HEAD_FIELDS)]
    return [item for item in found if all(item[name] == value for name, value in wanted.items())]


def create(who: Caller, project: Project, body: Any) -> tuple[Dialogue, dict[str, Any]]:
    """A new dialogue (project admins only); its first revision is the edit that builds the description."""
    require(who.administers(project.id), PROJECT_ADMIN, project_id=project.id)
    description = descriptions.described(revisions.fitting(body))
    dialogue = Dialogue(project.id, next_id("dialogues"), head=0, created=clock.to_millis(clock.now()))
    revisions.start(who, dialogue, Draft(revisions.EDIT, {"edit_type": "create",
                                                          "patch": patches.difference({}, description)},
                                         description))
    return dialogue, description


def replace(who: Caller, dialogue: Dialogue, body: Any) -> tuple[Dialogue, dict[str, Any]]:
    """PUT: the description becomes the body (its read-only fields dropped), through an edit holding the
    difference. A PUT that changes nothing writes no revision."""
    wanted = descriptions.described(body)

    def plan(current_dialogue: Dialogue, current: dict[str, Any]) -> list[Draft]:
        operations = patches.difference(current, wanted)
        if not operations:
            return []
        return [revisions.edit(who, current_dialogue, current, {"edit_type": "replace", "patch": operations})]

    dialogue, description, _ = revisions.record(who, dialogue, plan)
    return dialogue, description


def patch(who: Caller, dialogue: Dialogue, operations: Any) -> tuple[Dialogue, dict[str, Any]]:
    """PATCH: an edit holding the client's operations, applied all or nothing. A PATCH that leaves the
    description as it was (`[]`, a replace with the same value) writes no revision, like a PUT."""

    def plan(current_dialogue: Dialogue, current: dict[str, Any]) -> list[Draft]:
        draft = revisions.edit(who, current_dialogue, current, {"edit_type": "patch", "patch": operations},
                               limits=patches.Limits(MAX_BODY_BYTES))
        return [] if revisions.unchanged(current, draft) else [draft]

    dialogue, description, _ = revisions.record(who, dialogue, plan)
    return dialogue, description
