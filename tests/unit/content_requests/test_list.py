"""GET /api/v4/content_requests: the pending and other lists, search, sorting and pages."""
from chalicelib.content_requests.models import ContentRequest, OwnerTally, live_day, sort_keys
from chalicelib.jobs.content_expiry import expire_content_requests
from tests.unit.content_requests.conftest import BASE, NEW


def listed(api, token, query):
    return api.get(f"{BASE}?{query}", token=token)


def ids(api, token, query):
    status, body = listed(api, token, query)
    assert status == 200, body
    return [r["id"] for r in body["content_requests"]], body["meta"]["total_count"]


def invalid(*entries):
    return 422, {"errors": [{"param": param, "message": message} for param, message in entries]}


def test_pending_is_required_and_must_be_one_of_true_false_1_0(api, owner, create):
    create()

    assert listed(api, owner, "") == invalid(("pending", "Missing parameter"))
    assert listed(api, owner, "query=garden") == invalid(("pending", "Missing parameter"))
    for value in ("yes", "TRUE", "2", "no", "t"):
        assert listed(api, owner, f"pending={value}") == invalid(
            ("pending", "Must be one of: true, false, 1, 0.")), value


def test_the_listing_needs_a_token(api, create):
    create()

    assert api.get(f"{BASE}?pending=true") == (
        401, {"errors": [{"param": "Authorization", "message": "No token was sent"}]})
    assert api.get(f"{BASE}?pending=true", headers={"Authorization": "Bearer x.y.z"}) == (
        401, {"errors": [{"param": "Authorization", "message": "The token is not valid"}]})


def test_pending_true_or_1_lists_the_pending_requests_in_the_documented_shape(api, owner, create, send, fixed_clock):
    pending = create()
    create(name="Canceled")
    assert api.put(f"{BASE}/2", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    completed = create(name="Completed")
    assert api.put(f"{BASE}/{completed['token']}/complete", {"media_files": [send(completed["token"])]})[0] == 200

    expected = (200, {"content_requests": [{
        "id": 1, "name": NEW["name"], "recipient": NEW["recipient"], "prompt": NEW["prompt"],
        "expiration_date": "2026-12-01T00:00:00.000Z", "status": "pending", "time_type": "One-Time",
        "link_for_copy": f"/content_requests/{pending['token']}", "token": pending["token"]}],
        "meta": {"total_count": 1}})
    assert listed(api, owner, "pending=true") == expected
    assert listed(api, owner, "pending=1") == expected


def test_pending_false_or_0_lists_completed_canceled_and_expired_requests(api, owner, create, send, fixed_clock):
    create(name="Still pending")
    fixed_clock.advance(minutes=1)
    create(name="Canceled")
    assert api.put(f"{BASE}/2", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    fixed_clock.advance(minutes=1)
    completed = create(name="Completed", time_type="one_time")
    assert api.put(f"{BASE}/{completed['token']}/complete", {"media_files": [send(completed["token"])]})[0] == 200
    fixed_clock.advance(minutes=1)
    create(name="Expired by the job", expiration_date="2026/11/23")
    fixed_clock.advance(hours=13)  # 2026-11-24 01:03: request 4's day is over
    assert expire_content_requests(fixed_clock.now()).changed == 1
    owner = api.sign_in("owner@example.com")
    api.post(BASE, {"content_request": {**NEW, "name": "Past its day", "expiration_date": "2026/11/24"}},
             token=owner)
    fixed_clock.advance(days=1)  # request 5's day is over too, but the job has not run since
    owner = api.sign_in("owner@example.com")

    status, body = listed(api, owner, "pending=false")

    assert status == 200 and body["meta"] == {"total_count": 4}
    assert [(r["id"], r["name"], r["status"]) for r in body["content_requests"]] == [
        (5, "Past its day", "expired"), (4, "Expired by the job", "expired"), (3, "Completed", "completed"),
        (2, "Canceled", "canceled")]
    assert listed(api, owner, "pending=0") == (status, body)
    assert ids(api, owner, "pending=true") == ([1], 1)


def test_query_matches_name_recipient_or_prompt_case_insensitively(api, owner, create, fixed_clock):
    for fields in ({"name": "Garden party", "recipient": "Rita", "prompt": "Cake photos"},
                   {"name": "Office", "recipient": "GARDENER Joe", "prompt": "Desk"},
                   {"name": "Trip", "recipient": "Ann", "prompt": "Photos of the garden gate"},
                   {"name": "Other", "recipient": "Bob", "prompt": "Nothing"}):
        create(**fields)
        fixed_clock.advance(minutes=1)

    assert ids(api, owner, "pending=true&query=garden") == ([3, 2, 1], 3)
    assert ids(api, owner, "pending=true&query=GARDEN") == ([3, 2, 1], 3)
    assert ids(api, owner, "pending=true&query=Cake") == ([1], 1)
    assert ids(api, owner, "pending=true&query=joe") == ([2], 1)
    assert ids(api, owner, "pending=true&query=photos") == ([3, 1], 2)
    assert ids(api, owner, "pending=true&query=zebra") == ([], 0)
    assert ids(api, owner, "pending=false&query=garden") == ([], 0)


def no_scan(*args, **kwargs):
    raise AssertionError("the listing must Query the owner's index, never Scan")


def test_query_searches_only_the_chosen_list_through_the_index(api, owner, create, monkeypatch):
    create(name="Garden one")
    create(name="Garden two")
    assert api.put(f"{BASE}/1", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    monkeypatch.setattr(ContentRequest, "scan", no_scan)

    assert ids(api, owner, "pending=false&query=garden") == ([1], 1)
    assert ids(api, owner, "pending=true&query=garden") == ([2], 1)


SORTABLE = [  # created in this order, one minute apart
    {"name": "Bravo", "recipient": "charlie", "expiration_date": "2026/12/03"},
    {"name": "alpha", "recipient": "Bob", "expiration_date": "2026/12/05"},
    {"name": "Charlie", "recipient": "alice", "expiration_date": "2026/12/04"},
]
ASCENDING = {"created_at": [1, 2, 3], "name": [2, 1, 3], "recipient": [3, 2, 1], "expiration_date": [1, 3, 2]}


def test_sort_by_each_field_in_either_direction(api, owner, create, fixed_clock):
    for fields in SORTABLE:
        create(**fields)
        fixed_clock.advance(minutes=1)

    for sort_by, order in ASCENDING.items():
        assert ids(api, owner, f"pending=true&sort_by={sort_by}&sort_to=asc") == (order, 3), sort_by
        assert ids(api, owner, f"pending=true&sort_by={sort_by}&sort_to=desc") == (order[::-1], 3), sort_by


def test_newest_first_by_default(api, owner, create, fixed_clock):
    for fields in SORTABLE:
        create(**fields)
        fixed_clock.advance(minutes=1)

    assert ids(api, owner, "pending=true") == ([3, 2, 1], 3)
    assert ids(api, owner, "pending=true&sort_to=asc") == ([1, 2, 3], 3)
    assert ids(api, owner, "pending=true&sort_by=name") == ([2, 1, 3], 3)


def test_newest_first_keeps_requests_made_in_the_same_instant_in_id_order(api, owner, create):
    for _ in range(3):
        create()

    assert ids(api, owner, "pending=true") == ([3, 2, 1], 3)
    assert ids(api, owner, "pending=true&sort_to=asc") == ([1, 2, 3], 3)


def test_sort_by_and_sort_to_must_be_one_of_their_values(api, owner, create):
    create()

    assert listed(api, owner, "pending=true&sort_by=status") == invalid(
        ("sort_by", "Must be one of: created_at, name, recipient, expiration_date."))
    assert listed(api, owner, "pending=true&sort_to=up") == invalid(("sort_to", "Must be one of: asc, desc."))
    assert listed(api, owner, "sort_by=id&sort_to=DESC") == invalid(
        ("pending", "Missing parameter"), ("sort_by", "Must be one of: created_at, name, recipient, expiration_date."),
        ("sort_to", "Must be one of: asc, desc."))


def test_pages_count_every_match_before_paging(api, owner, create, fixed_clock):
    for _ in range(5):
        create()
        fixed_clock.advance(minutes=1)

    assert ids(api, owner, "pending=true&per_page=2") == ([5, 4], 5)
    assert ids(api, owner, "pending=true&per_page=2&page=2") == ([3, 2], 5)
    assert ids(api, owner, "pending=true&per_page=2&page=3") == ([1], 5)
    assert ids(api, owner, "pending=true&per_page=2&page=4") == ([], 5)
    assert ids(api, owner, "pending=true&per_page=2&page=2&sort_to=asc") == ([3, 4], 5)
    assert ids(api, owner, "pending=false&per_page=2") == ([], 0)


def test_per_page_defaults_to_10_and_is_capped_at_100(api, owner, create):
    create()
    first = ContentRequest.get(1)
    with ContentRequest.batch_write() as batch:  # 100 more like it, written directly to keep the test quick
        for number in range(2, 102):
            keys = sort_keys(number, first.created_at, first.name, first.recipient, first.expiration_date)
            batch.save(ContentRequest(**{**first.attribute_values, **keys, "id": number, "token": f"{number:016x}"}))
    # and counted in the owner's tally, as a create does
    OwnerTally(first.owner_id).update(actions=[OwnerTally.requests.add(100), live_day(first.expiration_date).add(100)])

    assert ids(api, owner, "pending=true") == (list(range(101, 91, -1)), 101)
    assert ids(api, owner, "pending=true&page=2") == (list(range(91, 81, -1)), 101)
    assert ids(api, owner, "pending=true&per_page=100") == (list(range(101, 1, -1)), 101)
    assert ids(api, owner, "pending=true&per_page=1000") == (list(range(101, 1, -1)), 101)
    assert ids(api, owner, "pending=true&per_page=1000&page=2") == ([1], 101)


def test_bad_page_per_page_or_query_is_422(api, owner, create):
    create()

    for query, param in [("page=0", "page"), ("page=abc", "page"), ("page=-1", "page"), ("page=1.5", "page"),
                         ("per_page=0", "per_page"), ("per_page=ten", "per_page")]:
        assert listed(api, owner, f"pending=true&{query}") == invalid((param, "Must be a positive integer")), query
    assert listed(api, owner, "pending=true&page=x&per_page=y") == invalid(
        ("page", "Must be a positive integer"), ("per_page", "Must be a positive integer"))
    assert listed(api, owner, f"pending=true&query={'q' * 201}") == invalid(
        ("query", "Must be at most 200 characters"))


def test_another_users_requests_never_appear(api, owner, stranger, create):
    create(name="Mine")
    assert api.post(BASE, {"content_request": {**NEW, "name": "Theirs"}}, token=stranger)[0] == 201
    assert api.post(BASE, {"content_request": {**NEW, "name": "Theirs closed"}}, token=stranger)[0] == 201
    assert api.put(f"{BASE}/3", {"content_request": {"status": "canceled"}}, token=stranger)[0] == 200

    assert ids(api, owner, "pending=true") == ([1], 1)
    assert ids(api, owner, "pending=false") == ([], 0)
    assert ids(api, owner, "pending=true&query=theirs") == ([], 0)
    assert ids(api, stranger, "pending=true") == ([2], 1)
    assert ids(api, stranger, "pending=false") == ([3], 1)
