"""Annotations on a session's recording, and the project codes they are tagged with."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.store import find
from chalicelib.identity.models import Account
from chalicelib.recordings.authorship import active_of_session, require_creator, soft_delete
from chalicelib.recordings.models import Annotation, Code, Project, RecordedSession

# Bounds the listing of one session's annotations (one Query page each).
MAX_ANNOTATIONS = 1000


def codes(project: Project) -> list[Code]:
    return list(Code.query(project.id))


def add_code(project: Project, fields: dict[str, Any]) -> Code:
    code = Code(project.id, next_id("codes"), text=fields["text"].strip(), created_at=clock.now())
    code.save(condition=Code.id.does_not_exist())
    return code


def labels(project_id: int, tags: list[int]) -> dict[int, Code]:
    """The codes of a project among `tags`, by id (one BatchGetItem)."""
    if not tags:
        return {}
    return {int(code.id): code for code in Code.batch_get([(project_id, tag) for tag in tags])}


def _checked_tags(project_id: int, tags: list[Any]) -> list[int]:
    tags = sorted({int(tag) for tag in tags})
    if len(labels(project_id, tags)) != len(tags):
        raise BadRequest("TAGS_NOT_IN_PROJECT", "A tag is not one of this project's codes")
    return tags


def _intervals(fields: dict[str, Any]) -> tuple[int, int]:
    """The start and end of an annotation's fields (checked against contracts.ANNOTATION): start first."""
    start, end = int(fields["start_interval"]), int(fields["end_interval"])
    if start > end:
        raise BadRequest("START_BEFORE_END", "The annotation must start before it ends")
    return start, end


def create(session: RecordedSession, account: Account, fields: dict[str, Any]) -> Annotation:
    start, end = _intervals(fields)
    tags = _checked_tags(session.project_id, fields.get("tags") or [])
    now = clock.now()
    annotation = Annotation(next_id("annotations"), session_id=session.id, project_id=session.project_id,
                            creator_id=account.id, content=fields["content"].strip(), start_interval=start,
                            end_interval=end, tags=tags, created_at=now, updated_at=now)
    annotation.save(condition=Annotation.id.does_not_exist())
    return annotation


def in_session(session: RecordedSession, annotation_id: int) -> Annotation:
    annotation = find(Annotation, annotation_id)
    if annotation is None or not annotation.is_active or annotation.session_id != session.id:
        raise NotFound("ANNOTATION_404", "The annotation does not exist on this session")
    return annotation


def update(annotation: Annotation, account: Account, fields: dict[str, Any]) -> Annotation:
    """Rewrite an annotation; `tags` left out (or null) stay as they are."""
    start, end = _intervals(fields)
    require_creator(annotation, account, "NOT_ANNOTATION_CREATOR")
    actions: list[Any] = [Annotation.content.set(fields["content"].strip()), Annotation.start_interval.set(start),
                          Annotation.end_interval.set(end), Annotation.updated_at.set(clock.now())]
    if fields.get("tags") is not None:
        actions.append(Annotation.tags.set(_checked_tags(annotation.project_id, fields["tags"])))
    annotation.update(actions=actions, condition=Annotation.is_active == True)  # noqa: E712 (a DynamoDB condition)
    return annotation


def delete(annotation: Annotation, account: Account) -> None:
    soft_delete(annotation, account, "NOT_ANNOTATION_CREATOR")


def of_session(session: RecordedSession) -> list[Annotation]:
    return active_of_session(Annotation, session.id, MAX_ANNOTATIONS)
