"""expire-requests: requests past their end become expired, free their owner's slot and leave the index."""
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.jobs import job
from chalicelib.nearby import requests
from chalicelib.nearby.models import ACTIVE, EXPIRED, ActiveRequests, NearbyRequest

# Due requests read per BatchGetItem (its limit is 100).
PAGE = 25


@job("expire-requests", every_minutes=5,
     description="expire requests past their end: free the owner's slot, drop them from nearest and inboxes",
     tables=("nearby-requests", "nearby-active-requests", "nearby-request-cells", "nearby-deliveries"))
def expire_requests(now: datetime) -> int:
    """Expire every active request whose end is at or before `now`; the number this run expired."""
    due = NearbyRequest.by_end.query(ACTIVE, NearbyRequest.end <= now, page_size=PAGE)
    expired = 0
    for keys in _chunks(due, PAGE):
        # The index holds keys only; the request's creator, cells and receivers are on the item.
        for request in NearbyRequest.batch_get([int(k.id) for k in keys]):
            if request.status == ACTIVE and request.end <= now:
                expired += _expire(request, now)
    return expired


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _expire(request: NearbyRequest, now: datetime) -> int:
    """1 if this run expired the request: its status, its owner's count and its index items change at once.

    The status is claimed with a condition, so a run that overlaps another (or a renewal) changes nothing."""

    def write(transaction: Any) -> None:
        transaction.update(request, actions=[NearbyRequest.status.set(EXPIRED), NearbyRequest.expiring.remove()],
                           condition=(NearbyRequest.status == ACTIVE) & (NearbyRequest.end <= now))
        transaction.update(ActiveRequests(request.creator_id), actions=[ActiveRequests.count.add(-1)])
        for item in requests.index_items(request):
            transaction.delete(item)

    try:
        transact_write(write)
    except ConditionFailed:
        return 0
    return 1

