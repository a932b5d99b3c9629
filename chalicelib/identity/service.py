"""Account rules: registration with unique emails, sign-in, token refresh and password reset."""
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.core import clock, mail, tokens
from chalicelib.core.collaborators import current
from chalicelib.core.counters import next_id
from chalicelib.core.pagination import Page
from chalicelib.core.settings import get_settings, public_base_url
from chalicelib.core.store import find, get_or
from chalicelib.core.transactions import ConditionFailed, Step, transact_steps, transact_write
from chalicelib.identity import guard
from chalicelib.identity.errors import (
    AccountNotFound,
    Contended,
    EmailTaken,
    EmailUnknown,
    LinkExpired,
    LinkNotFound,
    LinkUsed,
    MailFailed,
    TokenInvalid,
    UnknownAccount,
    WrongPassword,
)
from chalicelib.identity.models import (
    EVERYONE,
    Account,
    EmailClaim,
    RedeemedRefreshToken,
    ResetToken,
    VerificationToken,
)
from chalicelib.identity.passwords import check_password, hash_password, verify_password

log = logging.getLogger(__name__)
# A used or expired reset token is kept this long so that its link still says why it fails.
_RESET_TOKEN_KEPT = timedelta(days=7)
# An account id that is never given (ids are version-4 UUIDs): what a sign-in with an unknown email reads.
_NO_ACCOUNT = str(uuid.UUID(int=0))

LinkT = TypeVar("LinkT", ResetToken, VerificationToken)
# One write of a transaction, made by a caller that joins its own writes to another's (see create's `also`).
Write = Callable[[Any], None]


def email_key(email: str) -> str:
    """The form in which emails are unique: case-insensitive."""
    return email.strip().lower()


def _split_name(fullname: str) -> tuple[str, str]:
    first, _, last = fullname.strip().partition(" ")
    return first, last.strip()


def register(fullname: str, email: str, password: str, *, is_admin: bool = False,
             email_verified: bool = False, also: Iterable[Write] = ()) -> Account:
    """Create an account named by one full name (the recordings and nearby documents)."""
    return create(*_split_name(fullname), email, password, is_admin=is_admin, email_verified=email_verified,
                  also=also)


def create(first_name: str, last_name: str, email: str, password: str, *, is_admin: bool = False,
           email_verified: bool = False, also: Iterable[Write] = ()) -> Account:
    """Create an account; EmailTaken if the email (in any case) has one already. `also` are further writes of the
    same transaction (a verification link's token), made only if the account is."""
    account = new_account(first_name, last_name, email, password, is_admin=is_admin, email_verified=email_verified)
    claim = new_claim(account)

    def write(transaction: Any) -> None:
        transaction.save(claim, condition=EmailClaim.email.does_not_exist())
        transaction.save(account, condition=Account.id.does_not_exist())
        for more in also:
            more(transaction)

    try:
        transact_write(write)
    except ConditionFailed as error:
        raise EmailTaken() from error
    return account


def new_claim(account: Account) -> EmailClaim:
    """The claim of a new account's email, for the transaction that saves the account."""
    return EmailClaim(email_key(account.email), account_id=account.id, token_version=int(account.token_version))


def new_account(first_name: str, last_name: str, email: str, password: str, *, is_admin: bool = False,
                email_verified: bool = False) -> Account:
    """An account not yet stored, with its ids; whoever saves it writes its email claim in the same transaction."""
    now = clock.now()
    return Account(id=str(uuid.uuid4()), number=next_id("accounts"), email=email.strip(),
                   fullname=_full_name(first_name, last_name), first_name=first_name.strip(),
                   last_name=last_name.strip(), password_hash=hash_password(password), is_admin=is_admin,
                   email_verified=email_verified, created_at=now, updated_at=now)


def _full_name(first_name: str, last_name: str) -> str:
    return f"{first_name.strip()} {last_name.strip()}".strip()


def rename(account: Account, first_name: str, last_name: str) -> Account:
    """Set the account's names (the full name follows)."""
    account.update(actions=[Account.first_name.set(first_name.strip()), Account.last_name.set(last_name.strip()),
                            Account.fullname.set(_full_name(first_name, last_name)),
                            Account.updated_at.set(clock.now())],
                   condition=Account.id.exists())
    return account


def change_password(account: Account, old_password: str, new_password: str) -> None:
    """Set a new password if `old_password` is the current one; tokens and reset links issued before stop working.
    Raises WrongPassword; a concurrent change wins once (the write is conditioned on the hash it checked)."""
    correct = verify_password(old_password, account.password_hash)
    guard.settle(account.email, correct)  # counted like a sign-in: TooManyAttempts while the email is locked
    if not correct:
        raise WrongPassword()
    now, password_hash, version = clock.now(), hash_password(new_password), int(account.token_version)
    transact_steps([
        (lambda transaction: transaction.update(Account(account.id), actions=[
            Account.password_hash.set(password_hash), Account.token_version.set(version + 1),
            Account.reset_generation.add(1), Account.updated_at.set(now)],
            condition=(Account.password_hash == account.password_hash) & same_token_version(version)),
         WrongPassword()),
        copy_token_version(account.id, account.email, version + 1),
    ])
    account.password_hash, account.token_version, account.updated_at = password_hash, version + 1, now
    account.reset_generation = int(account.reset_generation) + 1


def same_token_version(version: int) -> Any:
    """The condition that the account exists with the token version `version` (an account from before versions
    has none, and its tokens carry 1): what a write that sets `version + 1` is conditioned on, so that it answers
    tokens of the new version with no read of the account after it."""
    same = Account.token_version == version
    return Account.id.exists() & (same | Account.token_version.does_not_exist() if version == 1 else same)


def copy_token_version(account_id: str, email: str, version: int) -> Step:
    """The write (a core.transactions Step) that keeps the copy of an account's token version on its email's claim,
    for the transaction that sets the version."""
    return (lambda transaction: transaction.update(
        EmailClaim(email_key(email)), actions=[EmailClaim.token_version.set(version)],
        condition=EmailClaim.account_id == account_id),
        Contended("The account's email is claimed by another account"))  # never: the claim model says why


def page(window: Page) -> list[Account]:
    """One page of every account, by integer id (a Query on the `everyone` index, reading up to that page)."""
    return window.slice(list(Account.everyone.query(EVERYONE, limit=window.limit)))


def get(account_id: str) -> Account | None:
    return find(Account, account_id)


def get_many(account_ids: Iterable[str]) -> dict[str, Account]:
    """The accounts with these ids that exist, by id (one BatchGetItem per hundred)."""
    wanted = set(account_ids)
    return {account.id: account for account in Account.batch_get(wanted)} if wanted else {}


def by_email(email: str) -> Account | None:
    try:
        claim = EmailClaim.get(email_key(email), consistent_read=True)
    except EmailClaim.DoesNotExist:
        return None
    return get(claim.account_id)


def by_number(number: int) -> Account | None:
    return next(iter(Account.by_number.query(number, limit=1)), None)


def login(email: str, password: str) -> Account:
    """The account if `password` is its password. An unknown email costs the same scrypt and is counted alike
    (guard): neither the time nor a lock tells whether it has an account. TooManyAttempts while locked."""
    account = by_email(email)
    if account is None:
        get(_NO_ACCOUNT)  # the read a known email makes for its account: the reads cost alike too
    correct = check_password(password, account.password_hash if account is not None else None)
    guard.settle(email, correct)
    if account is None:
        raise EmailUnknown()
    if not correct:
        raise WrongPassword()
    return account


def tokens_for(account: Account) -> dict[str, str]:
    return tokens.issue_pair(account.id, int(account.token_version))


def account_for(claims: dict[str, Any]) -> Account:
    """The account a verified token speaks for; gone accounts and superseded tokens are refused."""
    return vouched(claims, get(claims["sub"]))


def vouched(claims: dict[str, Any], account: Account | None) -> Account:
    """The account read for a verified token's subject, if the token still speaks for it (UnknownAccount for a
    gone account, TokenInvalid for a token issued before the password changed)."""
    if account is None:
        raise UnknownAccount()
    if claims["ver"] != account.token_version:
        raise TokenInvalid("The token was issued before the password changed")
    return account


def refresh(refresh_token: str) -> dict[str, str]:
    """Trade a refresh token (once) for a new access and refresh pair."""
    claims = tokens.verify(refresh_token, tokens.REFRESH)
    account = account_for(claims)
    try:
        RedeemedRefreshToken(claims["jti"], remove_at=datetime.fromtimestamp(claims["exp"], UTC)).save(
            condition=RedeemedRefreshToken.jti.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise TokenInvalid("The refresh token was already used") from error
    return tokens_for(account)


def digest(token: str) -> str:
    """How a mailed link's token is stored: only its SHA-256, so a leaked table opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def usable_link(model: type[LinkT], token: str) -> LinkT:
    """The stored single-use link token (a reset or a verification, by `model`) of `token`: LinkNotFound,
    LinkUsed or LinkExpired otherwise."""
    stored = get_or(model, digest(token), missing=LinkNotFound())
    if stored.used_at is not None:
        raise LinkUsed()
    if stored.expires_at <= clock.now():
        raise LinkExpired()
    return stored


def start_password_reset(email: str) -> str:
    """Store a single-use reset token for the account of `email` and mail its link; returns the link."""
    base_url = public_base_url()  # first: a stage without one fails alike for known and unknown emails
    account = by_email(email)
    if account is None:
        raise AccountNotFound()
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(seconds=get_settings().reset_token_seconds)
    stored = ResetToken(digest(token), account_id=account.id, email=account.email, expires_at=expires_at,
                        generation=int(account.reset_generation), remove_at=expires_at + _RESET_TOKEN_KEPT)
    # The mail is counted and its token stored in one transaction: TooManyMails past 5 an hour to one address,
    # and then no token is stored.
    transact_steps([guard.mail_step(account.email), new_link(stored)])
    link = f"{base_url}/api/auth/reset/{token}/"
    try:
        current().mail.send(mail.Email(account.email, "Reset your password",
                                      f"Open this link within the hour to choose a new password:\n{link}\n"))
    except mail.MailError as error:
        _forget(stored)
        raise MailFailed() from error
    return link


def _forget(stored: ResetToken) -> None:
    try:
        stored.delete()
    except DeleteError:
        log.exception("could not remove an unsent reset token")


def new_link(stored: ResetToken | VerificationToken) -> Step:
    """The save of a mailed link's new token, as a step of the transaction that also counts its mail. Its
    condition holds but for a clash of 256 random bits, as good as never."""
    model = type(stored)
    return (lambda transaction: transaction.save(stored, condition=model.token_hash.does_not_exist()),
            Contended("A link's token clashed with another's: try again"))


def _usable_reset(token: str) -> tuple[ResetToken, Account]:
    """The usable reset token of `token` and its account, as read (the reset's write is conditioned on both)."""
    stored = usable_link(ResetToken, token)
    account = get(stored.account_id)
    if account is None or int(account.reset_generation) != int(stored.generation):
        raise LinkUsed("A later reset, verification or password change retired the token")
    return stored, account


def _same_reset_generation(generation: int) -> Any:
    """The condition that no reset, verification or password change happened since a reset token was issued
    (accounts from before generations have none: that is generation 0)."""
    condition = Account.reset_generation == generation
    return condition | Account.reset_generation.does_not_exist() if generation == 0 else condition


def reset_token_email(token: str) -> str:
    """The email a valid reset token belongs to."""
    return _usable_reset(token)[0].email


def reset_password(token: str, password: str) -> Account:
    """Set a new password with a reset token, using the token up; earlier tokens and every other reset link stop
    working. Following the mailed link proves the mailbox, so the email counts as verified. The account is
    answered as the transaction leaves it, from what was read and conditioned on: no read after it."""
    stored, account = _usable_reset(token)
    now, password_hash = clock.now(), hash_password(password)
    version, generation = int(account.token_version), int(stored.generation)
    used = LinkUsed()  # the token used meanwhile, or the account changed since it was read (its own reset...)
    transact_steps([
        (lambda transaction: transaction.update(
            stored, actions=[ResetToken.used_at.set(now)],
            condition=ResetToken.used_at.does_not_exist() & (ResetToken.expires_at > now)), used),
        (lambda transaction: transaction.update(
            Account(account.id), actions=[
                Account.password_hash.set(password_hash), Account.email_verified.set(True),
                Account.token_version.set(version + 1), Account.reset_generation.set(generation + 1),
                Account.updated_at.set(now)],
            condition=same_token_version(version) & _same_reset_generation(generation)), used),
        copy_token_version(account.id, account.email, version + 1),
        # The mailbox owner is not kept out by a stranger's wrong guesses.
        (lambda transaction: guard.clearing(transaction, account.email), used),
    ])
    account.password_hash, account.email_verified, account.token_version = password_hash, True, version + 1
    account.reset_generation, account.updated_at = generation + 1, now
    mail.notify(mail.Email(account.email, "Your password was changed",
                           "The password of your account was just changed. If this was not you, reset it now.\n"))
    return account



def ensure_admin(email: str, password: str, fullname: str = "Platform Admin") -> Account:
    """The platform admin account with this email and password, created or brought up to date; verified, as the
    operator who runs it names the address."""
    try:
        return register(fullname, email, password, is_admin=True, email_verified=True)
    except EmailTaken:
        account = cast(Account, by_email(email))  # the email is taken: its account exists
    account.update(actions=[Account.is_admin.set(True), Account.email_verified.set(True),
                            Account.password_hash.set(hash_password(password)), Account.updated_at.set(clock.now())])
    return account
