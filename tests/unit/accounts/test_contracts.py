"""How /api/auth's contracts map each way a body fails its schema to the document's key: one key a field, the
first of missing (absent or null), not a string, blank, then the field's own rule."""
import pytest

from chalicelib.accounts import contracts
from chalicelib.accounts.errors import ERROR_SCHEMA
from chalicelib.core.contracts import failures
from tests.conftest import JAY


def errors(api, path, body=None, **kw):
    status, answer = api.post(path, body, **kw)
    assert status == 400 and answer["data"] is None and answer["meta"]["success"] is False
    return answer["meta"]["errors"]


@pytest.mark.parametrize("raw", ["[]", "null", "3", '"text"', ""])
def test_a_body_that_is_not_an_object_fails_the_body_type_as_general_invalid_json(api, raw):
    assert errors(api, "/api/auth/login/", raw=raw) == ["GENERAL_INVALID_JSON"]


@pytest.mark.parametrize(("path", "body", "key"), [
    ("/api/auth/login/", {"password": "twelve-chars-pw"}, "AUTH_EMAIL_REQUIRED"),
    ("/api/auth/login/", {"email": None, "password": "twelve-chars-pw"}, "AUTH_EMAIL_REQUIRED"),
    ("/api/auth/forgot/", {}, "AUTH_EMAIL_KEY_REQUIRED"),
    ("/api/auth/forgot/", {"email": None}, "AUTH_EMAIL_KEY_REQUIRED"),
    ("/api/auth/reset/any-token/", {}, "AUTH_PASSWORD_KEY_REQUIRED"),
    ("/api/auth/verify/any-token/", {"password": None}, "AUTH_PASSWORD_KEY_REQUIRED"),
    ("/api/auth/refresh/", {"refresh_token": None}, "AUTH_REFRESH_TOKEN_REQUIRED"),
])
def test_an_absent_or_null_field_is_its_missing_key(api, path, body, key):
    assert errors(api, path, body) == [key]


@pytest.mark.parametrize(("path", "body", "key"), [
    ("/api/auth/register/", {**JAY, "fullname": ["Jay"]}, "AUTH_FULLNAME_IS_NOT_STRING"),
    ("/api/auth/login/", {"email": True, "password": "twelve-chars-pw"}, "AUTH_EMAIL_IS_NOT_STRING"),
    ("/api/auth/verify/", {"email": {"a": "jay@example.com"}}, "AUTH_EMAIL_IS_NOT_STRING"),
    ("/api/auth/reset/any-token/", {"password": 123456789012}, "AUTH_PASSWORD_IS_NOT_STRING"),
    ("/api/auth/refresh/", {"refresh_token": 7}, "AUTH_REFRESH_TOKEN_IS_NOT_STRING"),
])
def test_another_type_is_the_fields_not_string_key(api, path, body, key):
    assert errors(api, path, body) == [key]


@pytest.mark.parametrize(("path", "body", "key"), [
    ("/api/auth/register/", {**JAY, "fullname": " \t\n"}, "AUTH_FULLNAME_REQUIRED"),
    ("/api/auth/login/", {"email": "  ", "password": "twelve-chars-pw"}, "AUTH_EMAIL_REQUIRED"),
    ("/api/auth/login/", {"email": "jay@example.com", "password": " " * 12}, "AUTH_PASSWORD_REQUIRED"),
    ("/api/auth/forgot/", {"email": " "}, "AUTH_EMAIL_IS_EMPTY"),
    ("/api/auth/reset/any-token/", {"password": ""}, "AUTH_PASSWORD_IS_EMPTY"),
    ("/api/auth/refresh/", {"refresh_token": "  "}, "AUTH_REFRESH_TOKEN_REQUIRED"),
])
def test_blank_text_is_the_empty_key_and_no_rule_of_the_field_is_checked(api, path, body, key):
    """A blank email is not also AUTH_INVALID_EMAIL, a blank password not also AUTH_PASSWORD_LENGTH."""
    assert errors(api, path, body) == [key]


@pytest.mark.parametrize("email", ["jay@example", "jay@example.c", "jay example@example.com", "@example.com",
                                   "jay@@example.com", "jay@exa mple.com", "\u0000jay@example.com",
                                   "j" * 65 + "@example.com", "jay@" + "e" * 247 + ".com", "jay@example.com."])
def test_a_malformed_email_is_auth_invalid_email(api, email):
    assert errors(api, "/api/auth/login/", {"email": email, "password": "twelve-chars-pw"}) == ["AUTH_INVALID_EMAIL"]


@pytest.mark.parametrize("email", ["  jay@example.com\n", "j" * 64 + "@example.com", "jay@" + "e" * 246 + ".com",
                                   "jay.rainey+tag@mail.example.co.uk"])
def test_an_email_is_judged_without_its_surrounding_whitespace(email):
    assert failures(contracts.LOGIN.body, {"email": email, "password": "twelve-chars-pw"}) == []


def test_a_full_name_is_at_most_200_characters_once_stripped(api):
    assert failures(contracts.REGISTER.body, {**JAY, "fullname": "  " + "x" * 200 + " \n"}) == []
    assert failures(contracts.REGISTER.body, {**JAY, "fullname": "x" + " " * 198 + "x"}) == []
    assert errors(api, "/api/auth/register/", {**JAY, "fullname": " x" + " " * 199 + "x "}) == [
        "AUTH_FULLNAME_TOO_LONG"]


@pytest.mark.parametrize(("password", "refused"), [
    ("p" * 11, True), ("p" * 12, False), ("p" * 1024, False), ("p" * 1025, True), ("  short  ", True)])
def test_a_password_is_12_to_1024_characters_as_sent(api, password, refused):
    body = {"email": "nobody@example.com", "password": password}

    status, answer = api.post("/api/auth/login/", body)

    assert (status, answer["meta"]["errors"]) == ((400, ["AUTH_PASSWORD_LENGTH"]) if refused else
                                                  (401, ["AUTH_EMAIL_DOES_NOT_EXIST"]))


def test_every_failing_field_answers_its_key_in_the_order_of_the_document(api):
    body = {"fullname": 3, "email": "", "password": "short", "extra": "ignored"}

    assert errors(api, "/api/auth/register/", body) == [
        "AUTH_FULLNAME_IS_NOT_STRING", "AUTH_EMAIL_REQUIRED", "AUTH_PASSWORD_LENGTH"]


@pytest.mark.parametrize(("path", "body", "keys"), [
    ("/api/auth/register/", {**JAY, "password": " Password1234 "}, ["AUTH_PASSWORD_TOO_COMMON"]),
    ("/api/auth/register/", {"fullname": "Jay", "email": "jay@", "password": "qwerty123456"},
     ["AUTH_INVALID_EMAIL", "AUTH_PASSWORD_TOO_COMMON"]),
    ("/api/auth/reset/any-token/", {"password": "QWERTY123456"}, ["AUTH_PASSWORD_TOO_COMMON"]),
    ("/api/auth/verify/any-token/", {"password": "password1234"}, ["AUTH_PASSWORD_TOO_COMMON"]),
    # The list is asked only about a password that meets the contract: a short common one is too short.
    ("/api/auth/register/", {**JAY, "password": "password"}, ["AUTH_PASSWORD_LENGTH"]),
])
def test_a_chosen_common_password_joins_the_contracts_keys(api, path, body, keys):
    assert errors(api, path, body) == keys


def test_a_link_token_is_checked_after_the_body(api):
    """An invalid body answers 400 before the token is looked up; a valid one reaches the token (404)."""
    assert errors(api, "/api/auth/verify/no-such-token/", {"password": "short"}) == ["AUTH_PASSWORD_LENGTH"]
    assert api.post("/api/auth/verify/no-such-token/", {"password": "an-uncommon-password"})[1]["meta"][
        "errors"] == ["TOKEN_404"]


def test_the_answers_fit_their_declared_schemas(api, jay, outbox):
    token = jay["access_token"]
    answers = [(contracts.REGISTER, 201, api.post("/api/auth/register/", {**JAY, "email": "ivy@example.com"})),
               (contracts.LOGIN, 200, api.post("/api/auth/login/", JAY)),
               (contracts.REFRESH, 200, api.post("/api/auth/refresh/", {"refresh_token": jay["refresh_token"]})),
               (contracts.ME, 200, api.get("/api/auth/me/", token=token)),
               (contracts.FORGOT, 200, api.post("/api/auth/forgot/", {"email": JAY["email"]})),
               (contracts.RESEND, 200, api.post("/api/auth/verify/", {"email": JAY["email"]}))]
    errors_answered = [api.post("/api/auth/login/", {}), api.get("/api/auth/me/"),
                       api.get("/api/auth/reset/no-such-token/")]

    for contract, status, (answered, body) in answers:
        assert answered == status and failures(contract.answers[status], body) == []
    for _, body in errors_answered:
        assert failures(ERROR_SCHEMA, body) == []
