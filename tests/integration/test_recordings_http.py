"""The recordings API over real HTTP against `make run`'s server, DynamoDB Local and moto's S3:
both upload paths with real bytes, annotations and comments, and bad input."""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import HttpUser
from tests.mailbox import verified_http_user

PARTICIPANTS = [{"Name": "Ivy", "Email": "ivy@example.com", "Role": 1}, {"Name": "Guest", "Role": 0}]
PROMPTS = [{"Start": 0, "End": 4, "PromptID": 0}]  # PromptID filled in from the project's topic


@pytest.fixture(scope="module")
def ivy(local_stack):
    """Ivy, registered and verified by her mailed link: participants link only to verified accounts."""
    return verified_http_user(local_stack, "ivy@example.com")


@pytest.fixture(scope="module")
def project(ivy):
    response = ivy.call("POST", "/projects/", {"title": "Harbour voices", "description": "Dock workers remember",
                                               "privacy": "public", "topics": ["The docks"]})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def prompts(project):
    return [{**PROMPTS[0], "PromptID": project["topics"][0]["id"]}]


def test_a_recording_goes_to_s3_by_presigned_post_and_comes_back_by_the_sessions_url(ivy, project):
    audio = bytes(range(256)) * 40 + b"\r\n--not-a-boundary--\r\n"
    form = ivy.call("POST", f"/projects/{project['id']}/sessions/uploads/").json()["data"]

    uploaded = requests.post(form["url"], data={**form["fields"], "Content-Type": "audio/mpeg"},
                             files={"file": ("talk.mp3", audio, "audio/mpeg")}, timeout=30)
    created = ivy.call("POST", f"/projects/{project['id']}/sessions/",
                       {"recording_key": form["key"], "participants": PARTICIPANTS, "prompts": prompts(project)})
    session = created.json()["data"]
    shown = ivy.call("GET", f"/projects/{project['id']}/sessions/{session['id']}/").json()["data"]
    downloaded = requests.get(shown["recording_url"], timeout=30)

    assert uploaded.status_code in (200, 201, 204)
    assert created.status_code == 201, created.text
    assert session["participants"] == [{"name": "Ivy", "role": "interviewer", "user_id": shown["creator"]["user_id"]},
                                       {"name": "Guest", "role": "interviewee", "user_id": None}]
    assert session["topics"] == [{"id": project["topics"][0]["id"], "start": "0", "end": "4", "text": "The docks"}]
    assert (downloaded.status_code, downloaded.content) == (200, audio)


def test_a_session_is_refused_until_its_recording_is_uploaded(ivy, project):
    form = ivy.call("POST", f"/projects/{project['id']}/sessions/uploads/").json()["data"]

    response = ivy.call("POST", f"/projects/{project['id']}/sessions/",
                        {"recording_key": form["key"], "participants": [], "prompts": []})

    assert (response.status_code, response.json()["meta"]["errors"]) == (400, ["SESSION_RECORDING_NOT_UPLOADED"])


def test_the_legacy_multipart_upload_stores_the_audio_and_records_the_session(ivy, project):
    audio = b"\x00\xff" * 5000 + b"\r\n\r\n"

    response = ivy.call("POST", f"/projects/{project['id']}/sessions/", files={
        "recording": ("interview.m4a", audio, "audio/mp4"),
        "participants": (None, json.dumps(PARTICIPANTS)), "prompts": (None, json.dumps(prompts(project)))})
    session = response.json()["data"]

    assert response.status_code == 201, response.text
    assert requests.get(session["recording_url"], timeout=30).content == audio
    listed = ivy.call("GET", f"/projects/{project['id']}/sessions/").json()["data"]
    assert session["id"] in [s["id"] for s in listed]


def test_annotations_comments_and_replies_over_http(ivy, project):
    session = ivy.call("GET", f"/projects/{project['id']}/sessions/").json()["data"][0]
    base = f"/projects/{project['id']}/sessions/{session['id']}/annotations/"
    code = ivy.call("POST", f"/projects/{project['id']}/codes/", {"text": "Memory"}).json()["data"]

    annotation = ivy.call("POST", base, {"content": "Listen here", "start_interval": 1, "end_interval": 3,
                                         "tags": [code["id"]]}).json()["data"]
    comment = ivy.call("POST", f"{base}{annotation['id']}/comments/", {"content": "Good bit"}).json()["data"]
    reply = ivy.call("POST", f"{base}{annotation['id']}/comments/{comment['id']}", {"content": "Agreed"})
    listed = ivy.call("GET", base).json()["data"]
    deleted = ivy.call("DELETE", f"{base}{annotation['id']}/comments/{reply.json()['data']['id']}/")

    assert annotation["labels"] == [{"id": code["id"], "text": "Memory"}]
    assert reply.status_code == 201 and reply.json()["data"]["parent_id"] == comment["id"]
    mine = next(a for a in listed if a["id"] == annotation["id"])
    assert [c["content"] for c in mine["comments"]] == ["Good bit", "Agreed"]
    assert mine["comments"][0]["replies"] == [reply.json()["data"]["id"]]
    assert (deleted.status_code, deleted.content) == (204, b"")


def test_twenty_concurrent_projects_with_one_title_make_one(local_stack):
    people = [HttpUser(local_stack, f"racer{n}@example.com") for n in range(4)]

    def create(n):
        return people[n % 4].call("POST", "/projects/", {"title": f"Race {'title' if n % 2 else 'TITLE'}",
                                                         "description": "d", "privacy": "private", "topics": []})

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(r.status_code for r in pool.map(create, range(20)))

    assert statuses == [201] + [409] * 19


def test_bad_input_gets_documented_keys_never_a_500(ivy, project, local_stack):
    other = ivy.call("POST", "/projects/", {"title": "Elsewhere", "description": "d", "privacy": "private",
                                            "topics": []}).json()["data"]
    session = ivy.call("GET", f"/projects/{project['id']}/sessions/").json()["data"][0]
    cases = [
        ("POST", "/projects/", "x" * 2_000_000, 413, ["GENERAL_BODY_TOO_LARGE"]),
        ("POST", "/projects/", '{"title": ', 400, ["GENERAL_INVALID_JSON"]),
        ("POST", "/projects/", {"title": ["t"], "description": {}, "privacy": 1, "topics": [None]}, 400,
         ["PROJECTS_TITLE_IS_NOT_STRING", "PROJECTS_DESCRIPTION_IS_NOT_STRING", "PROJECTS_PRIVACY_IS_NOT_STRING",
          "PROJECTS_TOPIC_IS_NOT_STRING"]),
        ("PUT", f"/projects/{project['id']}/", {"topics": [{"id": 10**40, "text": "x", "is_active": 1}]}, 400,
         ["TOPICS_ID_NOT_PROJECT"]),
        ("GET", f"/projects/{other['id']}/sessions/{session['id']}/", None, 404, ["SESSION_NOT_IN_PROJECT"]),
        ("POST", f"/projects/{project['id']}/sessions/{session['id']}/annotations/",
         {"content": "c", "start_interval": 10**40, "end_interval": 10**40 + 1}, 400,
         ["START_INTERVAL_IS_NOT_INT", "END_INTERVAL_IS_NOT_INT"]),
        ("POST", f"/projects/{project['id']}/sessions/",
         {"recording_key": "k", "participants": [], "prompts": [{"Start": 0, "End": 10**40, "PromptID": 1}]}, 400,
         ["SESSION_PROMPTS_INVALID"]),
        ("GET", f"/projects/{project['id']}/sessions/{session['id']}/annotations/{'9' * 40}/", None, 404,
         ["ANNOTATION_404"]),
        ("POST", f"/projects/{project['id']}/sessions/", {"recording_key": "recordings/1/../../x",
                                                          "participants": [], "prompts": []}, 400,
         ["SESSION_RECORDING_KEY_INVALID"]),
    ]
    foreign_cursor = "eyJpZCI6eyJTIjoiYSJ9fQ"  # {"id": {"S": "a"}}: well formed, but not this index's key
    cases += [
        ("GET", f"/projects/{project['id']}/sessions/?cursor={foreign_cursor}", None, 400, ["GENERAL_INVALID_CURSOR"]),
        ("GET", f"/projects/{project['id']}/sessions/{'a' * 3000}/", None, 404, ["SESSION_UNKNOWN"]),
        ("GET", "/projects/\u00b2/", None, 404, ["PROJECT_DOES_NOT_EXIST"]),
        ("POST", "/projects/", '{"title": ' + "1" * 5000 + "}", 400, ["GENERAL_INVALID_JSON"]),
    ]
    for method, path, body, status, keys in cases:
        raw = body if isinstance(body, str) else None
        response = ivy.call(method, path, None if raw else body, data=raw)
        assert (response.status_code, response.json()["meta"]["errors"]) == (status, keys), (method, path)


def test_every_project_membership_annotation_and_comment_route_over_http(local_stack, ivy, project):
    guest = HttpUser(local_stack, "guest@example.com")
    pid = project["id"]
    created = ivy.call("POST", "/projects/", {"title": "Sweep", "description": "d", "privacy": "public",
                                              "topics": ["A"]}).json()["data"]
    sweep = created["id"]
    steps = [
        (guest.call("GET", "/projects/"), 200),
        (ivy.call("GET", f"/projects/{sweep}/"), 200),
        (ivy.call("PUT", f"/projects/{sweep}/", {"id": sweep, "title": "Sweep 2", "privacy": "private",
                                                 "topics": [{"text": "B", "is_active": 1}]}), 200),
        (guest.call("POST", f"/projects/{sweep}/membership/"), 403),
        (guest.call("POST", f"/projects/{pid}/membership/"), 200),
        (guest.call("DELETE", f"/projects/{pid}/membership/"), 200),
        (ivy.call("DELETE", f"/projects/{pid}/membership/"), 403),
        (ivy.call("GET", f"/projects/{pid}/codes/"), 200),
    ]
    session = ivy.call("GET", f"/projects/{pid}/sessions/").json()["data"][0]
    base = f"/projects/{pid}/sessions/{session['id']}/annotations/"
    note = ivy.call("POST", base, {"content": "x", "start_interval": 0, "end_interval": 1}).json()["data"]
    comment = ivy.call("POST", f"{base}{note['id']}/comments/", {"content": "c"}).json()["data"]
    steps += [
        (ivy.call("GET", f"{base}{note['id']}/"), 200),
        (ivy.call("PUT", f"{base}{note['id']}/", {"content": "y", "start_interval": 1, "end_interval": 2,
                                                  "tags": []}), 200),
        (ivy.call("GET", f"{base}{note['id']}/comments/"), 200),
        (ivy.call("GET", f"{base}{note['id']}/comments/{comment['id']}/"), 200),
        (guest.call("PUT", f"{base}{note['id']}/comments/{comment['id']}/", {"content": "mine"}), 403),
        (ivy.call("PUT", f"{base}{note['id']}/comments/{comment['id']}/", {"content": "edited"}), 200),
        (ivy.call("DELETE", f"{base}{note['id']}/comments/{comment['id']}/"), 204),
        (ivy.call("DELETE", f"{base}{note['id']}/"), 200),
        (ivy.call("GET", f"{base}{note['id']}/"), 404),
        (ivy.call("DELETE", f"/projects/{sweep}/"), 200),
        (ivy.call("GET", f"/projects/{sweep}/"), 404),
    ]

    assert [response.status_code for response, _ in steps] == [status for _, status in steps]
    for response, _ in steps:
        assert response.status_code == 204 or "meta" in response.json()
