"""The /api/auth routes of the recordings document, plus /refresh/ and /me/ that its clients need."""
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.accounts.contracts import (
    FORGOT,
    LOGIN,
    ME,
    REFRESH,
    REGISTER,
    RESEND,
    RESET,
    RESET_EMAIL,
    VERIFICATION_EMAIL,
    VERIFY,
    password_body,
)
from chalicelib.accounts.errors import SURFACE, envelope, render
from chalicelib.core import contracts
from chalicelib.core.routing import routes
from chalicelib.core.settings import get_settings
from chalicelib.identity import service, verification
from chalicelib.identity.auth import authenticate

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)


def _body() -> Any:
    return contracts.body(bp.current_request)


@route("/register/", methods=("POST",), contract=REGISTER)
def register() -> Response:
    body = password_body(bp.current_request)
    account = verification.register(body["fullname"], body["email"], body["password"])
    return envelope(service.tokens_for(account), 201)


@route("/login/", methods=("POST",), contract=LOGIN)
def login() -> Response:
    body = _body()
    return envelope(service.tokens_for(service.login(body["email"], body["password"])))


@route("/refresh/", methods=("POST",), contract=REFRESH)
def refresh() -> Response:
    return envelope(service.refresh(_body()["refresh_token"]))


@route("/me/", contract=ME)
def me() -> Response:
    account = authenticate(bp.current_request)
    return envelope({"user_id": int(account.number), "fullname": account.fullname, "email": account.email,
                     "is_admin": account.is_admin, "email_verified": account.email_verified})


@route("/forgot/", methods=("POST",), contract=FORGOT)
def forgot() -> Response:
    link = service.start_password_reset(_body()["email"])
    return envelope({"reset_url": link if get_settings().expose_reset_url else None})


@route("/reset/{token}/", contract=RESET_EMAIL)
def reset_email(token: str) -> Response:
    return envelope({"email": service.reset_token_email(token)})


@route("/reset/{token}/", methods=("POST",), contract=RESET)
def reset_password(token: str) -> Response:
    password = password_body(bp.current_request)["password"]
    return envelope(service.tokens_for(service.reset_password(token, password)))


@route("/verify/", methods=("POST",), contract=RESEND)
def resend_verification() -> Response:
    """Mail a fresh verification link; the answer is the same for every address, known or not."""
    verification.resend(_body()["email"])
    return envelope(None)


@route("/verify/{token}/", contract=VERIFICATION_EMAIL)
def verification_email(token: str) -> Response:
    return envelope({"email": verification.token_email(token)})


@route("/verify/{token}/", methods=("POST",), contract=VERIFY)
def verify_email(token: str) -> Response:
    """Follow a verification or invitation link: set the password, verify the email, answer fresh tokens."""
    password = password_body(bp.current_request)["password"]
    return envelope(verification.verify(token, password))
