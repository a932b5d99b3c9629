"""What the /api/auth document asks of each request body, checked field by field into its error keys."""
import re

from chalicelib.accounts import common_passwords
from chalicelib.core.fields import Problems, text

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]{2,}$")
PASSWORD_MIN, PASSWORD_MAX, FULLNAME_MAX = 12, 1024, 200


def _email(body: dict, problems: Problems, **keys: str) -> str | None:
    email = text(body, "email", problems, not_string="AUTH_EMAIL_IS_NOT_STRING", **keys)
    if email is None:
        return None
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        problems.add("AUTH_INVALID_EMAIL")
        return None
    return email


def _password(body: dict, problems: Problems, **keys: str) -> str | None:
    password = text(body, "password", problems, not_string="AUTH_PASSWORD_IS_NOT_STRING", **keys)
    if password is not None and not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        problems.add("AUTH_PASSWORD_LENGTH")
        return None
    return password


def _chosen_password(body: dict, problems: Problems, **keys: str) -> str | None:
    """A password being set (not one being checked): also refused when it is on the common list."""
    password = _password(body, problems, **keys)
    if password is not None and common_passwords.is_common(password):
        problems.add("AUTH_PASSWORD_TOO_COMMON")
        return None
    return password


def registration(body: dict) -> tuple[str, str, str]:
    problems = Problems()
    fullname = text(body, "fullname", problems, missing="AUTH_FULLNAME_REQUIRED",
                    not_string="AUTH_FULLNAME_IS_NOT_STRING")
    if fullname is not None and len(fullname.strip()) > FULLNAME_MAX:
        problems.add("AUTH_FULLNAME_TOO_LONG")
    email = _email(body, problems, missing="AUTH_EMAIL_REQUIRED")
    password = _chosen_password(body, problems, missing="AUTH_PASSWORD_REQUIRED")
    problems.raise_any()
    return fullname, email, password


def credentials(body: dict) -> tuple[str, str]:
    problems = Problems()
    email = _email(body, problems, missing="AUTH_EMAIL_REQUIRED")
    password = _password(body, problems, missing="AUTH_PASSWORD_REQUIRED")
    problems.raise_any()
    return email, password


def reset_request(body: dict) -> str:
    problems = Problems()
    email = _email(body, problems, missing="AUTH_EMAIL_KEY_REQUIRED", empty="AUTH_EMAIL_IS_EMPTY")
    problems.raise_any()
    return email


def new_password(body: dict) -> str:
    problems = Problems()
    password = _chosen_password(body, problems, missing="AUTH_PASSWORD_KEY_REQUIRED", empty="AUTH_PASSWORD_IS_EMPTY")
    problems.raise_any()
    return password


def refresh_token(body: dict) -> str:
    problems = Problems()
    token = text(body, "refresh_token", problems, missing="AUTH_REFRESH_TOKEN_REQUIRED",
                 not_string="AUTH_REFRESH_TOKEN_IS_NOT_STRING")
    problems.raise_any()
    return token
