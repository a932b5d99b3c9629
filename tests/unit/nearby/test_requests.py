"""/api/v04/requests: create (limit, hours, kinds), nearest, direct, show, seen, renew, follow."""
import pytest

from chalicelib.nearby.models import ActiveRequests, DirectDelivery, Follow, NearbyRequest, RequestCell
from tests.unit.nearby.conftest import ASK, ATLANTA


def test_a_map_request_is_created_and_indexed_under_its_cells(api, alice, map_request):
    request = NearbyRequest.get(1)

    assert (request.kind, request.message, request.radius) == (0, "How are you doing today?", 750)
    assert (request.end - request.start).days == 7
    assert sorted(c.cell for c in RequestCell.scan()) == sorted(request.cells) and request.cells
    assert ActiveRequests.get(request.creator_id).active == 1


def test_create_answers_the_documented_body(api, alice):
    assert api.post("/api/v04/requests", ASK, token=alice) == (201, {"Code": 0, "Message": ""})


def test_the_bare_token_of_the_document_is_accepted(api, alice):
    status, _ = api.call("POST", "/api/v04/requests", ASK, headers={"Authorization": alice})

    assert status == 201


def test_a_direct_request_goes_to_its_receivers_and_ignores_a_location(api, alice, bob):
    status, _ = api.post("/api/v04/requests", {"message": "Show me", "receiverUI": 2, "location": ATLANTA},
                         token=alice)

    request = NearbyRequest.get(1)
    assert status == 201
    assert (request.kind, request.lat, request.cells) == (1, None, [])
    assert [d.request_id for d in DirectDelivery.scan()] == [1]
    _, inbox = api.get("/api/v04/requests/direct", token=bob)
    assert [(r["requestId"], r["requestType"], r["receiverUI"]) for r in inbox] == [(1, 1, 2)]
    assert inbox[0]["creator"] == {"userId": 1, "userName": "Alice Asker", "userAvatar": None}
    assert "location" not in inbox[0]


@pytest.mark.parametrize(("body", "code"), [
    ({"location": ATLANTA}, "REQUIRED_FIELD_MISSING"),
    ({"message": "hi"}, "REQUIRED_FIELD_MISSING"),
    ({"message": " ", "location": ATLANTA}, "REQUIRED_FIELD_MISSING"),
    ({"message": 5, "location": ATLANTA}, "REQUIRED_FIELD_MISSING"),
    ({"message": "m" * 1001, "location": ATLANTA}, "MESSAGE_TOO_LONG"),
    ({"message": "hi", "location": {**ATLANTA, "lat": 91}}, "INVALID_LOCATION"),
    ({"message": "hi", "location": {**ATLANTA, "lon": "x"}}, "INVALID_LOCATION"),
    ({"message": "hi", "location": [1, 2]}, "INVALID_LOCATION"),
    ({"message": "hi", "location": "here"}, "INVALID_LOCATION"),
    ({"message": "hi", "location": {**ATLANTA, "radius": 9}}, "INVALID_RADIUS"),
    ({"message": "hi", "location": {**ATLANTA, "radius": 50_001}}, "INVALID_RADIUS"),
    ({"message": "hi", "location": {**ATLANTA, "radius": True}}, "INVALID_RADIUS"),
    ({"message": "hi", "receiverUI": []}, "INVALID_RECEIVERS"),
    ({"message": "hi", "receiverUI": ["2"]}, "INVALID_RECEIVERS"),
    ({"message": "hi", "receiverUI": list(range(1, 52))}, "INVALID_RECEIVERS"),
    ({"message": "hi", "receiverUI": 99}, "RECEIVER_NOT_FOUND"),
    ({"message": "hi", "location": ATLANTA, "override": "yes"}, "INVALID_OVERRIDE"),
])
def test_create_refuses_bad_input_with_its_code(api, alice, body, code):
    status, payload = api.post("/api/v04/requests", body, token=alice)

    assert (status, payload) == (400, {"error": code})
    assert NearbyRequest.count() == 0 and RequestCell.count() == 0


@pytest.mark.parametrize("location", [
    {"lat": 1.0}, {"lat": 33.749, "lon": -84.3884}, {"lon": -84.3884, "radius": 750}, {"lat": 33.749, "radius": 750},
    {}, {"lat": 33.749, "lon": -84.3884, "radius": None}, {"lat": "x"},
])
def test_a_location_missing_a_part_is_a_missing_field(api, alice, location):
    """The document: REQUIRED_FIELD_MISSING for "missing required fields location, message, or type"; a part of
    location that is absent (or null) is missing, even when another part present is wrong."""
    body = {"location": location, "message": "x", "override": True}

    assert api.post("/api/v04/requests", body, token=alice) == (400, {"error": "REQUIRED_FIELD_MISSING"})
    assert NearbyRequest.count() == 0


def test_create_refuses_invalid_json_and_missing_tokens(api, alice):
    assert api.call("POST", "/api/v04/requests", raw="{", token=alice) == (400, {"error": "INVALID_JSON"})
    assert api.post("/api/v04/requests", ASK) == (401, {"error": "AUTH_TOKEN_MISSING"})


def test_the_active_request_limit_holds(api, alice, settings_env):
    settings_env(MAX_ACTIVE_REQUESTS="2")
    for _ in range(2):
        assert api.post("/api/v04/requests", ASK, token=alice)[0] == 201

    assert api.post("/api/v04/requests", ASK, token=alice) == (400, {"error": "MAX_ACTIVE_REQUESTS_EXCEEDED"})
    assert NearbyRequest.count() == 2


def test_map_requests_rest_at_night_unless_overridden(api, alice, fixed_clock):
    fixed_clock.advance(hours=-6)  # 12:00 UTC: 06:00 in Atlanta by its longitude
    alice = api.sign_in("alice@example.com")

    assert api.post("/api/v04/requests", ASK, token=alice) == (400, {"error": "OUTSIDE_REQUEST_HOURS"})
    assert api.post("/api/v04/requests", {**ASK, "override": True}, token=alice)[0] == 201
    assert api.post("/api/v04/requests", {"message": "direct", "receiverUI": 1}, token=alice)[0] == 201


def test_nearest_finds_the_circles_holding_the_point_newest_first(api, alice, bob, fixed_clock):
    near = {"message": "near", "location": ATLANTA}
    api.post("/api/v04/requests", near, token=alice)
    fixed_clock.advance(minutes=1)
    api.post("/api/v04/requests", {**near, "message": "newer"}, token=bob)
    api.post("/api/v04/requests", {**near, "message": "far", "location": {**ATLANTA, "lat": 34.5}}, token=bob)

    status, found = api.get("/api/v04/requests/nearest?lat=33.7500&lon=-84.3884", token=alice)

    assert status == 200
    assert [r["message"] for r in found] == ["newer", "near"]
    assert found[0]["location"] == ATLANTA
    assert set(found[0]) == {"requestId", "message", "start", "end", "requestType", "responseCount", "seen",
                             "location", "discoverResponses", "creator"}
    assert found[1]["start"] == "2026-11-23T18:00:00.000Z" and found[1]["end"] == "2026-11-30T18:00:00.000Z"


def test_nearest_leaves_out_a_point_just_outside_the_circle(api, alice, map_request):
    # 750 m north of the centre is about 0.00674 degrees of latitude.
    assert api.get("/api/v04/requests/nearest?lat=33.7557&lon=-84.3884", token=alice)[1] != []
    assert api.get("/api/v04/requests/nearest?lat=33.7560&lon=-84.3884", token=alice)[1] == []


def test_nearest_answers_at_most_25(api, alice, settings_env):
    settings_env(MAX_ACTIVE_REQUESTS="30")
    for _ in range(27):
        api.post("/api/v04/requests", ASK, token=alice)

    assert len(api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884", token=alice)[1]) == 25


def test_nearest_leaves_out_expired_requests(api, alice, map_request, fixed_clock):
    fixed_clock.advance(days=7)
    alice = api.sign_in("alice@example.com")

    assert api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884", token=alice)[1] == []


@pytest.mark.parametrize(("query", "code"), [
    ("", "REQUIRED_FIELD_MISSING"), ("lat=1", "REQUIRED_FIELD_MISSING"), ("lat=x&lon=1", "INVALID_COORDINATES"),
    ("lat=nan&lon=1", "INVALID_COORDINATES"), ("lat=91&lon=1", "INVALID_COORDINATES"),
    ("lat=1&lon=inf", "INVALID_COORDINATES"),
])
def test_nearest_needs_numeric_lat_and_lon(api, alice, query, code):
    assert api.get(f"/api/v04/requests/nearest?{query}", token=alice) == (400, {"error": code})


def test_seen_is_kept_per_user(api, alice, bob, map_request):
    assert api.put("/api/v04/requests/1", {"seen": True}, token=bob) == (204, None)

    assert api.get("/api/v04/requests/1", token=bob)[1]["seen"] is True
    assert api.get("/api/v04/requests/1", token=alice)[1]["seen"] is False
    assert api.put("/api/v04/requests/1", {"seen": "yes"}, token=bob) == (400, {"error": "INVALID_SEEN"})


def test_a_direct_request_is_hidden_from_others(api, alice, bob):
    api.post("/api/v04/requests", {"message": "psst", "receiverUI": [1]}, token=alice)

    assert api.get("/api/v04/requests/1", token=bob) == (404, {"error": "REQUEST_NOT_FOUND"})
    assert api.get("/api/v04/requests/1", token=alice)[1]["receiverUI"] == 1


@pytest.mark.parametrize("rid", ["99", "abc", "1.5", "9" * 30])
def test_an_unknown_request_is_request_not_found(api, alice, rid):
    assert api.get(f"/api/v04/requests/{rid}", token=alice) == (404, {"error": "REQUEST_NOT_FOUND"})
    assert api.get(f"/api/v04/requests/follow/{rid}", token=alice) == (404, {"error": "REQUEST_NOT_FOUND"})


def test_renew_moves_the_end_a_week_from_now_everywhere(api, alice, map_request, fixed_clock):
    fixed_clock.advance(days=2)
    alice = api.sign_in("alice@example.com")

    status, body = api.get("/api/v04/requests/renew/1", token=alice)

    assert (status, body) == (200, {"newEnd": "2026-12-02T18:00:00.000Z"})
    assert {c.end.isoformat() for c in RequestCell.scan()} == {"2026-12-02T18:00:00+00:00"}
    fixed_clock.advance(days=6)
    alice = api.sign_in("alice@example.com")
    assert len(api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884", token=alice)[1]) == 1


def test_only_the_owner_renews(api, alice, bob, map_request):
    assert api.get("/api/v04/requests/renew/1", token=bob) == (400, {"error": "NOT_REQUEST_OWNER"})
    assert api.get("/api/v04/requests/renew/7", token=bob) == (404, {"error": "REQUEST_NOT_FOUND"})


def test_follow_and_unfollow_are_idempotent(api, alice, bob, map_request):
    for _ in range(2):
        assert api.get("/api/v04/requests/follow/1", token=bob) == (204, None)
    assert [f.account_id for f in Follow.query(1)] != []

    for _ in range(2):
        assert api.get("/api/v04/requests/unfollow/1", token=bob) == (204, None)
    assert Follow.count(1) == 0


def test_coordinates_too_small_for_dynamodb_are_read_as_zero(api, alice):
    body = {**ASK, "override": True, "location": {"lat": 1e-320, "lon": -5e-324, "radius": 100}}

    assert api.post("/api/v04/requests", body, token=alice)[0] == 201
    assert (NearbyRequest.get(1).lat, NearbyRequest.get(1).lon) == (0, 0)


def test_requests_stored_before_index_items_named_their_creator_still_show_their_people(api, alice, bob):
    """Older index items carry no creator_id and older requests no receiver_numbers: a list reads those people."""
    from chalicelib.nearby.models import RequestCell

    api.post("/api/v04/requests", {"message": "Show me", "receiverUI": 2}, token=alice)
    api.post("/api/v04/requests", ASK, token=alice)
    for item in [*DirectDelivery.scan(), *RequestCell.scan()]:
        item.creator_id = None
        item.save()
    request = NearbyRequest.get(1)
    request.receiver_numbers = None
    request.save()

    _, inbox = api.get("/api/v04/requests/direct", token=bob)
    _, near = api.get(f"/api/v04/requests/nearest?lat={ATLANTA['lat']}&lon={ATLANTA['lon']}", token=bob)

    assert [(r["requestId"], r["receiverUI"], r["creator"]["userName"]) for r in inbox] == [(1, 2, "Alice Asker")]
    assert [(r["requestId"], r["creator"]["userName"]) for r in near] == [(2, "Alice Asker")]


def test_nearest_reports_the_items_it_read_as_a_metric_and_on_its_line(api, alice, map_request, emf, log_lines):
    status, found = api.get("/api/v04/requests/nearest?lat=33.7500&lon=-84.3884", token=alice)

    [line] = log_lines("request")
    [document] = emf()
    assert status == 200 and len(found) == 1
    assert document["Surface"] == "nearby" and line["route"] == "/api/v04/requests/nearest"
    assert document["NearestItemsRead"] == [float(line["dynamodb_items"])] and line["dynamodb_items"] >= 2
