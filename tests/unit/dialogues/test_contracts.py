"""The dialogues contracts (issue 18): each way a schema failure becomes the document's answer, through the routes,
and the answers' schemas against what the routes send."""
import json

import pytest
from jsonschema import Draft202012Validator

from chalicelib.dialogues import contracts as spec
from chalicelib.dialogues import routes
from tests.unit.dialogues.conftest import dialogue_path, stored

SYMBOL = "^[a-z][a-z0-9-]*$"


def entries(*found):
    return {"type": "validation_error", "message": "Invalid request body",
            "details": {"errors": [{"type": kind, "path": path, "message": message} for kind, path, message in found]}}


# Failures to entries: `type` the keyword, `path` a JSON pointer (a missing property's own), sorted by path


def test_each_failure_is_an_entry_of_its_keyword_and_pointer_in_path_order(api, world):
    body = {"title": 3, "sequences": [{"id": "Start", "title": "x", "blocks": [{"id": "ok"}]}], "x": 1}

    assert api.post(f"/projects/{world.project}/dialogues/", body, token=world.root) == (422, entries(
        ("additionalProperties", "/", "Additional properties are not allowed ('x' was unexpected)"),
        ("required", "/sequences/0/blocks/0/type", "'type' is a required property"),
        ("pattern", "/sequences/0/id", f"'Start' does not match '{SYMBOL}'"),
        ("type", "/title", "3 is not of type 'string'")))


def test_a_value_failing_one_check_through_two_parts_of_a_schema_is_listed_once(api, world):
    path = f"/users/{world.ids['nobody']}/permissions/"

    assert api.post(path, {"type": "admin", "details": []}, token=world.root) == (422, entries(
        ("type", "/details", "[] is not of type 'object'")))
    assert api.post(path, {"type": "project:admin", "details": 5}, token=world.root) == (422, entries(
        ("type", "/details", "5 is not of type 'object'")))


def test_a_bulk_of_revisions_and_a_single_one_point_into_the_body_as_sent(api, world):
    path = dialogue_path(world) + "/revisions/"
    bad = {"type": "edit", "properties": []}

    assert api.post(path, bad, token=world.root) == (422, entries(
        ("type", "/properties", "[] is not of type 'object'")))
    assert api.post(path, [bad, {"type": "revert", "properties": {}}], token=world.root) == (422, entries(
        ("type", "/0/properties", "[] is not of type 'object'"),
        ("required", "/1/properties/revision_id", "'revision_id' is a required property")))


def test_an_answer_lists_at_most_max_failures_entries(api, world):
    body = {"title": "T", "sequences": [{"id": "s", "title": "S", "blocks": [{"id": "A"}] * 150}]}

    status, answer = api.post(f"/projects/{world.project}/dialogues/", body, token=world.root)

    assert (status, len(answer["details"]["errors"])) == (422, 100)


# Keys a schema names (x-errors): answered otherwise than as entries


@pytest.mark.parametrize("raw", ["null", " null\n"])
def test_a_null_body_is_a_parse_error_like_an_empty_one(api, world, raw):
    parse_error = {"type": "parse_error", "message": "Invalid JSON in request body",
                   "details": {"reason": "Expecting value", "line": 1, "column": 1}}

    for method, path in (("PUT", f"/projects/{world.project}"), ("PATCH", dialogue_path(world)),
                         ("POST", "/projects/"), ("POST", "/password-resets/")):
        assert api.call(method, path, raw=raw, token=world.root) == (400, parse_error), (method, path)


def test_a_user_or_project_patch_of_too_many_operations_is_refused_whole_before_its_operations(api, world):
    operations = [{"op": "bogus"}] + [{"op": "test", "path": "/title", "value": "x"}] * 100
    refused = entries(("patch", "/100", "A patch may have at most 100 operations: send a larger change as a PUT"))

    assert api.call("PATCH", f"/projects/{world.project}", operations, token=world.root) == (422, refused)
    assert api.call("PATCH", f"/users/{world.ids['nobody']}", operations, token=world.root) == (422, refused)


def test_a_dialogue_patch_is_read_before_its_operations_are_counted(api, world):
    operations = [{"op": "bogus", "path": "/title"}] + [{"op": "test", "path": "/title", "value": "x"}] * 100

    assert api.call("PATCH", dialogue_path(world), operations, token=world.root) == (422, entries(
        ("enum", "/0/op", "'bogus' is not one of ['add', 'remove', 'replace', 'move', 'copy', 'test']")))


def test_a_body_nested_too_deep_is_a_validation_error_at_the_first_value_too_deep(api, world):
    raw = '{"title": "T", "sequences": ' + "[" * 70 + "]" * 70 + "}"

    status, answer = api.call("PUT", dialogue_path(world), raw=raw, token=world.root)

    assert (status, [entry["type"] for entry in answer["details"]["errors"]]) == (422, ["maxDepth"])


# What the contracts allow and the order of the answers


def test_put_takes_the_read_only_fields_it_ignores_and_post_refuses_them(api, world):
    _, shown = api.get(f"/projects/{world.project}", token=world.root)

    assert api.put(f"/projects/{world.project}", shown, token=world.root)[0] == 200
    status, answer = api.post("/projects/", shown, token=world.root)
    assert (status, answer["details"]["errors"][0]["type"]) == (422, "additionalProperties")


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/projects/", {"title": ""}),
    ("POST", "/users/", {"email": "x"}),
    ("POST", "/channels/", {}),
    ("POST", "/providers/", {}),
    ("POST", "/projects/{P}/dialogues/", {"title": 1}),
    ("POST", "/users/{U}/permissions/", {"type": "owner"}),
])
def test_a_caller_without_the_permission_is_forbidden_before_the_body_is_checked(api, world, method, path, body):
    route = path.replace("{P}", world.project).replace("{U}", world.ids["nobody"])
    before = stored()

    assert api.call(method, route, body, token=world.tokens["nobody"])[0] == 403
    assert stored() == before


def test_the_documents_spelling_projects_admin_is_granted_as_project_admin(api, world):
    status, grant = api.post(f"/users/{world.ids['nobody']}/permissions/",
                             {"type": "projects:admin", "details": {"project_id": world.project}}, token=world.root)

    assert (status, grant["type"]) == (200, "project:admin")


def test_a_permission_type_that_is_not_text_is_a_validation_error(api, world):
    """Looking it up among the document's spellings was a 500 (schemathesis)."""
    status, answer = api.post(f"/users/{world.ids['nobody']}/permissions/", {"type": {}}, token=world.root)

    assert (status, [entry["path"] for entry in answer["details"]["errors"]]) == (422, ["/type"])


@pytest.mark.parametrize("path", ["/projects/", "/users/"])
def test_a_page_past_any_number_of_items_is_empty(api, world, path):
    """Its Query's Limit was past DynamoDB's 32-bit integer: a 500 (schemathesis)."""
    assert api.get(f"{path}?page=4832560971549&per_page=100", token=world.root) == (200, [])


# Contracts and answers


def test_every_dialogues_route_has_a_contract_and_every_contract_a_route():
    from app import app

    declared = {name for name, value in vars(spec).items() if name.isupper() and hasattr(value, "answers")}
    used = set()
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if entry.view_function.__module__ == routes.__name__:
                assert entry.view_function.contract is not None, (method, path)
                used.add(next(name for name in declared if getattr(spec, name) is entry.view_function.contract))
    assert used == declared and len(used) == 37


def _conforms(contract, status, body):
    schema = contract.answers[status]
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(body)] if schema else []
    assert not errors and (schema is not None or body is None), (status, errors[:3])


def test_the_answers_fit_their_schemas(api, world):
    project, dialogue = f"/projects/{world.project}", dialogue_path(world)
    provider = api.post("/providers/", {"title": "Twitter"}, token=world.root)
    _conforms(spec.PROVIDER_CREATE, *provider)
    channel = api.post("/channels/", {"provider_id": provider[1]["id"], "title": "@x", "address": "@x",
                                      "type": "twitter", "project_id": world.project}, token=world.root)
    _conforms(spec.CHANNEL_CREATE, *channel)
    edit = {"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "New"}]}}
    checks = [
        (spec.ME, api.get("/user", token=world.tokens["project_admin"])),
        (spec.USERS, api.get("/users/", token=world.root)),
        (spec.PERMISSIONS, api.get(f"/users/{world.ids['dialogue_reader']}/permissions/", token=world.root)),
        (spec.PROJECTS, api.get("/projects/", token=world.root)),
        (spec.PROJECT_SHOW, api.get(project, token=world.root)),
        (spec.PROJECT_CHANNELS, api.get(project + "/channels/", token=world.root)),
        (spec.DIALOGUES, api.get(project + "/dialogues/", token=world.root)),
        (spec.DIALOGUE_SHOW, api.get(dialogue, token=world.root)),
        (spec.REVISION_CREATE, api.post(dialogue + "/revisions/", edit, token=world.root)),
        (spec.REVISION_CREATE, api.post(dialogue + "/revisions/", edit, token=world.root)),
        (spec.REVISION_CREATE, api.post(dialogue + "/revisions/", [edit], token=world.root)),
        (spec.REVISIONS, api.get(dialogue + "/revisions/", token=world.root)),
        (spec.RELEASE_CREATE, api.post(dialogue + "/releases/", {"revision_id": "1"}, token=world.root)),
        (spec.RELEASES, api.get(dialogue + "/releases/", token=world.root)),
        (spec.RELEASE_SHOW, api.get(dialogue + "/releases/1", token=world.root)),
        (spec.CHANNELS, api.get("/channels/", token=world.root)),
        (spec.CHANNEL_REPLACE, api.put(f"/channels/{channel[1]['id']}", {"project_id": None}, token=world.root)),
        (spec.PROVIDER_SHOW, api.get(f"/providers/{provider[1]['id']}", token=world.root)),
        (spec.PROVIDERS, api.get("/providers/", token=world.root)),
    ]
    for contract, (status, body) in checks:
        _conforms(contract, status, body)
    assert json.dumps(spec.ME.answers)  # answers are plain JSON
