"""Coaching scope (issue 16, item 5), attacked over real HTTP on the local stack (`make run`'s server on DynamoDB
Local): a Client repointing their check-ins (phone, check-in texts), a Client of org A naming org B's records so
that org B can no longer delete them, and staff of org A deleting org B's media. Each test makes the attack and
checks that it is refused (403, naming the field where one is to blame) and that nothing changed.

Everyone signs in as a coaching user's mailbox owner does: the Superadmin creates the coaching user, which mails
an invitation to the local stack's outbox, and the test follows its link with a password (a role binds only to
a verified email)."""
import json
import uuid
from types import SimpleNamespace

import pytest
import requests

from tests.integration.test_coaching_http import Superadmin, created
from tests.mailbox import accept_outbox_invitation

TAG = uuid.uuid4().hex[:8]  # the stack is shared: every email and org name of this module carries it
FORBIDDEN = {"message": "Forbidden"}
PHISHING = {"topic": "checkin", "message": "Your benefits are suspended: confirm at https://evil.example/pay",
            "time": 1795521600000}


def email(name: str) -> str:
    return f"{name}-{TAG}@scope.example.com"


def refused(*failures) -> tuple:
    return 403, {"message": "Forbidden", "errors": [{"field": f, "message": m} for f, m in failures]}


def answer(response) -> tuple:
    return response.status_code, response.json() if response.content else None


class Invited:
    """A coaching user's mailbox owner, signed in by following the invitation the local stack mailed."""

    def __init__(self, stack, address: str):
        self.base = stack.base_url + "/api"
        self.http = requests.Session()
        token = accept_outbox_invitation(stack, address)["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body) if body is not None else None
        return self.http.request(method, self.base + path, data=data, timeout=30)


def person(name: str, org_id: int, **fields) -> dict:
    return {"first_name": name.title(), "last_name": "Tester", "email": email(name), "org_id": org_id,
            "phone": "(555) 010-4455", **fields}


@pytest.fixture(scope="module")
def orgs(local_stack):
    """Org A (an Admin, a Coach, the Coach's Client) and org B (an Admin, a Client with a task and a help request,
    media its Admin published), made by the Superadmin; the people signed in through their invitations."""
    root = Superadmin(local_stack)
    a = created(root.call("POST", "/orgs", {"name": f"Org A {TAG}", "sms_number": "+15555550141"}))["id"]
    b = created(root.call("POST", "/orgs", {"name": f"Org B {TAG}", "sms_number": "+15555550142"}))["id"]
    ids = {"admin_a": created(root.call("POST", "/users", person("admin-a", a, type="Admin")))["id"],
           "coach_a": created(root.call("POST", "/coaches", person("coach-a", a)))["id"],
           "admin_b": created(root.call("POST", "/users", person("admin-b", b, type="Admin")))["id"]}
    ids["client_a"] = created(root.call("POST", "/clients", person("client-a", a, coach_id=ids["coach_a"])))["id"]
    ids["client_b"] = created(root.call("POST", "/clients", person("client-b", b)))["id"]
    people = SimpleNamespace(**{name: Invited(local_stack, email(name.replace("_", "-")))
                                for name in ("admin_a", "coach_a", "client_a", "admin_b")})
    admin_b = people.admin_b
    task = {"title": f"Budget {TAG}", "category": "money", "user_id": ids["client_b"], "date_assigned": "2026-11-23"}
    ids["task_b"] = created(admin_b.call("POST", "/tasks", task))["id"]
    ids["request_b"] = created(admin_b.call("POST", "/requests", {"user_id": ids["client_b"],
                                                                  "task_id": ids["task_b"]}))["id"]
    ids["media_b"] = created(admin_b.call("POST", "/media", {"title": f"Story {TAG}", "category": "STORY"}))["id"]
    return SimpleNamespace(root=root, people=people, ids=ids, a=a, b=b)


def stored(stack, table: str, key: int) -> dict | None:
    """The item as DynamoDB Local holds it, every attribute (counters and revision included)."""
    return stack.dynamodb().get_item(TableName=stack.table(table), Key={"id": {"N": str(key)}},
                                      ConsistentRead=True).get("Item")


def test_a_client_repointing_their_check_ins_is_403_naming_the_field_and_the_stored_client_is_unchanged(
        local_stack, orgs):
    client, client_id = orgs.people.client_a, orgs.ids["client_a"]
    shown = client.call("GET", f"/clients/{client_id}").json()
    before = stored(local_stack, "coaching-users", client_id)

    phone = client.call("PUT", f"/clients/{client_id}", {"phone": "+15555550666"})
    checkins = client.call("PUT", f"/clients/{client_id}", {"checkin_times": [PHISHING]})
    both = client.call("PUT", f"/users/{client_id}", {"first_name": "Mallory", "checkin_times": [PHISHING],
                                                       "phone": "+15555550666", "platform": "FBOOK"})

    assert answer(phone) == refused(("phone", "a Client may not change it"))
    assert answer(checkins) == refused(("checkin_times", "a Client may not change it"))
    assert answer(both) == refused(*((field, "a Client may not change it")
                                     for field in ("checkin_times", "phone", "platform")))
    assert stored(local_stack, "coaching-users", client_id) == before
    assert answer(orgs.root.call("GET", f"/clients/{client_id}")) == (200, shown)
    assert (shown["phone"], shown["checkin_times"]) == ("+15550104455", [])

    # What stays theirs still works; their coach still sets the check-ins.
    assert client.call("PUT", f"/clients/{client_id}", {**shown, "goals": ["Save"]}).json()["goals"] == ["Save"]
    later = {"topic": "introtask", "message": "startprompt", "time": 4102444800000}  # 2100: no job run sends it
    assert orgs.people.coach_a.call("PUT", f"/clients/{client_id}", {"checkin_times": [later]}).json()[
        "checkin_times"] == [later]


def test_a_client_of_org_a_naming_org_b_records_is_403_nothing_is_stored_and_org_b_still_deletes_them(
        local_stack, orgs):
    ids, client = orgs.ids, orgs.people.client_a
    request_before = stored(local_stack, "coaching-requests", ids["request_b"])
    media_before = stored(local_stack, "coaching-media", ids["media_b"])
    listed = client.call("GET", "/messages").json()
    message = {"text": "See this", "from_user": ids["client_a"], "to_user": ids["coach_a"]}

    by_request = client.call("POST", "/messages", {**message, "request_id": ids["request_b"]})
    by_media = client.call("POST", "/messages", {**message, "media_id": ids["media_b"]})
    by_both = client.call("POST", "/messages", {**message, "media_id": ids["media_b"], "request_id": ids["request_b"]})

    assert answer(by_request) == refused(("request_id", "must be the id of a request in your scope"))
    assert answer(by_media) == refused(("media_id", "must be the id of a media in your scope"))
    assert answer(by_both) == refused(("media_id", "must be the id of a media in your scope"),
                                      ("request_id", "must be the id of a request in your scope"))
    assert client.call("GET", "/messages").json() == listed
    assert stored(local_stack, "coaching-requests", ids["request_b"]) == request_before
    assert stored(local_stack, "coaching-media", ids["media_b"]) == media_before
    assert orgs.root.call("GET", f"/clients/{ids['client_a']}/messages").json() == listed


def test_staff_of_org_a_naming_org_b_records_is_403_and_org_b_still_deletes_its_task(local_stack, orgs):
    ids, people = orgs.ids, orgs.people
    task_before = stored(local_stack, "coaching-tasks", ids["task_b"])
    tasks_before = orgs.root.call("GET", f"/clients/{ids['client_a']}/tasks").json()
    task = {"title": f"Copy {TAG}", "category": "money", "user_id": ids["client_a"], "date_assigned": "2026-11-23"}

    answers = [answer(people.coach_a.call("POST", "/tasks", {**task, **fields})) for fields in (
        {"original_task_id": ids["task_b"]}, {"created_by": ids["admin_b"]},
        {"steps": [{"task_id": ids["task_b"], "text": "Do as they did"}]})]
    media = people.admin_a.call("POST", "/media", {"title": f"Theirs {TAG}", "category": "STORY",
                                                   "task_id": ids["task_b"]})
    message = people.coach_a.call("POST", "/messages", {"text": "Hi", "from_user": ids["coach_a"],
                                                        "to_user": ids["client_a"], "request_id": ids["request_b"]})

    assert answers == [refused(("original_task_id", "must be the id of a task in your scope")),
                       refused(("created_by", "must be the id of a user in your scope")),
                       refused(("steps.0.task_id", "must be the id of a task in your scope"))]
    assert answer(media) == refused(("task_id", "must be the id of a task in your scope"))
    assert answer(message) == refused(("request_id", "must be the id of a request in your scope"))
    assert orgs.root.call("GET", f"/clients/{ids['client_a']}/tasks").json() == tasks_before
    assert stored(local_stack, "coaching-tasks", ids["task_b"]) == task_before

    # Nothing of org A holds org B's request or task: org B deletes them.
    assert answer(people.admin_b.call("DELETE", f"/requests/{ids['request_b']}")) == (200, {"deleted": 1})
    assert answer(people.admin_b.call("DELETE", f"/tasks/{ids['task_b']}")) == (200, {"deleted": 1})


def test_staff_of_org_a_deleting_org_b_media_is_403_and_the_media_is_still_there(local_stack, orgs):
    ids, people = orgs.ids, orgs.people
    media = people.admin_b.call("GET", f"/media/{ids['media_b']}").json()
    before = stored(local_stack, "coaching-media", ids["media_b"])

    by_coach = people.coach_a.call("DELETE", f"/media/{ids['media_b']}")
    by_admin = people.admin_a.call("DELETE", f"/media/{ids['media_b']}")

    assert answer(by_coach) == answer(by_admin) == (403, FORBIDDEN)
    assert stored(local_stack, "coaching-media", ids["media_b"]) == before
    assert answer(people.admin_a.call("GET", f"/media/{ids['media_b']}")) == (200, media)  # the library is shared

    # Its publisher's org deletes it; media org A publishes, org A's Admin and the Superadmin delete.
    assert answer(people.admin_b.call("DELETE", f"/media/{ids['media_b']}")) == (200, {"deleted": 1})
    own = created(people.admin_a.call("POST", "/media", {"title": f"Ours {TAG}", "category": "STORY"}))
    assert answer(people.admin_b.call("DELETE", f"/media/{own['id']}")) == (403, FORBIDDEN)
    assert answer(people.admin_a.call("DELETE", f"/media/{own['id']}")) == (200, {"deleted": 1})
