"""At most 5 mails an hour to one address from /api/auth/forgot/ and /password-resets (and the verification
resend): counted in DynamoDB per address and clock hour, with a TTL, in the transaction that stores the link's token
(guard.mail_step), so a refused mail stores no token."""
from datetime import timedelta

from chalicelib.identity.guard import MailQuota
from chalicelib.identity.models import ResetToken, VerificationToken
from tests.conftest import JAY, NOW

RESET = "Reset your password"


def resets(outbox, to=JAY["email"]):
    return [mail for mail in outbox.sent if mail.subject == RESET and mail.to == to]


def forgot(api, email=JAY["email"]):
    return api.post("/api/auth/forgot/", {"email": email})


def test_five_forgot_mails_an_hour_then_429_with_retry_after_and_no_sixth_mail(api, jay, fixed_clock, outbox):
    fixed_clock.advance(minutes=20)
    assert [forgot(api)[0] for _ in range(5)] == [200] * 5

    response = api.client.http.post("/api/auth/forgot/", body='{"email": "jay@example.com"}',
                                    headers={"Content-Type": "application/json"})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(40 * 60)  # until the next clock hour
    assert response.json_body == {"data": None, "meta": {"success": False, "errors": ["AUTH_TOO_MANY_EMAILS"]}}
    assert len(resets(outbox)) == 5
    assert ResetToken.count() == 5  # no token was stored for the refused mail


def test_the_next_hour_allows_five_more(api, jay, fixed_clock, outbox):
    [forgot(api) for _ in range(6)]
    fixed_clock.advance(hours=1)

    assert [forgot(api)[0] for _ in range(6)] == [200] * 5 + [429]
    assert len(resets(outbox)) == 10


def test_the_limit_is_per_address_in_any_case(api, jay, fixed_clock, outbox):
    assert api.post("/api/auth/register/", {**JAY, "email": "other@example.com"})[0] == 201
    [forgot(api, "JAY@example.com") for _ in range(5)]

    assert forgot(api, "jay@EXAMPLE.com")[0] == 429
    assert forgot(api, "other@example.com")[0] == 200


def test_password_resets_keeps_answering_204_but_sends_no_sixth_mail(api, jay, fixed_clock, outbox):
    statuses = [api.post("/password-resets", {"email": JAY["email"]})[0] for _ in range(7)]

    assert statuses == [204] * 7
    assert len(resets(outbox)) == 5


def test_forgot_and_password_resets_share_one_count(api, jay, fixed_clock, outbox):
    [forgot(api) for _ in range(3)]
    [api.post("/password-resets", {"email": JAY["email"]}) for _ in range(3)]

    assert forgot(api)[0] == 429
    assert len(resets(outbox)) == 5


def test_the_hourly_count_has_a_ttl_an_hour_past_its_hour(api, jay, fixed_clock, outbox):
    fixed_clock.advance(minutes=10)
    forgot(api)

    [quota] = list(MailQuota.scan())
    assert quota.address_hour == "jay@example.com#2026-11-23T12"
    assert int(quota.sent) == 1
    assert quota.remove_at == NOW + timedelta(hours=2)


def test_the_verification_resend_sends_five_mails_an_hour_and_keeps_answering_200(api, jay, fixed_clock, outbox):
    outbox.sent.clear()  # the registration's own link

    statuses = [api.post("/api/auth/verify/", {"email": JAY["email"]})[0] for _ in range(7)]

    assert statuses == [200] * 7
    assert len([mail for mail in outbox.sent if mail.to == JAY["email"]]) == 5
    assert VerificationToken.count() == 1 + 5  # the registration's, and no token for a refused mail
