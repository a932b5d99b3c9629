"""What identity refuses, each named by a neutral code: lower_snake_case, what happened, in no surface's dialect.

Every class is a core.errors class (so its status is the HTTP status), whose `code` each surface's errors.py
maps to its document's key (/api/auth: `email_taken` is AUTH_EMAIL_EXISTS) or shows in its own shape."""
from chalicelib.core.errors import BadGateway, Conflict, Forbidden, Gone, NotFound, TooManyRequests, Unauthorized


class EmailTaken(Conflict):
    """409: the email (in any letter case) has an account already."""

    CODE = "email_taken"

    def __init__(self) -> None:
        super().__init__(self.CODE, "An account with that email already exists")


class WrongPassword(Unauthorized):
    """401: the password is not the account's."""

    CODE = "wrong_password"

    def __init__(self) -> None:
        super().__init__(self.CODE, "The password is not correct")


class EmailUnknown(Unauthorized):
    """401: a sign-in with an email no account has."""

    CODE = "email_unknown"

    def __init__(self) -> None:
        super().__init__(self.CODE, "No account has that email")


class AccountNotFound(NotFound):
    """404: a password reset asked for an email no account has."""

    CODE = "account_not_found"

    def __init__(self) -> None:
        super().__init__(self.CODE, "No account has that email")


class UnknownAccount(Unauthorized):
    """401: a genuine token whose account does not exist (any more)."""

    CODE = "unknown_account"

    def __init__(self) -> None:
        super().__init__(self.CODE, "The token's account does not exist")


class TokenInvalid(Unauthorized):
    """401: a genuine token that no longer counts (superseded by a password change, or a refresh token used)."""

    CODE = "token_invalid"

    def __init__(self, message: str):
        super().__init__(self.CODE, message)


class LinkNotFound(NotFound):
    """404: a mailed link's token (reset or verification) that was never issued."""

    CODE = "link_not_found"

    def __init__(self) -> None:
        super().__init__(self.CODE, "The token does not exist")


class LinkUsed(Gone):
    """410: a mailed link's token used up, or retired by a later reset, verification or password change."""

    CODE = "link_used"

    def __init__(self, message: str = "The token was already used"):
        super().__init__(self.CODE, message)


class LinkExpired(Gone):
    """410: a mailed link's token past its expiry (not `token_expired`, which is an access token's)."""

    CODE = "link_expired"

    def __init__(self) -> None:
        super().__init__(self.CODE, "The token has expired")


class MailFailed(BadGateway):
    """502: the mail a request exists to send could not be sent."""

    CODE = "mail_failed"

    def __init__(self) -> None:
        super().__init__(self.CODE, "The email could not be sent")


class Contended(Conflict):
    """409: concurrent writes kept this one from landing; trying again will do."""

    CODE = "contended"

    def __init__(self, message: str):
        super().__init__(self.CODE, message)


class AdminRequired(Forbidden):
    """403: only the platform admin may do this."""

    CODE = "admin_required"

    def __init__(self) -> None:
        super().__init__(self.CODE, "Only the platform admin may do this")


class TooManyAttempts(TooManyRequests):
    """429: the email is locked after failed sign-ins; `retry_after` seconds to wait."""

    CODE = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__(self.CODE, "Too many failed sign-ins with this email: try again later", retry_after)


class TooManyMails(TooManyRequests):
    """429: the hour's mails to the address are spent; `retry_after` seconds to the next hour."""

    CODE = "too_many_mails"

    def __init__(self, retry_after: int, per_hour: int):
        super().__init__(self.CODE, f"At most {per_hour} mails an hour go to one address", retry_after)
