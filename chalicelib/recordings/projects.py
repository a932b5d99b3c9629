"""Project rules: unique titles, who may see and change a project, topics, soft delete, membership."""
import re
from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib.core import clock
from chalicelib.core.counters import next_id, next_ids
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.core.store import find
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account
from chalicelib.recordings.contracts import TOPICS_MAX
from chalicelib.recordings.models import Membership, Project, ProjectTitle, Topic

ADMIN, USER = "admin", "user"
PUBLIC_LISTING = "public"
PRIVACY = {"public": True, "private": False}


def title_key(title: str) -> str:
    """The form in which titles are unique: case and spacing do not count."""
    return " ".join(title.split()).casefold()


def slug(title: str) -> str:
    return re.sub(r"[\W_]+", "-", title.lower()).strip("-") or "project"


def _listing(is_public: bool, is_active: bool = True) -> str | None:
    return PUBLIC_LISTING if is_public and is_active else None


def active(project_id: int, missing: str = "PROJECT_DOES_NOT_EXIST") -> Project:
    project = find(Project, project_id)
    if project is None or not project.is_active:
        raise NotFound(missing, "The project does not exist")
    return project


def is_member(project: Project, account: Account | None) -> bool:
    if account is None:
        return False
    try:
        Membership.get(project.id, account.id, consistent_read=True)
    except Membership.DoesNotExist:
        return False
    return True


def readable(project_id: int, account: Account | None) -> Project:
    """A project the caller may see: any public one, or a private one they are a member of. Anyone else, an
    anonymous caller (no token) included, is refused as the document says: 403 `PROJECT_UNAUTHORIZED`."""
    project = active(project_id)
    if project.is_public or is_member(project, account):
        return project
    raise Forbidden("PROJECT_UNAUTHORIZED", "Only members may see this project")


def writable(project_id: int, account: Account) -> Project:
    """A project the caller may add to: they must be a member."""
    project = active(project_id)
    if not is_member(project, account):
        raise Forbidden("PROJECT_UNAUTHORIZED", "Only members may do this")
    return project


def create(account: Account, fields: dict[str, Any]) -> Project:
    """A project from the fields of a create (checked against contracts.NEW_PROJECT); texts are trimmed."""
    title, description = fields["title"].strip(), fields["description"].strip()
    is_public, topic_texts = PRIVACY[fields["privacy"]], [text.strip() for text in fields["topics"]]
    now = clock.now()
    topics = [Topic(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
        id=topic_id, text=text, is_active=True, created_at=now, updated_at=now)
              for topic_id, text in zip(next_ids("topics", len(topic_texts)), topic_texts, strict=True)]
    project = Project(next_id("projects"), title=title, slug=slug(title), description=description,
                      creator_id=account.id, is_public=is_public, topics=topics, listing=_listing(is_public),
                      created_at=now, updated_at=now)
    membership = Membership(project.id, account.id, role=ADMIN, joined_at=now)

    def write(transaction: Any) -> None:
        transaction.save(ProjectTitle(title_key(title), project_id=project.id),
                         condition=ProjectTitle.title.does_not_exist())
        transaction.save(project, condition=Project.id.does_not_exist())
        transaction.save(membership)

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise Conflict("PROJECTS_TITLE_EXISTS", "A project with that title already exists") from error
    return project


def update(project_id: int, account: Account, fields: dict[str, Any]) -> Project:
    """Apply a PUT (checked against contracts.PROJECT_CHANGES): only the creator may; each field sent changes,
    and a new title moves the title claim in the same transaction."""
    if "id" in fields and fields["id"] != project_id:
        raise BadRequest("ID_404", "The id in the body is not the project's")
    project = active(project_id)
    if project.creator_id != account.id:
        raise Forbidden("UNAUTHORIZED", "Only the project's creator may edit it")
    creator = fields.get("creator")  # an object is the GET body's, sent back: read-only
    if creator is not None and not isinstance(creator, dict) and accounts.by_number(int(creator)) is None:
        raise BadRequest("USER_404", "No user has that creator id")
    now = clock.now()
    old_title = project.title
    if "title" in fields:
        project.title = fields["title"].strip()
        project.slug = slug(project.title)
    if "description" in fields:
        project.description = fields["description"].strip()
    if "privacy" in fields:
        project.is_public = PRIVACY[fields["privacy"]]
        project.listing = _listing(project.is_public)
    if fields.get("topics") is not None:
        project.topics = _apply_topics(project, fields["topics"], now)
    project.updated_at = now
    _save_with_title(project, old_title)
    return project


def _apply_topics(project: Project, changes: list[dict[str, Any]], now: Any) -> list[Topic]:
    """Topics without an id are created; with one, rewritten or (is_active 0) soft-deleted."""
    topics = {int(topic.id): topic for topic in project.topics}
    if any(change.get("id") is not None and change["id"] not in topics for change in changes):
        raise BadRequest("TOPICS_ID_NOT_PROJECT", "A topic id is not one of this project's")
    new = [change for change in changes if change.get("id") is None]
    for change in changes:
        if change.get("id") is not None:
            topic = topics[change["id"]]
            topic.text, topic.is_active, topic.updated_at = change["text"].strip(), bool(change["is_active"]), now
    if len(topics) + len(new) > TOPICS_MAX:  # soft-deleted topics count: they stay in the item
        raise BadRequest("PROJECTS_TOPICS_TOO_MANY", f"A project holds at most {TOPICS_MAX} topics")
    created = [Topic(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
        id=topic_id, text=change["text"].strip(), is_active=bool(change["is_active"]), created_at=now, updated_at=now)
               for topic_id, change in zip(next_ids("topics", len(new)), new, strict=True)]
    return list(topics.values()) + created


def _save_with_title(project: Project, old_title: str) -> None:
    """Save the project (its version guards against a concurrent edit), moving the title claim if it changed."""
    old_key, new_key = title_key(old_title), title_key(project.title)

    def write(transaction: Any) -> None:
        transaction.save(project)
        if new_key != old_key:
            transaction.delete(ProjectTitle(old_key), condition=ProjectTitle.project_id == project.id)
            transaction.save(ProjectTitle(new_key, project_id=project.id),
                             condition=ProjectTitle.title.does_not_exist())

    try:
        transact_write(write)
    except ConditionFailed as error:
        if 2 in error.items:
            raise Conflict("TITLE_EXISTS", "A project with that title already exists") from error
        raise Conflict("PROJECT_CHANGED", "The project changed meanwhile: load it and try again") from error


def delete(project_id: int, account: Account) -> None:
    """Soft delete by the creator; the title becomes free for other projects."""
    project = active(project_id)
    if project.creator_id != account.id:
        raise Forbidden("PROJECT_DELETE_UNAUTHORIZED", "Only the project's creator may delete it")

    def write(transaction: Any) -> None:
        transaction.update(project, actions=[Project.is_active.set(False), Project.listing.remove(),
                                             Project.updated_at.set(clock.now())],
                           condition=Project.is_active == True)  # noqa: E712 (a DynamoDB condition)
        transaction.delete(ProjectTitle(title_key(project.title)), condition=ProjectTitle.project_id == project.id)

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise NotFound("PROJECT_DOES_NOT_EXIST", "The project does not exist") from error


def lists(account: Account | None) -> tuple[list[Project], list[Project]]:
    """(personal, public): the caller's active projects, and the active public ones they are not in."""
    personal: list[Project] = []
    if account is not None:
        ids = [m.project_id for m in Membership.by_account.query(account.id)]
        personal = sorted((p for p in Project.batch_get(ids) if p.is_active), key=lambda p: p.id) if ids else []
    mine = {p.id for p in personal}
    public = [p for p in Project.public.query(PUBLIC_LISTING) if p.id not in mine]
    return personal, public


def members(projects: list[Project]) -> dict[int, list[Membership]]:
    """Each project's members, admins first, then in the order they joined."""
    return {project.id: sorted(Membership.query(project.id), key=lambda m: (m.role != ADMIN, m.joined_at))
            for project in projects}


def join(project_id: int, account: Account) -> None:
    """Join a public project (again is fine); private projects take no one this way."""
    project = active(project_id, missing="PROJECT_UNKNOWN")
    if not project.is_public:
        raise Forbidden("PROJECT_IS_PRIVATE", "A private project cannot be joined")
    membership = Membership(project.id, account.id, role=USER, joined_at=clock.now())

    def write(transaction: Any) -> None:
        transaction.condition_check(Project, project.id, condition=Project.listing == PUBLIC_LISTING)
        transaction.save(membership, condition=Membership.account_id.does_not_exist())

    try:
        transact_write(write)
    except ConditionFailed as error:
        if 0 in error.items:
            raise Forbidden("PROJECT_IS_PRIVATE", "The project is no longer open to join") from error


def leave(project_id: int, account: Account) -> None:
    project = active(project_id, missing="PROJECT_UNKNOWN")
    if project.creator_id == account.id:
        raise Forbidden("CREATOR_CANNOT_LEAVE", "The creator cannot leave their own project")
    try:
        Membership(project.id, account.id).delete(condition=Membership.account_id.exists())
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise NotFound("NOT_A_MEMBER", "You are not a member of this project") from error
