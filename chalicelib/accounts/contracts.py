"""The contracts of /api/auth: what each body must be, as JSON Schema carrying the document's error keys.

Every field answers one key, the first of: absent or null (its `missing` key), not a string, blank (`empty`,
else `missing`), then its own rule (an email, a password's length), checked only on text that is not blank.
The one rule that needs code, a chosen password on the common list, joins those keys in `password_body`."""
from typing import Any

from chalicelib.accounts.errors import envelope_schema
from chalicelib.core.contracts import BEARER, Contract, Failure, body
from chalicelib.identity import common_passwords

# An address as the document takes it: surrounding whitespace is the service's to strip, at most 254 characters
# (a 64-character local part) between, no spaces or control characters, a dot and two characters to end the domain.
EMAIL = r"^\s*(?=\S{1,254}\s*$)[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]{2,}\s*$"
# A full name of at most 200 characters once its surrounding whitespace is stripped.
FULLNAME = r"^\s*\S(?:[\s\S]{0,198}\S)?\s*$"
PASSWORD_MIN, PASSWORD_MAX = 12, 1024


def _text(name: str, missing: str, empty: str | None = None, rule: dict[str, Any] | None = None) -> dict[str, Any]:
    """A required string field refused with `AUTH_<name>_...` keys as the module docstring orders them."""
    text = {"type": ["string", "null"], "not": {"type": "null"}, "pattern": r"\S",
            "x-errors": {"required": missing, "not": missing, "type": f"AUTH_{name}_IS_NOT_STRING",
                         "pattern": empty or missing}}
    return {**text, "if": {"pattern": r"\S"}, "then": rule} if rule else text


def _body(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties,
            "x-errors": {"type": "GENERAL_INVALID_JSON"}}


def _email(missing: str, empty: str | None = None) -> dict[str, Any]:
    return _text("EMAIL", missing, empty, {"pattern": EMAIL, "x-errors": {"pattern": "AUTH_INVALID_EMAIL"}})


def _password(missing: str, empty: str | None = None) -> dict[str, Any]:
    length = "AUTH_PASSWORD_LENGTH"
    return _text("PASSWORD", missing, empty, {"minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX,
                                              "x-errors": {"minLength": length, "maxLength": length}})


def _data(**properties: dict[str, Any]) -> dict[str, Any]:
    return envelope_schema({"type": "object", "required": list(properties), "properties": properties})


STRING = {"type": "string"}
TOKENS = _data(access_token=STRING, refresh_token=STRING)
EMAIL_OF_TOKEN = _data(email=STRING)
TOKEN = {"token": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "description": "The token of a mailed link"}}
NEW_PASSWORD = _body(password=_password("AUTH_PASSWORD_KEY_REQUIRED", "AUTH_PASSWORD_IS_EMPTY"))
EMAIL_ONLY = _body(email=_email("AUTH_EMAIL_KEY_REQUIRED", "AUTH_EMAIL_IS_EMPTY"))


def _example(data: Any) -> dict[str, Any]:
    return {"data": data, "meta": {"success": True, "errors": []}}


TOKENS_EXAMPLE = _example({"access_token": "", "refresh_token": ""})

REGISTER = Contract(
    summary="Create an account and answer its tokens (users.register)",
    description="The address is then mailed a link that verifies it. A password on the list of common passwords "
                "is refused with AUTH_PASSWORD_TOO_COMMON.",
    body=_body(fullname=_text("FULLNAME", "AUTH_FULLNAME_REQUIRED", rule={
                   "pattern": FULLNAME, "x-errors": {"pattern": "AUTH_FULLNAME_TOO_LONG"}}),
               email=_email("AUTH_EMAIL_REQUIRED"), password=_password("AUTH_PASSWORD_REQUIRED")),
    answers={201: TOKENS}, errors=(409,),
    examples={"request": {"fullname": "Jay Rainey", "email": "jay@example.com", "password": "twelve-chars-pw"},
              "response": TOKENS_EXAMPLE})

LOGIN = Contract(
    summary="Sign in and answer a fresh token pair (users.login)",
    body=_body(email=_email("AUTH_EMAIL_REQUIRED"), password=_password("AUTH_PASSWORD_REQUIRED")),
    answers={200: TOKENS}, errors=(401, 409, 429),
    examples={"request": {"email": "jay@example.com", "password": "twelve-chars-pw"},
              "response": TOKENS_EXAMPLE})

REFRESH = Contract(
    summary="Trade a refresh token, once, for a new token pair",
    body=_body(refresh_token=_text("REFRESH_TOKEN", "AUTH_REFRESH_TOKEN_REQUIRED")),
    answers={200: TOKENS}, errors=(401,), examples={"response": TOKENS_EXAMPLE})

ME = Contract(
    summary="The signed-in account",
    answers={200: _data(user_id={"type": "integer"}, fullname=STRING, email=STRING,
                        is_admin={"type": "boolean"}, email_verified={"type": "boolean"})},
    security=(BEARER,))

FORGOT = Contract(
    summary="Mail a link that resets the password (users.forgot)",
    description="`reset_url` is the mailed link where the stage exposes it (local runs), else null.",
    body=EMAIL_ONLY, answers={200: _data(reset_url={"type": ["string", "null"]})}, errors=(404, 429, 502),
    examples={"request": {"email": "jay@example.com"}, "response": _example(
        {"reset_url": "http://0.0.0.0:5000/api/auth/reset/Imphd3JhaW5leUBnbWFpbC5jb20i.DYWvEQ.A_ave4r-iQeCfnDaOnCblF3MsVo"})})

RESET_EMAIL = Contract(
    summary="The email a reset link belongs to (users.resetPassword)",
    params=TOKEN, answers={200: EMAIL_OF_TOKEN}, errors=(404, 410),
    examples={"response": _example({"email": "notjawrainey@gmail.com"})})

RESET = Contract(
    summary="Set a new password with a reset link, and answer fresh tokens (users.resetPassword)",
    description="A password on the list of common passwords is refused with AUTH_PASSWORD_TOO_COMMON.",
    params=TOKEN, body=NEW_PASSWORD, answers={200: TOKENS}, errors=(404, 409, 410),
    examples={"request": {"password": "my-new-password-1"}, "response": TOKENS_EXAMPLE})

RESEND = Contract(
    summary="Mail a fresh verification link",
    description="The answer is the same for every address, known, unknown or already verified.",
    body=EMAIL_ONLY, answers={200: envelope_schema({"type": "null"})},
    examples={"request": {"email": "jay@example.com"}})

VERIFICATION_EMAIL = Contract(
    summary="The email a verification link proves",
    params=TOKEN, answers={200: EMAIL_OF_TOKEN}, errors=(404, 410))

VERIFY = Contract(
    summary="Follow a verification or invitation link: set the password, and answer fresh tokens",
    description="A password on the list of common passwords is refused with AUTH_PASSWORD_TOO_COMMON.",
    params=TOKEN, body=NEW_PASSWORD, answers={200: TOKENS}, errors=(404, 409, 410),
    examples={"request": {"password": "my-new-password-1"}, "response": TOKENS_EXAMPLE})


def password_body(request: Any) -> Any:
    """The body of a route that sets a password, checked against its contract, and its password against the list of
    common passwords (AUTH_PASSWORD_TOO_COMMON, listed last with any other keys: the password is the last field)."""
    return body(request, refine=_common_password)


def _common_password(value: Any, found: list[Failure]) -> list[Failure]:
    password = value.get("password") if isinstance(value, dict) else None
    if isinstance(password, str) and not any(failure.name == "password" for failure in found) \
            and common_passwords.is_common(password):
        return [*found, Failure(("password",), "common", "AUTH_PASSWORD_TOO_COMMON", "a common password", {})]
    return found
