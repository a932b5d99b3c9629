"""Email verification: the mailed links that prove an address.

Registration mails one (valid a day); creating a coaching user mails an invitation (valid a week). Following a
link sets the password, marks the email verified, revokes every token the account held and retires its reset
links, all in one transaction with the token's single use. So an address that someone else registered first
passes to its mailbox owner, and only then does it grant what surfaces bind to emails (coaching roles,
recordings participants)."""
import secrets
from datetime import timedelta
from typing import Any, cast

from chalicelib.core import clock, mail
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.settings import public_base_url
from chalicelib.core.transactions import ConditionFailed, transact_write
from chalicelib.identity import guard, service
from chalicelib.identity.errors import Contended, LinkUsed
from chalicelib.identity.models import Account, EmailClaim, VerificationToken
from chalicelib.identity.passwords import hash_password

REGISTRATION, INVITATION = "registration", "invitation"
LIFETIMES = {REGISTRATION: timedelta(days=1), INVITATION: timedelta(days=7)}
# A used or expired token is kept this long so that its link still says why it fails, then removed by TTL.
_KEPT = timedelta(days=7)
_MAILS = {
    REGISTRATION: ("Confirm your email",
                   "Open this link within a day to confirm that this address is yours:\n{link}\n"),
    INVITATION: ("You are invited",
                 "You were given an account for this address. Open this link within a week to choose your "
                 "password:\n{link}\n"),
}
# Positions of the writes in the transactions below: the token's claim always comes first.
_TOKEN, _EMAIL = 0, 1


def _issue(email: str, purpose: str, first_name: str = "", last_name: str = "") -> str:
    """Store a single-use token for `email` (only its SHA-256) and mail its link; returns the link. A mail failure
    is only logged: what it concerns has happened, and the link can be asked for again."""
    base_url = public_base_url()
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + LIFETIMES[purpose]
    VerificationToken(service.digest(token), email=email.strip(), purpose=purpose, first_name=first_name.strip(),
                      last_name=last_name.strip(), expires_at=expires_at, remove_at=expires_at + _KEPT).save()
    link = f"{base_url}/api/auth/verify/{token}/"
    subject, body = _MAILS[purpose]
    mail.notify(mail.Email(email.strip(), subject, body.format(link=link)))
    return link


def register(fullname: str, email: str, password: str) -> Account:
    """A new account, whose address is then mailed the link that verifies it (valid a day): until it is
    followed, the email grants nothing."""
    account = service.register(fullname, email, password)
    _issue(account.email, REGISTRATION)
    return account


def invite(email: str, first_name: str = "", last_name: str = "") -> str:
    """Mail an address a surface gave a role the link that verifies it (valid a week), creating its account with
    these names if it has none by then."""
    return _issue(email, INVITATION, first_name, last_name)


def resend(email: str) -> None:
    """Mail a fresh link to an account whose email is not verified yet. Unknown and verified addresses get
    nothing, and the caller answers the same either way, so nothing here tells whether an account exists."""
    public_base_url()  # first: a stage without one fails alike for every address
    account = service.by_email(email)
    # Counted only when a mail would go: the answer is the same whether it went or the hour's 5 were spent.
    if account is not None and not account.email_verified and guard.allow_mail(account.email):
        _issue(account.email, REGISTRATION)


def _usable(token: str) -> VerificationToken:
    return service.usable_link(VerificationToken, token)


def token_email(token: str) -> str:
    """The email a usable verification token proves."""
    return _usable(token).email


def verify(token: str, password: str) -> Account:
    """Use a verification token up: the account of its email (created if there is none) gets this password and a
    verified email, and every token and reset link issued before stops working. Raises LinkNotFound, LinkUsed or
    LinkExpired."""
    stored = _usable(token)

    def once() -> Account:
        account = service.by_email(stored.email)
        try:
            return _create_verified(stored, password) if account is None else _verify_existing(
                stored, account, password)
        except ConditionFailed as error:
            if _TOKEN in error.items:
                raise LinkUsed() from error
            raise TryAgain from error  # the address gained an account between the read and the write: look again

    verified = retried(once, Contended("The address changed hands meanwhile: try again"))
    guard.clear(verified.email)  # the mailbox owner is not kept out by a stranger's guesses
    return verified


def _claim_token(transaction: Any, stored: VerificationToken, now: Any) -> None:
    transaction.update(stored, actions=[VerificationToken.used_at.set(now)],
                       condition=VerificationToken.used_at.does_not_exist() & (VerificationToken.expires_at > now))


def _verify_existing(stored: VerificationToken, account: Account, password: str) -> Account:
    """Take over the account that holds the address, whoever registered it: the claim check makes sure it still
    does when the write lands."""
    now, password_hash = clock.now(), hash_password(password)

    def write(transaction: Any) -> None:
        _claim_token(transaction, stored, now)
        transaction.condition_check(EmailClaim, service.email_key(stored.email),
                                    condition=EmailClaim.account_id == account.id)
        transaction.update(Account(account.id), condition=Account.id.exists(), actions=[
            Account.password_hash.set(password_hash), Account.email_verified.set(True), Account.token_version.add(1),
            Account.reset_generation.add(1), Account.updated_at.set(now)])

    transact_write(write)
    return cast(Account, service.get(account.id))  # the transaction just updated it


def _create_verified(stored: VerificationToken, password: str) -> Account:
    """An invitation to an address without an account: create it, verified, with the invitation's names."""
    account = service.new_account(stored.first_name, stored.last_name, stored.email, password, email_verified=True)
    claim = EmailClaim(service.email_key(stored.email), account_id=account.id)

    def write(transaction: Any) -> None:
        _claim_token(transaction, stored, account.created_at)
        transaction.save(claim, condition=EmailClaim.email.does_not_exist())
        transaction.save(account, condition=Account.id.does_not_exist())

    transact_write(write)
    return account
