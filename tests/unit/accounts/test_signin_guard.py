"""Failed sign-ins counted per email in DynamoDB: the lock after 10, its growing window (1, 2, 4 … 60 minutes,
on a fixed clock), the reset on success, the TTL; and the same count behind the dialogues' password change."""
import json
from datetime import timedelta

import pytest

from chalicelib.identity import guard
from chalicelib.identity import service as accounts
from chalicelib.identity.guard import SignInFailures
from chalicelib.identity.models import Account
from tests.conftest import JAY, NOW

WRONG = "not-the-password"


def login(api, email, password, raw=False):
    response = api.client.http.post("/api/auth/login/", body=json.dumps({"email": email, "password": password}),
                                    headers={"Content-Type": "application/json"})
    return response if raw else response.status_code


def fail(api, times, email=JAY["email"]):
    return [login(api, email, WRONG) for _ in range(times)]


def stored(email=JAY["email"]):
    try:
        return SignInFailures.get(email.lower(), consistent_read=True)
    except SignInFailures.DoesNotExist:
        return None


def test_the_window_is_nothing_below_ten_failures_then_doubles_from_one_minute_to_sixty():
    windows = [guard.lock_window(n) for n in range(0, 20)]

    assert windows[:10] == [timedelta(0)] * 10
    assert [w.total_seconds() / 60 for w in windows[10:]] == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert guard.lock_window(10 ** 6) == timedelta(minutes=60)


def test_ten_failures_lock_the_email_and_the_eleventh_try_is_429_with_retry_after_even_with_the_password(
        api, jay, fixed_clock):
    assert fail(api, 10) == [401] * 10

    wrong, right = login(api, JAY["email"], WRONG, raw=True), login(api, JAY["email"], JAY["password"], raw=True)

    for response in (wrong, right):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "60"
        assert response.json_body == {"data": None, "meta": {"success": False, "errors": ["AUTH_TOO_MANY_ATTEMPTS"]}}
    assert int(stored().failures) == 10  # tries refused during the lock are not counted


def test_each_further_lock_doubles_up_to_sixty_minutes_on_a_fixed_clock(api, jay, fixed_clock):
    fail(api, 10)
    seen = []
    for _ in range(9):
        left = int(login(api, JAY["email"], WRONG, raw=True).headers["Retry-After"])
        seen.append(left // 60)
        fixed_clock.advance(seconds=left - 1)
        assert login(api, JAY["email"], JAY["password"]) == 429  # a second before the end: still locked
        fixed_clock.advance(seconds=1)
        assert login(api, JAY["email"], WRONG) == 401  # the lock is over: one more try, which locks again

    assert seen == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_lock_ends_and_the_right_password_then_signs_in_and_resets_the_count(api, jay, fixed_clock):
    fail(api, 10)
    fixed_clock.advance(minutes=1)

    assert login(api, JAY["email"], JAY["password"]) == 200
    assert stored() is None
    assert fail(api, 10) == [401] * 10  # ten fresh tries: the count started again from nothing
    assert login(api, JAY["email"], JAY["password"]) == 429


def test_a_success_resets_the_count_so_only_consecutive_failures_lock(api, jay, fixed_clock):
    for _ in range(3):
        assert fail(api, 9) == [401] * 9
        assert login(api, JAY["email"], JAY["password"]) == 200

    assert stored() is None
    assert fail(api, 1) == [401]
    assert int(stored().failures) == 1


def test_the_count_is_per_email_in_any_case_and_leaves_other_emails_alone(api, jay, fixed_clock):
    other = {**JAY, "email": "other@example.com"}
    assert api.post("/api/auth/register/", other)[0] == 201

    fail(api, 5, "JAY@Example.com")
    fail(api, 5, " jay@example.com")

    assert login(api, "jay@EXAMPLE.com", JAY["password"]) == 429
    assert login(api, "other@example.com", other["password"]) == 200


def test_an_unknown_email_is_counted_and_locked_like_a_known_one(api, fixed_clock):
    assert fail(api, 10, "nobody@example.com") == [401] * 10

    response = login(api, "nobody@example.com", WRONG, raw=True)

    assert (response.status_code, response.headers["Retry-After"]) == (429, "60")
    assert response.json_body["meta"]["errors"] == ["AUTH_TOO_MANY_ATTEMPTS"]


def test_the_count_carries_a_ttl_a_day_past_the_last_failure_or_past_the_lock(api, jay, fixed_clock):
    fail(api, 1)
    assert stored().remove_at == NOW + timedelta(days=1)

    fixed_clock.advance(minutes=5)
    fail(api, 9)
    record = stored()
    locked_at = NOW + timedelta(minutes=5)
    assert int(record.locked_until) == int((locked_at + timedelta(minutes=1)).timestamp())
    assert record.remove_at == locked_at + timedelta(minutes=1, days=1)


def test_the_tables_expire_their_items_by_ttl():
    from infra.tables import spec

    assert (spec(guard.SignInFailures).ttl_attribute, spec(guard.MailQuota).ttl_attribute) == \
        ("remove_at", "remove_at")


def test_a_locked_sign_in_changes_nothing_of_the_account(api, jay, fixed_clock):
    before = Account.get(accounts.by_email(JAY["email"]).id, consistent_read=True).to_simple_dict()
    fail(api, 40)
    login(api, JAY["email"], JAY["password"])

    assert Account.get(before["id"], consistent_read=True).to_simple_dict() == before


def test_the_lock_is_a_service_rule_not_a_route_one(aws, fixed_clock):
    account = accounts.register("Jay Rainey", "svc@example.com", "a-strong-password-1")
    for _ in range(10):
        with pytest.raises(accounts.WrongPassword):
            accounts.login("svc@example.com", WRONG)

    with pytest.raises(guard.TooManyAttempts) as refused:
        accounts.login("svc@example.com", "a-strong-password-1")
    assert (refused.value.status, refused.value.retry_after) == (429, 60)
    assert guard.retry_after("svc@example.com") == 60
    assert accounts.get(account.id).password_hash == account.password_hash


def test_a_completed_reset_forgets_the_lock_so_the_mailbox_owner_gets_in(api, jay, fixed_clock, outbox):
    fail(api, 10)
    link = api.post("/api/auth/forgot/", {"email": JAY["email"]})[1]["data"]["reset_url"]
    token = link.rstrip("/").rsplit("/", 1)[1]

    assert api.post(f"/api/auth/reset/{token}/", {"password": "my-own-new-password"})[0] == 200
    assert login(api, JAY["email"], "my-own-new-password") == 200


# The dialogues' /user/password-changes checks the old password: it counts like a sign-in.


def test_wrong_old_passwords_at_password_changes_count_and_lock_in_the_dialogues_shape(api, jay, fixed_clock):
    hashed = accounts.by_email(JAY["email"]).password_hash
    change = {"old_password": WRONG, "new_password": "a-brand-new-password"}
    statuses = [api.post("/user/password-changes", change, token=jay["access_token"])[0] for _ in range(10)]
    response = api.client.http.post("/user/password-changes", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {jay['access_token']}"},
        body=json.dumps({"old_password": JAY["password"], "new_password": "a-brand-new-password"}))

    assert statuses == [422] * 10
    assert (response.status_code, response.headers["Retry-After"]) == (429, "60")
    assert response.json_body["type"] == "too_many_attempts"
    assert response.json_body["details"] == {"retry_after": 60}
    assert login(api, JAY["email"], JAY["password"]) == 429  # one count per email, whichever route checks
    assert accounts.by_email(JAY["email"]).password_hash == hashed  # not even the right old password changed it
    fixed_clock.advance(minutes=1)
    assert login(api, JAY["email"], JAY["password"]) == 200


def test_a_right_old_password_at_password_changes_resets_the_count(api, jay, fixed_clock):
    fail(api, 9)
    status, _ = api.post("/user/password-changes", {"old_password": JAY["password"],
                                                    "new_password": "a-brand-new-password"},
                         token=jay["access_token"])

    assert status == 204
    assert stored() is None


def test_following_a_verification_link_clears_a_strangers_lock_on_the_email(api, jay, fixed_clock, outbox):
    from tests.mailbox import memory_verification_token

    fail(api, 10)
    assert login(api, JAY["email"], JAY["password"]) == 429
    token = memory_verification_token(JAY["email"])

    assert api.post(f"/api/auth/verify/{token}/", {"password": "a-new-passphrase-77"})[0] == 200
    assert login(api, JAY["email"], "a-new-passphrase-77") == 200
