"""Who is calling: one place that turns a request's token into an account, for every surface."""
from collections.abc import Iterable
from typing import Any

from chalicelib.core import tokens
from chalicelib.core.errors import Unauthorized
from chalicelib.identity import service
from chalicelib.identity.errors import AdminRequired
from chalicelib.identity.models import Account

AUTHORIZATION = ("authorization",)


def authenticate(request: Any, headers: Iterable[str] = AUTHORIZATION, allow_bare: bool = False) -> Account:
    """The account behind the request's access token; raises Unauthorized (token_missing,
    token_invalid, token_expired or unknown_account), which each surface renders in its shape."""
    return service.account_for(claims(request, headers, allow_bare))


def claims(request: Any, headers: Iterable[str] = AUTHORIZATION, allow_bare: bool = False) -> dict[str, Any]:
    """The verified claims of the request's access token, before its account is read: a surface that reads the
    account (`claims["sub"]`) in its own BatchGetItem then vouches for it with `service.vouched`. Raises as
    authenticate does for the token itself."""
    return tokens.verify(tokens.bearer_token(request.headers, headers, allow_bare), tokens.ACCESS)


def optional_claims(request: Any, headers: Iterable[str] = AUTHORIZATION,
                    allow_bare: bool = False) -> dict[str, Any] | None:
    """As claims, but a request with no token at all is anonymous (None)."""
    try:
        return claims(request, headers, allow_bare)
    except Unauthorized as error:
        if error.code == "token_missing":
            return None
        raise


def optional_account(request: Any, headers: Iterable[str] = AUTHORIZATION,
                     allow_bare: bool = False) -> Account | None:
    """As authenticate, but a request with no token at all is anonymous (None)."""
    found = optional_claims(request, headers, allow_bare)
    return None if found is None else service.account_for(found)


def require_admin(account: Account) -> Account:
    if not account.is_admin:
        raise AdminRequired()
    return account
