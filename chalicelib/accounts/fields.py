"""What the /api/auth document asks of each request body, checked field by field into its error keys."""
import re
from typing import Any

from chalicelib.core.errors import BadRequest

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]{2,}$")
PASSWORD_MIN, PASSWORD_MAX, FULLNAME_MAX = 12, 1024, 200


def _string(body: dict, key: str, errors: list, *, missing: str, not_string: str,
            empty: str | None = None) -> str | None:
    """The string at `key`, or None after noting why not (`empty` defaults to the `missing` key)."""
    if key not in body or body[key] is None:
        errors.append(missing)
        return None
    value = body[key]
    if not isinstance(value, str):
        errors.append(not_string)
        return None
    if not value.strip():
        errors.append(empty or missing)
        return None
    return value


def _email(body: dict, errors: list, **keys: str) -> str | None:
    email = _string(body, "email", errors, not_string="AUTH_EMAIL_IS_NOT_STRING", **keys)
    if email is None:
        return None
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        errors.append("AUTH_INVALID_EMAIL")
        return None
    return email


def _password(body: dict, errors: list, **keys: str) -> str | None:
    password = _string(body, "password", errors, not_string="AUTH_PASSWORD_IS_NOT_STRING", **keys)
    if password is not None and not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        errors.append("AUTH_PASSWORD_LENGTH")
        return None
    return password


def _checked(errors: list, *values: Any) -> Any:
    if errors:
        raise BadRequest(errors[0], "The request is not valid", errors=errors)
    return values if len(values) > 1 else values[0]


def registration(body: dict) -> tuple[str, str, str]:
    errors: list = []
    fullname = _string(body, "fullname", errors, missing="AUTH_FULLNAME_REQUIRED",
                       not_string="AUTH_FULLNAME_IS_NOT_STRING")
    if fullname is not None and len(fullname.strip()) > FULLNAME_MAX:
        errors.append("AUTH_FULLNAME_TOO_LONG")
    email = _email(body, errors, missing="AUTH_EMAIL_REQUIRED")
    password = _password(body, errors, missing="AUTH_PASSWORD_REQUIRED")
    return _checked(errors, fullname, email, password)


def credentials(body: dict) -> tuple[str, str]:
    errors: list = []
    email = _email(body, errors, missing="AUTH_EMAIL_REQUIRED")
    password = _password(body, errors, missing="AUTH_PASSWORD_REQUIRED")
    return _checked(errors, email, password)


def reset_request(body: dict) -> str:
    errors: list = []
    email = _email(body, errors, missing="AUTH_EMAIL_KEY_REQUIRED", empty="AUTH_EMAIL_IS_EMPTY")
    return _checked(errors, email)


def new_password(body: dict) -> str:
    errors: list = []
    password = _password(body, errors, missing="AUTH_PASSWORD_KEY_REQUIRED", empty="AUTH_PASSWORD_IS_EMPTY")
    return _checked(errors, password)


def refresh_token(body: dict) -> str:
    errors: list = []
    token = _string(body, "refresh_token", errors, missing="AUTH_REFRESH_TOKEN_REQUIRED",
                    not_string="AUTH_REFRESH_TOKEN_IS_NOT_STRING")
    return _checked(errors, token)
