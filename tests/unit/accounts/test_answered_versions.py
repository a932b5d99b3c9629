"""A reset or a verification answers tokens of the account's new token version without reading the account after
its transaction: the version is one past the one the write was conditioned on (the account's, read with a reset's
token; the copy on the email's claim, for a verification). So the old tokens stop working, the new ones work, and an
account gone right after the write no longer turns the answer into a 500. Also: a stale or missing copy on the claim
costs one read of the account and is mended, and a password change keeps the copy."""
import re

import pytest

from chalicelib.core import tokens
from chalicelib.identity import service, verification
from chalicelib.identity.models import Account, EmailClaim
from tests.conftest import JAY
from tests.mailbox import invite, memory_verification_token
from tests.round_trips import round_trips

NEW_PASSWORD = "a-brand-new-password"


def reset_token(api):
    status, body = api.post("/api/auth/forgot/", {"email": JAY["email"]})
    assert status == 200, body
    return re.search(r"/api/auth/reset/([^/]+)/$", body["data"]["reset_url"]).group(1)


def reset(api):
    return api.post(f"/api/auth/reset/{reset_token(api)}/", {"password": NEW_PASSWORD})


def verify(api, email=JAY["email"]):
    return api.post(f"/api/auth/verify/{memory_verification_token(email)}/", {"password": NEW_PASSWORD})


def the_account():
    return service.by_email(JAY["email"])


def claimed_version(email=JAY["email"]):
    return EmailClaim.get(service.email_key(email), consistent_read=True).token_version


def old_tokens_stop_and_new_ones_work(api, old, new):
    assert api.get("/api/auth/me/", token=old["access_token"])[1]["meta"]["errors"] == ["AUTH_TOKEN_INVALID"]
    assert api.post("/api/auth/refresh/", {"refresh_token": old["refresh_token"]})[0] == 401
    assert api.get("/api/auth/me/", token=new["access_token"])[0] == 200
    assert api.post("/api/auth/refresh/", {"refresh_token": new["refresh_token"]})[0] == 200
    return True


@pytest.mark.parametrize("follow", [reset, verify], ids=["reset", "verification"])
def test_the_answer_carries_the_new_token_version(api, jay, follow):
    status, body = follow(api)

    assert status == 200, body
    account = the_account()
    assert int(account.token_version) == 2 == claimed_version()
    assert tokens.verify(body["data"]["access_token"], tokens.ACCESS)["ver"] == 2
    assert old_tokens_stop_and_new_ones_work(api, jay, body["data"])


@pytest.mark.parametrize("follow", [reset, verify], ids=["reset", "verification"])
def test_a_second_one_answers_the_version_after_that(api, jay, follow):
    first = follow(api)[1]["data"]
    if follow is verify:  # the first link is used up: ask for another (the email is verified now: an invitation)
        invite(JAY["email"])

    status, second = follow(api)

    assert status == 200
    assert tokens.verify(second["data"]["access_token"], tokens.ACCESS)["ver"] == 3 == claimed_version()
    assert old_tokens_stop_and_new_ones_work(api, first, second["data"])


def then_delete(write, account_id):
    """`write` (a transaction), then the account deleted, as if by someone else just after it."""
    def written_then_deleted(*args, **kwargs):
        write(*args, **kwargs)
        Account(account_id).delete()

    return written_then_deleted


@pytest.mark.parametrize("follow", ["reset", "verification"])
def test_an_account_gone_right_after_the_write_does_not_fail_the_answer(api, jay, monkeypatch, follow):
    """Formerly the account was read again after the transaction, and a gone account made the answer a 500."""
    account_id = the_account().id
    if follow == "reset":
        path = f"/api/auth/reset/{reset_token(api)}/"
        monkeypatch.setattr(service, "transact_steps", then_delete(service.transact_steps, account_id))
    else:
        path = f"/api/auth/verify/{memory_verification_token(JAY['email'])}/"
        monkeypatch.setattr(verification, "transact_write", then_delete(verification.transact_write, account_id))

    status, body = api.post(path, {"password": NEW_PASSWORD})

    assert status == 200, body
    claims = tokens.verify(body["data"]["access_token"], tokens.ACCESS)
    assert (claims["sub"], claims["ver"], Account.count()) == (account_id, 2, 0)


def test_a_reset_of_an_account_gone_before_the_write_is_refused_as_used(api, jay, monkeypatch):
    read = service._usable_reset

    def read_then_delete(token):
        found = read(token)
        Account(found[1].id).delete()
        return found

    monkeypatch.setattr(service, "_usable_reset", read_then_delete)

    status, body = reset(api)

    assert (status, body["meta"]["errors"]) == (410, ["TOKEN_USED"])


@pytest.mark.parametrize("copy", [None, 7], ids=["a claim from before the copy", "a stale copy"])
def test_a_claim_without_a_true_copy_costs_one_read_and_is_mended(api, jay, aws_calls, copy):
    claim = EmailClaim.get(JAY["email"], consistent_read=True)
    claim.update(actions=[EmailClaim.token_version.remove() if copy is None else EmailClaim.token_version.set(copy)])
    aws_calls.clear()

    status, body = verify(api)

    # the token, the claim, the account, the transaction; a stale copy is found out by a failed transaction, then
    # the claim and the account are read again
    assert (status, round_trips(aws_calls)) == (200, 4 if copy is None else 6)
    assert tokens.verify(body["data"]["access_token"], tokens.ACCESS)["ver"] == 2 == claimed_version()
    assert old_tokens_stop_and_new_ones_work(api, jay, body["data"])


def test_a_password_change_keeps_the_copy_so_a_verification_takes_three_round_trips(api, jay, aws_calls):
    status, _ = api.post("/user/password-changes", {"old_password": JAY["password"], "new_password": NEW_PASSWORD},
                         token=jay["access_token"])
    assert status == 204
    assert int(the_account().token_version) == 2 == claimed_version()
    signed_in = api.post("/api/auth/login/", {"email": JAY["email"], "password": NEW_PASSWORD})[1]["data"]
    aws_calls.clear()

    status, body = verify(api)

    assert status == 200
    assert round_trips(aws_calls) == 3
    assert tokens.verify(body["data"]["access_token"], tokens.ACCESS)["ver"] == 3 == claimed_version()
    assert old_tokens_stop_and_new_ones_work(api, signed_in, body["data"])


def test_an_invitation_to_an_address_with_an_account_takes_three_round_trips(api, jay, outbox, aws_calls):
    invite("JAY@example.com", "Jay", "Invited")
    aws_calls.clear()

    status, body = verify(api, "JAY@example.com")

    assert status == 200
    assert round_trips(aws_calls) == 3
    assert old_tokens_stop_and_new_ones_work(api, jay, body["data"])


def test_an_invitation_to_an_address_without_one_takes_three_round_trips(api, outbox, aws_calls):
    invite("ivy@example.com", "Ivy", "Invited")
    aws_calls.clear()

    status, body = verify(api, "ivy@example.com")

    assert status == 200
    assert round_trips(aws_calls) == 3
    assert claimed_version("ivy@example.com") == 1
    assert api.get("/api/auth/me/", token=body["data"]["access_token"])[1]["data"]["fullname"] == "Ivy Invited"
