"""/api/projects/<pid>/sessions: the presigned and legacy uploads, listing and showing sessions."""
import base64
import json
import re

import boto3
import pytest

from chalicelib.recordings.models import RecordedSession
from tests.unit.recordings.conftest import PARTICIPANTS, PROMPTS


def test_the_upload_route_gives_a_presigned_post_limited_to_audio(api, owner, project, bucket):
    status, body = api.post("/api/projects/1/sessions/uploads/", token=owner)

    assert status == 201
    form = body["data"]
    assert re.fullmatch(r"uploads/recordings/1/[0-9a-f]{32}", form["key"])
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, 500 * 1024 * 1024] in policy["conditions"]
    assert ["starts-with", "$Content-Type", "audio/"] in policy["conditions"]
    assert {"key": form["key"]} in policy["conditions"]


def test_a_session_is_recorded_from_an_uploaded_key(api, owner, recording_session):
    session = recording_session

    assert len(session["id"]) == 32 and int(session["id"], 16) >= 0
    assert session["creator"] == {"name": "Olive Owner", "user_id": 1}
    assert session["participants"] == [{"name": "Olive", "role": "interviewer", "user_id": 1},
                                       {"name": "Henry", "role": "interviewee", "user_id": None}]
    assert session["topics"] == [{"id": 1, "start": "0", "end": "10", "text": "Childhood"},
                                 {"id": 2, "start": "10", "end": "25", "text": "Work"}]
    assert session["user_annotations"] == [] and session["created_on"] == "23-Nov-2026"
    stored = RecordedSession.get(session["id"])
    assert stored.recording_bytes == len(b"ID3-audio-bytes")
    assert stored.recording_key in session["recording_url"] and "X-Amz-Expires=3600" in session["recording_url"]


def test_a_recorded_session_keeps_its_audio_out_of_staging(api, owner, recording_session, bucket):
    key = RecordedSession.get(recording_session["id"]).recording_key

    assert re.fullmatch(r"recordings/1/[0-9a-f]{32}", key)
    s3 = boto3.client("s3")
    kept = s3.get_object(Bucket=bucket, Key=key)
    assert (kept["Body"].read(), kept["ContentType"]) == (b"ID3-audio-bytes", "audio/mpeg")
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_a_session_needs_its_recording_uploaded_first(api, owner, project, bucket):
    _, form = api.post("/api/projects/1/sessions/uploads/", token=owner)

    status, body = api.post("/api/projects/1/sessions/", {"recording_key": form["data"]["key"],
                                                          "participants": [], "prompts": []}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["SESSION_RECORDING_NOT_UPLOADED"])
    assert RecordedSession.count() == 0


@pytest.mark.parametrize("key", ["uploads/recordings/2/" + "a" * 32, "recordings/1/" + "a" * 32, "elsewhere/x",
                                 "uploads/recordings/1/a/b", "uploads/recordings/1/", "uploads/recordings/1"])
def test_a_session_refuses_a_key_outside_the_projects_uploads(api, owner, project, bucket, key):
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=b"x")

    status, body = api.post("/api/projects/1/sessions/", {"recording_key": key, "participants": [],
                                                          "prompts": []}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["SESSION_RECORDING_KEY_INVALID"])


@pytest.mark.parametrize(("body", "keys"), [
    ({}, ["SESSION_RECORDING_KEY_REQUIRED", "SESSION_PARTICIPANTS_REQUIRED", "SESSION_PROMPTS_REQUIRED"]),
    ({"recording_key": 5, "participants": {}, "prompts": "x"},
     ["SESSION_RECORDING_KEY_IS_NOT_STRING", "SESSION_PARTICIPANTS_MUST_BE_LIST", "SESSION_PROMPTS_MUST_BE_LIST"]),
    ({"recording_key": "k", "participants": [{"Name": "A", "Role": 3}], "prompts": []},
     ["SESSION_PARTICIPANTS_INVALID"]),
    ({"recording_key": "k", "participants": [], "prompts": [{"Start": 5, "End": 1, "PromptID": 1}]},
     ["SESSION_PROMPTS_INVALID"]),
])
def test_session_fields_are_checked(api, owner, project, bucket, body, keys):
    status, payload = api.post("/api/projects/1/sessions/", body, token=owner)

    assert (status, payload["meta"]["errors"]) == (400, keys)


def test_a_prompt_must_be_one_of_the_projects_topics(api, owner, project, bucket):
    _, form = api.post("/api/projects/1/sessions/uploads/", token=owner)
    boto3.client("s3").put_object(Bucket=bucket, Key=form["data"]["key"], Body=b"x")

    status, body = api.post("/api/projects/1/sessions/", {
        "recording_key": form["data"]["key"], "participants": [],
        "prompts": [{"Start": 0, "End": 1, "PromptID": 99}]}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["SESSION_PROMPT_NOT_IN_PROJECT"])


def multipart_body(fields, boundary="xYzBoundary"):
    parts = []
    for name, (filename, content_type, data) in fields.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        parts.append(head.encode() + b"\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_the_legacy_multipart_upload_records_a_session_and_stores_the_audio(api, owner, project, bucket):
    audio = b"\x00\xffRIFF\r\n-audio-\r\n"
    body, content_type = multipart_body({
        "recording": ("talk.mp3", "audio/mpeg", audio),
        "participants": (None, None, json.dumps(PARTICIPANTS).encode()),
        "prompts": (None, None, json.dumps(PROMPTS).encode())})

    status, payload = api.call("POST", "/api/projects/1/sessions/", raw=body, token=owner,
                               headers={"Content-Type": content_type})

    assert status == 201, payload
    stored = RecordedSession.get(payload["data"]["id"])
    assert re.fullmatch(r"recordings/1/[0-9a-f]{32}", stored.recording_key)
    assert boto3.client("s3").get_object(Bucket=bucket, Key=stored.recording_key)["Body"].read() == audio
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    assert [t["text"] for t in payload["data"]["topics"]] == ["Childhood", "Work"]


@pytest.mark.parametrize(("fields", "status", "keys"), [
    ({"participants": (None, None, b"[]"), "prompts": (None, None, b"[]")}, 400, ["SESSION_RECORDING_REQUIRED"]),
    ({"recording": ("a.mp3", "audio/mpeg", b"x"), "participants": (None, None, b"[nope"),
      "prompts": (None, None, b"[]")}, 400, ["SESSION_FORM_INVALID"]),
    ({"recording": ("a.mp3", "audio/mpeg", b"x"), "prompts": (None, None, b"[]")}, 400,
     ["SESSION_PARTICIPANTS_REQUIRED"]),
    ({"recording": ("a.mp3", "audio/mpeg", b"x" * (4 * 1024 * 1024 + 1)), "participants": (None, None, b"[]"),
      "prompts": (None, None, b"[]")}, 400, ["SESSION_RECORDING_TOO_LARGE"]),
])
def test_the_legacy_upload_refuses_a_bad_form_and_stores_nothing(api, owner, project, bucket, fields, status, keys):
    body, content_type = multipart_body(fields)

    answer, payload = api.call("POST", "/api/projects/1/sessions/", raw=body, token=owner,
                               headers={"Content-Type": content_type})

    assert (answer, payload["meta"]["errors"]) == (status, keys)
    assert RecordedSession.count() == 0
    assert boto3.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_truncated_multipart_body_is_a_bad_form(api, owner, project, bucket):
    body, content_type = multipart_body({"recording": ("a.mp3", "audio/mpeg", b"abc")})

    status, payload = api.call("POST", "/api/projects/1/sessions/", raw=body[:-20], token=owner,
                               headers={"Content-Type": content_type})

    assert (status, payload["meta"]["errors"]) == (400, ["SESSION_FORM_INVALID"])


def test_only_members_may_upload_or_record(api, owner, project, bucket):
    other = api.sign_up("other@example.com")

    assert api.post("/api/projects/1/sessions/uploads/", token=other)[1]["meta"]["errors"] == ["PROJECT_UNAUTHORIZED"]
    status, body = api.post("/api/projects/1/sessions/", {"recording_key": "k", "participants": [], "prompts": []},
                            token=other)
    assert (status, body["meta"]["errors"]) == (403, ["PROJECT_UNAUTHORIZED"])


def test_sessions_are_listed_newest_first_in_pages(api, owner, project, bucket, fixed_clock):
    ids = []
    for _ in range(3):
        _, form = api.post("/api/projects/1/sessions/uploads/", token=owner)
        boto3.client("s3").put_object(Bucket=bucket, Key=form["data"]["key"], Body=b"x")
        ids.append(api.post("/api/projects/1/sessions/", {"recording_key": form["data"]["key"], "participants": [],
                                                          "prompts": []}, token=owner)[1]["data"]["id"])
        fixed_clock.advance(minutes=1)

    _, first = api.get("/api/projects/1/sessions/?limit=2")
    _, second = api.get(f"/api/projects/1/sessions?limit=2&cursor={first['meta']['next_cursor']}")

    assert [s["id"] for s in first["data"] + second["data"]] == ids[::-1]
    assert second["meta"]["next_cursor"] is None


@pytest.mark.parametrize(("query", "key"), [("limit=0", "GENERAL_INVALID_PARAMETER"),
                                            ("limit=x", "GENERAL_INVALID_PARAMETER"),
                                            ("cursor=%7B", "GENERAL_INVALID_CURSOR")])
def test_a_bad_page_parameter_is_a_400(api, project, query, key):
    status, body = api.get(f"/api/projects/1/sessions/?{query}")

    assert (status, body["meta"]["errors"]) == (400, [key])


def test_show_finds_a_session_only_under_its_own_project(api, owner, recording_session):
    api.post("/api/projects/", {"title": "Another", "description": "d", "privacy": "public", "topics": []},
             token=owner)
    sid = recording_session["id"]

    assert api.get(f"/api/projects/1/sessions/{sid}/")[1]["data"]["id"] == sid
    assert api.get(f"/api/projects/2/sessions/{sid}/")[1]["meta"]["errors"] == ["SESSION_NOT_IN_PROJECT"]
    status, body = api.get(f"/api/projects/1/sessions/{'0' * 32}/")
    assert (status, body["meta"]["errors"]) == (404, ["SESSION_UNKNOWN"])


def test_a_private_projects_sessions_are_for_members_only(api, owner, private_project, bucket):
    other = api.sign_up("other@example.com")

    assert api.get("/api/projects/1/sessions/", token=owner)[0] == 200
    assert api.get("/api/projects/1/sessions/", token=other)[1]["meta"]["errors"] == ["PROJECT_UNAUTHORIZED"]
