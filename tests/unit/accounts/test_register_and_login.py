"""/api/auth/register and /api/auth/login: the documented envelope, keys and what is stored."""
import jwt
import pytest

from chalicelib.identity.models import Account, EmailClaim
from tests.conftest import JAY


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize("path", ["/api/auth/register/", "/api/auth/register"])
def test_register_answers_tokens_in_the_envelope_with_or_without_trailing_slash(api, path):
    status, body = api.post(path, JAY)

    assert status == 201
    assert body["meta"] == {"success": True, "errors": []}
    assert set(body["data"]) == {"access_token", "refresh_token"}
    account = Account.get(claims(body["data"]["access_token"])["sub"])
    assert (account.email, account.fullname, account.first_name, account.last_name) == \
        ("jay@example.com", "Jay Rainey", "Jay", "Rainey")
    assert claims(body["data"]["access_token"])["typ"] == "access"
    assert claims(body["data"]["refresh_token"])["typ"] == "refresh"


def test_register_accepts_a_form_content_type_as_curl_sends(api):
    status, _ = api.post("/api/auth/register/", JAY, headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert status == 201


def test_register_stores_a_salted_scrypt_hash_never_the_password(api):
    api.post("/api/auth/register/", JAY)
    api.post("/api/auth/register/", {**JAY, "email": "twin@example.com"})

    hashes = [account.password_hash for account in Account.scan()]
    assert all(h.startswith("scrypt$") and JAY["password"] not in h for h in hashes)
    assert hashes[0] != hashes[1]


def test_register_gives_each_account_a_uuid_and_a_distinct_integer_id(api):
    for n in range(3):
        api.post("/api/auth/register/", {**JAY, "email": f"user{n}@example.com"})

    accounts = list(Account.scan())
    assert sorted(int(a.number) for a in accounts) == [1, 2, 3]
    assert all(len(a.id) == 36 for a in accounts)


def test_register_refuses_an_email_taken_in_any_case(api, jay):
    status, body = api.post("/api/auth/register/", {**JAY, "email": "  JAY@Example.COM "})

    assert (status, body["meta"]) == (409, {"success": False, "errors": ["AUTH_EMAIL_EXISTS"]})
    assert body["data"] is None
    assert Account.count() == 1
    assert [c.email for c in EmailClaim.scan()] == ["jay@example.com"]


def test_register_lists_every_missing_field(api):
    status, body = api.post("/api/auth/register/", {})

    assert status == 400
    assert body["meta"]["errors"] == ["AUTH_FULLNAME_REQUIRED", "AUTH_EMAIL_REQUIRED", "AUTH_PASSWORD_REQUIRED"]
    assert Account.count() == 0


@pytest.mark.parametrize(("change", "key"), [
    ({"fullname": "   "}, "AUTH_FULLNAME_REQUIRED"),
    ({"fullname": 7}, "AUTH_FULLNAME_IS_NOT_STRING"),
    ({"fullname": "x" * 201}, "AUTH_FULLNAME_TOO_LONG"),
    ({"email": ""}, "AUTH_EMAIL_REQUIRED"),
    ({"email": ["jay@example.com"]}, "AUTH_EMAIL_IS_NOT_STRING"),
    ({"email": "jay@example"}, "AUTH_INVALID_EMAIL"),
    ({"email": "jay example@example.com"}, "AUTH_INVALID_EMAIL"),
    ({"password": None}, "AUTH_PASSWORD_REQUIRED"),
    ({"password": 123456789012}, "AUTH_PASSWORD_IS_NOT_STRING"),
    ({"password": "eleven-char"}, "AUTH_PASSWORD_LENGTH"),
    ({"password": "p" * 1025}, "AUTH_PASSWORD_LENGTH"),
])
def test_register_refuses_a_bad_field_with_its_key(api, change, key):
    status, body = api.post("/api/auth/register/", {**JAY, **change})

    assert (status, body["meta"]["errors"]) == (400, [key])
    assert Account.count() == 0


@pytest.mark.parametrize("raw", ["{", "", "[]", '"jay"', "null", '{"fullname": "Jay",}', b"\xff\xfe{}"])
def test_a_body_that_is_not_a_json_object_is_general_invalid_json(api, raw):
    status, body = api.call("POST", "/api/auth/register/", raw=raw)

    assert (status, body["meta"]["errors"]) == (400, ["GENERAL_INVALID_JSON"])


def test_an_oversized_body_is_refused_before_parsing(api):
    status, body = api.call("POST", "/api/auth/register/", raw='{"fullname": "' + "x" * 1_100_000 + '"}')

    assert (status, body["meta"]["errors"]) == (413, ["GENERAL_BODY_TOO_LARGE"])


def test_login_answers_a_fresh_token_pair_for_the_right_password(api, jay):
    status, body = api.post("/api/auth/login/", {"email": "JAY@example.com", "password": JAY["password"]})

    assert status == 200
    assert claims(body["data"]["access_token"])["sub"] == claims(jay["access_token"])["sub"]


@pytest.mark.parametrize(("credentials", "status", "key"), [
    ({"email": "jay@example.com", "password": "wrong-password-1"}, 401, "AUTH_INCORRECT_PASSWORD"),
    ({"email": "nobody@example.com", "password": "twelve-chars-pw"}, 401, "AUTH_EMAIL_DOES_NOT_EXIST"),
    ({"password": "twelve-chars-pw"}, 400, "AUTH_EMAIL_REQUIRED"),
    ({"email": "jay@", "password": "twelve-chars-pw"}, 400, "AUTH_INVALID_EMAIL"),
    ({"email": "jay@example.com"}, 400, "AUTH_PASSWORD_REQUIRED"),
    ({"email": "jay@example.com", "password": "short"}, 400, "AUTH_PASSWORD_LENGTH"),
])
def test_login_refuses_bad_credentials_with_the_documented_key(api, jay, credentials, status, key):
    answer, body = api.post("/api/auth/login", credentials)

    assert (answer, body["meta"]["errors"]) == (status, [key])
