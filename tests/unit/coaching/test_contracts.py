"""Coaching contracts (issue 18, item 1): each way a body fails its route's JSON Schema is told as the document's
`{"field", "message"}` pair, through HTTP; what no schema says (a time's calendar, a phone number's normal form,
trimmed names) the services do."""
import pytest

from chalicelib.coaching import contracts
from chalicelib.coaching.models import CoachingUser, Task
from tests.unit.coaching.conftest import invalid, store

PHONE = "must be a phone number: 10 digits, or + and the country code"


def new_user(world, **fields):
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "org_id": world.orgs["org"],
            "type": "Client", "coach_id": world.ids["coach"], **fields}
    return {key: value for key, value in body.items() if value is not None}


def task_body(world, **fields):
    return {"title": "Save", "category": "custom", "user_id": world.ids["client"], "date_assigned": "2026-11-25",
            **fields}


@pytest.mark.parametrize("field, value, message", [
    ("first_name", 5, "must be a string"),  # type
    ("first_name", "x" * 5001, "must be at most 5000 characters"),  # maxLength
    ("first_name", " \t", "must not be blank"),  # pattern
    ("email", "a@b", "must be an email address"),  # pattern, named by x-errors
    ("email", 5, "must be an email address"),  # type, the same message
    ("phone", "555-1234", PHONE),
    ("org_id", 0, "must be the id of an existing record"),  # minimum
    ("org_id", 2 ** 53, "must be the id of an existing record"),  # maximum: JSON's safe integers
    ("status", "BUSY", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE"),  # enum
    ("goals", ["a"] * 101, "must be an array of at most 100 strings"),  # maxItems
    ("goals", ["a", 1, 2], "must be a string"),  # the first failing item, told on the field
    ("nickname", "Ada", "is not a field of this record"),  # additionalProperties
    ("first_name", None, "must not be null"),  # required and null
])
def test_each_keyword_of_a_user_field_is_told_as_the_documents_message(api, world, field, value, message):
    before = store()
    assert api.post("/api/users", {**new_user(world), field: value}, token=world.tokens["root"]) == invalid(
        (field, message))
    assert store() == before


@pytest.mark.parametrize("value, message", [
    ([{"topic": 5, "message": 5, "time": 1}], "has a topic that must be a string"),  # keys in declared order
    ([{"time": 1}, {"topic": "t"}], "must have time"),  # the first failing entry
    ([{"time": None, "topic": 5}], "must have time"),  # missing (or null) before a bad key
    ([{"time": 2 ** 53 - 1}], "has a time that must be a time in epoch milliseconds"),
    ([5], "must be an object with topic, message, time"),
    ([{"time": 1}] * 101, "must be an array of at most 100 objects"),
])
def test_a_nested_entry_is_told_on_its_field(api, world, value, message):
    assert api.post("/api/users", new_user(world, checkin_times=value), token=world.tokens["root"]) == invalid(
        ("checkin_times", message))


@pytest.mark.parametrize("value, message", [
    ({"every": 2}, "must have frequency, duration"),  # every missing key, in declared order
    ({"frequency": None, "duration": 3}, "must have frequency"),
    ({"frequency": 1, "duration": 3651}, "has a duration that must be a number of days from 1 to 3650"),
    ([1], "must be an object with frequency, duration"),
])
def test_a_recurrence_is_told_on_its_field(api, world, value, message):
    assert api.post("/api/tasks", task_body(world, recurring=value), token=world.tokens["coach"]) == invalid(
        ("recurring", message))


def test_failures_come_in_the_bodys_order_then_the_missing_fields(api, world):
    body = {"status": "BUSY", "coach_id": "a", "last_name": 5}
    assert api.post("/api/users", body, token=world.tokens["root"]) == invalid(
        ("status", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE"),
        ("coach_id", "must be the id of an existing record"), ("last_name", "must be a string"),
        ("first_name", "is required"), ("email", "is required"), ("org_id", "is required"), ("type", "is required"))


def test_the_body_itself(api, world):
    for path in ("/api/users", "/api/tasks/1"):
        method = api.post if path == "/api/users" else api.put
        assert method(path, [1], token=world.tokens["root"]) == invalid(("body", "must be a JSON object"))
    assert api.put("/api/tasks", {"id": 1}, token=world.tokens["root"]) == invalid(
        ("body", "must be an array of records, each with its id"))


def test_a_bulk_entry_is_named_by_its_index_and_one_without_an_id_by_its_id_alone(api, world):
    assert api.put("/api/tasks", [{"order": "x", "status": "DONE"}, 5, {"id": 1, "order": "x", "colour": 1}],
                   token=world.tokens["coach"]) == invalid(
        ("0.id", "must be the id of an existing record"), ("1.id", "must be the id of an existing record"),
        ("2.order", "must be an integer"), ("2.colour", "is not a field of this record"))


def test_null_on_update_is_refused_only_for_not_null_fields_and_a_default_replaces_it(api, world):
    client, root = world.ids["client"], world.tokens["root"]
    assert api.put(f"/api/clients/{client}", {"type": None}, token=root) == invalid(("type", "must not be null"))
    status, body = api.put(f"/api/clients/{client}", {"status": None, "color": None}, token=root)
    assert (status, body["status"], body["color"]) == (200, "WORKING", None)


def test_what_no_schema_says_the_services_do(api, world):
    root = world.tokens["root"]
    status, user = api.post("/api/users", new_user(world, first_name="  Ada ", email=" ada@example.com ",
                                                   phone="(555) 123-4567", checkin_times=[{"time": 5, "x": 1}]),
                            token=root)
    assert (status, user["first_name"], user["email"], user["phone"]) == (201, "Ada", "ada@example.com",
                                                                          "+15551234567")
    assert user["checkin_times"] == [{"topic": None, "message": None, "time": 5}]
    assert CoachingUser.get(user["id"]).phone == "+15551234567"

    iso = "must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z"
    before = store()
    assert api.post("/api/tasks", task_body(world, date_assigned="2026-13-01", date_completed="later"),
                    token=world.tokens["coach"]) == invalid(("date_assigned", iso), ("date_completed", iso))
    assert store() == before
    status, task = api.post("/api/tasks", task_body(world, title=" Save ", date_assigned="2026-11-25T23:00:00-05:00",
                                                    recurring=[], steps=[{"text": "Call", "extra": 1}]),
                            token=world.tokens["coach"])
    assert (status, task["title"], task["date_assigned"], task["recurring"], task["steps"]) == (
        201, "Save", "2026-11-26T00:00:00.000Z", {}, [{"task_id": None, "text": "Call"}])
    assert Task.get(task["id"]).recurring is None


def test_every_body_schema_names_a_message_for_each_keyword_it_checks():
    """A failure with no message would answer jsonschema's text: every checking keyword has its `x-errors`."""
    checking = {"type", "maxLength", "pattern", "minimum", "maximum", "exclusiveMaximum", "enum", "maxItems"}

    def walk(schema, where):
        if not isinstance(schema, dict):
            return
        assert checking & schema.keys() <= schema.get("x-errors", {}).keys(), where
        for key in ("items", "additionalProperties"):
            walk(schema.get(key), f"{where}.{key}")
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")

    for fields in (contracts.USER_FIELDS, contracts.TASK_FIELDS, contracts.ORG_FIELDS, contracts.MEDIA_FIELDS,
                   contracts.MESSAGE_FIELDS, contracts.REQUEST_FIELDS):
        for name, contract in contracts.crud("/x", "task", fields, contracts.TASK).items():
            if contract.body:
                walk(contract.body, name)
    walk(contracts.TASKS_UPDATE_MANY.body, "bulk")


def test_a_number_with_a_fraction_part_is_no_integer_nor_an_id(api, world):
    """JSON Schema counts 1.0 an integer; the store's keys do not (a 500 once a task named its user so)."""
    before = store()
    assert api.post("/api/tasks", task_body(world, user_id=float(world.ids["client"]), order=2.0),
                    token=world.tokens["coach"]) == invalid(("user_id", "must be the id of an existing record"),
                                                            ("order", "must be an integer"))
    assert api.post("/api/users", new_user(world, checkin_times=[{"time": 5.0}]), token=world.tokens["root"]) == (
        invalid(("checkin_times", "has a time that must be a time in epoch milliseconds")))
    assert store() == before
