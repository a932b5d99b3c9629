"""/api/auth/forgot and /api/auth/reset/<token>: a single-use, expiring link sent by email."""
import re

import pytest

from chalicelib.core import collaborators, mail
from chalicelib.core.settings import public_base_url
from chalicelib.identity.models import ResetToken
from tests.conftest import JAY, PUBLIC_BASE_URL


@pytest.fixture
def jay(jay, outbox):
    """Jay, registered, with the registration's verification mail set aside: these tests read what resets send."""
    outbox.sent.clear()
    return jay


def reset_link(api, email="jay@example.com"):
    status, body = api.post("/api/auth/forgot/", {"email": email})
    assert status == 200
    return body["data"]["reset_url"]


def token_of(link):
    return re.search(r"/api/auth/reset/([^/]+)/$", link).group(1)


def test_forgot_mails_a_reset_link_and_answers_it(api, jay, outbox):
    link = reset_link(api)

    assert link.startswith(f"{PUBLIC_BASE_URL}/api/auth/reset/")
    assert [(m.to, m.subject) for m in outbox.sent] == [("jay@example.com", "Reset your password")]
    assert link in outbox.sent[0].body
    stored = list(ResetToken.scan())
    assert len(stored) == 1 and token_of(link) not in stored[0].token_hash


def test_forgot_keeps_the_link_out_of_the_answer_where_the_stage_says_so(api, jay, outbox, settings_env):
    settings_env(EXPOSE_RESET_URL="false")

    status, body = api.post("/api/auth/forgot/", {"email": "jay@example.com"})

    assert (status, body["data"]) == (200, {"reset_url": None})
    assert len(outbox.sent) == 1


@pytest.mark.parametrize("headers", [{"Host": "attacker.example.com"},
                                     {"Host": "attacker.example.com", "X-Forwarded-Proto": "http"}, {}])
def test_forgot_links_to_the_configured_base_whatever_host_the_request_names(api, jay, outbox, headers):
    status, body = api.post("/api/auth/forgot/", {"email": "jay@example.com"}, headers=headers)

    link = body["data"]["reset_url"]
    assert status == 200 and link.startswith(f"{PUBLIC_BASE_URL}/api/auth/reset/")
    assert link in outbox.sent[0].body


def test_forgot_ignores_a_trailing_slash_of_the_configured_base(api, jay, settings_env):
    settings_env(PUBLIC_BASE_URL="https://api.example.org/api/")

    assert reset_link(api).startswith("https://api.example.org/api/api/auth/reset/")


def test_without_public_base_url_links_come_from_the_ssm_parameter_read_once(api, jay, outbox, base_url_parameter,
                                                                              aws_calls):
    aws_calls.clear()

    links = [reset_link(api), reset_link(api)]

    assert all(link.startswith(f"{base_url_parameter}/api/auth/reset/") for link in links)
    assert [link in sent.body for link, sent in zip(links, outbox.sent, strict=True)] == [True, True]
    assert [(service, operation) for service, operation, _ in aws_calls if service == "ssm"] == [
        ("ssm", "GetParameter")]


def test_without_a_configured_base_no_link_is_built_or_mailed(api, jay, outbox, settings_env):
    settings_env(PUBLIC_BASE_URL=None, PUBLIC_BASE_URL_PARAMETER=None)

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL or PUBLIC_BASE_URL_PARAMETER"):
        public_base_url()
    status, _ = api.post("/api/auth/forgot/", {"email": "jay@example.com"}, headers={"Host": "api.example.org"})
    assert (status, outbox.sent, ResetToken.count()) == (500, [], 0)


@pytest.mark.parametrize(("body", "status", "key"), [
    ({}, 400, "AUTH_EMAIL_KEY_REQUIRED"),
    ({"email": ""}, 400, "AUTH_EMAIL_IS_EMPTY"),
    ({"email": 42}, 400, "AUTH_EMAIL_IS_NOT_STRING"),
    ({"email": "not-an-email"}, 400, "AUTH_INVALID_EMAIL"),
    ({"email": "nobody@example.com"}, 404, "USER_DOES_NOT_EXIST"),
])
def test_forgot_refuses_bad_input_with_the_documented_key(api, jay, outbox, body, status, key):
    answer, payload = api.post("/api/auth/forgot/", body)

    assert (answer, payload["meta"]["errors"]) == (status, [key])
    assert outbox.sent == []


class BrokenSender:
    def send(self, email):
        raise mail.MailError("SES said no")


def test_forgot_reports_a_mail_failure_and_keeps_no_token(api, jay):
    with collaborators.using(mail=BrokenSender()):
        status, body = api.post("/api/auth/forgot/", {"email": "jay@example.com"})

    assert (status, body["meta"]["errors"]) == (502, ["ISSUE_SENDING_EMAIL"])
    assert ResetToken.count() == 0


def test_reset_get_answers_the_email_of_a_valid_token(api, jay):
    status, body = api.get(f"/api/auth/reset/{token_of(reset_link(api))}/")

    assert (status, body["data"]) == (200, {"email": "jay@example.com"})


def test_reset_post_sets_the_password_and_answers_new_tokens(api, jay, outbox):
    token = token_of(reset_link(api))

    status, body = api.post(f"/api/auth/reset/{token}", {"password": "a-brand-new-password"})

    assert status == 200 and set(body["data"]) == {"access_token", "refresh_token"}
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": "a-brand-new-password"})[0] == 200
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": JAY["password"]})[0] == 401
    assert outbox.sent[-1].subject == "Your password was changed"


def test_reset_revokes_tokens_issued_before_it(api, jay):
    _, body = api.post(f"/api/auth/reset/{token_of(reset_link(api))}/", {"password": "a-brand-new-password"})

    assert api.get("/api/auth/me/", token=jay["access_token"])[1]["meta"]["errors"] == ["AUTH_TOKEN_INVALID"]
    assert api.post("/api/auth/refresh/", {"refresh_token": jay["refresh_token"]})[0] == 401
    assert api.get("/api/auth/me/", token=body["data"]["access_token"])[0] == 200


def test_a_reset_token_works_once(api, jay):
    token = token_of(reset_link(api))
    api.post(f"/api/auth/reset/{token}/", {"password": "a-brand-new-password"})

    for method in ("GET", "POST"):
        status, body = api.call(method, f"/api/auth/reset/{token}/", {"password": "yet-another-password"})
        assert (status, body["meta"]["errors"]) == (410, ["TOKEN_USED"])


def test_a_reset_token_expires_after_an_hour(api, jay, fixed_clock):
    token = token_of(reset_link(api))
    fixed_clock.advance(hours=1)

    for method in ("GET", "POST"):
        status, body = api.call(method, f"/api/auth/reset/{token}/", {"password": "a-brand-new-password"})
        assert (status, body["meta"]["errors"]) == (410, ["TOKEN_EXPIRED"])
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": JAY["password"]})[0] == 200


def test_an_unknown_reset_token_is_token_404(api):
    for method in ("GET", "POST"):
        status, body = api.call(method, "/api/auth/reset/made-up-token/", {"password": "a-brand-new-password"})
        assert (status, body["meta"]["errors"]) == (404, ["TOKEN_404"])


@pytest.mark.parametrize(("body", "key"), [
    ({}, "AUTH_PASSWORD_KEY_REQUIRED"),
    ({"password": ""}, "AUTH_PASSWORD_IS_EMPTY"),
    ({"password": ["x"]}, "AUTH_PASSWORD_IS_NOT_STRING"),
    ({"password": "too-short"}, "AUTH_PASSWORD_LENGTH"),
])
def test_reset_post_refuses_a_bad_password_and_keeps_the_token(api, jay, body, key):
    token = token_of(reset_link(api))

    status, payload = api.post(f"/api/auth/reset/{token}/", body)

    assert (status, payload["meta"]["errors"]) == (400, [key])
    assert api.get(f"/api/auth/reset/{token}/")[0] == 200
