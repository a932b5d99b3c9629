"""Request rules: create within the active limit and the hours, "nearest" by geohash, seen, renew, follow."""
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, NamedTuple, cast

from chalicelib.core import batch, clock, metric_names, telemetry, transactions
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, Conflict, NotFound
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.settings import get_settings
from chalicelib.core.store import get_or
from chalicelib.core.telemetry import Tally
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.geo import cells as geo
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account
from chalicelib.nearby import index
from chalicelib.nearby.models import (
    ACTIVE,
    DIRECT,
    EXPIRED,
    LIFETIME,
    MAP,
    REFINE,
    REPAIR,
    ActiveRequests,
    DirectDelivery,
    Follow,
    NearbyRequest,
    RequestCell,
    Seen,
    position,
)

# Due requests read per BatchGetItem by the expiry job (its limit is 100).
EXPIRY_PAGE = 25
NEAREST_MAX, DIRECT_MAX = 25, 50
# Map requests rest at night, by the local solar time of their longitude (15 degrees an hour).
QUIET_FROM, QUIET_UNTIL = 22, 7


def local_hour(lon: float, now: datetime) -> int:
    return (now.hour + round(lon / 15)) % 24


def degrees(value: float, places: int = 7) -> float:
    """A coordinate (or radius) rounded: 7 places of a degree is about 1 cm. This also turns the tiny floats that
    JSON allows but DynamoDB refuses (below 1e-130) into 0."""
    return round(float(value), places)


def create(account: Account, new: dict[str, Any]) -> NearbyRequest:
    """A map request (`location`) or a direct one (`receiverUI`: a location is then ignored), from a body that
    fits contracts.NEW_REQUEST. The caller's active-request count is raised under its limit in the same
    transaction that writes the request, its index cells and its deliveries."""
    now = clock.now()
    numbers, circle = new.get("receiverUI"), None
    if numbers is None:
        location = new["location"]
        circle = degrees(location["lat"]), degrees(location["lon"]), degrees(location["radius"], 2)
    if circle and not new.get("override", False) and not QUIET_UNTIL <= local_hour(circle[1], now) < QUIET_FROM:
        raise BadRequest("OUTSIDE_REQUEST_HOURS", "Map requests rest from 22:00 to 07:00 local time")
    numbers = [] if numbers is None else numbers if isinstance(numbers, list) else [numbers]
    receivers = _receivers(sorted({int(number) for number in numbers}))
    lat, lon, radius = circle or (None, None, None)
    cells, held_back = index.cover(*circle) if circle else ((), False)
    request = NearbyRequest(next_id("nearby-requests"), kind=MAP if circle else DIRECT, creator_id=account.id,
                            message=new["message"].strip(), lat=lat, lon=lon, radius=radius, cells=list(cells),
                            receivers=[r.id for r in receivers], receiver_numbers=[int(r.number) for r in receivers],
                            start=now, end=now + LIFETIME, expiring=ACTIVE, reindex=REFINE if held_back else None)
    limit = get_settings().max_active_requests

    def write(transaction: Any) -> None:
        take_slot(transaction, account.id, limit)
        transaction.save(request, condition=NearbyRequest.id.does_not_exist())
        for item in index_items(request):
            transaction.save(item)

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise BadRequest("MAX_ACTIVE_REQUESTS_EXCEEDED", f"At most {limit} requests may be active") from error
    return request


def take_slot(transaction: Any, account_id: str, limit: int) -> None:
    """One more of the account's active requests, as a write of the transaction that fails past `limit`."""
    transaction.update(ActiveRequests(account_id), actions=[ActiveRequests.active.add(1)],
                       condition=ActiveRequests.active.does_not_exist() | (ActiveRequests.active < limit))


def _receivers(numbers: list[int]) -> list[Account]:
    """The receivers' accounts, found by userId in parallel (a Query each: an index is not batch-read)."""
    if not numbers:
        return []
    with ThreadPoolExecutor(min(len(numbers), 8)) as pool:
        found = list(pool.map(accounts.by_number, numbers))
    if None in found:
        raise BadRequest("RECEIVER_NOT_FOUND", "A receiver is not a known userId")
    return cast("list[Account]", found)  # no None: refused above


def index_items(request: NearbyRequest, cells: Iterable[str] | None = None) -> list[RequestCell | DirectDelivery]:
    """The request's geohash cells (or these of them), each on every one of its shard keys (map), or its receivers'
    inbox entries (direct), expiring with it."""
    at = position(request.start, request.id)
    if request.kind == MAP:
        return [RequestCell(key, at, request_id=request.id, creator_id=request.creator_id, lat=request.lat,
                            lon=request.lon, radius=request.radius, end=request.end, remove_at=request.end)
                for cell in (request.cells if cells is None else cells) for key in index.keys(cell)]
    return [DirectDelivery(receiver, at, request_id=request.id, creator_id=request.creator_id, remove_at=request.end)
            for receiver in request.receivers]


def not_found() -> NotFound:
    return NotFound("REQUEST_NOT_FOUND", "The request does not exist")


def get(request_id: int) -> NearbyRequest:
    return get_or(NearbyRequest, request_id, missing=not_found())


def visible(request_id: int, account: Account) -> NearbyRequest:
    """A request the caller may see: any map request; a direct one only its creator and receivers."""
    return visible_of(get(request_id), account)


def visible_of(request: NearbyRequest | None, account: Account) -> NearbyRequest:
    """The request read, if it exists and the caller may see it (as `visible`), else REQUEST_NOT_FOUND."""
    if request is None or (request.kind == DIRECT and account.id != request.creator_id
                           and account.id not in request.receivers):
        raise not_found()
    return request


def is_active(request: NearbyRequest, now: datetime) -> bool:
    return request.status == ACTIVE and request.end > now


def nearest(lat: float, lon: float, account: Account) -> "Listing":
    """The active map requests whose circle holds the point, newest first, at most 25.

    Each precision's cell of the point is read newest first (one shard of it), a page at a time, and the
    streams are merged by creation time: reading stops once 25 circles hold the point, or after index.MAX_QUERIES
    Queries. Then one BatchGetItem reads the requests with the caller's seen marks and their creators."""
    now, lat, lon = clock.now(), degrees(lat), degrees(lon)
    found: list[tuple[int, str | None]] = []
    cells = geo.point_cells(lat, lon).values()
    pages = index.Pages(len(cells), NEAREST_MAX, lambda: len(found))
    streams = _started([index.items_newest_first(cell, pages) for cell in cells])
    for item in heapq.merge(*streams, key=lambda cell: cell.position, reverse=True):
        if item.end > now and geo.contains(item.lat, item.lon, item.radius, lat, lon):
            found.append((int(item.request_id), item.creator_id))
            if len(found) == NEAREST_MAX:
                break
    shown = listing(found, account).active(now)
    telemetry.count(metric_names.NEAREST_ITEMS_READ, telemetry.items_read())  # the whole request's, sign-in included
    return shown


def _started(streams: list[Iterator[RequestCell]]) -> list[Iterator[RequestCell]]:
    """The streams with their first pages read at once (one thread each), not one after another."""
    with ThreadPoolExecutor(len(streams)) as pool:
        firsts = list(pool.map(lambda stream: list(itertools.islice(stream, 1)), streams))
    return [itertools.chain(first, stream) for first, stream in zip(firsts, streams, strict=True)]


def direct(account: Account) -> "Listing":
    """The active direct requests addressed to the caller, newest first."""
    deliveries = DirectDelivery.query(account.id, scan_index_forward=False, limit=DIRECT_MAX)
    return listing([(int(d.request_id), d.creator_id) for d in deliveries], account).active(clock.now())


class Listing(NamedTuple):
    """Requests as the routes show them: in order, with the ids the caller marked seen and the people they name."""

    requests: list[NearbyRequest]
    seen: set[int]
    people: dict[str, Account]

    def active(self, now: datetime) -> "Listing":
        return Listing([r for r in self.requests if is_active(r, now)], self.seen, self.people)


def listing(found: list[tuple[int, str | None]], account: Account, known: Iterable[NearbyRequest] = ()) -> Listing:
    """The requests `found` names (id, creator id where the index keeps it) that exist, in order, read in one
    BatchGetItem with the caller's seen marks and the creators (`known` requests are not read again). A second
    read fetches only people that older items did not name."""
    read_before = {int(r.id): r for r in known}
    ids = [request_id for request_id, _ in found]
    items = batch.read([*((NearbyRequest, i) for i in ids if i not in read_before),
                        *((Seen, (i, account.id)) for i in ids),
                        *((Account, creator) for _, creator in found if creator),
                        *((Account, person) for r in read_before.values() for person in _named(r))])
    by_id = read_before | {int(item.id): item for (model, _), item in items.items() if model is NearbyRequest}
    requests = [by_id[i] for i in ids if i in by_id]
    people = {item.id: item for (model, _), item in items.items() if model is Account}
    unread = set().union(*(_named(r) for r in requests)) - people.keys()
    people |= accounts.get_many(unread)
    seen = {int(item.request_id) for (model, _), item in items.items() if model is Seen and item.seen}
    return Listing(requests, seen, people)


def _named(request: NearbyRequest) -> set[str]:
    """The accounts a request's shape names: its creator, and its receivers where it does not keep their numbers."""
    return {request.creator_id} | (set() if request.receiver_numbers is not None else set(request.receivers))


def mark_seen(request: NearbyRequest, account: Account, seen: bool) -> None:
    Seen(request.id, account.id, seen=seen).save()


def renew(request_id: int, account: Account) -> datetime:
    """Move the request's end to now + 7 days; an expired request becomes active again (its index items
    written anew, a slot taken under the creator's limit). One transaction, conditioned on the status read."""

    def once() -> datetime:
        request = get(request_id)
        if request.creator_id != account.id:
            raise BadRequest("NOT_REQUEST_OWNER", "Only the request's creator may renew it")
        new_end = clock.now() + LIFETIME
        try:
            transact_write(_renewal(request, new_end))
        except ConditionFailed as error:
            if 0 not in error.items:  # the status held: the creator's active limit did not
                limit = get_settings().max_active_requests
                raise BadRequest("MAX_ACTIVE_REQUESTS_EXCEEDED", f"At most {limit} requests may be active") from error
            raise TryAgain from error  # the status changed since the read (a renewal, the expiry job): read again
        return new_end

    return retried(once, Conflict("contended", "Too many changes at once to this request: try again"))


def _renewal(request: NearbyRequest, new_end: datetime) -> Callable[[Any], None]:
    """One try: the request's end (and, if it had expired, its status and a slot of its creator's), and its
    index items put afresh with the new end (the expiry job deleted an expired request's; TTL may have), as many as
    the transaction holds: `reindex-requests` puts the rest of a refined cover's. Conditioned on the status and cover
    read (`reindex-requests` may have split its cells since)."""
    was_active = request.status == ACTIVE
    request.end = new_end  # index_items carry the request's end
    limit = get_settings().max_active_requests
    items, room = index_items(request), transactions.ITEMS - 1 - (not was_active)

    def write(transaction: Any) -> None:
        transaction.update(request, actions=[NearbyRequest.end.set(new_end), NearbyRequest.status.set(ACTIVE),
                                             NearbyRequest.expiring.set(ACTIVE), *_owed(request, items, room)],
                           condition=(NearbyRequest.status == request.status) & same_cover(request))
        if not was_active:
            take_slot(transaction, request.creator_id, limit)
        for item in items[:room]:
            transaction.save(item)

    return write


def _owed(request: NearbyRequest, items: list[Any], room: int) -> list[Any]:
    """The request's mark for `reindex-requests` when its index items outnumber the transaction's room: it writes
    the rest (an earlier mark, to refine on, it meets then too)."""
    return [NearbyRequest.reindex.set(REPAIR)] if len(items) > room else []


def same_cover(request: NearbyRequest) -> Any:
    """The condition that a map request's cells are still those read: a write that deletes or puts its index items
    must not meet a cover `reindex-requests` changed meanwhile (a direct request's hold nothing, and always hold)."""
    return NearbyRequest.cells == list(request.cells) if request.kind == MAP else NearbyRequest.id.exists()


def follow(request: NearbyRequest, account: Account) -> None:
    Follow(request.id, account.id, followed_at=clock.now()).save()


def unfollow(request: NearbyRequest, account: Account) -> None:
    Follow(request.id, account.id).delete()


def expire_due(now: datetime) -> Tally:
    """Expire every active request whose end is at or before `now` (the expire-requests job): its status, its
    creator's slot and its index items change at once. The requests met, and those this run expired."""
    due = NearbyRequest.by_end.query(ACTIVE, NearbyRequest.end <= now, page_size=EXPIRY_PAGE)
    tally = Tally()
    for keys in batch.chunks(due, EXPIRY_PAGE):
        # The index holds keys only; the request's creator, cells and receivers are on the item.
        for request in NearbyRequest.batch_get([int(k.id) for k in keys]):
            if request.status == ACTIVE and request.end <= now:
                tally.take(lambda: _expire(request, now))  # noqa: B023  (called at once)
    return tally


def _expire(request: NearbyRequest, now: datetime) -> int:
    """1 if this run expired the request. The status and cover are claimed with a condition, so a run that overlaps
    another (or a renewal) changes nothing, and one that meets a refinement leaves the request to the next run."""

    items, room = index_items(request), transactions.ITEMS - 2
    owed = _owed(request, items, room) or [NearbyRequest.reindex.remove()]  # nothing to refine once expired

    def write(transaction: Any) -> None:
        transaction.update(request, actions=[NearbyRequest.status.set(EXPIRED), NearbyRequest.expiring.remove(),
                                             *owed],
                           condition=(NearbyRequest.status == ACTIVE) & (NearbyRequest.end <= now)
                           & same_cover(request))
        transaction.update(ActiveRequests(request.creator_id), actions=[ActiveRequests.active.add(-1)])
        for item in items[:room]:
            transaction.delete(item)

    try:
        transact_write(write)
    except ConditionFailed:
        return 0
    return 1
