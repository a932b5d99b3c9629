"""Projects: created with their creator's project:admin in one transaction, seen by whoever holds a permission
on them, edited and archived by their admins."""
from typing import Any

from chalicelib.core import batch, clock
from chalicelib.core.contracts import checked
from chalicelib.core.counters import next_id
from chalicelib.core.pagination import Page
from chalicelib.core.transactions import transact_write
from chalicelib.dialogues import patches, permissions
from chalicelib.dialogues.access import PROJECT_ADMIN, PROJECTS_CREATE, Caller, require
from chalicelib.dialogues.contracts import MAX_BODY_BYTES, PROJECT
from chalicelib.dialogues.errors import SURFACE
from chalicelib.dialogues.ids import fetch
from chalicelib.dialogues.models import ALL, Project


def existing(raw_id: str) -> Project:
    return fetch(Project, "Project", raw_id)


def visible(who: Caller, raw_id: str, project: Project | None = None) -> Project:
    """The project, for a caller with any permission on it (404 if none such, 403 if not theirs); `project` is the
    item when a read by the path's id found it already."""
    project = project if project is not None else existing(raw_id)
    require(who.sees_project(project.id), "project:dialogues:read", project_id=project.id)
    return project


def administered(who: Caller, raw_id: str, project: Project | None = None) -> Project:
    """The project, for its admins; `project` as in `visible`."""
    project = project if project is not None else existing(raw_id)
    require(who.administers(project.id), PROJECT_ADMIN, project_id=project.id)
    return project


def listing(who: Caller, page: Page) -> list[Project]:
    """The page of projects the caller may see, by id: an admin's from the `everything` index, anyone else's
    named by their grants, the page's ids only (one BatchGetItem: a page holds at most 100). A grant's project
    exists (granting checks it, and projects are never deleted), so the page's ids are the page's projects."""
    if who.is_admin:
        return page.slice(list(Project.everything.query(ALL, limit=page.limit)))
    found = batch.read([(Project, (project_id,)) for project_id in page.slice(sorted(who.project_ids()))])
    return sorted(found.values(), key=lambda project: project.id)


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    return {"title": body["title"], "is_archived": bool(body.get("is_archived", False))}


def create(who: Caller, body: Any) -> Project:
    require(who.may_create_projects(), PROJECTS_CREATE)
    fields = _fields(checked(PROJECT, body, SURFACE))
    project = Project(next_id("dialogue-projects"), created=clock.to_millis(clock.now()), **fields)
    grant = permissions.item(who.id, PROJECT_ADMIN, project.id)

    def write(transaction: Any) -> None:
        transaction.save(project, condition=Project.id.does_not_exist())
        transaction.save(grant)

    transact_write(write)
    return project


def _store(project: Project, fields: dict[str, Any]) -> Project:
    project.update(actions=[Project.title.set(fields["title"]), Project.is_archived.set(fields["is_archived"])],
                   condition=Project.id.exists())
    return project


def replace(project: Project, body: dict[str, Any]) -> Project:
    """PUT: the fields the body gives (its read-only fields ignored)."""
    return _store(project, _fields(body))


def patch(project: Project, operations: Any) -> Project:
    current = {"title": project.title, "is_archived": bool(project.is_archived)}
    after = patches.apply(current, operations, limits=patches.Limits(MAX_BODY_BYTES))
    return _store(project, _fields(checked(PROJECT, after, SURFACE)))
