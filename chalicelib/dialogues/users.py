"""Dialogue users: accounts of the shared store, shown and edited the way the dialogues document has them."""
import logging
from typing import Any

from chalicelib.core.batch import Wanted
from chalicelib.core.contracts import checked
from chalicelib.core.errors import BadGateway, Gone, NotFound
from chalicelib.core.pagination import Page
from chalicelib.dialogues import patches
from chalicelib.dialogues.access import ADMIN, Caller, require, require_admin
from chalicelib.dialogues.contracts import MAX_BODY_BYTES, NEW_USER, USER
from chalicelib.dialogues.errors import SURFACE, invalid, not_found
from chalicelib.dialogues.ids import keyable
from chalicelib.identity import common_passwords
from chalicelib.identity import service as accounts
from chalicelib.identity.errors import EmailTaken, TooManyMails, WrongPassword
from chalicelib.identity.models import Account

log = logging.getLogger(__name__)
# A reset token's problem (identity's code) as this document tells it: the failure's type and message.
_TOKEN_PROBLEMS = {"link_not_found": ("token_404", "The token does not exist"),
                   "link_used": ("token_used", "The token was already used"),
                   "link_expired": ("token_expired", "The token has expired")}


def _not_common(body: dict[str, Any], field: str) -> None:
    """A password being set may not be on the common list (the accounts' one list, for every surface)."""
    if common_passwords.is_common(body[field]):
        raise invalid("common", f"/{field}", "This password is too common")


def listing(who: Caller, page: Page) -> list[Account]:
    require_admin(who)
    return accounts.page(page)


def create(who: Caller, body: Any) -> Account:
    require_admin(who)
    checked(NEW_USER, body, SURFACE)
    _not_common(body, "password")
    try:
        return accounts.create(body.get("first_name", ""), body.get("last_name", ""), body["email"],
                               body["password"])
    except EmailTaken as error:
        raise invalid("unique", "/email", "A user with this email already exists") from error


def key(user_id: str) -> Wanted | None:
    """The account a path names, as a batch read names it (core/batch.py); None if no account can have the id."""
    return (Account, (user_id,)) if keyable(user_id) else None


def visible(who: Caller, user_id: str, found: Account | None) -> Account:
    """The user `user_id`, for that user or an admin; `found` is the account read under `key(user_id)` with the
    caller's (None: there is none), the caller's own being `who.account`."""
    account = who.account if user_id == who.id else found
    if account is None:
        require_admin(who)
        raise not_found("User", user_id)
    require(account.id == who.id or who.is_admin, ADMIN)
    return account


def replace(account: Account, body: dict[str, Any]) -> Account:
    """PUT: the names the body gives (its read-only fields ignored)."""
    return accounts.rename(account, body.get("first_name", ""), body.get("last_name", ""))


def patch(account: Account, operations: Any) -> Account:
    names = checked(USER, patches.apply({"first_name": account.first_name, "last_name": account.last_name},
                                        operations, limits=patches.Limits(MAX_BODY_BYTES)), SURFACE)
    return accounts.rename(account, names.get("first_name", ""), names.get("last_name", ""))


def change_password(account: Account, body: Any) -> None:
    _not_common(body, "new_password")
    try:
        accounts.change_password(account, body["old_password"], body["new_password"])
    except WrongPassword as error:
        raise invalid("incorrect", "/old_password", "The old password is not correct") from error


def start_reset(body: Any) -> None:
    """Mail a reset token if an account has the email. The answer is the same either way, so nothing here tells
    whether the email is known; a mail failure is logged, not shown."""
    try:
        accounts.start_password_reset(body["email"])
    except (NotFound, TooManyMails):  # past 5 mails an hour to the address nothing is sent, and nothing said
        return
    except BadGateway:
        log.exception("could not mail a password reset")


def confirm_reset(body: Any) -> None:
    _not_common(body, "password")
    try:
        accounts.reset_password(body["token"], body["password"])
    except (NotFound, Gone) as error:
        kind, message = _TOKEN_PROBLEMS[error.code]
        raise invalid(kind, "/token", message) from error
