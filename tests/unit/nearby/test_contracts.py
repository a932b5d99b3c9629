"""The nearby contracts' failures as the document's one code: the first check failed, a missing field first."""
import pytest

from chalicelib.core.openapi import declared
from chalicelib.nearby.models import NearbyRequest
from tests.unit.nearby.conftest import ATLANTA

FORMS, RESPONSES = "/api/v04/requests/1/responses/uploads", "/api/v04/requests/1/responses"


@pytest.mark.parametrize(("body", "code"), [
    # A missing top-level field comes before anything else wrong.
    ({"message": "m" * 1001}, "REQUIRED_FIELD_MISSING"),
    ({"message": "m" * 1001, "override": "yes", "location": None}, "REQUIRED_FIELD_MISSING"),
    ({"message": None, "receiverUI": "x"}, "REQUIRED_FIELD_MISSING"),
    # A missing part of the location comes before a wrong part of it, not before an earlier field.
    ({"message": "hi", "location": {"lat": 91, "lon": "x"}}, "REQUIRED_FIELD_MISSING"),
    ({"message": "m" * 1001, "location": {"lat": 1}}, "MESSAGE_TOO_LONG"),
    ({"message": "hi", "override": None, "location": {}}, "INVALID_OVERRIDE"),
    # Then the fields in the document's order: override, receivers, then the location (only without receivers).
    ({"message": "hi", "override": 1, "receiverUI": 0}, "INVALID_OVERRIDE"),
    ({"message": "hi", "receiverUI": True, "location": "ignored"}, "INVALID_RECEIVERS"),
    ({"message": "hi", "receiverUI": [1, 2.5]}, "INVALID_RECEIVERS"),
    ({"message": "hi", "location": {**ATLANTA, "lon": 180.5, "radius": 9}}, "INVALID_LOCATION"),
    ({"message": "hi", "location": {**ATLANTA, "radius": "far"}}, "INVALID_RADIUS"),
    ({"message": "hi", "receiverUI": None, "location": {**ATLANTA, "radius": 1e9}}, "INVALID_RADIUS"),
])
def test_create_answers_the_first_failing_check(api, alice, body, code):
    assert api.post("/api/v04/requests", body, token=alice) == (400, {"error": code})
    assert NearbyRequest.count() == 0


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "3", ""])
def test_a_body_that_is_not_an_object_is_invalid_json(api, alice, map_request, raw):
    for method, path in [("POST", "/api/v04/requests"), ("PUT", "/api/v04/requests/1"), ("POST", FORMS)]:
        assert api.call(method, path, raw=raw, token=alice) == (400, {"error": "INVALID_JSON"}), path


def test_a_missing_message_is_missing_before_the_token_is_not(api):
    assert api.post("/api/v04/requests", {}) == (401, {"error": "AUTH_TOKEN_MISSING"})


@pytest.mark.parametrize(("body", "code"), [({}, "INVALID_SEEN"), ({"seen": None}, "INVALID_SEEN"),
                                            ({"seen": 1}, "INVALID_SEEN")])
def test_seen_is_true_or_false(api, alice, map_request, body, code):
    assert api.put("/api/v04/requests/1", body, token=alice) == (400, {"error": code})


@pytest.mark.parametrize(("body", "code"), [
    ({"type": None, "contentType": 5}, "REQUIRED_FIELD_MISSING"),
    ({"type": "1", "contentType": 5}, "INVALID_RESPONSE_TYPE"),
    ({"type": 1, "contentType": 5}, "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"),
    ({"type": 1, "contentType": " "}, "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"),
])
def test_an_upload_form_checks_its_type_then_its_content_type(api, alice, bob, map_request, bucket, body, code):
    assert api.post(FORMS, body, token=bob) == (400, {"error": code})


@pytest.mark.parametrize(("body", "code"), [
    ({"key": None, "type": 7}, "REQUIRED_FIELD_MISSING"),
    ({"key": "k", "type": None}, "REQUIRED_FIELD_MISSING"),
    ({"key": "k", "type": [0]}, "INVALID_RESPONSE_TYPE"),
])
def test_a_response_checks_its_key_then_its_type(api, alice, bob, map_request, bucket, body, code):
    assert api.post(RESPONSES, body, token=bob) == (400, {"error": code})


@pytest.mark.parametrize(("query", "code"), [
    ("lat=x&lon=", "REQUIRED_FIELD_MISSING"), ("lat=-90.5&lon=", "REQUIRED_FIELD_MISSING"),
    ("lat=1&lon=-180.5", "INVALID_COORDINATES"), ("lat=1&lon=1e400", "INVALID_COORDINATES"),
])
def test_nearest_answers_the_first_failing_check_of_its_query(api, alice, query, code):
    assert api.get(f"/api/v04/requests/nearest?{query}", token=alice) == (400, {"error": code})


def test_nearest_reads_its_coordinates_as_numbers(api, alice, map_request):
    assert len(api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884&extra=1", token=alice)[1]) == 1
    assert len(api.get("/api/v04/requests/nearest?lat=33&lon=-84", token=alice)[1]) == 0


def test_every_nearby_route_declares_a_contract_with_both_token_forms():
    from app import app

    entries = [entry for methods in app.routes.values() for entry in methods.values()
               if entry.view_function.__module__ == "chalicelib.nearby.routes"]
    assert len(entries) == 12
    for entry in entries:
        contract, surface = declared(entry)
        assert contract is not None and surface.tag == "Nearby", entry.view_name
        assert set(contract.security) == {"Bearer", "BareToken"}, entry.view_name


def test_the_answers_fit_their_declared_schemas(api, alice, bob, map_request, bucket):
    from chalicelib.core.contracts import failures
    from chalicelib.nearby import contracts
    from tests.unit.nearby.test_responses import respond

    api.get("/api/v04/requests/follow/1", token=alice)
    created = respond(api, bob)
    api.post("/api/v04/requests", {"message": "psst", "receiverUI": [1, 2]}, token=bob)
    answers = [
        (contracts.CREATE_RESPONSE, 201, created),
        (contracts.NEAREST, 200, api.get("/api/v04/requests/nearest?lat=33.749&lon=-84.3884", token=bob)[1]),
        (contracts.DIRECT, 200, api.get("/api/v04/requests/direct", token=alice)[1]),
        (contracts.SHOW, 200, api.get("/api/v04/requests/2", token=alice)[1]),
        (contracts.RESPONSES, 200, api.get("/api/v04/requests/1/responses", token=alice)[1]),
        (contracts.NOTIFICATIONS, 200, api.get("/api/v04/notifications", token=alice)[1]),
        (contracts.RENEW, 200, api.get("/api/v04/requests/renew/1", token=alice)[1]),
        (contracts.UPLOAD_FORM, 201, api.post(FORMS, {"type": 1}, token=bob)[1]),
    ]
    for contract, status, body in answers:
        assert body, contract.summary
        assert failures(contract.answers[status], body) == [], contract.summary
