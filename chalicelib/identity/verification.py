"""Email verification: the mailed links that prove an address.

Registration mails one (valid a day); creating a coaching user mails an invitation (valid a week). Following a
link sets the password, marks the email verified, revokes every token the account held and retires its reset
links, all in one transaction with the token's single use. So an address that someone else registered first
passes to its mailbox owner, and only then does it grant what surfaces bind to emails (coaching roles,
recordings participants).

A link's token is stored in the transaction of what it concerns: a registration's with the account, a resent one's
with the count of its mail, an invitation's with the surface's own writes (`invitation`); its mail goes after the
commit."""
import secrets
from datetime import timedelta
from typing import Any, NamedTuple

from chalicelib.core import clock, mail, tokens
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.settings import public_base_url
from chalicelib.core.store import find
from chalicelib.core.transactions import ConditionFailed, Step, transact_steps, transact_write
from chalicelib.identity import guard, service
from chalicelib.identity.errors import Contended, LinkUsed, TooManyMails
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
# Positions of the writes in the transactions below: the token's claim always comes first, then the email's
# claim, then the account.
_TOKEN, _EMAIL, _ACCOUNT = 0, 1, 2


class Link(NamedTuple):
    """A mailed link made, but neither stored nor sent: `step` (a core.transactions Step) or `write(transaction)`
    stores its token (only its SHA-256) as one write of a transaction; `send()` mails it once that committed."""

    item: VerificationToken
    url: str
    message: mail.Email

    @property
    def step(self) -> Step:
        return service.new_link(self.item)

    def write(self, transaction: Any) -> None:
        self.step[0](transaction)

    def send(self) -> str:
        """Mail the link and return it. A failure is only logged: what it concerns has happened, and the link can
        be asked for again."""
        mail.notify(self.message)
        return self.url


def _link(email: str, purpose: str, first_name: str = "", last_name: str = "") -> Link:
    """A single-use token for `email` and the mail of its link."""
    base_url = public_base_url()  # first: a stage without one stores nothing
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + LIFETIMES[purpose]
    item = VerificationToken(service.digest(token), email=email.strip(), purpose=purpose,
                             first_name=first_name.strip(), last_name=last_name.strip(), expires_at=expires_at,
                             remove_at=expires_at + _KEPT)
    url = f"{base_url}/api/auth/verify/{token}/"
    subject, body = _MAILS[purpose]
    return Link(item, url, mail.Email(email.strip(), subject, body.format(link=url)))


def register(fullname: str, email: str, password: str) -> Account:
    """A new account, whose address is then mailed the link that verifies it (valid a day): until it is
    followed, the email grants nothing. The link's token is stored in the account's own transaction."""
    link = _link(email, REGISTRATION)
    account = service.register(fullname, email, password, also=[link.write])
    link.send()
    return account


def invitation(email: str, first_name: str = "", last_name: str = "") -> Link:
    """The link that verifies an address a surface gave a role (valid a week; the account is made with these names
    when it is followed, if there is none by then), for the caller to store in its own transaction: include
    `link.step` among the steps of core.transactions.transact_steps (or call `link.write(transaction)` in a
    transact_write), then, once that committed, `link.send()` (which returns the link). So the surface stores the
    role and the link in one round trip, and mails nothing if its transaction fails. Raises before anything is
    written if the stage has no public base URL."""
    return _link(email, INVITATION, first_name, last_name)


def resend(email: str) -> None:
    """Mail a fresh link to an account whose email is not verified yet. Unknown and verified addresses get
    nothing, and the caller answers the same either way, so nothing here tells whether an account exists."""
    public_base_url()  # first: a stage without one fails alike for every address
    account = service.by_email(email)
    if account is None or account.email_verified:
        return
    link = _link(account.email, REGISTRATION)
    # Counted only when a mail goes, in the transaction that stores its token: the answer is the same whether it
    # went or the hour's 5 were spent (then no token is stored).
    try:
        transact_steps([guard.mail_step(account.email), link.step])
    except TooManyMails:
        return
    link.send()


def _usable(token: str) -> VerificationToken:
    return service.usable_link(VerificationToken, token)


def token_email(token: str) -> str:
    """The email a usable verification token proves."""
    return _usable(token).email


def verify(token: str, password: str) -> dict[str, str]:
    """Use a verification token up: the account of its email (created if there is none) gets this password and a
    verified email, and every token and reset link issued before stops working. Answers the account's fresh
    tokens, of the version its write set (no read of the account after it). Raises LinkNotFound, LinkUsed or
    LinkExpired.

    The token, the email's claim (which carries the account's token version), then one transaction: three round
    trips. A claim without the copy, or with a stale one (the account's write is conditioned on it), costs a read
    of the account, once."""
    stored = _usable(token)
    stale = False

    def once() -> tuple[str, int]:
        nonlocal stale
        claim = find(EmailClaim, service.email_key(stored.email))
        try:
            return _create_verified(stored, password) if claim is None else _verify_existing(
                stored, claim, password, read_account=stale)
        except ConditionFailed as error:
            if _TOKEN in error.items:
                raise LinkUsed() from error
            # The address gained an account between the read and the write, or the account's token version was
            # not the claim's copy: look again (reading the account).
            stale = stale or _ACCOUNT in error.items
            raise TryAgain from error

    account_id, version = retried(once, Contended("The address changed hands meanwhile: try again"))
    return tokens.issue_pair(account_id, version)


def _claim_token(transaction: Any, stored: VerificationToken, now: Any) -> None:
    transaction.update(stored, actions=[VerificationToken.used_at.set(now)],
                       condition=VerificationToken.used_at.does_not_exist() & (VerificationToken.expires_at > now))


def _verify_existing(stored: VerificationToken, claim: EmailClaim, password: str,
                     read_account: bool) -> tuple[str, int]:
    """Take over the account that holds the address, whoever registered it: the claim's condition makes sure it
    still does when the write lands. Its new token version is one past the one it is conditioned on: the claim's
    copy, or the account's own if `read_account` (or the claim has none). Answers the account's id and new
    version."""
    version = None if read_account else claim.token_version
    if version is None:
        account = service.get(claim.account_id)
        if account is None:  # a claim whose account is gone: as if the address changed hands
            raise TryAgain
        version = account.token_version
    now, password_hash, version = clock.now(), hash_password(password), int(version)

    def write(transaction: Any) -> None:
        _claim_token(transaction, stored, now)
        service.copy_token_version(claim.account_id, stored.email, version + 1)[0](transaction)
        transaction.update(Account(claim.account_id), condition=service.same_token_version(version), actions=[
            Account.password_hash.set(password_hash), Account.email_verified.set(True),
            Account.token_version.set(version + 1), Account.reset_generation.add(1), Account.updated_at.set(now)])
        guard.clearing(transaction, stored.email)  # the mailbox owner is not kept out by a stranger's guesses

    transact_write(write)
    return claim.account_id, version + 1


def _create_verified(stored: VerificationToken, password: str) -> tuple[str, int]:
    """An invitation to an address without an account: create it, verified, with the invitation's names. Answers
    its id and token version."""
    account = service.new_account(stored.first_name, stored.last_name, stored.email, password, email_verified=True)

    def write(transaction: Any) -> None:
        _claim_token(transaction, stored, account.created_at)
        transaction.save(service.new_claim(account), condition=EmailClaim.email.does_not_exist())
        transaction.save(account, condition=Account.id.does_not_exist())
        guard.clearing(transaction, stored.email)

    transact_write(write)
    return account.id, int(account.token_version)
