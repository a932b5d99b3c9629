"""A session's threads, its annotations and their comments, read together. The comments table holds a copy of each
annotation of a session that keeps them (`RecordedSession.annotations_copied`, models.annotation_copy), so one Query
of its session, page or annotation index reads the annotations with their comments. A session stored before copies
has its annotations Queried on their own table besides: one Query more, for old data only."""
from chalicelib.recordings import annotations, comments
from chalicelib.recordings.authorship import active_of_session, of_page
from chalicelib.recordings.models import (
    Annotation,
    Comment,
    RecordedSession,
    copied_annotation,
    is_annotation_copy,
)

# Bounds what one session's Query reads: its annotations' copies and its comments.
MAX_ITEMS = annotations.MAX_ANNOTATIONS + comments.MAX_COMMENTS

Threads = tuple[list[Annotation], list[Comment]]


def _split(items: list[Comment]) -> Threads:
    """The annotations (from their copies) and the comments among items of the comments table, each by id."""
    copied = sorted((copied_annotation(item) for item in items if is_annotation_copy(item)), key=lambda a: int(a.id))
    return copied, sorted((item for item in items if not is_annotation_copy(item)), key=lambda c: int(c.id))


def of_session(session: RecordedSession) -> Threads:
    """The session's active annotations and comments: one Query on the comments' session index (a session stored
    before copies: its annotations, then, if it has any, its comments)."""
    if not session.annotations_copied:
        annotated = annotations.of_session(session)
        return annotated, (active_of_session(Comment, session.id, comments.MAX_COMMENTS) if annotated else [])
    return _split(active_of_session(Comment, session.id, MAX_ITEMS))


def of_sessions(sessions: list[RecordedSession]) -> Threads:
    """The active annotations and comments of a page of one project's sessions: one Query on the comments' project
    index (models.ThreadsByProject)."""
    annotated, commented = _split(of_page(Comment, sessions, MAX_ITEMS))
    old = [session for session in sessions if not session.annotations_copied]
    if old:
        annotated = sorted(annotated + annotations.of_sessions(old), key=lambda a: int(a.id))
    return annotated, commented


def of_annotation(annotation_id: int) -> tuple[Annotation | None, list[Comment]]:
    """An annotation as its active copy has it (None if it has none) and its active comments, oldest first: one Query
    on the comments' annotation index, which reads no other annotation's. It may be read before the path that names
    the annotation is checked: nothing of it is answered until that path is."""
    copied, commented = _split(comments.of_annotation(annotation_id, with_copy=True))
    return (copied[0] if copied else None), commented
