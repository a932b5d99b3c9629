"""The dialogues document's permissions: what each permission type allows and refuses on every route (a matrix of
routes by callers), the can_view/can_edit flags each caller is shown, the projects each caller may list, and
granting and revoking permissions through /users/<id>/permissions/."""
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib.dialogues.permissions import grant_id
from tests.unit.dialogues.conftest import PASSWORD, PEOPLE, SEQUENCE, dialogue_path, patch, problems, stored

CALLERS = ["root", *PEOPLE]
PLATFORM = frozenset({"root", "granted_admin"})
CREATORS = PLATFORM | {"creator"}
P_ADMINS = PLATFORM | {"project_admin"}
SEES_P = P_ADMINS | {"project_reader", "project_writer", "dialogue_reader", "dialogue_writer"}
EDITS_D = P_ADMINS | {"project_writer", "dialogue_writer"}
VIEWS_D2 = P_ADMINS | {"project_reader", "project_writer"}
EDITS_D2 = P_ADMINS | {"project_writer"}
SEES_Q = PLATFORM | {"other_admin"}

UNAUTHORIZED = {"type": "unauthorized", "message": "No token was sent", "details": {"reason": "token_missing"}}


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def forbidden(permission, **scope):
    return {"type": "forbidden", "message": f"This needs the {permission} permission",
            "details": {"permission": permission, **scope}}


def everything() -> dict:
    """What every table holds (those of `stored()` among them: dialogues, channels, accounts, counters), read by
    consistent Scans."""
    import boto3

    dynamodb = boto3.client("dynamodb")
    scans = {name: dynamodb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
             for name in dynamodb.list_tables()["TableNames"]}
    return {name: sorted(json.dumps(item, sort_keys=True) for page in pages for item in page["Items"])
            for name, pages in scans.items()}


def rename(title="Renamed"):
    return [{"op": "replace", "path": "/title", "value": title}]


ARCHIVE = [{"op": "replace", "path": "/is_archived", "value": True}]
UNARCHIVE = [{"op": "replace", "path": "/is_archived", "value": False}]


def edit(operations):
    return {"type": "edit", "properties": {"edit_type": "patch", "patch": operations}}


def names(world) -> dict:
    """The placeholders paths, bodies and refusals are written with."""
    reader = world.ids["project_reader"]
    return {"P": world.project, "Q": world.other, "D": world.dialogue, "D2": world.second, "QD": world.other_dialogue,
            "reader": reader, "nobody": world.ids["nobody"],
            "reader_permission": grant_id(reader, "project:dialogues:read", int(world.project), None)}


def fill(value: Any, values: dict) -> Any:
    """`value` with each "{name}" string and each "{name}" inside a string replaced."""
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


# The setups some routes need, run by the platform admin before the request.

def catalog(api, world) -> dict:
    """A provider with two channels: C used by P, F free."""
    provider = _ok(api.post("/providers/", {"title": "Twitter"}, token=world.root), 201)
    used, free = (_ok(api.post("/channels/", {"provider_id": provider["id"], "title": title, "address": title,
                                              "type": "twitter"}, token=world.root), 201) for title in ("@foo", "@bar"))
    _ok(api.put(f"/channels/{used['id']}", {"project_id": world.project}, token=world.root))
    return {"V": provider["id"], "C": used["id"], "F": free["id"]}


def released(api, world) -> dict:
    """D's revision 1 released as release 1."""
    _ok(api.post(f"{dialogue_path(world)}/releases/", {"revision_id": "1"}, token=world.root), 201)
    return {}


@dataclass(frozen=True)
class Gate:
    """Who passes this check, and the permission (and scope) a 403 names for anyone else."""

    allowed: frozenset
    permission: str
    scope: dict = field(default_factory=dict)


SEE_P = Gate(SEES_P, "project:dialogues:read", {"project_id": "{P}"})
ADMIN_P = Gate(P_ADMINS, "project:admin", {"project_id": "{P}"})
EDIT_D = Gate(EDITS_D, "dialogue:write", {"project_id": "{P}", "dialogue_id": "{D}"})
VIEW_D2 = Gate(VIEWS_D2, "dialogue:read", {"project_id": "{P}", "dialogue_id": "{D2}"})
EDIT_D2 = Gate(EDITS_D2, "dialogue:write", {"project_id": "{P}", "dialogue_id": "{D2}"})
SEE_Q = Gate(SEES_Q, "project:dialogues:read", {"project_id": "{Q}"})
ADMIN_Q = Gate(SEES_Q, "project:admin", {"project_id": "{Q}"})
ADMIN = Gate(PLATFORM, "admin")
CREATE = Gate(CREATORS, "projects:create")
SELF_READER = Gate(PLATFORM | {"project_reader"}, "admin")
# A channel (and its provider) is seen by admins and by whoever sees the project using it.
USES_P = Gate(SEES_P, "admin")


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str
    body: Any = None
    status: int = 200
    gates: tuple = ()
    setup: Any = None


ROUTES = [
    # Projects
    Route("list-projects", "GET", "/projects/"),
    Route("create-project", "POST", "/projects/", {"title": "New project"}, 201, (CREATE,)),
    Route("show-P", "GET", "/projects/{P}", gates=(SEE_P,)),
    Route("replace-P", "PUT", "/projects/{P}", {"title": "Renamed"}, gates=(ADMIN_P,)),
    Route("patch-P", "PATCH", "/projects/{P}", rename(), gates=(ADMIN_P,)),
    Route("archive-P", "PATCH", "/projects/{P}", ARCHIVE, gates=(ADMIN_P,)),
    Route("list-P-channels", "GET", "/projects/{P}/channels/", gates=(SEE_P,)),
    Route("show-Q", "GET", "/projects/{Q}", gates=(SEE_Q,)),
    Route("replace-Q", "PUT", "/projects/{Q}", {"title": "Renamed"}, gates=(ADMIN_Q,)),
    # Dialogues
    Route("list-P-dialogues", "GET", "/projects/{P}/dialogues/", gates=(SEE_P,)),
    Route("create-dialogue-in-P", "POST", "/projects/{P}/dialogues/", {"title": "New", "sequences": []}, 201,
          (SEE_P, ADMIN_P)),
    Route("create-dialogue-in-Q", "POST", "/projects/{Q}/dialogues/", {"title": "New", "sequences": []}, 201,
          (SEE_Q, ADMIN_Q)),
    Route("show-D", "GET", "/projects/{P}/dialogues/{D}", gates=(SEE_P,)),
    Route("show-D2", "GET", "/projects/{P}/dialogues/{D2}", gates=(SEE_P, VIEW_D2)),
    Route("show-QD", "GET", "/projects/{Q}/dialogues/{QD}", gates=(SEE_Q,)),
    Route("replace-D-title", "PUT", "/projects/{P}/dialogues/{D}", {"title": "Renamed", "sequences": [SEQUENCE]},
          gates=(SEE_P, EDIT_D)),
    Route("patch-D-title", "PATCH", "/projects/{P}/dialogues/{D}", rename(), gates=(SEE_P, EDIT_D)),
    Route("patch-D2-title", "PATCH", "/projects/{P}/dialogues/{D2}", rename(), gates=(SEE_P, EDIT_D2)),
    Route("archive-D-by-patch", "PATCH", "/projects/{P}/dialogues/{D}", ARCHIVE, gates=(SEE_P, EDIT_D, ADMIN_P)),
    Route("archive-D-by-put", "PUT", "/projects/{P}/dialogues/{D}",
          {"title": "Survey", "sequences": [SEQUENCE], "is_archived": True}, gates=(SEE_P, EDIT_D, ADMIN_P)),
    Route("archive-D-by-revision", "POST", "/projects/{P}/dialogues/{D}/revisions/", edit(ARCHIVE), 201,
          (SEE_P, EDIT_D, ADMIN_P)),
    Route("archive-QD", "PATCH", "/projects/{Q}/dialogues/{QD}", ARCHIVE, gates=(SEE_Q, ADMIN_Q)),
    # Revisions
    Route("list-D-revisions", "GET", "/projects/{P}/dialogues/{D}/revisions/", gates=(SEE_P,)),
    Route("list-D2-revisions", "GET", "/projects/{P}/dialogues/{D2}/revisions/", gates=(SEE_P, VIEW_D2)),
    Route("create-D-revision", "POST", "/projects/{P}/dialogues/{D}/revisions/", edit(rename()), 201,
          (SEE_P, EDIT_D)),
    Route("create-D2-revision", "POST", "/projects/{P}/dialogues/{D2}/revisions/", edit(rename()), 201,
          (SEE_P, EDIT_D2)),
    # Releases
    Route("list-D-releases", "GET", "/projects/{P}/dialogues/{D}/releases/", gates=(SEE_P,)),
    Route("show-D-release", "GET", "/projects/{P}/dialogues/{D}/releases/1", gates=(SEE_P,), setup=released),
    Route("release-D", "POST", "/projects/{P}/dialogues/{D}/releases/", {"revision_id": "1"}, 201,
          (SEE_P, ADMIN_P)),
    Route("release-D2", "POST", "/projects/{P}/dialogues/{D2}/releases/", {"revision_id": "1"}, 201,
          (SEE_P, VIEW_D2, ADMIN_P)),
    # Users
    Route("show-self", "GET", "/user"),
    Route("list-users", "GET", "/users/", gates=(ADMIN,)),
    Route("create-user", "POST", "/users/", {"email": "new@example.com", "password": PASSWORD}, 201, (ADMIN,)),
    Route("show-reader", "GET", "/users/{reader}", gates=(SELF_READER,)),
    Route("replace-reader", "PUT", "/users/{reader}", {"first_name": "Ann", "last_name": "Other"},
          gates=(SELF_READER,)),
    Route("patch-reader", "PATCH", "/users/{reader}", [{"op": "replace", "path": "/first_name", "value": "Ann"}],
          gates=(SELF_READER,)),
    # Permissions
    Route("list-reader-permissions", "GET", "/users/{reader}/permissions/", gates=(SELF_READER,)),
    Route("show-reader-permission", "GET", "/users/{reader}/permissions/{reader_permission}", gates=(SELF_READER,)),
    Route("grant-nobody", "POST", "/users/{nobody}/permissions/", {"type": "projects:create"}, gates=(ADMIN,)),
    Route("grant-nobody-project-admin", "POST", "/users/{nobody}/permissions/",
          {"type": "project:admin", "details": {"project_id": "{P}"}}, gates=(ADMIN,)),
    Route("revoke-reader-permission", "DELETE", "/users/{reader}/permissions/{reader_permission}", gates=(ADMIN,)),
    # Channels and providers
    Route("list-channels", "GET", "/channels/", gates=(ADMIN,)),
    Route("create-channel", "POST", "/channels/",
          {"provider_id": "{V}", "title": "@baz", "address": "@baz", "type": "twitter"}, 201, (ADMIN,), catalog),
    Route("show-P-channel", "GET", "/channels/{C}", gates=(USES_P,), setup=catalog),
    Route("replace-channel", "PUT", "/channels/{F}", {"project_id": "{Q}"}, gates=(ADMIN,), setup=catalog),
    Route("patch-channel", "PATCH", "/channels/{C}", [{"op": "replace", "path": "/project_id", "value": None}],
          gates=(ADMIN,), setup=catalog),
    Route("list-providers", "GET", "/providers/", gates=(ADMIN,)),
    Route("create-provider", "POST", "/providers/", {"title": "MTN Nigeria"}, 201, (ADMIN,)),
    Route("show-P-provider", "GET", "/providers/{V}", gates=(USES_P,), setup=catalog),
]


def expected(route: Route, who: str, values: dict) -> tuple[int, dict | None]:
    """The status the route answers `who` and, for a refusal, the 403 body: the first gate they fail decides."""
    for gate in route.gates:
        if who not in gate.allowed:
            return 403, forbidden(gate.permission, **fill(gate.scope, values))
    return route.status, None


def prepared(api, world, route: Route) -> tuple[str, Any, dict]:
    values = names(world)
    if route.setup:
        values.update(route.setup(api, world))
    return fill(route.path, values), fill(route.body, values), values


# The matrix: every route, called by every caller


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_each_caller_is_allowed_or_refused_each_route_as_their_permission_says(api, world, route, who):
    path, body, values = prepared(api, world, route)
    status, refusal = expected(route, who, values)
    before = everything()

    got_status, got = api.call(route.method, path, body, token=world.tokens[who])

    if refusal is None:
        assert got_status == status, got
        if route.method == "GET":
            assert everything() == before
        else:
            assert everything() != before
    else:
        assert (got_status, got) == (403, refusal)
        assert everything() == before


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_each_route_without_a_token_is_unauthorized_and_stores_nothing(api, world, route):
    path, body, _ = prepared(api, world, route)
    before = everything()

    assert api.call(route.method, path, body) == (401, UNAUTHORIZED)
    assert everything() == before


# can_view and can_edit, as each caller sees them

# caller: ((can_view, can_edit) of D, (can_view, can_edit) of D2)
FLAGS = {
    "root": ((True, True), (True, True)),
    "granted_admin": ((True, True), (True, True)),
    "project_admin": ((True, True), (True, True)),
    "project_writer": ((True, True), (True, True)),
    "project_reader": ((True, False), (True, False)),
    "dialogue_writer": ((True, True), (False, False)),
    "dialogue_reader": ((True, False), (False, False)),
}


def flags_of(dialogues) -> dict:
    return {item["id"]: (item["can_view"], item["can_edit"]) for item in dialogues}


@pytest.mark.parametrize("who", FLAGS)
def test_project_shows_each_dialogue_with_what_the_caller_may_do(api, world, who):
    body = _ok(api.get(f"/projects/{world.project}", token=world.tokens[who]))

    assert flags_of(body["dialogues"]) == {world.dialogue: FLAGS[who][0], world.second: FLAGS[who][1]}


@pytest.mark.parametrize("who", FLAGS)
def test_dialogue_list_shows_each_dialogue_with_what_the_caller_may_do(api, world, who):
    body = _ok(api.get(f"/projects/{world.project}/dialogues/", token=world.tokens[who]))

    assert flags_of(body) == {world.dialogue: FLAGS[who][0], world.second: FLAGS[who][1]}


@pytest.mark.parametrize("who", FLAGS)
def test_dialogue_shows_what_the_caller_may_do_with_it(api, world, who):
    body = _ok(api.get(dialogue_path(world), token=world.tokens[who]))

    assert (body["can_view"], body["can_edit"]) == FLAGS[who][0]


def test_dialogue_reader_sees_d_readable_but_not_editable_and_d2_not_viewable(api, world):
    body = _ok(api.get(f"/projects/{world.project}/dialogues/", token=world.tokens["dialogue_reader"]))

    assert [(item["id"], item["title"], item["can_view"], item["can_edit"]) for item in body] == [
        (world.dialogue, "Survey", True, False), (world.second, "Second", False, False)]


@pytest.mark.parametrize(("who", "query", "shown"), [
    ("dialogue_reader", "can_view=true", ["D"]),
    ("dialogue_reader", "can_view=false", ["D2"]),
    ("dialogue_reader", "can_edit=true", []),
    ("dialogue_reader", "can_edit=false", ["D", "D2"]),
    ("dialogue_writer", "can_edit=true", ["D"]),
    ("dialogue_writer", "can_edit=false", ["D2"]),
    ("dialogue_writer", "can_view=true&can_edit=true", ["D"]),
    ("project_reader", "can_view=true", ["D", "D2"]),
    ("project_reader", "can_edit=true", []),
    ("project_reader", "can_view=true&can_edit=false", ["D", "D2"]),
    ("project_writer", "can_edit=true", ["D", "D2"]),
    ("project_writer", "can_edit=false", []),
    ("project_admin", "can_view=false", []),
    ("root", "can_edit=true", ["D", "D2"]),
])
def test_dialogue_list_filters_on_what_the_caller_may_do(api, world, who, query, shown):
    ids = {"D": world.dialogue, "D2": world.second}

    body = _ok(api.get(f"/projects/{world.project}/dialogues/?{query}", token=world.tokens[who]))

    assert [item["id"] for item in body] == [ids[name] for name in shown]


# GET /projects/ lists exactly the projects the caller may see

VISIBLE_PROJECTS = {
    "root": ["P", "Q"],
    "granted_admin": ["P", "Q"],
    "creator": [],
    "project_admin": ["P"],
    "project_reader": ["P"],
    "project_writer": ["P"],
    "dialogue_reader": ["P"],
    "dialogue_writer": ["P"],
    "other_admin": ["Q"],
    "nobody": [],
}


def project_summary(world, name):
    project_id, title = {"P": (world.project, "Maternal Health ZA"), "Q": (world.other, "Maternal Health MX")}[name]
    return {"id": project_id, "url": f"/projects/{project_id}", "title": title, "is_archived": False}


@pytest.mark.parametrize("who", CALLERS)
def test_project_list_holds_exactly_the_projects_the_caller_may_see(api, world, who):
    body = _ok(api.get("/projects/", token=world.tokens[who]))

    assert sorted(body, key=lambda p: int(p["id"])) == [project_summary(world, name) for name in VISIBLE_PROJECTS[who]]


def test_project_list_pages_through_only_the_callers_projects(api, world):
    url = f"/users/{world.ids['nobody']}/permissions/"
    _ok(api.post(url, {"type": "dialogue:read", "details": {"project_id": world.project,
                                                             "dialogue_id": world.dialogue}}, token=world.root))
    _ok(api.post(url, {"type": "project:dialogues:write", "details": {"project_id": world.other}}, token=world.root))
    nobody = world.tokens["nobody"]

    assert _ok(api.get("/projects/?per_page=1", token=nobody)) == [project_summary(world, "P")]
    assert _ok(api.get("/projects/?per_page=1&page=2", token=nobody)) == [project_summary(world, "Q")]
    assert _ok(api.get("/projects/?per_page=1&page=3", token=nobody)) == []


# Archiving is for project admins; writers may still edit


@pytest.mark.parametrize("who", ["project_writer", "dialogue_writer"])
def test_a_writer_may_retitle_a_dialogue_but_not_archive_it(api, world, who):
    before = stored()

    refused = patch(api, dialogue_path(world), ARCHIVE, world.tokens[who])

    assert refused == (403, forbidden("project:admin", project_id=world.project))
    assert stored() == before
    body = _ok(patch(api, dialogue_path(world), rename("Retitled"), world.tokens[who]))
    assert (body["title"], body["is_archived"]) == ("Retitled", False)
    assert _ok(api.get(dialogue_path(world), token=world.root))["title"] == "Retitled"


@pytest.mark.parametrize("who", ["project_writer", "dialogue_writer"])
def test_a_writer_may_not_archive_along_with_a_title_change(api, world, who):
    before = stored()

    refused = patch(api, dialogue_path(world), [*rename("Retitled"), *ARCHIVE], world.tokens[who])

    assert refused == (403, forbidden("project:admin", project_id=world.project))
    assert stored() == before


@pytest.mark.parametrize("who", ["root", "granted_admin", "project_admin"])
def test_a_project_admin_archives_and_unarchives_a_dialogue(api, world, who):
    archived = _ok(patch(api, dialogue_path(world), ARCHIVE, world.tokens[who]))
    assert archived["is_archived"] is True
    assert _ok(api.get(dialogue_path(world), token=world.root))["is_archived"] is True

    restored = _ok(patch(api, dialogue_path(world), UNARCHIVE, world.tokens[who]))
    assert restored["is_archived"] is False
    assert _ok(api.get(dialogue_path(world), token=world.root))["is_archived"] is False


@pytest.mark.parametrize("who", ["project_writer", "dialogue_writer"])
def test_a_writer_may_not_unarchive_a_dialogue_but_may_retitle_it_archived(api, world, who):
    _ok(patch(api, dialogue_path(world), ARCHIVE, world.root))
    before = stored()

    refused = patch(api, dialogue_path(world), UNARCHIVE, world.tokens[who])

    assert refused == (403, forbidden("project:admin", project_id=world.project))
    assert stored() == before
    body = _ok(patch(api, dialogue_path(world), rename("Retitled"), world.tokens[who]))
    assert (body["title"], body["is_archived"]) == ("Retitled", True)


@pytest.mark.parametrize("who", ["project_writer", "dialogue_writer"])
def test_a_writer_may_not_unarchive_a_dialogue_by_reverting_to_before_it_was_archived(api, world, who):
    _ok(patch(api, dialogue_path(world), ARCHIVE, world.root))
    before = stored()

    refused = api.post(f"{dialogue_path(world)}/revisions/", {"type": "revert", "properties": {"revision_id": "1"}},
                       token=world.tokens[who])

    assert refused == (403, forbidden("project:admin", project_id=world.project))
    assert stored() == before


def test_a_project_admin_unarchives_a_dialogue_by_reverting(api, world):
    _ok(patch(api, dialogue_path(world), ARCHIVE, world.root))

    reverted = api.post(f"{dialogue_path(world)}/revisions/", {"type": "revert", "properties": {"revision_id": "1"}},
                        token=world.tokens["project_admin"])

    assert reverted[0] == 201, reverted
    assert _ok(api.get(dialogue_path(world), token=world.root))["is_archived"] is False


def test_other_projects_admin_may_not_archive_a_dialogue_of_this_project(api, world):
    before = stored()

    refused = patch(api, dialogue_path(world), ARCHIVE, world.tokens["other_admin"])

    assert refused == (403, forbidden("project:dialogues:read", project_id=world.project))
    assert stored() == before


# Releases are for project admins


@pytest.mark.parametrize("who", ["root", "granted_admin", "project_admin"])
def test_a_project_admin_releases_a_dialogue(api, world, who):
    body = _ok(api.post(f"{dialogue_path(world)}/releases/", {"revision_id": "1"}, token=world.tokens[who]), 201)

    assert (body["id"], body["number"], body["revision_id"]) == ("1", 1, "1")
    shown = _ok(api.get(dialogue_path(world), token=world.root))
    assert (shown["is_published"], shown["has_changes"]) == (True, False)


@pytest.mark.parametrize("who", ["project_reader", "project_writer", "dialogue_reader", "dialogue_writer"])
def test_a_dialogue_reader_or_writer_may_not_release_it(api, world, who):
    before = stored()

    refused = api.post(f"{dialogue_path(world)}/releases/", {"revision_id": "1"}, token=world.tokens[who])

    assert refused == (403, forbidden("project:admin", project_id=world.project))
    assert stored() == before
    assert _ok(api.get(f"{dialogue_path(world)}/releases/", token=world.tokens[who])) == []


# projects:create


def test_creating_a_project_grants_its_creator_project_admin_on_it(api, world):
    creator = world.tokens["creator"]
    project = _ok(api.post("/projects/", {"title": "Nutrition"}, token=creator), 201)

    assert project == {"id": project["id"], "url": f"/projects/{project['id']}", "title": "Nutrition",
                       "is_archived": False, "dialogues": []}
    me = _ok(api.get("/user", token=creator))
    user_id = world.ids["creator"]
    assert sorted(me["permissions"], key=lambda p: p["type"]) == [
        {"id": grant_id(user_id, "project:admin", int(project["id"]), None), "type": "project:admin",
         "details": {"project_id": project["id"]}},
        {"id": grant_id(user_id, "projects:create", None, None), "type": "projects:create"},
    ]
    assert sorted(_ok(api.get(f"/users/{user_id}/permissions/", token=creator)), key=lambda p: p["type"]) == \
        sorted(me["permissions"], key=lambda p: p["type"])


def test_a_projects_creator_may_then_create_a_dialogue_and_administer_it(api, world):
    creator = world.tokens["creator"]
    project = _ok(api.post("/projects/", {"title": "Nutrition"}, token=creator), 201)["id"]

    dialogue = _ok(api.post(f"/projects/{project}/dialogues/", {"title": "Intake", "sequences": []}, token=creator),
                   201)

    assert (dialogue["title"], dialogue["can_view"], dialogue["can_edit"]) == ("Intake", True, True)
    path = f"/projects/{project}/dialogues/{dialogue['id']}"
    assert _ok(patch(api, path, ARCHIVE, creator))["is_archived"] is True
    assert _ok(api.post(f"{path}/releases/", {"revision_id": "1"}, token=creator), 201)["number"] == 1
    assert _ok(api.put(f"/projects/{project}", {"title": "Nutrition ZA"}, token=creator))["title"] == "Nutrition ZA"
    assert [p["id"] for p in _ok(api.get("/projects/", token=creator))] == [project]


def test_a_projects_creator_still_may_not_see_other_projects(api, world):
    creator = world.tokens["creator"]
    _ok(api.post("/projects/", {"title": "Nutrition"}, token=creator), 201)

    assert api.get(f"/projects/{world.project}", token=creator) == (
        403, forbidden("project:dialogues:read", project_id=world.project))


def test_an_admin_creating_a_project_is_given_project_admin_on_it(api, world):
    project = _ok(api.post("/projects/", {"title": "Nutrition"}, token=world.tokens["granted_admin"]), 201)["id"]

    user_id = world.ids["granted_admin"]
    assert {"id": grant_id(user_id, "project:admin", int(project), None), "type": "project:admin",
            "details": {"project_id": project}} in _ok(api.get(f"/users/{user_id}/permissions/", token=world.root))


# Granting permissions


def permission(world, user, kind, project=None, dialogue=None) -> dict:
    """A permission as the API shows it."""
    details = {name: value for name, value in (("project_id", project), ("dialogue_id", dialogue)) if value}
    return {"id": grant_id(world.ids[user], kind, int(project) if project else None,
                           int(dialogue) if dialogue else None),
            "type": kind, **({"details": details} if details else {})}


def listed(api, world, user):
    return _ok(api.get(f"/users/{world.ids[user]}/permissions/", token=world.root))


# kind, scope ("P", "D" or None), and a request it opens to `nobody`: method, path, body, status
GRANTS = [
    pytest.param("admin", None, ("GET", "/users/", None, 200), id="admin-lists-users"),
    pytest.param("projects:create", None, ("POST", "/projects/", {"title": "Mine"}, 201), id="projects-create"),
    pytest.param("project:admin", "P", ("POST", "/projects/{P}/dialogues/", {"title": "New", "sequences": []}, 201),
                 id="project-admin-creates-a-dialogue"),
    pytest.param("project:dialogues:read", "P", ("GET", "/projects/{P}/dialogues/{D2}", None, 200),
                 id="project-read-reads-any-dialogue"),
    pytest.param("project:dialogues:write", "P", ("PATCH", "/projects/{P}/dialogues/{D2}", rename(), 200),
                 id="project-write-edits-any-dialogue"),
    pytest.param("dialogue:read", "D", ("GET", "/projects/{P}/dialogues/{D}", None, 200), id="dialogue-read"),
    pytest.param("dialogue:write", "D", ("PATCH", "/projects/{P}/dialogues/{D}", rename(), 200),
                 id="dialogue-write"),
]


def scope_of(world, scope):
    return {None: {}, "P": {"project_id": world.project},
            "D": {"project_id": world.project, "dialogue_id": world.dialogue}}[scope]


@pytest.mark.parametrize(("kind", "scope", "request_"), GRANTS)
def test_granting_a_permission_answers_it_and_opens_what_it_allows_at_once(api, world, kind, scope, request_):
    method, path, body, status = request_
    path, body = fill(path, names(world)), fill(body, names(world))
    details = scope_of(world, scope)
    nobody = world.tokens["nobody"]
    assert api.call(method, path, body, token=nobody)[0] == 403

    granted = api.post(f"/users/{world.ids['nobody']}/permissions/",
                       {"type": kind, **({"details": details} if details else {})}, token=world.root)

    shown = permission(world, "nobody", kind, details.get("project_id"), details.get("dialogue_id"))
    assert granted == (200, shown)
    assert listed(api, world, "nobody") == [shown]
    assert _ok(api.get("/user", token=nobody))["permissions"] == [shown]
    assert api.call(method, path, body, token=nobody)[0] == status


def test_a_dialogue_read_grant_opens_only_that_dialogue(api, world):
    _ok(api.post(f"/users/{world.ids['nobody']}/permissions/",
                 {"type": "dialogue:read", "details": scope_of(world, "D")}, token=world.root))
    nobody = world.tokens["nobody"]

    assert _ok(api.get(dialogue_path(world), token=nobody))["id"] == world.dialogue
    assert api.get(dialogue_path(world, world.second), token=nobody) == (
        403, forbidden("dialogue:read", project_id=world.project, dialogue_id=world.second))
    assert api.get(f"/projects/{world.other}", token=nobody) == (
        403, forbidden("project:dialogues:read", project_id=world.other))


def test_the_projects_admin_spelling_is_granted_as_project_admin(api, world):
    granted = api.post(f"/users/{world.ids['nobody']}/permissions/",
                       {"type": "projects:admin", "details": {"project_id": world.project}}, token=world.root)

    shown = permission(world, "nobody", "project:admin", world.project)
    assert granted == (200, shown)
    assert listed(api, world, "nobody") == [shown]
    assert _ok(api.put(f"/projects/{world.project}", {"title": "Renamed"}, token=world.tokens["nobody"]))[
        "title"] == "Renamed"


def test_the_projects_admin_spelling_is_the_same_grant_as_project_admin(api, world):
    first = _ok(api.post(f"/users/{world.ids['nobody']}/permissions/",
                         {"type": "project:admin", "details": {"project_id": world.project}}, token=world.root))
    second = _ok(api.post(f"/users/{world.ids['nobody']}/permissions/",
                          {"type": "projects:admin", "details": {"project_id": world.project}}, token=world.root))

    assert first == second
    assert listed(api, world, "nobody") == [first]


@pytest.mark.parametrize(("kind", "scope"), [("admin", None), ("project:dialogues:write", "P"),
                                             ("dialogue:read", "D")])
def test_granting_the_same_permission_twice_gives_the_same_permission_once(api, world, kind, scope):
    body = {"type": kind, **({"details": scope_of(world, scope)} if scope else {})}
    first = _ok(api.post(f"/users/{world.ids['nobody']}/permissions/", body, token=world.root))
    after_first = stored()

    second = _ok(api.post(f"/users/{world.ids['nobody']}/permissions/", body, token=world.root))

    assert second == first
    assert listed(api, world, "nobody") == [first]
    assert stored() == after_first


def test_granting_a_permission_the_user_already_holds_changes_nothing(api, world):
    before = stored()
    held = permission(world, "project_reader", "project:dialogues:read", world.project)

    granted = api.post(f"/users/{world.ids['project_reader']}/permissions/",
                       {"type": "project:dialogues:read", "details": {"project_id": world.project}}, token=world.root)

    assert granted == (200, held)
    assert listed(api, world, "project_reader") == [held]
    assert stored() == before


def test_the_same_permission_on_two_projects_is_two_permissions(api, world):
    url = f"/users/{world.ids['nobody']}/permissions/"
    on_p = _ok(api.post(url, {"type": "project:admin", "details": {"project_id": world.project}}, token=world.root))
    on_q = _ok(api.post(url, {"type": "project:admin", "details": {"project_id": world.other}}, token=world.root))

    assert on_p["id"] != on_q["id"]
    assert sorted(listed(api, world, "nobody"), key=lambda p: p["id"]) == sorted([on_p, on_q], key=lambda p: p["id"])
    assert [p["id"] for p in _ok(api.get("/projects/", token=world.tokens["nobody"]))] == [world.project, world.other]


def test_granting_an_unknown_permission_type_is_an_enum_validation_error(api, world):
    before = stored()

    status, body = api.post(f"/users/{world.ids['nobody']}/permissions/", {"type": "superuser"}, token=world.root)

    assert status == 422
    assert problems(body) == [{"type": "enum", "path": "/type", "message": (
        "'superuser' is not one of ['admin', 'projects:create', 'project:admin', 'project:dialogues:read', "
        "'project:dialogues:write', 'dialogue:read', 'dialogue:write']")}]
    assert stored() == before


@pytest.mark.parametrize(("body", "path", "kind"), [
    pytest.param({"type": "project:admin"}, "/details", "required", id="project-admin-without-details"),
    pytest.param({"type": "project:dialogues:read", "details": {}}, "/details/project_id", "required",
                 id="project-read-without-project"),
    pytest.param({"type": "dialogue:write", "details": {"project_id": "1"}}, "/details/dialogue_id", "required",
                 id="dialogue-write-without-dialogue"),
    pytest.param({"type": "project:admin", "details": {"project_id": 1}}, "/details/project_id", "type",
                 id="project-id-not-a-string"),
    pytest.param({}, "/type", "required", id="no-type"),
    pytest.param({"type": "admin", "details": {"project_id": "1"}}, "/details", "maxProperties",
                 id="admin-with-a-project"),
])
def test_granting_a_permission_without_what_it_needs_is_a_validation_error(api, world, body, path, kind):
    before = stored()

    status, answer = api.post(f"/users/{world.ids['nobody']}/permissions/", body, token=world.root)

    assert status == 422
    assert [(error["type"], error["path"]) for error in problems(answer)] == [(kind, path)]
    assert stored() == before
    assert listed(api, world, "nobody") == []


def test_granting_project_admin_naming_a_missing_project_is_a_validation_error(api, world):
    before = stored()

    answer = api.post(f"/users/{world.ids['nobody']}/permissions/",
                      {"type": "project:admin", "details": {"project_id": "999"}}, token=world.root)

    assert answer == (422, {"type": "validation_error", "message": "Invalid request body", "details": {"errors": [
        {"type": "not_found", "path": "/details/project_id", "message": "Project 999 not found"}]}})
    assert stored() == before


def test_granting_dialogue_read_naming_a_dialogue_of_another_project_is_a_validation_error(api, world):
    before = stored()

    answer = api.post(f"/users/{world.ids['nobody']}/permissions/",
                      {"type": "dialogue:read", "details": {"project_id": world.project,
                                                            "dialogue_id": world.other_dialogue}}, token=world.root)

    assert answer == (422, {"type": "validation_error", "message": "Invalid request body", "details": {"errors": [
        {"type": "not_found", "path": "/details/dialogue_id",
         "message": f"Dialogue {world.other_dialogue} not found in project {world.project}"}]}})
    assert stored() == before


def test_granting_a_permission_to_a_missing_user_is_not_found(api, world):
    before = stored()

    answer = api.post("/users/no-such-user/permissions/", {"type": "admin"}, token=world.root)

    assert answer == (404, {"type": "not_found", "message": "User no-such-user not found",
                            "details": {"id": "no-such-user"}})
    assert stored() == before


def test_a_granted_admin_may_grant_permissions(api, world):
    granted = api.post(f"/users/{world.ids['nobody']}/permissions/", {"type": "projects:create"},
                       token=world.tokens["granted_admin"])

    assert granted == (200, permission(world, "nobody", "projects:create"))


# Revoking permissions


def test_revoking_a_permission_answers_it_and_removes_the_access_at_once(api, world):
    reader = world.tokens["project_reader"]
    held = permission(world, "project_reader", "project:dialogues:read", world.project)
    assert _ok(api.get(dialogue_path(world), token=reader))["id"] == world.dialogue

    revoked = api.delete(f"/users/{world.ids['project_reader']}/permissions/{held['id']}", token=world.root)

    assert revoked == (200, held)
    assert listed(api, world, "project_reader") == []
    assert api.get(dialogue_path(world), token=reader) == (
        403, forbidden("project:dialogues:read", project_id=world.project))
    assert api.get(f"/projects/{world.project}", token=reader) == (
        403, forbidden("project:dialogues:read", project_id=world.project))
    assert _ok(api.get("/projects/", token=reader)) == []


def test_revoking_dialogue_write_takes_editing_away_at_once(api, world):
    writer = world.tokens["dialogue_writer"]
    held = permission(world, "dialogue_writer", "dialogue:write", world.project, world.dialogue)

    assert _ok(api.delete(f"/users/{world.ids['dialogue_writer']}/permissions/{held['id']}", token=world.root)) == held

    before = stored()
    assert patch(api, dialogue_path(world), rename(), writer) == (
        403, forbidden("project:dialogues:read", project_id=world.project))
    assert stored() == before


def test_revoking_a_granted_admin_takes_admin_away_at_once(api, world):
    held = permission(world, "granted_admin", "admin")

    assert api.delete(f"/users/{world.ids['granted_admin']}/permissions/{held['id']}", token=world.root) == (
        200, held)
    assert api.get("/users/", token=world.tokens["granted_admin"]) == (403, forbidden("admin"))
    assert _ok(api.get("/projects/", token=world.tokens["granted_admin"])) == []


def test_revoking_project_write_leaves_a_project_read_grant_in_place(api, world):
    user = world.ids["project_writer"]
    read = _ok(api.post(f"/users/{user}/permissions/",
                        {"type": "project:dialogues:read", "details": {"project_id": world.project}}, token=world.root))
    write = permission(world, "project_writer", "project:dialogues:write", world.project)

    _ok(api.delete(f"/users/{user}/permissions/{write['id']}", token=world.root))

    writer = world.tokens["project_writer"]
    assert listed(api, world, "project_writer") == [read]
    shown = _ok(api.get(dialogue_path(world), token=writer))
    assert (shown["can_view"], shown["can_edit"]) == (True, False)
    assert patch(api, dialogue_path(world), rename(), writer) == (
        403, forbidden("dialogue:write", project_id=world.project, dialogue_id=world.dialogue))


def test_revoking_the_project_admin_a_creator_obtained_removes_it(api, world):
    creator = world.tokens["creator"]
    project = _ok(api.post("/projects/", {"title": "Nutrition"}, token=creator), 201)["id"]
    held = permission(world, "creator", "project:admin", project)

    assert api.delete(f"/users/{world.ids['creator']}/permissions/{held['id']}", token=world.root) == (200, held)
    assert api.post(f"/projects/{project}/dialogues/", {"title": "x", "sequences": []}, token=creator) == (
        403, forbidden("project:dialogues:read", project_id=project))


def test_revoking_a_permission_twice_is_not_found(api, world):
    user = world.ids["project_reader"]
    held = permission(world, "project_reader", "project:dialogues:read", world.project)
    _ok(api.delete(f"/users/{user}/permissions/{held['id']}", token=world.root))

    assert api.delete(f"/users/{user}/permissions/{held['id']}", token=world.root) == (404, {
        "type": "not_found", "message": f"Permission {held['id']} not found",
        "details": {"id": held["id"], "user_id": user}})


def test_revoking_the_platform_admins_own_admin_is_a_conflict(api, world):
    root_id = _ok(api.get("/user", token=world.root))["id"]
    held = {"id": grant_id(root_id, "admin", None, None), "type": "admin"}
    before = stored()

    status, body = api.delete(f"/users/{root_id}/permissions/{held['id']}", token=world.root)

    assert status == 409
    assert (body["type"], sorted(body)) == ("conflict", ["details", "message", "type"])
    assert stored() == before
    assert _ok(api.get(f"/users/{root_id}/permissions/", token=world.root))[0] == held
    assert _ok(api.get("/users/", token=world.root))


def test_revoking_the_platform_admins_admin_is_a_conflict_even_once_granted_explicitly(api, world):
    root_id = _ok(api.get("/user", token=world.root))["id"]
    held = {"id": grant_id(root_id, "admin", None, None), "type": "admin"}
    assert api.post(f"/users/{root_id}/permissions/", {"type": "admin"}, token=world.root) == (200, held)
    before = stored()

    status, body = api.delete(f"/users/{root_id}/permissions/{held['id']}", token=world.root)

    # The platform admin keeps admin through the account whatever is stored: answering 200 ("revoked") would be
    # untrue, since they do not lose the access.
    assert (status, body["type"]) == (409, "conflict")
    assert stored() == before
    assert _ok(api.get(f"/users/{root_id}/permissions/", token=world.root))[0] == held


def test_a_permission_of_another_user_is_not_found_under_this_user_and_stays(api, world):
    reader = world.ids["project_reader"]
    theirs = permission(world, "project_writer", "project:dialogues:write", world.project)
    before = stored()

    assert api.delete(f"/users/{reader}/permissions/{theirs['id']}", token=world.root) == (404, {
        "type": "not_found", "message": f"Permission {theirs['id']} not found",
        "details": {"id": theirs["id"], "user_id": reader}})
    assert stored() == before
    assert listed(api, world, "project_writer") == [theirs]


def test_a_revoked_admin_may_no_longer_grant_permissions(api, world):
    held = permission(world, "granted_admin", "admin")
    _ok(api.delete(f"/users/{world.ids['granted_admin']}/permissions/{held['id']}", token=world.root))
    before = stored()

    assert api.post(f"/users/{world.ids['nobody']}/permissions/", {"type": "admin"},
                    token=world.tokens["granted_admin"]) == (403, forbidden("admin"))
    assert stored() == before


# Reading permissions: self or admin


@pytest.mark.parametrize("who", [name for name in PEOPLE if PEOPLE[name][0]])
def test_a_user_lists_their_own_permissions(api, world, who):
    kind, scope = PEOPLE[who]
    details = {"project": {"project_id": world.project},
               "dialogue": {"project_id": world.project, "dialogue_id": world.dialogue},
               "other": {"project_id": world.other}}.get(scope, {})

    body = _ok(api.get(f"/users/{world.ids[who]}/permissions/", token=world.tokens[who]))

    assert body == [permission(world, who, kind, details.get("project_id"), details.get("dialogue_id"))]


def test_a_user_without_permissions_lists_none(api, world):
    assert api.get(f"/users/{world.ids['nobody']}/permissions/", token=world.tokens["nobody"]) == (200, [])


@pytest.mark.parametrize("who", ["project_admin", "other_admin", "creator", "nobody", "dialogue_writer"])
def test_a_non_admin_may_not_list_someone_elses_permissions(api, world, who):
    assert api.get(f"/users/{world.ids['project_reader']}/permissions/", token=world.tokens[who]) == (
        403, forbidden("admin"))


@pytest.mark.parametrize("who", ["root", "granted_admin"])
def test_an_admin_lists_anyones_permissions(api, world, who):
    assert api.get(f"/users/{world.ids['dialogue_writer']}/permissions/", token=world.tokens[who]) == (
        200, [permission(world, "dialogue_writer", "dialogue:write", world.project, world.dialogue)])


def test_a_user_shows_one_of_their_own_permissions(api, world):
    held = permission(world, "project_reader", "project:dialogues:read", world.project)

    assert api.get(f"/users/{world.ids['project_reader']}/permissions/{held['id']}",
                   token=world.tokens["project_reader"]) == (200, held)


def test_a_permission_the_user_does_not_hold_is_not_found(api, world):
    user = world.ids["project_reader"]
    other = permission(world, "project_writer", "project:dialogues:write", world.project)["id"]

    assert api.get(f"/users/{user}/permissions/{other}", token=world.tokens["project_reader"]) == (404, {
        "type": "not_found", "message": f"Permission {other} not found", "details": {"id": other, "user_id": user}})
