"""The coaching API over real HTTP against `make run`'s server and DynamoDB Local: the platform admin (a
Superadmin) sets up an org and its people, each of the four roles signs up and calls its routes, twenty
concurrent creations keep emails unique and task orders dense, and the check-in job, run twice in overlap
(`make job NAME=send-checkins`) or in two threads on the real engine, sends each due check-in once."""
import contextvars
import json
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from tests.conftest import ROOT, HttpUser, bare_environment, job_changed
from tests.mailbox import accept_outbox_invitation

TAG = uuid.uuid4().hex[:8]  # the stack is shared: every email and org name of this module carries it
FORBIDDEN = {"message": "Forbidden"}


class _AnyTime(str):
    """Equal to any ISO 8601 time the API writes (an `updated_at` that moved)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.endswith("Z") and "T" in other

    __hash__ = str.__hash__


ANY_TIME = _AnyTime("any time")
NOT_FOUND = {"message": "Not found"}


def email(name: str) -> str:
    return f"{name}-{TAG}@coaching.example.com"


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Superadmin(HttpUser):
    """The local stack's platform admin, signed in with its password: a Superadmin of coaching."""

    def __init__(self, stack):
        self.base = stack.base_url + "/api"
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))
        login = self.http.post(f"{self.base}/auth/login/", timeout=30, data=json.dumps(
            {"email": "admin@example.com", "password": "admin-password-123"}))
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"


def created(response, status=201) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def person(name: str, org_id: int, **fields) -> dict:
    return {"first_name": name.title(), "last_name": "Tester", "email": email(name), "org_id": org_id,
            "phone": "(555) 010-2233", **fields}


@pytest.fixture(scope="module")
def root(local_stack):
    return Superadmin(local_stack)


@pytest.fixture(scope="module")
def org(local_stack, root):
    """An org made by the Superadmin over HTTP, with an Admin, a Coach and the Coach's Client, each signed up
    with their coaching email; a second org with its own Admin."""
    made = created(root.call("POST", "/orgs", {"name": f"Org {TAG}", "sms_number": "+15555550123"}))
    other = created(root.call("POST", "/orgs", {"name": f"Other org {TAG}", "sms_number": "+15555550124"}))
    admin = created(root.call("POST", "/users", person("admin", made["id"], type="Admin")))
    coach = created(root.call("POST", "/coaches", person("coach", made["id"])))
    client = created(root.call("POST", "/clients", person("client", made["id"], coach_id=coach["id"])))
    created(root.call("POST", "/users", person("other-admin", other["id"], type="Admin")))
    for name in ("admin", "coach", "client", "other-admin"):  # a role binds only to a verified email
        accept_outbox_invitation(local_stack, email(name))
    return SimpleNamespace(
        id=made["id"], body=made, other_id=other["id"], records={"admin": admin, "coach": coach, "client": client},
        ids={"admin": admin["id"], "coach": coach["id"], "client": client["id"]},
        admin=HttpUser(local_stack, email("admin")), coach=HttpUser(local_stack, email("coach")),
        client=HttpUser(local_stack, email("client")), other_admin=HttpUser(local_stack, email("other-admin")))


def answer(response) -> tuple:
    return response.status_code, response.json() if response.content else None


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [record["id"] for record in response.json()]


def test_the_superadmin_creates_an_org_and_its_admin_coach_and_client(root, org):
    admin, coach, client = (org.records[name] for name in ("admin", "coach", "client"))

    assert org.body == {"id": org.id, "name": f"Org {TAG}", "sms_number": "+15555550123", "logo": None}
    assert [(u["type"], u["org_id"], u["coach_id"]) for u in (admin, coach, client)] == [
        ("Admin", org.id, None), ("Coach", org.id, None), ("Client", org.id, coach["id"])]
    assert [(u["phone"], u["platform"], u["status"], u["goals"], u["checkin_times"]) for u in (admin, coach, client)
            ] == [("+15550102233", "SMS", "WORKING", [], [])] * 3
    assert root.call("GET", f"/orgs/{org.id}").json() == org.body
    assert {org.id, org.other_id} <= set(ids(root.call("GET", "/orgs")))
    assert set(org.ids.values()) <= set(ids(root.call("GET", "/users")))
    assert answer(root.call("GET", f"/clients/{client['id']}")) == (200, client)


def test_each_role_calls_its_routes_with_the_documented_statuses(local_stack, root, org):
    admin, coach, client = org.admin, org.coach, org.client
    client_id, coach_id = org.ids["client"], org.ids["coach"]
    task_body = {"title": f"Budget {TAG}", "category": "money", "user_id": client_id, "date_assigned": "2026-11-23"}

    # Admin: the people and records of their own org.
    task = created(admin.call("POST", "/tasks", task_body))
    assert (task["user_id"], task["order"], task["status"], task["recurring"]) == (client_id, 1, "ACTIVE", {})
    listed = admin.call("GET", "/clients").json()
    assert client_id in [u["id"] for u in listed] and {u["org_id"] for u in listed} == {org.id}
    assert {u["type"] for u in listed} == {"Client"}
    assert coach_id in ids(admin.call("GET", "/coaches"))
    assert ids(admin.call("GET", "/orgs")) == [org.id]
    assert answer(admin.call("GET", f"/orgs/{org.other_id}")) == (403, FORBIDDEN)
    assert answer(admin.call("POST", "/orgs", {"name": f"Mine {TAG}", "sms_number": "+15555550199"})) == (
        403, FORBIDDEN)
    assert answer(admin.call("GET", f"/tasks/{task['id']}")) == (200, task)

    # Coach: themselves, their clients and their clients' records.
    assert ids(coach.call("GET", "/clients")) == [client_id]
    assert ids(coach.call("GET", "/coaches")) == [coach_id]
    assert answer(coach.call("GET", f"/tasks/{task['id']}")) == (200, task)
    second = created(coach.call("POST", "/tasks", {**task_body, "title": f"Save {TAG}"}))
    assert (second["order"], second["created_by"]) == (2, coach_id)
    changed = coach.call("PUT", f"/tasks/{task['id']}", {"description": "Write down every expense"})
    assert answer(changed) == (200, {**task, "description": "Write down every expense"})
    assert ids(coach.call("GET", f"/clients/{client_id}/tasks")) == [task["id"], second["id"]]
    assert answer(coach.call("GET", f"/coaches/{client_id}")) == (404, NOT_FOUND)
    assert answer(coach.call("DELETE", f"/clients/{client_id}")) == (403, FORBIDDEN)

    # Client: only themselves and their own records; help requests and messages as themselves.
    assert ids(client.call("GET", "/clients")) == [client_id]
    assert client.call("GET", f"/clients/{client_id}").json()["status"] == "WORKING"
    assert client.call("GET", f"/tasks/{task['id']}").status_code == 200
    assert ids(client.call("GET", "/tasks")) == [task["id"], second["id"]]
    assert ids(client.call("GET", "/orgs")) == [org.id]
    assert ids(client.call("GET", "/coaches")) == []
    assert answer(client.call("POST", "/tasks", task_body)) == (403, FORBIDDEN)
    assert answer(client.call("DELETE", f"/tasks/{task['id']}")) == (403, FORBIDDEN)
    assert answer(client.call("GET", f"/users/{coach_id}")) == (403, FORBIDDEN)
    request = created(client.call("POST", "/requests", {"user_id": client_id, "task_id": task["id"]}))
    assert (request["status"], request["user_id"], request["task_id"]) == ("NEEDS_ASSISTANCE", client_id, task["id"])
    assert client.call("GET", f"/clients/{client_id}").json()["status"] == "AWAITING_HELP"
    message = created(client.call("POST", "/messages", {"text": "I am stuck", "from_user": client_id,
                                                       "to_user": coach_id}))
    assert (message["from_user"], message["to_user"], message["topic"]) == (client_id, coach_id, None)
    assert answer(client.call("POST", "/messages", {"text": "Psst", "from_user": coach_id,
                                                   "to_user": client_id})) == (403, FORBIDDEN)
    assert ids(client.call("GET", "/messages")) == [message["id"]]

    # The coach answers the request; the client's status follows it.
    assert coach.call("GET", f"/requests/{request['id']}").status_code == 200
    assert coach.call("PUT", f"/requests/{request['id']}", {"status": "RESOLVED"}).json()["status"] == "RESOLVED"
    assert client.call("GET", f"/clients/{client_id}").json()["status"] == "WORKING"
    assert ids(coach.call("GET", f"/clients/{client_id}/messages")) == [message["id"]]
    assert ids(admin.call("GET", f"/clients/{client_id}/requests")) == [request["id"]]

    # Another org's Admin sees none of it; an unknown id is a 404; no token a 401; no coaching user a 403.
    assert answer(org.other_admin.call("GET", f"/clients/{client_id}")) == (403, FORBIDDEN)
    assert answer(org.other_admin.call("GET", f"/tasks/{task['id']}")) == (403, FORBIDDEN)
    assert org.other_admin.call("GET", "/clients").json() == []
    assert answer(admin.call("GET", "/tasks/987654321")) == (404, NOT_FOUND)
    assert requests.get(f"{local_stack.base_url}/api/clients", timeout=30).status_code == 401
    stranger = HttpUser(local_stack, email("stranger"))
    assert answer(stranger.call("GET", "/clients")) == (403, FORBIDDEN)

    # A client with tasks and requests cannot be deleted; the Superadmin's deletion of a fresh one works.
    assert admin.call("DELETE", f"/clients/{client_id}").status_code == 409
    fresh = created(admin.call("POST", "/clients", person("fresh", org.id)))
    assert answer(admin.call("DELETE", f"/clients/{fresh['id']}")) == (200, {"deleted": 1})
    assert answer(root.call("GET", f"/clients/{fresh['id']}")) == (404, NOT_FOUND)


def test_twenty_concurrent_creations_of_one_email_in_different_cases_make_one_client(root, org):
    address = email("twin")
    spellings = [address.upper() if n % 3 == 0 else address.title() if n % 3 == 1 else address for n in range(20)]

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda spelled: root.call("POST", "/clients", person("twin", org.id, email=spelled)),
                                spellings))

    assert sorted(r.status_code for r in answers) == [201] + [409] * 19, [r.text for r in answers]
    assert {r.json()["message"] for r in answers if r.status_code == 409} == {
        "A user with that email already exists"}
    [made] = [r.json() for r in answers if r.status_code == 201]
    same = [u for u in root.call("GET", "/users").json() if u["email"].lower() == address]
    assert [u["id"] for u in same] == [made["id"]]
    again = root.call("POST", "/coaches", person("twin", org.id, email=f"  {address.upper()} "))
    assert again.status_code == 409


def test_twenty_concurrent_tasks_without_an_order_take_orders_1_to_20(root, org):
    client = created(org.admin.call("POST", "/clients", person("orders", org.id)))
    body = {"title": "Step", "category": "plan", "user_id": client["id"], "date_assigned": "2026-11-23"}

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda n: org.admin.call("POST", "/tasks", {**body, "title": f"Step {n}"}),
                                range(20)))

    assert [r.status_code for r in answers] == [201] * 20, [r.text for r in answers]
    assert sorted(r.json()["order"] for r in answers) == list(range(1, 21))
    stored = org.admin.call("GET", f"/clients/{client['id']}/tasks").json()
    assert sorted(t["order"] for t in stored) == list(range(1, 21))
    assert created(org.admin.call("POST", "/tasks", body))["order"] == 21


# --- the check-in job ---

def outbound(stack, user_ids) -> list[dict]:
    """The SMS and Messenger messages sent to these users: the outbox's JSON files, one per message."""
    folder = Path(stack.env["OUTBOUND_OUTBOX_DIR"])
    found = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))] if folder.exists() else []
    return [sent for sent in found if sent["user_id"] in user_ids]


def run_job(stack, now: datetime, runs: int = 2) -> list[tuple[int, str, str]]:
    """`make job NAME=send-checkins NOW=...`, `runs` times at once; each run's code, output and errors."""
    command = [sys.executable, "-m", "local.job", "send-checkins", "--now", now.isoformat()]
    env = bare_environment(LOCAL_STATE_DIR=str(stack.state_dir))
    started = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(runs)]
    outputs = [run.communicate(timeout=120) for run in started]
    return [(run.returncode, out, err) for run, (out, err) in zip(started, outputs, strict=True)]


def test_make_job_run_twice_in_overlap_sends_each_due_check_in_once(local_stack, root, org):
    # Due three days from now (the server's own 15-minute timer, on the real clock, leaves them alone).
    due_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    later = {"topic": "later", "message": "Still on track?", "time": ms(due_at + timedelta(days=30))}
    coach = created(root.call("POST", "/coaches", person("checkin-coach", org.id)))
    make = {"coach_id": coach["id"]}
    sms = [created(root.call("POST", "/clients", person(f"sms-{n}", org.id, **make, checkin_times=[
        {"topic": "budget", "message": f"Budget check {n}", "time": ms(due_at - timedelta(hours=2))},
        later,
        {"topic": "rent", "message": f"Rent check {n}", "time": ms(due_at)}]))) for n in range(12)]
    fbook = created(root.call("POST", "/clients", person("fbook", org.id, **make, platform="FBOOK", fb_id=f"fb-{TAG}",
                                                         checkin_times=[{"topic": "goals", "message": "Goals?",
                                                                         "time": ms(due_at)}])))
    silent = created(root.call("POST", "/clients", person("silent", org.id, **make, phone=None, checkin_times=[
        {"topic": "savings", "message": "Savings?", "time": ms(due_at)}])))
    assigned = (due_at - timedelta(days=1)).date()  # a check-in at the next midnight, before due_at
    task = created(root.call("POST", "/tasks", {"title": f"Call the bank {TAG}", "category": "bank",
                                                "user_id": fbook["id"], "date_assigned": assigned.isoformat(),
                                                "recurring": {"frequency": 1, "duration": 3}}))
    clients = [*sms, fbook, silent]
    mine = {c["id"] for c in clients}

    assert outbound(local_stack, mine) == []
    runs = run_job(local_stack, due_at)

    assert [code for code, _, _ in runs] == [0, 0], runs
    sent = outbound(local_stack, mine)
    expected = sorted([("SMS", "+15550102233", c["id"], f"Budget check {n}") for n, c in enumerate(sms)]
                      + [("SMS", "+15550102233", c["id"], f"Rent check {n}") for n, c in enumerate(sms)]
                      + [("FBOOK", f"fb-{TAG}", fbook["id"], "Goals?"),
                         ("FBOOK", f"fb-{TAG}", fbook["id"], f"Time to check in on your task: {task['title']}")])
    assert sorted((s["platform"], s["to"], s["user_id"], s["text"]) for s in sent) == expected
    assert len({s["message_id"] for s in sent}) == len(sent) == 26
    assert sum(job_changed(out) for _, out, _ in runs) >= 27  # ours: 26 sent, 1 stored only

    stored = {c["id"]: created(root.call("GET", f"/clients/{c['id']}/messages"), 200) for c in clients}
    assert {s["message_id"] for s in sent} == {m["id"] for c in (*sms, fbook) for m in stored[c["id"]]}
    assert [(m["topic"], m["from_user"], m["to_user"]) for m in stored[silent["id"]]] == [
        ("savings", coach["id"], silent["id"])]
    assert {(m["topic"], m["from_user"], m["to_user"], m["timestamp"]) for m in stored[sms[0]["id"]]} == {
        (topic, coach["id"], sms[0]["id"], due_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")) for topic in ("budget", "rent")}
    for client in sms:
        now_held = root.call("GET", f"/clients/{client['id']}").json()
        assert (now_held["checkin_times"], now_held["topic"]) == ([later], "rent")
    assert root.call("GET", f"/clients/{fbook['id']}").json()["checkin_times"] == []

    rerun = run_job(local_stack, due_at, runs=1)
    assert rerun[0][0] == 0, rerun
    assert len(outbound(local_stack, mine)) == 26
    next_day = run_job(local_stack, due_at + timedelta(days=1))  # the task's next occurrence, once
    assert [code for code, _, _ in next_day] == [0, 0], next_day
    assert len(outbound(local_stack, mine)) == 27
    assert len(root.call("GET", f"/clients/{fbook['id']}/messages").json()) == 3


def test_two_threads_running_the_job_on_dynamodb_local_send_each_due_check_in_once(dynamodb_local):
    """The job in this process against Amazon's engine: two threads at once, each check-in sent once."""
    from chalicelib.coaching import fields, orgs, users
    from chalicelib.coaching.access import Caller
    from chalicelib.core import collaborators, mail
    from chalicelib.jobs.checkins import send_checkins

    root = Caller("Superadmin", None, None)
    due_at = datetime(2026, 11, 23, 12, tzinfo=UTC)
    made = orgs.create(root, {"name": f"Threads {TAG}", "sms_number": "+15555550125", "logo": None})
    coach = users.create(root, fields.values(person("thread-coach", int(made.id), type="Coach"), fields.USER))
    clients = [users.create(root, fields.values(person(f"thread-{n}", int(made.id), type="Client",
                                                       coach_id=int(coach.id), checkin_times=[
        {"topic": "budget", "message": f"Budget {n}", "time": ms(due_at - timedelta(minutes=n))},
        {"topic": "rent", "message": f"Rent {n}", "time": ms(due_at)}]), fields.USER)) for n in range(16)]
    mine = {int(c.id) for c in clients}
    memory = mail.MemoryOutbox()
    start = threading.Barrier(2)
    counts, failures = [], []

    def run():
        try:
            start.wait()
            counts.append(send_checkins(due_at).changed)
        except Exception as error:  # a thread's exception would otherwise vanish
            failures.append(error)

    with collaborators.using(outbound=memory):  # each thread runs in a copy of this context, so with `memory`
        threads = [threading.Thread(target=contextvars.copy_context().run, args=(run,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    ours = [m for m in memory.sent if m.user_id in mine]
    assert failures == []
    assert sorted((m.user_id, m.text) for m in ours) == sorted(
        (int(c.id), f"{topic} {n}") for n, c in enumerate(clients) for topic in ("Budget", "Rent"))
    assert len({m.message_id for m in ours}) == 32
    assert sum(counts) >= 32


def test_every_documented_route_answers_over_http(local_stack, root, org):
    """Each route once, by a role allowed to call it, with the documented status and body."""
    coach, client_id, coach_id = org.coach, org.ids["client"], org.ids["coach"]
    mentor = created(root.call("POST", "/coaches", person("mentor", org.id)))
    assert answer(root.call("PUT", f"/coaches/{mentor['id']}", {"phone": "555-010-9999"}))[1]["phone"] == "+15550109999"
    assert answer(root.call("GET", f"/coaches/{mentor['id']}")) == (200, {**mentor, "phone": "+15550109999",
                                                                        "updated_at": ANY_TIME})
    staff = created(root.call("POST", "/users", person("staff", org.id, type="Admin")))
    assert root.call("PUT", f"/users/{staff['id']}", {"color": "teal"}).json()["color"] == "teal"
    assert root.call("GET", f"/users/{staff['id']}").json()["color"] == "teal"
    assert answer(root.call("DELETE", f"/users/{staff['id']}")) == (200, {"deleted": 1})
    assert answer(root.call("DELETE", f"/coaches/{mentor['id']}")) == (200, {"deleted": 1})
    pupil = created(coach.call("POST", "/clients", person("pupil", org.id)))
    assert pupil["coach_id"] == coach_id
    assert coach.call("PUT", f"/clients/{pupil['id']}", {"goals": ["Save $500"]}).json()["goals"] == ["Save $500"]
    assert pupil["id"] in ids(coach.call("GET", "/clients"))

    body = {"title": f"Budget {TAG}", "category": "custom", "user_id": pupil["id"], "date_assigned": "2026-11-23"}
    first, second = created(coach.call("POST", "/tasks", body)), created(coach.call("POST", "/tasks", body))
    reordered = coach.call("PUT", "/tasks", [{"id": first["id"], "order": 2}, {"id": second["id"], "order": 1}])
    assert [(t["id"], t["order"]) for t in reordered.json()] == [(first["id"], 2), (second["id"], 1)]
    assert {first["id"], second["id"]} <= set(ids(coach.call("GET", "/tasks")))
    media = created(root.call("POST", "/media", {"title": f"Story {TAG}", "category": "STORY", "type": "STORY"}))
    assert media["id"] in ids(coach.call("GET", "/media"))
    assert answer(coach.call("GET", f"/media/{media['id']}")) == (200, media)
    viewed = created(coach.call("POST", f"/clients/{pupil['id']}/viewed_media/{media['id']}"))
    assert viewed == {"id": viewed["id"], "client_id": pupil["id"], "media_id": media["id"]}
    assert ids(coach.call("GET", f"/clients/{pupil['id']}/viewed_media")) == [media["id"]]
    request = created(coach.call("POST", "/requests", {"user_id": pupil["id"], "task_id": first["id"]}))
    assert request["id"] in ids(coach.call("GET", "/requests"))
    message = created(coach.call("POST", "/messages", {"text": "How is it going?", "to_user": pupil["id"],
                                                       "from_user": coach_id, "request_id": request["id"]}))
    assert answer(coach.call("GET", f"/messages/{message['id']}")) == (200, message)
    assert message["id"] in ids(coach.call("GET", "/messages"))
    assert ids(coach.call("GET", f"/clients/{pupil['id']}/requests")) == [request["id"]]

    # Everything that refers to the pupil goes before the pupil can.
    assert answer(coach.call("DELETE", f"/clients/{pupil['id']}")) == (403, FORBIDDEN)
    assert answer(root.call("DELETE", f"/clients/{pupil['id']}"))[0] == 409
    assert answer(coach.call("DELETE", f"/messages/{message['id']}")) == (200, {"deleted": 1})
    assert answer(coach.call("DELETE", f"/requests/{request['id']}")) == (200, {"deleted": 1})
    assert answer(coach.call("DELETE", f"/clients/{pupil['id']}/viewed_media/{media['id']}")) == (200, {"deleted": 1})
    assert answer(root.call("DELETE", f"/media/{media['id']}")) == (200, {"deleted": 1})
    for task in (first, second):
        assert answer(coach.call("DELETE", f"/tasks/{task['id']}")) == (200, {"deleted": 1})
    assert answer(root.call("DELETE", f"/clients/{pupil['id']}")) == (200, {"deleted": 1})
    spare = created(root.call("POST", "/orgs", {"name": f"Spare {TAG}", "sms_number": "+15555550125"}))
    assert answer(root.call("DELETE", f"/orgs/{spare['id']}")) == (200, {"deleted": 1})
    assert answer(root.call("GET", f"/orgs/{spare['id']}")) == (404, NOT_FOUND)
    assert client_id in ids(root.call("GET", "/clients"))
