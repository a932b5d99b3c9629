"""The DynamoDB round trips of each /api/v4/content_requests route's success path: at most 3 (a transaction or a
BatchGetItem counts as one) unless the route's contract names why it needs more (`round_trips_why`); and a page of
the listing reads about a page of requests, not every request of the owner.

No route is an exception. A completion, whose link's token names the request, reads the token (a GetItem: its claim
names the request and the owner), then the request, the files the body names and the owner in one BatchGetItem,
then writes one transaction. A token stored before its claim named the owner costs a 4th (the owner, read after the
request): old data only.

Not counted: the UpdateItem on the `counters` table by which a process reserves a block of 100 ids
(core/counters.py). A create pays it once per 100 ids in a process, not per request."""
import boto3
import pytest

from chalicelib.content_requests import contracts as c
from chalicelib.content_requests.models import RequestToken
from tests.round_trips import counted
from tests.unit.content_requests.conftest import BASE


def items_read(calls) -> int:
    """The items the recorded reads of content requests went through (Query and Scan again, counting what they
    scanned; GetItem and BatchGetItem by their keys)."""
    client, read = boto3.client("dynamodb"), 0
    for service, operation, params in list(calls):
        if service != "dynamodb":
            continue
        if operation in ("Query", "Scan") and params["TableName"].endswith("-content-requests"):
            answer = client.query(**params) if operation == "Query" else client.scan(**params)
            read += answer["ScannedCount"]
        elif operation == "BatchGetItem":
            read += sum(len(request["Keys"]) for table, request in params["RequestItems"].items()
                        if table.endswith("-content-requests"))
        elif operation == "GetItem" and params["TableName"].endswith("-content-requests"):
            read += 1
    return read


def test_no_route_may_take_more_than_three():
    assert [name for name, contract in vars(c).items() if getattr(contract, "round_trips", 3) > 3] == []


def test_each_route_takes_at_most_three_round_trips(api, owner, create, send, aws_calls):
    measured = []

    def walk(contract, method, path, body=None, token=None):
        trips, answer = counted(api, aws_calls, method, path, body, token)
        measured.append((contract, method, path, trips))
        return answer

    first, second = create(), create(name="Second", time_type="multi_use")
    walk(c.CREATE, "POST", BASE, {"content_request": {"name": "n", "recipient": "r", "prompt": "p",
                                                      "expiration_date": "2026/12/01"}}, owner)
    for query in ("pending=true", "pending=false", "pending=true&sort_by=name&sort_to=asc", "pending=true&query=gar"):
        walk(c.INDEX, "GET", f"{BASE}?{query}", token=owner)
    walk(c.SHOW, "GET", f"{BASE}/{first['id']}", token=owner)
    walk(c.SHOW, "GET", f"{BASE}/{first['token']}")
    upload = {"name": "a.png", "format_type": "png", "media_type": "photo", "size": 64}
    walk(c.UPLOAD, "POST", f"{BASE}/{second['token']}/uploads", upload)
    sent = send(second["token"])
    walk(c.COMPLETE, "PUT", f"{BASE}/{second['token']}/complete", {"media_files": [sent]})
    walk(c.MEDIA_FILES, "GET", f"{BASE}/{second['id']}/media_files", token=owner)
    walk(c.UPDATE, "PUT", f"{BASE}/{first['id']}", {"content_request": {"name": "Renamed"}}, owner)
    walk(c.UPDATE, "PUT", f"{BASE}/{first['id']}", {"content_request": {"status": "canceled"}}, owner)
    walk(c.INDEX, "GET", f"{BASE}?pending=false", token=owner)
    walk(c.DESTROY, "DELETE", f"{BASE}/{first['id']}", token=owner)
    walk(c.DESTROY, "DELETE", f"{BASE}/{second['id']}", token=owner)
    over = [(method, path, trips) for contract, method, path, trips in measured if trips > contract.round_trips]
    assert not over, over


@pytest.mark.parametrize("query", ["pending=true", "pending=true&sort_by=name&sort_to=asc",
                                   "pending=true&sort_by=expiration_date", "pending=false",
                                   "pending=false&sort_by=recipient&sort_to=desc"])
def test_a_page_of_the_listing_reads_about_a_page(api, owner, create, aws_calls, fixed_clock, query):
    """150 requests (some canceled), 5 a page: the second page reads at most about two pages of requests."""
    for number in range(150):
        made = create(name=f"Request {number:03d}", recipient=f"R {149 - number:03d}")
        if number % 3 == 0:
            assert api.put(f"{BASE}/{made['id']}", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    trips, answer = counted(api, aws_calls, "GET", f"{BASE}?{query}&per_page=5&page=2", token=owner)
    assert len(answer["content_requests"]) == 5
    assert answer["meta"]["total_count"] == (100 if "pending=true" in query else 50)
    assert trips <= c.INDEX.round_trips
    assert items_read(aws_calls) <= 2 * 2 * 5 + 2


def test_a_completion_through_a_token_stored_before_it_named_the_owner_still_tells_the_owner(
        api, create, send, outbox, aws_calls):
    """Tokens stored before `RequestToken.owner_id`: the owner is read after the request, one round trip more."""
    made = create()
    RequestToken(made["token"]).update(actions=[RequestToken.owner_id.remove()])
    sent = send(made["token"])

    trips, answer = counted(api, aws_calls, "PUT", f"{BASE}/{made['token']}/complete", {"media_files": [sent]})

    assert (answer, trips) == ({"success": True}, 4)
    assert [email.to for email in outbox.sent] == ["owner@example.com"]
