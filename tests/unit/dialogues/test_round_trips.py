"""The DynamoDB round trips of every dialogues route on its success path (a transaction or a batch is one), signing
in included: the grants' Query, then one BatchGetItem of the account with what the path names (the project,
dialogue, user, grant, channel or provider). Every route takes at most BUDGET, except those named in EXCEPTIONS
with the reason.

How the others keep to it: writes are one transaction, and nothing is read again after it. A project's PUT and
PATCH read whether the caller holds `admin` or `project:admin` on it by the grants' keys, in the batch with the
account (one round trip to sign in), since the project's dialogues follow the write. A channel carries its
provider's title, so no channel route reads its provider. A non-admin's page of projects reads the page's ids
only, in one BatchGetItem (a page holds at most 100), not every project the caller's grants name.
/user/password-changes reads the account alone (no grants), then identity's two writes. The password resets and
confirmations are identity's: two reads and one transaction.

Not counted: the UpdateItem on the `counters` table by which a process reserves a block of 100 ids
(core/counters.py). A create pays it once per 100 ids of its kind in a process, not per request."""
import re
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.dialogues import descriptions, permissions
from chalicelib.dialogues.errors import SURFACE
from chalicelib.dialogues.models import Permission, Project
from tests.round_trips import round_trips
from tests.unit.dialogues.conftest import PASSWORD, SEQUENCE

BUDGET = 3
# route: (round trips, why it needs more than BUDGET)
EXCEPTIONS: dict[str, tuple[int, str]] = {
    "POST .../revisions (revert past the base)": (4, "the target is older than the head's base: a Query reads "
                                                     "its snapshot and the patches since"),
}
P, D = "/projects/{project}", "/projects/{project}/dialogues/{dialogue}"
EDIT = {"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "Renamed"}]}}


@dataclass(frozen=True)
class Call:
    route: str
    method: str
    path: str
    body: Any = None
    token: str = "root"
    status: int = 200


CALLS = [
    Call("GET /user", "GET", "/user"),
    Call("POST /user/password-changes", "POST", "/user/password-changes",
         {"old_password": PASSWORD, "new_password": "another-twelve-chars"}, token="nobody", status=204),
    Call("GET /users", "GET", "/users"),
    Call("POST /users", "POST", "/users", {"email": "new@example.com", "password": PASSWORD}, status=201),
    Call("GET /users/<id>", "GET", "/users/{nobody}"),
    Call("PUT /users/<id>", "PUT", "/users/{nobody}", {"email": "nobody@example.com", "first_name": "No"}),
    Call("PATCH /users/<id>", "PATCH", "/users/{nobody}", [{"op": "replace", "path": "/first_name", "value": "N"}]),
    Call("POST /password-resets", "POST", "/password-resets", {"email": "nobody@example.com"}, token="", status=204),
    Call("POST /password-confirmations", "POST", "/password-confirmations",
         {"token": "{reset}", "password": "another-twelve-chars"}, token="", status=204),
    Call("GET /users/<id>/permissions", "GET", "/users/{nobody}/permissions"),
    Call("GET /users/<id>/permissions/<id>", "GET", "/users/{dialogue_reader}/permissions/{grant}"),
    Call("POST /users/<id>/permissions", "POST", "/users/{nobody}/permissions",
         {"type": "project:dialogues:read", "details": {"project_id": "{project}"}}),
    Call("DELETE /users/<id>/permissions/<id>", "DELETE", "/users/{dialogue_reader}/permissions/{grant}"),
    Call("GET /projects", "GET", "/projects"),
    Call("GET /projects (non-admin)", "GET", "/projects", token="project_reader"),
    Call("GET /users/<id> (themself)", "GET", "/users/{nobody}", token="nobody"),
    Call("GET /users/<id>/permissions (their own)", "GET", "/users/{dialogue_reader}/permissions",
         token="dialogue_reader"),
    Call("PUT /projects/<id> (project admin)", "PUT", P, {"title": "Renamed"}, token="project_admin"),
    Call("GET /channels/<id> (reader of its project)", "GET", "/channels/{channel}", token="project_reader"),
    Call("GET /providers/<id> (reader of a project)", "GET", "/providers/{provider}", token="project_reader"),
    Call("POST /projects", "POST", "/projects", {"title": "New"}, status=201),
    Call("GET /projects/<id>", "GET", P),
    Call("PUT /projects/<id>", "PUT", P, {"title": "Renamed"}),
    Call("PATCH /projects/<id>", "PATCH", P, [{"op": "replace", "path": "/title", "value": "Renamed"}]),
    Call("GET /projects/<id>/channels", "GET", P + "/channels"),
    Call("GET /projects/<id>/dialogues", "GET", P + "/dialogues"),
    Call("POST /projects/<id>/dialogues", "POST", P + "/dialogues", {"title": "New", "sequences": [SEQUENCE]},
         status=201),
    Call("GET /projects/<id>/dialogues/<id>", "GET", D),
    Call("GET /projects/<id>/dialogues/<id> (reader)", "GET", D, token="dialogue_reader"),
    Call("PUT /projects/<id>/dialogues/<id>", "PUT", D, {"title": "Renamed", "sequences": [SEQUENCE]}),
    Call("PATCH /projects/<id>/dialogues/<id>", "PATCH", D, EDIT["properties"]["patch"]),
    Call("GET .../revisions", "GET", D + "/revisions"),
    Call("GET .../revisions?ordering=created", "GET", D + "/revisions?ordering=created"),
    Call("POST .../revisions (edit)", "POST", D + "/revisions", EDIT, status=201),
    Call("POST .../revisions (revert)", "POST", D + "/revisions",
         {"type": "revert", "properties": {"revision_id": "1"}}, status=201),
    Call("POST .../revisions (bulk)", "POST", D + "/revisions", [EDIT, {**EDIT, "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": "Again"}]}}], status=201),
    Call("POST .../revisions (revert past the base)", "POST", D.replace("{dialogue}", "{second}") + "/revisions",
         {"type": "revert", "properties": {"revision_id": "2"}}, status=201),
    Call("POST .../revisions (no change)", "POST", D + "/revisions", {**EDIT, "properties": {"patch": []}}),
    Call("GET .../releases", "GET", D + "/releases"),
    Call("POST .../releases", "POST", D + "/releases", {"revision_id": "2"}, status=201),
    Call("GET .../releases/<id>", "GET", D + "/releases/{release}"),
    Call("GET /channels", "GET", "/channels"),
    Call("POST /channels", "POST", "/channels",
         {"provider_id": "{provider}", "title": "@new", "address": "@new", "type": "twitter"}, status=201),
    Call("GET /channels/<id>", "GET", "/channels/{channel}"),
    Call("PUT /channels/<id>", "PUT", "/channels/{channel}", {"project_id": "{project}"}),
    Call("PATCH /channels/<id>", "PATCH", "/channels/{channel}",
         [{"op": "replace", "path": "/project_id", "value": None}]),
    Call("GET /providers", "GET", "/providers"),
    Call("POST /providers", "POST", "/providers", {"title": "New"}, status=201),
    Call("GET /providers/<id>", "GET", "/providers/{provider}"),
]


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


@pytest.fixture
def scene(api, world, outbox):
    """The world with two more revisions and a release of the dialogue, the second dialogue's base moved past its
    revision 2, a provider with a channel attached to the project, and a password reset under way: the names the
    calls' paths and bodies use."""
    path = f"/projects/{world.project}/dialogues/{world.dialogue}"
    _ok(api.post(path + "/revisions/", [EDIT, {**EDIT, "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": "Second"}]}}], token=world.root), 201)
    _ok(api.post(f"/projects/{world.project}/dialogues/{world.second}/revisions/", [
        {**EDIT, "properties": {"patch": [{"op": "replace", "path": "/title", "value": f"T{n}"}]}}
        for n in range(descriptions.TAIL_REVISIONS + 1)], token=world.root), 201)
    _ok(api.post(path + "/releases/", {"revision_id": "2"}, token=world.root), 201)
    provider = _ok(api.post("/providers/", {"title": "Twitter"}, token=world.root), 201)["id"]
    channel = _ok(api.post("/channels/", {"provider_id": provider, "title": "@foo", "address": "@foo",
                                          "type": "twitter"}, token=world.root), 201)["id"]
    _ok(api.put(f"/channels/{channel}", {"project_id": world.project}, token=world.root))
    grant = _ok(api.get(f"/users/{world.ids['dialogue_reader']}/permissions/", token=world.root))[0]["id"]
    api.post("/password-resets/", {"email": "creator@example.com"})
    reset = re.search(r"/api/auth/reset/([^/\s]+)/", outbox.sent[-1].body).group(1)
    return {"project": world.project, "dialogue": world.dialogue, "second": world.second, "provider": provider,
            "channel": channel, "grant": grant, "reset": reset, "release": "1", **world.ids}


def _filled(value: Any, names: dict[str, Any]) -> Any:
    """`value` with each `{name}` in its strings replaced by the scene's."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    return value


def _allowed(route: str) -> int:
    return EXCEPTIONS.get(route, (BUDGET, ""))[0]


@pytest.mark.parametrize("call", CALLS, ids=[call.route for call in CALLS])
def test_a_route_takes_at_most_its_round_trips(api, world, scene, aws_calls, call):
    token = world.root if call.token == "root" else world.tokens.get(call.token)
    aws_calls.clear()

    _ok(api.call(call.method, _filled(call.path, scene), _filled(call.body, scene), token=token), call.status)

    assert round_trips(aws_calls) <= _allowed(call.route), [op for service, op, _ in aws_calls if service == "dynamodb"]


def _template(path: str) -> str:
    """A path with each `{name}` as `{}`, and without its query: a route's path and a call's compare alike."""
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def test_every_dialogues_route_is_walked_and_only_the_named_ones_pass_the_budget():
    from app import app

    routes = {(method, _template(path)) for path, entries in app.routes.items()
              for method, entry in entries.items() if getattr(entry.view_function, "surface", None) is SURFACE}
    walked = {(call.method, _template(call.path)) for call in CALLS}
    assert routes == walked
    assert set(EXCEPTIONS) <= {call.route for call in CALLS}
    assert all(rounds > BUDGET for rounds, _ in EXCEPTIONS.values())


def test_a_page_of_a_callers_projects_is_one_batch_whatever_they_hold(api, world, aws_calls):
    """A reader of 151 projects: the second page of 100 reads its 51 projects in one BatchGetItem, not all 151."""
    user = world.ids["project_reader"]
    added = range(1001, 1151)
    with Project.batch_write() as projects, Permission.batch_write() as grants:
        for project_id in added:
            projects.save(Project(project_id, title=f"P{project_id}", created=0))
            grants.save(permissions.item(user, "project:dialogues:read", project_id))
    aws_calls.clear()

    body = _ok(api.get("/projects?per_page=100&page=2", token=world.tokens["project_reader"]))

    assert [int(project["id"]) for project in body] == list(added)[-51:]
    assert round_trips(aws_calls) == 3
    batches = [params for service, op, params in aws_calls if op == "BatchGetItem"]
    assert [len(keys["Keys"]) for params in batches for keys in params["RequestItems"].values()] == [51]
