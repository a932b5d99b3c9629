"""Content request rules: create with an unguessable link, find by link or id, list an owner's requests,
change, cancel, delete (with the files sent), and expire."""
import logging
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.content_requests import fields
from chalicelib.content_requests.errors import closed, not_found, refused
from chalicelib.content_requests.models import (
    CANCELED,
    COMPLETED,
    EXPIRED,
    ONE_TIME,
    PENDING,
    SORTED_BY,
    ContentRequest,
    MediaFile,
    OwnerTally,
    RequestToken,
    live_day,
    shelf,
    sort_keys,
)
from chalicelib.core import clock, transactions
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.pagination import QUERY_LIMIT, Page
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.routing import parse_id, path_id
from chalicelib.core.store import find
from chalicelib.core.telemetry import Tally
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.files import layout, storage
from chalicelib.identity.models import Account

log = logging.getLogger(__name__)
PAST = "Must not be in the past"
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
        raise refused("content_request[expiration_date]", fields.NO_DAY)
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
    for name, key in sort_keys(request.id, now, request.name, request.recipient, request.expiration_date).items():
        setattr(request, name, key)

    def write(transaction: Any) -> None:
        transaction.save(RequestToken(request.token, request_id=request.id, owner_id=account.id),
                         condition=RequestToken.token.does_not_exist())
        transaction.save(request, condition=ContentRequest.id.does_not_exist())
        transaction.update(OwnerTally(account.id), actions=[OwnerTally.requests.add(1),
                                                            live_day(request.expiration_date).add(1)])

    def once() -> ContentRequest:
        request.token = secrets.token_hex(8)  # 64 random bits: a collision draws again
        transact_write(write)
        return request

    return retried(once, Conflict("contended", "Could not draw a unique link: try again"), on=(ConditionFailed,))


def _get(request_id: int) -> ContentRequest | None:
    return find(ContentRequest, request_id)


def by_token(token: str) -> ContentRequest:
    """The request a link names (anyone with the link may see it); 404 for any other token."""
    claim = token_claim(token)
    return named(claim, {(ContentRequest, int(claim.request_id)): _get(int(claim.request_id))} if claim else {})


def token_claim(token: str) -> RequestToken | None:
    """The claim of a link's token, naming its request (and owner): None for any other token."""
    return find(RequestToken, token) if _TOKEN.fullmatch(token) else None


def named(claim: RequestToken | None, read: dict[Any, Any]) -> ContentRequest:
    """The request a token's claim names, among items `read` by (model, key) (core.batch); 404 naming `token` if
    there is no claim or no such request."""
    request = read.get((ContentRequest, int(claim.request_id))) if claim else None
    if request is None:
        raise not_found("token")
    return cast(ContentRequest, request)


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


def listing(account: Account, query: dict[str, Any], tally: OwnerTally | None) -> tuple[list[ContentRequest], int]:
    """One page of the owner's pending (or other) requests, sorted, and how many the list holds. Newest first,
    unless `sort_by` or `sort_to` say otherwise.

    A page is read from the owner's shelf sorted as asked, up to its end, and the count comes from the owner's
    tally; pending requests past their day (until the hourly job expires them) count as the other list. A search
    (`query`) matches text inside the fields, which no index serves: it reads the whole list. So does an owner
    with no tally yet (requests stored before tallies: docs/decisions.md)."""
    now, window = clock.now(), page(query)
    sort_by, sort_to = query.get("sort_by"), query.get("sort_to")
    descending = sort_to == "desc" if sort_to else sort_by is None
    pending = fields.PENDING[query["pending"]]
    text = query.get("query", "").strip().lower()
    if text or tally is None:
        found = _searched(_whole_list(account, pending, now), text, sort_by, descending)
        return window.slice(found), len(found)
    ended = list(ContentRequest.by_shelf.query(shelf(account.id, PENDING), ContentRequest.expires_at <= now))
    total = tally.pending(now) if pending else int(tally.requests) - tally.pending(now)
    index = SORTED_BY[sort_by or "created_at"]
    if pending:
        found = _read_sorted(index, shelf(account.id, PENDING), descending, window.limit,
                             ContentRequest.expires_at > now, len(ended))
    else:
        closed = _read_sorted(index, shelf(account.id, COMPLETED), descending, window.limit, None, 0)
        found = _sorted([*closed, *ended], sort_by, descending)
    return window.slice(found), total


def _read_sorted(index: Any, owner_shelf: str, descending: bool, limit: int, keep: Condition | None,
                 skipped: int) -> list[ContentRequest]:
    """The first `limit` requests of a sorted shelf that `keep`: reading at most `skipped` more, the requests
    past their day that the filter drops."""
    return list(index.query(owner_shelf, scan_index_forward=not descending, filter_condition=keep, limit=limit,
                            page_size=min(limit + skipped, QUERY_LIMIT)))


def _whole_list(account: Account, pending: bool, now: datetime) -> list[ContentRequest]:
    """Every request of the owner's pending (or other) list: each list is a Query on the owner's shelf."""
    pending_shelf = shelf(account.id, PENDING)
    if pending:
        return list(ContentRequest.by_shelf.query(pending_shelf, ContentRequest.expires_at > now))
    return [*ContentRequest.by_shelf.query(shelf(account.id, COMPLETED)),  # every other status's shelf
            *ContentRequest.by_shelf.query(pending_shelf, ContentRequest.expires_at <= now)]


def _searched(found: list[ContentRequest], text: str, sort_by: str | None, descending: bool) -> list[ContentRequest]:
    """The requests whose name, recipient or prompt holds `text`, sorted."""
    if text:
        found = [r for r in found if any(text in field.lower() for field in (r.name, r.recipient, r.prompt))]
    return _sorted(found, sort_by, descending)


def _sorted(found: list[ContentRequest], sort_by: str | None, descending: bool) -> list[ContentRequest]:
    """Sorted as the listing sorts: by the field, ties by id in the same direction (as the sorted shelves)."""
    found = sorted(found, key=lambda r: int(r.id), reverse=descending)
    return sorted(found, key=_SORT_KEYS[sort_by or "created_at"], reverse=descending)


_SORT_KEYS = {
    "created_at": lambda r: r.created_at,
    "name": lambda r: r.name.lower(),
    "recipient": lambda r: r.recipient.lower(),
    "expiration_date": lambda r: r.expiration_date,
}


def update(request_id: int, account: Account, given: dict[str, Any]) -> ContentRequest:
    """Apply a PUT's changes (the checked `content_request`: the fields given, not null) in one transaction with
    the owner's tally: it holds only if the status and day are still the ones read."""
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in given.items()
               if name in _CHANGES and value is not None}

    def once() -> ContentRequest:
        request = owned(request_id, account)
        old_live, unchanged = live(request), _unchanged(request, account)  # as read, before the changes
        actions = _update_actions(request, changes, clock.now())

        def write(transaction: Any) -> None:
            transaction.update(request, actions=actions, condition=unchanged)
            recount(transaction, request.owner_id, old_live, live(request))

        _write_or_again(write)
        return request

    return retried(once, Conflict("contended", "The request changed while it was being updated: try again"))


_CHANGES = ("name", "recipient", "prompt", "expiration_date", "status")


def live(request: ContentRequest) -> datetime | None:
    """The expiration day a request counts under in its owner's tally: None once completed or canceled."""
    return request.expiration_date if request.status in (PENDING, EXPIRED) else None


def _unchanged(request: ContentRequest, account: Account) -> Condition:
    """That the request is still the owner's, with the status and day read (what its tally count depends on)."""
    return cast(Condition, (ContentRequest.status == request.status) & (ContentRequest.owner_id == account.id)
                & (ContentRequest.expiration_date == request.expiration_date))


def recount(transaction: Any, owner_id: str, old: datetime | None, new: datetime | None, requests: int = 0) -> None:
    """Move the owner's tally from a request's old live day to its new one (None: not live), in the transaction
    that changes the request; `requests` is what the owner's number of requests changes by."""
    actions = [OwnerTally.requests.add(requests)] if requests else []
    if old != new:
        actions += [live_day(day).add(step) for day, step in ((old, -1), (new, 1)) if day is not None]
    if actions:
        transaction.update(OwnerTally(owner_id), actions=actions)


def _write_or_again(write: Any) -> None:
    """Run a transaction whose condition is what was read: if it changed meanwhile, read again (TryAgain)."""
    try:
        transact_write(write)
    except ConditionFailed as error:
        raise TryAgain from error


def _update_actions(request: ContentRequest, changes: dict[str, Any], now: datetime) -> list[Action]:
    """Canceling closes a pending or expired request; a new expiration day reopens an expired one. `request` takes
    the changes (the answer shows them), and the sorted shelves' keys follow."""
    status = request.status
    if changes.get("status") == CANCELED:
        if request.status == COMPLETED:
            raise closed("A completed request cannot be canceled")
        status = CANCELED
    changed: list[str] = [name for name in ("name", "recipient", "prompt") if name in changes]
    for name in changed:
        setattr(request, name, changes[name])
    if "expiration_date" in changes:
        request.expiration_date, request.expires_at = changes["expiration_date"], day_end(changes["expiration_date"])
        changed += ["expiration_date", "expires_at"]
        if status == EXPIRED:
            status = PENDING
    actions = [getattr(ContentRequest, name).set(getattr(request, name)) for name in changed]
    if status != request.status:
        actions += status_actions(status, request.owner_id)
        request.status, request.shelf = status, shelf(request.owner_id, status)
    request.updated_at = now
    return actions + _sort_key_actions(request) + [ContentRequest.updated_at.set(now)]


def _sort_key_actions(request: ContentRequest) -> list[Action]:
    """Set the sorted shelves' keys from the request's fields (a request stored before them gains them here)."""
    keys = sort_keys(request.id, request.created_at, request.name, request.recipient, request.expiration_date)
    return [getattr(ContentRequest, name).set(key) for name, key in keys.items()]


# The items a delete's transaction holds besides the request's file records: the request, its token, the tally.
_DELETE_OWN_ITEMS = 3


def delete(request_id: int, account: Account, read: ContentRequest | None) -> None:
    """Remove the request (`read` with the caller's account; None if there is none), its link, its count in the
    owner's tally and its file records in one transaction (records past what a transaction holds go after it);
    then its files in the bucket."""
    first = [read]

    def once() -> ContentRequest:
        request = first.pop() if first else _get(request_id)
        if request is None or request.owner_id != account.id:
            raise not_found("id")
        files = list(MediaFile.query(request.id))
        held, rest = files[:transactions.ITEMS - _DELETE_OWN_ITEMS], files[transactions.ITEMS - _DELETE_OWN_ITEMS:]

        def write(transaction: Any) -> None:
            transaction.delete(request, condition=_unchanged(request, account))
            transaction.delete(RequestToken(request.token))
            recount(transaction, request.owner_id, live(request), None, requests=-1)
            for item in held:
                transaction.delete(item)

        _write_or_again(write)
        # The request is gone, so no completion can name these files any more; what follows is cleanup.
        with MediaFile.batch_write() as batch:
            for item in rest:
                batch.delete(item)
        return request

    request = retried(once, Conflict("contended", "The request changed while it was being deleted: try again"))
    storage.delete_prefix(key_prefix(request))
    storage.delete_prefix(layout.UPLOADS + key_prefix(request))


def expire_due(now: datetime) -> Tally:
    """Expire every pending request whose day ended at or before `now`: those met, and those this run expired."""
    tally = Tally()
    for request in ContentRequest.by_expiry.query(PENDING, ContentRequest.expires_at <= now):
        tally.take(lambda: _expire(request, now))  # noqa: B023  (called at once)
    return tally


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
