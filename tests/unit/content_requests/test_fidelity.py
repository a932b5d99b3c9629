"""Issue 17, item 3: the content request document sets no upper bound on `expiration_date`, and a link's token
that is malformed or wrongly cased is a link that names nothing (404 `token`), not a missing sign-in (401)."""
from datetime import UTC, datetime

import pytest

from chalicelib.content_requests import requests
from chalicelib.content_requests.models import ContentRequest
from chalicelib.jobs.content_expiry import expire_content_requests
from tests.unit.content_requests.conftest import BASE, NEW

TOKEN_NOT_FOUND = (404, {"errors": [{"param": "token", "message": "Not found"}]})
FORM = {"name": "cake.png", "format_type": "png", "media_type": "photo", "size": 64}


def entry(param, message):
    return {"param": f"content_request[{param}]", "message": message}


# --- expiration_date: any future day ---

def test_any_future_expiration_date_is_accepted_up_to_the_parsers_last_day(api, owner, create, fixed_clock, send):
    """2032/07/07 (refused before by an invented 5-year cap), 2999 and 9999/12/31, the last day the parser reads:
    created, shown, listed, sorted, updated, offered upload forms, and left alone by the expiry job."""
    bodies = [create(expiration_date=day) for day in ("2032/07/07", "2999-01-01", "9999/12/31")]

    assert [b["expiration_date"] for b in bodies] == [
        "2032-07-07T00:00:00.000Z", "2999-01-01T00:00:00.000Z", "9999-12-31T00:00:00.000Z"]
    assert [(b["status"], b["id"]) for b in bodies] == [("pending", 1), ("pending", 2), ("pending", 3)]
    stored = {int(r.id): r.expires_at for r in ContentRequest.scan(consistent_read=True)}
    assert stored == {1: datetime(2032, 7, 8, tzinfo=UTC), 2: datetime(2999, 1, 2, tzinfo=UTC),
                      3: datetime.max.replace(tzinfo=UTC)}  # the last day has no next midnight
    for body in bodies:
        status, shown = api.get(f"{BASE}/{body['token']}")
        assert (status, shown["expiration_date"], shown["status"]) == (200, body["expiration_date"], "pending")
        assert api.get(f"{BASE}/{body['id']}", token=owner)[0] == 200
    status, listed = api.get(f"{BASE}?pending=true&sort_by=expiration_date&sort_to=desc", token=owner)
    assert (status, [r["id"] for r in listed["content_requests"]]) == (200, [3, 2, 1])
    assert api.get(f"{BASE}?pending=false", token=owner) == (200, {"content_requests": [], "meta": {"total_count": 0}})

    assert expire_content_requests(fixed_clock.now()).changed == 0
    assert api.post(f"{BASE}/{bodies[2]['token']}/uploads", FORM)[0] == 201
    assert api.put(f"{BASE}/{bodies[2]['token']}/complete", {"media_files": [send(bodies[2]["token"])]}) == (
        200, {"success": True})

    status, updated = api.put(f"{BASE}/1", {"content_request": {"expiration_date": "9999-12-31T00:00:00.000Z"}},
                              token=owner)
    assert (status, updated["expiration_date"], updated["status"]) == (200, "9999-12-31T00:00:00.000Z", "pending")
    assert ContentRequest.get(1).expires_at == datetime.max.replace(tzinfo=UTC)
    assert sorted(int(r.id) for r in ContentRequest.by_expiry.query("pending")) == [1, 2]


def test_a_far_future_day_reopens_an_expired_request(api, owner, create, fixed_clock):
    create(expiration_date="2026/11/23")
    fixed_clock.advance(days=2)
    assert expire_content_requests(fixed_clock.now()).changed == 1
    owner = api.sign_in("owner@example.com")

    status, body = api.put(f"{BASE}/1", {"content_request": {"expiration_date": "9999/12/31"}}, token=owner)
    assert (status, body["status"]) == (200, "pending")
    assert [int(r.id) for r in ContentRequest.by_expiry.query("pending")] == [1]


def test_past_and_malformed_expiration_dates_are_still_refused_on_create_and_update(api, owner, create):
    create()
    unreadable = "Must be a date such as 2022/06/07"
    cases = [("2026/11/22", "Must not be in the past"), ("0001/01/01", "Must not be in the past"),
             ("10000/01/01", unreadable), ("9999/12/32", unreadable), ("0000/01/01", unreadable),
             ("+9999/12/31", unreadable), ("99999", unreadable)]
    for day, message in cases:
        assert api.post(BASE, {"content_request": {**NEW, "expiration_date": day}}, token=owner) == (
            422, {"errors": [entry("expiration_date", message)]}), day
        assert api.put(f"{BASE}/1", {"content_request": {"expiration_date": day}}, token=owner) == (
            422, {"errors": [entry("expiration_date", message)]}), day
    assert ContentRequest.count() == 1
    assert ContentRequest.get(1).expiration_date == datetime(2026, 12, 1, tzinfo=UTC)


# --- a malformed or wrongly cased token ---

DOC_TOKEN = "4c38da5893b1f793"  # the document's example link, drawn for these requests


@pytest.fixture
def doc_token(monkeypatch):
    monkeypatch.setattr(requests.secrets, "token_hex", lambda size: DOC_TOKEN)
    return DOC_TOKEN


def mangled(token):
    """Links as a mail client or a person might mangle them: upper case (all, or one letter), cut short, one too
    long, not hex, a 16-digit number, and plain words."""
    return [token.upper(), token[:1] + token[1].upper() + token[2:], token[:15] + "G", token[:-1], token + "0",
            "1234567890123456", "not-a-token", "%20" + token, token + "%20"]


def test_show_with_a_malformed_or_wrongly_cased_token_is_404_naming_the_token(api, stranger, create, doc_token):
    token = create()["token"]
    assert token == doc_token

    for link in mangled(token):
        assert api.get(f"{BASE}/{link}") == TOKEN_NOT_FOUND, link
        assert api.get(f"{BASE}/{link}", token=stranger) == TOKEN_NOT_FOUND, link
        assert api.get(f"{BASE}/{link}", headers={"Authorization": "Bearer nope"}) == TOKEN_NOT_FOUND, link
    assert api.get(f"{BASE}/{token}")[0] == 200


def test_the_other_token_routes_answer_404_for_a_mangled_token_and_change_nothing(api, create, send, doc_token):
    token = create()["token"]
    sent = send(token)
    before = {int(r.id): r.attribute_values for r in ContentRequest.scan(consistent_read=True)}

    for link in mangled(token):
        assert api.post(f"{BASE}/{link}/uploads", FORM) == TOKEN_NOT_FOUND, link
        assert api.put(f"{BASE}/{link}/complete", {"media_files": [sent]}) == TOKEN_NOT_FOUND, link
    assert {int(r.id): r.attribute_values for r in ContentRequest.scan(consistent_read=True)} == before


def test_the_owners_id_routes_keep_their_sign_in(api, owner, create):
    create()
    missing = (401, {"errors": [{"param": "Authorization", "message": "No token was sent"}]})

    assert api.get(f"{BASE}/1") == missing
    assert api.get(f"{BASE}/999999999999999") == missing
    assert api.put(f"{BASE}/1", {"content_request": {"name": "x"}}) == missing
    assert api.delete(f"{BASE}/1") == missing
    assert api.get(f"{BASE}/1/media_files") == missing
    assert api.get(f"{BASE}/1", token=owner)[0] == 200
