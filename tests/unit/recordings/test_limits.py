"""Inputs that must end in a 4xx, never a 500: sizes that DynamoDB would refuse, odd ids, odd forms."""
import json

import boto3
import pytest

from chalicelib.recordings import comments
from chalicelib.recordings.models import Project, RecordedSession
from tests.unit.recordings.test_sessions import multipart_body


def test_a_project_holds_at_most_100_topics_counting_soft_deleted_ones(api, owner, project):
    many = [{"text": "t" * 280, "is_active": 0} for _ in range(98)]
    assert api.put("/api/projects/1/", {"topics": many}, token=owner)[0] == 200

    status, body = api.put("/api/projects/1/", {"topics": [{"text": "one more", "is_active": 1}]}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["PROJECTS_TOPICS_TOO_MANY"])
    assert len(Project.get(1).topics) == 100


def test_put_accepts_the_get_body_sent_back(api, owner, project):
    status, body = api.put("/api/projects/1/", {**project, "description": "Edited"}, token=owner)

    assert (status, body["data"]["description"]) == (200, "Edited")


@pytest.mark.parametrize(("path", "key"), [
    ("/api/projects/²/", "PROJECT_DOES_NOT_EXIST"),
    ("/api/projects/١/", "PROJECT_DOES_NOT_EXIST"),
    ("/api/projects/1/sessions/" + "a" * 3000 + "/", "SESSION_UNKNOWN"),
    ("/api/projects/1/sessions/ABCDEF0123456789ABCDEF0123456789/", "SESSION_UNKNOWN"),
])
def test_odd_path_ids_name_nothing(api, project, path, key):
    status, body = api.get(path)

    assert (status, body["meta"]["errors"]) == (404, [key])


def test_membership_of_a_non_numeric_project_is_project_unknown(api, owner):
    assert api.post("/api/projects/abc/membership/", token=owner)[1]["meta"]["errors"] == ["PROJECT_UNKNOWN"]


@pytest.mark.parametrize(("participants", "content_type", "key"), [
    (b"[" * 200_000, "audio/mpeg", "SESSION_FORM_INVALID"),
    (b'[{"Name": "\\ud800", "Role": 1}]', "audio/mpeg", "SESSION_FORM_INVALID"),
    (b"[]", "text/html", "SESSION_RECORDING_NOT_AUDIO"),
    (b"[]", None, "SESSION_RECORDING_NOT_AUDIO"),
])
def test_the_legacy_upload_refuses_odd_forms_and_stores_nothing(api, owner, project, bucket, participants,
                                                                 content_type, key):
    body, form_type = multipart_body({"recording": ("a", content_type, b"<html>"),
                                      "participants": (None, None, participants), "prompts": (None, None, b"[]")})

    status, payload = api.call("POST", "/api/projects/1/sessions/", raw=body, token=owner,
                               headers={"Content-Type": form_type})

    assert (status, payload["meta"]["errors"]) == (400, [key])
    assert RecordedSession.count() == 0
    assert boto3.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_comment_takes_a_bounded_number_of_replies(api, owner, recording_session, monkeypatch):
    monkeypatch.setattr(comments, "MAX_REPLIES", 2)
    base = f"/api/projects/1/sessions/{recording_session['id']}/annotations/"
    api.post(base, {"content": "n", "start_interval": 0, "end_interval": 1}, token=owner)
    api.post(f"{base}1/comments/", {"content": "parent"}, token=owner)
    for n in range(2):
        assert api.post(f"{base}1/comments/1/", {"content": f"reply {n}"}, token=owner)[0] == 201

    status, body = api.post(f"{base}1/comments/1/", {"content": "one too many"}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["COMMENT_REPLIES_LIMIT"])
    assert json.loads(json.dumps(api.get(f"{base}1/comments/1/")[1]["data"]["replies"])) == [2, 3]
