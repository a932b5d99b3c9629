"""The DynamoDB round trips of every dialogues route on its success path (a transaction or a batch is one), signing
in included: the grants' Query, then one BatchGetItem of the account with the project or dialogue the path names.
A dialogue's routes (its list, itself, its revisions and releases) take at most BUDGET, except those named in
EXCEPTIONS with the reason; the document's other routes (users, permissions, projects, channels, providers) are
held to what they take today, in SURFACE, so that none takes more unnoticed."""
import re
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.dialogues import descriptions
from tests.unit.dialogues.conftest import PASSWORD, SEQUENCE

BUDGET = 3
# route: (round trips, why it needs more than BUDGET)
EXCEPTIONS: dict[str, tuple[int, str]] = {
    "POST /projects/<id>/dialogues": (4, "the process reserves a block of dialogue ids: one create in 100 "
                                         "(core/counters.py); the others take 3"),
    "POST .../revisions (revert past the base)": (4, "the target is older than the head's base: a Query reads "
                                                     "its snapshot and the patches since"),
}
# The routes outside a dialogue's resources, at their round trips today (not yet batched like the dialogue routes).
SURFACE = {
    "GET /user": 2, "POST /user/password-changes": 4, "GET /users": 3, "POST /users": 4, "GET /users/<id>": 3,
    "PUT /users/<id>": 4, "PATCH /users/<id>": 4, "POST /password-resets": 4, "POST /password-confirmations": 5,
    "GET /users/<id>/permissions": 4, "GET /users/<id>/permissions/<id>": 4, "POST /users/<id>/permissions": 4,
    "DELETE /users/<id>/permissions/<id>": 5, "GET /projects": 3, "GET /projects (non-admin)": 3,
    "POST /projects": 4, "GET /projects/<id>": 3, "PUT /projects/<id>": 4, "PATCH /projects/<id>": 4,
    "GET /projects/<id>/channels": 4, "GET /channels": 4, "POST /channels": 4, "GET /channels/<id>": 4,
    "PUT /channels/<id>": 5, "PATCH /channels/<id>": 5, "GET /providers": 3, "POST /providers": 3,
    "GET /providers/<id>": 4,
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
    Call("GET .../releases/<id>", "GET", D + "/releases/1"),
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
            "channel": channel, "grant": grant, "reset": reset, **world.ids}


def _filled(value: Any, names: dict[str, Any]) -> Any:
    """`value` with each `{name}` in its strings replaced by the scene's."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_filled(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, names) for key, item in value.items()}
    return value


def round_trips(calls) -> int:
    return sum(service == "dynamodb" for service, _, _ in calls)


def _allowed(route: str) -> int:
    return SURFACE.get(route) or EXCEPTIONS.get(route, (BUDGET, ""))[0]


@pytest.mark.parametrize("call", CALLS, ids=[call.route for call in CALLS])
def test_a_route_takes_at_most_its_round_trips(api, world, scene, aws_calls, call):
    token = world.root if call.token == "root" else world.tokens.get(call.token)
    aws_calls.clear()

    _ok(api.call(call.method, _filled(call.path, scene), _filled(call.body, scene), token=token), call.status)

    assert round_trips(aws_calls) <= _allowed(call.route), [op for service, op, _ in aws_calls if service == "dynamodb"]


def test_every_dialogue_route_is_walked_and_only_the_named_ones_pass_the_budget():
    walked = {call.route for call in CALLS}
    assert set(EXCEPTIONS) | set(SURFACE) <= walked
    assert all(rounds > BUDGET for rounds, _ in EXCEPTIONS.values())
    assert {call.route.split(" (")[0] for call in CALLS if call.route not in SURFACE} == {
        "GET /projects/<id>/dialogues", "POST /projects/<id>/dialogues", "GET /projects/<id>/dialogues/<id>",
        "PUT /projects/<id>/dialogues/<id>", "PATCH /projects/<id>/dialogues/<id>",
        "GET .../revisions?ordering=created", "GET .../revisions", "POST .../revisions", "GET .../releases",
        "POST .../releases", "GET .../releases/<id>"}
