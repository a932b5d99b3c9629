"""Common passwords (the bundled list, read lazily) refused wherever a password is set, on both surfaces that
set one: /api/auth (AUTH_PASSWORD_TOO_COMMON) and the dialogues (422 validation_error at the field)."""
import re
import subprocess
import sys

import pytest

from chalicelib.identity import common_passwords
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account
from tests.conftest import JAY, ROOT

# On the list (lowercased there): at least 12 characters, so the length rule alone would let them through.
COMMON = ["qwerty123456", "1q2w3e4r5t6y", "password1234", "qwertyuiop123"]
DIALOGUES_PASSWORD = "twelve-chars-pw"


def test_the_list_is_the_bundled_ten_thousand_and_more_and_is_matched_in_any_case():
    assert len(common_passwords._common()) > 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= common_passwords._common()
    assert all(common_passwords.is_common(p) for p in ["QWERTY123456", " Password1234 ", "1Q2W3E4R5T6Y"])
    assert not common_passwords.is_common(JAY["password"])
    assert not common_passwords.is_common("correct horse battery staple, purple")


def test_importing_the_app_does_not_read_the_list():
    code = "import app; from chalicelib.identity import common_passwords as c; print(c._common.cache_info().misses)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"


@pytest.mark.parametrize("password", COMMON + ["QwErTy123456"])
def test_register_refuses_a_common_password_and_creates_no_account(api, password):
    status, body = api.post("/api/auth/register/", {**JAY, "password": password})

    assert (status, body["meta"]["errors"]) == (400, ["AUTH_PASSWORD_TOO_COMMON"])
    assert Account.count() == 0
    assert accounts.by_email(JAY["email"]) is None


def test_register_lists_the_common_password_with_the_other_problems(api):
    status, body = api.post("/api/auth/register/", {"email": "nope", "password": "password1234"})

    assert status == 400
    assert body["meta"]["errors"] == ["AUTH_FULLNAME_REQUIRED", "AUTH_INVALID_EMAIL", "AUTH_PASSWORD_TOO_COMMON"]


def test_a_reset_refuses_a_common_password_and_leaves_the_token_usable(api, jay, fixed_clock, outbox):
    link = api.post("/api/auth/forgot/", {"email": JAY["email"]})[1]["data"]["reset_url"]
    path = link[link.index("/api/auth/"):]
    before = accounts.by_email(JAY["email"]).password_hash

    refused = api.post(path, {"password": "Qwerty123456"})

    assert (refused[0], refused[1]["meta"]["errors"]) == (400, ["AUTH_PASSWORD_TOO_COMMON"])
    assert accounts.by_email(JAY["email"]).password_hash == before
    assert api.post(path, {"password": "an-uncommon-new-password"})[0] == 200


def test_signing_in_with_an_old_common_password_still_works(api, aws):
    """The list rules passwords being chosen, not accounts that already have one."""
    accounts.register("Old Timer", "old@example.com", "password1234")

    status, _ = api.post("/api/auth/login/", {"email": "old@example.com", "password": "password1234"})

    assert status == 200


# The dialogues


@pytest.fixture
def root(api):
    admin = accounts.register("Root Admin", "root@example.com", DIALOGUES_PASSWORD, is_admin=True)
    return accounts.tokens_for(admin)["access_token"]


def _common_at(body, path):
    assert body["type"] == "validation_error"
    return [e for e in body["details"]["errors"] if e["path"] == path and e["type"] == "common"]


def test_dialogues_user_create_refuses_a_common_password_at_slash_password(api, root):
    status, body = api.post("/users", {"email": "new@example.com", "password": "1qaz2wsx3edc"}, token=root)

    assert status == 422
    assert _common_at(body, "/password")
    assert accounts.by_email("new@example.com") is None


def test_dialogues_password_change_refuses_a_common_new_password(api, jay):
    status, body = api.post("/user/password-changes", {"old_password": JAY["password"],
                                                       "new_password": "QWERTY123456"}, token=jay["access_token"])

    assert status == 422
    assert _common_at(body, "/new_password")
    assert api.post("/api/auth/login/", {"email": JAY["email"], "password": JAY["password"]})[0] == 200


def test_dialogues_password_confirmation_refuses_a_common_password(api, jay, fixed_clock, outbox):
    assert api.post("/password-resets", {"email": JAY["email"]})[0] == 204
    token = re.search(r"/api/auth/reset/([^/\s]+)/", outbox.sent[-1].body).group(1)
    before = accounts.by_email(JAY["email"]).password_hash

    status, body = api.post("/password-confirmations", {"token": token, "password": "password1234"})

    assert status == 422
    assert _common_at(body, "/password")
    assert accounts.by_email(JAY["email"]).password_hash == before
