"""Dialogues fixtures: the platform admin, a project with two dialogues and another project, and a signed-in
account for each permission type; helpers to call the routes and read what was stored."""
from types import SimpleNamespace

import pytest

from chalicelib.dialogues.models import Dialogue, Permission, Project, Release, Revision
from chalicelib.identity import service as accounts
from tests.conftest import restore_store, saved_store

PASSWORD = "twelve-chars-pw"
SEQUENCE = {"id": "start", "title": "Start of sequence", "blocks": [{"id": "ask", "type": "question"}]}
# name: (permission type, scope), where scope names "project" (P), "dialogue" (D in P) or nothing.
PEOPLE = {
    "granted_admin": ("admin", None),
    "creator": ("projects:create", None),
    "project_admin": ("project:admin", "project"),
    "project_reader": ("project:dialogues:read", "project"),
    "project_writer": ("project:dialogues:write", "project"),
    "dialogue_reader": ("dialogue:read", "dialogue"),
    "dialogue_writer": ("dialogue:write", "dialogue"),
    "other_admin": ("project:admin", "other"),
    "nobody": (None, None),
}


@pytest.fixture(scope="session")
def built_world() -> dict:
    return {}


@pytest.fixture
def world(api, built_world):
    """Built once a session, then given to each test again from a copy of the tables it left (same ids, tokens).

    `world.root` is the platform admin's token; `world.project` (P) holds dialogues `world.dialogue` (D) and
    `world.second` (D2); `world.other` is another project (Q) with dialogue `world.other_dialogue`;
    `world.tokens[name]` and `world.ids[name]` for each of PEOPLE."""
    if built_world:
        restore_store(built_world["store"])
    else:
        built_world.update(world=_build(api), store=saved_store())
    return built_world["world"]


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def _build(api) -> SimpleNamespace:
    accounts.register("Root Admin", "root@example.com", PASSWORD, is_admin=True)
    root = api.sign_in("root@example.com")
    project = _ok(api.post("/projects/", {"title": "Maternal Health ZA"}, token=root), 201)["id"]
    other = _ok(api.post("/projects/", {"title": "Maternal Health MX"}, token=root), 201)["id"]
    dialogues = [_ok(api.post(f"/projects/{p}/dialogues/", {"title": title, "sequences": [SEQUENCE]}, token=root),
                     201)["id"] for p, title in ((project, "Survey"), (project, "Second"), (other, "Other"))]
    scopes = {"project": {"project_id": project}, "dialogue": {"project_id": project, "dialogue_id": dialogues[0]},
              "other": {"project_id": other}}
    ids, tokens = {}, {"root": root}
    for name, (kind, scope) in PEOPLE.items():
        user = _ok(api.post("/users/", {"email": f"{name}@example.com", "password": PASSWORD,
                                        "first_name": name.title(), "last_name": "Tester"}, token=root), 201)
        ids[name] = user["id"]
        if kind:
            body = {"type": kind, **({"details": scopes[scope]} if scope else {})}
            _ok(api.post(f"/users/{user['id']}/permissions/", body, token=root))
        tokens[name] = api.sign_in(f"{name}@example.com")
    return SimpleNamespace(root=root, project=project, other=other, dialogue=dialogues[0], second=dialogues[1],
                           other_dialogue=dialogues[2], ids=ids, tokens=tokens)


def stored() -> dict:
    """Everything the dialogue tables hold, to compare before and after a refused request."""
    return {model.__name__: sorted((item.attribute_values for item in model.scan()), key=repr)
            for model in (Project, Dialogue, Revision, Release, Permission)}


def dialogue_path(world, dialogue=None, project=None) -> str:
    return f"/projects/{project or world.project}/dialogues/{dialogue or world.dialogue}"


def patch(api, path, operations, token):
    return api.call("PATCH", path, operations, token=token)


def problems(body) -> list[dict]:
    """The entries of a validation_error body."""
    assert body["type"] == "validation_error", body
    return body["details"]["errors"]
