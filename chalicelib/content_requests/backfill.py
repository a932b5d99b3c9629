"""The content-request indexes' keys on requests stored before they existed (core/backfill.py): the owner's shelf,
the sorted shelves' keys, and `expiring` on pending requests (the expiry job's index), as a create writes them."""
from typing import Any

from chalicelib.content_requests.models import PENDING, ContentRequest, shelf, sort_keys
from chalicelib.core.backfill import fill
from chalicelib.core.telemetry import Tally


def run() -> Tally:
    tally = Tally()
    fill(ContentRequest, ContentRequest.id, ContentRequest.shelf,
         lambda request: {"shelf": shelf(request.owner_id, request.status)}, tally)
    fill(ContentRequest, ContentRequest.id, ContentRequest.created_key, _sort_keys, tally)
    fill(ContentRequest, ContentRequest.id, ContentRequest.expiring,
         lambda request: {"expiring": PENDING} if request.status == PENDING else {}, tally)
    return tally


def _sort_keys(request: ContentRequest) -> dict[str, Any]:
    return sort_keys(int(request.id), request.created_at, request.name, request.recipient, request.expiration_date)
