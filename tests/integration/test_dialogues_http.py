"""The dialogues API over real HTTP against `make run`'s server and DynamoDB Local: every route once, each
permission type granted and used, twenty concurrent revision writers on one dialogue that leave numbers 1..N
and a description equal to the patches applied in number order, a failed bulk that changes nothing, and a 2 MB
dialogue through create, PATCH, revision, release and GET."""
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import jsonpatch
import pytest
import requests

TAG = uuid.uuid4().hex[:8]  # the stack is shared: every email of this module carries it
PASSWORD = "twelve-chars-pw"


class Client:
    """A signed-in caller of the dialogues routes (which sit at the root of the API)."""

    def __init__(self, stack, email: str, password: str):
        self.base = stack.base_url
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))
        login = self.http.post(f"{self.base}/api/auth/login/", data=json.dumps({"email": email, "password": password}),
                               timeout=30)
        assert login.status_code == 200, login.text
        self.http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"

    def call(self, method: str, path: str, body=None, data=None, expect: int | None = None):
        response = self.http.request(method, self.base + path, timeout=60,
                                     data=json.dumps(body) if body is not None else data)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    def ok(self, method: str, path: str, body=None, expect: int = 200):
        return self.call(method, path, body, expect=expect).json()


@pytest.fixture(scope="module")
def admin(local_stack):
    return Client(local_stack, "admin@example.com", "admin-password-123")


def new_user(stack, admin: Client, name: str, grant: dict | None = None) -> Client:
    user = admin.ok("POST", "/users/", {"email": f"{name}-{TAG}@dialogues.example.com", "password": PASSWORD,
                                        "first_name": name.title(), "last_name": "Tester"}, expect=201)
    if grant:
        admin.ok("POST", f"/users/{user['id']}/permissions/", grant)
    client = Client(stack, user["email"], PASSWORD)
    client.id = user["id"]
    return client


def sequence(name: str, blocks: int = 0, title: str = "") -> dict:
    return {"id": name, "title": title or name.title(),
            "blocks": [{"id": f"b{i}", "type": "question", "title": title} for i in range(blocks)]}


def test_every_route_answers_over_http_with_each_permission_used(local_stack, admin):
    creator = new_user(local_stack, admin, "creator", {"type": "projects:create"})
    project = creator.ok("POST", "/projects/", {"title": f"Maternal Health {TAG}"}, expect=201)
    p = project["id"]
    assert project == {"id": p, "url": f"/projects/{p}", "title": f"Maternal Health {TAG}", "dialogues": [],
                       "is_archived": False}
    granted = creator.ok("GET", "/user")["permissions"]
    assert sorted(perm["type"] for perm in granted) == ["project:admin", "projects:create"]
    dialogue = creator.ok("POST", f"/projects/{p}/dialogues/", {"title": "Survey", "sequences": []}, expect=201)
    d = dialogue["id"]
    other = creator.ok("POST", f"/projects/{p}/dialogues/", {"title": "Other", "sequences": []}, expect=201)["id"]
    path = f"/projects/{p}/dialogues/{d}"

    reader = new_user(local_stack, admin, "reader", {"type": "project:dialogues:read", "details": {"project_id": p}})
    writer = new_user(local_stack, admin, "writer", {"type": "project:dialogues:write", "details": {"project_id": p}})
    one_reader = new_user(local_stack, admin, "onereader",
                          {"type": "dialogue:read", "details": {"project_id": p, "dialogue_id": d}})
    one_writer = new_user(local_stack, admin, "onewriter",
                          {"type": "dialogue:write", "details": {"project_id": p, "dialogue_id": d}})
    nobody = new_user(local_stack, admin, "nobody")

    # Reading: every permission on the project sees it; dialogue permissions see their dialogue only.
    for client in (reader, writer, one_reader, one_writer):
        assert client.ok("GET", f"/projects/{p}")["id"] == p
        assert client.ok("GET", path)["id"] == d
    assert one_reader.call("GET", f"/projects/{p}/dialogues/{other}").status_code == 403
    assert nobody.call("GET", f"/projects/{p}").json()["type"] == "forbidden"
    flags = {s["id"]: (s["can_view"], s["can_edit"]) for s in one_writer.ok("GET", f"/projects/{p}/dialogues/")}
    assert flags == {d: (True, True), other: (False, False)}

    # Writing: writers edit, readers may not; PUT and PATCH make revisions.
    start = sequence("start")
    assert writer.ok("PATCH", path, [{"op": "add", "path": "/sequences/-", "value": start}])["sequences"] == [start]
    assert reader.call("PATCH", path, [{"op": "replace", "path": "/title", "value": "x"}]).status_code == 403
    assert one_reader.call("PUT", path, {"title": "x", "sequences": []}).status_code == 403
    put = one_writer.ok("PUT", path, {"id": "999", "title": "Survey 2", "sequences": [start]})
    assert (put["id"], put["title"], put["revision_id"]) == (d, "Survey 2", "3")
    assert one_writer.call("PATCH", path, [{"op": "replace", "path": "/is_archived", "value": True}]).status_code == 403
    revision = one_writer.ok("POST", f"{path}/revisions/", {"type": "edit", "details": {"why": "rename"},
                                                             "properties": {"edit_type": "rename", "patch": [
                                                                 {"op": "replace", "path": "/title", "value": "S3"}]}},
                             expect=201)
    assert (revision["number"], revision["user_id"]) == (4, one_writer.id)
    numbers = [r["number"] for r in reader.ok("GET", f"{path}/revisions/?ordering=number&per_page=2&page=2")]
    assert numbers == [3, 4]

    # Publishing is for project admins.
    assert writer.call("POST", f"{path}/releases/", {"revision_id": "4"}).status_code == 403
    release = creator.ok("POST", f"{path}/releases/", {"revision_id": "4"}, expect=201)
    assert release["number"] == 1
    assert creator.ok("GET", f"{path}/releases/1")["description"]["title"] == "S3"
    assert [r["revision_id"] for r in reader.ok("GET", f"{path}/releases/")] == ["4"]
    summary = reader.ok("GET", path)
    assert (summary["is_published"], summary["has_changes"]) == (True, False)

    # Archiving a dialogue and a project, renaming a project.
    assert creator.ok("PATCH", path, [{"op": "replace", "path": "/is_archived", "value": True}])["is_archived"]
    assert creator.ok("PUT", f"/projects/{p}", {"id": "1", "title": "Renamed"})["title"] == "Renamed"
    patched = creator.ok("PATCH", f"/projects/{p}", [{"op": "replace", "path": "/is_archived", "value": True}])
    assert patched["is_archived"] is True
    assert writer.call("PUT", f"/projects/{p}", {"title": "no"}).status_code == 403

    # Channels: an admin attaches a seeded one; the project's people see it.
    channels = admin.ok("GET", "/channels/")
    free = next(c for c in channels if c["project_id"] is None)
    attached = admin.ok("PATCH", f"/channels/{free['id']}", [{"op": "replace", "path": "/project_id", "value": p}])
    assert (attached["project_id"], attached["is_available"]) == (p, True)
    assert [c["id"] for c in reader.ok("GET", f"/projects/{p}/channels/")] == [free["id"]]
    assert reader.ok("GET", f"/channels/{free['id']}")["id"] == free["id"]
    provider = reader.ok("GET", f"/providers/{free['provider']['id']}")
    assert [c["id"] for c in provider["channels"]] == [free["id"]]
    assert nobody.call("GET", f"/channels/{free['id']}").status_code == 403
    assert reader.call("GET", "/providers/").status_code == 403
    assert {"Twitter", "Vodacom ZA", "MTN Nigeria"} <= {found["title"] for found in admin.ok("GET", "/providers/")}
    assert [found["id"] for found in reader.ok("GET", "/projects/")] == [p]
    new_provider = admin.ok("POST", "/providers/", {"title": f"Provider {TAG}"}, expect=201)
    new_channel = admin.ok("POST", "/channels/", {"provider_id": new_provider["id"], "title": "*1#", "address": "*1#",
                                                  "type": "ussd"}, expect=201)
    assert admin.ok("PUT", f"/channels/{new_channel['id']}", {"project_id": p})["project_id"] == p
    second = creator.ok("POST", "/projects/", {"title": f"Second {TAG}"}, expect=201)["id"]
    moved = admin.ok("PUT", f"/channels/{new_channel['id']}", {"project_id": second})  # a move (issue 17)
    assert (moved["project_id"], moved["is_available"]) == (second, True)
    assert admin.ok("PUT", f"/channels/{new_channel['id']}", {"project_id": None})["is_available"] is True
    admin.ok("PUT", f"/channels/{free['id']}", {"project_id": None})

    # Users and permissions.
    me = nobody.ok("GET", "/user")
    assert me["permissions"] == [] and me["id"] == nobody.id
    assert nobody.ok("PATCH", f"/users/{nobody.id}", [{"op": "replace", "path": "/first_name", "value": "N"}])[
        "first_name"] == "N"
    assert nobody.ok("PUT", f"/users/{nobody.id}", {"first_name": "Nob", "last_name": "Ody"})["last_name"] == "Ody"
    assert nobody.call("GET", "/users/").status_code == 403
    assert admin.ok("GET", f"/users/{nobody.id}")["first_name"] == "Nob"
    assert nobody.call("GET", f"/users/{reader.id}").status_code == 403
    assert any(u["id"] == nobody.id for u in admin.ok("GET", "/users/?per_page=100"))
    granted = admin.ok("POST", f"/users/{nobody.id}/permissions/", {"type": "dialogue:read", "details": {
        "project_id": p, "dialogue_id": d}})
    assert nobody.ok("GET", path)["can_edit"] is False
    assert admin.ok("GET", f"/users/{nobody.id}/permissions/{granted['id']}") == granted
    assert nobody.ok("GET", f"/users/{nobody.id}/permissions/") == [granted]
    assert admin.ok("DELETE", f"/users/{nobody.id}/permissions/{granted['id']}") == granted
    assert nobody.call("GET", path).status_code == 403
    made_admin = admin.ok("POST", f"/users/{reader.id}/permissions/", {"type": "admin"})
    assert reader.call("GET", "/users/", expect=200) and reader.ok("GET", "/providers/")
    admin.ok("DELETE", f"/users/{reader.id}/permissions/{made_admin['id']}")
    assert reader.call("GET", "/users/").status_code == 403
    nobody.call("POST", "/user/password-changes/", {"old_password": PASSWORD, "new_password": "another-password"},
                expect=204)
    assert nobody.call("GET", "/user").status_code == 401  # tokens from before the change stop working
    admin.call("POST", "/password-resets/", {"email": f"nobody-{TAG}@dialogues.example.com"}, expect=204)
    admin.call("POST", "/password-resets/", {"email": f"unknown-{TAG}@dialogues.example.com"}, expect=204)
    mail = sorted((local_stack.state_dir / "outbox").glob("*"), key=lambda f: f.stat().st_mtime)[-1].read_text()
    token = mail.split("/api/auth/reset/")[1].split("/")[0]
    admin.call("POST", "/password-confirmations/", {"token": token, "password": "third-password-1"}, expect=204)
    assert admin.call("POST", "/password-confirmations/", {"token": token, "password": "x" * 9}).status_code == 422
    Client(local_stack, f"nobody-{TAG}@dialogues.example.com", "third-password-1")


def test_twenty_concurrent_revision_writers_leave_numbers_one_to_n_and_the_patches_in_order(local_stack, admin):
    project = admin.ok("POST", "/projects/", {"title": f"Concurrent {TAG}"}, expect=201)["id"]
    dialogue = admin.ok("POST", f"/projects/{project}/dialogues/", {"title": "Race", "sequences": []}, expect=201)
    path = f"/projects/{project}/dialogues/{dialogue['id']}"
    writers = [new_user(local_stack, admin, f"racer{i}", {"type": "dialogue:write", "details": {
        "project_id": project, "dialogue_id": dialogue["id"]}}) for i in range(4)]

    def write(index: int):
        edit = {"type": "edit", "properties": {"edit_type": "new_sequence", "patch": [
            {"op": "add", "path": "/sequences/-", "value": sequence(f"s{index}")}]}}
        return writers[index % 4].call("POST", f"{path}/revisions/", edit)

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(write, range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code not in (201, 409)]
    written = sorted(r.json()["number"] for r in responses if r.status_code == 201)
    revisions = admin.ok("GET", f"{path}/revisions/?ordering=number&per_page=100")
    numbers = [r["number"] for r in revisions]
    assert numbers == list(range(1, len(numbers) + 1))
    assert written == numbers[1:]  # revision 1 is the creation; each 201 got its own number
    replayed = {}
    for revision in revisions:
        replayed = jsonpatch.apply_patch(replayed, revision["properties"]["patch"])
    current = admin.ok("GET", path)
    assert replayed["sequences"] == current["sequences"]
    assert len(current["sequences"]) == statuses.count(201)
    print(f"20 concurrent writers: {statuses.count(201)} written, {statuses.count(409)} answered 409")


def test_a_failed_bulk_revision_changes_nothing(local_stack, admin):
    project = admin.ok("POST", "/projects/", {"title": f"Bulk {TAG}"}, expect=201)["id"]
    path = f"/projects/{project}/dialogues/" + admin.ok("POST", f"/projects/{project}/dialogues/", {
        "title": "Bulk", "sequences": [sequence("start")]}, expect=201)["id"]
    admin.ok("POST", f"{path}/releases/", {"revision_id": "1"}, expect=201)
    before = (admin.ok("GET", path), admin.ok("GET", f"{path}/revisions/"))
    bulk = [{"type": "edit", "properties": {"patch": [{"op": "add", "path": "/sequences/-", "value": sequence("b")}]}},
            {"type": "edit", "properties": {"patch": [{"op": "remove", "path": "/sequences/7"}]}}]
    response = admin.call("POST", f"{path}/revisions/", bulk)
    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["path"] == "/1/properties/patch/0"
    assert (admin.ok("GET", path), admin.ok("GET", f"{path}/revisions/")) == before
    assert before[0]["has_changes"] is False


def test_a_two_megabyte_dialogue_round_trips_through_create_patch_revision_release_and_get(local_stack, admin):
    big = {"title": "Big", "sequences": [sequence(f"s{i}", blocks=20, title="x" * 1000) for i in range(100)]}
    assert len(json.dumps(big)) > 2_000_000
    project = admin.ok("POST", "/projects/", {"title": f"Big {TAG}"}, expect=201)["id"]
    created = admin.ok("POST", f"/projects/{project}/dialogues/", big, expect=201)
    path = f"/projects/{project}/dialogues/{created['id']}"
    assert created["sequences"] == big["sequences"]
    patched = admin.ok("PATCH", path, [{"op": "replace", "path": "/sequences/0/title", "value": "First"}])
    assert patched["sequences"][0]["title"] == "First"
    extra = sequence("extra", blocks=1)
    revision = admin.ok("POST", f"{path}/revisions/", {"type": "edit", "properties": {"patch": [
        {"op": "add", "path": "/sequences/-", "value": extra}]}}, expect=201)
    assert revision["number"] == 3
    admin.ok("POST", f"{path}/releases/", {"revision_id": "2"}, expect=201)
    released = admin.ok("GET", f"{path}/releases/1")["description"]
    assert released["sequences"][0]["title"] == "First" and len(released["sequences"]) == 100
    current = admin.ok("GET", path)
    assert current["sequences"] == [{**big["sequences"][0], "title": "First"}, *big["sequences"][1:], extra]
    reverted = admin.ok("POST", f"{path}/revisions/", {"type": "revert", "properties": {"revision_id": "1"}},
                        expect=201)
    assert reverted["number"] == 4
    assert admin.ok("GET", path)["sequences"] == big["sequences"]

    # The dialogue item holds a reference to its base (the description as created, an object in the media bucket)
    # and the three small patches since.
    dynamodb = local_stack.dynamodb()
    item = dynamodb.get_item(TableName=local_stack.table("dialogues"), Key={
        "project_id": {"N": project}, "id": {"N": created["id"]}})["Item"]
    assert len(item["base"]["S"]) < 1000 and len(json.loads(item["tail"]["S"])) == 3
    key = json.loads(item["base"]["S"])["s3"]
    s3 = boto3.client("s3", endpoint_url=local_stack.env["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                      aws_access_key_id="local", aws_secret_access_key="local")
    stored = json.loads(s3.get_object(Bucket=local_stack.env["MEDIA_BUCKET"], Key=key)["Body"].read())
    assert stored["sequences"] == big["sequences"]
