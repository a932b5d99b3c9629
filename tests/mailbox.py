"""Mailed verification and invitation links, followed as their recipient follows them: from the in-memory outbox
of unit tests, or from the local stack's outbox folder. An address grants surface roles (coaching) and links
recordings participants only once its owner has done this."""
import json
import re
import time
from pathlib import Path

PASSWORD = "twelve-chars-pw"
_VERIFY_TOKEN = re.compile(r"/api/auth/verify/([^/\s]+)/")
_VERIFY_LINK = re.compile(r"https?://\S+/api/auth/verify/[^/\s]+/")
RESET_LINK = re.compile(r"https?://\S+/api/auth/reset/[^/\s]+/")


def invite(email: str, first_name: str = "", last_name: str = "") -> str:
    """Invite an address as a surface does (identity's invitation, stored in a transaction, then mailed); gives the
    link."""
    from chalicelib.core.transactions import transact_steps
    from chalicelib.identity import verification

    link = verification.invitation(email, first_name, last_name)
    transact_steps([link.step])
    return link.send()


def memory_verification_token(email: str) -> str:
    """The token of the last verification or invitation link mailed to `email` (unit tests' memory outbox)."""
    from chalicelib.core.collaborators import current

    tokens = [token for sent in current().mail.sent if sent.to == email for token in _VERIFY_TOKEN.findall(sent.body)]
    assert tokens, f"no verification link mailed to {email}"
    return tokens[-1]


def accept_invitation(api, email: str, password: str = PASSWORD) -> str:
    """Follow the last verification or invitation link mailed to `email`, choosing `password`; gives the access
    token it answers (earlier tokens of the account stop working)."""
    status, body = api.post(f"/api/auth/verify/{memory_verification_token(email)}/", {"password": password})
    assert status == 200, body
    return body["data"]["access_token"]


def verified_sign_up(api, email: str, fullname: str = "Someone Else") -> str:
    """Register, then follow the mailed verification link (same password); gives the access token."""
    api.sign_up(email, fullname)
    return accept_invitation(api, email)


def outbox_links(stack, email: str, subject: str | None = None, timeout: float = 10,
                 pattern: re.Pattern = _VERIFY_LINK) -> list[str]:
    """Every link the local stack mailed `email` (with `subject`, if given), oldest first: verification and
    invitation links unless `pattern` says otherwise. Waits for at least one."""
    outbox = Path(stack.env["MAIL_OUTBOX_DIR"])
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(outbox.glob("*.json"), key=lambda path: path.stat().st_mtime_ns) if outbox.exists() else []
        messages = [json.loads(path.read_text()) for path in files]
        links = [link for message in messages if message["to"] == email and subject in (None, message["subject"])
                 for link in pattern.findall(message["body"])]
        if links or time.monotonic() > deadline:
            assert links, f"no link mailed to {email}"
            return links
        time.sleep(0.1)


def accept_outbox_invitation(stack, email: str, password: str = PASSWORD) -> dict:
    """Follow the last link the local stack mailed `email`, choosing `password`; gives the tokens it answers."""
    import requests

    response = requests.post(outbox_links(stack, email)[-1], data=json.dumps({"password": password}), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def verified_http_user(stack, email: str):
    """A user of the local stack who registered and followed the mailed link, signed in afresh (verifying
    revoked the first tokens)."""
    from tests.conftest import HttpUser

    HttpUser(stack, email)
    accept_outbox_invitation(stack, email)
    return HttpUser(stack, email)
