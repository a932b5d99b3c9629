"""The /api/auth routes of the recordings document, plus /refresh/ and /me/ that its clients need."""
from chalice import Blueprint

from chalicelib.accounts import fields, service, verification
from chalicelib.accounts.auth import authenticate
from chalicelib.accounts.errors import envelope, render
from chalicelib.core.bodies import json_object
from chalicelib.core.routing import routes
from chalicelib.core.settings import get_settings

bp = Blueprint(__name__)
route = routes(bp, render)


def _request():
    return bp.current_request


@route("/register/", methods=("POST",))
def register():
    fullname, email, password = fields.registration(json_object(_request()))
    return envelope(service.tokens_for(verification.register(fullname, email, password)), 201)


@route("/login/", methods=("POST",))
def login():
    email, password = fields.credentials(json_object(_request()))
    return envelope(service.tokens_for(service.login(email, password)))


@route("/refresh/", methods=("POST",))
def refresh():
    return envelope(service.refresh(fields.refresh_token(json_object(_request()))))


@route("/me/")
def me():
    account = authenticate(_request())
    return envelope({"user_id": int(account.number), "fullname": account.fullname, "email": account.email,
                     "is_admin": account.is_admin, "email_verified": account.email_verified})


@route("/forgot/", methods=("POST",))
def forgot():
    email = fields.reset_request(json_object(_request()))
    link = service.start_password_reset(email)
    return envelope({"reset_url": link if get_settings().expose_reset_url else None})


@route("/reset/{token}/")
def reset_email(token):
    return envelope({"email": service.reset_token_email(token)})


@route("/reset/{token}/", methods=("POST",))
def reset_password(token):
    password = fields.new_password(json_object(_request()))
    return envelope(service.tokens_for(service.reset_password(token, password)))


@route("/verify/", methods=("POST",))
def resend_verification():
    """Mail a fresh verification link; the answer is the same for every address, known or not."""
    verification.resend(fields.reset_request(json_object(_request())))
    return envelope(None)


@route("/verify/{token}/")
def verification_email(token):
    return envelope({"email": verification.token_email(token)})


@route("/verify/{token}/", methods=("POST",))
def verify_email(token):
    """Follow a verification or invitation link: set the password, verify the email, answer fresh tokens."""
    password = fields.new_password(json_object(_request()))
    return envelope(service.tokens_for(verification.verify(token, password)))
