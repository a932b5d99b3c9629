"""Annotations on a session's recording, and the project codes they are tagged with."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest
from chalicelib.identity.models import Account
from chalicelib.recordings.authorship import active_of_session, of_page, require_creator, soft_delete
from chalicelib.recordings.models import Annotation, Code, Project, RecordedSession, session_key

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
    """A new annotation; `codes` are the project's codes its tags name, read with its path."""
    start, end = _intervals(fields)
    tags = _checked_tags(fields.get("tags") or [], codes)
    now = clock.now()
    annotation = Annotation(next_id("annotations"), session_id=session.id, project_id=session.project_id,
                            creator_id=account.id, content=fields["content"].strip(), start_interval=start,
                            end_interval=end, tags=tags, session_key=session_key(session), created_at=now,
                            updated_at=now)
    annotation.save(condition=Annotation.id.does_not_exist())
    return annotation


def update(annotation: Annotation, account: Account, fields: dict[str, Any], codes: dict[int, Code]) -> Annotation:
    """Rewrite an annotation; `tags` left out (or null) stay as they are. `codes` as for create."""
    start, end = _intervals(fields)
    require_creator(annotation, account, "NOT_ANNOTATION_CREATOR")
    actions: list[Any] = [Annotation.content.set(fields["content"].strip()), Annotation.start_interval.set(start),
                          Annotation.end_interval.set(end), Annotation.updated_at.set(clock.now())]
    if fields.get("tags") is not None:
        actions.append(Annotation.tags.set(_checked_tags(fields["tags"], codes)))
    annotation.update(actions=actions, condition=Annotation.is_active == True)  # noqa: E712 (a DynamoDB condition)
    return annotation


def delete(annotation: Annotation, account: Account) -> None:
    soft_delete(annotation, account, "NOT_ANNOTATION_CREATOR")


def of_session(session: RecordedSession) -> list[Annotation]:
    return active_of_session(Annotation, session.id, MAX_ANNOTATIONS)


def of_sessions(sessions: list[RecordedSession]) -> list[Annotation]:
    """The active annotations of a page of one project's sessions: one Query (models.ThreadsByProject)."""
    return of_page(Annotation, sessions, MAX_ANNOTATIONS)
