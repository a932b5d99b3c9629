"""Limits on guessing and on mail, kept in DynamoDB so that every Lambda instance sees the same counts.

Sign-in failures: every check of a password (/api/auth/login/, the old password of /user/password-changes)
counts against the email it names, whether or not an account has that email, so a lock tells nothing about
which emails exist. The 10th consecutive failure locks the email for 1 minute; each failure after a lock has
ended locks it again for twice as long (1, 2, 4 … minutes, at most 60). While locked, every check is answered
429 with Retry-After, the right password's too, and is not counted. A success (or a completed reset) forgets
the failures. A day after the last failure its item expires (TTL), so old mistakes do not add up forever.

Mail: at most 5 mails an hour (a clock hour, UTC) go to one address from /api/auth/forgot/, /password-resets
and the verification resend. Those count the mail with `mail_step`, in the transaction that stores the link's token,
so a refused mail stores nothing and the two cost one round trip; the transaction raises TooManyMails past 5.

Each count is one ADD under a condition (an UpdateItem, or a write of a transaction), never a read followed by a
write, so concurrent requests can neither slip past a lock nor send a sixth mail: the ADD that makes the 10th (or a
later) failure sets the lock in the same write.
"""
import math
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PynamoDBException, UpdateError
from pynamodb.models import Model

from chalicelib.core import clock
from chalicelib.core.retry import TryAgain, retried
from chalicelib.core.tables import register, table_meta
from chalicelib.core.transactions import Step
from chalicelib.identity.errors import Contended, TooManyAttempts, TooManyMails

FREE_FAILURES = 10  # consecutive failures allowed before the first lock
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(minutes=60)
FAILURES_KEPT = timedelta(days=1)  # a failure count lives this long past its last failure or lock
MAILS_PER_HOUR = 5
_CONDITION_FAILED = "ConditionalCheckFailedException"


@register
class SignInFailures(Model):
    """The consecutive failed password checks of one email (lower-cased), and the lock they earned."""

    Meta = table_meta("sign-in-failures")

    email = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    # The moment (epoch seconds, with a fraction) until which every check of this email is refused; absent
    # before the first lock.
    locked_until = NumberAttribute(null=True)
    remove_at = TTLAttribute()


@register
class MailQuota(Model):
    """The mails sent to one address (lower-cased) in one clock hour: `<email>#<YYYY-MM-DDTHH>`."""

    Meta = table_meta("mail-quotas")

    address_hour = UnicodeAttribute(hash_key=True)
    sent = NumberAttribute(default=0)
    remove_at = TTLAttribute()


def _key(email: str) -> str:
    return email.strip().lower()


def _condition_failed(error: PynamoDBException) -> bool:
    return error.cause_response_code == _CONDITION_FAILED


def lock_window(failures: int) -> timedelta:
    """How long `failures` consecutive failures lock an email: not at all below 10; from the 10th on 1, 2, 4 …
    minutes, doubling with each further failure, at most 60."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 6)  # 2**6 minutes is past the cap: no huge powers
    factor: int = 2 ** doublings  # typeshed types int ** int as Any (a negative power is a float)
    return min(FIRST_LOCK * factor, LONGEST_LOCK)


def _open(now: datetime) -> Any:
    """The condition that the email is not locked at `now` (a missing item is not locked)."""
    return SignInFailures.locked_until.does_not_exist() | (SignInFailures.locked_until <= now.timestamp())


def settle(email: str, succeeded: bool) -> None:
    """Record one password check of `email`. While the email is locked, raise TooManyAttempts whatever the
    outcome, counting nothing. Otherwise a success forgets the failures and a failure is counted (from the
    10th on it locks the email; the answer to that failure itself is still the wrong password's)."""
    if succeeded:
        _forget(email, clock.now())
    else:
        _count_failure(email, clock.now())


def _count_failure(email: str, now: datetime) -> None:
    """Count a failure with one conditional ADD. The first nine lock nothing. From the 10th on, the ADD that
    makes the count also locks the email for the longest window, in the same write, so that no concurrent
    check slips in before the lock; a second write then shortens the lock to the count's window (were that
    write lost, the email would stay locked for the longest window: safe, and bounded)."""
    record = SignInFailures(_key(email))

    def once() -> None:
        try:
            record.update(actions=[SignInFailures.failures.add(1), SignInFailures.remove_at.set(now + FAILURES_KEPT)],
                          condition=SignInFailures.failures.does_not_exist()
                          | (SignInFailures.failures < FREE_FAILURES - 1))
            return
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        longest = now + LONGEST_LOCK
        try:
            record.update(actions=[SignInFailures.failures.add(1),
                                   SignInFailures.locked_until.set(longest.timestamp()),
                                   SignInFailures.remove_at.set(longest + FAILURES_KEPT)],
                          condition=(SignInFailures.failures >= FREE_FAILURES - 1) & _open(now))
        except UpdateError as error:
            if not _condition_failed(error):
                raise
            refusal = _refusal(email, now)
            if refusal is not None:
                raise refusal from error
            raise TryAgain from error  # a concurrent success emptied the count between the two conditions
        _shorten_lock(record, now)

    retried(once, Contended("Too many concurrent sign-ins with this email: try again"))


def _shorten_lock(record: SignInFailures, now: datetime) -> None:
    """Set the lock that the count just made earns (1, 2, 4 … minutes), in place of the longest."""
    failures = int(record.failures)
    until = now + lock_window(failures)
    try:
        record.update(actions=[SignInFailures.locked_until.set(until.timestamp()),
                               SignInFailures.remove_at.set(until + FAILURES_KEPT)],
                      condition=SignInFailures.failures == failures)
    except UpdateError as error:
        if not _condition_failed(error):
            raise


def _forget(email: str, now: datetime) -> None:
    try:
        SignInFailures(_key(email)).delete(condition=_open(now))
    except DeleteError as error:
        if not _condition_failed(error):
            raise
        raise _refusal(email, now) or TooManyAttempts(1) from error


def _refusal(email: str, now: datetime) -> TooManyAttempts | None:
    """The refusal of a check that found `email` locked, with the seconds left of its lock; None if (read
    just after) the email is not locked after all."""
    left = min(retry_after(email, now), int(LONGEST_LOCK.total_seconds()))  # `now` may precede the lock's own
    return TooManyAttempts(left) if left else None


def retry_after(email: str, now: datetime | None = None) -> int:
    """Seconds until `email` may be checked again; 0 when it is not locked."""
    now = now or clock.now()
    try:
        until = SignInFailures.get(_key(email), consistent_read=True).locked_until
    except SignInFailures.DoesNotExist:
        return 0
    return max(0, math.ceil(until - now.timestamp())) if until else 0


def clearing(transaction: Any, email: str) -> None:
    """Forget the failures and any lock of `email`, in the caller's transaction: its mailbox owner just proved
    themself (a completed reset or verification), so the owner is not kept out by a stranger's guesses."""
    transaction.delete(SignInFailures(_key(email)))


def mail_step(email: str) -> Step:
    """One mail to `email` counted in this clock hour, as one write of the caller's transaction (a
    core.transactions Step): the write, and the TooManyMails to raise if its condition fails (5 went already: the
    transaction writes nothing, so nothing is counted, and what the mail would carry is not stored)."""
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    next_hour = hour + timedelta(hours=1)
    quota = MailQuota(f"{_key(email)}#{hour:%Y-%m-%dT%H}")
    actions = [MailQuota.sent.add(1), MailQuota.remove_at.set(next_hour + timedelta(hours=1))]
    condition = MailQuota.sent.does_not_exist() | (MailQuota.sent < MAILS_PER_HOUR)
    refusal = TooManyMails(math.ceil((next_hour - now).total_seconds()), MAILS_PER_HOUR)
    return lambda transaction: transaction.update(quota, actions=actions, condition=condition), refusal
