"""`make backfill` for content requests (local/backfill.py): requests stored before the sorted shelves'
keys and `expiring` existed are missing from the sorted listings and from the expiry job's index; the backfill
writes those keys as a create would, once."""
from chalicelib.content_requests.models import ContentRequest
from local import backfill
from tests.unit.content_requests.test_list import ids

SORTED = ("sort_by=name&sort_to=asc", "sort_by=recipient", "sort_by=expiration_date", "sort_to=asc")
KEYS = ("created_key", "name_key", "recipient_key", "expiration_key", "expiring")


def _stored(request_id: int) -> dict:
    return ContentRequest.get(request_id, consistent_read=True).serialize()


def _listings(api, owner) -> dict[str, tuple]:
    return {query: ids(api, owner, f"pending=true&{query}") for query in SORTED}


def test_the_backfill_puts_older_requests_back_on_the_sorted_shelves_and_the_expiry_index(api, owner, create,
                                                                                        fixed_clock):
    for name in ("Birthday", "Anniversary", "Christening"):
        create(name=name)
        fixed_clock.advance(minutes=1)
    listed, written = _listings(api, owner), _stored(2)
    ContentRequest.get(2).update(actions=[getattr(ContentRequest, key).remove() for key in KEYS])
    assert all(2 not in found for found, _ in _listings(api, owner).values())
    assert list(ContentRequest.by_expiry.query("pending")) and 2 not in {
        int(request.id) for request in ContentRequest.by_expiry.query("pending")}

    tally = backfill.content_requests()

    assert (tally.changed, tally.failed) == (2, 0)  # the sorted keys, then `expiring`
    assert _listings(api, owner) == listed
    assert _stored(2) == written
    assert (backfill.content_requests().changed, _stored(2)) == (0, written)
