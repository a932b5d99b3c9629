"""Issue 16, items 2 and 7, over real HTTP against `make run`'s server, DynamoDB Local and moto: each attack the
review made is sent again and refused in the surface's documented shape, in time proportional to what was sent,
and what it aimed at is as it was.

- JSON Patch amplification: copies from the root (the reported 19 operations), copies into an ancestor, more than
  100 operations, a document past the 5 MB body limit, and sibling copies past the copy allowance, on each route
  that applies patches (PATCH /users/<id>, PATCH /projects/<id>, PATCH of a dialogue, POST of revisions).
- Hostile values: coaching times at the ends of the calendar, JSON nested 900 deep (and a patch that would nest a
  stored dialogue past 64), and forged page cursors that DynamoDB Local and AWS would treat differently."""
import base64
import json
import time
import uuid

import pytest
import requests

from tests.conftest import HttpUser

TAG = uuid.uuid4().hex[:8]  # the stack is shared: every email and title of this module carries it
PASSWORD = "twelve-chars-pw"
INVALID = {"type": "validation_error", "message": "Invalid request body"}


class Dialogues:
    """A signed-in caller of the dialogues routes, which sit at the root of the API."""

    def __init__(self, stack, email: str, password: str):
        self.base = stack.base_url
        self.http = requests.Session()
        login = self.http.post(f"{self.base}/api/auth/login/", data=json.dumps({"email": email, "password": password}),
                               timeout=30)
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"

    def call(self, method: str, path: str, body=None, data=None):
        return self.http.request(method, self.base + path, timeout=120,
                                 data=json.dumps(body) if body is not None else data)

    def ok(self, method: str, path: str, body=None, expect: int = 200):
        response = self.call(method, path, body)
        assert response.status_code == expect, response.text
        return response.json()

    def timed(self, method: str, path: str, body=None, data=None):
        started = time.perf_counter()
        response = self.call(method, path, body, data)
        return response, time.perf_counter() - started


@pytest.fixture(scope="module")
def admin(local_stack):
    return Dialogues(local_stack, "admin@example.com", "admin-password-123")


@pytest.fixture(scope="module")
def someone(local_stack, admin):
    """An account with no permission at all: what the review used on its own /users/<id>."""
    user = admin.ok("POST", "/users/", {"email": f"someone-{TAG}@inputs.example.com", "password": PASSWORD,
                                        "first_name": "Some", "last_name": "One"}, expect=201)
    client = Dialogues(local_stack, user["email"], PASSWORD)
    client.id = user["id"]
    return client


@pytest.fixture(scope="module")
def dialogue(admin):
    """A project of the admin's and a dialogue in it: the paths of both."""
    project = admin.ok("POST", "/projects/", {"title": f"Inputs {TAG}"}, expect=201)["id"]
    block = {"id": "ask", "type": "question", "title": "Ask", "properties": {"text": "How are you?"}}
    made = admin.ok("POST", f"/projects/{project}/dialogues/", {
        "title": "Survey", "sequences": [{"id": "start", "title": "Start", "blocks": [block]}]}, expect=201)
    return f"/projects/{project}", f"/projects/{project}/dialogues/{made['id']}"


def refused(response, path: str, ending: str) -> None:
    """The dialogues 422: one `patch` failure at the operation's index, saying why."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert {key: body[key] for key in ("type", "message")} == INVALID
    [entry] = body["details"]["errors"]
    assert (entry["type"], entry["path"]) == ("patch", path), entry
    assert entry["message"].endswith(ending), entry


def history(client: Dialogues, path: str) -> tuple:
    """A dialogue as its clients see it: itself and every revision."""
    return client.ok("GET", path), client.ok("GET", f"{path}/revisions/?per_page=100")


# --- item 2: JSON Patch amplification ---


def test_the_reported_copy_from_root_on_ones_own_user_is_refused_at_once_and_changes_nothing(someone):
    """19 operations in under 1 KB took 12.7 s and 108 MB; the first of them is now the 422."""
    attack = [{"op": "copy", "from": "", "path": "/" + chr(97 + n)} for n in range(19)]
    data = json.dumps(attack)
    assert len(data) < 830
    before = someone.ok("GET", f"/users/{someone.id}")

    response, seconds = someone.timed("PATCH", f"/users/{someone.id}", data=data)

    refused(response, "/0", "'from' is the root: a value cannot be copied into itself")
    assert someone.ok("GET", f"/users/{someone.id}") == before
    print(f"copy-from-root attack ({len(data)} bytes, 19 operations): 422 in {seconds * 1000:.0f} ms")


def test_a_copy_into_its_own_child_on_a_user_is_refused_at_its_index(someone):
    before = someone.ok("GET", f"/users/{someone.id}")

    response = someone.call("PATCH", f"/users/{someone.id}", [
        {"op": "add", "path": "/a", "value": {"b": "x" * 100}}, {"op": "copy", "from": "/a", "path": "/a/c"}])

    refused(response, "/1", "'from' is an ancestor of 'path': a value cannot be copied into itself")
    assert someone.ok("GET", f"/users/{someone.id}") == before


def test_a_project_patch_of_more_than_100_operations_is_refused_at_the_first_over(admin, dialogue):
    project, _ = dialogue
    before = admin.ok("GET", project)
    operations = [{"op": "test", "path": "/title", "value": before["title"]}] * 100
    operations.append({"op": "replace", "path": "/title", "value": "Renamed"})

    response = admin.call("PATCH", project, operations)

    refused(response, "/100", "A patch may have at most 100 operations: send a larger change as a PUT")
    assert admin.ok("GET", project) == before


def test_a_dialogue_patch_that_would_pass_the_5_mb_body_limit_is_refused_and_changes_nothing(admin, dialogue):
    """Each body fits (4 MB, then 1.5 MB); the document the patch would make does not."""
    project, _ = dialogue
    big = {"title": "Big", "sequences": [{"id": "s", "title": "S", "blocks": [
        {"id": "b", "type": "note", "properties": {"text": "x" * 4_000_000}}]}]}
    path = f"{project}/dialogues/" + admin.ok("POST", f"{project}/dialogues/", big, expect=201)["id"]
    before = history(admin, path)

    response, seconds = admin.timed("PATCH", path, [
        {"op": "test", "path": "/title", "value": "Big"},
        {"op": "add", "path": "/sequences/0/blocks/0/properties/more", "value": "y" * 1_500_000}])

    refused(response, "/1", "over the limit of 5242880")
    assert history(admin, path) == before


def test_sibling_copies_on_a_dialogue_stop_at_the_copy_allowance_and_change_nothing(admin, dialogue):
    """No copy names an ancestor, yet two arrays copied into each other grow like Fibonacci."""
    _, path = dialogue
    before = history(admin, path)
    where = "/sequences/0/blocks/0/properties"
    attack = [{"op": "add", "path": f"{where}/a", "value": [[]]}, {"op": "add", "path": f"{where}/b", "value": [[]]}]
    attack += [{"op": "copy", "from": f"{where}/b", "path": f"{where}/a/-"} if n % 2 == 0 else
               {"op": "copy", "from": f"{where}/a", "path": f"{where}/b/-"} for n in range(60)]

    response, seconds = admin.timed("PATCH", path, attack)

    assert response.status_code == 422, response.text
    [entry] = response.json()["details"]["errors"]
    assert entry["type"] == "patch" and entry["message"].endswith("bytes"), entry
    assert "more than 262144 bytes" in entry["message"]
    assert history(admin, path) == before


def test_a_bulk_of_revisions_with_a_copy_into_an_ancestor_changes_nothing(admin, dialogue):
    _, path = dialogue
    before = history(admin, path)
    bulk = [{"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "Renamed"}]}},
            {"type": "edit", "properties": {"patch": [
                {"op": "test", "path": "/title", "value": "Renamed"},
                {"op": "copy", "from": "/sequences", "path": "/sequences/-"}]}}]

    response = admin.call("POST", f"{path}/revisions/", bulk)

    refused(response, "/1/properties/patch/1", "'from' is an ancestor of 'path': a value cannot be copied into itself")
    assert history(admin, path) == before


def test_one_revision_with_a_copy_from_the_root_changes_nothing(admin, dialogue):
    _, path = dialogue
    before = history(admin, path)

    response = admin.call("POST", f"{path}/revisions/", {"type": "edit", "properties": {"patch": [
        {"op": "copy", "from": "", "path": "/sequences/0/blocks/0/properties/all"}]}})

    refused(response, "/properties/patch/0", "'from' is the root: a value cannot be copied into itself")
    assert history(admin, path) == before


# --- item 7: no 500 on hostile values ---


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_900_deep_is_a_422_where_it_nests_and_no_dialogue_is_stored(admin, dialogue):
    project, _ = dialogue
    before = admin.ok("GET", f"{project}/dialogues/")
    body = ('{"title": "Deep", "sequences": [{"id": "s", "title": "S", "blocks": [{"id": "b", "type": "q", '
            '"properties": {"d": ' + nested(900) + "}}]}]}")

    response = admin.call("POST", f"{project}/dialogues/", data=body)

    assert response.status_code == 422, response.text
    [entry] = response.json()["details"]["errors"]
    # `d` is the 7th level; the first array past 64 is 58 levels into it
    assert (entry["type"], entry["path"]) == ("maxDepth", "/sequences/0/blocks/0/properties/d" + "/0" * 58)
    assert admin.ok("GET", f"{project}/dialogues/") == before


def test_a_patch_that_would_nest_a_stored_dialogue_past_64_levels_is_refused(admin, dialogue):
    """The body is 62 deep, within the limit; the value would sit at level 5 of the document, 66 deep. Patches
    like it, repeated, had nested a stored dialogue 900 deep."""
    _, path = dialogue
    before = history(admin, path)

    response = admin.call("PATCH", path, data='[{"op": "add", "path": "/sequences/0/blocks/0/properties/x", '
                                              '"value": ' + nested(60) + "}]")

    refused(response, "/0", "the value would nest deeper than 64 levels")
    assert history(admin, path) == before


def test_json_nested_900_deep_is_each_surfaces_400_for_bad_json(local_stack):
    """Bodies are parsed in one place: every surface refuses the nesting in its own invalid-JSON shape."""
    user, root = HttpUser(local_stack, f"deep-{TAG}@inputs.example.com"), Root(local_stack)
    deep = '{"first_name": ' + nested(900) + "}"
    cases = [
        (user, "/projects/", {"data": None, "meta": {"success": False, "errors": ["GENERAL_INVALID_JSON"]}}, {}),
        (user, "/v04/requests", {"error": "INVALID_JSON"}, {}),
        (user, "/v4/content_requests", {"errors": [{"param": "body", "message":
                                                    "Invalid JSON: Nesting too deep (line 1, column 1)"}]},
         {"Authentication": user.http.headers["Authorization"]}),
        (root, "/clients", {"message": "Invalid JSON in request body",  # a Superadmin: roles come before bodies
                            "errors": [{"field": "body", "message": "Nesting too deep"}]}, {}),
    ]
    for caller, path, shape, headers in cases:
        response = caller.call("POST", path, data=deep, headers=headers)
        assert (response.status_code, response.json()) == (400, shape), path


class Root(HttpUser):
    """The local stack's platform admin: a coaching Superadmin."""

    def __init__(self, stack):
        self.base = stack.base_url + "/api"
        self.http = requests.Session()
        login = self.http.post(f"{self.base}/auth/login/", timeout=30, data=json.dumps(
            {"email": "admin@example.com", "password": "admin-password-123"}))
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"


EXTREMES = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"]
NOT_A_TIME = "must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z"


@pytest.mark.parametrize("moment", EXTREMES)
def test_coaching_times_with_extreme_offsets_are_a_400_naming_the_field_and_store_nothing(local_stack, moment):
    """Each raised OverflowError (a 500) converting to UTC; the client, its tasks and messages stay as they were."""
    root = Root(local_stack)
    suffix = f"{TAG}-{EXTREMES.index(moment)}"
    org = root.call("POST", "/orgs", {"name": f"Times {suffix}", "sms_number": "+15555550199"}).json()
    coach = root.call("POST", "/coaches", {"first_name": "C", "last_name": "T", "org_id": org["id"],
                                           "email": f"coach-{suffix}@inputs.example.com"}).json()
    client = root.call("POST", "/clients", {"first_name": "C", "last_name": "T", "org_id": org["id"],
                                            "coach_id": coach["id"], "email": f"client-{suffix}@inputs.example.com"})
    assert client.status_code == 201, client.text
    client = client.json()
    records = (f"/clients/{client['id']}", f"/tasks?user_id={client['id']}", f"/messages?user_id={client['id']}")
    before = [root.call("GET", path).json() for path in records]

    attacks = [
        ("PUT", f"/clients/{client['id']}", {"follow_up_date": moment}, "follow_up_date", NOT_A_TIME),
        ("POST", "/tasks", {"title": "T", "category": "C", "user_id": client["id"], "date_assigned": moment,
                            "recurring": {"frequency": 1, "duration": 3}}, "date_assigned", NOT_A_TIME),
        ("POST", "/messages", {"text": "Hi", "to_user": client["id"], "from_user": coach["id"], "timestamp": moment},
         "timestamp", NOT_A_TIME),
        ("PUT", f"/clients/{client['id']}", {"checkin_times": [{"time": 2 ** 53 - 1}]}, "checkin_times",
         "has a time that must be a time in epoch milliseconds"),
    ]
    for method, path, body, field, message in attacks:
        response = root.call(method, path, body)
        assert (response.status_code, response.json()) == (
            400, {"message": "Invalid input", "errors": [{"field": field, "message": message}]}), (path, body)
    assert [root.call("GET", path).json() for path in records] == before


def cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_forged_session_cursors_are_a_400_on_dynamodb_local_as_on_aws(local_stack):
    """Each names keys the sessions index did not give. DynamoDB Local refused some (ValidationException) and
    served others that AWS refuses (a 3,000-character key); now none reaches the engine."""
    user = HttpUser(local_stack, f"cursors-{TAG}@inputs.example.com")
    made = user.call("POST", "/projects/", {"title": f"Cursors {TAG}", "description": "d", "privacy": "private",
                                            "topics": []})
    assert made.status_code == 201, made.text
    project = made.json()["data"]["id"]
    sessions = f"/projects/{project}/sessions/"
    right = {"id": {"S": "a" * 32}, "project_id": {"N": str(project)},
             "created_at": {"S": "2026-11-23T12:00:00.000000+0000"}}
    forged = [
        {},
        {"id": {"S": "a"}},  # another table's key
        {**right, "project_id": {"N": str(project + 1)}},  # another project's page
        {**right, "project_id": {"S": str(project)}},  # wrong types
        {**right, "created_at": {"N": "1"}},
        {**right, "project_id": {"N": "1e400"}},
        {**right, "id": {"S": ""}},
        {**right, "id": {"S": "a" * 3000}},  # DynamoDB Local serves it; AWS refuses keys over 1,024 bytes
        {**right, "extra": {"S": "x"}},
    ]
    for key in forged:
        response = user.call("GET", f"{sessions}?cursor={cursor(key)}")
        assert (response.status_code, response.json()) == (
            400, {"data": None, "meta": {"success": False, "errors": ["GENERAL_INVALID_CURSOR"]}}), key
    assert user.call("GET", f"{sessions}?cursor={cursor(right)}").status_code == 200
    assert user.call("GET", sessions).json()["data"] == []
