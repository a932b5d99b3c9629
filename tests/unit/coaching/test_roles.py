"""The coaching role matrix: every route of coaching.html, for each role the rules of docs/decisions.md name,
in one table (ROWS) that the tests iterate.

The callers (CALLERS, the order of each row's cells): root, the platform admin (a Superadmin); admin, the
Admin of the client's org; other_admin, an Admin of another org; coach, the client's Coach; other_coach,
another Coach of the same org; client, the Client; other_client, another Client of the org (coached by
other_coach); none, no token at all.

The records under test belong to `client`: `task` (and `free_task`, which no help request holds, for the
delete), `message` (coach to client), `request` (client's, on `task`), `media` (which client has viewed)
and `free_media` (viewed by nobody). other_client and far_client (a Client of other_org) have records of
their own (other_task, other_message, other_request; far_task, far_message, far_request), so that each
listing shows what it leaves out. `boss` is a Superadmin coaching user of the org; `empty_org` has no users.

A cell is the status the rules give, or, for a listing, the names of exactly the records it lists (200).
Every refusal is checked to return no data (403 `{"message": "Forbidden"}`, 401 `{"message"}`; a field the
caller's role may not change is a 403 naming it, `refuses("phone")`) and, for a write, to change nothing; every
permitted write is checked to take effect (what root reads changes).

Each case runs on a fresh store: the scene is built through the API once per module and copied back into
moto before each case (building it takes a second, mostly password hashing; a copy takes milliseconds).
"""
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import restore_store, saved_store

CALLERS = ("root", "admin", "other_admin", "coach", "other_coach", "client", "other_client", "none")
FORBIDDEN = {"message": "Forbidden"}


class Refuses(int):
    """A 403 naming the fields refused: `{"message": "Forbidden", "errors": [{"field", "message"}]}`."""

    fields: tuple

    def __new__(cls, *fields: str):
        cell = super().__new__(cls, 403)
        cell.fields = fields
        return cell


refuses = Refuses


def lists(root: str | int, admin: str | int, other_admin: str | int, coach: str | int, other_coach: str | int,
          client: str | int, other_client: str | int) -> tuple:
    """The cells of a listing: the names each caller sees (space-separated), or a refusal; 401 without a token."""
    return root, admin, other_admin, coach, other_coach, client, other_client, 401


@dataclass(frozen=True)
class Row:
    what: str
    method: str
    path: str  # {name}: the id of a record of the scene
    body: Callable[[dict], Any] | None
    expect: tuple  # one cell per caller (CALLERS): a status, or the names a listing answers (200)
    scene: str = "full"  # "bare": the people only, no records (a user with records cannot be deleted)
    probe: str | None = None  # what root reads to see a write's effect; the path itself if None

    def watched(self) -> str | None:
        return None if self.method == "GET" else self.probe or self.path


# --- bodies ---

def new_client(ids):
    return {"first_name": "New", "last_name": "Client", "email": "new.client@example.com", "org_id": ids["org"],
            "coach_id": ids["coach"]}


def new_coach(ids):
    return {"first_name": "New", "last_name": "Coach", "email": "new.coach@example.com", "org_id": ids["org"]}


def new_admin(ids):
    return {"first_name": "New", "last_name": "Admin", "email": "new.admin@example.com", "org_id": ids["org"],
            "type": "Admin"}


def new_superadmin(ids):
    return {**new_admin(ids), "email": "new.super@example.com", "type": "Superadmin"}


def rename(ids):
    return {"first_name": "Renamed"}


def new_phone(ids):
    return {"phone": "+15555550999"}


def new_checkin_times(ids):
    return {"checkin_times": [{"topic": "pay", "message": "Your account is locked: pay at evil.example",
                               "time": 1795521600000}]}


def new_email(ids):
    return {"email": "someone.else@example.com"}


def to_other_coach(ids):
    return {"coach_id": ids["other_coach"]}


def non_responsive(ids):
    return {"status": "NON_RESPONSIVE"}


def to_superadmin(ids):
    return {"type": "Superadmin"}


def to_admin(ids):
    return {"type": "Admin"}


def to_other_org(ids):
    return {"org_id": ids["other_org"]}


def new_org(ids):
    return {"name": "New org", "sms_number": "+15555550009"}


def new_task(ids):
    return {"title": "Open a savings account", "category": "custom", "user_id": ids["client"],
            "date_assigned": "2026-11-23"}


def reorder(ids):
    return [{"id": ids["task"], "order": 5}]


def reorder_with_another_clients(ids):
    return [{"id": ids["task"], "order": 5}, {"id": ids["other_task"], "order": 6}]


def retitle(ids):
    return {"title": "Renamed task"}


def client_to_coach(ids):
    return {"text": "Can we talk about my budget?", "from_user": ids["client"], "to_user": ids["coach"]}


def client_to_client(ids):
    return {"text": "Hello neighbour", "from_user": ids["client"], "to_user": ids["other_client"]}


def new_media(ids):
    return {"title": "Allene's story", "category": "STORY", "type": "STORY"}


def new_request(ids):
    return {"user_id": ids["client"], "task_id": ids["free_task"]}


def resolve(ids):
    return {"status": "RESOLVED"}


# --- the rules ---

ROWS = [
    #                                                                  root admin o_adm coach o_coa clien o_cli none
    # clients: list / get a user: all | own org | self and own clients | self
    Row("list clients", "GET", "/api/clients", None,
        lists(root="client other_client far_client", admin="client other_client", other_admin="far_client",
              coach="client", other_coach="other_client", client="client", other_client="other_client")),
    Row("get a client", "GET", "/api/clients/{client}", None, (200, 200, 403, 200, 403, 200, 403, 401)),
    # create a user: any | own org, not Superadmin | a Client of own org, coached by self | no
    Row("create a client", "POST", "/api/clients", new_client, (201, 201, 403, 201, 403, 403, 403, 401)),
    # update a user: any | own org | self, own clients (not type, org_id, coach_id) | self (nor status)
    Row("update a client", "PUT", "/api/clients/{client}", rename, (200, 200, 403, 200, 403, 200, 403, 401)),
    Row("change a client's coach", "PUT", "/api/clients/{client}", to_other_coach,
        (200, 200, 403, refuses("coach_id"), 403, refuses("coach_id"), 403, 401)),
    Row("change a client's status", "PUT", "/api/clients/{client}", non_responsive,
        (200, 200, 403, 200, 403, refuses("status"), 403, 401)),
    # a client's contact and check-in fields are their staff's (where and what the org's SMS sender sends)
    Row("change a client's phone", "PUT", "/api/clients/{client}", new_phone,
        (200, 200, 403, 200, 403, refuses("phone"), 403, 401)),
    Row("change a client's check-in times", "PUT", "/api/clients/{client}", new_checkin_times,
        (200, 200, 403, 200, 403, refuses("checkin_times"), 403, 401)),
    Row("change a client's email", "PUT", "/api/clients/{client}", new_email,
        (200, 200, 403, 200, 403, refuses("email"), 403, 401)),
    # delete a user: any | own org, not Superadmins | no | no
    Row("delete a client", "DELETE", "/api/clients/{client}", None, (200, 200, 403, 403, 403, 403, 403, 401),
        scene="bare"),
    Row("delete a client with records", "DELETE", "/api/clients/{client}", None,  # 409: allowed, but in use
        (409, 409, 403, 403, 403, 403, 403, 401)),
    # a user of another type under /api/clients or /api/coaches: 404, for everyone
    Row("get a coach as a client", "GET", "/api/clients/{coach}", None, (404, 404, 404, 404, 404, 404, 404, 401)),
    Row("delete a client as a coach", "DELETE", "/api/coaches/{client}", None,
        (404, 404, 404, 404, 404, 404, 404, 401), scene="bare", probe="/api/users/{client}"),
    # a client's records: whoever sees the client
    Row("list a client's tasks", "GET", "/api/clients/{client}/tasks", None,
        lists(root="task free_task", admin="task free_task", other_admin=403, coach="task free_task",
              other_coach=403, client="task free_task", other_client=403)),
    Row("list a client's messages", "GET", "/api/clients/{client}/messages", None,
        lists(root="message", admin="message", other_admin=403, coach="message", other_coach=403, client="message",
              other_client=403)),
    Row("list a client's viewed media", "GET", "/api/clients/{client}/viewed_media", None,
        lists(root="media", admin="media", other_admin=403, coach="media", other_coach=403, client="media",
              other_client=403)),
    Row("list a client's requests", "GET", "/api/clients/{client}/requests", None,
        lists(root="request", admin="request", other_admin=403, coach="request", other_coach=403, client="request",
              other_client=403)),
    # viewed media: mark / unmark: any | own org's clients | own clients | no (the bot's record, kept by staff)
    Row("mark media viewed", "POST", "/api/clients/{client}/viewed_media/{free_media}", None,
        (201, 201, 403, 201, 403, 403, 403, 401), probe="/api/clients/{client}/viewed_media"),
    Row("unmark viewed media", "DELETE", "/api/clients/{client}/viewed_media/{media}", None,
        (200, 200, 403, 200, 403, 403, 403, 401), probe="/api/clients/{client}/viewed_media"),

    # coaches
    Row("list coaches", "GET", "/api/coaches", None,
        lists(root="coach other_coach", admin="coach other_coach", other_admin="", coach="coach",
              other_coach="other_coach", client="", other_client="")),
    Row("get a coach", "GET", "/api/coaches/{coach}", None, (200, 200, 403, 200, 403, 403, 403, 401)),
    Row("create a coach", "POST", "/api/coaches", new_coach, (201, 201, 403, 403, 403, 403, 403, 401)),
    Row("update a coach", "PUT", "/api/coaches/{coach}", rename, (200, 200, 403, 200, 403, 403, 403, 401)),
    Row("delete a coach", "DELETE", "/api/coaches/{coach}", None,  # 409: allowed, but the coach has a client
        (409, 409, 403, 403, 403, 403, 403, 401), scene="bare"),

    # users
    Row("list users", "GET", "/api/users", None,
        lists(root="admin other_admin coach other_coach client other_client far_client boss",
              admin="admin coach other_coach client other_client boss", other_admin="other_admin far_client",
              coach="coach client", other_coach="other_coach other_client", client="client",
              other_client="other_client")),
    Row("get a user", "GET", "/api/users/{client}", None, (200, 200, 403, 200, 403, 200, 403, 401)),
    Row("get a superadmin user", "GET", "/api/users/{boss}", None, (200, 200, 403, 403, 403, 403, 403, 401)),
    Row("create a user", "POST", "/api/users", new_admin, (201, 201, 403, 403, 403, 403, 403, 401)),
    Row("create a superadmin", "POST", "/api/users", new_superadmin, (201, 403, 403, 403, 403, 403, 403, 401)),
    Row("update a user", "PUT", "/api/users/{client}", rename, (200, 200, 403, 200, 403, 200, 403, 401)),
    Row("make a client an admin", "PUT", "/api/users/{client}", to_admin,
        (200, 200, 403, refuses("type"), 403, refuses("type"), 403, 401)),
    Row("move an admin to another org", "PUT", "/api/users/{admin}", to_other_org,
        (200, refuses("org_id"), 403, 403, 403, 403, 403, 401), scene="bare"),
    Row("make a user superadmin", "PUT", "/api/users/{client}", to_superadmin,
        (200, 403, 403, 403, 403, 403, 403, 401)),
    Row("update a superadmin user", "PUT", "/api/users/{boss}", rename, (200, 403, 403, 403, 403, 403, 403, 401)),
    Row("delete a user", "DELETE", "/api/users/{client}", None, (200, 200, 403, 403, 403, 403, 403, 401),
        scene="bare"),
    Row("delete a superadmin user", "DELETE", "/api/users/{boss}", None, (200, 403, 403, 403, 403, 403, 403, 401)),

    # orgs: list / get: all | own | own | own; create / delete: Superadmin only
    Row("list orgs", "GET", "/api/orgs", None,
        lists(root="org other_org empty_org", admin="org", other_admin="other_org", coach="org", other_coach="org",
              client="org", other_client="org")),
    Row("get the org", "GET", "/api/orgs/{org}", None, (200, 200, 403, 200, 200, 200, 200, 401)),
    Row("get another org", "GET", "/api/orgs/{other_org}", None, (200, 403, 200, 403, 403, 403, 403, 401)),
    Row("create an org", "POST", "/api/orgs", new_org, (201, 403, 403, 403, 403, 403, 403, 401)),
    Row("delete an empty org", "DELETE", "/api/orgs/{empty_org}", None, (200, 403, 403, 403, 403, 403, 403, 401)),
    Row("delete the org", "DELETE", "/api/orgs/{org}", None,  # 409: allowed, but the org has users
        (409, 403, 403, 403, 403, 403, 403, 401)),

    # tasks: list / get: all | own org's | own clients' and own | own; create / update / delete: no client
    Row("list tasks", "GET", "/api/tasks", None,
        lists(root="task free_task other_task far_task", admin="task free_task other_task", other_admin="far_task",
              coach="task free_task", other_coach="other_task", client="task free_task", other_client="other_task")),
    Row("get a task", "GET", "/api/tasks/{task}", None, (200, 200, 403, 200, 403, 200, 403, 401)),
    Row("create a task", "POST", "/api/tasks", new_task, (201, 201, 403, 201, 403, 403, 403, 401)),
    Row("update tasks in bulk", "PUT", "/api/tasks", reorder, (200, 200, 403, 200, 403, 403, 403, 401),
        probe="/api/tasks/{task}"),
    Row("update tasks of two clients in bulk", "PUT", "/api/tasks", reorder_with_another_clients,  # all or none
        (200, 200, 403, 403, 403, 403, 403, 401), probe="/api/tasks/{task}"),
    Row("update a task", "PUT", "/api/tasks/{task}", retitle, (200, 200, 403, 200, 403, 403, 403, 401)),
    Row("delete a task", "DELETE", "/api/tasks/{free_task}", None, (200, 200, 403, 200, 403, 403, 403, 401)),

    # messages: list: all | own org's | own clients' | own; get: also those it sent or received
    Row("list messages", "GET", "/api/messages", None,
        lists(root="message other_message far_message", admin="message other_message", other_admin="far_message",
              coach="message", other_coach="other_message", client="message", other_client="other_message")),
    Row("get a message", "GET", "/api/messages/{message}", None, (200, 200, 403, 200, 403, 200, 403, 401)),
    # create: between users it sees | same | same | from self to staff of own org
    Row("send a message", "POST", "/api/messages", client_to_coach, (201, 201, 403, 201, 403, 201, 403, 401)),
    Row("send a message to a client", "POST", "/api/messages", client_to_client,
        (201, 201, 403, 403, 403, 403, 403, 401)),
    # delete: any it sees | same | same | no
    Row("delete a message", "DELETE", "/api/messages/{message}", None, (200, 200, 403, 200, 403, 403, 403, 401)),

    # media: list / get: the library for staff, viewed only for a client; create: Superadmin, Admin; delete:
    # Superadmin, an Admin of the publisher's org (admin published both)
    Row("list media", "GET", "/api/media", None,
        lists(root="media free_media", admin="media free_media", other_admin="media free_media",
              coach="media free_media", other_coach="media free_media", client="media", other_client="")),
    Row("get viewed media", "GET", "/api/media/{media}", None, (200, 200, 200, 200, 200, 200, 403, 401)),
    Row("get unviewed media", "GET", "/api/media/{free_media}", None, (200, 200, 200, 200, 200, 403, 403, 401)),
    Row("create media", "POST", "/api/media", new_media, (201, 201, 201, 403, 403, 403, 403, 401)),
    Row("delete media", "DELETE", "/api/media/{free_media}", None, (200, 200, 403, 403, 403, 403, 403, 401)),

    # requests: list / get as tasks; create / update: any | own org's users | own clients' | own
    Row("list requests", "GET", "/api/requests", None,
        lists(root="request other_request far_request", admin="request other_request", other_admin="far_request",
              coach="request", other_coach="other_request", client="request", other_client="other_request")),
    Row("get a request", "GET", "/api/requests/{request}", None, (200, 200, 403, 200, 403, 200, 403, 401)),
    Row("create a request", "POST", "/api/requests", new_request, (201, 201, 403, 201, 403, 201, 403, 401)),
    Row("update a request", "PUT", "/api/requests/{request}", resolve, (200, 200, 403, 200, 403, 200, 403, 401)),
    # delete: any | own org's | own clients' | no
    Row("delete a request", "DELETE", "/api/requests/{request}", None, (200, 200, 403, 200, 403, 403, 403, 401)),
]


# --- the scene ---

@dataclass
class Snapshot:
    store: tuple  # saved_store()
    ids: dict
    tokens: dict
    reads: dict = field(default_factory=dict)  # root's reads of the untouched scene, by path


def _made(answer: tuple) -> int:
    status, body = answer
    assert status == 201, body
    return body["id"]


def _build(api, world, full: bool) -> tuple[dict, dict]:
    """The people of `world` and, for the full scene, the records each listing is checked against."""
    ids = {**world.ids, **world.orgs}
    tokens = {**world.tokens, "none": None}
    if not full:
        return ids, tokens
    as_ = tokens
    ids["empty_org"] = _made(api.post("/api/orgs", new_org(ids), token=as_["root"]))
    ids["far_client"] = _made(api.post("/api/users", {
        "first_name": "Far", "last_name": "Client", "email": "far@example.com", "org_id": ids["other_org"],
        "type": "Client"}, token=as_["other_admin"]))
    ids["boss"] = _made(api.post("/api/users", {
        "first_name": "Boss", "last_name": "Super", "email": "boss@example.com", "org_id": ids["org"],
        "type": "Superadmin"}, token=as_["root"]))
    for name, owner, staff in (("task", "client", "coach"), ("free_task", "client", "coach"),
                               ("other_task", "other_client", "other_coach"),
                               ("far_task", "far_client", "other_admin")):
        ids[name] = _made(api.post("/api/tasks", {"title": name, "category": "custom", "user_id": ids[owner],
                                                  "date_assigned": "2026-11-20"}, token=as_[staff]))
    for name, sender, recipient in (("message", "coach", "client"), ("other_message", "other_coach", "other_client"),
                                    ("far_message", "other_admin", "far_client")):
        ids[name] = _made(api.post("/api/messages", {"text": name, "from_user": ids[sender],
                                                     "to_user": ids[recipient]}, token=as_[sender]))
    for name, owner, task, by in (("request", "client", "task", "client"),
                                  ("other_request", "other_client", "other_task", "other_client"),
                                  ("far_request", "far_client", "far_task", "other_admin")):
        ids[name] = _made(api.post("/api/requests", {"user_id": ids[owner], "task_id": ids[task]}, token=as_[by]))
    for name in ("media", "free_media"):
        ids[name] = _made(api.post("/api/media", {"title": name, "category": "STORY"}, token=as_["admin"]))
    status, body = api.post(f"/api/clients/{ids['client']}/viewed_media/{ids['media']}", token=as_["coach"])
    assert status == 201, body
    return ids, tokens


@pytest.fixture(scope="module")
def snapshots():
    return {}


@pytest.fixture
def stage(request, api, snapshots):
    """`stage(scene)`: the scene in a fresh store (built the first time, copied back afterwards)."""

    def load(scene: str) -> Snapshot:
        if scene not in snapshots:
            ids, tokens = _build(api, request.getfixturevalue("world"), full=scene == "full")
            snapshots[scene] = Snapshot(saved_store(), ids, tokens)
        else:
            restore_store(snapshots[scene].store)
        return snapshots[scene]

    return load


# --- the tests ---

def _kind(name: str) -> str:
    """Which counter a record's id comes from (ids of different kinds overlap), by its name or its listing."""
    return next((kind for kind in ("org", "task", "message", "media", "request") if name.endswith((kind, f"{kind}s"))),
                "user")


def _path(template: str, ids: dict) -> str:
    return re.sub(r"{(\w+)}", lambda match: str(ids[match.group(1)]), template)


def _read(api, snapshot: Snapshot, path: str) -> tuple:
    return api.get(path, token=snapshot.tokens["root"])


def _before(api, snapshot: Snapshot, path: str) -> tuple:
    """Root's read of the untouched scene (each case starts from it, so it is read once)."""
    if path not in snapshot.reads:
        snapshot.reads[path] = _read(api, snapshot, path)
    return snapshot.reads[path]


def _check_refusal(row: Row, who: str, status: int, body: Any, expected: int) -> None:
    if isinstance(expected, Refuses):
        assert isinstance(body, dict) and set(body) == {"message", "errors"} and body["message"] == "Forbidden", (
            f"{row.what} as {who}: got {body}")
        assert [error["field"] for error in body["errors"]] == list(expected.fields), f"{row.what} as {who}: {body}"
    elif expected == 403:
        assert body == FORBIDDEN, f"{row.what} as {who}: a refusal must carry no data, got {body}"
    elif expected == 404:
        assert body == {"message": "Not found"}, f"{row.what} as {who}: got {body}"
    elif expected == 401:
        assert isinstance(body, dict) and set(body) == {"message"}, f"{row.what} without a token: got {body}"


def _check_answer(row: Row, who: str, body: Any, cell: Any, ids: dict, names: dict) -> None:
    if isinstance(cell, str):  # a listing: exactly these records
        got = sorted(names.get(item["id"], item["id"]) for item in body)
        assert got == sorted(cell.split()), f"{row.what} as {who} lists {got}, the rules say {sorted(cell.split())}"
    elif row.method == "GET":  # one record: the one asked for
        target = re.findall(r"{(\w+)}", row.path)[-1]
        assert body["id"] == ids[target], f"{row.what} as {who} answered another record: {body}"
    elif row.method == "DELETE":
        assert body == {"deleted": 1}
    elif row.method == "POST":
        assert isinstance(body, dict) and "id" in body, body


def _run(api, snapshot: Snapshot, row: Row, who: str, token: str | None, cell: Any) -> None:
    ids = snapshot.ids
    expected = 200 if isinstance(cell, str) else cell
    watched = row.watched()
    before = _before(api, snapshot, _path(watched, ids)) if watched else None
    sent = row.body(ids) if row.body else None

    status, body = api.call(row.method, _path(row.path, ids), sent, token=token)

    assert status == expected, (
        f"{row.what} ({row.method} {row.path}) as {who}: the rules say {expected}, the app answered {status} {body}")
    if expected >= 400:
        _check_refusal(row, who, status, body, expected)
    else:
        listed = _kind(row.path.rstrip("/").rsplit("/", 1)[-1])
        _check_answer(row, who, body, cell, ids, {ids[name]: name for name in ids if _kind(name) == listed})
    if watched:
        after = _read(api, snapshot, _path(watched, ids))
        if expected >= 400:
            assert after == before, f"{row.what} as {who} was refused ({status}) but changed {watched}: {after}"
        else:
            assert after != before, f"{row.what} as {who} answered {status} but {watched} did not change"


def _case_id(row: Row) -> str:
    return row.what.replace(" ", "-").replace("'", "")


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("row", ROWS, ids=_case_id)
def test_each_role_gets_what_the_rules_say(stage, api, row, who):
    snapshot = stage(row.scene)
    _run(api, snapshot, row, who, snapshot.tokens[who], row.expect[CALLERS.index(who)])


@pytest.mark.parametrize("row", ROWS, ids=_case_id)
def test_an_account_without_a_coaching_user_is_refused_everywhere(stage, api, row):
    snapshot = stage(row.scene)
    _run(api, snapshot, row, "nobody", snapshot.tokens["nobody"], 403)


def test_the_table_names_each_route_of_the_document_and_eight_callers():
    routes = {(row.method, re.sub(r"{\w+}", "{id}", row.path)) for row in ROWS}
    collections = {"clients", "coaches", "users", "orgs", "tasks", "messages", "media", "requests"}
    for name in collections:
        assert ("GET", f"/api/{name}") in routes and ("GET", f"/api/{name}/{{id}}") in routes, name
        assert ("POST", f"/api/{name}") in routes and ("DELETE", f"/api/{name}/{{id}}") in routes, name
    for name in ("clients", "coaches", "users", "tasks", "requests"):
        assert ("PUT", f"/api/{name}/{{id}}") in routes, name
    assert ("PUT", "/api/tasks") in routes
    for records in ("tasks", "messages", "viewed_media", "requests"):
        assert ("GET", f"/api/clients/{{id}}/{records}") in routes, records
    for method in ("POST", "DELETE"):
        assert (method, "/api/clients/{id}/viewed_media/{id}") in routes, method
    assert len({row.what for row in ROWS}) == len(ROWS)
    assert all(len(row.expect) == len(CALLERS) for row in ROWS)
