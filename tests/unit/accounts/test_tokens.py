"""Access tokens on protected routes, and /api/auth/refresh/: every bad token is a 401 in the envelope."""
import base64
import json
import uuid

import jwt
import pytest

from chalicelib.core import tokens
from chalicelib.core.errors import Forbidden, Unauthorized
from chalicelib.core.tokens import signing_secret
from chalicelib.identity import auth
from tests.conftest import JAY


def forged(**claims):
    base = {"sub": str(uuid.uuid4()), "typ": "access", "ver": 1, "iat": 1795000000, "exp": 1895000000,
            "jti": "x"}
    return jwt.encode({**base, **claims}, signing_secret(), algorithm="HS256")


def test_me_answers_the_account_for_its_access_token(api, jay):
    status, body = api.get("/api/auth/me/", token=jay["access_token"])

    assert status == 200
    assert body["data"] == {"user_id": 1, "fullname": "Jay Rainey", "email": "jay@example.com", "is_admin": False,
                            "email_verified": False}


def _unsigned(token):
    header, payload, _ = token.split(".")
    fake_header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode().rstrip("=")
    return f"{fake_header}.{payload}."


@pytest.mark.parametrize(("make_headers", "key"), [
    (lambda jay: {}, "AUTH_TOKEN_MISSING"),
    (lambda jay: {"Authorization": "Bearer"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": "Bearer not.a.jwt"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": f"Token {jay['access_token']}"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": jay["access_token"]}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": f"Bearer {jay['access_token'][:-3]}abc"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": f"Bearer {_unsigned(jay['access_token'])}"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": f"Bearer {jay['refresh_token']}"}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": "Bearer " + jwt.encode(
        jwt.decode(jay["access_token"], options={"verify_signature": False}), "another-secret-of-32-characters!!",
        algorithm="HS256")}, "AUTH_TOKEN_INVALID"),
    (lambda jay: {"Authorization": f"Bearer {forged()}"}, "GENERAL_UNKNOWN_JWT_USER"),
])
def test_me_refuses_a_missing_or_bad_token(api, jay, make_headers, key):
    status, body = api.get("/api/auth/me/", headers=make_headers(jay))

    assert (status, body) == (401, {"data": None, "meta": {"success": False, "errors": [key]}})


def test_an_access_token_stops_working_when_it_expires(api, jay, fixed_clock):
    fixed_clock.advance(seconds=899)
    assert api.get("/api/auth/me/", token=jay["access_token"])[0] == 200

    fixed_clock.advance(seconds=1)
    status, body = api.get("/api/auth/me/", token=jay["access_token"])

    assert (status, body["meta"]["errors"]) == (401, ["AUTH_TOKEN_EXPIRED"])


def test_a_token_missing_a_claim_is_invalid(api, jay):
    token = jwt.encode({"sub": "x", "typ": "access", "exp": 1895000000}, signing_secret(), algorithm="HS256")

    assert api.get("/api/auth/me/", token=token)[1]["meta"]["errors"] == ["AUTH_TOKEN_INVALID"]


def test_refresh_trades_a_refresh_token_for_a_new_pair_once(api, jay):
    status, body = api.post("/api/auth/refresh/", {"refresh_token": jay["refresh_token"]})
    assert status == 200
    assert api.get("/api/auth/me/", token=body["data"]["access_token"])[0] == 200

    again, reused = api.post("/api/auth/refresh", {"refresh_token": jay["refresh_token"]})
    assert (again, reused["meta"]["errors"]) == (401, ["AUTH_TOKEN_INVALID"])
    assert api.post("/api/auth/refresh/", {"refresh_token": body["data"]["refresh_token"]})[0] == 200


@pytest.mark.parametrize(("body", "status", "key"), [
    ({}, 400, "AUTH_REFRESH_TOKEN_REQUIRED"),
    ({"refresh_token": 5}, 400, "AUTH_REFRESH_TOKEN_IS_NOT_STRING"),
    ({"refresh_token": "garbage"}, 401, "AUTH_TOKEN_INVALID"),
])
def test_refresh_refuses_a_missing_or_bad_refresh_token(api, body, status, key):
    answer, payload = api.post("/api/auth/refresh/", body)

    assert (answer, payload["meta"]["errors"]) == (status, [key])


def test_refresh_refuses_an_access_token(api, jay):
    status, body = api.post("/api/auth/refresh/", {"refresh_token": jay["access_token"]})

    assert (status, body["meta"]["errors"]) == (401, ["AUTH_TOKEN_INVALID"])


def test_refresh_refuses_an_expired_refresh_token(api, jay, fixed_clock):
    fixed_clock.advance(days=30)

    status, body = api.post("/api/auth/refresh/", {"refresh_token": jay["refresh_token"]})

    assert (status, body["meta"]["errors"]) == (401, ["AUTH_TOKEN_EXPIRED"])


class FakeRequest:
    def __init__(self, headers):
        self.headers = {k.lower(): v for k, v in headers.items()}


def test_authenticate_takes_a_bare_token_only_where_a_surface_allows_it(client, jay):
    request = FakeRequest({"Authorization": jay["access_token"]})

    assert auth.authenticate(request, allow_bare=True).email == JAY["email"]
    with pytest.raises(Unauthorized):
        auth.authenticate(request)


def test_authenticate_reads_the_header_names_a_surface_documents(client, jay):
    request = FakeRequest({"Authentication": f"Bearer {jay['access_token']}"})

    assert auth.authenticate(request, headers=("authentication", "authorization")).email == JAY["email"]
    assert auth.optional_account(FakeRequest({})) is None


def test_require_admin_refuses_an_ordinary_account(client, jay):
    account = auth.authenticate(FakeRequest({"Authorization": f"Bearer {jay['access_token']}"}))

    with pytest.raises(Forbidden):
        auth.require_admin(account)


def test_the_admin_account_passes_the_admin_check(client):
    from chalicelib.identity import service

    admin = service.ensure_admin("admin@example.com", "admin-password-123")
    again = service.ensure_admin("ADMIN@example.com", "a-new-admin-password")

    assert auth.require_admin(again).id == admin.id
    assert service.login("admin@example.com", "a-new-admin-password").is_admin


def test_signing_secret_is_read_from_secrets_manager_when_configured(aws, monkeypatch):
    import boto3

    boto3.client("secretsmanager").create_secret(Name="/platform/jwt", SecretString="s" * 40)
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_ID", "/platform/jwt")
    tokens.signing_secret.cache_clear()
    try:
        assert tokens.signing_secret() == "s" * 40
    finally:
        tokens.signing_secret.cache_clear()


def test_a_short_signing_secret_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "short")
    tokens.signing_secret.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="at least 32"):
            tokens.signing_secret()
    finally:
        tokens.signing_secret.cache_clear()
