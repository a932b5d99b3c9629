"""Comments on annotations, and replies to comments."""
from typing import Any, cast

from pynamodb.expressions.condition import size

from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, NotFound
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.identity.models import Account
from chalicelib.recordings.authorship import require_creator, soft_delete
from chalicelib.recordings.models import Annotation, Comment, is_annotation_copy

# Bounds the comments read for one session or annotation (one Query), and a comment's replies.
MAX_COMMENTS, MAX_REPLIES = 2000, 500


def create(annotation: Annotation, account: Account, fields: dict[str, Any], parent: Comment | None = None) -> Comment:
    """A comment on the annotation, or a reply to `parent` (listed in its replies in the same transaction)."""
    now, content = clock.now(), fields["content"].strip()
    comment = Comment(next_id("comments"), annotation_id=annotation.id, session_id=annotation.session_id,
                      project_id=annotation.project_id, session_key=annotation.session_key,
                      parent_id=parent.id if parent else None, creator_id=account.id, content=content,
                      created_at=now, updated_at=now)

    def write(transaction: Any) -> None:
        transaction.save(comment, condition=Comment.id.does_not_exist())
        if parent is not None:
            transaction.update(parent, actions=[Comment.replies.set(Comment.replies.append([comment.id]))],
                               condition=(Comment.is_active == True) & (size(Comment.replies) < MAX_REPLIES))  # noqa: E712

    try:
        transact_write(write)
    except ConditionFailed as error:
        if len(cast(Comment, parent).replies) >= MAX_REPLIES:  # only a reply's condition can fail
            raise BadRequest("COMMENT_REPLIES_LIMIT", f"A comment takes at most {MAX_REPLIES} replies") from error
        raise NotFound("COMMENT_404", "The comment was deleted meanwhile") from error
    return comment


def update(comment: Comment, account: Account, fields: dict[str, Any]) -> Comment:
    require_creator(comment, account, "NOT_COMMENT_CREATOR")
    comment.update(actions=[Comment.content.set(fields["content"].strip()), Comment.updated_at.set(clock.now())],
                   condition=Comment.is_active == True)  # noqa: E712
    return comment


def delete(comment: Comment, account: Account) -> None:
    soft_delete(comment, account, "NOT_COMMENT_CREATOR")


def of_annotation(annotation_id: int, with_copy: bool = False) -> list[Comment]:
    """The active comments of the annotation with this id, oldest first: one Query on the annotation index, reading
    no other annotation's. `with_copy`: with the annotation's own copy (models.annotation_copy), which sorts first."""
    found = Comment.by_annotation.query(annotation_id, limit=MAX_COMMENTS + 1,
                                        filter_condition=Comment.is_active == True)  # noqa: E712
    return [item for item in found if with_copy or not is_annotation_copy(item)]
