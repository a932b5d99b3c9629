"""Coaching records (/api/tasks, /api/messages, /api/media, /api/clients/<id>/viewed_media, /api/requests): the
document's shapes and defaults, task order, bulk task updates all or nothing, bad input (NOT NULL, CHECK, wrong
types, foreign ids) refused with nothing stored, deletions refused while records refer, and help requests that set
their user's status in the same transaction."""


from chalicelib.coaching import help_requests
from chalicelib.coaching import tasks as task_service
from chalicelib.coaching.models import (
    CoachingUser,
    HelpRequest,
    Media,
    Message,
    Task,
    ViewedMedia,
)
from tests.unit.coaching.conftest import invalid, store

NOW = "2026-11-23T12:00:00.000Z"
TODAY = "2026-11-23T00:00:00.000Z"
NOT_FOUND = (404, {"message": "Not found"})
FORBIDDEN = (403, {"message": "Forbidden"})
DELETED = (200, {"deleted": 1})
# The document's examples, as written there.
DOC_TASK = {
    "id": 918, "title": "Work on developing your small business", "category": "custom",
    "description": "There is a lot that goes into owning and operating a small business", "status": "ACTIVE",
    "created_by": 67, "user_id": 941, "difficulty": None, "date_created": "2018-08-08T00:00:00.000Z",
    "date_completed": None, "date_assigned": "2018-08-08T00:00:00.000Z", "recurring": {"frequency": 1, "duration": 30},
    "steps": [
        {"task_id": None,
         "text": "Call the Small Business Development Center 651.259.7423 to set up a free appointment."},
        {"task_id": None, "text": "Ask specifically about doing a Profit/Loss sheet as well as learning about taxes."},
    ],
    "order": 2, "original_task_id": None,
}
DOC_MEDIA = {"id": 46, "task_id": None, "title": "Allene's Story", "category": "STORY",
             "description": "Check out Allene's story and learn how financial coaching helped her.",
             "url": "https://...", "image": "https://s3.amazonaws...", "published_by": 3, "type": "STORY"}
DOC_MESSAGE_KEYS = ["id", "text", "to_user", "from_user", "media_id", "request_id", "timestamp", "responses", "topic"]
DOC_REQUEST_KEYS = ["id", "status", "user_id", "task_id", "created_at", "updated_at"]
TASK_STATUS = "must be one of: ACTIVE, COMPLETED, ARCHIVED"
REQUEST_STATUS = "must be one of: NEEDS_ASSISTANCE, REPLIED, RESOLVED"
ISO = "must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z"


def user(user_id):
    return CoachingUser.get(user_id, consistent_read=True)


def changed_keys(before, after):
    return {key for key in {*before, *after} if before.get(key) != after.get(key)}


def task_body(world, **fields):
    """A valid task for the world's client, with `fields` changed (None removes one)."""
    body = {"title": "Open a savings account", "category": "custom", "user_id": world.ids["client"],
            "date_assigned": "2026-11-25", **fields}
    return {key: value for key, value in body.items() if value is not None}


def task_answer(world, task_id, **fields):
    """The whole task the API answers for `task_body(world)` created by the world's coach."""
    return {"id": task_id, "title": "Open a savings account", "category": "custom", "description": None,
            "status": "ACTIVE", "created_by": world.ids["coach"], "user_id": world.ids["client"], "difficulty": None,
            "date_created": TODAY, "date_completed": None, "date_assigned": "2026-11-25T00:00:00.000Z",
            "recurring": {}, "steps": [], "order": task_id, "original_task_id": None, **fields}


def new_task(api, world, user_id=None, **fields):
    body = task_body(world, **({"user_id": user_id} if user_id else {}), **fields)
    status, created = api.post("/api/tasks", body, token=world.tokens["coach" if not user_id else "root"])
    assert status == 201, created
    return created


def new_media(api, world, **fields):
    status, created = api.post("/api/media", {"title": "Story", "category": "STORY", **fields},
                               token=world.tokens["admin"])
    assert status == 201, created
    return created


def new_request(api, world, task_id, **fields):
    status, created = api.post("/api/requests", {"user_id": world.ids["client"], "task_id": task_id, **fields},
                               token=world.tokens["client"])
    assert status == 201, created
    return created


# --- tasks: shapes, defaults and order ---

def test_a_minimal_task_gets_the_documented_defaults(api, world):
    status, created = api.post("/api/tasks", task_body(world), token=world.tokens["coach"])

    assert (status, created) == (201, task_answer(world, 1))
    assert list(created) == list(DOC_TASK)
    task = Task.get(1)
    assert (task.status, task.recurring, task.steps, task.order, task.created_by) == (
        "ACTIVE", None, [], 1, world.ids["coach"])
    assert (task.date_created.isoformat(), task.org_id, task.request_count) == (
        "2026-11-23T00:00:00+00:00", world.orgs["org"], 0)
    client = user(world.ids["client"])
    assert (client.task_count, client.last_task_order) == (1, 1)
    assert api.get("/api/tasks/1", token=world.tokens["client"]) == (200, created)
    assert api.get(f"/api/clients/{world.ids['client']}/tasks", token=world.tokens["coach"]) == (200, [created])


def test_null_status_recurring_steps_and_date_created_take_their_defaults(api, world):
    body = {**task_body(world), "status": None, "recurring": None, "steps": None, "date_created": None,
            "order": None, "difficulty": None}

    assert api.post("/api/tasks", body, token=world.tokens["coach"]) == (201, task_answer(world, 1))
    assert api.post("/api/tasks", task_body(world, recurring={}), token=world.tokens["coach"]) == (
        201, task_answer(world, 2))
    assert [(t.status, t.recurring, t.steps) for t in Task.scan()] == [("ACTIVE", None, [])] * 2


def test_the_documents_example_task_is_stored_and_answered_with_exactly_its_keys(api, world):
    body = {**DOC_TASK, "created_by": world.ids["coach"], "user_id": world.ids["client"]}

    status, created = api.post("/api/tasks", body, token=world.tokens["coach"])

    assert (status, created) == (201, {**body, "id": 1})
    assert list(created) == list(DOC_TASK)
    task = Task.get(1)
    assert (task.recurring.frequency, task.recurring.duration, task.order) == (1, 30, 2)
    assert [step.as_dict() for step in task.steps] == [{"text": step["text"]} for step in DOC_TASK["steps"]]
    assert user(world.ids["client"]).last_task_order == 2


def test_a_task_without_order_goes_after_the_clients_highest_order(api, world):
    orders = []
    for order in (None, None, 10, None, 5, None):
        status, created = api.post("/api/tasks", task_body(world, order=order), token=world.tokens["coach"])
        assert status == 201, created
        orders.append(created["order"])

    assert orders == [1, 2, 10, 11, 5, 12]
    assert sorted(int(task.order) for task in Task.scan()) == [1, 2, 5, 10, 11, 12]
    assert user(world.ids["client"]).last_task_order == 12
    assert new_task(api, world, world.ids["other_client"])["order"] == 1  # each client has their own order


def test_a_task_without_order_goes_after_an_order_raised_by_an_update(api, world):
    first, _ = new_task(api, world), new_task(api, world)
    assert api.put(f"/api/tasks/{first['id']}", {"order": 10}, token=world.tokens["coach"])[1]["order"] == 10
    assert api.put("/api/tasks", [{"id": 2, "order": 20}], token=world.tokens["coach"])[1][0]["order"] == 20

    assert new_task(api, world)["order"] == 21


def test_a_create_whose_user_took_another_order_meanwhile_reads_them_again_and_goes_after(api, world, monkeypatch):
    """The order comes from the user as read (no read of its own): a task created between that read and the write
    moves the counter, so the write is refused and tried again on the user read anew."""
    new_task(api, world)
    stale = user(world.ids["client"])  # at order 1
    new_task(api, world)  # takes order 2 meanwhile
    real = task_service.scope.records
    monkeypatch.setattr(task_service.scope, "records", lambda caller, refs, unchecked=(): {
        **real(caller, refs, unchecked), "user_id": stale})

    assert new_task(api, world)["order"] == 3
    assert sorted(int(task.order) for task in Task.scan()) == [1, 2, 3]
    assert (user(world.ids["client"]).last_task_order, user(world.ids["client"]).task_count) == (3, 3)


def test_a_create_whose_client_changed_coach_meanwhile_is_listed_for_the_new_coach_or_refused(
        api, world, monkeypatch):
    stale = user(world.ids["client"])
    assert api.put(f"/api/clients/{world.ids['client']}", {"coach_id": world.ids["other_coach"]},
                   token=world.tokens["admin"])[0] == 200
    real = task_service.scope.records
    monkeypatch.setattr(task_service.scope, "records", lambda caller, refs, unchecked=(): {
        **real(caller, refs, unchecked), "user_id": stale})
    before = store()

    assert api.post("/api/tasks", task_body(world), token=world.tokens["coach"]) == FORBIDDEN  # not theirs any more
    assert store() == before
    created = new_task(api, world, world.ids["client"])  # by root

    assert int(Task.get(created["id"]).coach_id) == world.ids["other_coach"]


def test_an_order_given_below_the_users_counter_leaves_the_counter(api, world):
    for _ in range(3):
        new_task(api, world)

    assert api.put("/api/tasks", [{"id": 1, "order": 2}], token=world.tokens["coach"])[1][0]["order"] == 2
    assert api.put("/api/tasks/2", {"order": 1}, token=world.tokens["coach"])[1]["order"] == 1

    assert user(world.ids["client"]).last_task_order == 3
    assert new_task(api, world)["order"] == 4


def test_bulk_orders_of_more_users_than_one_transaction_holds_still_raise_their_counters(api, world, monkeypatch):
    new_task(api, world), new_task(api, world, world.ids["other_client"])
    monkeypatch.setattr(task_service, "BULK_MAX", 2)  # the two tasks fill a transaction: the counters follow in another

    status, body = api.put("/api/tasks", [{"id": 1, "order": 5}, {"id": 2, "order": 6}], token=world.tokens["root"])

    assert status == 200, body
    assert (user(world.ids["client"]).last_task_order, user(world.ids["other_client"]).last_task_order) == (5, 6)
    assert new_task(api, world, world.ids["other_client"])["order"] == 7


# --- tasks: bad input ---

def test_each_not_null_field_missing_or_null_is_400_and_nothing_is_stored(api, world):
    before = store()

    for field in ("title", "category", "user_id", "date_assigned"):
        assert api.post("/api/tasks", task_body(world, **{field: None}), token=world.tokens["coach"]) == invalid(
            (field, "is required")), field
        assert api.post("/api/tasks", {**task_body(world), field: None}, token=world.tokens["coach"]) == invalid(
            (field, "must not be null")), field
    assert store() == before


def test_task_values_outside_a_check_or_of_the_wrong_type_are_refused(api, world):
    before = store()

    for field, value, message in [
        ("status", "DONE", TASK_STATUS),
        ("status", "active", TASK_STATUS),
        ("difficulty", "HARD", "must be one of: EASY, MODERATE, DIFFICULT"),
        ("title", 5, "must be a string"),
        ("title", "  ", "must not be blank"),
        ("category", ["custom"], "must be a string"),
        ("description", 5, "must be a string"),
        ("order", "first", "must be an integer"),
        ("order", 1.5, "must be an integer"),
        ("steps", "x", "must be an array of at most 100 objects"),
        ("steps", ["Call"], "must be an object with task_id, text"),
        ("steps", [{"task_id": None}], "must have text"),
        ("steps", [{"text": 5}], "has a text that must be a string"),
        ("steps", [{"text": "Call", "task_id": "a"}], "has a task_id that must be the id of an existing record"),
        ("recurring", "daily", "must be an object with frequency, duration"),
        ("recurring", {"frequency": 1}, "must have duration"),
        ("recurring", {"frequency": 0, "duration": 30}, "has a frequency that must be a number of days from 1 to 3650"),
        ("date_assigned", "soon", ISO),
        ("date_assigned", 20261125, ISO),
        ("date_completed", "tomorrow", ISO),
        ("user_id", "a", "must be the id of an existing record"),
        ("created_by", "me", "must be the id of an existing record"),
        ("original_task_id", 0, "must be the id of an existing record"),
        ("priority", "high", "is not a field of this record"),
    ]:
        assert api.post("/api/tasks", task_body(world, **{field: value}), token=world.tokens["coach"]) == invalid(
            (field, message)), (field, value)
    assert api.post("/api/tasks", {"title": 5, "status": "DONE"}, token=world.tokens["coach"]) == invalid(
        ("title", "must be a string"), ("status", TASK_STATUS), ("category", "is required"),
        ("user_id", "is required"), ("date_assigned", "is required"))
    assert api.call("POST", "/api/tasks", raw="[1,", token=world.tokens["coach"]) == (400, {
        "message": "Invalid JSON in request body", "errors": [{"field": "body", "message": "Expecting value"}]})
    assert api.post("/api/tasks", [task_body(world)], token=world.tokens["coach"]) == invalid(
        ("body", "must be a JSON object"))
    assert store() == before


def test_an_unknown_user_creator_or_original_task_is_400_on_that_field_and_nothing_is_stored(api, world):
    task = new_task(api, world)
    before = store()

    assert api.post("/api/tasks", task_body(world, user_id=99), token=world.tokens["coach"]) == invalid(
        ("user_id", "must be the id of an existing user"))
    assert api.post("/api/tasks", task_body(world, created_by=99), token=world.tokens["coach"]) == invalid(
        ("created_by", "must be the id of an existing user"))
    assert api.post("/api/tasks", task_body(world, original_task_id=99), token=world.tokens["coach"]) == invalid(
        ("original_task_id", "must be the id of an existing task"))
    assert api.put(f"/api/tasks/{task['id']}", {"original_task_id": 99}, token=world.tokens["coach"]) == invalid(
        ("original_task_id", "must be the id of an existing task"))
    assert store() == before

    assert api.post("/api/tasks", task_body(world, original_task_id=task["id"]), token=world.tokens["coach"]) == (
        201, task_answer(world, 2, original_task_id=task["id"]))


# --- tasks: update ---

def test_put_changes_only_the_given_fields_and_answers_the_whole_task(api, world):
    created = new_task(api, world)
    before = Task.get(1).serialize()

    status, body = api.put("/api/tasks/1", {"status": "COMPLETED", "date_completed": "2026-11-24T15:30:00Z"},
                           token=world.tokens["coach"])

    assert (status, body) == (200, {**created, "status": "COMPLETED", "date_completed": "2026-11-24T00:00:00.000Z"})
    assert changed_keys(before, Task.get(1).serialize()) == {"status", "date_completed", "revision"}
    assert api.get("/api/tasks/1", token=world.tokens["coach"]) == (200, body)
    assert api.put("/api/tasks/1", body, token=world.tokens["coach"]) == (200, body)  # put back what was read


def test_put_refuses_a_new_user_and_bad_fields_and_changes_nothing(api, world):
    new_task(api, world)
    before = store()

    for fields, failures in [
        ({"user_id": world.ids["other_client"]},
         [("user_id", "cannot be changed: create the task for the other user")]),
        ({"title": None}, [("title", "must not be null")]),
        ({"date_assigned": None}, [("date_assigned", "must not be null")]),
        ({"status": "DONE"}, [("status", TASK_STATUS)]),
        ({"difficulty": "easy"}, [("difficulty", "must be one of: EASY, MODERATE, DIFFICULT")]),
        ({"order": "last", "steps": "x"}, [("order", "must be an integer"),
                                            ("steps", "must be an array of at most 100 objects")]),
        ({"priority": 1}, [("priority", "is not a field of this record")]),
    ]:
        assert api.put("/api/tasks/1", fields, token=world.tokens["coach"]) == invalid(*failures), fields
    assert api.put("/api/tasks/99", {"title": "Nothing"}, token=world.tokens["coach"]) == NOT_FOUND
    assert store() == before


def test_put_of_a_null_date_created_is_refused_as_not_null(api, world):
    new_task(api, world)
    before = store()

    assert api.put("/api/tasks/1", {"date_created": None}, token=world.tokens["coach"]) == invalid(
        ("date_created", "must not be null"))
    assert store() == before
    assert api.get("/api/tasks/1", token=world.tokens["coach"])[1]["date_created"] == TODAY


# --- tasks: bulk update ---

def test_bulk_put_applies_every_change_together(api, world):
    tasks = [new_task(api, world) for _ in range(3)]

    status, body = api.put("/api/tasks", [{"id": 1, "order": 3}, {"id": 2, "order": 1},
                                          {"id": 3, "order": 2, "status": "ARCHIVED"}], token=world.tokens["coach"])

    assert (status, body) == (200, [{**tasks[0], "order": 3}, {**tasks[1], "order": 1},
                                    {**tasks[2], "order": 2, "status": "ARCHIVED"}])
    assert {int(t.id): (int(t.order), t.status) for t in Task.scan()} == {
        1: (3, "ACTIVE"), 2: (1, "ACTIVE"), 3: (2, "ARCHIVED")}
    assert api.get(f"/api/clients/{world.ids['client']}/tasks", token=world.tokens["client"]) == (
        200, sorted(body, key=lambda task: task["id"]))


def test_bulk_put_with_one_bad_entry_changes_nothing(api, world):
    new_task(api, world), new_task(api, world)
    new_task(api, world, world.ids["other_client"])
    before = store()

    for entries, answer in [
        ([{"id": 1, "order": 5}, {"id": 99, "order": 1}],
         invalid(("1.id", "must be the id of an existing task"))),
        ([{"id": 1, "order": 5}, {"id": 2, "status": "DONE"}], invalid(("1.status", TASK_STATUS))),
        ([{"id": 1, "order": 5}, {"id": 2, "title": None, "order": "x"}],
         invalid(("1.title", "must not be null"), ("1.order", "must be an integer"))),
        ([{"id": 1, "order": 5}, {"order": 1}], invalid(("1.id", "must be the id of an existing record"))),
        ([{"id": 1, "order": 5}, {"id": 2, "colour": "red"}], invalid(("1.colour", "is not a field of this record"))),
        ([{"id": 1, "order": 5}, {"id": 1, "order": 6}], invalid(("id", "each task may appear once"))),
        ([], invalid(("body", "must be an array of 1 to 100 tasks"))),
        ({"id": 1, "order": 5}, invalid(("body", "must be an array of records, each with its id"))),
        ([{"id": 1, "order": 5}, {"id": 3, "order": 1}], FORBIDDEN),  # task 3 is another coach's client's
    ]:
        assert api.put("/api/tasks", entries, token=world.tokens["coach"]) == answer, entries
    assert api.call("PUT", "/api/tasks", raw="[{", token=world.tokens["coach"])[0] == 400
    assert store() == before


def test_bulk_put_names_a_refused_user_or_original_task_by_its_index_and_changes_nothing(api, world):
    new_task(api, world), new_task(api, world)
    before = store()

    answers = [api.put("/api/tasks", [{"id": 1, "order": 5}, {"id": 2, **change}], token=world.tokens["coach"])
               for change in ({"user_id": world.ids["other_client"]}, {"original_task_id": 99})]

    assert answers == [invalid(("1.user_id", "cannot be changed: create the task for the other user")),
                       invalid(("1.original_task_id", "must be the id of an existing task"))]
    assert store() == before


# --- tasks: delete ---

def test_a_task_with_help_requests_cannot_be_deleted(api, world):
    task = new_task(api, world)
    new_request(api, world, task["id"])
    before = store()

    assert api.delete("/api/tasks/1", token=world.tokens["coach"]) == (
        409, {"message": "The task still has help requests or media: delete those first"})
    assert store() == before

    assert api.delete("/api/requests/1", token=world.tokens["coach"]) == DELETED
    assert api.delete("/api/tasks/1", token=world.tokens["coach"]) == DELETED
    assert Task.count() == HelpRequest.count() == 0
    client = user(world.ids["client"])
    assert (client.task_count, client.request_count) == (0, 0)
    assert api.get("/api/tasks/1", token=world.tokens["coach"]) == NOT_FOUND
    assert api.delete("/api/tasks/1", token=world.tokens["coach"]) == NOT_FOUND


# --- messages ---

def test_a_message_is_stored_with_the_documented_shape_and_a_timestamp_of_now(api, world):
    coach, client = world.ids["coach"], world.ids["client"]

    status, created = api.post("/api/messages", {"text": "How is the budget going?", "to_user": client,
                                                 "from_user": coach}, token=world.tokens["coach"])

    assert (status, created) == (201, {"id": 1, "text": "How is the budget going?", "to_user": client,
                                       "from_user": coach, "media_id": None, "request_id": None, "timestamp": NOW,
                                       "responses": None, "topic": None})
    assert list(created) == DOC_MESSAGE_KEYS
    message = Message.get(1)
    assert (message.timestamp.isoformat(), message.client_id, message.org_id) == (
        "2026-11-23T12:00:00+00:00", client, world.orgs["org"])
    assert (user(coach).message_count, user(client).message_count) == (1, 1)
    assert api.get(f"/api/clients/{client}/messages", token=world.tokens["client"]) == (200, [created])

    given = {"text": "Checking in", "to_user": client, "from_user": coach, "timestamp": "2018-07-22T14:55:53.564Z",
             "topic": "checkin", "responses": ["Yes", "No"]}
    assert api.post("/api/messages", given, token=world.tokens["coach"]) == (
        201, {"id": 2, "media_id": None, "request_id": None, **given})


def test_a_message_may_refer_to_existing_media_and_requests(api, world):
    media = new_media(api, world)
    request = new_request(api, world, new_task(api, world)["id"])
    body = {"text": "Here's something inspiring", "to_user": world.ids["client"], "from_user": world.ids["coach"],
            "media_id": media["id"], "request_id": request["id"]}

    status, created = api.post("/api/messages", body, token=world.tokens["coach"])

    assert (status, created) == (201, {"id": 1, **body, "timestamp": NOW, "responses": None, "topic": None})
    assert (Message.get(1).media_id, Message.get(1).request_id) == (media["id"], request["id"])


def test_bad_messages_are_400_and_nothing_is_stored(api, world):
    body = {"text": "Hi", "to_user": world.ids["client"], "from_user": world.ids["coach"]}
    before = store()

    for field in ("text", "to_user", "from_user"):
        missing = {key: value for key, value in body.items() if key != field}
        assert api.post("/api/messages", missing, token=world.tokens["coach"]) == invalid((field, "is required"))
        assert api.post("/api/messages", {**body, field: None}, token=world.tokens["coach"]) == invalid(
            (field, "must not be null"))
    for field, value, message in [
        ("text", "  ", "must not be blank"),
        ("text", 5, "must be a string"),
        ("to_user", "a", "must be the id of an existing record"),
        ("timestamp", "later", ISO),
        ("responses", "x", "must be an array of at most 100 strings"),
        ("topic", 5, "must be a string"),
        ("subject", "Hello", "is not a field of this record"),
        ("to_user", 99, "must be the id of an existing user"),
        ("from_user", 99, "must be the id of an existing user"),
        ("media_id", "a", "must be the id of an existing record"),
    ]:
        assert api.post("/api/messages", {**body, field: value}, token=world.tokens["coach"]) == invalid(
            (field, message)), (field, value)
    assert store() == before
    assert api.get(f"/api/clients/{world.ids['client']}/messages", token=world.tokens["coach"]) == (200, [])


def test_a_message_naming_unknown_media_or_an_unknown_request_is_400_and_nothing_is_stored(api, world):
    body = {"text": "Hi", "to_user": world.ids["client"], "from_user": world.ids["coach"]}
    media = new_media(api, world)
    request = new_request(api, world, new_task(api, world)["id"])
    before = store()

    answers = [api.post("/api/messages", {**body, **refs}, token=world.tokens["coach"]) for refs in (
        {"media_id": 99}, {"request_id": 99}, {"media_id": media["id"], "request_id": 99},
        {"media_id": 99, "request_id": request["id"]})]

    assert answers == [invalid(("media_id", "must be the id of an existing media")),
                       invalid(("request_id", "must be the id of an existing request")),
                       invalid(("request_id", "must be the id of an existing request")),
                       invalid(("media_id", "must be the id of an existing media"))]
    assert store() == before


def test_a_client_sends_only_as_themselves_to_staff_of_their_org(api, world):
    ids, token = world.ids, world.tokens["client"]
    before = store()

    for sender, recipient in [("coach", "client"), ("client", "other_client"), ("client", "client"),
                              ("client", "other_admin"), ("other_client", "coach")]:
        assert api.post("/api/messages", {"text": "Hi", "from_user": ids[sender], "to_user": ids[recipient]},
                        token=token) == FORBIDDEN, (sender, recipient)
    assert store() == before

    for number, staff in enumerate(("coach", "admin", "other_coach"), start=1):
        status, created = api.post("/api/messages", {"text": "Help", "from_user": ids["client"],
                                                     "to_user": ids[staff]}, token=token)
        assert (status, created["id"], created["from_user"]) == (201, number, ids["client"]), staff
    assert [(int(m.from_user), int(m.to_user), int(m.client_id)) for m in Message.scan()] == [
        (ids["client"], ids[staff], ids["client"]) for staff in ("coach", "admin", "other_coach")]


# --- media ---

def test_media_gets_the_documented_defaults_and_shape(api, world):
    assert api.post("/api/media", {"title": "Allene's Story", "category": "STORY"}, token=world.tokens["admin"]) == (
        201, {"id": 1, "task_id": None, "title": "Allene's Story", "category": "STORY", "description": None,
              "url": None, "image": None, "published_by": -1, "type": None})
    media = Media.get(1)
    assert (media.published_by, media.type, media.view_count) == (-1, None, 0)

    task = new_task(api, world)
    example = {**DOC_MEDIA, "task_id": task["id"]}
    status, created = api.post("/api/media", example, token=world.tokens["admin"])
    assert (status, created) == (201, {**example, "id": 2})
    assert list(created) == list(DOC_MEDIA)
    assert api.post("/api/media", {"title": "Budgeting", "category": "EDU", "published_by": None,
                                   "type": "GENERAL_EDUCATION"}, token=world.tokens["root"])[1]["published_by"] == -1
    assert api.get("/api/media", token=world.tokens["coach"])[1] == [
        api.get(f"/api/media/{number}", token=world.tokens["coach"])[1] for number in (1, 2, 3)]


def test_bad_media_is_400_and_nothing_is_stored(api, world):
    body = {"title": "Story", "category": "STORY"}
    before = store()

    for fields, failures in [
        ({"type": "VIDEO"}, [("type", "must be one of: TASK_CONTENT, TASK_RESOURCE, STORY, GENERAL_EDUCATION")]),
        ({"type": "story"}, [("type", "must be one of: TASK_CONTENT, TASK_RESOURCE, STORY, GENERAL_EDUCATION")]),
        ({"title": None}, [("title", "must not be null")]),
        ({"category": None}, [("category", "must not be null")]),
        ({"published_by": "me"}, [("published_by", "must be an integer")]),
        ({"task_id": "a"}, [("task_id", "must be the id of an existing record")]),
        ({"url": 5}, [("url", "must be a string")]),
        ({"author": "Me"}, [("author", "is not a field of this record")]),
    ]:
        assert api.post("/api/media", {**body, **fields}, token=world.tokens["admin"]) == invalid(*failures), fields
    assert api.post("/api/media", {}, token=world.tokens["admin"]) == invalid(
        ("title", "is required"), ("category", "is required"))
    assert api.post("/api/media", body, token=world.tokens["coach"]) == FORBIDDEN
    assert store() == before


def test_media_for_an_unknown_task_is_400_and_nothing_is_stored(api, world):
    before = store()

    assert api.post("/api/media", {"title": "Story", "category": "STORY", "task_id": 99},
                    token=world.tokens["admin"]) == invalid(("task_id", "must be the id of an existing task"))
    assert store() == before


def test_viewed_media_cannot_be_deleted_until_no_client_has_viewed_it(api, world):
    new_media(api, world)
    assert api.post(f"/api/clients/{world.ids['client']}/viewed_media/1", token=world.tokens["coach"])[0] == 201
    before = store()

    assert api.delete("/api/media/1", token=world.tokens["admin"]) == (
        409, {"message": "Clients have viewed this media, or messages name it: delete those first"})
    assert store() == before

    assert api.delete(f"/api/clients/{world.ids['client']}/viewed_media/1", token=world.tokens["coach"]) == DELETED
    assert api.delete("/api/media/1", token=world.tokens["admin"]) == DELETED
    assert Media.count() == 0
    assert api.delete("/api/media/1", token=world.tokens["admin"]) == NOT_FOUND


# --- viewed media ---

def test_marking_media_viewed_twice_keeps_one_record(api, world):
    client, coach = world.ids["client"], world.tokens["coach"]
    first, second = new_media(api, world), new_media(api, world, title="Second")

    assert api.post(f"/api/clients/{client}/viewed_media/2", token=coach) == (
        201, {"id": 1, "client_id": client, "media_id": 2})
    assert api.post(f"/api/clients/{client}/viewed_media/2", token=coach) == (
        200, {"id": 1, "client_id": client, "media_id": 2})
    assert api.post(f"/api/clients/{client}/viewed_media/1", token=coach) == (
        201, {"id": 3, "client_id": client, "media_id": 1})

    assert sorted((int(r.client_id), int(r.media_id), int(r.id)) for r in ViewedMedia.scan()) == [
        (client, 1, 3), (client, 2, 1)]
    assert (user(client).viewed_count, Media.get(1).view_count, Media.get(2).view_count) == (2, 1, 1)
    assert api.get(f"/api/clients/{client}/viewed_media", token=coach) == (200, [first, second])
    assert api.get(f"/api/clients/{client}/viewed_media", token=world.tokens["client"]) == (200, [first, second])


def test_a_view_carries_its_media_as_listed_and_a_view_from_before_it_did_still_lists_it(api, world, aws_calls):
    client, coach = world.ids["client"], world.tokens["coach"]
    task = new_task(api, world)
    fields = {key: DOC_MEDIA[key] for key in ("title", "category", "description", "url", "image", "type")}
    first = new_media(api, world, **fields, task_id=task["id"], published_by=world.ids["admin"])
    second = new_media(api, world, title="Second")
    for media_id in (first["id"], second["id"]):
        assert api.post(f"/api/clients/{client}/viewed_media/{media_id}", token=coach)[0] == 201
    ViewedMedia(client, second["id"]).update(actions=[ViewedMedia.media.remove()])  # as written before views did
    aws_calls.clear()

    for path, token in ((f"/api/clients/{client}/viewed_media", coach), ("/api/media", world.tokens["client"])):
        assert api.get(path, token=token) == (200, [first, second]), path
    media_read = [params["RequestItems"][Media.Meta.table_name]["Keys"] for _, operation, params in aws_calls
                  if operation == "BatchGetItem" and Media.Meta.table_name in params["RequestItems"]]
    assert media_read == [[{"id": {"N": str(second["id"])}}]] * 2  # the media of the view without a copy only


def test_a_client_cannot_mark_or_unmark_media_for_themselves(api, world):
    client = world.ids["client"]
    new_media(api, world), new_media(api, world, title="Second")
    assert api.post(f"/api/clients/{client}/viewed_media/1", token=world.tokens["coach"])[0] == 201
    before = store()

    assert api.post(f"/api/clients/{client}/viewed_media/2", token=world.tokens["client"]) == FORBIDDEN
    assert api.delete(f"/api/clients/{client}/viewed_media/1", token=world.tokens["client"]) == FORBIDDEN
    assert store() == before


def test_unmarking_removes_the_record_and_its_counts(api, world):
    client, coach = world.ids["client"], world.tokens["coach"]
    first = new_media(api, world)
    new_media(api, world, title="Second")
    for media_id in (1, 2):
        assert api.post(f"/api/clients/{client}/viewed_media/{media_id}", token=coach)[0] == 201

    assert api.delete(f"/api/clients/{client}/viewed_media/2", token=coach) == DELETED

    assert [(int(r.client_id), int(r.media_id)) for r in ViewedMedia.scan()] == [(client, 1)]
    assert (user(client).viewed_count, Media.get(1).view_count, Media.get(2).view_count) == (1, 1, 0)
    assert api.get(f"/api/clients/{client}/viewed_media", token=coach) == (200, [first])
    assert api.delete(f"/api/clients/{client}/viewed_media/2", token=coach) == NOT_FOUND
    assert api.post(f"/api/clients/{client}/viewed_media/2", token=coach) == (
        201, {"id": 3, "client_id": client, "media_id": 2})


def test_marking_unknown_media_or_for_an_unknown_client_is_404_and_stores_nothing(api, world):
    new_media(api, world)
    root = world.tokens["root"]
    before = store()

    for path in (f"/api/clients/{world.ids['client']}/viewed_media/99", "/api/clients/99/viewed_media/1",
                 f"/api/clients/{world.ids['coach']}/viewed_media/1", f"/api/clients/{world.ids['client']}/"
                                                                      "viewed_media/abc"):
        assert api.post(path, token=root) == NOT_FOUND, path
        assert api.delete(path, token=root) == NOT_FOUND, path
    assert api.delete(f"/api/clients/{world.ids['client']}/viewed_media/1", token=root) == NOT_FOUND  # not viewed
    assert api.get("/api/clients/99/viewed_media", token=root) == NOT_FOUND
    assert api.get(f"/api/clients/{world.ids['client']}/viewed_media", token=root) == (200, [])
    assert store() == before


# --- help requests ---

def test_a_help_request_sets_its_users_status_as_it_moves(api, world, fixed_clock):
    client = world.ids["client"]
    task = new_task(api, world)

    status, created = api.post("/api/requests", {"user_id": client, "task_id": task["id"]},
                               token=world.tokens["client"])

    assert (status, created) == (201, {"id": 1, "status": "NEEDS_ASSISTANCE", "user_id": client,
                                       "task_id": task["id"], "created_at": NOW, "updated_at": NOW})
    assert list(created) == DOC_REQUEST_KEYS
    assert (user(client).status, user(client).request_count, Task.get(1).request_count) == ("AWAITING_HELP", 1, 1)
    assert HelpRequest.get(1).org_id == world.orgs["org"]

    for minute, (token, status_, user_status) in enumerate([("coach", "REPLIED", "WORKING"),
                                                            ("client", "NEEDS_ASSISTANCE", "AWAITING_HELP"),
                                                            ("admin", "RESOLVED", "WORKING")], start=1):
        fixed_clock.advance(minutes=1)
        assert api.put("/api/requests/1", {"status": status_}, token=world.tokens[token]) == (
            200, {**created, "status": status_, "updated_at": f"2026-11-23T12:0{minute}:00.000Z"}), status_
        assert (HelpRequest.get(1).status, user(client).status) == (status_, user_status), status_
    _, read = api.get("/api/requests/1", token=world.tokens["client"])
    assert api.put("/api/requests/1", {**read, "status": "NEEDS_ASSISTANCE"}, token=world.tokens["client"])[1] == {
        **read, "status": "NEEDS_ASSISTANCE"}
    assert user(client).status == "AWAITING_HELP"


def test_a_help_request_created_in_another_status_leaves_its_user_working(api, world):
    task = new_task(api, world)
    new_request(api, world, task["id"])
    assert user(world.ids["client"]).status == "AWAITING_HELP"

    assert new_request(api, world, task["id"], status="REPLIED")["status"] == "REPLIED"
    assert user(world.ids["client"]).status == "WORKING"
    assert new_request(api, world, task["id"], status=None)["status"] == "NEEDS_ASSISTANCE"
    assert user(world.ids["client"]).status == "AWAITING_HELP"
    assert (user(world.ids["client"]).request_count, Task.get(1).request_count) == (3, 3)


def test_the_users_status_moves_only_with_the_request_in_one_transaction(api, world, monkeypatch):
    """If the request cannot be written (here its task is gone once the transaction runs), the user's status
    stays as it was."""
    new_task(api, world)
    before = store()
    vanished = Task(99, user_id=world.ids["client"])
    monkeypatch.setattr(help_requests.scope, "records", lambda caller, refs, unchecked=(): {
        "user_id": user(world.ids["client"]), "task_id": vanished})

    assert api.post("/api/requests", {"user_id": world.ids["client"], "task_id": 99},
                    token=world.tokens["client"]) == invalid(("task_id", "must be the id of an existing task"))
    assert store() == before
    assert user(world.ids["client"]).status == "WORKING"


def test_bad_help_requests_are_400_and_nothing_is_stored(api, world):
    task = new_task(api, world)
    other_task = new_task(api, world, world.ids["other_client"])
    body = {"user_id": world.ids["client"], "task_id": task["id"]}
    before = store()

    for fields, failures in [
        ({"task_id": other_task["id"]}, [("task_id", "must be a task of the request's user")]),
        ({"status": "OPEN"}, [("status", REQUEST_STATUS)]),
        ({"status": "replied"}, [("status", REQUEST_STATUS)]),
        ({"user_id": None}, [("user_id", "must not be null")]),
        ({"task_id": None}, [("task_id", "must not be null")]),
        ({"user_id": 99}, [("user_id", "must be the id of an existing user")]),
        ({"user_id": "a"}, [("user_id", "must be the id of an existing record")]),
        ({"note": "Help"}, [("note", "is not a field of this record")]),
    ]:
        assert api.post("/api/requests", {**body, **fields}, token=world.tokens["root"]) == invalid(
            *failures), fields
    assert api.post("/api/requests", {"status": "OPEN"}, token=world.tokens["root"]) == invalid(
        ("status", REQUEST_STATUS), ("user_id", "is required"), ("task_id", "is required"))
    assert store() == before
    assert user(world.ids["client"]).status == "WORKING"


def test_a_help_requests_user_and_task_cannot_change(api, world):
    task = new_task(api, world)
    other_task = new_task(api, world)
    new_request(api, world, task["id"])
    before = store()

    for fields, failures in [
        ({"user_id": world.ids["other_client"]}, [("user_id", "cannot be changed: create a new request")]),
        ({"task_id": other_task["id"], "status": "RESOLVED"}, [("task_id", "cannot be changed: create a new request")]),
        ({"status": "OPEN"}, [("status", REQUEST_STATUS)]),
        ({"user_id": "a"}, [("user_id", "must be the id of an existing record")]),
    ]:
        assert api.put("/api/requests/1", fields, token=world.tokens["root"]) == invalid(*failures), fields
    assert api.put("/api/requests/99", {"status": "RESOLVED"}, token=world.tokens["root"]) == NOT_FOUND
    assert store() == before
    assert user(world.ids["client"]).status == "AWAITING_HELP"


def test_records_that_others_name_are_deleted_only_after_those_are(api, world):
    # The document's foreign keys: media names a task; a message names media and a help request.
    admin, coach = world.tokens["admin"], world.tokens["coach"]
    task = new_task(api, world)
    media = new_media(api, world, task_id=task["id"])
    request = new_request(api, world, task["id"])
    status, message = api.post("/api/messages", {"text": "See this", "to_user": world.ids["client"],
                                                 "from_user": world.ids["coach"], "media_id": media["id"],
                                                 "request_id": request["id"]}, token=coach)
    assert status == 201, message
    before = store()

    assert api.delete(f"/api/media/{media['id']}", token=admin) == (
        409, {"message": "Clients have viewed this media, or messages name it: delete those first"})
    assert api.delete(f"/api/requests/{request['id']}", token=coach) == (
        409, {"message": "Messages still name this request: delete those first"})
    assert api.delete(f"/api/tasks/{task['id']}", token=coach) == (
        409, {"message": "The task still has help requests or media: delete those first"})
    assert store() == before

    for path, token in ((f"/api/messages/{message['id']}", coach), (f"/api/media/{media['id']}", admin),
                        (f"/api/requests/{request['id']}", coach), (f"/api/tasks/{task['id']}", coach)):
        assert api.delete(path, token=token) == (200, {"deleted": 1}), path
    assert Task.count() == 0 and Media.count() == 0 and HelpRequest.count() == 0
