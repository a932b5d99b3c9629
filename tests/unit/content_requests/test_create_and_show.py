"""POST /api/v4/content_requests and GET /api/v4/content_requests/<token or id>: shapes, auth, validation."""
import re
from datetime import UTC, datetime

from chalicelib.content_requests import requests
from chalicelib.content_requests.models import ContentRequest, RequestToken
from chalicelib.core.retry import TRIES
from chalicelib.identity import service as accounts
from tests.unit.content_requests.conftest import BASE, NEW

TOKEN = re.compile(r"[0-9a-f]{16}")
UNKNOWN = "0123456789abcdef"
OLGA = {"id": 1, "email": "owner@example.com", "first_name": "Olga", "last_name": "Owner", "avatar_image": None}
ID_NOT_FOUND = (404, {"errors": [{"param": "id", "message": "Not found"}]})


def created(token, id_=1, **changes):
    """The documented create body for NEW (with `changes`), its link made of `token`."""
    return {"id": id_, "name": NEW["name"], "recipient": NEW["recipient"], "prompt": NEW["prompt"],
            "expiration_date": "2026-12-01T00:00:00.000Z", "status": "pending", "time_type": "One-Time",
            "link_for_copy": f"/content_requests/{token}", "token": token, **changes}


def unauthorized(message):
    return 401, {"errors": [{"param": "Authorization", "message": message}]}


def assert_nothing_stored():
    assert ContentRequest.count() == 0
    assert RequestToken.count() == 0


# --- create ---

def test_create_answers_201_with_the_documented_shape_and_stores_the_request(api, owner, fixed_clock):
    status, body = api.post(BASE, {"content_request": {**NEW, "name": "  Garden party  "}}, token=owner)

    assert status == 201
    assert TOKEN.fullmatch(body["token"])
    assert body == created(body["token"])
    request = ContentRequest.get(1)
    assert request.owner_id == accounts.by_email("owner@example.com").id
    assert (request.name, request.recipient, request.prompt) == (NEW["name"], NEW["recipient"], NEW["prompt"])
    assert request.expiration_date == datetime(2026, 12, 1, tzinfo=UTC)
    assert request.expires_at == datetime(2026, 12, 2, tzinfo=UTC)  # the link works through the whole day
    assert (request.status, request.time_type, request.expiring, request.token) == (
        "pending", "one_time", "pending", body["token"])
    assert request.created_at == fixed_clock.now() and int(request.file_count) == 0
    assert int(RequestToken.get(body["token"]).request_id) == 1


def test_ids_come_from_a_counter_and_tokens_are_distinct(create):
    bodies = [create() for _ in range(3)]

    assert [b["id"] for b in bodies] == [1, 2, 3]
    assert len({b["token"] for b in bodies}) == 3
    assert all(TOKEN.fullmatch(b["token"]) for b in bodies)


def test_a_token_already_taken_is_drawn_again(api, owner, create, monkeypatch):
    draws = iter(["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"] + ["aaaaaaaaaaaaaaaa"] * TRIES)
    monkeypatch.setattr(requests.secrets, "token_hex", lambda size: next(draws))

    assert create()["token"] == "aaaaaaaaaaaaaaaa"
    assert create()["token"] == "bbbbbbbbbbbbbbbb"
    assert api.post(BASE, {"content_request": NEW}, token=owner) == (409, {"errors": [
        {"param": "base", "message": "Could not draw a unique link: try again"}]})
    assert sorted(t.token for t in RequestToken.scan()) == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]
    assert ContentRequest.count() == 2


def test_time_type_is_answered_as_one_time_or_multi_use_and_defaults_to_one_time(api, owner):
    without = {k: v for k, v in NEW.items() if k != "time_type"}

    for fields, answered in [({**NEW, "time_type": "multi_use"}, "Multi-Use"), (NEW, "One-Time"),
                             (without, "One-Time"), ({**without, "time_type": None}, "One-Time")]:
        status, body = api.post(BASE, {"content_request": fields}, token=owner)
        assert (status, body) == (201, created(body["token"], body["id"], time_type=answered)), fields

    assert [r.time_type for r in sorted(ContentRequest.scan(), key=lambda r: r.id)] == [
        "multi_use", "one_time", "one_time", "one_time"]


def test_expiration_date_is_accepted_in_each_form_and_today(create):
    for day in ("2026/12/01", "2026-12-01", "2026-12-01T00:00:00.000Z"):
        assert create(expiration_date=day)["expiration_date"] == "2026-12-01T00:00:00.000Z", day
    today = create(expiration_date="2026/11/23")

    assert (today["expiration_date"], today["status"]) == ("2026-11-23T00:00:00.000Z", "pending")
    assert [r.expiration_date.day for r in sorted(ContentRequest.scan(), key=lambda r: r.id)] == [1, 1, 1, 23]


# --- create: validation ---

def entry(param, message):
    return {"param": f"content_request[{param}]", "message": message}


def without(name):
    return {k: v for k, v in NEW.items() if k != name}


def assert_refused(api, token, cases):
    """Each (content_request, errors) answers 422 with exactly those entries, and nothing is stored."""
    for content_request, errors in cases:
        assert api.post(BASE, {"content_request": content_request}, token=token) == (
            422, {"errors": errors}), content_request
    assert_nothing_stored()


def test_create_refuses_name_recipient_and_prompt_not_given_as_text(api, owner):
    assert_refused(api, owner, [
        ({**NEW, "name": 5}, [entry("name", "Must be a String")]),
        ({**NEW, "name": True}, [entry("name", "Must be a String")]),
        ({**NEW, "recipient": ["Rita"]}, [entry("recipient", "Must be a String")]),
        ({**NEW, "prompt": {"text": "x"}}, [entry("prompt", "Must be a String")]),
        ({**NEW, "prompt": 1.5}, [entry("prompt", "Must be a String")]),
        ({**NEW, "name": "   "}, [entry("name", "Must not be blank")]),
        ({**NEW, "recipient": ""}, [entry("recipient", "Must not be blank")]),
        ({**NEW, "prompt": " \n "}, [entry("prompt", "Must not be blank")]),
        (without("name"), [entry("name", "Missing parameter")]),
        (without("recipient"), [entry("recipient", "Missing parameter")]),
        (without("prompt"), [entry("prompt", "Missing parameter")]),
        ({**NEW, "name": None}, [entry("name", "Missing parameter")]),
        ({**NEW, "name": "n" * 201}, [entry("name", "Must be at most 200 characters")]),
    ])


def test_create_refuses_a_time_type_that_is_not_one_of_the_two(api, owner):
    message = "Must be one of: one_time, multi_use."
    assert_refused(api, owner, [
        ({**NEW, "time_type": "forever"}, [entry("time_type", message)]),
        ({**NEW, "time_type": "One-Time"}, [entry("time_type", message)]),
        ({**NEW, "time_type": 1}, [entry("time_type", message)]),
    ])


def test_create_refuses_a_missing_unparseable_or_past_expiration_date(api, owner):
    message = "Must be a date such as 2022/06/07"
    assert_refused(api, owner, [
        (without("expiration_date"), [entry("expiration_date", "Missing parameter")]),
        ({**NEW, "expiration_date": 20261201}, [entry("expiration_date", "Must be a String")]),
        ({**NEW, "expiration_date": "next week"}, [entry("expiration_date", message)]),
        ({**NEW, "expiration_date": "2026/02/30"}, [entry("expiration_date", message)]),
        ({**NEW, "expiration_date": "2026/12/1"}, [entry("expiration_date", message)]),
        ({**NEW, "expiration_date": "2026-12-01T10:00:00.000Z"}, [entry("expiration_date", message)]),
        ({**NEW, "expiration_date": "2026/11/22"}, [entry("expiration_date", "Must not be in the past")]),
        ({**NEW, "expiration_date": "2020-01-01T00:00:00.000Z"}, [entry("expiration_date", "Must not be in the past")]),
        ({**NEW, "expiration_date": "10000/01/01"}, [entry("expiration_date", message)]),
        ({**NEW, "expiration_date": "0000/01/01"}, [entry("expiration_date", message)]),
    ])


def test_create_names_every_failing_field_once(api, owner):
    bad = {"name": 1, "recipient": " ", "prompt": None, "expiration_date": "2026/11/01", "time_type": "often"}

    assert_refused(api, owner, [(bad, [
        entry("name", "Must be a String"), entry("recipient", "Must not be blank"),
        entry("prompt", "Missing parameter"), entry("expiration_date", "Must not be in the past"),
        entry("time_type", "Must be one of: one_time, multi_use.")])])


def test_create_without_content_request_as_a_hash_is_refused(api, owner):
    for body, message in [({}, "Missing parameter"), ({"content_request": None}, "Missing parameter"),
                          ({"name": "flat"}, "Missing parameter"), ([NEW], "Missing parameter"),
                          (None, "Missing parameter"), ({"content_request": "a string"}, "Must be a Hash"),
                          ({"content_request": [NEW]}, "Must be a Hash"), ({"content_request": 7}, "Must be a Hash"),
                          ({"content_request": True}, "Must be a Hash")]:
        assert api.post(BASE, body, token=owner) == (
            422, {"errors": [{"param": "content_request", "message": message}]}), body
    assert_nothing_stored()


def test_create_with_invalid_json_is_400_naming_the_body(api, owner):
    status, body = api.call("POST", BASE, raw='{"content_request": ', token=owner)

    assert status == 400
    assert body == {"errors": [{"param": "body", "message": "Invalid JSON: Expecting value (line 1, column 21)"}]}
    assert_nothing_stored()


# --- auth ---

def test_either_auth_header_with_a_bearer_token_works(api, owner):
    bodies = []
    for header in ("Authentication", "Authorization", "authentication"):
        status, body = api.post(BASE, {"content_request": NEW}, headers={header: f"Bearer {owner}"})
        assert status == 201, header
        bodies.insert(0, body)

    for header in ("Authentication", "Authorization"):
        assert api.get(f"{BASE}?pending=true", headers={header: f"Bearer {owner}"}) == (
            200, {"content_requests": bodies, "meta": {"total_count": 3}})
        assert api.get(f"{BASE}/1", headers={header: f"Bearer {owner}"})[0] == 200


def test_create_without_a_usable_token_is_401(api, owner):
    for headers, message in [
        ({}, "No token was sent"),
        ({"Authorization": "Bearer not-a-jwt"}, "The token is not valid"),
        ({"Authentication": "Bearer not-a-jwt"}, "The token is not valid"),
        ({"Authorization": "Basic b3duZXI6cHc="}, "Expected 'Bearer <token>'"),
        ({"Authorization": "Bearer "}, "Expected 'Bearer <token>'"),
        ({"Authorization": owner}, "Expected 'Bearer <token>'"),  # the bare token, without Bearer
    ]:
        assert api.post(BASE, {"content_request": NEW}, headers=headers) == unauthorized(message), headers
    assert_nothing_stored()


def test_an_expired_access_token_is_401(api, owner, fixed_clock):
    fixed_clock.advance(minutes=16)

    assert api.post(BASE, {"content_request": NEW}, token=owner) == unauthorized("The token has expired")
    assert api.post(BASE, {"content_request": NEW}, headers={"Authentication": f"Bearer {owner}"}) == unauthorized(
        "The token has expired")
    assert_nothing_stored()


def test_a_refresh_token_is_not_an_access_token(api):
    status, body = api.post("/api/auth/register/", {"fullname": "Olga Owner", "email": "owner@example.com",
                                                    "password": "twelve-chars-pw"})
    assert status == 201

    assert api.post(BASE, {"content_request": NEW}, token=body["data"]["refresh_token"]) == unauthorized(
        "Expected an access token")
    assert_nothing_stored()


# --- show ---

def test_show_by_token_is_public_and_includes_the_owner(api, create, stranger):
    body = create()

    assert api.get(f"{BASE}/{body['token']}") == (200, {**created(body["token"]), "user": OLGA})
    assert api.get(f"{BASE}/{body['token']}", token=stranger) == (200, {**created(body["token"]), "user": OLGA})


def test_show_by_token_gives_the_owners_account_number(api, stranger, owner):
    # The stranger registered first here, so the owner's account number is 2.
    token = api.post(BASE, {"content_request": NEW}, token=owner)[1]["token"]

    assert api.get(f"{BASE}/{token}")[1]["user"] == {**OLGA, "id": 2}


def test_show_by_id_is_for_the_owner_only(api, owner, stranger, create):
    body = create()

    assert api.get(f"{BASE}/1", token=owner) == (200, {**created(body["token"]), "user": OLGA})
    assert api.get(f"{BASE}/1", token=stranger) == ID_NOT_FOUND
    assert api.get(f"{BASE}/2", token=owner) == ID_NOT_FOUND
    assert api.get(f"{BASE}/1") == unauthorized("No token was sent")
    assert api.get(f"{BASE}/1", headers={"Authorization": "Bearer nope"}) == unauthorized("The token is not valid")


def test_show_by_unknown_token_or_by_neither_token_nor_id_is_404_naming_the_token(api, owner, create):
    create()

    assert api.get(f"{BASE}/{UNKNOWN}") == (404, {"errors": [{"param": "token", "message": "Not found"}]})
    assert api.get(f"{BASE}/not-a-token", token=owner) == (
        404, {"errors": [{"param": "token", "message": "Not found"}]})


def test_show_reflects_a_canceled_request(api, owner, create):
    body = create()
    assert api.put(f"{BASE}/1", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200

    assert api.get(f"{BASE}/{body['token']}") == (200, {**created(body["token"], status="canceled"), "user": OLGA})
