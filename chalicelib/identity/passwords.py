"""Password hashing with the standard library's scrypt (salted, memory-hard)."""
import base64
import hashlib
import hmac
import os
from functools import cache

# n=2**14, r=8 costs 16 MiB and tens of milliseconds per hash: the parameters travel with each hash.
_N, _R, _P, _LENGTH = 2 ** 14, 8, 1, 32


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


@cache
def _unmatchable() -> str:
    """A hash in the current parameters that no password matches (its digest is random bytes, derived from
    nothing), made once per process at no cost: checking a password against it costs what a real check does."""
    return f"scrypt${_N}${_R}${_P}${_b64(os.urandom(16))}${_b64(os.urandom(_LENGTH))}"


def check_password(password: str, stored: str | None) -> bool:
    """verify_password; with no stored hash (an unknown email) the same scrypt against a hash that nothing
    matches, and False. So the time of a sign-in does not tell whether an account has the email."""
    if stored is None:
        verify_password(password, _unmatchable())
        return False
    return verify_password(password, stored)
