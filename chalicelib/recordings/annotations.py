"""Annotations on a session's recording, and the project codes they are tagged with."""
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.identity.models import Account
from chalicelib.recordings.authorship import active_of_session, of_page, require_creator
from chalicelib.recordings.models import (
    Annotation,
    Code,
    Comment,
    Project,
    RecordedSession,
    annotation_copy,
    session_key,
)

# Bounds the listing of one session's annotations (one Query page each).
MAX_ANNOTATIONS = 1000


def codes(project: Project) -> list[Code]:
    return list(Code.query(project.id))


def add_code(project: Project, fields: dict[str, Any]) -> Code:
    code = Code(project.id, next_id("codes"), text=fields["text"].strip(), created_at=clock.now())
    code.save(condition=Code.id.does_not_exist())
    return code


def code_keys(project_id: int | None, fields: Any) -> list[tuple[Any, Any]]:
    """The codes an annotation's fields (not yet checked) tag, as (model, key) pairs to read with its path."""
    tags = fields.get("tags") if isinstance(fields, dict) and project_id is not None else None
    if not isinstance(tags, list):
        return []
    return [(Code, (project_id, tag)) for tag in sorted({t for t in tags if type(t) is int and 0 <= t < 2**53})]


def _checked_tags(tags: list[Any], codes: dict[int, Code]) -> list[int]:
    """The tags, each one of the project's `codes` (read with the path)."""
    tags = sorted({int(tag) for tag in tags})
    if any(tag not in codes for tag in tags):
        raise BadRequest("TAGS_NOT_IN_PROJECT", "A tag is not one of this project's codes")
    return tags


def _intervals(fields: dict[str, Any]) -> tuple[int, int]:
    """The start and end of an annotation's fields (checked against contracts.ANNOTATION): start first."""
    start, end = int(fields["start_interval"]), int(fields["end_interval"])
    if start > end:
        raise BadRequest("START_BEFORE_END", "The annotation must start before it ends")
    return start, end


def create(session: RecordedSession, account: Account, fields: dict[str, Any], codes: dict[int, Code]) -> Annotation:
    """A new annotation (and its copy on the comments table, if its session keeps them: models.annotation_copy);
    `codes` are the project's codes its tags name, read with its path."""
    start, end = _intervals(fields)
    tags = _checked_tags(fields.get("tags") or [], codes)
    now = clock.now()
    annotation = Annotation(next_id("annotations"), session_id=session.id, project_id=session.project_id,
                            creator_id=account.id, content=fields["content"].strip(), start_interval=start,
                            end_interval=end, tags=tags, session_key=session_key(session), created_at=now,
                            updated_at=now)
    if not session.annotations_copied:  # a session stored before copies: none of its annotations has one
        annotation.save(condition=Annotation.id.does_not_exist())
        return annotation

    def write(transaction: Any) -> None:
        transaction.save(annotation, condition=Annotation.id.does_not_exist())
        transaction.save(annotation_copy(annotation), condition=Comment.id.does_not_exist())

    transact_write(write)
    return annotation


def update(annotation: Annotation, session: RecordedSession, account: Account, fields: dict[str, Any],
           codes: dict[int, Code]) -> Annotation:
    """Rewrite an annotation (and its copy, in the same transaction); `tags` left out (or null) stay as they are.
    `codes` as for create."""
    start, end = _intervals(fields)
    require_creator(annotation, account, "NOT_ANNOTATION_CREATOR")
    changes: dict[str, Any] = {"content": fields["content"].strip(), "start_interval": start, "end_interval": end,
                               "updated_at": clock.now()}
    if fields.get("tags") is not None:
        changes["tags"] = _checked_tags(fields["tags"], codes)
    _write(annotation, session, changes)
    return annotation


def delete(annotation: Annotation, session: RecordedSession, account: Account) -> None:
    """Soft-delete an annotation (its creator only), and its copy with it."""
    require_creator(annotation, account, "NOT_ANNOTATION_CREATOR")
    _write(annotation, session, {"is_active": False, "updated_at": clock.now()})


def _write(annotation: Annotation, session: RecordedSession, changes: dict[str, Any]) -> None:
    """Set `changes` on an active annotation, and on its copy in the same transaction if its session keeps them;
    ANNOTATION_404 if it was deleted meanwhile."""
    if not session.annotations_copied:
        try:
            annotation.update(actions=[getattr(Annotation, name).set(value) for name, value in changes.items()],
                              condition=Annotation.is_active == True)  # noqa: E712 (a DynamoDB condition)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise NotFound("ANNOTATION_404", "The annotation was deleted meanwhile") from error
        return

    def write(transaction: Any) -> None:
        transaction.update(annotation, actions=[getattr(Annotation, name).set(value)
                                                for name, value in changes.items()],
                           condition=Annotation.is_active == True)  # noqa: E712 (a DynamoDB condition)
        transaction.update(Comment(-int(annotation.id)), actions=[getattr(Comment, name).set(value)
                                                                  for name, value in changes.items()],
                           condition=Comment.id.exists())

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise NotFound("ANNOTATION_404", "The annotation was deleted meanwhile") from error
    for name, value in changes.items():  # a transaction answers nothing: the item as now stored
        setattr(annotation, name, value)


def of_session(session: RecordedSession) -> list[Annotation]:
    return active_of_session(Annotation, session.id, MAX_ANNOTATIONS)


def of_sessions(sessions: list[RecordedSession]) -> list[Annotation]:
    """The active annotations of a page of one project's sessions: one Query (models.ThreadsByProject)."""
    return of_page(Annotation, sessions, MAX_ANNOTATIONS)
