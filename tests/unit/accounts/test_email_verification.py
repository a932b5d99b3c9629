"""Email verification: /api/auth/verify/<token>/ (a registration's link, a day; an invitation's, a week), the
resend route that answers alike for every address, and what a verified email changes."""
import hashlib
from datetime import timedelta

import pytest

from chalicelib.core import collaborators, mail
from chalicelib.identity import service
from chalicelib.identity.models import VerificationToken
from tests.conftest import JAY, PUBLIC_BASE_URL
from tests.mailbox import invite, memory_verification_token

NEW_PASSWORD = "a-verified-password"


def verify(api, token, password=NEW_PASSWORD):
    return api.post(f"/api/auth/verify/{token}/", {"password": password})


def me(api, token):
    return api.get("/api/auth/me/", token=token)[1]["data"]


def test_registration_mails_a_link_to_the_verify_route_under_the_configured_base(api, jay, outbox):
    [sent] = outbox.sent
    token = memory_verification_token(JAY["email"])

    assert (sent.to, sent.subject) == (JAY["email"], "Confirm your email")
    assert f"{PUBLIC_BASE_URL}/api/auth/verify/{token}/" in sent.body


def test_a_verification_token_is_stored_only_as_its_sha256_with_a_ttl(api, jay, fixed_clock):
    token = memory_verification_token(JAY["email"])
    [stored] = VerificationToken.scan()

    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.serialize().__repr__()
    assert stored.expires_at == fixed_clock.now() + timedelta(days=1)
    assert stored.remove_at == stored.expires_at + timedelta(days=7)  # TTL: DynamoDB drops it after that


def test_a_registration_refused_for_a_taken_email_stores_and_mails_no_link(api, jay, outbox):
    outbox.sent.clear()

    assert api.post("/api/auth/register/", {**JAY, "email": "JAY@example.com"})[0] == 409

    assert (VerificationToken.count(), outbox.sent) == (1, [])  # only the first registration's


def test_me_shows_email_verified_before_and_after_the_link_is_followed(api, jay):
    assert me(api, jay["access_token"])["email_verified"] is False

    status, body = verify(api, memory_verification_token(JAY["email"]))

    assert status == 200 and set(body["data"]) == {"access_token", "refresh_token"}
    assert me(api, body["data"]["access_token"])["email_verified"] is True


def test_get_shows_the_email_of_a_usable_token(api, jay):
    assert api.get(f"/api/auth/verify/{memory_verification_token(JAY['email'])}/") == (
        200, {"data": {"email": JAY["email"]}, "meta": {"success": True, "errors": []}})


def test_following_the_link_sets_the_password_and_revokes_every_earlier_token(api, jay):
    status, _ = verify(api, memory_verification_token(JAY["email"]))

    assert status == 200
    assert api.get("/api/auth/me/", token=jay["access_token"])[1]["meta"]["errors"] == ["AUTH_TOKEN_INVALID"]
    assert api.post("/api/auth/refresh/", {"refresh_token": jay["refresh_token"]})[0] == 401
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": JAY["password"]})[0] == 401
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": NEW_PASSWORD})[0] == 200


def test_a_verification_token_works_once(api, jay):
    token = memory_verification_token(JAY["email"])
    verify(api, token)

    for method in ("GET", "POST"):
        status, body = api.call(method, f"/api/auth/verify/{token}/", {"password": "someone-elses-password"})
        assert (status, body["meta"]["errors"]) == (410, ["TOKEN_USED"])
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": NEW_PASSWORD})[0] == 200


def test_a_registration_link_expires_after_a_day(api, jay, fixed_clock):
    token = memory_verification_token(JAY["email"])
    fixed_clock.advance(hours=24)

    for method in ("GET", "POST"):
        status, body = api.call(method, f"/api/auth/verify/{token}/", {"password": NEW_PASSWORD})
        assert (status, body["meta"]["errors"]) == (410, ["TOKEN_EXPIRED"])
    assert me(api, api.sign_in(JAY["email"]))["email_verified"] is False


def test_an_invitation_lasts_a_week(api, outbox, fixed_clock):
    invite("ivy@example.com", "Ivy", "Invited")
    fixed_clock.advance(days=7, seconds=-1)
    assert api.get(f"/api/auth/verify/{memory_verification_token('ivy@example.com')}/")[0] == 200

    fixed_clock.advance(seconds=1)
    status, body = verify(api, memory_verification_token("ivy@example.com"))
    assert (status, body["meta"]["errors"]) == (410, ["TOKEN_EXPIRED"])
    assert service.by_email("ivy@example.com") is None


def test_an_invitation_to_an_address_without_an_account_creates_it_verified_with_its_names(api, outbox):
    invite("ivy@example.com", "Ivy", "Invited")
    [sent] = outbox.sent

    status, body = verify(api, memory_verification_token("ivy@example.com"))

    assert (sent.to, sent.subject) == ("ivy@example.com", "You are invited")
    assert status == 200
    assert me(api, body["data"]["access_token"]) == {"user_id": 1, "fullname": "Ivy Invited",
                                                     "email": "ivy@example.com", "is_admin": False,
                                                     "email_verified": True}


def test_an_invitation_takes_over_an_account_someone_else_registered_with_that_address(api, outbox):
    attacker = api.post("/api/auth/register/", {"fullname": "Eve", "email": "IVY@example.com",
                                                "password": "attackers-password"})[1]["data"]
    invite("ivy@example.com", "Ivy", "Invited")

    status, body = verify(api, memory_verification_token("ivy@example.com"))

    assert status == 200
    assert me(api, body["data"]["access_token"])["user_id"] == 1  # the same account, now the mailbox owner's
    assert api.get("/api/auth/me/", token=attacker["access_token"])[0] == 401
    assert api.post("/api/auth/login/", {"email": "ivy@example.com", "password": "attackers-password"})[0] == 401


def test_an_unknown_token_is_token_404(api):
    for method in ("GET", "POST"):
        status, body = api.call(method, "/api/auth/verify/made-up-token/", {"password": NEW_PASSWORD})
        assert (status, body["meta"]["errors"]) == (404, ["TOKEN_404"])


@pytest.mark.parametrize(("body", "key"), [
    ({}, "AUTH_PASSWORD_KEY_REQUIRED"),
    ({"password": ""}, "AUTH_PASSWORD_IS_EMPTY"),
    ({"password": "too-short"}, "AUTH_PASSWORD_LENGTH"),
])
def test_a_bad_password_is_refused_and_keeps_the_token(api, jay, body, key):
    token = memory_verification_token(JAY["email"])

    assert api.post(f"/api/auth/verify/{token}/", body) == (
        400, {"data": None, "meta": {"success": False, "errors": [key]}})
    assert api.get(f"/api/auth/verify/{token}/")[0] == 200


def test_verifying_retires_every_outstanding_reset_link(api, jay):
    reset = api.post("/api/auth/forgot/", {"email": JAY["email"]})[1]["data"]["reset_url"]
    verify(api, memory_verification_token(JAY["email"]))

    path = reset.removeprefix(PUBLIC_BASE_URL)
    for method in ("GET", "POST"):
        status, body = api.call(method, path, {"password": "reset-by-old-link"})
        assert (status, body["meta"]["errors"]) == (410, ["TOKEN_USED"])
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": NEW_PASSWORD})[0] == 200


@pytest.mark.parametrize("address", ["jay@example.com", "JAY@example.com", "nobody@example.com"])
def test_resend_answers_200_alike_and_mails_only_an_unverified_account(api, jay, outbox, address):
    outbox.sent.clear()

    answer = api.post("/api/auth/verify/", {"email": address})

    assert answer == (200, {"data": None, "meta": {"success": True, "errors": []}})
    assert [sent.to for sent in outbox.sent] == ([] if address.startswith("nobody") else [JAY["email"]])


def test_resend_mails_nothing_to_a_verified_account_and_still_answers_200(api, jay, outbox):
    verify(api, memory_verification_token(JAY["email"]))
    outbox.sent.clear()

    assert api.post("/api/auth/verify", {"email": JAY["email"]})[0] == 200
    assert outbox.sent == []


def test_resend_answers_200_when_the_mail_fails(api, jay):
    class BrokenSender:
        def send(self, email):
            raise mail.MailError("SES said no")

    with collaborators.using(mail=BrokenSender()):
        assert api.post("/api/auth/verify/", {"email": JAY["email"]})[0] == 200


def test_a_resent_link_is_a_fresh_single_use_token(api, jay):
    first = memory_verification_token(JAY["email"])
    api.post("/api/auth/verify/", {"email": JAY["email"]})
    second = memory_verification_token(JAY["email"])

    assert first != second and VerificationToken.count() == 2
    assert verify(api, second)[0] == 200
    assert verify(api, second)[1]["meta"]["errors"] == ["TOKEN_USED"]


@pytest.mark.parametrize(("body", "key"), [
    ({}, "AUTH_EMAIL_KEY_REQUIRED"),
    ({"email": ""}, "AUTH_EMAIL_IS_EMPTY"),
    ({"email": 3}, "AUTH_EMAIL_IS_NOT_STRING"),
    ({"email": "not-an-email"}, "AUTH_INVALID_EMAIL"),
])
def test_resend_refuses_a_malformed_body_with_the_documented_key(api, body, key):
    assert api.post("/api/auth/verify/", body) == (400, {"data": None, "meta": {"success": False, "errors": [key]}})


def test_the_local_admin_is_created_verified_and_an_existing_account_made_admin_is_verified(aws, outbox):
    created = service.ensure_admin("admin@example.com", "admin-password-123")
    service.register("Later Admin", "later@example.com", "twelve-chars-pw")
    promoted = service.ensure_admin("later@example.com", "admin-password-456")

    assert created.email_verified is True
    assert service.get(promoted.id).email_verified is True
