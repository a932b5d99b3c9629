"""Account storage: accounts, the email claims that keep emails unique, password-reset and email-verification
tokens."""
from pynamodb.attributes import BooleanAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.tables import IntegerAttribute, register, table_meta

# The one `listing` key of the accounts' `everyone` index.
EVERYONE = "all"


class AccountByNumber(GlobalSecondaryIndex["Account"]):
    """Looks an account up by its integer id (nearby's userId, content requests' user.id)."""

    class Meta:
        index_name = "by-number"
        projection = AllProjection()

    number = IntegerAttribute(hash_key=True)


class EveryAccount(GlobalSecondaryIndex["Account"]):
    """Every account under one key, by integer id: the admin's paged list of users."""

    class Meta:
        index_name = "everyone"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    number = IntegerAttribute(range_key=True)


@register
class Account(Model):
    Meta = table_meta("accounts")

    id = UnicodeAttribute(hash_key=True)
    number = IntegerAttribute()
    email = UnicodeAttribute()
    fullname = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    avatar_url = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute()
    is_admin = BooleanAttribute(default=False)
    # Set once the mailbox owner has followed a mailed link: only then does the email grant surface roles.
    email_verified = BooleanAttribute(default=False)
    # Bumped when the password changes: tokens carry it, so older tokens stop working.
    token_version = IntegerAttribute(default=1)
    # Bumped by a reset, a verification or a password change: reset tokens carry it, so older links stop working.
    reset_generation = IntegerAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    listing = UnicodeAttribute(default=EVERYONE)

    by_number = AccountByNumber()
    everyone = EveryAccount()


@register
class EmailClaim(Model):
    """One item per lower-cased email; written with the account in one transaction. Neither is deleted and an
    account's email does not change, so the claim of an account's email is always that account's."""

    Meta = table_meta("account-emails")

    email = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    # A copy of the account's token_version, written in every transaction that changes it, so that following a
    # verification link needs no read of the account. Only a hint: the account's write is conditioned on it (a
    # stale copy costs a read of the account). Absent on claims from before it: they cost that read too.
    token_version = IntegerAttribute(null=True)


@register
class ResetToken(Model):
    """A password-reset token, stored by its SHA-256 so the table never holds a usable token."""

    Meta = table_meta("password-resets")

    token_hash = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    # The account's reset_generation when issued: a later reset, verification or password change retires it.
    generation = IntegerAttribute(default=0)
    # Kept a while past expiry so that an old link still answers link_expired, then removed by TTL.
    remove_at = TTLAttribute()


@register
class RedeemedRefreshToken(Model):
    """A refresh token's id, claimed when it is traded in: each refresh token works once."""

    Meta = table_meta("redeemed-refresh-tokens")

    jti = UnicodeAttribute(hash_key=True)
    remove_at = TTLAttribute()


@register
class VerificationToken(Model):
    """A mailed link that proves an email: a registration's (1 day) or an invitation's (7 days), stored by its
    SHA-256. An invitation may name an address that has no account yet: following it creates one."""

    Meta = table_meta("email-verifications")

    token_hash = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    purpose = UnicodeAttribute()
    first_name = UnicodeAttribute(default="")
    last_name = UnicodeAttribute(default="")
    expires_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    # Kept a while past expiry so that an old link still answers link_expired, then removed by TTL.
    remove_at = TTLAttribute()
