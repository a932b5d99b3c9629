"""Issue 17, item 3, over real HTTP against `make run`'s server: any future `expiration_date` is taken (up to the
parser's last day, 9999/12/31, with no 500 anywhere it is used), and a malformed or wrongly cased link answers
404 naming `token`, as an unknown link does, never 401 "No token was sent"."""
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ROOT, bare_environment
from tests.integration.test_content_requests_http import Owner, Recipient

TOKEN_NOT_FOUND = {"errors": [{"param": "token", "message": "Not found"}]}
FORM = {"name": "cake.png", "format_type": "png", "media_type": "photo", "size": 10}


@pytest.fixture(scope="module")
def owner(local_stack):
    return Owner(local_stack, "content-fidelity-owner@example.com")


def _expiration_error(message):
    return {"errors": [{"param": "content_request[expiration_date]", "message": message}]}


def test_any_future_expiration_date_is_accepted_and_served_without_a_500(local_stack, owner):
    # 2032/07/07 was refused by an invented 5-year cap: "Must be at most 5 years ahead".
    later = owner.ask(expiration_date="2032/07/07")
    last = owner.ask(expiration_date="9999/12/31")
    assert (later["expiration_date"], later["status"]) == ("2032-07-07T00:00:00.000Z", "pending")
    assert (last["expiration_date"], last["status"]) == ("9999-12-31T00:00:00.000Z", "pending")

    for created in (later, last):
        shown = Recipient(local_stack, created["token"]).call("GET")
        assert (shown.status_code, shown.json()["expiration_date"]) == (200, created["expiration_date"])
        assert owner.call("GET", f"/{created['id']}").status_code == 200
    listed = owner.call("GET", "?pending=true&sort_by=expiration_date&sort_to=desc&per_page=100")
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()["content_requests"]][:2] == [last["id"], later["id"]]
    assert Recipient(local_stack, last["token"]).call("POST", "/uploads", FORM).status_code == 201

    moved = owner.call("PUT", f"/{later['id']}", {"content_request": {"expiration_date": "9999-12-31"}})
    assert (moved.status_code, moved.json()["expiration_date"]) == (200, "9999-12-31T00:00:00.000Z")

    now = datetime.now(UTC) + timedelta(days=2)
    command = [sys.executable, "-m", "local.job", "expire-content-requests", "--now", now.isoformat()]
    run = subprocess.run(command, cwd=ROOT, env=bare_environment(LOCAL_STATE_DIR=str(local_stack.state_dir)),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    for created in (later, last):
        assert Recipient(local_stack, created["token"]).call("GET").json()["status"] == "pending"


def test_past_and_malformed_expiration_dates_are_still_refused(owner):
    yesterday = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y/%m/%d")
    cases = [(yesterday, "Must not be in the past"), ("10000/01/01", "Must be a date such as 2022/06/07"),
             ("9999/12/32", "Must be a date such as 2022/06/07"), ("soon", "Must be a date such as 2022/06/07")]
    for day, message in cases:
        body = {"name": "Party", "recipient": "Rita", "prompt": "The cake", "expiration_date": day}
        refused = owner.call("POST", "", {"content_request": body})
        assert (refused.status_code, refused.json()) == (422, _expiration_error(message)), day


def _mangled(token):
    return [token.upper(), token[:15] + "g", token[:-1], token + "0", "not-a-token", "1234567890123456"]


def test_a_malformed_or_wrongly_cased_link_is_404_naming_the_token_not_401(local_stack, owner):
    created = owner.ask()
    while created["token"].upper() == created["token"]:  # all 16 digits numerals: no case to get wrong
        created = owner.ask()
    sent = Recipient(local_stack, created["token"]).upload()

    for link in _mangled(created["token"]):
        recipient = Recipient(local_stack, link)
        for method, path, body in (("GET", "", None), ("POST", "/uploads", FORM),
                                   ("PUT", "/complete", {"media_files": [sent]})):
            answer = recipient.call(method, path, body)
            assert (answer.status_code, answer.json()) == (404, TOKEN_NOT_FOUND), (link, method, path)
        signed_in = owner.call("GET", f"/{link}")  # a signed-in caller is told the same
        assert (signed_in.status_code, signed_in.json()) == (404, TOKEN_NOT_FOUND), link

    assert Recipient(local_stack, created["token"]).call("GET").json()["status"] == "pending"


def test_the_owners_id_routes_keep_their_sign_in(local_stack, owner):
    created = owner.ask()
    anonymous = Recipient(local_stack, str(created["id"]))
    for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/media_files")):
        answer = anonymous.call(method, path, {"content_request": {"name": "x"}} if method == "PUT" else None)
        assert (answer.status_code, answer.json()) == (
            401, {"errors": [{"param": "Authorization", "message": "No token was sent"}]}), (method, path)
    assert owner.call("GET", f"/{created['id']}").status_code == 200
