"""reindex-requests' rules: the index work a request's own transaction could not hold, done off the request path.

A cover create's budget held back (REFINE) is refined on, and a renewal's or an expiry's items beyond its
transaction's hundred (REPAIR) are put or deleted. Each step is one transaction that also updates the request,
conditioned on the cover, status and end read: a renewal or an expiry that meets a refinement half-way sees a whole
cover, and a step that meets a later renewal or expiry changes nothing (that one owns the items now).
"""
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.core import transactions
from chalicelib.core.batch import chunks
from chalicelib.core.telemetry import Tally
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.nearby import index
from chalicelib.nearby.models import MAP, REFINE, REPAIR, NearbyRequest
from chalicelib.nearby.requests import index_items, is_active, same_cover

# Marked requests read per BatchGetItem (its limit is 100); each is then reindexed on its own.
REINDEX_PAGE = 25
# A run takes no more requests after this long (a refinement takes a second or two), well within the functions'
# 30 s timeout: the rest wait for the next run, a minute later.
RUN_SECONDS = 20


def reindex_marked(now: datetime) -> Tally:
    """Do the index work marked requests are owed, repairs first, the oldest request first, for up to RUN_SECONDS:
    the requests met, and those whose index items this run changed. A request that changed meanwhile keeps its mark
    for the next run."""
    tally, stop = Tally(), time.monotonic() + RUN_SECONDS
    for mark in (REPAIR, REFINE):
        for keys in chunks(NearbyRequest.reindexing.query(mark, page_size=REINDEX_PAGE), REINDEX_PAGE):
            for request in NearbyRequest.batch_get([int(k.id) for k in keys]):
                if time.monotonic() >= stop:
                    return tally
                tally.take(lambda: reindex(request, now))  # noqa: B023  (called at once)
    return tally


def reindex(request: NearbyRequest, now: datetime) -> bool:
    """The request's index items brought in line with it (REPAIR), and its cover refined on while it is active; the
    mark lifted with the last step. Whether any item changed."""
    if request.reindex is None:
        return False  # done since the index was read (it is eventually consistent)
    repair = request.reindex == REPAIR
    try:
        if not is_active(request, now):
            return _in_steps(request, [(item, False) for item in index_items(request)] if repair else [])
        if repair:
            _in_steps(request, [(item, True) for item in index_items(request)], lift=False)
        return _refine(request) or repair
    except ConditionFailed:
        return False  # renewed, expired or reindexed meanwhile: the next run reads it again if it is still marked


def _refine(request: NearbyRequest) -> bool:
    """Take a map request's cover on to `index.further`'s, one split group a step (`index.follow_ups`); whether it
    split any cell (with nothing to split, the mark is lifted alone)."""
    steps = [] if request.kind != MAP else index.follow_ups(
        request.cells, index.further(request.lat, request.lon, request.radius, request.cells))
    if not steps:
        return _in_steps(request, [])
    for n, (before, after) in enumerate(steps, 1):
        writes = [*((item, False) for item in index_items(request, before - after)),
                  *((item, True) for item in index_items(request, after - before))]
        _step(request, writes, sorted(after), lift=n == len(steps))
        request.cells = sorted(after)
    return True


def _in_steps(request: NearbyRequest, writes: list[tuple[Any, bool]], lift: bool = True) -> bool:
    """Put (True) or delete (False) these index items of the request, transactions.ITEMS - 1 a step, the mark lifted
    with the last when `lift`; whether there were any."""
    parts = list(chunks(writes, transactions.ITEMS - 1)) or [[]]
    for n, part in enumerate(parts, 1):
        _step(request, part, None, lift=lift and n == len(parts))
    return bool(writes)


def _step(request: NearbyRequest, writes: Iterable[tuple[Any, bool]], cells: list[str] | None, lift: bool) -> None:
    """One transaction: the request updated (its new `cells`, its mark lifted or kept), conditioned on the status,
    end and cover read, with these index items put or deleted."""
    actions = [NearbyRequest.reindex.remove() if lift else NearbyRequest.reindex.set(request.reindex)]
    if cells is not None:
        actions.append(NearbyRequest.cells.set(cells))
    condition = same_cover(request) & (NearbyRequest.status == request.status) & (NearbyRequest.end == request.end)

    def write(transaction: Any) -> None:
        transaction.update(request, actions=actions, condition=condition)
        for item, put in writes:
            (transaction.save if put else transaction.delete)(item)

    transact_write(write)
