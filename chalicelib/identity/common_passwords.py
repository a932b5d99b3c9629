"""Common passwords, refused wherever a password is set (registration, reset, change, verification; the
dialogues' user creation, password change and reset confirmation).

The list is `common-passwords.txt.gz` beside this module: Django's list of 19,640 common passwords (lowercased,
most common first, compiled by Royce Williams), copied unchanged from the PyPI wheel django 5.2.19,
BSD-3-Clause; source, checksum and licence are in `common-passwords.LICENSE`. It is read on the first password
checked, never at import, so a cold start that sets no password does not pay for it (about 7 ms and 3 MB).
"""
import gzip
from functools import cache
from pathlib import Path

LIST = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def _common() -> frozenset[str]:
    with gzip.open(LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether `password` is on the list, in any case and with any surrounding whitespace."""
    return password.strip().lower() in _common()
