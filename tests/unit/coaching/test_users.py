"""Coaching users and orgs (/api/users, /api/clients, /api/coaches, /api/orgs): the document's shapes and defaults,
phone normalisation, bad input (NOT NULL, CHECK, wrong types, foreign ids) refused with nothing stored, unique
emails, the type each route forces, updates of the given fields only, and deletions refused while records refer."""
from chalicelib.coaching.models import CoachingEmail, CoachingUser, Org
from tests.unit.coaching.conftest import invalid, store

NOW = "2026-11-23T12:00:00.000Z"
NOT_FOUND = (404, {"message": "Not found"})
FORBIDDEN = (403, {"message": "Forbidden"})
IN_USE = (409, {"message": "The user still has tasks, requests, messages, viewed media or clients: delete those first"})
TAKEN = (409, {"message": "A user with that email already exists"})
# The document's example user, as written there ("platform": 'SMS' read as JSON).
DOC_USER = {
    "id": 111, "first_name": "MC", "last_name": "Hammer", "email": "mc@hammer.net", "phone": "+15555555",
    "coach_id": 222, "org_id": 73, "color": None, "goals": ["Increase credit score to a minimum of 650"],
    "status": "WORKING", "type": "Coach", "created_at": "2018-07-31T15:46:26.306Z",
    "updated_at": "2018-08-01T13:41:41.332Z", "platform": "SMS", "image": None,
    "follow_up_date": "2018-09-19T16:13:08.550Z", "plan_url": None,
    "checkin_times": [{"topic": "introtask", "message": "startprompt", "time": 1536847200042}],
    "topic": "introtask", "fb_id": None, "temp_help_response": None, "auth0_id": None,
}
PHONE = "must be a phone number: 10 digits, or + and the country code"
NOT_A_COACH = "must be the id of a Coach of the same org"


def stored_user(user_id):
    return CoachingUser.get(user_id, consistent_read=True)


def claims():
    """The email claims: lower-cased email -> user id."""
    return {claim.email: int(claim.user_id) for claim in CoachingEmail.scan(consistent_read=True)}


def new_user(world, **fields):
    """A valid create body (a client of `org` coached by `coach`), with `fields` changed (None removes one)."""
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "org_id": world.orgs["org"],
            "type": "Client", "coach_id": world.ids["coach"], **fields}
    return {key: value for key, value in body.items() if value is not None}


def answer(world, user_id, **fields):
    """The whole user the API answers for `new_user(world, **fields)` stored under `user_id` now."""
    return {"id": user_id, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": None,
            "coach_id": world.ids["coach"], "org_id": world.orgs["org"], "color": None, "goals": [],
            "status": "WORKING", "type": "Client", "created_at": NOW, "updated_at": NOW, "platform": "SMS",
            "image": None, "follow_up_date": None, "plan_url": None, "checkin_times": [], "topic": None,
            "fb_id": None, "temp_help_response": None, "auth0_id": None, **fields}


# --- create: shapes and defaults ---

def test_the_documents_example_user_is_stored_and_answered_with_exactly_its_keys(api, world):
    body = {**DOC_USER, "coach_id": world.ids["coach"], "org_id": world.orgs["org"]}

    status, created = api.post("/api/users", body, token=world.tokens["root"])

    assert status == 201
    assert list(created) == list(DOC_USER)
    assert created == {**body, "id": 7, "created_at": NOW, "updated_at": NOW}
    assert api.get("/api/users/7", token=world.tokens["root"]) == (200, created)
    user = stored_user(7)
    assert (user.email, user.phone, user.type, user.org_id, user.coach_id) == (
        "mc@hammer.net", "+15555555", "Coach", world.orgs["org"], world.ids["coach"])
    assert [entry.as_dict() for entry in user.checkin_times] == DOC_USER["checkin_times"]
    assert claims()["mc@hammer.net"] == 7
    assert stored_user(world.ids["coach"]).client_count == 1 + 1  # the world's client and this user
    assert Org.get(world.orgs["org"]).user_count == 5 + 1


def test_a_minimal_user_gets_the_documented_defaults(api, world):
    status, created = api.post("/api/users", new_user(world), token=world.tokens["root"])

    assert (status, created) == (201, answer(world, 7))
    user = stored_user(7)
    assert (user.goals, user.checkin_times, user.platform, user.status) == ([], [], "SMS", "WORKING")
    assert (user.created_at.isoformat(), user.updated_at.isoformat()) == ("2026-11-23T12:00:00+00:00",) * 2


def test_null_platform_goals_checkin_times_and_status_take_their_defaults(api, world):
    body = new_user(world, email="nulls@example.com")
    body.update(platform=None, goals=None, checkin_times=None, status=None, phone=None, color=None)

    status, created = api.post("/api/users", body, token=world.tokens["root"])

    assert (status, created) == (201, answer(world, 7, email="nulls@example.com"))
    user = stored_user(7)
    assert (user.platform, user.goals, user.checkin_times, user.status, user.phone) == ("SMS", [], [], "WORKING",
                                                                                        None)


def test_given_values_are_stored_and_answered(api, world):
    fields = {"platform": "FBOOK", "fb_id": "fb-1", "status": "NON_RESPONSIVE", "goals": ["Save $500", "Budget"],
              "color": "#ff0000", "topic": "introtask", "follow_up_date": "2026-12-01T09:30:00Z",
              "checkin_times": [{"topic": "budget", "message": "How is it going?", "time": 1795435200000}]}

    status, created = api.post("/api/users", new_user(world, **fields), token=world.tokens["root"])

    assert (status, created) == (201, answer(world, 7, **{**fields, "follow_up_date": "2026-12-01T09:30:00.000Z"}))
    user = stored_user(7)
    assert (user.platform, user.fb_id, user.status, user.goals) == ("FBOOK", "fb-1", "NON_RESPONSIVE",
                                                                   ["Save $500", "Budget"])


# --- phone numbers ---

def test_phone_numbers_are_normalised(api, world):
    root, admin = world.tokens["root"], world.ids["admin"]
    assert api.post("/api/users", new_user(world, phone="(555) 123-4567"), token=root) == (
        201, answer(world, 7, phone="+15551234567"))
    assert stored_user(7).phone == "+15551234567"

    for given, normalised in [("(555) 123-4567", "+15551234567"), ("555.123.4567", "+15551234567"),
                              ("5551234567", "+15551234567"), (" 555 123 4567 ", "+15551234567"),
                              ("+44 20 7946 0958", "+442079460958"), ("+1 (555) 123-4567", "+15551234567"),
                              ("+15555555", "+15555555")]:
        status, body = api.put(f"/api/users/{admin}", {"phone": given}, token=root)
        assert (status, body["phone"]) == (200, normalised), given
        assert stored_user(admin).phone == normalised, given


def test_what_cannot_be_a_phone_number_is_refused_and_nothing_changes(api, world):
    root, admin = world.tokens["root"], world.ids["admin"]
    before = store()

    for given, message in [("12", PHONE), ("", PHONE), ("not a phone", PHONE), ("555-1234", PHONE),
                           ("1 555 123 4567", PHONE), ("+12", PHONE), ("+1234567890123456", PHONE),
                           ("+44 20 7946 0958 ext", PHONE), (5551234567, "must be a string")]:
        assert api.post("/api/users", new_user(world, phone=given), token=root) == invalid(("phone", message)), given
        assert api.put(f"/api/users/{admin}", {"phone": given}, token=root) == invalid(("phone", message)), given
    assert store() == before


# --- create: bad input ---

def test_each_not_null_field_missing_or_null_is_400_and_nothing_is_stored(api, world):
    before = store()

    for field in ("first_name", "last_name", "email", "org_id", "type"):
        missing = {key: value for key, value in new_user(world).items() if key != field}
        assert api.post("/api/users", missing, token=world.tokens["root"]) == invalid((field, "is required")), field
        assert api.post("/api/users", {**new_user(world), field: None}, token=world.tokens["root"]) == invalid(
            (field, "must not be null")), field
    assert api.post("/api/users", {}, token=world.tokens["root"]) == invalid(
        *[(field, "is required") for field in ("first_name", "last_name", "email", "org_id", "type")])
    assert store() == before


def test_values_outside_each_check_are_refused(api, world):
    before = store()

    for field, value, message in [
        ("status", "BUSY", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE"),
        ("status", "working", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE"),
        ("type", "Student", "must be one of: Client, Coach, Admin, Superadmin"),
        ("type", "client", "must be one of: Client, Coach, Admin, Superadmin"),
        ("platform", "EMAIL", "must be one of: SMS, FBOOK"),
        ("platform", "sms", "must be one of: SMS, FBOOK"),
    ]:
        assert api.post("/api/users", new_user(world, **{field: value}), token=world.tokens["root"]) == invalid(
            (field, message)), (field, value)
    assert store() == before


def test_values_of_the_wrong_type_are_refused(api, world):
    before = store()

    for field, value, message in [
        ("first_name", 5, "must be a string"),
        ("first_name", "   ", "must not be blank"),
        ("last_name", ["Lovelace"], "must be a string"),
        ("email", "not-an-email", "must be an email address"),
        ("goals", "x", "must be an array of at most 100 strings"),
        ("goals", [1], "must be a string"),
        ("checkin_times", [{"topic": "t", "message": "m", "time": "09:00"}],
         "has a time that must be a time in epoch milliseconds"),
        ("checkin_times", [{"topic": "t", "message": "m", "time": -1}],
         "has a time that must be a time in epoch milliseconds"),
        ("checkin_times", [{"topic": "t", "message": "m"}], "must have time"),
        ("checkin_times", "x", "must be an array of at most 100 objects"),
        ("coach_id", "a", "must be the id of an existing record"),
        ("coach_id", 0, "must be the id of an existing record"),
        ("org_id", "1", "must be the id of an existing record"),
        ("org_id", True, "must be the id of an existing record"),
        ("follow_up_date", "soon", "must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z"),
        ("color", 5, "must be a string"),
    ]:
        assert api.post("/api/users", new_user(world, **{field: value}), token=world.tokens["root"]) == invalid(
            (field, message)), (field, value)
    assert api.post("/api/users", {**new_user(world, email=None), "first_name": 5, "status": "BUSY"},
                    token=world.tokens["root"]) == invalid(
        ("first_name", "must be a string"), ("status", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE"),
        ("email", "is required"))
    assert store() == before


def test_an_unknown_field_is_refused(api, world):
    before = store()

    assert api.post("/api/users", new_user(world, nickname="Ada"), token=world.tokens["root"]) == invalid(
        ("nickname", "is not a field of this record"))
    assert api.put(f"/api/users/{world.ids['client']}", {"nickname": "C"}, token=world.tokens["root"]) == invalid(
        ("nickname", "is not a field of this record"))
    assert store() == before


def test_id_created_at_and_updated_at_in_a_body_are_ignored(api, world, fixed_clock):
    body = new_user(world, id=999, created_at="2000-01-01T00:00:00.000Z", updated_at="2000-01-01T00:00:00.000Z")

    assert api.post("/api/users", body, token=world.tokens["root"]) == (201, answer(world, 7))
    assert sorted(int(user.id) for user in CoachingUser.scan()) == [1, 2, 3, 4, 5, 6, 7]

    fixed_clock.advance(minutes=5)
    assert api.put("/api/users/7", {"id": 1, "created_at": "2000-01-01T00:00:00Z", "first_name": "Augusta"},
                   token=world.tokens["root"]) == (
        200, answer(world, 7, first_name="Augusta", updated_at="2026-11-23T12:05:00.000Z"))
    assert stored_user(1).first_name == "Admin"


def test_invalid_json_or_a_body_that_is_not_an_object_is_400_naming_the_body(api, world):
    root = world.tokens["root"]
    before = store()

    assert api.call("POST", "/api/users", raw="{nope", token=root) == (400, {
        "message": "Invalid JSON in request body",
        "errors": [{"field": "body", "message": "Expecting property name enclosed in double quotes"}]})
    assert api.call("PUT", f"/api/clients/{world.ids['client']}", raw='{"first_name": ', token=root) == (400, {
        "message": "Invalid JSON in request body", "errors": [{"field": "body", "message": "Expecting value"}]})
    for path in ("/api/users", "/api/clients", "/api/coaches", "/api/orgs"):
        for body in ([new_user(world)], "text", 5):
            assert api.post(path, body, token=root) == invalid(("body", "must be a JSON object")), (path, body)
        assert api.post(path, token=root) == invalid(("body", "must be a JSON object")), path
    assert store() == before


# --- create: foreign ids ---

def test_an_unknown_org_is_400_on_org_id_and_nothing_is_stored(api, world):
    before = store()

    assert api.post("/api/users", new_user(world, org_id=99, coach_id=None), token=world.tokens["root"]) == invalid(
        ("org_id", "must be the id of an existing org"))
    assert api.put(f"/api/users/{world.ids['admin']}", {"org_id": 99}, token=world.tokens["root"]) == invalid(
        ("org_id", "must be the id of an existing org"))
    assert store() == before
    assert "ada@example.com" not in claims()


def test_a_coach_must_be_a_coach_of_the_users_org(api, world):
    root = world.tokens["root"]
    status, far_coach = api.post("/api/coaches", new_user(world, email="far@example.com", type=None, coach_id=None,
                                                          org_id=world.orgs["other_org"]), token=root)
    assert status == 201
    before = store()

    for coach_id in (world.ids["admin"], world.ids["other_admin"], far_coach["id"], 99):
        assert api.post("/api/users", new_user(world, coach_id=coach_id), token=root) == invalid(
            ("coach_id", NOT_A_COACH)), coach_id
        assert api.put(f"/api/clients/{world.ids['client']}", {"coach_id": coach_id}, token=root) == invalid(
            ("coach_id", NOT_A_COACH)), coach_id
    assert api.put(f"/api/clients/{world.ids['client']}", {"coach_id": world.ids["other_client"]},
                   token=root) == invalid(("coach_id", NOT_A_COACH))
    assert api.put(f"/api/clients/{world.ids['client']}", {"coach_id": world.ids["client"]}, token=root) == invalid(
        ("coach_id", "must be the id of another user"))
    assert store() == before
    assert "ada@example.com" not in claims()


def test_moving_a_client_to_another_coach_moves_the_counts(api, world):
    client, coach, other_coach = world.ids["client"], world.ids["coach"], world.ids["other_coach"]

    status, body = api.put(f"/api/clients/{client}", {"coach_id": other_coach}, token=world.tokens["admin"])

    assert (status, body["coach_id"]) == (200, other_coach)
    assert (stored_user(coach).client_count, stored_user(other_coach).client_count) == (0, 2)
    assert stored_user(client).coach_id == other_coach


def test_moving_a_client_to_another_org_moves_the_counts_and_needs_a_coach_of_that_org(api, world):
    root, client, other_org = world.tokens["root"], world.ids["client"], world.orgs["other_org"]
    before = store()

    assert api.put(f"/api/clients/{client}", {"org_id": other_org}, token=root) == invalid(("coach_id", NOT_A_COACH))
    assert store() == before

    status, body = api.put(f"/api/clients/{client}", {"org_id": other_org, "coach_id": None}, token=root)
    assert (status, body["org_id"], body["coach_id"]) == (200, other_org, None)
    assert (stored_user(client).org_id, stored_user(client).coach_id) == (other_org, None)
    assert [Org.get(org).user_count for org in (world.orgs["org"], other_org)] == [4, 2]
    assert stored_user(world.ids["coach"]).client_count == 0


def test_a_user_that_records_refer_to_cannot_change_org(api, world):
    root, client = world.tokens["root"], world.ids["client"]
    assert api.post("/api/tasks", {"title": "Budget", "category": "custom", "user_id": client,
                                   "date_assigned": "2026-11-23"}, token=root)[0] == 201
    before = store()

    assert api.put(f"/api/clients/{client}", {"org_id": world.orgs["other_org"], "coach_id": None}, token=root) == (
        409, {"message": "The user changed meanwhile, or still has records (or clients) that keep their org and type"})
    assert store() == before


# --- unique emails ---

def test_a_duplicate_email_in_any_case_is_409_and_stores_nothing(api, world):
    root = world.tokens["root"]
    before = store()

    for email in ("client@example.com", "CLIENT@Example.COM", " Client@example.com "):
        assert api.post("/api/users", new_user(world, email=email), token=root) == TAKEN, email
        assert api.post("/api/clients", new_user(world, email=email, type=None), token=root) == TAKEN, email
    assert store() == before

    assert api.post("/api/users", new_user(world, email="Ada.L@Example.com"), token=root)[0] == 201
    assert api.post("/api/users", new_user(world, email="ada.l@EXAMPLE.COM"), token=root) == TAKEN
    assert api.post("/api/users", new_user(world, email="ada.l@example.com", org_id=world.orgs["other_org"],
                                           coach_id=None), token=root) == TAKEN
    assert [user.email for user in CoachingUser.scan() if user.email.lower() == "ada.l@example.com"] == [
        "Ada.L@Example.com"]
    assert [email for email in claims() if email == "ada.l@example.com"] == ["ada.l@example.com"]
    assert len(claims()) == CoachingUser.count() == 7


# --- the type each route serves ---

def test_post_clients_makes_a_client_and_refuses_another_type(api, world):
    root = world.tokens["root"]
    before = store()
    for user_type in ("Coach", "Admin", "Superadmin"):
        assert api.post("/api/clients", new_user(world, type=user_type), token=root) == invalid(
            ("type", "must be Client here")), user_type
    assert api.post("/api/clients", new_user(world, type="Student"), token=root) == invalid(
        ("type", "must be one of: Client, Coach, Admin, Superadmin"))
    assert store() == before

    status, created = api.post("/api/clients", new_user(world, type=None), token=root)
    assert (status, created["type"]) == (201, "Client")
    status, explicit = api.post("/api/clients", new_user(world, email="b@example.com"), token=root)
    assert (status, explicit["type"]) == (201, "Client")
    assert stored_user(created["id"]).type == stored_user(explicit["id"]).type == "Client"


def test_post_coaches_makes_a_coach_and_refuses_another_type(api, world):
    root = world.tokens["root"]
    before = store()
    for user_type in ("Client", "Admin"):
        assert api.post("/api/coaches", new_user(world, type=user_type, coach_id=None), token=root) == invalid(
            ("type", "must be Coach here")), user_type
    assert store() == before

    status, created = api.post("/api/coaches", new_user(world, type=None, coach_id=None), token=root)
    assert (status, created) == (201, answer(world, created["id"], type="Coach", coach_id=None))
    assert stored_user(created["id"]).type == "Coach"


def test_each_route_lists_only_its_type(api, world):
    root, ids = world.tokens["root"], world.ids

    assert [user["id"] for user in api.get("/api/clients", token=root)[1]] == [ids["client"], ids["other_client"]]
    assert [user["id"] for user in api.get("/api/coaches", token=root)[1]] == [ids["coach"], ids["other_coach"]]
    assert [user["id"] for user in api.get("/api/users", token=root)[1]] == list(range(1, 7))
    status, clients = api.get("/api/clients", token=root)
    assert (status, clients[0]) == (200, api.get(f"/api/clients/{ids['client']}", token=root)[1])


def test_a_user_of_another_type_under_clients_or_coaches_is_404_and_nothing_changes(api, world):
    root, client, coach = world.tokens["root"], world.ids["client"], world.ids["coach"]
    before = store()

    for path in (f"/api/coaches/{client}", f"/api/clients/{coach}", f"/api/clients/{world.ids['admin']}",
                 "/api/clients/99", "/api/coaches/99", "/api/users/99", "/api/clients/abc", "/api/users/-1"):
        assert api.get(path, token=root) == NOT_FOUND, path
        assert api.put(path, {"first_name": "Changed"}, token=root) == NOT_FOUND, path
        assert api.delete(path, token=root) == NOT_FOUND, path
    assert store() == before
    assert api.get(f"/api/clients/{client}", token=root)[1]["type"] == "Client"
    assert api.get(f"/api/coaches/{coach}", token=root)[1]["type"] == "Coach"


# --- update ---

def test_put_changes_only_the_given_fields_and_answers_the_whole_user(api, world, fixed_clock):
    client = world.ids["client"]
    _, read = api.get(f"/api/clients/{client}", token=world.tokens["coach"])
    before = stored_user(client).serialize()
    fixed_clock.advance(minutes=1)

    status, body = api.put(f"/api/clients/{client}", {"first_name": "Renamed", "goals": ["Save $500"],
                                                      "platform": "FBOOK", "fb_id": "fb-1"},
                           token=world.tokens["coach"])

    changed = {"first_name": "Renamed", "goals": ["Save $500"], "platform": "FBOOK", "fb_id": "fb-1"}
    assert (status, body) == (200, {**read, **changed, "updated_at": "2026-11-23T12:01:00.000Z"})
    after = stored_user(client).serialize()
    assert {key for key in {*before, *after} if before.get(key) != after.get(key)} == {
        "first_name", "goals", "platform", "fb_id", "updated_at", "revision"}
    assert api.get(f"/api/clients/{client}", token=world.tokens["coach"]) == (200, body)

    assert api.put(f"/api/clients/{client}", {"platform": None, "fb_id": None}, token=world.tokens["coach"]) == (
        200, {**body, "platform": "SMS", "fb_id": None})
    assert (stored_user(client).platform, stored_user(client).fb_id) == ("SMS", None)


def test_putting_back_what_was_read_changes_nothing_but_updated_at(api, world, fixed_clock):
    client = world.ids["client"]
    _, read = api.get(f"/api/clients/{client}", token=world.tokens["root"])
    before = stored_user(client).serialize()
    fixed_clock.advance(minutes=5)

    assert api.put(f"/api/clients/{client}", read, token=world.tokens["root"]) == (
        200, {**read, "updated_at": "2026-11-23T12:05:00.000Z"})
    after = stored_user(client).serialize()
    assert {key for key in {*before, *after} if before.get(key) != after.get(key)} == {"updated_at", "revision"}
    assert api.put(f"/api/users/{client}", {}, token=world.tokens["root"])[0] == 200


def test_put_refuses_bad_fields_and_changes_nothing(api, world):
    root, client = world.tokens["root"], world.ids["client"]
    before = store()

    for fields, failures in [
        ({"first_name": None}, [("first_name", "must not be null")]),
        ({"email": None}, [("email", "must not be null")]),
        ({"org_id": None}, [("org_id", "must not be null")]),
        ({"email": "nope"}, [("email", "must be an email address")]),
        ({"status": "BUSY"}, [("status", "must be one of: AWAITING_HELP, WORKING, NON_RESPONSIVE")]),
        ({"platform": "EMAIL"}, [("platform", "must be one of: SMS, FBOOK")]),
        ({"goals": "x"}, [("goals", "must be an array of at most 100 strings")]),
        ({"checkin_times": [{"time": "noon"}]}, [("checkin_times",
                                                  "has a time that must be a time in epoch milliseconds")]),
        ({"coach_id": "a", "last_name": 5}, [("coach_id", "must be the id of an existing record"),
                                             ("last_name", "must be a string")]),
    ]:
        assert api.put(f"/api/clients/{client}", fields, token=root) == invalid(*failures), fields
    assert api.put(f"/api/users/{client}", {"type": None}, token=root) == invalid(("type", "must not be null"))
    assert api.put(f"/api/users/{client}", {"type": "Student"}, token=root) == invalid(
        ("type", "must be one of: Client, Coach, Admin, Superadmin"))
    assert store() == before


def test_put_of_a_null_type_under_clients_or_coaches_is_refused_as_not_null(api, world):
    root = world.tokens["root"]
    status, coach = api.post("/api/coaches", new_user(world, type=None, coach_id=None), token=root)  # no clients
    assert status == 201
    before = store()

    answers = [api.put(path, {"type": None}, token=root) for path in (f"/api/clients/{world.ids['client']}",
                                                                      f"/api/coaches/{coach['id']}")]

    assert answers == [invalid(("type", "must not be null"))] * 2
    assert store() == before
    assert stored_user(world.ids["client"]).type == "Client"
    assert [user["id"] for user in api.get("/api/clients", token=root)[1]] == [world.ids["client"],
                                                                               world.ids["other_client"]]


def test_changing_the_email_moves_its_claim(api, world):
    root, client = world.tokens["root"], world.ids["client"]

    status, body = api.put(f"/api/clients/{client}", {"email": "New.Client@Example.com"}, token=root)

    assert (status, body["email"]) == (200, "New.Client@Example.com")
    assert stored_user(client).email == "New.Client@Example.com"
    assert claims().get("new.client@example.com") == client and "client@example.com" not in claims()
    assert api.post("/api/users", new_user(world, email="NEW.client@example.com"), token=root) == TAKEN
    status, reused = api.post("/api/users", new_user(world, email="client@example.com"), token=root)
    assert (status, reused["email"]) == (201, "client@example.com")
    assert claims()["client@example.com"] == reused["id"]
    assert len(claims()) == CoachingUser.count() == 7


def test_changing_the_email_to_a_taken_one_is_409_and_changes_nothing(api, world):
    root, client = world.tokens["root"], world.ids["client"]
    before = store()

    for email in ("coach@example.com", "COACH@example.com"):
        assert api.put(f"/api/clients/{client}", {"email": email, "first_name": "X"}, token=root) == TAKEN, email
    assert store() == before
    assert api.put(f"/api/clients/{client}", {"email": "CLIENT@example.com"}, token=root)[1]["email"] == (
        "CLIENT@example.com")
    assert claims()["client@example.com"] == client and len(claims()) == 6


# --- delete ---

def test_delete_answers_deleted_and_removes_the_user_its_claim_and_its_counts(api, world):
    root, other_client, other_coach = world.tokens["root"], world.ids["other_client"], world.ids["other_coach"]

    assert api.delete(f"/api/clients/{other_client}", token=root) == (200, {"deleted": 1})

    assert sorted(int(user.id) for user in CoachingUser.scan()) == [1, 2, 3, 4, 5]
    assert "other_client@example.com" not in claims() and len(claims()) == 5
    assert Org.get(world.orgs["org"]).user_count == 4
    assert stored_user(other_coach).client_count == 0
    assert api.get(f"/api/clients/{other_client}", token=root) == NOT_FOUND
    assert api.delete(f"/api/clients/{other_client}", token=root) == NOT_FOUND
    assert api.delete(f"/api/coaches/{other_coach}", token=root) == (200, {"deleted": 1})
    assert api.delete(f"/api/users/{world.ids['other_admin']}", token=root) == (200, {"deleted": 1})
    assert sorted(claims()) == ["admin@example.com", "client@example.com", "coach@example.com"]
    assert Org.get(world.orgs["other_org"]).user_count == 0


def test_a_user_that_records_refer_to_cannot_be_deleted_and_nothing_is_removed(api, world):
    root, admin = world.tokens["root"], world.tokens["admin"]

    def fresh_client(name):
        status, body = api.post("/api/clients", new_user(world, email=f"{name}@example.com", type=None), token=root)
        assert status == 201, body
        return body["id"]

    def task_for(user_id):
        status, body = api.post("/api/tasks", {"title": "Budget", "category": "custom", "user_id": user_id,
                                               "date_assigned": "2026-11-23"}, token=admin)
        assert status == 201, body
        return body["id"]

    with_task = fresh_client("tasked")
    task_for(with_task)
    with_request = fresh_client("helped")
    assert api.post("/api/requests", {"user_id": with_request, "task_id": task_for(with_request)},
                    token=admin)[0] == 201
    with_message = fresh_client("messaged")
    assert api.post("/api/messages", {"text": "Hello", "to_user": with_message, "from_user": world.ids["admin"]},
                    token=admin)[0] == 201
    with_view = fresh_client("viewer")
    assert api.post("/api/media", {"title": "Story", "category": "STORY"}, token=admin)[0] == 201
    assert api.post(f"/api/clients/{with_view}/viewed_media/1", token=admin)[0] == 201
    before = store()

    for path in (f"/api/clients/{with_task}", f"/api/users/{with_request}", f"/api/clients/{with_message}",
                 f"/api/clients/{with_view}", f"/api/coaches/{world.ids['coach']}", f"/api/users/{world.ids['admin']}"):
        assert api.delete(path, token=root) == IN_USE, path
    assert store() == before

    assert api.delete(f"/api/clients/{with_view}/viewed_media/1", token=admin) == (200, {"deleted": 1})
    assert api.delete(f"/api/clients/{with_view}", token=root) == (200, {"deleted": 1})


# --- orgs ---

def test_an_org_with_users_cannot_be_deleted(api, world):
    root = world.tokens["root"]
    before = store()

    for org in world.orgs.values():
        assert api.delete(f"/api/orgs/{org}", token=root) == (
            409, {"message": "The org still has users: delete or move them first"})
    assert store() == before

    assert api.delete(f"/api/users/{world.ids['other_admin']}", token=root) == (200, {"deleted": 1})
    assert api.delete(f"/api/orgs/{world.orgs['other_org']}", token=root) == (200, {"deleted": 1})
    assert [int(org.id) for org in Org.scan()] == [world.orgs["org"]]
    assert api.get(f"/api/orgs/{world.orgs['other_org']}", token=root) == NOT_FOUND
    assert api.delete(f"/api/orgs/{world.orgs['other_org']}", token=root) == NOT_FOUND


def test_the_documents_example_org_is_created_with_its_shape(api, world):
    example = {"id": 3, "name": "IDEO.org", "sms_number": "+15555555555", "logo": "https://url_to_logo.png"}

    assert api.post("/api/orgs", {**example, "id": 42}, token=world.tokens["root"]) == (201, example)
    assert api.get("/api/orgs/3", token=world.tokens["root"]) == (200, example)
    org = Org.get(3)
    assert (org.name, org.sms_number, org.logo, org.user_count) == ("IDEO.org", "+15555555555",
                                                                    "https://url_to_logo.png", 0)
    assert api.post("/api/orgs", {"name": "ACME.org", "sms_number": "+15555555555"}, token=world.tokens["root"]) == (
        201, {"id": 4, "name": "ACME.org", "sms_number": "+15555555555", "logo": None})


def test_org_create_refuses_bad_input_and_stores_nothing(api, world):
    root = world.tokens["root"]
    valid = {"name": "ACME.org", "sms_number": "+15555555555"}
    before = store()

    for number in ("5555555555", "+1555555555", "+155555555555", "+445555555555", "+1 555 555 5555",
                   "+1(555)5555555", "", 15555555555):
        assert api.post("/api/orgs", {**valid, "sms_number": number}, token=root) == invalid(
            ("sms_number", "must fit the format +15555555555")), number
    for body, failures in [
        ({"sms_number": "+15555555555"}, [("name", "is required")]),
        ({**valid, "name": None}, [("name", "must not be null")]),
        ({**valid, "name": "  "}, [("name", "must not be blank")]),
        ({**valid, "sms_number": None}, [("sms_number", "must not be null")]),
        ({"name": "ACME.org"}, [("sms_number", "is required")]),
        ({**valid, "logo": 5}, [("logo", "must be a string")]),
        ({**valid, "city": "Oakland"}, [("city", "is not a field of this record")]),
        ({}, [("name", "is required"), ("sms_number", "is required")]),
    ]:
        assert api.post("/api/orgs", body, token=root) == invalid(*failures), body
    assert api.post("/api/orgs", valid, token=world.tokens["admin"]) == FORBIDDEN
    assert store() == before
