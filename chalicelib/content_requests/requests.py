"""Content request rules: create with an unguessable link, find by link or id, list an owner's requests,
change, cancel, delete (with the files sent), and expire."""
import logging
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.content_requests import fields
from chalicelib.content_requests.errors import closed, not_found, refused
from chalicelib.content_requests.models import (
    CANCELED,
    COMPLETED,
    EXPIRED,
    ONE_TIME,
    PENDING,
    ContentRequest,
    MediaFile,
    RequestToken,
    shelf,
)
from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.pagination import Page
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.routing import parse_id, path_id
from chalicelib.core.store import find
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.files import layout, storage
from chalicelib.identity.models import Account

log = logging.getLogger(__name__)
NO_DAY, PAST = "Must be a date such as 2022/06/07", "Must not be in the past"
_TOKEN = re.compile(r"[0-9a-f]{16}")


def key_prefix(request: ContentRequest) -> str:
    """Where the request's files live in the bucket (and, staged, under `uploads/`): deleting the request
    removes both."""
    return f"{layout.CONTENT_REQUESTS}{int(request.id)}/"


def day_end(day: datetime) -> datetime:
    """The end of the chosen day (the next midnight), when the link stops working. The last day the parser
    reads, 9999/12/31, has no next midnight: it ends at the latest time a datetime holds, so no day overflows."""
    if day.date() == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return day + timedelta(days=1)


def status_at(request: ContentRequest, now: datetime) -> str:
    """The status a caller sees: a pending request past its day is expired, even before the job runs."""
    if request.status == PENDING and request.expires_at <= now:
        return EXPIRED
    return request.status


def require_open(request: ContentRequest, now: datetime) -> None:
    """A 409 naming why, unless the request still takes files."""
    status = status_at(request, now)
    if status != PENDING:
        raise closed({COMPLETED: "The content request was already completed",
                      CANCELED: "The content request was canceled",
                      EXPIRED: "The content request has expired"}[status])


def status_actions(status: str, owner_id: str) -> list[Action]:
    """A status change with the shelf and expiry index that follow it."""
    expiring = ContentRequest.expiring.set(PENDING) if status == PENDING else ContentRequest.expiring.remove()
    return [ContentRequest.status.set(status), ContentRequest.shelf.set(shelf(owner_id, status)), expiring]


def is_id(value: str) -> bool:
    """A request's id: at most 15 digits. Any other path segment is read as a link's token."""
    return parse_id(value) is not None


def request_id(value: str) -> int:
    """The id a path names; 422 naming `id` unless it is at most 15 digits."""
    return path_id(value, lambda: refused("id", "Must be a Integer"))


def expiration_day(text: str) -> datetime:
    """The day an expiration date names (2022/06/07, or as the API answers it), as midnight UTC; a 422 unless it
    is a real day, today or later. The document sets no upper bound: any day to 9999/12/31 is taken."""
    match = fields.DAY.fullmatch(text.strip())
    try:
        day = date(*(int(part) for part in match.groups()[:3])) if match else None
    except ValueError:
        day = None
    if day is None:
        raise refused("content_request[expiration_date]", NO_DAY)
    if day < clock.now().date():
        raise refused("content_request[expiration_date]", PAST)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def create(account: Account, new: dict[str, Any]) -> ContentRequest:
    """A pending request with a fresh link; the token is claimed in the same transaction, so it is unique.

    `new` is the checked `content_request`, its expiration day read (expiration_day)."""
    now = clock.now()
    request = ContentRequest(
        next_id("content-requests"), owner_id=account.id, name=new["name"].strip(),
        recipient=new["recipient"].strip(), prompt=new["prompt"].strip(), expiration_date=new["expiration_date"],
        expires_at=day_end(new["expiration_date"]), time_type=new.get("time_type") or ONE_TIME, status=PENDING,
        shelf=shelf(account.id, PENDING), expiring=PENDING, created_at=now, updated_at=now)

    def write(transaction: Any) -> None:
        transaction.save(RequestToken(request.token, request_id=request.id),
                         condition=RequestToken.token.does_not_exist())
        transaction.save(request, condition=ContentRequest.id.does_not_exist())

    def once() -> ContentRequest:
        request.token = secrets.token_hex(8)  # 64 random bits: a collision draws again
        transact_write(write)
        return request

    return retried(once, Conflict("contended", "Could not draw a unique link: try again"), on=(ConditionFailed,))


def _get(request_id: int) -> ContentRequest | None:
    return find(ContentRequest, request_id)


def by_token(token: str) -> ContentRequest:
    """The request a link names (anyone with the link may see it); 404 for any other token."""
    try:
        claim = RequestToken.get(token, consistent_read=True) if _TOKEN.fullmatch(token) else None
    except RequestToken.DoesNotExist:
        claim = None
    request = _get(int(claim.request_id)) if claim else None
    if request is None:
        raise not_found("token")
    return request


def current(request: ContentRequest) -> ContentRequest:
    """The request as stored now (after a write lost to a concurrent one); 404 if it was deleted."""
    found = _get(int(request.id))
    if found is None:
        raise not_found("token")
    return found


def owned(request_id: int, account: Account) -> ContentRequest:
    """The caller's own request; another user's is a 404, as is an unknown id."""
    request = _get(request_id)
    if request is None or request.owner_id != account.id:
        raise not_found("id")
    return request


def page(query: dict[str, Any]) -> Page:
    """The `page` and `per_page` of a listing (10 a page by default, at most 100)."""
    return Page(query.get("page", 1), min(query.get("per_page", fields.PER_PAGE), fields.PER_PAGE_MAX))


def listing(account: Account, query: dict[str, Any]) -> tuple[list[ContentRequest], int]:
    """One page of the owner's pending (or other) requests, matched, sorted; and the count before paging.
    Newest first, unless `sort_by` or `sort_to` say otherwise.

    Each list is a Query on the owner's shelf; pending requests past their day count as the other list."""
    now = clock.now()
    pending_shelf = shelf(account.id, PENDING)
    text = query.get("query", "").strip().lower()
    sort_by, sort_to = query.get("sort_by"), query.get("sort_to")
    descending = sort_to == "desc" if sort_to else sort_by is None
    if fields.PENDING[query["pending"]]:
        found = list(ContentRequest.by_shelf.query(pending_shelf, ContentRequest.expires_at > now))
    else:
        found = [*ContentRequest.by_shelf.query(shelf(account.id, COMPLETED)),  # every other status's shelf
                 *ContentRequest.by_shelf.query(pending_shelf, ContentRequest.expires_at <= now)]
    if text:
        found = [r for r in found if any(text in field.lower() for field in (r.name, r.recipient, r.prompt))]
    found.sort(key=lambda r: int(r.id), reverse=descending)  # ties keep creation order
    found.sort(key=_SORT_KEYS[sort_by or "created_at"], reverse=descending)
    return page(query).slice(found), len(found)


_SORT_KEYS = {
    "created_at": lambda r: r.created_at,
    "name": lambda r: r.name.lower(),
    "recipient": lambda r: r.recipient.lower(),
    "expiration_date": lambda r: r.expiration_date,
}


def update(request_id: int, account: Account, given: dict[str, Any]) -> ContentRequest:
    """Apply a PUT's changes (the checked `content_request`: the fields given, not null) in one conditional
    write: it holds only if the status is still the one read."""
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in given.items()
               if name in _CHANGES and value is not None}

    def once() -> ContentRequest:
        request = owned(request_id, account)
        try:
            request.update(actions=_update_actions(request, changes, clock.now()),
                           condition=(ContentRequest.status == request.status)
                           & (ContentRequest.owner_id == account.id))
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            raise TryAgain from error
        return request

    return retried(once, Conflict("contended", "The request changed while it was being updated: try again"))


_CHANGES = ("name", "recipient", "prompt", "expiration_date", "status")


def _update_actions(request: ContentRequest, changes: dict[str, Any], now: datetime) -> list[Action]:
    """Canceling closes a pending or expired request; a new expiration day reopens an expired one."""
    actions = [getattr(ContentRequest, name).set(changes[name]) for name in ("name", "recipient", "prompt")
               if name in changes]
    status = request.status
    if changes.get("status") == CANCELED:
        if request.status == COMPLETED:
            raise closed("A completed request cannot be canceled")
        status = CANCELED
    if "expiration_date" in changes:
        day = changes["expiration_date"]
        actions += [ContentRequest.expiration_date.set(day), ContentRequest.expires_at.set(day_end(day))]
        if status == EXPIRED:
            status = PENDING
    if status != request.status:
        actions += status_actions(status, request.owner_id)
    return actions + [ContentRequest.updated_at.set(now)]


def delete(request_id: int, account: Account) -> None:
    """Remove the request, its link, its file records and its files in the bucket."""
    request = owned(request_id, account)

    def write(transaction: Any) -> None:
        transaction.delete(request, condition=ContentRequest.owner_id == account.id)
        transaction.delete(RequestToken(request.token))

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise not_found("id") from error
    # The request is gone, so no completion can name these files any more; what follows is cleanup.
    with MediaFile.batch_write() as batch:
        for item in MediaFile.query(request.id):
            batch.delete(item)
    storage.delete_prefix(key_prefix(request))
    storage.delete_prefix(layout.UPLOADS + key_prefix(request))


def expire_due(now: datetime) -> int:
    """Expire every pending request whose day ended at or before `now`; the number this run expired."""
    due = ContentRequest.by_expiry.query(PENDING, ContentRequest.expires_at <= now)
    return sum(_expire(request, now) for request in due)


def _expire(request: ContentRequest, now: datetime) -> int:
    """1 if this run expired the request; claimed with a condition, so an overlapping run changes nothing."""
    try:
        ContentRequest(request.id).update(
            actions=[*status_actions(EXPIRED, request.owner_id), ContentRequest.updated_at.set(now)],
            condition=(ContentRequest.status == PENDING) & (ContentRequest.expires_at <= now))
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return 0
    return 1
