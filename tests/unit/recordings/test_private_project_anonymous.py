"""Issue 17 item 6: a private project's reads answer an anonymous caller (no token) as they answer a
non-member's token, 403 `PROJECT_UNAUTHORIZED` ("You are unauthorized to view this project"); a token that is
sent but bad stays a 401."""
import pytest

from tests.unit.recordings.conftest import PROJECT

READS = ["", "codes/", "sessions/", "sessions/{sid}/", "sessions/{sid}/annotations/",
         "sessions/{sid}/annotations/1/", "sessions/{sid}/annotations/1/comments/",
         "sessions/{sid}/annotations/1/comments/1/"]


@pytest.fixture
def private_reads(api, owner, project, recording_session):
    """Every read path of project 1, made private after a session, an annotation and a comment were added."""
    sid = recording_session["id"]
    base = f"/api/projects/1/sessions/{sid}/annotations/"
    assert api.post(base, {"content": "n", "start_interval": 0, "end_interval": 1}, token=owner)[0] == 201
    assert api.post(f"{base}1/comments/", {"content": "c"}, token=owner)[0] == 201
    status, body = api.put("/api/projects/1/", {**PROJECT, "privacy": "private", "topics": None}, token=owner)
    assert (status, body["data"]["is_public"]) == (200, False), body
    return [f"/api/projects/1/{path.format(sid=sid)}" for path in READS]


def test_an_anonymous_caller_gets_what_a_non_member_gets_on_every_read_of_a_private_project(
        api, owner, private_reads):
    other = api.sign_up("other@example.com")

    for path in private_reads:
        anonymous, non_member = api.get(path), api.get(path, token=other)

        assert (anonymous[0], anonymous[1]["meta"]["errors"]) == (403, ["PROJECT_UNAUTHORIZED"]), path
        assert anonymous == non_member, path
        assert api.get(path, token=owner)[0] == 200, path


def test_a_malformed_or_expired_token_that_is_sent_to_a_private_project_stays_a_401(
        api, owner, private_project, fixed_clock):
    path = f"/api/projects/{private_project['id']}/"

    malformed = api.get(path, headers={"Authorization": "Bearer not-a-token"})
    fixed_clock.advance(seconds=900)
    expired = api.get(path, token=owner)

    assert (malformed[0], malformed[1]["meta"]["errors"]) == (401, ["AUTH_TOKEN_INVALID"])
    assert (expired[0], expired[1]["meta"]["errors"]) == (401, ["AUTH_TOKEN_EXPIRED"])


def test_a_public_project_still_answers_an_anonymous_caller(api, project):
    assert api.get("/api/projects/1/")[0] == 200
