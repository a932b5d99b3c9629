"""The dialogues document's client errors, each in its exact shape: parse_error (400, with the reason, line and
column), validation_error (422, one {type, path, message} entry per failure, read-only fields refused on POST and
PATCH and ignored on PUT, failing patch operations), not_found (404, with the parent ids), unauthorized (401),
forbidden (403) and invalid_param (400)."""
import json

import pytest

from tests.unit.dialogues.conftest import SEQUENCE, dialogue_path, patch, stored

SYMBOL = "^[a-z][a-z0-9-]*$"
ID = "^[1-9][0-9]{0,14}$"
POINTER = "^(/[^/~]*(~[01][^/~]*)*)*$"
OPS = "['add', 'remove', 'replace', 'move', 'copy', 'test']"
KINDS = ("['admin', 'projects:create', 'project:admin', 'project:dialogues:read', 'project:dialogues:write', "
         "'dialogue:read', 'dialogue:write']")


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def parse_error(reason, line, column):
    return {"type": "parse_error", "message": "Invalid JSON in request body",
            "details": {"reason": reason, "line": line, "column": column}}


def validation(*errors):
    """A validation_error body with one entry per (type, path, message)."""
    return {"type": "validation_error", "message": "Invalid request body",
            "details": {"errors": [{"type": kind, "path": path, "message": message}
                                   for kind, path, message in errors]}}


def required(path):
    return "required", path, f"'{path.rsplit('/', 1)[1]}' is a required property"


def extra(path, *names):
    """The additionalProperties entry the document shows for unexpected (read-only) fields."""
    quoted = ", ".join(f"'{name}'" for name in sorted(names))
    verb = "was" if len(names) == 1 else "were"
    return "additionalProperties", path, f"Additional properties are not allowed ({quoted} {verb} unexpected)"


def not_found(kind, id, **parents):
    return {"type": "not_found", "message": f"{kind} {id} not found", "details": {"id": str(id), **parents}}


class StartsWith:
    """Equal to any string starting with `prefix` (a patch failure's message ends in the patch library's words)."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __eq__(self, other):
        return isinstance(other, str) and other.startswith(self.prefix)

    def __repr__(self):
        return f"StartsWith({self.prefix!r})"


def make_channel(api, world):
    """A provider with one free channel; (provider id, channel id)."""
    provider = _ok(api.post("/providers/", {"title": "Twitter"}, token=world.root), 201)["id"]
    channel = _ok(api.post("/channels/", {"provider_id": provider, "title": "@foo", "address": "@foo",
                                          "type": "twitter"}, token=world.root), 201)["id"]
    return provider, channel


# Every route that takes a body: name -> (method, path(world, channel id)).
BODY_ROUTES = {
    "create project": ("POST", lambda w, c: "/projects/"),
    "replace project": ("PUT", lambda w, c: f"/projects/{w.project}"),
    "patch project": ("PATCH", lambda w, c: f"/projects/{w.project}"),
    "create dialogue": ("POST", lambda w, c: f"/projects/{w.project}/dialogues/"),
    "replace dialogue": ("PUT", lambda w, c: dialogue_path(w)),
    "patch dialogue": ("PATCH", lambda w, c: dialogue_path(w)),
    "create revision": ("POST", lambda w, c: dialogue_path(w) + "/revisions/"),
    "create release": ("POST", lambda w, c: dialogue_path(w) + "/releases/"),
    "create user": ("POST", lambda w, c: "/users/"),
    "replace user": ("PUT", lambda w, c: f"/users/{w.ids['nobody']}"),
    "patch user": ("PATCH", lambda w, c: f"/users/{w.ids['nobody']}"),
    "grant permission": ("POST", lambda w, c: f"/users/{w.ids['nobody']}/permissions/"),
    "change password": ("POST", lambda w, c: "/user/password-changes/"),
    "reset password": ("POST", lambda w, c: "/password-resets/"),
    "confirm password reset": ("POST", lambda w, c: "/password-confirmations/"),
    "create provider": ("POST", lambda w, c: "/providers/"),
    "create channel": ("POST", lambda w, c: "/channels/"),
    "replace channel": ("PUT", lambda w, c: f"/channels/{c}"),
    "patch channel": ("PATCH", lambda w, c: f"/channels/{c}"),
}


def send(api, world, route, body=None, raw=None):
    """`route` of BODY_ROUTES called by the platform admin (a channel is made first for the channel routes)."""
    method, path = BODY_ROUTES[route]
    channel = make_channel(api, world)[1] if route.endswith(" channel") and method != "POST" else None
    return api.call(method, path(world, channel), body, token=world.root, raw=raw)


# Parsing errors


def test_the_documents_parse_error_example_is_answered_as_shown(api, world):
    assert api.call("POST", "/projects/", raw='{"foo": ]', token=world.root) == (400, {
        "type": "parse_error", "message": "Invalid JSON in request body",
        "details": {"reason": "Expecting value", "line": 1, "column": 9}})


@pytest.mark.parametrize("route", BODY_ROUTES)
def test_a_multi_line_body_that_is_not_json_is_a_parse_error_at_its_line_and_column(api, world, route):
    before = stored()

    assert send(api, world, route, raw='{\n  "title": \n}') == (400, parse_error("Expecting value", 3, 1))
    assert stored() == before


@pytest.mark.parametrize("route", BODY_ROUTES)
def test_an_empty_body_is_a_parse_error_at_line_1_column_1(api, world, route):
    assert send(api, world, route, raw="") == (400, parse_error("Expecting value", 1, 1))


@pytest.mark.parametrize("text", ["   ", "\n\t\r\n"], ids=["spaces", "newlines"])
def test_a_body_of_whitespace_only_is_a_parse_error_like_an_empty_one(api, world, text):
    assert send(api, world, "create project", raw=text) == (400, parse_error("Expecting value", 1, 1))


@pytest.mark.parametrize("route, text, reason, line, column", [
    ("replace dialogue", '{\n  "title": "A",\n  "sequences": [\n    {"id": "start",}\n  ]\n}',
     "Expecting property name enclosed in double quotes", 4, 20),
    ("patch dialogue", '[\n  {"op": "remove", "path": "/title"}\n  {"op": "add"}\n]', "Expecting ',' delimiter", 3, 3),
    ("create revision", '[\n\t{"op": "test", "path": "/title", "value": tru}\n]', "Expecting value", 2, 44),
    ("create dialogue", '{\r\n\t"title":\r\n\t\t,}', "Expecting value", 3, 3),
    ("create project", '{"title": "unterminated\n}', "Invalid control character at", 1, 24),
    ("create project", '\n\n  {"title": "x"} trailing', "Extra data", 3, 18),
    ("replace project", '{"title": "x"', "Expecting ',' delimiter", 1, 14),
    ("create release", "{'revision_id': '1'}", "Expecting property name enclosed in double quotes", 1, 2),
    ("patch project", "[{}", "Expecting ',' delimiter", 1, 4),
], ids=["property-after-comma", "missing-comma", "bad-literal", "crlf-and-tabs", "control-character",
        "extra-data", "unterminated-object", "single-quotes", "unterminated-array"])
def test_invalid_json_names_the_parsers_reason_line_and_column(api, world, route, text, reason, line, column):
    with pytest.raises(json.JSONDecodeError) as parsed:  # the table agrees with Python's own parser
        json.loads(text)
    assert (parsed.value.msg, parsed.value.lineno, parsed.value.colno) == (reason, line, column)
    before = stored()

    assert send(api, world, route, raw=text) == (400, parse_error(reason, line, column))
    assert stored() == before


@pytest.mark.parametrize("route", ["create project", "replace dialogue", "patch dialogue", "create revision"])
def test_a_body_that_is_not_utf_8_is_a_parse_error(api, world, route):
    before = stored()

    assert send(api, world, route, raw=b'{"title": "\xff"}') == (400, parse_error("Body is not UTF-8", 1, 12))
    assert stored() == before


def test_a_body_that_is_not_utf_8_names_the_line_and_column_of_the_bad_byte(api, world):
    status, body = send(api, world, "create project", raw=b'{\n  "title": "\xc3\x28"\n}')

    assert (status, body["type"], body["details"]["line"], body["details"]["column"]) == (400, "parse_error", 2, 13)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_and_are_parse_errors(api, world, constant):
    before = stored()

    status, body = send(api, world, "create revision",
                        raw=f'{{"type": "edit", "created": {constant}, "properties": {{"patch": []}}}}')

    assert status == 400, body
    assert body == parse_error(body["details"]["reason"], 1, 29)
    assert stored() == before


def test_a_lone_surrogate_escape_is_a_parse_error(api, world):
    status, body = send(api, world, "create project", raw='{"title": "\\ud800"}')

    assert (status, body["type"], body["message"]) == (400, "parse_error", "Invalid JSON in request body")
    assert body["details"]["reason"] == "A \\u escape is a lone surrogate, which is not text"


def test_a_creation_time_too_large_for_a_timestamp_is_a_client_error(api, world):
    before = stored()

    status, body = send(api, world, "create revision",
                        raw='{"type": "edit", "created": 1e999, "properties": {"patch": []}}')

    assert (status, body.get("type")) in {(400, "parse_error"), (422, "validation_error")}, (status, body)
    if status == 422:
        assert [entry["path"] for entry in body["details"]["errors"]] == ["/created"]
    assert stored() == before


# Validation errors: each schema of the document through the routes that use it

NO_CHANGE = {"title": "Survey", "sequences": [SEQUENCE]}


def sequence(**fields):
    return {"title": "T", "sequences": [{"id": "start", "title": "S", "blocks": [], **fields}]}


def block(**fields):
    return {"title": "T", "sequences": [{"id": "start", "title": "S", "blocks": [fields]}]}


DIALOGUE_VIOLATIONS = [
    pytest.param({"sequences": []}, [required("/title")], id="missing-title"),
    pytest.param({"title": "T"}, [required("/sequences")], id="missing-sequences"),
    pytest.param({}, [required("/sequences"), required("/title")], id="missing-title-and-sequences"),
    pytest.param({"title": 3, "sequences": []}, [("type", "/title", "3 is not of type 'string'")],
                 id="title-not-a-string"),
    pytest.param({"title": "T", "sequences": {}}, [("type", "/sequences", "{} is not of type 'array'")],
                 id="sequences-not-an-array"),
    pytest.param({"title": "T", "sequences": [], "is_archived": "yes"},
                 [("type", "/is_archived", "'yes' is not of type 'boolean'")], id="is-archived-not-a-boolean"),
    pytest.param({"title": "T", "sequences": ["start"]},
                 [("type", "/sequences/0", "'start' is not of type 'object'")], id="sequence-not-an-object"),
    pytest.param({"title": "T", "sequences": [{"title": "S", "blocks": []}]}, [required("/sequences/0/id")],
                 id="sequence-missing-id"),
    pytest.param({"title": "T", "sequences": [{"id": "start", "blocks": []}]}, [required("/sequences/0/title")],
                 id="sequence-missing-title"),
    pytest.param({"title": "T", "sequences": [{"id": "start", "title": "S"}]}, [required("/sequences/0/blocks")],
                 id="sequence-missing-blocks"),
    pytest.param({"title": "T", "sequences": [{}]},
                 [required("/sequences/0/blocks"), required("/sequences/0/id"), required("/sequences/0/title")],
                 id="sequence-missing-everything"),
    pytest.param(sequence(title=7), [("type", "/sequences/0/title", "7 is not of type 'string'")],
                 id="sequence-title-not-a-string"),
    pytest.param(sequence(blocks={}), [("type", "/sequences/0/blocks", "{} is not of type 'array'")],
                 id="blocks-not-an-array"),
    pytest.param(sequence(id="Start"), [("pattern", "/sequences/0/id", f"'Start' does not match '{SYMBOL}'")],
                 id="sequence-id-with-a-capital"),
    pytest.param(sequence(id="1abc"), [("pattern", "/sequences/0/id", f"'1abc' does not match '{SYMBOL}'")],
                 id="sequence-id-starting-with-a-digit"),
    pytest.param(sequence(id="a_b"), [("pattern", "/sequences/0/id", f"'a_b' does not match '{SYMBOL}'")],
                 id="sequence-id-with-an-underscore"),
    pytest.param(sequence(id=""), [("pattern", "/sequences/0/id", f"'' does not match '{SYMBOL}'")],
                 id="sequence-id-empty"),
    pytest.param(sequence(id=5), [("type", "/sequences/0/id", "5 is not of type 'string'")],
                 id="sequence-id-a-number"),
    pytest.param(sequence(extra=1), [extra("/sequences/0", "extra")], id="extra-property-in-a-sequence"),
    pytest.param(block(type="question"), [required("/sequences/0/blocks/0/id")], id="block-missing-id"),
    pytest.param(block(id="ask"), [required("/sequences/0/blocks/0/type")], id="block-missing-type"),
    pytest.param(block(id="ask", type="Question"),
                 [("pattern", "/sequences/0/blocks/0/type", f"'Question' does not match '{SYMBOL}'")],
                 id="block-type-with-a-capital"),
    pytest.param(block(id="1st", type="question"),
                 [("pattern", "/sequences/0/blocks/0/id", f"'1st' does not match '{SYMBOL}'")],
                 id="block-id-starting-with-a-digit"),
    pytest.param(block(id="ask", type="question", properties=[]),
                 [("type", "/sequences/0/blocks/0/properties", "[] is not of type 'object'")],
                 id="block-properties-not-an-object"),
    pytest.param(block(id="ask", type="question", title=False),
                 [("type", "/sequences/0/blocks/0/title", "False is not of type 'string'")],
                 id="block-title-not-a-string"),
    pytest.param(block(id="ask", type="question", question="Why?"), [extra("/sequences/0/blocks/0", "question")],
                 id="extra-property-in-a-block"),
    pytest.param({"title": "T", "sequences": [SEQUENCE, {"id": "end", "title": "E", "blocks": [{"id": "x"}]}]},
                 [required("/sequences/1/blocks/0/type")], id="failure-in-a-later-sequence"),
    pytest.param([], [("type", "/", "[] is not of type 'object'")], id="an-array"),
    pytest.param("dialogue", [("type", "/", "'dialogue' is not of type 'object'")], id="a-string"),
]


@pytest.mark.parametrize("route", ["create dialogue", "replace dialogue"])
@pytest.mark.parametrize("body, errors", DIALOGUE_VIOLATIONS)
def test_a_dialogue_description_outside_the_schema_is_a_validation_error(api, world, route, body, errors):
    before = stored()

    assert send(api, world, route, body) == (422, validation(*errors))
    assert stored() == before


def test_every_failure_in_one_dialogue_body_gets_its_own_entry_in_path_order(api, world):
    body = {"title": 3, "sequences": [{"id": "Start", "title": "x", "blocks": [{"id": "1abc"}], "x": 1}]}

    assert send(api, world, "create dialogue", body) == (422, validation(
        extra("/sequences/0", "x"),
        ("pattern", "/sequences/0/blocks/0/id", f"'1abc' does not match '{SYMBOL}'"),
        required("/sequences/0/blocks/0/type"),
        ("pattern", "/sequences/0/id", f"'Start' does not match '{SYMBOL}'"),
        ("type", "/title", "3 is not of type 'string'")))


@pytest.mark.parametrize("route, operations", [
    ("patch dialogue", [{"op": "add", "path": "/sequences/0/blocks/-", "value": {"id": "Bad", "type": "t"}}]),
    ("create revision", {"type": "edit", "properties": {"patch": [
        {"op": "add", "path": "/sequences/0/blocks/-", "value": {"id": "Bad", "type": "t"}}]}}),
], ids=["patch", "revision"])
def test_an_edit_whose_result_leaves_the_schema_is_a_validation_error_on_the_result(api, world, route, operations):
    before = stored()

    assert send(api, world, route, operations) == (422, validation(
        ("pattern", "/sequences/0/blocks/1/id", f"'Bad' does not match '{SYMBOL}'")))
    assert stored() == before


def edit(*operations):
    return {"type": "edit", "properties": {"patch": list(operations)}}


def revert(revision_id):
    return {"type": "revert", "properties": {"revision_id": revision_id}}


RENAME = {"op": "replace", "path": "/title", "value": "Renamed"}

REVISION_VIOLATIONS = [
    pytest.param({"type": "bogus", "properties": {}}, [("enum", "/type", "'bogus' is not one of ['edit', 'revert']")],
                 id="type-not-in-the-enum"),
    pytest.param({"properties": {"patch": []}}, [required("/type")], id="missing-type"),
    pytest.param({"type": "edit"}, [required("/properties")], id="missing-properties"),
    pytest.param({}, [required("/properties"), required("/type")], id="missing-type-and-properties"),
    pytest.param({"type": "edit", "properties": {}}, [required("/properties/patch")], id="edit-without-patch"),
    pytest.param({"type": "edit", "properties": {"patch": {}}},
                 [("type", "/properties/patch", "{} is not of type 'array'")], id="patch-not-an-array"),
    pytest.param(edit({"op": "add", "path": "/title"}), [required("/properties/patch/0/value")],
                 id="add-without-value"),
    pytest.param(edit({"op": "replace", "path": "/title"}), [required("/properties/patch/0/value")],
                 id="replace-without-value"),
    pytest.param(edit({"op": "test", "path": "/title"}), [required("/properties/patch/0/value")],
                 id="test-without-value"),
    pytest.param(edit({"op": "move", "path": "/title"}), [required("/properties/patch/0/from")],
                 id="move-without-from"),
    pytest.param(edit({"op": "copy", "path": "/title"}), [required("/properties/patch/0/from")],
                 id="copy-without-from"),
    pytest.param(edit({"path": "/title"}), [required("/properties/patch/0/op")], id="operation-without-op"),
    pytest.param(edit({"op": "remove"}), [required("/properties/patch/0/path")], id="operation-without-path"),
    pytest.param(edit({"op": "frob", "path": "/title"}),
                 [("enum", "/properties/patch/0/op", f"'frob' is not one of {OPS}")], id="unknown-op"),
    pytest.param(edit({"op": "remove", "path": "title"}),
                 [("pattern", "/properties/patch/0/path", f"'title' does not match '{POINTER}'")],
                 id="path-not-a-json-pointer"),
    pytest.param(edit({"op": "remove", "path": "/a~2b"}),
                 [("pattern", "/properties/patch/0/path", f"'/a~2b' does not match '{POINTER}'")],
                 id="path-with-a-bad-escape"),
    pytest.param(edit({"op": "move", "from": "title", "path": "/x"}),
                 [("pattern", "/properties/patch/0/from", f"'title' does not match '{POINTER}'")],
                 id="from-not-a-json-pointer"),
    pytest.param(edit(RENAME, {"op": "add", "path": "/title"}), [required("/properties/patch/1/value")],
                 id="second-operation-without-value"),
    pytest.param(edit(["remove", "/title"]),
                 [("type", "/properties/patch/0", "['remove', '/title'] is not of type 'object'")],
                 id="operation-not-an-object"),
    pytest.param({"type": "revert", "properties": {}}, [required("/properties/revision_id")],
                 id="revert-without-revision-id"),
    pytest.param(revert(1), [("type", "/properties/revision_id", "1 is not of type 'string'")],
                 id="revert-revision-id-a-number"),
    pytest.param(revert("0"), [("pattern", "/properties/revision_id", f"'0' does not match '{ID}'")],
                 id="revert-revision-id-zero"),
    pytest.param({**edit(), "created": -1}, [("minimum", "/created", "-1 is less than the minimum of 0")],
                 id="created-negative"),
    pytest.param({**edit(), "created": "now"}, [("type", "/created", "'now' is not of type 'number'")],
                 id="created-not-a-number"),
    pytest.param({**edit(), "details": []}, [("type", "/details", "[] is not of type 'object'")],
                 id="details-not-an-object"),
    pytest.param({"type": "edit", "properties": []}, [("type", "/properties", "[] is not of type 'object'")],
                 id="properties-not-an-object"),
    pytest.param({**edit(), "number": 3, "created": -1},
                 [extra("/", "number"), ("minimum", "/created", "-1 is less than the minimum of 0")],
                 id="two-failures"),
    pytest.param([], [("minItems", "/", "[] should be non-empty")], id="bulk-empty"),
    pytest.param([edit(RENAME), {"type": "bogus", "properties": {}}],
                 [("enum", "/1/type", "'bogus' is not one of ['edit', 'revert']")], id="bulk-second-type"),
    pytest.param([edit(RENAME), edit({"op": "add", "path": "/title"})], [required("/1/properties/patch/0/value")],
                 id="bulk-second-patch"),
    pytest.param([5], [("type", "/0", "5 is not of type 'object'")], id="bulk-item-not-an-object"),
    pytest.param([revert("1"), {"type": "revert", "properties": {}}], [required("/1/properties/revision_id")],
                 id="bulk-revert-without-revision-id"),
]


@pytest.mark.parametrize("body, errors", REVISION_VIOLATIONS)
def test_a_revision_outside_the_schema_is_a_validation_error(api, world, body, errors):
    before = stored()

    assert send(api, world, "create revision", body) == (422, validation(*errors))
    assert stored() == before


def test_more_than_50_revisions_at_once_is_a_validation_error(api, world):
    before = stored()

    status, body = send(api, world, "create revision", [edit(RENAME)] * 51)

    assert (status, body["type"], body["message"]) == (422, "validation_error", "Invalid request body")
    [entry] = body["details"]["errors"]
    assert (entry["type"], entry["path"]) == ("maxItems", "/")
    assert entry["message"].endswith(" is too long")
    assert stored() == before


SCHEMA_VIOLATIONS = [
    # release
    pytest.param("create release", {}, [required("/revision_id")], id="release-missing-revision-id"),
    pytest.param("create release", {"revision_id": 7}, [("type", "/revision_id", "7 is not of type 'string'")],
                 id="release-revision-id-a-number"),
    pytest.param("create release", [], [("type", "/", "[] is not of type 'object'")], id="release-an-array"),
    # project
    pytest.param("create project", {}, [required("/title")], id="project-missing-title"),
    pytest.param("create project", {"title": ""}, [("minLength", "/title", "'' should be non-empty")],
                 id="project-title-empty"),
    pytest.param("create project", {"title": 5}, [("type", "/title", "5 is not of type 'string'")],
                 id="project-title-a-number"),
    pytest.param("create project", {"title": "T", "is_archived": "no"},
                 [("type", "/is_archived", "'no' is not of type 'boolean'")], id="project-is-archived-a-string"),
    pytest.param("replace project", {}, [required("/title")], id="replaced-project-missing-title"),
    pytest.param("replace project", {"title": None}, [("type", "/title", "None is not of type 'string'")],
                 id="replaced-project-title-null"),
    pytest.param("patch project", [{"op": "replace", "path": "/title", "value": 5}],
                 [("type", "/title", "5 is not of type 'string'")], id="patched-project-title-a-number"),
    pytest.param("patch project", [{"op": "remove", "path": "/title"}], [required("/title")],
                 id="patched-project-without-title"),
    # permission
    pytest.param("grant permission", {"type": "owner"}, [("enum", "/type", f"'owner' is not one of {KINDS}")],
                 id="permission-unknown-type"),
    pytest.param("grant permission", {}, [required("/type")], id="permission-missing-type"),
    pytest.param("grant permission", {"type": "project:admin"}, [required("/details")],
                 id="project-permission-without-details"),
    pytest.param("grant permission", {"type": "project:dialogues:read", "details": {}},
                 [required("/details/project_id")], id="project-permission-without-project-id"),
    pytest.param("grant permission", {"type": "project:admin", "details": {"project_id": "abc"}},
                 [("pattern", "/details/project_id", f"'abc' does not match '{ID}'")],
                 id="permission-project-id-not-an-id"),
    pytest.param("grant permission", {"type": "project:admin", "details": {"project_id": 5}},
                 [("type", "/details/project_id", "5 is not of type 'string'")], id="permission-project-id-a-number"),
    pytest.param("grant permission", {"type": "dialogue:read", "details": {"project_id": "1"}},
                 [required("/details/dialogue_id")], id="dialogue-permission-without-dialogue-id"),
    pytest.param("grant permission", {"type": "project:admin", "details": {"project_id": "1", "dialogue_id": "1"}},
                 [extra("/details", "dialogue_id")], id="project-permission-with-a-dialogue-id"),
    pytest.param("grant permission", {"type": "admin", "details": {"project_id": "1"}},
                 [("maxProperties", "/details", "{'project_id': '1'} is expected to be empty")],
                 id="admin-permission-with-details"),
    # users
    pytest.param("create user", {"email": "nope", "password": "long-enough-password"},
                 [("format", "/email", "'nope' is not a 'email'")], id="new-user-bad-email"),
    pytest.param("create user", {"email": "joan@example.org", "password": "short"},
                 [("minLength", "/password", "'short' is too short")], id="new-user-short-password"),
    pytest.param("create user", {"email": "nope", "password": "short"},
                 [("format", "/email", "'nope' is not a 'email'"), ("minLength", "/password", "'short' is too short")],
                 id="new-user-two-failures"),
    pytest.param("create user", {}, [required("/email"), required("/password")], id="new-user-empty"),
    pytest.param("create user", {"email": "joan@example.org", "password": "long-enough-password", "first_name": 3},
                 [("type", "/first_name", "3 is not of type 'string'")], id="new-user-first-name-a-number"),
    pytest.param("replace user", {"first_name": 3, "last_name": []},
                 [("type", "/first_name", "3 is not of type 'string'"),
                  ("type", "/last_name", "[] is not of type 'string'")], id="replaced-user-names-not-strings"),
    pytest.param("patch user", [{"op": "replace", "path": "/last_name", "value": 9}],
                 [("type", "/last_name", "9 is not of type 'string'")], id="patched-user-last-name-a-number"),
    pytest.param("change password", {}, [required("/new_password"), required("/old_password")],
                 id="password-change-empty"),
    pytest.param("change password", {"old_password": "twelve-chars-pw", "new_password": "short"},
                 [("minLength", "/new_password", "'short' is too short")], id="password-change-short"),
    pytest.param("reset password", {"email": "nope"}, [("format", "/email", "'nope' is not a 'email'")],
                 id="password-reset-bad-email"),
    pytest.param("reset password", {}, [required("/email")], id="password-reset-empty"),
    pytest.param("confirm password reset", {"password": "long-enough-password"}, [required("/token")],
                 id="password-confirmation-without-token"),
    pytest.param("confirm password reset", {"token": "abc", "password": "short"},
                 [("minLength", "/password", "'short' is too short")], id="password-confirmation-short"),
    # channels and providers
    pytest.param("replace channel", {"project_id": 5},
                 [("anyOf", "/project_id", "5 is not valid under any of the given schemas")],
                 id="channel-project-id-a-number"),
    pytest.param("replace channel", {"project_id": "abc"},
                 [("anyOf", "/project_id", "'abc' is not valid under any of the given schemas")],
                 id="channel-project-id-not-an-id"),
    pytest.param("replace channel", {"project_id": None, "owner": "me"}, [extra("/", "owner")],
                 id="channel-unknown-property"),
    pytest.param("patch channel", [{"op": "replace", "path": "/project_id", "value": 5}],
                 [("anyOf", "/project_id", "5 is not valid under any of the given schemas")],
                 id="patched-channel-project-id-a-number"),
    pytest.param("create provider", {}, [required("/title")], id="provider-missing-title"),
    pytest.param("create channel", {"provider_id": 1},
                 [required("/address"), ("type", "/provider_id", "1 is not of type 'string'"), required("/title"),
                  required("/type")], id="new-channel-four-failures"),
]


@pytest.mark.parametrize("route, body, errors", SCHEMA_VIOLATIONS)
def test_a_body_outside_its_schema_is_a_validation_error_with_one_entry_per_failure(api, world, route, body, errors):
    before = stored()

    assert send(api, world, route, body) == (422, validation(*errors))
    assert stored() == before


@pytest.mark.parametrize("route, body", [
    ("patch project", {"op": "replace", "path": "/title", "value": "x"}),
    ("patch dialogue", {"op": "replace", "path": "/title", "value": "x"}),
    ("patch user", {"op": "replace", "path": "/title", "value": "x"}),
    ("patch channel", {"op": "replace", "path": "/title", "value": "x"}),
], ids=["project", "dialogue", "user", "channel"])
def test_a_patch_body_must_be_an_array_of_operations(api, world, route, body):
    assert send(api, world, route, body) == (422, validation(
        ("type", "/", "{'op': 'replace', 'path': '/title', 'value': 'x'} is not of type 'array'")))


@pytest.mark.parametrize("route", ["patch project", "patch dialogue", "patch user", "patch channel"])
def test_a_patch_operation_with_an_unknown_op_is_a_validation_error(api, world, route):
    assert send(api, world, route, [RENAME, {"op": "frob", "path": "/title"}]) == (422, validation(
        ("enum", "/1/op", f"'frob' is not one of {OPS}")))


# Read-only fields: refused on POST and PATCH, ignored on PUT

@pytest.mark.parametrize("field", ["id", "url", "dialogues"])
def test_creating_a_project_with_a_read_only_field_is_the_documents_422(api, world, field):
    before = stored()

    assert send(api, world, "create project", {"title": "New", field: "1"}) == (422, {
        "type": "validation_error", "message": "Invalid request body",
        "details": {"errors": [{"type": "additionalProperties", "path": "/",
                                "message": f"Additional properties are not allowed ('{field}' was unexpected)"}]}})
    assert stored() == before


@pytest.mark.parametrize("field, value", [("id", "1"), ("url", "/projects/1/dialogues/1"), ("revision_id", "1"),
                                          ("is_published", True), ("has_changes", False), ("can_view", True),
                                          ("can_edit", True)])
def test_creating_a_dialogue_with_a_read_only_field_is_refused(api, world, field, value):
    before = stored()

    assert send(api, world, "create dialogue", {"title": "New", "sequences": [], field: value}) == (
        422, validation(extra("/", field)))
    assert stored() == before


def test_creating_a_dialogue_with_several_read_only_fields_names_them_all_in_one_entry(api, world):
    body = {"title": "New", "sequences": [], "id": "1", "url": "/x", "is_published": True}

    assert send(api, world, "create dialogue", body) == (422, validation(extra("/", "id", "url", "is_published")))


@pytest.mark.parametrize("field, value", [("number", 3), ("id", "3"), ("url", "/x"), ("user_id", "17")])
def test_creating_a_revision_with_a_read_only_field_is_refused(api, world, field, value):
    before = stored()

    assert send(api, world, "create revision", {**edit(RENAME), field: value}) == (422, validation(extra("/", field)))
    assert send(api, world, "create revision", [edit(RENAME), {**edit(RENAME), field: value}]) == (
        422, validation(extra("/1", field)))
    assert stored() == before


@pytest.mark.parametrize("field, value", [("id", "1"), ("number", 1), ("created", 1460022608855), ("url", "/x")])
def test_creating_a_release_with_a_read_only_field_is_refused(api, world, field, value):
    before = stored()

    assert send(api, world, "create release", {"revision_id": "1", field: value}) == (
        422, validation(extra("/", field)))
    assert stored() == before


@pytest.mark.parametrize("field", ["id", "url"])
def test_creating_a_user_with_a_read_only_field_is_refused(api, world, field):
    body = {"email": "joan@example.org", "password": "long-enough-password", field: "x"}

    assert send(api, world, "create user", body) == (422, validation(extra("/", field)))
    assert api.post("/api/auth/login/", {"email": "joan@example.org", "password": "long-enough-password"})[0] != 200


@pytest.mark.parametrize("route, field", [
    ("patch dialogue", "id"), ("patch dialogue", "url"), ("patch dialogue", "is_published"),
    ("patch dialogue", "can_edit"), ("patch project", "id"), ("patch project", "url"), ("patch project", "dialogues"),
    ("patch user", "email"), ("patch user", "id"), ("patch channel", "title"), ("patch channel", "is_available"),
])
def test_patching_in_a_read_only_field_is_the_documents_422(api, world, route, field):
    before = stored()

    assert send(api, world, route, [{"op": "add", "path": f"/{field}", "value": "9"}]) == (
        422, validation(extra("/", field)))
    assert stored() == before


def test_a_revision_adding_a_read_only_field_to_the_dialogue_is_refused(api, world):
    before = stored()

    assert send(api, world, "create revision", edit({"op": "add", "path": "/id", "value": "9"})) == (
        422, validation(extra("/", "id")))
    assert stored() == before


def test_replacing_a_dialogue_ignores_its_read_only_fields(api, world):
    path = dialogue_path(world)
    shown = _ok(api.get(path, token=world.root))
    before = stored()
    body = {**shown, "id": "999", "url": "/projects/9/dialogues/999", "revision_id": "77", "is_published": True,
            "has_changes": True, "can_view": False, "can_edit": False}

    assert api.put(path, body, token=world.root) == (200, shown)
    assert stored() == before  # nothing but read-only fields differed: no revision was written
    assert api.get(dialogue_path(world, dialogue="999"), token=world.root)[0] == 404


def test_replacing_a_dialogue_with_read_only_fields_changes_only_the_writable_ones(api, world):
    path = dialogue_path(world)
    shown = _ok(api.get(path, token=world.root))

    replaced = _ok(api.put(path, {"id": "999", "can_edit": False, "is_published": True, "title": "Renamed",
                                  "sequences": []}, token=world.root))

    assert replaced == {**shown, "title": "Renamed", "sequences": [], "revision_id": "2"}
    assert api.get(path, token=world.root) == (200, replaced)


def test_replacing_a_project_ignores_its_read_only_fields(api, world):
    path = f"/projects/{world.project}"
    shown = _ok(api.get(path, token=world.root))

    replaced = _ok(api.put(path, {"id": "999", "url": "/projects/999", "dialogues": [], "title": "Renamed"},
                           token=world.root))

    assert replaced == {**shown, "title": "Renamed"}
    assert api.get(path, token=world.root) == (200, replaced)
    assert api.get("/projects/999", token=world.root) == (404, not_found("Project", "999"))


def test_replacing_a_user_ignores_the_read_only_email_and_id(api, world):
    user_id = world.ids["nobody"]
    body = {"id": "x", "url": "/users/x", "email": "changed@example.com", "permissions": [], "first_name": "Joan",
            "last_name": "Watson"}
    expected = {"id": user_id, "url": f"/users/{user_id}", "email": "nobody@example.com", "first_name": "Joan",
                "last_name": "Watson"}

    assert api.put(f"/users/{user_id}", body, token=world.root) == (200, expected)
    assert api.get(f"/users/{user_id}", token=world.root) == (200, expected)


def test_replacing_a_channel_ignores_its_read_only_fields(api, world):
    provider, channel = make_channel(api, world)
    body = {"id": "999", "url": "/channels/999", "title": "@bar", "address": "@bar", "type": "sms",
            "is_available": True, "provider": {"id": "999", "title": "Other"}, "project_id": world.project}
    expected = {"id": channel, "url": f"/channels/{channel}", "project_id": world.project, "title": "@foo",
                "address": "@foo", "type": "twitter", "is_available": True,
                "provider": {"id": provider, "title": "Twitter"}}

    assert api.put(f"/channels/{channel}", body, token=world.root) == (200, expected)
    assert api.get(f"/channels/{channel}", token=world.root) == (200, expected)


# Failing patch operations: 422 type "patch" at the failing operation, and nothing changed

def patch_failure(path, prefix):
    return validation(("patch", path, StartsWith(prefix)))


@pytest.mark.parametrize("operations, path, prefix", [
    ([RENAME, {"op": "remove", "path": "/sequences/5"}], "/1", "Operation 1 (remove /sequences/5) failed: "),
    ([{"op": "test", "path": "/title", "value": "Nope"}], "/0", "Operation 0 (test /title) failed: "),
    ([RENAME, {"op": "test", "path": "/title", "value": "Survey"}], "/1", "Operation 1 (test /title) failed: "),
    ([{"op": "test", "path": "/missing", "value": 1}], "/0", "Operation 0 (test /missing) failed: "),
    ([{"op": "replace", "path": "/nope", "value": 1}], "/0", "Operation 0 (replace /nope) failed: "),
    ([{"op": "remove", "path": ""}], "/0", "Operation 0 (remove ) failed: "),
    ([{"op": "move", "from": "/sequences", "path": "/sequences/0"}], "/0", "Operation 0 (move /sequences/0) failed: "),
    ([{"op": "copy", "from": "/nope", "path": "/title"}], "/0", "Operation 0 (copy /title) failed: "),
    ([{"op": "add", "path": "/sequences/abc", "value": 1}], "/0", "Operation 0 (add /sequences/abc) failed: "),
    ([{"op": "add", "path": "/title/x", "value": 1}], "/0", "Operation 0 (add /title/x) failed: "),
    ([RENAME, RENAME, {"op": "add", "path": "/sequences/0/blocks/7", "value": {"id": "a", "type": "b"}}], "/2",
     "Operation 2 (add /sequences/0/blocks/7) failed: "),
], ids=["remove-missing", "test-fails", "test-after-replace", "test-missing", "replace-missing", "remove-root",
        "move-into-child", "copy-missing", "add-bad-index", "add-into-string", "insert-outside-list"])
def test_a_failing_operation_in_a_dialogue_patch_is_a_patch_error_and_changes_nothing(api, world, operations, path,
                                                                                      prefix):
    shown = _ok(api.get(dialogue_path(world), token=world.root))
    before = stored()

    assert patch(api, dialogue_path(world), operations, world.root) == (422, patch_failure(path, prefix))
    assert stored() == before
    assert api.get(dialogue_path(world), token=world.root) == (200, shown)


@pytest.mark.parametrize("route", ["patch project", "patch user", "patch channel"])
def test_a_failing_operation_in_other_patches_is_a_patch_error_and_changes_nothing(api, world, route):
    method, path = BODY_ROUTES[route]
    target = path(world, make_channel(api, world)[1] if route == "patch channel" else None)
    shown = _ok(api.get(target, token=world.root))
    before = stored()
    operations = [{"op": "add", "path": "/first_name", "value": "x"}, {"op": "remove", "path": "/nope"}]

    assert patch(api, target, operations, world.root) == (
        422, patch_failure("/1", "Operation 1 (remove /nope) failed: "))
    assert stored() == before
    assert api.get(target, token=world.root) == (200, shown)


@pytest.mark.parametrize("body, path, prefix", [
    (edit(RENAME, {"op": "remove", "path": "/nope"}), "/properties/patch/1", "Operation 1 (remove /nope) failed: "),
    (edit({"op": "test", "path": "/title", "value": "Nope"}), "/properties/patch/0",
     "Operation 0 (test /title) failed: "),
    ([edit(RENAME), edit(RENAME, {"op": "remove", "path": "/nope"})], "/1/properties/patch/1",
     "Operation 1 (remove /nope) failed: "),
    ([edit({"op": "remove", "path": "/nope"}), edit(RENAME)], "/0/properties/patch/0",
     "Operation 0 (remove /nope) failed: "),
    ([edit(RENAME), edit({"op": "test", "path": "/title", "value": "Survey"})], "/1/properties/patch/0",
     "Operation 0 (test /title) failed: "),
    ([edit(RENAME), revert("1"), edit({"op": "test", "path": "/title", "value": "Renamed"})], "/2/properties/patch/0",
     "Operation 0 (test /title) failed: "),
], ids=["single", "single-test", "bulk-second", "bulk-first", "bulk-test-sees-earlier-edit", "bulk-after-revert"])
def test_a_failing_operation_in_a_revision_is_a_patch_error_and_writes_no_revision(api, world, body, path, prefix):
    shown = _ok(api.get(dialogue_path(world), token=world.root))
    before = stored()

    assert send(api, world, "create revision", body) == (422, patch_failure(path, prefix))
    assert stored() == before
    assert api.get(dialogue_path(world), token=world.root) == (200, shown)
    assert _ok(api.get(dialogue_path(world) + "/revisions/", token=world.root))[0]["number"] == 1


# Not found

NOT_FOUND = [
    # projects
    pytest.param("GET", lambda w: "/projects/999", None, lambda w: not_found("Project", "999"), id="project"),
    pytest.param("GET", lambda w: "/projects/abc", None, lambda w: not_found("Project", "abc"), id="project-abc"),
    pytest.param("GET", lambda w: "/projects/" + "9" * 16, None, lambda w: not_found("Project", "9" * 16),
                 id="project-id-too-long"),
    pytest.param("PUT", lambda w: "/projects/999", {"title": "x"}, lambda w: not_found("Project", "999"),
                 id="replace-project"),
    pytest.param("PATCH", lambda w: "/projects/999", [RENAME], lambda w: not_found("Project", "999"),
                 id="patch-project"),
    pytest.param("GET", lambda w: "/projects/999/channels/", None, lambda w: not_found("Project", "999"),
                 id="channels-of-project"),
    pytest.param("GET", lambda w: "/projects/999/dialogues/", None, lambda w: not_found("Project", "999"),
                 id="dialogues-of-project"),
    pytest.param("POST", lambda w: "/projects/999/dialogues/", {"title": "x", "sequences": []},
                 lambda w: not_found("Project", "999"), id="create-dialogue-in-project"),
    pytest.param("GET", lambda w: f"/projects/999/dialogues/{w.dialogue}", None,
                 lambda w: not_found("Project", "999"), id="dialogue-of-project"),
    # dialogues
    pytest.param("GET", lambda w: dialogue_path(w, "999"), None,
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="dialogue"),
    pytest.param("GET", lambda w: dialogue_path(w, "abc"), None,
                 lambda w: not_found("Dialogue", "abc", project_id=w.project), id="dialogue-abc"),
    pytest.param("GET", lambda w: dialogue_path(w, w.other_dialogue), None,
                 lambda w: not_found("Dialogue", w.other_dialogue, project_id=w.project),
                 id="dialogue-of-another-project"),
    pytest.param("PUT", lambda w: dialogue_path(w, "999"), NO_CHANGE,
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="replace-dialogue"),
    pytest.param("PATCH", lambda w: dialogue_path(w, "999"), [RENAME],
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="patch-dialogue"),
    pytest.param("GET", lambda w: dialogue_path(w, "999") + "/revisions/", None,
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="revisions-of-dialogue"),
    pytest.param("POST", lambda w: dialogue_path(w, "abc") + "/revisions/", edit(RENAME),
                 lambda w: not_found("Dialogue", "abc", project_id=w.project), id="create-revision-of-dialogue"),
    pytest.param("GET", lambda w: dialogue_path(w, "999") + "/releases/", None,
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="releases-of-dialogue"),
    pytest.param("POST", lambda w: dialogue_path(w, "999") + "/releases/", {"revision_id": "1"},
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="create-release-of-dialogue"),
    pytest.param("GET", lambda w: dialogue_path(w, "999") + "/releases/1", None,
                 lambda w: not_found("Dialogue", "999", project_id=w.project), id="release-of-dialogue"),
    # releases
    pytest.param("GET", lambda w: dialogue_path(w) + "/releases/44", None,
                 lambda w: not_found("Release", "44", dialogue_id=w.dialogue), id="release"),
    pytest.param("GET", lambda w: dialogue_path(w) + "/releases/abc", None,
                 lambda w: not_found("Release", "abc", dialogue_id=w.dialogue), id="release-abc"),
    pytest.param("GET", lambda w: dialogue_path(w) + "/releases/0", None,
                 lambda w: not_found("Release", "0", dialogue_id=w.dialogue), id="release-zero"),
    # users and permissions
    pytest.param("GET", lambda w: "/users/abc", None, lambda w: not_found("User", "abc"), id="user"),
    pytest.param("PUT", lambda w: "/users/abc", {"first_name": "x"}, lambda w: not_found("User", "abc"),
                 id="replace-user"),
    pytest.param("PATCH", lambda w: "/users/abc", [], lambda w: not_found("User", "abc"), id="patch-user"),
    pytest.param("GET", lambda w: "/users/abc/permissions/", None, lambda w: not_found("User", "abc"),
                 id="permissions-of-user"),
    pytest.param("POST", lambda w: "/users/abc/permissions/", {"type": "admin"}, lambda w: not_found("User", "abc"),
                 id="grant-to-user"),
    pytest.param("GET", lambda w: f"/users/{w.ids['nobody']}/permissions/abc", None,
                 lambda w: not_found("Permission", "abc", user_id=w.ids["nobody"]), id="permission"),
    pytest.param("DELETE", lambda w: f"/users/{w.ids['nobody']}/permissions/abc", None,
                 lambda w: not_found("Permission", "abc", user_id=w.ids["nobody"]), id="revoke-permission"),
    # channels and providers
    pytest.param("GET", lambda w: "/channels/999", None, lambda w: not_found("Channel", "999"), id="channel"),
    pytest.param("GET", lambda w: "/channels/abc", None, lambda w: not_found("Channel", "abc"), id="channel-abc"),
    pytest.param("PUT", lambda w: "/channels/999", {"project_id": None}, lambda w: not_found("Channel", "999"),
                 id="replace-channel"),
    pytest.param("PATCH", lambda w: "/channels/999", [], lambda w: not_found("Channel", "999"), id="patch-channel"),
    pytest.param("GET", lambda w: "/providers/999", None, lambda w: not_found("Provider", "999"), id="provider"),
    pytest.param("GET", lambda w: "/providers/abc", None, lambda w: not_found("Provider", "abc"), id="provider-abc"),
]


@pytest.mark.parametrize("method, path, body, expected", NOT_FOUND)
def test_a_missing_resource_is_not_found_naming_its_id_and_parents(api, world, method, path, body, expected):
    before = stored()

    assert api.call(method, path(world), body, token=world.root) == (404, expected(world))
    assert stored() == before


def test_the_documents_release_not_found_example_is_answered_as_shown(api, world):
    path = f"/projects/{world.project}/dialogues/{world.dialogue}/releases/44"

    assert api.get(path, token=world.root) == (404, {"type": "not_found", "message": "Release 44 not found",
                                                     "details": {"id": "44", "dialogue_id": world.dialogue}})


def test_a_release_of_another_dialogue_is_not_found_under_this_one(api, world):
    _ok(api.post(dialogue_path(world, world.second) + "/releases/", {"revision_id": "1"}, token=world.root), 201)

    assert api.get(dialogue_path(world) + "/releases/1", token=world.root) == (
        404, not_found("Release", "1", dialogue_id=world.dialogue))


@pytest.mark.parametrize("body, path, number", [
    (revert("99"), "/properties/revision_id", "99"),
    (revert("2"), "/properties/revision_id", "2"),
    ([edit(RENAME), revert("3")], "/1/properties/revision_id", "3"),
    ([revert("1"), edit(RENAME), revert("99")], "/2/properties/revision_id", "99"),
], ids=["far-ahead", "next-number", "bulk-beyond-its-own", "bulk-third"])
def test_reverting_to_a_revision_that_does_not_exist_is_a_validation_error(api, world, body, path, number):
    before = stored()

    assert send(api, world, "create revision", body) == (422, validation(
        ("not_found", path, f"Revision {number} does not belong to dialogue {world.dialogue}")))
    assert stored() == before


@pytest.mark.parametrize("revision_id", ["99", "2", "abc", "0", "-1", ""])
def test_releasing_a_revision_that_does_not_exist_is_a_validation_error(api, world, revision_id):
    before = stored()

    assert send(api, world, "create release", {"revision_id": revision_id}) == (422, validation(
        ("not_found", "/revision_id", f"Revision {revision_id} does not belong to dialogue {world.dialogue}")))
    assert stored() == before


@pytest.mark.parametrize("route, body, path, message", [
    ("grant permission", {"type": "project:admin", "details": {"project_id": "999"}}, "/details/project_id",
     "Project 999 not found"),
    ("grant permission", {"type": "dialogue:read", "details": {"project_id": "1", "dialogue_id": "999"}},
     "/details/dialogue_id", "Dialogue 999 not found in project 1"),
    ("replace channel", {"project_id": "999"}, "/project_id", "Project 999 not found"),
    ("patch channel", [{"op": "replace", "path": "/project_id", "value": "999"}], "/project_id",
     "Project 999 not found"),
    ("create channel", {"provider_id": "999", "title": "@x", "address": "@x", "type": "twitter"}, "/provider_id",
     "Provider 999 not found"),
], ids=["permission-project", "permission-dialogue", "channel-project", "patched-channel-project",
        "channel-provider"])
def test_a_body_naming_something_that_does_not_exist_is_a_validation_error(api, world, route, body, path, message):
    before = stored()

    assert send(api, world, route, body) == (422, validation(("not_found", path, message)))
    assert stored() == before


# Unauthorized and forbidden

PROTECTED = [("GET", "/user", None), ("GET", "/projects/", None), ("POST", "/projects/", {"title": "x"}),
             ("GET", "/projects/{P}", None), ("GET", "/projects/{P}/dialogues/{D}", None),
             ("PATCH", "/projects/{P}/dialogues/{D}", [RENAME]),
             ("POST", "/projects/{P}/dialogues/{D}/revisions/", edit(RENAME)),
             ("GET", "/projects/{P}/dialogues/{D}/releases/", None), ("GET", "/users/", None),
             ("GET", "/channels/", None), ("GET", "/providers/", None)]


def _route(world, path):
    return path.replace("{P}", world.project).replace("{D}", world.dialogue)


@pytest.mark.parametrize("method, path, body", PROTECTED)
def test_a_request_without_a_token_is_unauthorized(api, world, method, path, body):
    before = stored()

    assert api.call(method, _route(world, path), body) == (401, {
        "type": "unauthorized", "message": "No token was sent", "details": {"reason": "token_missing"}})
    assert stored() == before


@pytest.mark.parametrize("method, path, body", PROTECTED)
def test_a_request_with_a_garbage_token_is_unauthorized(api, world, method, path, body):
    before = stored()

    assert api.call(method, _route(world, path), body, token="garbage") == (401, {
        "type": "unauthorized", "message": "The token is not valid", "details": {"reason": "token_invalid"}})
    assert stored() == before


def test_a_token_in_another_scheme_than_bearer_is_unauthorized(api, world):
    assert api.get("/projects/", headers={"Authorization": f"Basic {world.root}"}) == (401, {
        "type": "unauthorized", "message": "Expected 'Bearer <token>'", "details": {"reason": "token_invalid"}})


def test_a_refresh_token_is_not_an_access_token(api, world):
    tokens = _ok(api.post("/api/auth/login/", {"email": "root@example.com", "password": "twelve-chars-pw"}))["data"]

    assert api.get("/projects/", token=tokens["refresh_token"]) == (401, {
        "type": "unauthorized", "message": "Expected an access token", "details": {"reason": "token_invalid"}})


def test_an_expired_token_is_unauthorized(api, world, fixed_clock):
    fixed_clock.advance(days=1)

    assert api.get("/projects/", token=world.root) == (401, {
        "type": "unauthorized", "message": "The token has expired", "details": {"reason": "token_expired"}})


def forbidden(permission, **scope):
    return {"type": "forbidden", "message": f"This needs the {permission} permission",
            "details": {"permission": permission, **scope}}


FORBIDDEN = [
    pytest.param("nobody", "GET", "/projects/{P}", None,
                 lambda w: forbidden("project:dialogues:read", project_id=w.project), id="nobody-reads-a-project"),
    pytest.param("nobody", "GET", "/projects/{P}/dialogues/{D}", None,
                 lambda w: forbidden("project:dialogues:read", project_id=w.project), id="nobody-reads-a-dialogue"),
    pytest.param("nobody", "POST", "/projects/", {"title": "x"}, lambda w: forbidden("projects:create"),
                 id="nobody-creates-a-project"),
    pytest.param("other_admin", "PUT", "/projects/{P}", {"title": "x"},
                 lambda w: forbidden("project:admin", project_id=w.project), id="other-admin-replaces-a-project"),
    pytest.param("project_writer", "POST", "/projects/{P}/dialogues/", {"title": "x", "sequences": []},
                 lambda w: forbidden("project:admin", project_id=w.project), id="writer-creates-a-dialogue"),
    pytest.param("project_reader", "PUT", "/projects/{P}/dialogues/{D}", NO_CHANGE,
                 lambda w: forbidden("dialogue:write", project_id=w.project, dialogue_id=w.dialogue),
                 id="reader-replaces-a-dialogue"),
    pytest.param("dialogue_reader", "POST", "/projects/{P}/dialogues/{D}/revisions/", edit(RENAME),
                 lambda w: forbidden("dialogue:write", project_id=w.project, dialogue_id=w.dialogue),
                 id="dialogue-reader-writes-a-revision"),
    pytest.param("dialogue_writer", "GET", "/projects/{P}/dialogues/{D2}", None,
                 lambda w: forbidden("dialogue:read", project_id=w.project, dialogue_id=w.second),
                 id="dialogue-writer-reads-another-dialogue"),
    pytest.param("project_writer", "POST", "/projects/{P}/dialogues/{D}/releases/", {"revision_id": "1"},
                 lambda w: forbidden("project:admin", project_id=w.project), id="writer-releases"),
    pytest.param("creator", "GET", "/users/", None, lambda w: forbidden("admin"), id="creator-lists-users"),
    pytest.param("project_admin", "POST", "/users/{U}/permissions/", {"type": "admin"},
                 lambda w: forbidden("admin"), id="project-admin-grants-a-permission"),
    pytest.param("nobody", "GET", "/channels/", None, lambda w: forbidden("admin"), id="nobody-lists-channels"),
]


@pytest.mark.parametrize("who, method, path, body, expected", FORBIDDEN)
def test_a_caller_without_the_permission_is_forbidden_naming_it(api, world, who, method, path, body, expected):
    route = _route(world, path).replace("{D2}", world.second).replace("{U}", world.ids["nobody"])
    before = stored()

    assert api.call(method, route, body, token=world.tokens[who]) == (403, expected(world))
    assert stored() == before


# Bad query parameters

@pytest.mark.parametrize("path, query, param, message", [
    ("/revisions/", "ordering=bogus", "ordering",
     "ordering must be one of number, -number, created, -created, not bogus"),
    ("/releases/", "ordering=number,nope", "ordering",
     "ordering must be one of number, -number, created, -created, not nope"),
    ("/revisions/", "ordering=number&page=0", "page", "page must be at least 1"),
    ("/revisions/", "page=0", "page", "page must be at least 1"),
    ("/releases/", "page=0", "page", "page must be at least 1"),
    ("/revisions/", "per_page=abc", "per_page", "per_page must be an integer"),
    ("/releases/", "page=-1", "page", "page must be at least 1"),
], ids=["revisions-ordering", "releases-ordering", "page-zero-with-ordering", "revisions-page-zero",
        "releases-page-zero", "revisions-per-page-text", "releases-page-negative"])
def test_a_bad_history_query_parameter_is_an_invalid_param(api, world, path, query, param, message):
    assert api.get(f"{dialogue_path(world)}{path}?{query}", token=world.root) == (400, {
        "type": "invalid_param", "message": message, "details": {"param": param}})


@pytest.mark.parametrize("path, param, message", [
    ("/projects/?page=0", "page", "page must be at least 1"),
    ("/users/?per_page=abc", "per_page", "per_page must be an integer"),
    ("/projects/{P}/dialogues/?is_archived=maybe", "is_archived", "is_archived must be true or false"),
])
def test_a_bad_listing_query_parameter_is_an_invalid_param(api, world, path, param, message):
    assert api.get(_route(world, path), token=world.root) == (400, {
        "type": "invalid_param", "message": message, "details": {"param": param}})
