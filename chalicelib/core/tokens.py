"""Access and refresh tokens (JWT, HS256) and reading them from request headers."""
import os
import uuid
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import jwt

from chalicelib.core import clock, telemetry
from chalicelib.core.clients import client
from chalicelib.core.errors import Unauthorized
from chalicelib.core.settings import get_settings

ACCESS = "access"
REFRESH = "refresh"
ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "typ", "iat", "exp", "jti", "ver"]


@lru_cache(maxsize=1)
def signing_secret() -> str:
    """JWT_SECRET, or the Secrets Manager secret named by JWT_SECRET_ID (read once per cold start). infra/
    generates that secret at deploy, so no secret is in the config or the template."""
    secret = os.environ.get("JWT_SECRET")
    secret_id = os.environ.get("JWT_SECRET_ID")
    if not secret and secret_id:
        # only deployed stages read the secret from Secrets Manager
        secret = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    if not secret or len(secret) < 32:
        raise RuntimeError("JWT_SECRET (or JWT_SECRET_ID) must hold at least 32 characters")
    return secret


def issue(subject: str, kind: str, version: int) -> str:
    """A signed token of `kind` (access or refresh) for account `subject` at token `version`."""
    settings = get_settings()
    lifetime = settings.access_token_seconds if kind == ACCESS else settings.refresh_token_seconds
    issued = int(clock.now().timestamp())
    claims = {"sub": subject, "typ": kind, "ver": version, "iat": issued,
              "exp": issued + lifetime, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, signing_secret(), algorithm=ALGORITHM)


def issue_pair(subject: str, version: int) -> dict[str, str]:
    return {"access_token": issue(subject, ACCESS, version),
            "refresh_token": issue(subject, REFRESH, version)}


def verify(token: str, kind: str) -> dict[str, Any]:
    """The claims of a genuine, unexpired token of `kind`; anything else raises Unauthorized."""
    try:
        claims = jwt.decode(token, signing_secret(), algorithms=[ALGORITHM],
                            options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_iat": False})
    except jwt.PyJWTError as error:
        raise Unauthorized("token_invalid", "The token is not valid") from error
    if claims["typ"] != kind:
        raise Unauthorized("token_invalid", f"Expected an {kind} token")
    # Times are checked against the platform clock (not time.time()) so that tests and jobs can move it.
    now = clock.now().timestamp()
    if not isinstance(claims["iat"], int) or not isinstance(claims["exp"], int) or claims["iat"] > now + 60:
        raise Unauthorized("token_invalid", "The token's times are not valid")
    if claims["exp"] <= now:
        raise Unauthorized("token_expired", "The token has expired")
    if kind == ACCESS:
        telemetry.identify(str(claims["sub"]))
    return claims


def bearer_token(headers: Mapping[str, str], names: Iterable[str] = ("authorization",),
                 allow_bare: bool = False) -> str:
    """The token from the first present header of `names` (`Bearer <token>`, or bare if allowed)."""
    for name in names:
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        if allow_bare and " " not in value:
            return value
        raise Unauthorized("token_invalid", "Expected 'Bearer <token>'")
    raise Unauthorized("token_missing", "No token was sent")
