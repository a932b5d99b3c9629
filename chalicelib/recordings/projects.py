"""Project rules: unique titles, who may see and change a project, topics, soft delete, membership."""
import re
from datetime import datetime
from typing import Any

from pynamodb.attributes import UTCDateTimeAttribute

from chalicelib.core import clock
from chalicelib.core.counters import next_id, next_ids
from chalicelib.core.errors import BadRequest, Conflict, Forbidden, NotFound
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
                      members={account.id: _member(ADMIN, now)}, created_at=now, updated_at=now)
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


def require_creator(project: Project, account: Account) -> None:
    if project.creator_id != account.id:
        raise Forbidden("UNAUTHORIZED", "Only the project's creator may edit it")


def update(project: Project, account: Account, fields: dict[str, Any], known: dict[str, Account] | None = None
           ) -> Project:
    """Apply a PUT (checked against contracts.PROJECT_CHANGES): only the creator may; each field sent changes,
    and a new title moves the title claim in the same transaction. A numeric `creator` must name an account: one
    of `known` (read already, such as the project's people), or else one the number index finds."""
    require_creator(project, account)
    creator = fields.get("creator")  # an object is the GET body's, sent back: read-only
    if creator is not None and not isinstance(creator, dict) and not _names_an_account(int(creator), known or {}):
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


def _names_an_account(number: int, known: dict[str, Account]) -> bool:
    if any(int(account.number) == number for account in known.values()):
        return True
    return accounts.by_number(number) is not None


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


def delete(project: Project, account: Account) -> None:
    """Soft delete by the creator; the title becomes free for other projects."""
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


def _member(role: str, joined_at: datetime) -> dict[str, str]:
    """A member as the project item lists them."""
    return {"role": role, "joined_at": _TIMES.serialize(joined_at)}


_TIMES = UTCDateTimeAttribute()


def public() -> list[Project]:
    """The active public projects, by id (a Query on the sparse `public` index)."""
    return list(Project.public.query(PUBLIC_LISTING))


def member_of(account_id: str) -> set[int]:
    """The ids of the projects an account is a member of (a Query on the memberships' account index)."""
    return {int(m.project_id) for m in Membership.by_account.query(account_id)}


def members(projects: list[Project]) -> dict[int, list[Membership]]:
    """Each project's members, admins first, then in the order they joined: from the project item (a project
    stored before it listed its members has them Queried)."""
    return {project.id: sorted(_memberships(project), key=lambda m: (m.role != ADMIN, m.joined_at))
            for project in projects}


def _memberships(project: Project) -> list[Membership]:
    if project.members is None:
        return list(Membership.query(project.id))
    return [Membership(project.id, account_id, role=member["role"], joined_at=_TIMES.deserialize(member["joined_at"]))
            for account_id, member in project.members.as_dict().items()]


def join(project: Project, account: Account) -> None:
    """Join a public project (again is fine); private projects take no one this way."""
    if not project.is_public:
        raise Forbidden("PROJECT_IS_PRIVATE", "A private project cannot be joined")
    now = clock.now()

    def write(transaction: Any) -> None:
        still_public = Project.listing == PUBLIC_LISTING
        if project.members is None:  # stored before projects listed their members
            transaction.condition_check(Project, project.id, condition=still_public)
        else:
            # The version moves (a concurrent edit of the project is told to reload) but is not a condition here.
            transaction.update(project, actions=[Project.members[account.id].set(_member(USER, now))],
                               condition=still_public, add_version_condition=False)
        transaction.save(Membership(project.id, account.id, role=USER, joined_at=now),
                         condition=Membership.account_id.does_not_exist())

    try:
        transact_write(write)
    except ConditionFailed as error:
        if 0 in error.items:
            raise Forbidden("PROJECT_IS_PRIVATE", "The project is no longer open to join") from error


def leave(project: Project, account: Account) -> None:
    if project.creator_id == account.id:
        raise Forbidden("CREATOR_CANNOT_LEAVE", "The creator cannot leave their own project")

    def write(transaction: Any) -> None:
        transaction.delete(Membership(project.id, account.id), condition=Membership.account_id.exists())
        if project.members is not None:
            transaction.update(project, actions=[Project.members[account.id].remove()], add_version_condition=False)

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise NotFound("NOT_A_MEMBER", "You are not a member of this project") from error
