"""The dialogues document's users: /user, /user/password-changes/, /users/, /users/<id>, /password-resets/ and
/password-confirmations/, over the accounts of the shared store."""
import re
import uuid

import pytest

from chalicelib.dialogues.permissions import grant_id
from chalicelib.identity import service as accounts
from chalicelib.identity.models import Account, ResetToken
from chalicelib.identity.passwords import hash_password
from tests.conftest import PUBLIC_BASE_URL
from tests.unit.dialogues.conftest import PASSWORD, PEOPLE, patch, problems

NEW_PASSWORD = "a-brand-new-password"


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def login(api, email, password):
    """The status of POST /api/auth/login/ and, when it signs in, the access token."""
    status, body = api.post("/api/auth/login/", {"email": email, "password": password})
    return status, body["data"]["access_token"] if status == 200 else None


def shown(account_id, email, first_name, last_name):
    return {"id": account_id, "url": f"/users/{account_id}", "email": email, "first_name": first_name,
            "last_name": last_name}


def person(world, name):
    """A world account as the users routes show it."""
    return shown(world.ids[name], f"{name}@example.com", name.title(), "Tester")


def stored_names(account_id):
    account = Account.get(account_id, consistent_read=True)
    return account.email, account.first_name, account.last_name


def root_id(api, world):
    return _ok(api.get("/user", token=world.root))["id"]


def reset_token(outbox):
    """The token of the one reset mail sent."""
    assert len(outbox.sent) == 1, outbox.sent
    return re.search(r"/api/auth/reset/([^/\s]+)/", outbox.sent[0].body).group(1)


# GET /user


def test_user_shows_the_platform_admin_with_the_admin_permission_first(api, world):
    body = _ok(api.get("/user", token=world.root))

    account = accounts.by_email("root@example.com")
    created = [{"id": grant_id(account.id, "project:admin", int(project), None), "type": "project:admin",
                "details": {"project_id": project}} for project in (world.project, world.other)]
    assert {k: v for k, v in body.items() if k != "permissions"} == shown(account.id, "root@example.com", "Root",
                                                                          "Admin")
    assert body["permissions"][0] == {"id": grant_id(account.id, "admin", None, None), "type": "admin"}
    assert sorted(body["permissions"][1:], key=lambda p: p["id"]) == sorted(created, key=lambda p: p["id"])


@pytest.mark.parametrize(("name", "details"), [
    ("project_reader", "project"),
    ("dialogue_writer", "dialogue"),
    ("creator", None),
    ("nobody", None),
])
def test_user_shows_the_caller_with_their_permissions(api, world, name, details):
    body = _ok(api.get("/user", token=world.tokens[name]))

    kind = PEOPLE[name][0]
    scope = {"project": {"project_id": world.project},
             "dialogue": {"project_id": world.project, "dialogue_id": world.dialogue}}.get(details)
    project_id = int(scope["project_id"]) if scope else None
    dialogue_id = int(scope["dialogue_id"]) if scope and "dialogue_id" in scope else None
    expected = [] if kind is None else [{"id": grant_id(world.ids[name], kind, project_id, dialogue_id), "type": kind,
                                         **({"details": scope} if scope else {})}]
    assert body == {**person(world, name), "permissions": expected}


def test_user_without_a_token_is_unauthorized(api, world):
    status, body = api.get("/user")

    assert status == 401 and body["type"] == "unauthorized"


# POST /users/


def test_create_user_answers_201_with_a_uuid_id_and_its_url(api, world):
    status, body = api.post("/users/", {"email": "joan@example.com", "password": PASSWORD, "first_name": "Joan",
                                        "last_name": "Watson"}, token=world.root)

    assert status == 201
    assert isinstance(body["id"], str) and str(uuid.UUID(body["id"])) == body["id"]
    assert body == shown(body["id"], "joan@example.com", "Joan", "Watson")
    assert stored_names(body["id"]) == ("joan@example.com", "Joan", "Watson")


def test_a_created_user_signs_in_and_sees_themself(api, world):
    created = _ok(api.post("/users/", {"email": "joan@example.com", "password": NEW_PASSWORD}, token=world.root), 201)

    status, token = login(api, "joan@example.com", NEW_PASSWORD)

    assert status == 200
    assert _ok(api.get("/user", token=token)) == {**shown(created["id"], "joan@example.com", "", ""),
                                                   "permissions": []}
    assert _ok(api.get(f"/users/{created['id']}", token=world.root)) == created


@pytest.mark.parametrize("email", ["project_reader@example.com", "PROJECT_READER@example.com",
                                   "Project_Reader@Example.COM"])
def test_create_user_refuses_an_email_taken_in_any_case(api, world, email):
    before = Account.count()

    status, body = api.post("/users/", {"email": email, "password": PASSWORD}, token=world.root)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("unique", "/email")]
    assert Account.count() == before


@pytest.mark.parametrize(("body", "expected"), [
    ({"password": PASSWORD}, [("required", "/email")]),
    ({"email": "joan@example.com"}, [("required", "/password")]),
    ({"email": "joan@example.com", "password": "eleven-char"}, [("minLength", "/password")]),
    ({"email": "joan@example.com", "password": PASSWORD, "id": "x"}, [("additionalProperties", "/")]),
    ({"email": "joan@example.com", "password": PASSWORD, "url": "/users/x"}, [("additionalProperties", "/")]),
])
def test_create_user_refuses_a_body_outside_the_schema(api, world, body, expected):
    before = Account.count()

    status, answer = api.post("/users/", body, token=world.root)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(answer)] == expected
    assert Account.count() == before
    assert accounts.by_email("joan@example.com") is None


def test_a_user_created_with_the_shortest_allowed_password_signs_in_with_it(api, world):
    _ok(api.post("/users/", {"email": "joan@example.com", "password": "twelve-chars"}, token=world.root), 201)

    assert login(api, "joan@example.com", "twelve-chars")[0] == 200


@pytest.mark.parametrize("name", ["project_admin", "creator", "nobody"])
def test_create_user_needs_admin(api, world, name):
    before = Account.count()

    status, body = api.post("/users/", {"email": "joan@example.com", "password": PASSWORD}, token=world.tokens[name])

    assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")
    assert Account.count() == before


def test_a_granted_admin_creates_users(api, world):
    body = _ok(api.post("/users/", {"email": "joan@example.com", "password": PASSWORD},
                        token=world.tokens["granted_admin"]), 201)

    assert stored_names(body["id"]) == ("joan@example.com", "", "")


# GET /users/


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Accounts made directly through the service with one precomputed hash (scrypt costs tens of ms each)."""
    hashed = hash_password(PASSWORD)
    monkeypatch.setattr(accounts, "hash_password", lambda password: hashed)


def make_accounts(count, start=0):
    return [accounts.create(f"First{i}", f"Last{i}", f"user{i:03}@example.com", PASSWORD).id
            for i in range(start, start + count)]


def world_order(api, world):
    """Every world account's id in the order of creation: the platform admin, then PEOPLE."""
    return [root_id(api, world)] + [world.ids[name] for name in PEOPLE]


def ids(body):
    return [item["id"] for item in body]


def test_users_lists_the_summaries_in_creation_order(api, world):
    body = _ok(api.get("/users/", token=world.root))

    root = accounts.by_email("root@example.com")
    assert body == [shown(root.id, "root@example.com", "Root", "Admin")] + [person(world, n) for n in PEOPLE]


def test_users_pages_thirty_at_a_time_by_default(api, world, cheap_hashes):
    order = world_order(api, world) + make_accounts(35)  # 45 accounts

    first = _ok(api.get("/users/", token=world.root))
    second = _ok(api.get("/users/?page=2", token=world.root))
    third = _ok(api.get("/users/?page=3", token=world.root))

    assert ids(first) == order[:30]
    assert ids(second) == order[30:]
    assert third == []
    assert second[-1] == shown(order[-1], "user034@example.com", "First34", "Last34")


def test_users_takes_per_page_with_page(api, world, cheap_hashes):
    order = world_order(api, world) + make_accounts(35)

    assert ids(_ok(api.get("/users/?per_page=7&page=3", token=world.root))) == order[14:21]
    assert ids(_ok(api.get("/users/?per_page=100", token=world.root))) == order
    assert ids(_ok(api.get("/users/?per_page=45&page=1", token=world.root))) == order
    assert _ok(api.get("/users/?per_page=45&page=2", token=world.root)) == []


def test_users_shows_at_most_a_hundred_a_page(api, world, cheap_hashes):
    order = world_order(api, world) + make_accounts(95)  # 105 accounts

    assert ids(_ok(api.get("/users/?per_page=500", token=world.root))) == order[:100]
    assert ids(_ok(api.get("/users/?per_page=500&page=2", token=world.root))) == order[100:]


def test_a_granted_admin_lists_users(api, world):
    assert len(_ok(api.get("/users/", token=world.tokens["granted_admin"]))) == 1 + len(PEOPLE)


@pytest.mark.parametrize("name", ["project_admin", "other_admin", "creator", "nobody"])
def test_users_needs_admin(api, world, name):
    status, body = api.get("/users/", token=world.tokens[name])

    assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")


# GET /users/<id>


@pytest.mark.parametrize("token_of", ["self", "root", "granted_admin"])
def test_user_is_shown_to_themself_and_to_admins(api, world, token_of):
    token = world.root if token_of == "root" else world.tokens["project_reader" if token_of == "self" else token_of]

    body = _ok(api.get(f"/users/{world.ids['project_reader']}", token=token))

    assert body == person(world, "project_reader")


@pytest.mark.parametrize("name", ["project_admin", "other_admin", "nobody", "creator"])
def test_user_is_refused_to_anyone_else(api, world, name):
    status, body = api.get(f"/users/{world.ids['project_reader']}", token=world.tokens[name])

    assert (status, body["type"], body["details"]["permission"]) == (403, "forbidden", "admin")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_an_unknown_user_is_404_for_an_admin(api, world, method):
    missing = str(uuid.uuid4())
    body = {"GET": None, "PUT": {"first_name": "X"},
            "PATCH": [{"op": "replace", "path": "/first_name", "value": "X"}]}[method]

    status, answer = api.call(method, f"/users/{missing}", body, token=world.root)

    assert (status, answer) == (404, {"type": "not_found", "message": f"User {missing} not found",
                                      "details": {"id": missing}})


# PUT /users/<id>


def test_put_replaces_the_names_and_ignores_read_only_fields(api, world):
    user_id = world.ids["project_reader"]
    sent = {"id": "someone-else", "url": "/users/someone-else", "email": "changed@example.com",
            "first_name": "Joan", "last_name": "Watson"}

    body = _ok(api.put(f"/users/{user_id}", sent, token=world.tokens["project_reader"]))

    assert body == shown(user_id, "project_reader@example.com", "Joan", "Watson")
    assert stored_names(user_id) == ("project_reader@example.com", "Joan", "Watson")
    assert _ok(api.get(f"/users/{user_id}", token=world.root)) == body
    assert accounts.by_email("changed@example.com") is None


def test_put_takes_back_what_get_user_answered(api, world):
    me = _ok(api.get("/user", token=world.tokens["project_reader"]))

    body = _ok(api.put(f"/users/{me['id']}", {**me, "last_name": "Holmes"}, token=world.tokens["project_reader"]))

    assert body == {**person(world, "project_reader"), "last_name": "Holmes"}


def test_put_replaces_the_whole_description(api, world):
    user_id = world.ids["project_reader"]

    body = _ok(api.put(f"/users/{user_id}", {"first_name": "Joan"}, token=world.tokens["project_reader"]))

    assert (body["first_name"], body["last_name"]) == ("Joan", "")
    assert stored_names(user_id) == ("project_reader@example.com", "Joan", "")


def test_an_admin_replaces_another_users_names(api, world):
    user_id = world.ids["nobody"]

    body = _ok(api.put(f"/users/{user_id}", {"first_name": "Joan", "last_name": "Watson"}, token=world.root))

    assert body == shown(user_id, "nobody@example.com", "Joan", "Watson")
    assert stored_names(user_id) == ("nobody@example.com", "Joan", "Watson")


def test_put_refuses_a_name_of_the_wrong_type(api, world):
    user_id = world.ids["project_reader"]

    status, body = api.put(f"/users/{user_id}", {"first_name": 7}, token=world.tokens["project_reader"])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("type", "/first_name")]
    assert stored_names(user_id) == ("project_reader@example.com", "Project_Reader", "Tester")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("name", ["project_admin", "nobody"])
def test_changing_another_user_needs_admin(api, world, method, name):
    user_id = world.ids["project_reader"]
    body = {"PUT": {"first_name": "Joan"}, "PATCH": [{"op": "replace", "path": "/first_name", "value": "Joan"}]}

    status, answer = api.call(method, f"/users/{user_id}", body[method], token=world.tokens[name])

    assert (status, answer["type"]) == (403, "forbidden")
    assert stored_names(user_id) == ("project_reader@example.com", "Project_Reader", "Tester")


# PATCH /users/<id>


def test_patch_replaces_the_first_name(api, world):
    user_id = world.ids["project_reader"]

    body = _ok(patch(api, f"/users/{user_id}", [{"op": "replace", "path": "/first_name", "value": "Joan"}],
                     world.tokens["project_reader"]))

    assert body == {**person(world, "project_reader"), "first_name": "Joan"}
    assert stored_names(user_id) == ("project_reader@example.com", "Joan", "Tester")


def test_an_admin_patches_another_user(api, world):
    user_id = world.ids["nobody"]

    body = _ok(patch(api, f"/users/{user_id}", [{"op": "replace", "path": "/last_name", "value": "Watson"}],
                     world.tokens["granted_admin"]))

    assert body == {**person(world, "nobody"), "last_name": "Watson"}
    assert stored_names(user_id) == ("nobody@example.com", "Nobody", "Watson")


@pytest.mark.parametrize("path", ["/email", "/id", "/url"])
def test_patch_refuses_to_add_a_read_only_field(api, world, path):
    user_id = world.ids["project_reader"]

    status, body = patch(api, f"/users/{user_id}", [{"op": "add", "path": path, "value": "changed@example.com"}],
                         world.tokens["project_reader"])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("additionalProperties", "/")]
    assert stored_names(user_id) == ("project_reader@example.com", "Project_Reader", "Tester")


def test_patch_is_all_or_nothing(api, world):
    user_id = world.ids["project_reader"]
    operations = [{"op": "replace", "path": "/first_name", "value": "Joan"},
                  {"op": "remove", "path": "/middle_name"}]

    status, body = patch(api, f"/users/{user_id}", operations, world.tokens["project_reader"])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("patch", "/1")]
    assert stored_names(user_id) == ("project_reader@example.com", "Project_Reader", "Tester")


# POST /user/password-changes/


def test_password_change_sets_the_new_password(api, world):
    status, body = api.post("/user/password-changes/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
                            token=world.tokens["project_reader"])

    assert (status, body) == (204, None)
    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 200
    assert login(api, "project_reader@example.com", PASSWORD)[0] == 401


def test_a_password_changed_to_the_shortest_allowed_length_signs_in(api, world):
    _ok(api.post("/user/password-changes/", {"old_password": PASSWORD, "new_password": "twelve-chars"},
                 token=world.tokens["project_reader"]), 204)

    assert login(api, "project_reader@example.com", "twelve-chars")[0] == 200


def test_password_change_makes_older_tokens_stop_working(api, world):
    old_token = world.tokens["project_reader"]
    _ok(api.post("/user/password-changes/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
                 token=old_token), 204)

    status, body = api.get("/user", token=old_token)

    assert (status, body["type"], body["details"]) == (401, "unauthorized", {"reason": "token_invalid"})
    _, new_token = login(api, "project_reader@example.com", NEW_PASSWORD)
    assert _ok(api.get("/user", token=new_token))["id"] == world.ids["project_reader"]
    assert _ok(api.get("/user", token=world.tokens["nobody"]))["id"] == world.ids["nobody"]


def test_password_change_with_a_wrong_old_password_changes_nothing(api, world):
    before = Account.get(world.ids["project_reader"]).password_hash

    status, body = api.post("/user/password-changes/", {"old_password": "not-the-password",
                                                        "new_password": NEW_PASSWORD},
                            token=world.tokens["project_reader"])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("incorrect", "/old_password")]
    assert Account.get(world.ids["project_reader"]).password_hash == before
    assert login(api, "project_reader@example.com", PASSWORD)[0] == 200
    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 401
    assert _ok(api.get("/user", token=world.tokens["project_reader"]))["id"] == world.ids["project_reader"]


@pytest.mark.parametrize(("body", "expected"), [
    ({"old_password": PASSWORD}, [("required", "/new_password")]),
    ({"new_password": NEW_PASSWORD}, [("required", "/old_password")]),
    ({"old_password": PASSWORD, "new_password": "short"}, [("minLength", "/new_password")]),
])
def test_password_change_refuses_a_body_outside_the_schema(api, world, body, expected):
    status, answer = api.post("/user/password-changes/", body, token=world.tokens["project_reader"])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(answer)] == expected
    assert login(api, "project_reader@example.com", PASSWORD)[0] == 200


def test_password_change_needs_a_signed_in_user(api, world):
    status, body = api.post("/user/password-changes/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert (status, body["type"]) == (401, "unauthorized")


# POST /password-resets/ and /password-confirmations/


def test_password_reset_mails_a_token_to_a_known_email(api, world, outbox):
    status, body = api.post("/password-resets/", {"email": "project_reader@example.com"})

    assert (status, body) == (204, None)
    assert [(m.to, m.subject) for m in outbox.sent] == [("project_reader@example.com", "Reset your password")]
    assert reset_token(outbox)
    assert ResetToken.count() == 1


def mailed_link(outbox):
    """The link of the one reset mail sent."""
    assert len(outbox.sent) == 1, outbox.sent
    return re.search(r"\S+/api/auth/reset/[^/\s]+/", outbox.sent[0].body).group(0)


def test_password_reset_mails_an_absolute_link_to_the_route_that_serves_it(api, world, outbox):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)

    link = mailed_link(outbox)
    assert link.startswith(f"{PUBLIC_BASE_URL}/api/auth/reset/")
    status, body = api.get(link.removeprefix(PUBLIC_BASE_URL))  # the path within the API's stage
    assert (status, body["data"]) == (200, {"email": "project_reader@example.com"})


def test_password_reset_links_to_the_base_in_ssm_where_only_its_parameter_is_set(api, world, outbox,
                                                                                 base_url_parameter):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)

    assert mailed_link(outbox).startswith(f"{base_url_parameter}/api/auth/reset/")


def test_password_reset_finds_the_email_in_any_case(api, world, outbox):
    _ok(api.post("/password-resets/", {"email": "Project_Reader@EXAMPLE.com"}), 204)

    assert [m.to for m in outbox.sent] == ["project_reader@example.com"]


def test_password_reset_answers_the_same_for_an_unknown_email_and_mails_nothing(api, world, outbox):
    status, body = api.post("/password-resets/", {"email": "stranger@example.com"})

    assert (status, body) == (204, None)
    assert outbox.sent == []
    assert ResetToken.count() == 0


def test_password_reset_refuses_a_body_without_an_email(api, world, outbox):
    status, body = api.post("/password-resets/", {})

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("required", "/email")]
    assert outbox.sent == []


def test_password_confirmation_sets_the_new_password(api, world, outbox):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)

    status, body = api.post("/password-confirmations/", {"token": reset_token(outbox), "password": NEW_PASSWORD})

    assert (status, body) == (204, None)
    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 200
    assert login(api, "project_reader@example.com", PASSWORD)[0] == 401
    assert login(api, "nobody@example.com", PASSWORD)[0] == 200


def test_a_reset_token_works_once(api, world, outbox):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)
    token = reset_token(outbox)
    _ok(api.post("/password-confirmations/", {"token": token, "password": NEW_PASSWORD}), 204)

    status, body = api.post("/password-confirmations/", {"token": token, "password": "a-third-password"})

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("token_used", "/token")]
    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 200
    assert login(api, "project_reader@example.com", "a-third-password")[0] == 401


def test_an_unknown_reset_token_is_refused(api, world):
    status, body = api.post("/password-confirmations/", {"token": "123abc", "password": NEW_PASSWORD})

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("token_404", "/token")]


def test_a_reset_token_still_works_just_before_the_hour_is_up(api, world, outbox, fixed_clock):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)
    fixed_clock.advance(seconds=3599)

    _ok(api.post("/password-confirmations/", {"token": reset_token(outbox), "password": NEW_PASSWORD}), 204)

    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 200


def test_an_expired_reset_token_is_refused_and_changes_nothing(api, world, outbox, fixed_clock):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)
    fixed_clock.advance(seconds=3601)

    status, body = api.post("/password-confirmations/", {"token": reset_token(outbox), "password": NEW_PASSWORD})

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("token_expired", "/token")]
    assert login(api, "project_reader@example.com", PASSWORD)[0] == 200
    assert login(api, "project_reader@example.com", NEW_PASSWORD)[0] == 401


def test_password_confirmation_refuses_a_short_password_and_keeps_the_token(api, world, outbox):
    _ok(api.post("/password-resets/", {"email": "project_reader@example.com"}), 204)
    token = reset_token(outbox)

    status, body = api.post("/password-confirmations/", {"token": token, "password": "short"})

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("minLength", "/password")]
    _ok(api.post("/password-confirmations/", {"token": token, "password": NEW_PASSWORD}), 204)
