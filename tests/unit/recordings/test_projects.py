"""/api/projects: create, index, show, update with topics, soft delete, and membership."""
import pytest

from chalicelib.recordings.models import Membership, Project, ProjectTitle
from tests.unit.recordings.conftest import PROJECT


def test_create_answers_the_project_in_the_documented_shape(api, owner, project):
    assert project == {
        "id": 1, "title": "Oral histories", "slug": "oral-histories", "description": "Stories of the estate",
        "creator": {"user_id": 1, "fullname": "Olive Owner"}, "has_consent": False, "is_public": True,
        "is_active": True, "created_on": "23-Nov-2026", "updated_on": "23-Nov-2026",
        "members": [{"id": 1, "user_id": 1, "name": "Olive Owner", "fullname": "Olive Owner", "role": "admin"}],
        "topics": [
            {"id": 1, "text": "Childhood", "is_active": 1, "project_id": 1, "created_on": "23-Nov-2026",
             "updated_on": "23-Nov-2026"},
            {"id": 2, "text": "Work", "is_active": 1, "project_id": 1, "created_on": "23-Nov-2026",
             "updated_on": "23-Nov-2026"}],
    }
    assert ProjectTitle.get("oral histories").project_id == 1


def test_create_needs_a_signed_in_user(api):
    status, body = api.post("/api/projects/", PROJECT)

    assert (status, body["meta"]["errors"]) == (401, ["AUTH_TOKEN_MISSING"])
    assert Project.count() == 0


def test_titles_are_unique_among_active_projects_in_any_case(api, owner, project):
    other = api.sign_up("other@example.com")

    status, body = api.post("/api/projects/", {**PROJECT, "title": "  ORAL   histories "}, token=other)

    assert (status, body["meta"]["errors"]) == (409, ["PROJECTS_TITLE_EXISTS"])
    assert Project.count() == 1 and Membership.count() == 1


def test_a_deleted_projects_title_can_be_used_again(api, owner, project):
    assert api.delete("/api/projects/1/", token=owner)[0] == 200

    status, body = api.post("/api/projects/", PROJECT, token=owner)

    assert (status, body["data"]["id"]) == (201, 2)


@pytest.mark.parametrize(("change", "keys"), [
    ({"title": None}, ["PROJECTS_TITLE_REQUIRED"]),
    ({"title": 5}, ["PROJECTS_TITLE_IS_NOT_STRING"]),
    ({"title": "t" * 201}, ["PROJECTS_TITLE_TOO_LONG"]),
    ({"description": None}, ["PROJECTS_DESCRIPTION_REQUIRED"]),
    ({"description": []}, ["PROJECTS_DESCRIPTION_IS_NOT_STRING"]),
    ({"description": "d" * 5001}, ["PROJECTS_DESCRIPTION_TOO_LONG"]),
    ({"privacy": None}, ["PROJECTS_PRIVACY_REQUIRED"]),
    ({"privacy": "secret"}, ["PROJECTS_PRIVACY_INVALID"]),
    ({"privacy": True}, ["PROJECTS_PRIVACY_IS_NOT_STRING"]),
    ({"topics": None}, ["PROJECTS_TOPICS_REQUIRED"]),
    ({"topics": "Work"}, ["PROJECTS_TOPIC_MUST_BE_LIST"]),
    ({"topics": ["Work", 3]}, ["PROJECTS_TOPIC_IS_NOT_STRING"]),
    ({"topics": ["Work", "  "]}, ["PROJECTS_TOPIC_IS_EMPTY"]),
    ({"topics": ["w" * 1001]}, ["PROJECTS_TOPIC_TOO_LONG"]),
    ({"topics": ["w"] * 101}, ["PROJECTS_TOPICS_TOO_MANY"]),
    ({"title": "", "privacy": "x", "topics": {}},
     ["PROJECTS_TITLE_REQUIRED", "PROJECTS_PRIVACY_INVALID", "PROJECTS_TOPIC_MUST_BE_LIST"]),
])
def test_create_refuses_bad_fields_with_the_documented_keys(api, owner, change, keys):
    status, body = api.post("/api/projects/", {**PROJECT, **change}, token=owner)

    assert (status, body["meta"]["errors"]) == (400, keys)
    assert Project.count() == 0 and ProjectTitle.count() == 0


def test_create_refuses_invalid_json(api, owner):
    status, body = api.call("POST", "/api/projects/", raw="{nope", token=owner)

    assert (status, body["meta"]["errors"]) == (400, ["GENERAL_INVALID_JSON"])


def test_index_puts_the_callers_projects_in_personal_and_the_rest_of_public(api, owner, project, private_project):
    other = api.sign_up("other@example.com")
    api.post("/api/projects/", {**PROJECT, "title": "Other public"}, token=other)
    api.post("/api/projects/", {**PROJECT, "title": "Other private", "privacy": "private"}, token=other)

    _, mine = api.get("/api/projects/", token=owner)
    _, anonymous = api.get("/api/projects")

    assert [p["title"] for p in mine["data"]["personal"]] == ["Oral histories", "Secret"]
    assert [p["title"] for p in mine["data"]["public"]] == ["Other public"]
    assert anonymous["data"]["personal"] == []
    assert [p["title"] for p in anonymous["data"]["public"]] == ["Oral histories", "Other public"]


def test_show_gives_public_projects_to_anyone_and_private_ones_to_members(api, owner, project, private_project):
    other = api.sign_up("other@example.com")

    assert api.get("/api/projects/1/")[0] == 200
    assert api.get("/api/projects/2", token=owner)[0] == 200
    assert api.get("/api/projects/2/", token=other)[1]["meta"]["errors"] == ["PROJECT_UNAUTHORIZED"]
    assert api.get("/api/projects/2/", token=other)[0] == 403
    assert api.get("/api/projects/2/") == api.get("/api/projects/2/", token=other)  # 403 PROJECT_UNAUTHORIZED


@pytest.mark.parametrize("pid", ["99", "abc", "-1", "1.5", "9" * 30])
def test_show_of_an_unknown_project_is_project_does_not_exist(api, pid):
    status, body = api.get(f"/api/projects/{pid}/")

    assert (status, body["meta"]["errors"]) == (404, ["PROJECT_DOES_NOT_EXIST"])


def test_update_changes_fields_and_creates_renames_and_soft_deletes_topics(api, owner, project, fixed_clock):
    fixed_clock.advance(days=1)
    owner = api.sign_in("owner@example.com")
    status, body = api.put("/api/projects/1/", {
        "id": 1, "title": "你好吗?", "description": "你好", "privacy": "private", "creator": 1,
        "topics": [{"text": "New one", "is_active": 1}, {"id": 1, "text": "Childhood years", "is_active": 1},
                   {"id": 2, "text": "Work", "is_active": 0}]}, token=owner)

    assert status == 200
    data = body["data"]
    assert (data["title"], data["slug"], data["description"], data["is_public"]) == ("你好吗?", "你好吗", "你好", False)
    assert [(t["id"], t["text"], t["is_active"]) for t in data["topics"]] == \
        [(1, "Childhood years", 1), (2, "Work", 0), (3, "New one", 1)]
    assert data["updated_on"] == "24-Nov-2026" and data["created_on"] == "23-Nov-2026"
    assert ProjectTitle.get("你好吗?").project_id == 1
    assert ProjectTitle.count() == 1
    assert Project.get(1).listing is None


def test_update_keeps_what_the_body_leaves_out(api, owner, project):
    status, body = api.put("/api/projects/1/", {"description": "Only this"}, token=owner)

    assert status == 200
    assert (body["data"]["title"], body["data"]["description"], len(body["data"]["topics"])) == \
        ("Oral histories", "Only this", 2)


def test_update_to_a_taken_title_is_refused_and_changes_nothing(api, owner, project):
    api.post("/api/projects/", {**PROJECT, "title": "Taken"}, token=owner)

    status, body = api.put("/api/projects/1/", {"title": "TAKEN", "description": "changed"}, token=owner)

    assert (status, body["meta"]["errors"]) == (409, ["TITLE_EXISTS"])
    assert (Project.get(1).title, Project.get(1).description) == ("Oral histories", "Stories of the estate")
    assert ProjectTitle.get("oral histories").project_id == 1


@pytest.mark.parametrize(("body", "status", "keys"), [
    ({"id": 2, "title": "x"}, 400, ["ID_404"]),
    ({"creator": 99}, 400, ["USER_404"]),
    ({"privacy": "open"}, 400, ["PROJECTS_PRIVACY_INVALID"]),
    ({"topics": [5]}, 400, ["TOPICS_IS_NOT_DICT"]),
    ({"topics": [{"text": "a"}]}, 400, ["TOPICS_IS_ACTIVE_KEY_404"]),
    ({"topics": [{"text": "a", "is_active": "1"}]}, 400, ["TOPICS_IS_ACTIVE_MUST_BE_INT"]),
    ({"topics": [{"text": "a", "is_active": 2}]}, 400, ["TOPICS_IS_ACTIVE_MUST_BE_0_OR_1"]),
    ({"topics": [{"is_active": 1}]}, 400, ["TOPICS_TEXT_KEY_404"]),
    ({"topics": [{"text": 1, "is_active": 1}]}, 400, ["TOPICS_TEXT_IS_NOT_STRING"]),
    ({"topics": [{"id": 77, "text": "a", "is_active": 1}]}, 400, ["TOPICS_ID_NOT_PROJECT"]),
])
def test_update_refuses_bad_fields_with_the_documented_keys(api, owner, project, body, status, keys):
    answer, payload = api.put("/api/projects/1/", body, token=owner)

    assert (answer, payload["meta"]["errors"]) == (status, keys)
    assert Project.get(1).version == 1


def test_only_the_creator_may_update_or_delete(api, owner, project):
    other = api.sign_up("other@example.com")
    api.post("/api/projects/1/membership/", token=other)

    assert api.put("/api/projects/1/", {"title": "Mine now"}, token=other)[1]["meta"]["errors"] == ["UNAUTHORIZED"]
    status, body = api.delete("/api/projects/1/", token=other)
    assert (status, body["meta"]["errors"]) == (403, ["PROJECT_DELETE_UNAUTHORIZED"])
    assert Project.get(1).is_active


def test_delete_is_soft_and_hides_the_project(api, owner, project):
    status, body = api.delete("/api/projects/1/", token=owner)

    assert (status, body["meta"]) == (200, {"success": True, "errors": []})
    assert Project.get(1).is_active is False
    assert api.get("/api/projects/1/")[1]["meta"]["errors"] == ["PROJECT_DOES_NOT_EXIST"]
    assert api.get("/api/projects/")[1]["data"]["public"] == []
    assert api.delete("/api/projects/1/", token=owner)[0] == 404


def test_joining_a_public_project_makes_a_member_once(api, owner, project):
    other = api.sign_up("other@example.com", "Otto Other")

    assert api.post("/api/projects/1/membership/", token=other)[0] == 200
    assert api.post("/api/projects/1/membership", token=other)[0] == 200

    members = api.get("/api/projects/1/")[1]["data"]["members"]
    assert [(m["fullname"], m["role"]) for m in members] == [("Olive Owner", "admin"), ("Otto Other", "user")]
    assert [p["title"] for p in api.get("/api/projects/", token=other)[1]["data"]["personal"]] == ["Oral histories"]


def test_a_private_project_cannot_be_joined(api, owner, private_project):
    other = api.sign_up("other@example.com")

    status, body = api.post(f"/api/projects/{private_project['id']}/membership/", token=other)

    assert (status, body["meta"]["errors"]) == (403, ["PROJECT_IS_PRIVATE"])
    assert Membership.count(private_project["id"]) == 1


def test_a_member_can_leave_but_the_creator_cannot(api, owner, project):
    other = api.sign_up("other@example.com")
    api.post("/api/projects/1/membership/", token=other)

    assert api.delete("/api/projects/1/membership/", token=other)[0] == 200
    assert api.delete("/api/projects/1/membership/", token=other)[1]["meta"]["errors"] == ["NOT_A_MEMBER"]
    status, body = api.delete("/api/projects/1/membership/", token=owner)
    assert (status, body["meta"]["errors"]) == (403, ["CREATOR_CANNOT_LEAVE"])
    assert Membership.count(1) == 1


def test_membership_of_an_unknown_project_is_project_unknown(api, owner):
    for call in (api.post, api.delete):
        status, body = call("/api/projects/42/membership/", token=owner)
        assert (status, body["meta"]["errors"]) == (404, ["PROJECT_UNKNOWN"])
