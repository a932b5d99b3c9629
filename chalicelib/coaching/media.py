"""The media library (open to all staff, published by Admins, deleted only by its publisher's org's Admins and the
Superadmin) and what each client has viewed: one record per client and media, kept with counts so that neither
is deleted while the other refers to it."""

from typing import Any, cast

from pynamodb.transactions import TransactWrite

from chalicelib.coaching import access, scope, users
from chalicelib.coaching.access import Caller
from chalicelib.coaching.coercions import coerced
from chalicelib.coaching.errors import in_use, not_found
from chalicelib.coaching.models import (
    ADMIN,
    ALL,
    CLIENT,
    SUPERADMIN,
    CoachingUser,
    Media,
    MediaCopy,
    Task,
    ViewedMedia,
)
from chalicelib.core import batch
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import ConditionFailed, Step, transact_steps, transact_write


def get(media_id: int, caller: Caller | None = None) -> Media:
    return access.fetch(Media, media_id, caller)


def _viewed_by(client_id: int) -> list[Media]:
    """The media a client viewed, by id: as their views carry them (one Query); those of views from before they did,
    read."""
    views = list(ViewedMedia.query(client_id, consistent_read=True))
    found = [view.media.media(int(view.media_id)) for view in views if view.media is not None]
    uncopied = [int(view.media_id) for view in views if view.media is None]
    found += Media.batch_get(uncopied) if uncopied else []
    return sorted(found, key=lambda media: int(media.id))


def listing(caller: Caller) -> list[Media]:
    """The whole library for staff (one Query of the `library` index); a client's viewed media."""
    if caller.role == CLIENT:
        return _viewed_by(cast(int, caller.id))  # a client: a coaching user
    return list(Media.library.query(ALL))


def visible(caller: Caller, media_id: int) -> Media:
    media = get(media_id, caller)
    access.require(caller.role != CLIENT or ViewedMedia.count(caller.id, ViewedMedia.media_id == media_id) > 0)
    return media


def named_in(body: Any) -> list[tuple[Any, Any]]:
    """What a create's body names (`scope.named`): the task and the publisher."""
    return scope.named(body, {"task_id": Task, "published_by": CoachingUser})


def create(caller: Caller, values: dict[str, Any]) -> Media:
    """Its task and publisher (`published_by` from 1; -1 is none) must be in the caller's scope; it belongs to the
    publisher's org (the caller's if none is named; none for the platform admin), whose Admins may delete it."""
    values = coerced(values, trimmed=("title", "category"))
    access.require(caller.role in (SUPERADMIN, ADMIN))
    refs = [scope.Ref("task_id", Task, values["task_id"])] if values.get("task_id") is not None else []
    if values.get("published_by") is not None and values["published_by"] > 0:
        refs.append(scope.Ref("published_by", CoachingUser, values["published_by"]))
    publisher = scope.records(caller, refs).get("published_by")
    media = Media(next_id("coaching-media"), org_id=int(publisher.org_id) if publisher else caller.org_id, **values)
    steps: list[Step] = [(lambda tx: tx.save(media, condition=Media.id.does_not_exist()),
                          Conflict("conflict", "Try again"))]
    if media.task_id is not None:
        steps.append(access.refer(Task, int(media.task_id), 1, "task_id", "task"))
    transact_steps(steps)
    return media


def _org_of(media: Media) -> int | None:
    """The publisher's org: kept on the media since it has one; before, the org of its `published_by` user."""
    if media.org_id is not None:
        return int(media.org_id)
    publisher = batch.read([(CoachingUser, int(media.published_by))]) if media.published_by > 0 else {}
    return next((int(user.org_id) for user in publisher.values()), None)


def delete(caller: Caller, media_id: int) -> None:
    """The Superadmin, or an Admin of the publisher's org."""
    access.require(caller.role in (SUPERADMIN, ADMIN))
    media = get(media_id, caller)
    access.require(caller.role == SUPERADMIN or _org_of(media) == caller.org_id)
    steps: list[Step] = [(lambda tx: tx.delete(media, condition=(Media.view_count == 0) & (Media.referrers == 0)),
              in_use("Clients have viewed this media, or messages name it: delete those first"))]
    if media.task_id is not None:
        steps.append(access.refer(Task, int(media.task_id), -1, "task_id", "task"))
    transact_steps(steps)


def viewed(caller: Caller, client_id: int) -> list[Media]:
    users.visible(caller, client_id, CLIENT)
    return _viewed_by(client_id)


def _client_of(caller: Caller, client_id: int) -> CoachingUser:
    """A client whose viewed media the caller keeps: their staff (a client cannot unlock media for themselves)."""
    client = users.visible(caller, client_id, CLIENT)
    access.require(access.manages(caller, client))
    return client


def mark_viewed(caller: Caller, client_id: int, media_id: int) -> tuple[ViewedMedia, bool]:
    """Record that the client was sent the media; a second mark keeps the first record (created: False)."""
    _client_of(caller, client_id)
    media = get(media_id, caller)
    record = ViewedMedia(client_id, media_id, id=next_id("coaching-viewed-media"), media=MediaCopy.of(media))

    def write(tx: TransactWrite) -> None:
        tx.save(record, condition=ViewedMedia.client_id.does_not_exist())
        tx.update(CoachingUser(client_id), actions=[CoachingUser.viewed_count.add(1)],
                  condition=CoachingUser.id.exists())
        tx.update(Media(media_id), actions=[Media.view_count.add(1)], condition=Media.id.exists())

    try:
        transact_write(write)
    except ConditionFailed as error:
        if 0 not in error.items:
            raise not_found() from error
        return ViewedMedia.get(client_id, media_id, consistent_read=True), False
    return record, True


def unmark_viewed(caller: Caller, client_id: int, media_id: int) -> None:
    _client_of(caller, client_id)
    transact_steps([
        (lambda tx: tx.delete(ViewedMedia(client_id, media_id), condition=ViewedMedia.client_id.exists()),
         not_found()),
        (lambda tx: tx.update(CoachingUser(client_id), actions=[CoachingUser.viewed_count.add(-1)]),
         Conflict("conflict", "Try again")),
        (lambda tx: tx.update(Media(media_id), actions=[Media.view_count.add(-1)]), Conflict("conflict", "Try again")),
    ])
