"""An invitation stored in the caller's own transaction (verification.invitation): a surface that gives an address
a role (coaching's user create) writes the role and the link's token in one round trip, then mails the link once that
committed; a transaction that fails stores no token and mails nothing. The stored token lasts a week."""
from datetime import timedelta

import pytest

from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import transact_steps, transact_write
from chalicelib.identity import verification
from chalicelib.identity.models import Account, RedeemedRefreshToken, VerificationToken
from tests.conftest import NOW, PUBLIC_BASE_URL
from tests.mailbox import invite, memory_verification_token
from tests.round_trips import round_trips

EMAIL = "ivy@example.com"


def role(jti="the-callers-own-item"):
    """A write of the caller's own (any item of another table will do), as a core.transactions Step."""
    return (lambda tx: tx.save(RedeemedRefreshToken(jti, remove_at=NOW + timedelta(days=1)),
                               condition=RedeemedRefreshToken.jti.does_not_exist()), Conflict("taken", "Taken"))


def test_the_link_is_stored_by_the_callers_transaction_and_mailed_after_it(api, outbox, aws_calls):
    link = verification.invitation(EMAIL, "Ivy", "Invited")
    assert (VerificationToken.count(), outbox.sent) == (0, [])  # made, neither stored nor sent
    aws_calls.clear()

    transact_steps([role(), link.step])

    assert [op for service, op, _ in aws_calls if service == "dynamodb"] == ["TransactWriteItems"]
    assert (VerificationToken.count(), RedeemedRefreshToken.count(), outbox.sent) == (1, 1, [])
    assert link.send() == link.url and link.url.startswith(f"{PUBLIC_BASE_URL}/api/auth/verify/")
    [sent] = outbox.sent
    assert (sent.to, sent.subject, link.url in sent.body) == (EMAIL, "You are invited", True)

    status, body = api.post(f"/api/auth/verify/{memory_verification_token(EMAIL)}/",
                            {"password": "a-chosen-password"})
    assert status == 200
    assert api.get("/api/auth/me/", token=body["data"]["access_token"])[1]["data"]["fullname"] == "Ivy Invited"


def test_write_serves_a_transact_write_as_well(api, outbox, aws_calls):
    link = verification.invitation(EMAIL)
    aws_calls.clear()

    transact_write(lambda tx: (role()[0](tx), link.write(tx)))
    link.send()

    assert round_trips(aws_calls) == 1
    assert api.get(f"/api/auth/verify/{memory_verification_token(EMAIL)}/") == (
        200, {"data": {"email": EMAIL}, "meta": {"success": True, "errors": []}})


def test_a_failed_transaction_stores_no_token(api, outbox):
    transact_steps([role()])
    link = verification.invitation(EMAIL)

    with pytest.raises(Conflict):
        transact_steps([role(), link.step])  # the caller's own condition fails: nothing is written

    assert (VerificationToken.count(), outbox.sent) == (0, [])


def test_a_stage_without_a_base_url_fails_before_anything_is_written(api, outbox, settings_env):
    settings_env(PUBLIC_BASE_URL=None, PUBLIC_BASE_URL_PARAMETER=None)

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        verification.invitation(EMAIL)


def test_an_invitation_is_kept_a_week_and_makes_no_account_until_followed(api, outbox, aws_calls):
    aws_calls.clear()

    link = invite(EMAIL, "Ivy", "Invited")

    assert round_trips(aws_calls) == 1
    [stored] = VerificationToken.scan()
    assert (stored.purpose, stored.first_name, stored.expires_at) == ("invitation", "Ivy", NOW + timedelta(days=7))
    assert [sent.to for sent in outbox.sent] == [EMAIL] and link in outbox.sent[0].body
    assert Account.count() == 0  # the account is made when the link is followed
