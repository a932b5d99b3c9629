"""Coaching scope (issue 16, item 5): a Client may not change the fields that say where and what the org's sender
sends (nor their coach, org, type, email or status), each refusal a 403 naming the field; every record a body
names (a task's `created_by`, `original_task_id` and steps' `task_id`, a message's `from_user`, `to_user`,
`media_id` and `request_id`, a media's `task_id` and `published_by`) must be in the caller's scope, read in one
BatchGetItem; and media is deleted only by an Admin of its publisher's org or the Superadmin."""
import json
from types import SimpleNamespace

import pytest

from chalicelib.coaching import users
from chalicelib.coaching.models import CLIENT, CoachingUser, HelpRequest, Media, Task
from chalicelib.core import batch
from chalicelib.core.settings import get_settings
from tests.unit.coaching.conftest import invalid, store

DELETED = (200, {"deleted": 1})
FORBIDDEN = (403, {"message": "Forbidden"})
CHECKIN = {"topic": "pay", "message": "Your account is locked: pay at https://evil.example", "time": 1795521600000}


def refused(*failures):
    """The 403 naming each (field, message)."""
    return 403, {"message": "Forbidden", "errors": [{"field": f, "message": m} for f, m in failures]}


def out_of_scope(field, what):
    return field, f"must be the id of a {what} in your scope"


def made(answer):
    status, body = answer
    assert status == 201, body
    return body


def task_body(user_id, **fields):
    return {"title": "Open a savings account", "category": "custom", "user_id": user_id,
            "date_assigned": "2026-11-25", **fields}


@pytest.fixture
def scene(api, world):
    """The world's people and records in both orgs: `task` and `request` of the coach's client, `near_task` and
    `near_request` of other_coach's client (same org), `far_*` of a client of other_org (its Admin's), and
    `media` published by the org's Admin, `far_media` by other_org's."""
    ids, tokens = world.ids, world.tokens
    far_client = made(api.post("/api/clients", {"first_name": "Far", "last_name": "Client", "email": "far@example.com",
                                                "org_id": world.orgs["other_org"]}, token=tokens["other_admin"]))
    records = {"far_client": far_client["id"]}
    for name, owner, staff in (("task", ids["client"], "coach"), ("near_task", ids["other_client"], "other_coach"),
                               ("far_task", far_client["id"], "other_admin")):
        records[name] = made(api.post("/api/tasks", task_body(owner, title=name), token=tokens[staff]))["id"]
    for name, owner, task, staff in (("request", ids["client"], "task", "client"),
                                     ("near_request", ids["other_client"], "near_task", "other_client"),
                                     ("far_request", far_client["id"], "far_task", "other_admin")):
        records[name] = made(api.post("/api/requests", {"user_id": owner, "task_id": records[task]},
                                      token=tokens[staff]))["id"]
    for name, staff in (("media", "admin"), ("far_media", "other_admin")):
        records[name] = made(api.post("/api/media", {"title": name, "category": "STORY"}, token=tokens[staff]))["id"]
    return SimpleNamespace(ids={**ids, **records}, tokens=tokens, orgs=world.orgs)


# --- a Client's own fields ---

def test_the_fields_a_client_may_not_change_are_where_and_what_is_sent_and_who_they_are():
    assert users._LOCKED[CLIENT] == {"phone", "platform", "fb_id", "checkin_times", "coach_id", "org_id", "type",
                                     "email", "status"}


LOCKED_CHANGES = {
    "phone": lambda ids: "+15555550999",
    "platform": lambda ids: "FBOOK",
    "fb_id": lambda ids: "fb-4242",
    "checkin_times": lambda ids: [CHECKIN],
    "coach_id": lambda ids: ids["other_coach"],
    "org_id": lambda ids: ids["other_org"],
    "type": lambda ids: "Coach",
    "email": lambda ids: "someone.else@example.com",
    "status": lambda ids: "NON_RESPONSIVE",
}


@pytest.mark.parametrize("path", ["/api/clients", "/api/users"])
@pytest.mark.parametrize("field", sorted(LOCKED_CHANGES))
def test_a_client_changing_a_locked_field_of_their_own_is_403_naming_it_and_nothing_changes(api, world, field, path):
    ids = {**world.ids, **world.orgs}
    before = store()

    answer = api.put(f"{path}/{ids['client']}", {"first_name": "Renamed", field: LOCKED_CHANGES[field](ids)},
                     token=world.tokens["client"])

    assert answer == refused((field, "a Client may not change it"))
    assert store() == before


def test_the_403_names_every_locked_field_sent_in_the_order_sent(api, world):
    before = store()

    answer = api.put(f"/api/clients/{world.ids['client']}", {
        "checkin_times": [CHECKIN], "goals": ["Save"], "phone": "+15555550999", "platform": "FBOOK"},
        token=world.tokens["client"])

    assert answer == refused(*((field, "a Client may not change it") for field in ("checkin_times", "phone",
                                                                                     "platform")))
    assert store() == before


def test_a_client_puts_back_what_they_read_with_their_own_fields_changed(api, world):
    client_id = world.ids["client"]
    assert api.put(f"/api/clients/{client_id}", {"checkin_times": [CHECKIN], "fb_id": "fb-1"},
                   token=world.tokens["coach"])[0] == 200
    status, shown = api.get(f"/api/clients/{client_id}", token=world.tokens["client"])
    assert status == 200

    status, changed = api.put(f"/api/clients/{client_id}", {**shown, "first_name": "Renamed", "goals": ["Save"]},
                              token=world.tokens["client"])

    assert status == 200, changed
    assert changed == {**shown, "first_name": "Renamed", "goals": ["Save"], "updated_at": changed["updated_at"]}
    stored = CoachingUser.get(client_id)
    assert (stored.phone, stored.fb_id, [c.as_dict() for c in stored.checkin_times]) == ("+15550100000", "fb-1",
                                                                                           [CHECKIN])


@pytest.mark.parametrize("staff", ["coach", "admin", "root"])
def test_staff_still_change_a_clients_phone_platform_messenger_id_check_ins_and_email(api, world, staff):
    change = {"phone": "+15555550999", "platform": "FBOOK", "fb_id": "fb-4242", "checkin_times": [CHECKIN],
              "email": f"moved.by.{staff}@example.com"}

    status, changed = api.put(f"/api/clients/{world.ids['client']}", change, token=world.tokens[staff])

    assert status == 200, changed
    assert {key: changed[key] for key in change} == change
    stored = CoachingUser.get(world.ids["client"])
    assert (stored.phone, stored.platform, stored.fb_id, stored.email) == (
        "+15555550999", "FBOOK", "fb-4242", f"moved.by.{staff}@example.com")


def test_a_coach_or_admin_changing_a_field_their_role_may_not_is_403_naming_it(api, world):
    ids = {**world.ids, **world.orgs}
    before = store()

    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=world.tokens["coach"]
                   ) == refused(("coach_id", "a Coach may not change it"))
    assert api.put(f"/api/users/{ids['coach']}", {"org_id": ids["other_org"]}, token=world.tokens["admin"]
                   ) == refused(("org_id", "an Admin may not change it"))
    assert store() == before


# --- tasks: created_by, original_task_id, steps' task_id ---

@pytest.mark.parametrize("staff, fields, failure", [
    ("coach", {"created_by": "other_admin"}, out_of_scope("created_by", "user")),
    ("coach", {"created_by": "other_coach"}, out_of_scope("created_by", "user")),
    ("coach", {"original_task_id": "far_task"}, out_of_scope("original_task_id", "task")),
    ("coach", {"original_task_id": "near_task"}, out_of_scope("original_task_id", "task")),
    ("coach", {"steps": "far_task"}, out_of_scope("steps.0.task_id", "task")),
    ("admin", {"created_by": "far_client"}, out_of_scope("created_by", "user")),
    ("admin", {"original_task_id": "far_task"}, out_of_scope("original_task_id", "task")),
    ("admin", {"steps": "far_task"}, out_of_scope("steps.0.task_id", "task")),
])
def test_a_task_naming_a_record_out_of_the_callers_scope_is_403_naming_the_field(api, scene, staff, fields, failure):
    ids = scene.ids
    body = {key: [{"task_id": ids[value], "text": "Call"}] if key == "steps" else ids[value]
            for key, value in fields.items()}
    before = store()

    created = api.post("/api/tasks", task_body(ids["client"], **body), token=scene.tokens[staff])
    changed = api.put(f"/api/tasks/{ids['task']}", body, token=scene.tokens[staff])
    bulk = api.put("/api/tasks", [{"id": ids["task"], **body}], token=scene.tokens[staff])

    assert created == changed == refused(failure)
    assert bulk == refused((f"0.{failure[0]}", failure[1]))
    assert store() == before


def test_a_bulk_update_names_the_entry_whose_record_is_out_of_scope(api, scene):
    ids = scene.ids
    second = made(api.post("/api/tasks", task_body(ids["client"]), token=scene.tokens["coach"]))
    before = store()

    entries = [{"id": ids["task"], "order": 9}, {"id": second["id"], "created_by": ids["far_client"]}]
    answer = api.put("/api/tasks", entries, token=scene.tokens["coach"])

    assert answer == refused(out_of_scope("1.created_by", "user"))
    assert store() == before


def test_a_task_may_name_records_in_the_callers_scope(api, scene):
    ids = scene.ids
    coach = task_body(ids["client"], created_by=ids["client"], original_task_id=ids["task"],
                      steps=[{"task_id": ids["task"], "text": "Call"}])
    admin = task_body(ids["client"], created_by=ids["other_coach"], original_task_id=ids["near_task"],
                      steps=[{"task_id": ids["near_task"], "text": "Call"}])

    assert made(api.post("/api/tasks", coach, token=scene.tokens["coach"]))["original_task_id"] == ids["task"]
    assert made(api.post("/api/tasks", admin, token=scene.tokens["admin"]))["created_by"] == ids["other_coach"]
    far = task_body(ids["far_client"], created_by=ids["client"], original_task_id=ids["task"])
    assert made(api.post("/api/tasks", far, token=scene.tokens["root"]))["user_id"] == ids["far_client"]


def test_a_step_naming_no_task_is_400_on_that_step(api, scene):
    before = store()

    steps = [{"text": "Call"}, {"task_id": 99, "text": "x"}]
    assert api.post("/api/tasks", task_body(scene.ids["client"], steps=steps), token=scene.tokens["coach"]) == invalid(
        ("steps.1.task_id", "must be the id of an existing task"))
    assert store() == before


# --- messages: from_user, to_user, media_id, request_id ---

def test_a_client_naming_another_orgs_help_request_is_403_and_that_org_still_deletes_it(api, scene):
    ids = scene.ids
    before = store()

    answer = api.post("/api/messages", {"text": "Hi", "from_user": ids["client"], "to_user": ids["coach"],
                                        "request_id": ids["far_request"]}, token=scene.tokens["client"])

    assert answer == refused(out_of_scope("request_id", "request"))
    assert store() == before
    assert HelpRequest.get(ids["far_request"]).referrers == 0
    assert api.delete(f"/api/requests/{ids['far_request']}", token=scene.tokens["other_admin"]) == DELETED


@pytest.mark.parametrize("sender, recipient, fields, failures", [
    ("client", "coach", {"request_id": "near_request"}, [out_of_scope("request_id", "request")]),
    ("client", "coach", {"media_id": "media"}, [out_of_scope("media_id", "media")]),  # not sent to the client
    ("client", "coach", {"media_id": "far_media", "request_id": "far_request"},
     [out_of_scope("media_id", "media"), out_of_scope("request_id", "request")]),
    ("coach", "client", {"request_id": "near_request"}, [out_of_scope("request_id", "request")]),
    ("coach", "client", {"request_id": "far_request"}, [out_of_scope("request_id", "request")]),
    ("admin", "client", {"request_id": "far_request"}, [out_of_scope("request_id", "request")]),
])
def test_a_message_naming_a_request_or_media_out_of_scope_is_403_naming_it(api, scene, sender, recipient, fields,
                                                                            failures):
    ids = scene.ids
    body = {"text": "Hi", "from_user": ids[sender], "to_user": ids[recipient],
            **{key: ids[value] for key, value in fields.items()}}
    before = store()

    assert api.post("/api/messages", body, token=scene.tokens[sender]) == refused(*failures)
    assert store() == before


def test_a_message_whose_parties_are_out_of_scope_is_403(api, scene):
    ids = scene.ids
    before = store()

    for who, sender, recipient in (("client", "client", "other_admin"), ("client", "far_client", "coach"),
                                   ("coach", "coach", "far_client"), ("admin", "far_client", "admin")):
        answer = api.post("/api/messages", {"text": "Hi", "from_user": ids[sender], "to_user": ids[recipient]},
                          token=scene.tokens[who])
        assert answer == FORBIDDEN, (who, sender, recipient)
    assert store() == before


def test_a_message_may_name_the_callers_own_request_and_media_the_client_was_sent(api, scene):
    ids = scene.ids
    assert api.post(f"/api/clients/{ids['client']}/viewed_media/{ids['media']}", token=scene.tokens["coach"])[0] == 201

    sent = made(api.post("/api/messages", {"text": "About this", "from_user": ids["client"], "to_user": ids["coach"],
                                           "media_id": ids["media"], "request_id": ids["request"]},
                         token=scene.tokens["client"]))
    library = made(api.post("/api/messages", {"text": "Watch", "from_user": ids["coach"], "to_user": ids["client"],
                                              "media_id": ids["far_media"]}, token=scene.tokens["coach"]))

    assert (sent["media_id"], sent["request_id"], library["media_id"]) == (ids["media"], ids["request"],
                                                                          ids["far_media"])
    assert (HelpRequest.get(ids["request"]).referrers, Media.get(ids["media"]).referrers) == (1, 1)


def test_a_message_reads_the_records_it_names_in_one_batch(api, scene, aws_calls):
    ids = scene.ids
    assert api.post(f"/api/clients/{ids['client']}/viewed_media/{ids['media']}", token=scene.tokens["coach"])[0] == 201
    aws_calls.clear()

    made(api.post("/api/messages", {"text": "About this", "from_user": ids["client"], "to_user": ids["coach"],
                                    "media_id": ids["media"], "request_id": ids["request"]},
                  token=scene.tokens["client"]))

    prefix = get_settings().table_prefix + "-"
    batches = [{name.removeprefix(prefix): len(part["Keys"]) for name, part in params["RequestItems"].items()}
               for _, operation, params in aws_calls if operation == "BatchGetItem"]
    assert batches == [{"coaching-emails": 1,  # the caller's claim (their role), and what the body names
                        "coaching-users": 2, "coaching-media": 1, "coaching-requests": 1, "coaching-viewed-media": 1}]
    single = [params["TableName"].removeprefix(prefix) for _, operation, params in aws_calls if operation == "GetItem"]
    assert single == ["accounts"]  # the caller's account: nothing named is read alone


def test_what_a_body_names_is_read_with_the_claim_yet_the_callers_faults_come_before_the_bodys(
        api, scene, aws_calls):
    ids = scene.ids
    unknown = {"text": "Hi", "from_user": 99, "to_user": ids["coach"], "media_id": 98, "request_id": ids["request"]}
    before = store()

    for raw in (json.dumps(unknown), "not json {", '{"from_user": true, "to_user": [1], "media_id": "1"}', "[7]"):
        assert api.call("POST", "/api/messages", raw=raw)[0] == 401, raw
        assert api.call("POST", "/api/messages", raw=raw, token=scene.tokens["nobody"]) == FORBIDDEN, raw
        assert api.call("POST", "/api/messages", raw=raw, token=scene.tokens["coach"])[0] == 400, raw
    aws_calls.clear()
    assert api.post("/api/messages", unknown, token=scene.tokens["coach"]) == invalid(
        ("from_user", "must be the id of an existing user"), ("media_id", "must be the id of an existing media"))
    assert [operation for _, operation, _ in aws_calls] == ["GetItem", "BatchGetItem"]  # no id is read again
    assert store() == before


def test_a_coach_naming_their_clients_tasks_reads_them_in_one_batch_and_other_clients_in_a_second(
        api, scene, aws_calls):
    ids = scene.ids
    body = task_body(ids["client"], original_task_id=ids["task"], steps=[{"task_id": ids["near_task"], "text": "x"}])
    aws_calls.clear()

    assert api.post("/api/tasks", body, token=scene.tokens["coach"]) == refused(
        out_of_scope("steps.0.task_id", "task"))

    batches = [sorted(params["RequestItems"]) for _, operation, params in aws_calls if operation == "BatchGetItem"]
    prefix = get_settings().table_prefix + "-"
    assert batches == [[prefix + "coaching-emails", prefix + "coaching-tasks", prefix + "coaching-users"],
                       [prefix + "coaching-users"]]  # with the caller's claim; then the other client


# --- media: task_id, published_by; deleted by the publisher's org ---

def test_media_naming_another_orgs_task_or_publisher_is_403_and_that_task_still_deletes(api, scene):
    ids = scene.ids
    before = store()

    assert api.post("/api/media", {"title": "Story", "category": "STORY", "task_id": ids["far_task"]},
                    token=scene.tokens["admin"]) == refused(out_of_scope("task_id", "task"))
    assert api.post("/api/media", {"title": "Story", "category": "STORY", "published_by": ids["other_admin"]},
                    token=scene.tokens["admin"]) == refused(out_of_scope("published_by", "user"))
    assert store() == before
    assert Task.get(ids["far_task"]).referrers == 0
    assert api.delete(f"/api/requests/{ids['far_request']}", token=scene.tokens["other_admin"]) == DELETED
    assert api.delete(f"/api/tasks/{ids['far_task']}", token=scene.tokens["other_admin"]) == DELETED


def test_media_belongs_to_its_publishers_org(api, scene):
    ids, tokens = scene.ids, scene.tokens
    cases = [("admin", {}, scene.orgs["org"]), ("admin", {"published_by": ids["coach"]}, scene.orgs["org"]),
             ("root", {"published_by": ids["other_admin"]}, scene.orgs["other_org"]), ("root", {}, None),
             ("admin", {"published_by": -1}, scene.orgs["org"])]
    for who, fields, org in cases:
        media = made(api.post("/api/media", {"title": "Story", "category": "STORY", **fields}, token=tokens[who]))
        assert "org_id" not in media
        assert Media.get(media["id"]).org_id == org, (who, fields)


def test_media_is_deleted_only_by_an_admin_of_its_publishers_org_or_the_superadmin(api, scene):
    ids, tokens = scene.ids, scene.tokens
    platform = made(api.post("/api/media", {"title": "Platform", "category": "STORY"}, token=tokens["root"]))["id"]
    before = store()

    for who in ("other_admin", "coach", "other_coach", "client"):
        assert api.delete(f"/api/media/{ids['media']}", token=tokens[who]) == FORBIDDEN, who
    for who in ("admin", "other_admin"):
        assert api.delete(f"/api/media/{platform}", token=tokens[who]) == FORBIDDEN, who
    assert store() == before

    assert api.delete(f"/api/media/{ids['media']}", token=tokens["admin"]) == DELETED
    assert api.delete(f"/api/media/{ids['far_media']}", token=tokens["root"]) == DELETED
    assert api.delete(f"/api/media/{platform}", token=tokens["root"]) == DELETED


def test_media_stored_before_it_kept_an_org_belongs_to_its_published_by_users_org(api, scene):
    ids, tokens = scene.ids, scene.tokens
    published = made(api.post("/api/media", {"title": "Old", "category": "STORY", "published_by": ids["coach"]},
                              token=tokens["admin"]))["id"]
    unsigned = made(api.post("/api/media", {"title": "Older", "category": "STORY"}, token=tokens["admin"]))["id"]
    for media_id in (published, unsigned):
        Media(media_id).update(actions=[Media.org_id.remove()])

    assert api.delete(f"/api/media/{published}", token=tokens["other_admin"]) == FORBIDDEN
    assert api.delete(f"/api/media/{unsigned}", token=tokens["admin"]) == FORBIDDEN
    assert api.delete(f"/api/media/{published}", token=tokens["admin"]) == DELETED
    assert api.delete(f"/api/media/{unsigned}", token=tokens["root"]) == DELETED


# --- the batched read ---

def test_read_finds_the_items_that_exist_across_tables_past_a_page(api, scene):
    ids = scene.ids
    keys = [(CoachingUser, number) for number in range(1, 121)] + [(Task, ids["task"]), (Task, 999), (Media, 999)]

    found = batch.read(keys)

    assert sorted(key for model, key in found if model is CoachingUser) == sorted(
        int(user.id) for user in CoachingUser.scan())
    assert [(model, key) for model, key in found if model is not CoachingUser] == [(Task, ids["task"])]
    assert int(found[(Task, ids["task"])].user_id) == ids["client"]
