"""Issue 17 item 6 over real HTTP (`make run`'s server): a private project's reads answer an anonymous caller
(no token) 403 `PROJECT_UNAUTHORIZED`, as they answer a non-member's token; a malformed token sent stays a 401."""
import json

import pytest

from tests.conftest import HttpUser
from tests.mailbox import verified_http_user

UNAUTHORIZED = {"data": None, "meta": {"success": False, "errors": ["PROJECT_UNAUTHORIZED"]}}


@pytest.fixture(scope="module")
def keeper(local_stack):
    """The private project's creator, registered and verified by the mailed link."""
    return verified_http_user(local_stack, "keeper@example.com")


@pytest.fixture(scope="module")
def private_paths(keeper):
    """Every read path of a private project holding a session, an annotation and a comment."""
    created = keeper.call("POST", "/projects/", {"title": "Closed archive", "description": "Members only",
                                                 "privacy": "private", "topics": ["Letters"]})
    assert created.status_code == 201, created.text
    pid = created.json()["data"]["id"]
    session = keeper.call("POST", f"/projects/{pid}/sessions/", files={
        "recording": ("talk.mp3", b"ID3" + bytes(500), "audio/mpeg"),
        "participants": (None, json.dumps([])), "prompts": (None, json.dumps([]))})
    assert session.status_code == 201, session.text
    base = f"/projects/{pid}/sessions/{session.json()['data']['id']}/"
    note = keeper.call("POST", f"{base}annotations/", {"content": "n", "start_interval": 0, "end_interval": 1})
    assert note.status_code == 201, note.text
    annotation = f"{base}annotations/{note.json()['data']['id']}/"
    comment = keeper.call("POST", f"{annotation}comments/", {"content": "c"})
    assert comment.status_code == 201, comment.text
    return [f"/projects/{pid}/", f"/projects/{pid}/codes/", f"/projects/{pid}/sessions/", base,
            f"{base}annotations/", annotation, f"{annotation}comments/",
            f"{annotation}comments/{comment.json()['data']['id']}/"]


def test_an_anonymous_caller_of_a_private_project_gets_403_project_unauthorized_over_http(
        local_stack, keeper, private_paths):
    outsider = HttpUser(local_stack, "outsider@example.com")

    for path in private_paths:
        anonymous = keeper.http.request("GET", keeper.base + path, headers={"Authorization": None}, timeout=30)
        non_member = outsider.call("GET", path)

        assert (anonymous.status_code, anonymous.json()) == (403, UNAUTHORIZED), path
        assert (non_member.status_code, non_member.json()) == (403, UNAUTHORIZED), path
        assert keeper.call("GET", path).status_code == 200, path


def test_a_malformed_token_sent_to_a_private_project_stays_a_401_over_http(keeper, private_paths):
    response = keeper.http.request("GET", keeper.base + private_paths[0],
                                   headers={"Authorization": "Bearer not-a-token"}, timeout=30)

    assert (response.status_code, response.json()["meta"]["errors"]) == (401, ["AUTH_TOKEN_INVALID"])
