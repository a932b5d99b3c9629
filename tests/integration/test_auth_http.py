"""/api/auth over real HTTP, on DynamoDB Local, through the server `make run` starts."""
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

PASSWORD = "twelve-chars-pw"


def post(stack, path, body=None, raw=None, **kw):
    data = raw if raw is not None else json.dumps(body)
    return requests.post(stack.base_url + path, data=data, timeout=30, **kw)


def register(stack, email, path="/api/auth/register/"):
    return post(stack, path, {"fullname": "Jay Rainey", "email": email, "password": PASSWORD})


def stored_accounts(stack, email):
    items = stack.dynamodb().scan(TableName=stack.table("accounts"))["Items"]
    return [item for item in items if item["email"]["S"].lower() == email.lower()]


@pytest.mark.parametrize("path", ["/api/auth/register/", "/api/auth/register"])
def test_register_answers_tokens_and_stores_the_account(local_stack, path):
    email = f"jay-{path.endswith('/')}@example.com"

    response = register(local_stack, email, path)

    assert response.status_code == 201
    assert response.json()["meta"] == {"success": True, "errors": []}
    assert set(response.json()["data"]) == {"access_token", "refresh_token"}
    [account] = stored_accounts(local_stack, email)
    assert account["fullname"]["S"] == "Jay Rainey" and account["password_hash"]["S"].startswith("scrypt$")


def test_register_login_and_an_authenticated_call(local_stack):
    register(local_stack, "walkthrough@example.com")

    login = post(local_stack, "/api/auth/login/", {"email": "walkthrough@example.com", "password": PASSWORD})
    token = login.json()["data"]["access_token"]
    me = requests.get(f"{local_stack.base_url}/api/auth/me/", headers={"Authorization": f"Bearer {token}"},
                      timeout=10)

    assert login.status_code == 200
    assert (me.status_code, me.json()["data"]["email"]) == (200, "walkthrough@example.com")


def test_twenty_concurrent_registrations_of_one_email_create_one_account(local_stack):
    email = "race@example.com"
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda n: register(local_stack, email.upper() if n % 2 else email), range(20)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    assert {tuple(r.json()["meta"]["errors"]) for r in responses if r.status_code == 409} == {("AUTH_EMAIL_EXISTS",)}
    assert len(stored_accounts(local_stack, email)) == 1
    claim = local_stack.dynamodb().get_item(TableName=local_stack.table("account-emails"),
                                            Key={"email": {"S": email}}, ConsistentRead=True)
    assert claim["Item"]["account_id"] == stored_accounts(local_stack, email)[0]["id"]


BAD_BODIES = [
    ("{", 400, ["GENERAL_INVALID_JSON"]),
    ("", 400, ["GENERAL_INVALID_JSON"]),
    ("[1, 2]", 400, ["GENERAL_INVALID_JSON"]),
    ('{"fullname": null, "email": 3, "password": []}', 400,
     ["AUTH_FULLNAME_REQUIRED", "AUTH_EMAIL_IS_NOT_STRING", "AUTH_PASSWORD_IS_NOT_STRING"]),
    ('{"fullname": "J", "email": "j@example.com", "password": "short"}', 400, ["AUTH_PASSWORD_LENGTH"]),
    ('{"fullname": {"a": 1}, "email": "\\u0000@x.io", "password": "' + "p" * 2000 + '"}', 400,
     ["AUTH_FULLNAME_IS_NOT_STRING", "AUTH_INVALID_EMAIL", "AUTH_PASSWORD_LENGTH"]),
    ('"\\ud800"', 400, ["GENERAL_INVALID_JSON"]),
    ("{" * 50_000, 400, ["GENERAL_INVALID_JSON"]),
    ('{"fullname": "J", "email": "\\udc00@x.io", "password": "twelve-chars-pw"}', 400, ["GENERAL_INVALID_JSON"]),
]


@pytest.mark.parametrize(("raw", "status", "keys"), BAD_BODIES)
def test_bad_input_gets_documented_keys_over_http_never_a_500(local_stack, raw, status, keys):
    for path in ("/api/auth/register/", "/api/auth/login"):
        response = post(local_stack, path, raw=raw, headers={"Content-Type": "application/json"})
        assert response.status_code < 500
    response = post(local_stack, "/api/auth/register/", raw=raw)

    assert (response.status_code, response.json()["meta"]["errors"]) == (status, keys)


def _mail_to(stack, email, subject, timeout=10):
    outbox = Path(stack.env["MAIL_OUTBOX_DIR"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.json")) if outbox.exists() else []:
            message = json.loads(path.read_text())
            if message["to"] == email and message["subject"] == subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail {subject!r} to {email}")


def test_password_reset_through_the_outbox_link(local_stack):
    email = "forgetful@example.com"
    register(local_stack, email)

    forgot = post(local_stack, "/api/auth/forgot/", {"email": email})
    link = re.search(r"http\S+", _mail_to(local_stack, email, "Reset your password")["body"]).group(0)
    shown = requests.get(link, timeout=10)
    reset = requests.post(link, data=json.dumps({"password": "my-new-password-1"}), timeout=30)
    reused = requests.post(link, data=json.dumps({"password": "my-new-password-2"}), timeout=30)
    login = post(local_stack, "/api/auth/login/", {"email": email, "password": "my-new-password-1"})

    assert forgot.json()["data"]["reset_url"] == link
    assert link.startswith(f"{local_stack.base_url}/api/auth/reset/")  # `make run`'s PUBLIC_BASE_URL
    assert (shown.status_code, shown.json()["data"]) == (200, {"email": email})
    assert reset.status_code == 200
    assert (reused.status_code, reused.json()["meta"]["errors"]) == (410, ["TOKEN_USED"])
    assert login.status_code == 200


def test_a_refresh_token_is_traded_once(local_stack):
    tokens = register(local_stack, "refresher@example.com").json()["data"]

    first = post(local_stack, "/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]})
    second = post(local_stack, "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})

    assert first.status_code == 200 and set(first.json()["data"]) == {"access_token", "refresh_token"}
    assert (second.status_code, second.json()["meta"]["errors"]) == (401, ["AUTH_TOKEN_INVALID"])


def test_the_local_admin_account_can_sign_in(local_stack):
    login = post(local_stack, "/api/auth/login/", {"email": "admin@example.com", "password": "admin-password-123"})
    me = requests.get(f"{local_stack.base_url}/api/auth/me/",
                      headers={"Authorization": f"Bearer {login.json()['data']['access_token']}"}, timeout=10)

    assert me.json()["data"]["is_admin"] is True
