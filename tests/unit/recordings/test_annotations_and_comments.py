"""Codes, annotations on a session, and comments with replies."""
import pytest

from chalicelib.recordings.models import Annotation, Comment

NOTE = {"content": "Hello world", "start_interval": 3, "end_interval": 10, "tags": [1, 2]}


@pytest.fixture
def base(recording_session):
    return f"/api/projects/1/sessions/{recording_session['id']}/annotations/"


@pytest.fixture
def codes(api, owner, project):
    for text in ("First tag", "Second tag"):
        assert api.post("/api/projects/1/codes/", {"text": text}, token=owner)[0] == 201


@pytest.fixture
def annotation(api, owner, base, codes):
    status, body = api.post(base, NOTE, token=owner)
    assert status == 201, body
    return body["data"]


def test_codes_are_listed_and_created_by_members(api, owner, codes):
    other = api.sign_up("other@example.com")

    _, body = api.get("/api/projects/1/codes/")

    assert [(c["id"], c["text"]) for c in body["data"]] == [(1, "First tag"), (2, "Second tag")]
    assert api.post("/api/projects/1/codes/", {"text": "x"}, token=other)[1]["meta"]["errors"] == \
        ["PROJECT_UNAUTHORIZED"]
    assert api.post("/api/projects/1/codes/", {"text": 4}, token=owner)[1]["meta"]["errors"] == \
        ["CODE_TEXT_IS_NOT_STRING"]


def test_an_annotation_is_created_with_labels_for_its_tags(annotation, recording_session):
    assert annotation == {
        "id": 1, "session_id": recording_session["id"], "content": "Hello world", "justification": "Hello world",
        "start_interval": 3, "end_interval": 10, "is_active": True, "tags": [1, 2],
        "labels": [{"id": 1, "text": "First tag"}, {"id": 2, "text": "Second tag"}],
        "codes": [{"id": 1, "text": "First tag"}, {"id": 2, "text": "Second tag"}],
        "creator": {"user_id": 1, "fullname": "Olive Owner"}, "user_id": 1, "comments": [],
        "created_on": "23-Nov-2026", "updated_on": "23-Nov-2026"}


@pytest.mark.parametrize(("change", "keys"), [
    ({"content": None}, ["CONTENT_REQUIRED"]),
    ({"content": 3}, ["CONTENT_IS_NOT_STRING"]),
    ({"content": " "}, ["CONTENT_IS_EMPTY"]),
    ({"start_interval": None}, ["START_INTERVAL_REQUIRED"]),
    ({"start_interval": "3"}, ["START_INTERVAL_IS_NOT_INT"]),
    ({"start_interval": True}, ["START_INTERVAL_IS_NOT_INT"]),
    ({"start_interval": -1}, ["START_INTERVAL_MUST_BE_POSITIVE_INT"]),
    ({"end_interval": None}, ["END_INTERVAL_REQUIRED"]),
    ({"end_interval": 2.5}, ["END_INTERVAL_IS_NOT_INT"]),
    ({"end_interval": -4}, ["END_INTERVAL_MUST_BE_POSITIVE_INT"]),
    ({"end_interval": 2 ** 53}, ["END_INTERVAL_IS_NOT_INT"]),
    ({"start_interval": 11}, ["START_BEFORE_END"]),
    ({"tags": 1}, ["TAGS_IS_NOT_LIST"]),
    ({"tags": [1, "2"]}, ["TAG_IS_NOT_INT"]),
    ({"tags": [1, 77]}, ["TAGS_NOT_IN_PROJECT"]),
    ({"content": "", "start_interval": "a", "end_interval": None},
     ["CONTENT_IS_EMPTY", "START_INTERVAL_IS_NOT_INT", "END_INTERVAL_REQUIRED"]),
])
def test_annotation_fields_get_the_documented_keys(api, owner, base, codes, change, keys):
    status, body = api.post(base, {**NOTE, **change}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, keys)
    assert Annotation.count() == 0


def test_tags_of_another_projects_codes_are_refused(api, owner, base, codes):
    api.post("/api/projects/", {"title": "Two", "description": "d", "privacy": "public", "topics": []}, token=owner)
    api.post("/api/projects/2/codes/", {"text": "Foreign"}, token=owner)

    assert api.post(base, {**NOTE, "tags": [3]}, token=owner)[1]["meta"]["errors"] == ["TAGS_NOT_IN_PROJECT"]


def test_annotations_are_listed_with_nested_comments(api, owner, base, annotation):
    api.post(f"{base}1/comments/", {"content": "First!"}, token=owner)

    status, body = api.get(base)

    assert status == 200
    assert [(a["id"], [c["content"] for c in a["comments"]]) for a in body["data"]] == [(1, ["First!"])]


def test_the_session_shows_its_annotations(api, recording_session, annotation):
    _, body = api.get(f"/api/projects/1/sessions/{recording_session['id']}/")

    assert [a["id"] for a in body["data"]["user_annotations"]] == [1]


def test_only_members_annotate_and_only_the_creator_edits_or_deletes(api, owner, base, annotation):
    member = api.sign_up("member@example.com")
    api.post("/api/projects/1/membership/", token=member)
    outsider = api.sign_up("outsider@example.com")

    assert api.post(base, NOTE, token=outsider)[1]["meta"]["errors"] == ["PROJECT_UNAUTHORIZED"]
    assert api.post(base, {**NOTE, "tags": []}, token=member)[0] == 201
    assert api.put(f"{base}1/", NOTE, token=member)[1]["meta"]["errors"] == ["NOT_ANNOTATION_CREATOR"]
    status, body = api.delete(f"{base}1/", token=member)
    assert (status, body["meta"]["errors"]) == (403, ["NOT_ANNOTATION_CREATOR"])


def test_update_rewrites_an_annotation_and_keeps_tags_unless_sent(api, owner, base, annotation):
    status, body = api.put(f"{base}1", {"content": "Now updating", "start_interval": 20, "end_interval": 20},
                           token=owner)

    assert status == 200
    data = body["data"]
    assert (data["content"], data["start_interval"], data["tags"]) == ("Now updating", 20, [1, 2])
    _, cleared = api.put(f"{base}1/", {**NOTE, "tags": []}, token=owner)
    assert (cleared["data"]["tags"], cleared["data"]["labels"]) == ([], [])


def test_update_refuses_bad_fields_and_changes_nothing(api, owner, base, annotation):
    status, body = api.put(f"{base}1/", {**NOTE, "start_interval": 50}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["START_BEFORE_END"])
    assert Annotation.get(1).start_interval == 3


def test_delete_is_soft_and_the_annotation_is_gone_from_lists(api, owner, base, annotation):
    status, body = api.delete(f"{base}1/", token=owner)

    assert (status, body["meta"]["success"]) == (200, True)
    assert Annotation.get(1).is_active is False
    assert api.get(base)[1]["data"] == []
    assert api.get(f"{base}1/")[1]["meta"]["errors"] == ["ANNOTATION_404"]


@pytest.mark.parametrize("aid", ["99", "x", "1.0"])
def test_an_unknown_annotation_is_annotation_404(api, owner, base, annotation, aid):
    status, body = api.put(f"{base}{aid}/", NOTE, token=owner)

    assert (status, body["meta"]["errors"]) == (404, ["ANNOTATION_404"])


def test_an_annotation_of_another_session_is_not_found_here(api, owner, project, bucket, base, annotation):
    import boto3

    _, form = api.post("/api/projects/1/sessions/uploads/", token=owner)
    boto3.client("s3").put_object(Bucket=bucket, Key=form["data"]["key"], Body=b"x")
    _, other = api.post("/api/projects/1/sessions/", {"recording_key": form["data"]["key"], "participants": [],
                                                      "prompts": []}, token=owner)

    status, body = api.get(f"/api/projects/1/sessions/{other['data']['id']}/annotations/1/")

    assert (status, body["meta"]["errors"]) == (404, ["ANNOTATION_404"])


def test_a_comment_and_a_reply_are_linked_both_ways(api, owner, base, annotation):
    status, comment = api.post(f"{base}1/comments/", {"content": "A comment"}, token=owner)
    _, reply = api.post(f"{base}1/comments/1/", {"content": "A reply"}, token=owner)

    assert status == 201
    assert (comment["data"]["parent_id"], reply["data"]["parent_id"]) == (None, 1)
    assert comment["data"]["creator"] == {"user_id": 1, "fullname": "Olive Owner"}
    assert api.get(f"{base}1/comments/1/")[1]["data"]["replies"] == [2]
    assert [c["id"] for c in api.get(f"{base}1/comments/")[1]["data"]] == [1, 2]


@pytest.mark.parametrize(("body", "key"), [
    ({}, "USER_COMMENT_CONTENT_KEY_REQUIRED"),
    ({"content": 1}, "USER_COMMENT_IS_NOT_STRING"),
    ({"content": ""}, "USER_COMMENT_IS_EMPTY"),
    ({"content": "c" * 5001}, "USER_COMMENT_TOO_LONG"),
])
def test_comment_content_is_checked(api, owner, base, annotation, body, key):
    status, payload = api.post(f"{base}1/comments/", body, token=owner)

    assert (status, payload["meta"]["errors"]) == (400, [key])
    assert [item.id for item in Comment.scan()] == [-1]  # the annotation's copy (models.annotation_copy) alone


def test_only_the_comments_creator_edits_or_deletes_it(api, owner, base, annotation):
    api.post(f"{base}1/comments/", {"content": "Mine"}, token=owner)
    member = api.sign_up("member@example.com")
    api.post("/api/projects/1/membership/", token=member)

    assert api.put(f"{base}1/comments/1/", {"content": "Yours"}, token=member)[1]["meta"]["errors"] == \
        ["NOT_COMMENT_CREATOR"]
    assert api.delete(f"{base}1/comments/1/", token=member)[0] == 403
    assert api.put(f"{base}1/comments/1/", {"content": "Edited"}, token=owner)[1]["data"]["content"] == "Edited"


def test_deleting_a_comment_answers_204_and_hides_it(api, owner, base, annotation):
    api.post(f"{base}1/comments/", {"content": "Soon gone"}, token=owner)

    status, body = api.delete(f"{base}1/comments/1/", token=owner)

    assert (status, body) == (204, None)
    assert Comment.get(1).is_active is False
    assert api.get(f"{base}1/comments/1/")[1]["meta"]["errors"] == ["COMMENT_404"]
    assert api.post(f"{base}1/comments/1/", {"content": "reply"}, token=owner)[1]["meta"]["errors"] == ["COMMENT_404"]


def test_a_comment_of_another_annotation_is_comment_not_in_session(api, owner, base, annotation):
    api.post(base, {**NOTE, "tags": []}, token=owner)
    api.post(f"{base}2/comments/", {"content": "On the second"}, token=owner)

    status, body = api.get(f"{base}1/comments/1/")

    assert (status, body["meta"]["errors"]) == (400, ["COMMENT_NOT_IN_SESSION"])
