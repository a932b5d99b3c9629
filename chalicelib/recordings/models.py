"""Recordings storage: one table per aggregate, each listing served by a key or an index."""
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.core.tables import IntegerAttribute, register, table_meta


class Topic(MapAttribute[str, Any]):
    id = IntegerAttribute()
    text = UnicodeAttribute()
    is_active = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class PublicProjects(GlobalSecondaryIndex["Project"]):
    """Active public projects only: `listing` is set to "public" on those and removed otherwise."""

    class Meta:
        index_name = "public"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)


@register
class Project(Model):
    Meta = table_meta("projects")

    id = IntegerAttribute(hash_key=True)
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute()
    creator_id = UnicodeAttribute()
    is_public = BooleanAttribute()
    has_consent = BooleanAttribute(default=False)
    is_active = BooleanAttribute(default=True)
    topics = ListAttribute(of=Topic, default=list)
    listing = UnicodeAttribute(null=True)
    # The members, by account id: {"role", "joined_at"}, written in the transaction that writes each membership, so
    # that listing projects reads no membership. None on projects stored before: their memberships are Queried.
    members = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]  # unannotated in pynamodb
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    public = PublicProjects()


@register
class ProjectTitle(Model):
    """A claim on a title (case-insensitive) by an active project: titles are unique among them."""

    Meta = table_meta("project-titles")

    title = UnicodeAttribute(hash_key=True)
    project_id = IntegerAttribute()


class MembershipsByAccount(GlobalSecondaryIndex["Membership"]):
    class Meta:
        index_name = "by-account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)
    project_id = IntegerAttribute(range_key=True)


@register
class Membership(Model):
    Meta = table_meta("project-members")

    project_id = IntegerAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    joined_at = UTCDateTimeAttribute()

    by_account = MembershipsByAccount()


@register
class Code(Model):
    """A project's code: what annotations are tagged with."""

    Meta = table_meta("project-codes")

    project_id = IntegerAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class Participant(MapAttribute[str, Any]):
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)


class PromptedTopic(MapAttribute[str, Any]):
    topic_id = IntegerAttribute()
    start = NumberAttribute()
    end = NumberAttribute()
    text = UnicodeAttribute()


class SessionsByProject(GlobalSecondaryIndex["RecordedSession"]):
    class Meta:
        index_name = "by-project"
        projection = AllProjection()

    project_id = IntegerAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@register
class RecordedSession(Model):
    Meta = table_meta("recording-sessions")

    id = UnicodeAttribute(hash_key=True)
    project_id = IntegerAttribute()
    creator_id = UnicodeAttribute()
    recording_key = UnicodeAttribute()
    recording_bytes = NumberAttribute()
    recording_type = UnicodeAttribute(null=True)  # the stored type: downloads are served as it
    participants = ListAttribute(of=Participant, default=list)
    topics = ListAttribute(of=PromptedTopic, default=list)
    created_at = UTCDateTimeAttribute()
    # True on sessions recorded since annotations have copies on the comments table (annotation_copy): every
    # annotation of such a session has one, so one Query of the comments reads its annotations and comments
    # together. None on sessions stored before: their annotations are Queried on their own table.
    annotations_copied = BooleanAttribute(null=True)

    by_project = SessionsByProject()


class ThreadsByProject(GlobalSecondaryIndex[Any]):
    """A project's annotations (or comments) in the order of their sessions' `session_key`: the annotations of a
    page of sessions, newest first, are one range of it, read by one Query."""

    class Meta:
        index_name = "by-project"
        projection = AllProjection()

    project_id = IntegerAttribute(hash_key=True)
    session_key = UnicodeAttribute(range_key=True)


def session_key(session: "RecordedSession") -> str:
    """Where a session's annotations and comments sort in a project: as its sessions page does (by creation)."""
    return f"{UTCDateTimeAttribute().serialize(session.created_at)}#{session.id}"


class AnnotationsBySession(GlobalSecondaryIndex["Annotation"]):
    class Meta:
        index_name = "by-session"
        projection = AllProjection()

    session_id = UnicodeAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)


@register
class Annotation(Model):
    Meta = table_meta("annotations")

    id = IntegerAttribute(hash_key=True)
    session_id = UnicodeAttribute()
    project_id = IntegerAttribute()
    creator_id = UnicodeAttribute()
    content = UnicodeAttribute()
    start_interval = NumberAttribute()
    end_interval = NumberAttribute()
    # pynamodb types a list of NumberAttribute as holding attributes: it holds integers
    tags = cast("ListAttribute[int]", ListAttribute(of=NumberAttribute, default=list))
    is_active = BooleanAttribute(default=True)
    session_key = UnicodeAttribute(null=True)  # models.session_key; None on annotations stored before it
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_session = AnnotationsBySession()
    by_project = ThreadsByProject()


class CommentsByAnnotation(GlobalSecondaryIndex["Comment"]):
    """The comments of one annotation, oldest first: showing an annotation reads no other annotation's."""

    class Meta:
        index_name = "by-annotation"
        projection = AllProjection()

    annotation_id = IntegerAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)


class CommentsBySession(GlobalSecondaryIndex["Comment"]):
    """All comments of a session in one Query, to nest them under its annotations."""

    class Meta:
        index_name = "by-session"
        projection = AllProjection()

    session_id = UnicodeAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)


@register
class Comment(Model):
    """A comment; or, with `kind` ANNOTATION_COPY, the copy of an annotation (annotation_copy), so that a Query of a
    session's or a page's comments, or of one annotation's, reads the annotations with them."""

    Meta = table_meta("comments")

    id = IntegerAttribute(hash_key=True)
    annotation_id = IntegerAttribute()
    session_id = UnicodeAttribute()
    parent_id = IntegerAttribute(null=True)
    creator_id = UnicodeAttribute()
    content = UnicodeAttribute()
    # Ids of the replies, appended in the same transaction that writes each reply.
    replies = cast("ListAttribute[int]", ListAttribute(of=NumberAttribute, default=list))
    is_active = BooleanAttribute(default=True)
    # Its session's project and models.session_key; None on comments stored before them.
    project_id = IntegerAttribute(null=True)
    session_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # An annotation's copy only: ANNOTATION_COPY, and the annotation's fields a comment lacks (None on comments).
    kind = UnicodeAttribute(null=True)
    start_interval = NumberAttribute(null=True)
    end_interval = NumberAttribute(null=True)
    tags = cast("ListAttribute[int]", ListAttribute(of=NumberAttribute, null=True))

    by_session = CommentsBySession()
    by_annotation = CommentsByAnnotation()
    by_project = ThreadsByProject()


ANNOTATION_COPY = "annotation"


def annotation_copy(annotation: Annotation) -> Comment:
    """The copy of an annotation kept on the comments table, written in the transaction of every write of the
    annotation (of a session whose `annotations_copied`): keyed by the annotation's id negated (comment ids are
    positive), it sorts before the comments on the session, project and annotation indexes, each of which it is on."""
    return Comment(-int(annotation.id), kind=ANNOTATION_COPY, annotation_id=annotation.id,
                   session_id=annotation.session_id, project_id=annotation.project_id,
                   session_key=annotation.session_key, creator_id=annotation.creator_id, content=annotation.content,
                   start_interval=annotation.start_interval, end_interval=annotation.end_interval,
                   tags=list(annotation.tags), is_active=annotation.is_active, created_at=annotation.created_at,
                   updated_at=annotation.updated_at)


def is_annotation_copy(item: Comment) -> bool:
    return item.kind == ANNOTATION_COPY


def copied_annotation(copy: Comment) -> Annotation:
    """The annotation a copy (annotation_copy) stands for, as read from its own table."""
    return Annotation(int(copy.annotation_id), session_id=copy.session_id, project_id=copy.project_id,
                      creator_id=copy.creator_id, content=copy.content, start_interval=copy.start_interval,
                      end_interval=copy.end_interval, tags=[int(tag) for tag in copy.tags or []],
                      is_active=copy.is_active, session_key=copy.session_key, created_at=copy.created_at,
                      updated_at=copy.updated_at)
