"""Password guessing and enumeration, attacked over real HTTP on the local stack (`make run`'s server on
DynamoDB Local): each test makes the attack and checks that it is refused and that nothing changed."""
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests

PASSWORD = "twelve-chars-pw"
ADMIN = {"email": "admin@example.com", "password": "admin-password-123"}


def post(stack, path, body, **kw):
    return requests.post(stack.base_url + path, data=json.dumps(body), timeout=30, **kw)


def register(stack, email, password=PASSWORD):
    return post(stack, "/api/auth/register/", {"fullname": "Guess Target", "email": email, "password": password})


def login(stack, email, password):
    return post(stack, "/api/auth/login/", {"email": email, "password": password})


def account_item(stack, email):
    """The stored account of `email`, every attribute, read consistently."""
    dynamodb = stack.dynamodb()
    claim = dynamodb.get_item(TableName=stack.table("account-emails"), Key={"email": {"S": email}},
                              ConsistentRead=True)["Item"]
    return dynamodb.get_item(TableName=stack.table("accounts"), Key={"id": claim["account_id"]},
                             ConsistentRead=True)["Item"]


def failures_item(stack, email):
    return stack.dynamodb().get_item(TableName=stack.table("sign-in-failures"), Key={"email": {"S": email}},
                                     ConsistentRead=True).get("Item")


def mails_to(stack, email, subject=None):
    outbox = Path(stack.env["MAIL_OUTBOX_DIR"])
    messages = [json.loads(path.read_text()) for path in sorted(outbox.glob("*.json"))] if outbox.exists() else []
    return [m for m in messages if m["to"] == email and (subject is None or m["subject"] == subject)]


def not_at_the_turn_of_an_hour():
    """Mail limits count per clock hour: start a burst with a minute of the hour left at least."""
    now = datetime.now(UTC)
    if now.minute == 59:
        time.sleep(61 - now.second)


def test_forty_wrong_passwords_then_the_right_one_are_refused_from_the_eleventh_and_change_nothing(local_stack):
    email = "guessed@example.com"
    assert register(local_stack, email).status_code == 201
    before = account_item(local_stack, email)

    answers = [login(local_stack, email, f"wrong-guess-{n:04d}") for n in range(40)]
    right = login(local_stack, email, PASSWORD)

    assert [a.status_code for a in answers] == [401] * 10 + [429] * 30
    assert {tuple(a.json()["meta"]["errors"]) for a in answers[:10]} == {("AUTH_INCORRECT_PASSWORD",)}
    for refused in answers[10:] + [right]:
        assert refused.status_code == 429
        assert refused.json() == {"data": None, "meta": {"success": False, "errors": ["AUTH_TOO_MANY_ATTEMPTS"]}}
        assert 1 <= int(refused.headers["Retry-After"]) <= 60  # the first lock: one minute
    assert account_item(local_stack, email) == before
    assert failures_item(local_stack, email)["failures"] == {"N": "10"}  # refused tries are not counted


def test_twenty_concurrent_wrong_passwords_get_exactly_ten_checks(local_stack):
    email = "burst@example.com"
    assert register(local_stack, email).status_code == 201

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda n: login(local_stack, email, f"burst-guess-{n:04d}"), range(20)))

    assert sorted(a.status_code for a in answers) == [401] * 10 + [429] * 10
    # Those that came while the 10th failure was being counted may see its longest lock, shortened right after.
    assert all(1 <= int(a.headers["Retry-After"]) <= 3600 for a in answers if a.status_code == 429), \
        [a.headers["Retry-After"] for a in answers if a.status_code == 429]
    assert failures_item(local_stack, email)["failures"] == {"N": "10"}
    assert login(local_stack, email, PASSWORD).status_code == 429


def test_an_unknown_email_is_locked_like_a_known_one(local_stack):
    answers = [login(local_stack, "nobody-here@example.com", f"wrong-guess-{n:04d}") for n in range(11)]

    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert answers[-1].json()["meta"]["errors"] == ["AUTH_TOO_MANY_ATTEMPTS"]
    assert "Retry-After" in answers[-1].headers


def test_a_sixth_forgot_mail_in_an_hour_is_refused_and_not_sent(local_stack):
    email = "mailbombed@example.com"
    assert register(local_stack, email).status_code == 201
    not_at_the_turn_of_an_hour()

    answers = [post(local_stack, "/api/auth/forgot/", {"email": email}) for _ in range(6)]

    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json() == {"data": None, "meta": {"success": False, "errors": ["AUTH_TOO_MANY_EMAILS"]}}
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 3600
    assert len(mails_to(local_stack, email, "Reset your password")) == 5


def test_password_resets_answers_204_past_the_limit_but_sends_no_sixth_mail(local_stack):
    email = "dialogues-mailbombed@example.com"
    assert register(local_stack, email).status_code == 201
    not_at_the_turn_of_an_hour()
    before = len(mails_to(local_stack, email))

    answers = [post(local_stack, "/password-resets", {"email": email}) for _ in range(7)]

    assert [a.status_code for a in answers] == [204] * 7
    assert len(mails_to(local_stack, email)) == before + 5


def test_a_common_password_at_register_is_refused_and_no_account_is_created(local_stack):
    email = "common@example.com"

    response = register(local_stack, email, "Qwerty123456")

    assert (response.status_code, response.json()["meta"]["errors"]) == (400, ["AUTH_PASSWORD_TOO_COMMON"])
    claim = local_stack.dynamodb().get_item(TableName=local_stack.table("account-emails"),
                                            Key={"email": {"S": email}}, ConsistentRead=True)
    assert "Item" not in claim
    assert login(local_stack, email, "Qwerty123456").json()["meta"]["errors"] == ["AUTH_EMAIL_DOES_NOT_EXIST"]


def test_a_common_password_for_a_dialogues_user_is_a_422_at_slash_password(local_stack):
    token = login(local_stack, ADMIN["email"], ADMIN["password"]).json()["data"]["access_token"]

    response = post(local_stack, "/users", {"email": "common-dialogues@example.com", "password": "password1234"},
                    headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 422
    assert response.json()["type"] == "validation_error"
    assert [(e["type"], e["path"]) for e in response.json()["details"]["errors"]] == [("common", "/password")]
    assert login(local_stack, "common-dialogues@example.com", "password1234").status_code == 401
