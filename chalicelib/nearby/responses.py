"""Responses: a photo or video uploaded to S3 for a request, recorded with the request's count and
latest three, and announced to the request's followers (a notification each, one push message)."""
import json
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib.core import batch, clock
from chalicelib.core.clients import client
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.settings import get_settings
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.files import layout, storage
from chalicelib.identity.models import Account
from chalicelib.nearby import requests
from chalicelib.nearby.models import (
    ACTIVE,
    PHOTO,
    VIDEO,
    DiscoverResponse,
    Follow,
    NearbyRequest,
    Notification,
    Response,
    position,
)

# Raster images and video only (a subset of storage.RASTER_IMAGE_TYPES and storage.VIDEO_TYPES): nothing a
# browser runs script from. A form for a declared type pins it, and its key carries the type's extension.
CONTENT_TYPES = {PHOTO: ("image/jpeg", "image/png", "image/heic", "image/webp"),
                 VIDEO: ("video/mp4", "video/quicktime", "video/webm")}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/webp": "webp",
              "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
NOT_ALLOWED = "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"
MAX_BYTES = {PHOTO: 25 * 1024 * 1024, VIDEO: 500 * 1024 * 1024}
DISCOVER_MAX, LIST_MAX, NOTIFICATIONS_MAX = 3, 100, 50
NOTIFICATION_LIFETIME = timedelta(days=30)

logger = logging.getLogger(__name__)


def _key_prefix(request: NearbyRequest) -> str:
    return f"{layout.RESPONSES}{int(request.id)}/"


def _require_active(request: NearbyRequest) -> None:
    if not requests.is_active(request, clock.now()):
        raise BadRequest("REQUEST_EXPIRED", "The request has expired: it takes no more responses")


def upload_form(request: NearbyRequest, kind: int, content_type: str | None = None) -> dict[str, Any]:
    """A presigned POST for one photo (0) or video (1) answering `request`; its key then records the response.

    With a declared `content_type` (one of the kind's), the form allows exactly that type and the key carries its
    extension; without one, any type of the kind's major type, which the response's check then narrows."""
    _require_active(request)
    kind, content_type = int(kind), content_type and content_type.strip().lower()
    if content_type is not None and content_type not in CONTENT_TYPES[kind]:
        raise BadRequest(NOT_ALLOWED, f"A response's media is one of {', '.join(CONTENT_TYPES[kind])}")
    key = storage.upload_key(_key_prefix(request), EXTENSIONS[content_type] if content_type else "")
    return storage.upload_form(key, max_bytes=MAX_BYTES[kind],
                               content_types=[content_type] if content_type else CONTENT_TYPES[kind])


def create(request: NearbyRequest, account: Account, key: str, kind: int) -> Response:
    """Record a response whose media was uploaded under `key` (checked, never trusted, then kept out of
    staging), and tell the request's followers."""
    _require_active(request)
    kind = int(kind)
    if not storage.is_upload_key(key, _key_prefix(request)):
        raise BadRequest("RESPONSE_KEY_INVALID", "The key is not one of this request's uploads")
    content_type = _check_media(key, kind)
    try:
        with storage.claimed([key]) as (kept,):
            response = Response(request.id, next_id("nearby-responses"), responder_id=account.id, type=kind,
                                card_id=str(uuid.uuid4()).upper(), media_key=kept, content_type=content_type,
                                created_at=clock.now())
            _record(request, response)
    except storage.FileMissing as error:  # claimed by another response since the check
        raise BadRequest("RESPONSE_MEDIA_NOT_UPLOADED", "Nothing was uploaded under that key") from error
    _notify(request, response)
    return response


def _check_media(key: str, kind: int) -> str:
    """The type the media under `key` is stored as: one of the kind's, and the declared one if the form pinned it
    (the key's extension says which). Otherwise the response is refused, whatever the form allowed."""
    try:
        stored = storage.stored_object(key, max_bytes=MAX_BYTES[kind])
    except storage.FileMissing as error:
        raise BadRequest("RESPONSE_MEDIA_NOT_UPLOADED", "Nothing was uploaded under that key") from error
    except storage.FileTooLarge as error:
        raise BadRequest("RESPONSE_MEDIA_TOO_LARGE", "The media is too large") from error
    # The policy limits the type, but not every S3 stand-in enforces it, and a form without a declared type allows
    # any type of the kind's major type (image/svg+xml among them).
    if stored.content_type not in EXTENSIONS:
        raise BadRequest(NOT_ALLOWED, "The uploaded media is not a photo or video of an accepted type")
    _, dot, extension = key.rpartition("/")[2].partition(".")
    if stored.content_type not in CONTENT_TYPES[kind] or (dot and EXTENSIONS[stored.content_type] != extension):
        raise BadRequest("RESPONSE_MEDIA_WRONG_TYPE", "The uploaded media is not of the response's type")
    return stored.content_type


def _record(request: NearbyRequest, response: Response) -> None:
    """Write the response, and raise the request's count with the new one first in its latest three, at once.

    The latest three are rewritten from what was read, so the write holds only while the count is the
    one read; otherwise the request is read again and the write retried."""

    def once() -> None:
        nonlocal request
        try:
            transact_write(_recording(request, response))
        except ConditionFailed as error:
            request = requests.get(int(request.id))
            _require_active(request)
            raise TryAgain from error

    retried(once, Conflict("contended", "Too many responses at once to this request: try again"))


def _recording(request: NearbyRequest, response: Response) -> Callable[[Any], None]:
    """One try of the write, conditioned on the request as read: still active, its count unchanged."""
    seen = int(request.response_count)
    latest = [DiscoverResponse(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
        type=response.type, card_id=response.card_id, media_key=response.media_key,
        content_type=response.content_type), *request.discover][:DISCOVER_MAX]

    def write(transaction: Any) -> None:
        transaction.save(response, condition=Response.id.does_not_exist())
        transaction.update(request, actions=[NearbyRequest.response_count.add(1), NearbyRequest.discover.set(latest)],
                           condition=(NearbyRequest.status == ACTIVE) & (NearbyRequest.end > response.created_at)
                           & (NearbyRequest.response_count == seen))

    return write


def _notify(request: NearbyRequest, response: Response) -> None:
    """A notification for each follower but the responder, and one message to the push topic."""
    followers = [f.account_id for f in Follow.query(request.id) if f.account_id != response.responder_id]
    at = position(response.created_at, int(response.id))
    with Notification.batch_write() as batch:
        for follower in followers:
            batch.save(Notification(follower, at, request_id=request.id, response_id=response.id,
                                    created_at=response.created_at,
                                    remove_at=response.created_at + NOTIFICATION_LIFETIME))
    _push(response)


def _push(response: Response) -> None:
    """Publish the new response to the push topic (if one is set). The response is recorded already,
    so a failed publish is logged, not raised."""
    topic = get_settings().push_topic_arn
    if not topic:
        return
    from botocore.exceptions import BotoCoreError, ClientError

    message = {"event": "nearby.response", "requestId": int(response.request_id), "responseId": int(response.id),
               "type": int(response.type), "cardId": response.card_id}
    try:
        # The request id as an attribute lets a subscription filter on it.
        client("sns").publish(TopicArn=topic, Message=json.dumps(message), MessageAttributes={
            "requestId": {"DataType": "Number", "StringValue": str(int(response.request_id))}})
    except (BotoCoreError, ClientError):
        logger.exception("push of response %s to %s failed", response.id, topic)


def of_request(request_id: int, account: Account) -> tuple[list[Response], dict[str, Account]]:
    """The responses of a request the caller may see, newest first (at most 100), and their responders: the request
    is read with the responders in one BatchGetItem, after the Query, and judged before anything is answered."""
    found = list(Response.query(request_id, scan_index_forward=False, limit=LIST_MAX))
    items = batch.read([(NearbyRequest, request_id), *((Account, r.responder_id) for r in found)])
    requests.visible_of(items.pop((NearbyRequest, request_id), None), account)
    return found, {item.id: item for item in items.values()}


def notifications(account: Account) -> list[Notification]:
    """The caller's notifications, newest first (at most 50)."""
    return list(Notification.query(account.id, scan_index_forward=False, limit=NOTIFICATIONS_MAX))
