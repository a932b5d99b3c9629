"""The recordings contracts' failures as the document's key lists: one key per failing value (its first failing
keyword), each key once, in the order the contract declares the fields; and answers true to their schemas."""
import re

import boto3
import pytest

from chalicelib.core.contracts import failures
from chalicelib.core.openapi import declared
from chalicelib.recordings import contracts
from chalicelib.recordings.models import Annotation, Project, RecordedSession
from tests.unit.recordings.conftest import PARTICIPANTS, PROJECT, PROMPTS
from tests.unit.recordings.test_sessions import multipart_body

NOTE = {"content": "Hello world", "start_interval": 3, "end_interval": 10}


@pytest.mark.parametrize(("change", "keys"), [
    # A null is missing (the `not: null` keyword), before it is not a string.
    ({"title": None, "privacy": None}, ["PROJECTS_TITLE_REQUIRED", "PROJECTS_PRIVACY_REQUIRED"]),
    # A blank text is missing too, before it is too long: the first failing keyword names the value.
    ({"title": " " * 201}, ["PROJECTS_TITLE_REQUIRED"]),
    # Blank as Python's str.strip() has it, in any regex engine (\x1e and \x85 are space to Python, not ECMA).
    ({"title": "\x1e\x85\u3000"}, ["PROJECTS_TITLE_REQUIRED"]),
    ({"privacy": 1}, ["PROJECTS_PRIVACY_IS_NOT_STRING"]),
    ({"privacy": " "}, ["PROJECTS_PRIVACY_REQUIRED"]),
    # Each key once, though several topics fail alike.
    ({"topics": [1, "ok", 2]}, ["PROJECTS_TOPIC_IS_NOT_STRING"]),
    ({"topics": ["ok", 1, " "]}, ["PROJECTS_TOPIC_IS_NOT_STRING", "PROJECTS_TOPIC_IS_EMPTY"]),
])
def test_create_names_each_failing_value_by_its_first_failing_keyword(api, owner, change, keys):
    assert api.post("/api/projects/", {**PROJECT, **change}, token=owner)[1]["meta"]["errors"] == keys
    assert Project.count() == 0


def test_a_missing_field_is_keyed_by_its_own_schema(api, owner):
    status, body = api.post("/api/projects/", {}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["PROJECTS_TITLE_REQUIRED", "PROJECTS_DESCRIPTION_REQUIRED",
                                                      "PROJECTS_PRIVACY_REQUIRED", "PROJECTS_TOPICS_REQUIRED"])


@pytest.mark.parametrize("raw", ["[]", '"text"', "null", "3", ""])
def test_a_body_that_is_not_an_object_is_invalid_json(api, owner, recording_session, raw):
    base = f"/api/projects/1/sessions/{recording_session['id']}/annotations/"
    for method, path in [("POST", "/api/projects/"), ("PUT", "/api/projects/1/"), ("POST", "/api/projects/1/codes/"),
                         ("POST", "/api/projects/1/sessions/"), ("POST", base)]:
        status, body = api.call(method, path, raw=raw, token=owner)
        assert (status, body["meta"]["errors"]) == (400, ["GENERAL_INVALID_JSON"]), path


def test_the_token_is_checked_before_the_body(api, project):
    assert api.call("POST", "/api/projects/", raw="[]")[1]["meta"]["errors"] == ["AUTH_TOKEN_MISSING"]


@pytest.mark.parametrize(("body", "keys"), [
    # Nested in a topic: each missing key read from the missing property's schema.
    ({"topics": [{}]}, ["TOPICS_IS_ACTIVE_KEY_404", "TOPICS_TEXT_KEY_404"]),
    ({"topics": [{"text": None, "is_active": True}]}, ["TOPICS_TEXT_KEY_404"]),
    ({"topics": [{"text": "a", "is_active": 1, "id": True}]}, ["TOPICS_ID_NOT_PROJECT"]),
    ({"topics": "x"}, ["PROJECTS_TOPIC_MUST_BE_LIST"]),
    ({"creator": "1"}, ["USER_404"]),
    ({"creator": 2 ** 53}, ["USER_404"]),
    # A rule the schema cannot hold (the path's id) stays in the service.
    ({"id": "1"}, ["ID_404"]),
])
def test_update_keys_nested_failures(api, owner, project, body, keys):
    assert api.put("/api/projects/1/", body, token=owner)[1]["meta"]["errors"] == keys
    assert Project.get(1).version == 1


def test_a_null_topic_list_leaves_the_topics(api, owner, project):
    status, body = api.put("/api/projects/1/", {"topics": None, "creator": {"user_id": 1}}, token=owner)

    assert (status, len(body["data"]["topics"])) == (200, 2)


@pytest.mark.parametrize(("change", "keys"), [
    ({"content": None, "start_interval": None}, ["CONTENT_REQUIRED", "START_INTERVAL_REQUIRED"]),
    ({"content": "c" * 5001}, ["CONTENT_TOO_LONG"]),
    ({"start_interval": -1, "end_interval": 2 ** 53},
     ["START_INTERVAL_MUST_BE_POSITIVE_INT", "END_INTERVAL_IS_NOT_INT"]),
    ({"tags": [True]}, ["TAG_IS_NOT_INT"]),
    ({"tags": list(range(51))}, ["TAGS_TOO_MANY"]),
])
def test_annotation_keys(api, owner, recording_session, change, keys):
    base = f"/api/projects/1/sessions/{recording_session['id']}/annotations/"

    assert api.post(base, {**NOTE, **change}, token=owner)[1]["meta"]["errors"] == keys
    assert Annotation.count() == 0


def test_start_before_end_is_checked_before_the_creator(api, owner, recording_session):
    base = f"/api/projects/1/sessions/{recording_session['id']}/annotations/"
    api.post(base, NOTE, token=owner)
    member = api.sign_up("member@example.com")
    api.post("/api/projects/1/membership/", token=member)

    assert api.put(f"{base}1/", {**NOTE, "start_interval": 11}, token=member)[1]["meta"]["errors"] == \
        ["START_BEFORE_END"]


@pytest.mark.parametrize(("path", "body", "keys"), [
    ("codes/", {"text": " "}, ["CODE_TEXT_REQUIRED"]),
    ("codes/", {"text": "t" * 201}, ["CODE_TEXT_TOO_LONG"]),
    ("sessions/{sid}/annotations/1/comments/", {}, ["USER_COMMENT_CONTENT_KEY_REQUIRED"]),
    ("sessions/{sid}/annotations/1/comments/", {"content": " "}, ["USER_COMMENT_IS_EMPTY"]),
    ("sessions/{sid}/annotations/1/comments/", {"content": ["x"]}, ["USER_COMMENT_IS_NOT_STRING"]),
])
def test_code_and_comment_keys(api, owner, recording_session, path, body, keys):
    api.post(f"/api/projects/1/sessions/{recording_session['id']}/annotations/", NOTE, token=owner)

    status, answer = api.post("/api/projects/1/" + path.format(sid=recording_session["id"]), body, token=owner)

    assert (status, answer["meta"]["errors"]) == (400, keys)


@pytest.mark.parametrize(("body", "keys"), [
    ({"recording_key": None, "participants": None, "prompts": None},
     ["SESSION_RECORDING_KEY_REQUIRED", "SESSION_PARTICIPANTS_REQUIRED", "SESSION_PROMPTS_REQUIRED"]),
    ({"recording_key": " ", "participants": [{"Name": " ", "Role": 1}, {"Role": True}, 3],
      "prompts": [{"Start": 0, "End": 1, "PromptID": 1}] * 101},
     ["SESSION_RECORDING_KEY_REQUIRED", "SESSION_PARTICIPANTS_INVALID", "SESSION_PROMPTS_MUST_BE_LIST"]),
    ({"recording_key": "k", "participants": [{"Name": "A", "Role": 1, "Email": 5}],
      "prompts": [{"Start": 0, "End": -1, "PromptID": 1}]},
     ["SESSION_PARTICIPANTS_INVALID", "SESSION_PROMPTS_INVALID"]),
])
def test_session_keys(api, owner, project, bucket, body, keys):
    assert api.post("/api/projects/1/sessions/", body, token=owner)[1]["meta"]["errors"] == keys


@pytest.mark.parametrize(("fields", "keys"), [
    ({"participants": b"null", "prompts": b"[]"}, ["SESSION_PARTICIPANTS_REQUIRED"]),
    ({"participants": b"[]"}, ["SESSION_PROMPTS_REQUIRED"]),
    ({"participants": b"[]", "prompts": b'[{"Start": 5, "End": 1, "PromptID": 1}]'}, ["SESSION_PROMPTS_INVALID"]),
])
def test_the_legacy_forms_json_fields_have_the_same_keys(api, owner, project, bucket, fields, keys):
    form = {"recording": ("a.mp3", "audio/mpeg", b"x"), **{name: (None, None, data) for name, data in fields.items()}}
    raw, content_type = multipart_body(form)

    status, body = api.call("POST", "/api/projects/1/sessions/", raw=raw, token=owner,
                            headers={"Content-Type": content_type})

    assert (status, body["meta"]["errors"]) == (400, keys)
    assert RecordedSession.count() == 0
    assert boto3.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount") == 0


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=1.5", "limit=-3"])
def test_a_bad_query_parameter_is_general_invalid_parameter(api, project, query):
    status, body = api.get(f"/api/projects/1/sessions/?{query}")

    assert (status, body["meta"]["errors"]) == (400, ["GENERAL_INVALID_PARAMETER"])


def test_a_limit_over_50_gives_50(api, project):
    assert api.get("/api/projects/1/sessions/?limit=9999")[0] == 200


def test_every_recordings_route_declares_its_contract_and_path_parameters(app_routes):
    assert len(app_routes) == 24
    for path, method, contract, surface in app_routes:
        assert surface.tag == "Recordings", (path, method)
        assert set(re.findall(r"{(\w+)}", path)) == set(contract.params), (path, method)
        assert contract.answers and contract.security, (path, method)


@pytest.fixture
def app_routes():
    import app

    found = []
    for path, methods in app.app.routes.items():
        for method, entry in methods.items():
            if entry.view_function.__module__ == "chalicelib.recordings.routes":
                contract, surface = declared(entry)
                found.append((path, method, contract, surface))
    return found


def test_answers_fit_their_schemas(api, owner, recording_session):
    sid = recording_session["id"]
    base = f"/api/projects/1/sessions/{sid}/annotations/"
    api.post("/api/projects/1/codes/", {"text": "A code"}, token=owner)
    answers = [
        (contracts.INDEX, api.get("/api/projects/", token=owner)),
        (contracts.SHOW, api.get("/api/projects/1/")),
        (contracts.CODES, api.get("/api/projects/1/codes/")),
        (contracts.CREATE_ANNOTATION, api.post(base, {**NOTE, "tags": [1]}, token=owner)),
        (contracts.CREATE_COMMENT, api.post(f"{base}1/comments/", {"content": "c"}, token=owner)),
        (contracts.REPLY, api.post(f"{base}1/comments/1/", {"content": "r"}, token=owner)),
        (contracts.SESSIONS, api.get("/api/projects/1/sessions/?limit=1")),
        (contracts.SHOW_SESSION, api.get(f"/api/projects/1/sessions/{sid}/")),
        (contracts.UPLOAD, api.post("/api/projects/1/sessions/uploads/", token=owner)),
        (contracts.JOIN, api.post("/api/projects/1/membership/", token=api.sign_up("x@example.com"))),
        (contracts.DELETE_ANNOTATION, api.delete(f"{base}1/", token=owner)),
    ]
    for contract, (status, body) in answers:
        assert status in contract.answers, (contract.summary, status, body)
        assert failures(contract.answers[status], body) == [], contract.summary


def test_the_shared_fixtures_fit_the_session_schema(api, owner, project, bucket):
    assert failures(contracts.UPLOADED_SESSION, {"recording_key": "k", "participants": PARTICIPANTS,
                                                 "prompts": PROMPTS}) == []
