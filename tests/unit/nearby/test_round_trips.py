"""The DynamoDB round trips of each nearby route's success path: at most 3 (a transaction or a BatchGetItem counts
as one, signing in included) unless the route's contract names why it needs more (`round_trips_why`)."""
from chalicelib.nearby import contracts as c
from tests.round_trips import round_trips
from tests.unit.nearby.conftest import ASK, ATLANTA
from tests.unit.nearby.test_responses import upload

V = "/api/v04"


def test_only_the_named_exceptions_may_take_more_than_three():
    assert sorted(name for name, contract in vars(c).items() if getattr(contract, "round_trips", 3) > 3) == \
        ["CREATE", "CREATE_RESPONSE", "NEAREST"]


def test_each_route_takes_at_most_its_round_trips(api, alice, bob, carol, bucket, aws_calls):
    """Every route, on a request with followers, a response and a direct request to the caller."""
    measured = []

    def walk(contract, method, path, body=None, token=bob):
        aws_calls.clear()
        status, answer = api.call(method, V + path, body, token=token)
        assert 200 <= status < 300, (method, path, status, answer)
        measured.append((contract, method, path, round_trips(aws_calls),
                         [op for service, op, _ in aws_calls if service == "dynamodb"]))
        return answer

    walk(c.CREATE, "POST", "/requests", ASK, token=alice)
    walk(c.FOLLOW, "GET", "/requests/follow/1")
    walk(c.FOLLOW, "GET", "/requests/follow/1", token=carol)
    walk(c.UPLOAD_FORM, "POST", "/requests/1/responses/uploads", {"type": 0})
    key = upload(api, bob)
    walk(c.CREATE_RESPONSE, "POST", "/requests/1/responses", {"key": key, "type": 0})
    walk(c.NEAREST, "GET", f"/requests/nearest?lat={ATLANTA['lat']}&lon={ATLANTA['lon']}")
    walk(c.SHOW, "GET", "/requests/1")
    walk(c.MARK_SEEN, "PUT", "/requests/1", {"seen": True})
    walk(c.RESPONSES, "GET", "/requests/1/responses")
    walk(c.NOTIFICATIONS, "GET", "/notifications")
    walk(c.UNFOLLOW, "GET", "/requests/unfollow/1")
    walk(c.RENEW, "GET", "/requests/renew/1", token=alice)
    walk(c.CREATE, "POST", "/requests", {"message": "Show me", "receiverUI": [2, 3]}, token=alice)
    assert len(walk(c.DIRECT, "GET", "/requests/direct")) == 1
    walk(c.SHOW, "GET", "/requests/2")
    over = [(method, path, trips, ops) for contract, method, path, trips, ops in measured
            if trips > getattr(contract, "round_trips", 3)]
    assert not over, over
