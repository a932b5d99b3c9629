"""Reset links: a completed reset, a verification or a password change retires every other outstanding link of the
account (the account's reset generation, checked by the reset's own transaction), and only the local stack answers
/forgot/ with the link."""
import json

import pytest

from chalicelib.core.errors import Gone
from chalicelib.identity import service
from chalicelib.identity.models import Account, ResetToken
from local.stack import local_environment
from tests.conftest import JAY, PUBLIC_BASE_URL, ROOT
from tests.mailbox import memory_verification_token


def reset_path(api) -> str:
    status, body = api.post("/api/auth/forgot/", {"email": JAY["email"]})
    assert status == 200
    return body["data"]["reset_url"].removeprefix(PUBLIC_BASE_URL)


def refused_as_used(api, path) -> bool:
    answers = [api.call(method, path, {"password": "password-of-old-link"}) for method in ("GET", "POST")]
    return all(answer == (410, {"data": None, "meta": {"success": False, "errors": ["TOKEN_USED"]}})
               for answer in answers)


def signs_in(api, password) -> bool:
    return api.post("/api/auth/login/", {"email": JAY["email"], "password": password})[0] == 200


def test_a_completed_reset_retires_the_older_outstanding_link(api, jay):
    older, newer = reset_path(api), reset_path(api)

    assert api.post(newer, {"password": "newer-password-1"})[0] == 200
    assert refused_as_used(api, older)
    assert signs_in(api, "newer-password-1") and not signs_in(api, "password-of-old-link")


def test_a_completed_reset_retires_a_newer_outstanding_link_too(api, jay):
    older, newer = reset_path(api), reset_path(api)

    assert api.post(older, {"password": "older-password-1"})[0] == 200
    assert refused_as_used(api, newer)
    assert signs_in(api, "older-password-1")


def test_a_password_change_retires_every_outstanding_link(api, jay):
    older = reset_path(api)

    status, _ = api.post("/user/password-changes", {"old_password": JAY["password"],
                                                    "new_password": "changed-password-1"}, token=jay["access_token"])

    assert status == 204
    assert refused_as_used(api, older)
    assert signs_in(api, "changed-password-1")


def test_a_verification_retires_every_outstanding_link(api, jay):
    older = reset_path(api)

    assert api.post(f"/api/auth/verify/{memory_verification_token(JAY['email'])}/",
                    {"password": "verified-password-1"})[0] == 200
    assert refused_as_used(api, older)
    assert signs_in(api, "verified-password-1")


def test_the_reset_transaction_itself_refuses_a_link_retired_after_it_was_read(api, jay, monkeypatch):
    """No window: a link checked just before a concurrent reset lands is refused by the write's condition."""
    token = reset_path(api).split("/")[-2]
    [read], account = ResetToken.scan(), service.by_email(JAY["email"])
    api.post(reset_path(api), {"password": "concurrent-password"})
    monkeypatch.setattr(service, "_usable_reset", lambda _token: (read, account))

    with pytest.raises(Gone) as refused:
        service.reset_password(token, "late-password-12")

    assert refused.value.code == "link_used"
    assert signs_in(api, "concurrent-password")


def test_a_reset_proves_the_mailbox_and_verifies_the_email(api, jay):
    api.post(reset_path(api), {"password": "newer-password-1"})

    assert service.by_email(JAY["email"]).email_verified is True


def test_an_account_and_link_stored_before_generations_still_reset(api, jay):
    path = reset_path(api)
    account = service.by_email(JAY["email"])
    Account(account.id).update(actions=[Account.reset_generation.remove()])
    [stored] = ResetToken.scan()
    stored.update(actions=[ResetToken.generation.remove()])

    assert api.post(path, {"password": "newer-password-1"})[0] == 200
    assert service.get(account.id).reset_generation == 1


def test_no_deployed_stage_answers_the_reset_link():
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())

    assert config["environment_variables"].get("EXPOSE_RESET_URL", "false") == "false"
    assert {stage: env["environment_variables"]["EXPOSE_RESET_URL"] for stage, env in config["stages"].items()} == {
        stage: "false" for stage in config["stages"]}


def test_the_local_stack_answers_the_reset_link(monkeypatch):
    monkeypatch.delenv("EXPOSE_RESET_URL")  # as `make run` starts: the shell does not set it

    assert local_environment({}, 8000)["EXPOSE_RESET_URL"] == "true"
