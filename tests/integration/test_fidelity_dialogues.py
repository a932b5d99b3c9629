"""Issue 17, items 4 and 5, over real HTTP against `make run`'s server and DynamoDB Local: a write that leaves a
dialogue's description unchanged writes no revision and leaves `has_changes` as it was (PUT, PATCH, single and
bulk revision POST), and channels: `is_available` is true for an attached channel, and PUT/PATCH of
`project_id` moves a channel from one project to another."""
import pytest

from tests.integration.test_dialogues_http import TAG, Client


@pytest.fixture(scope="module")
def admin(local_stack):
    return Client(local_stack, "admin@example.com", "admin-password-123")


def _revision_numbers(admin: Client, path: str) -> list[int]:
    return [item["number"] for item in admin.ok("GET", f"{path}/revisions/?ordering=number")]


def test_writes_that_change_nothing_write_no_revision_and_keep_has_changes(admin):
    project = admin.ok("POST", "/projects/", {"title": f"Fidelity 4 {TAG}"}, expect=201)["id"]
    created = admin.ok("POST", f"/projects/{project}/dialogues/", {"title": "Survey", "sequences": []}, expect=201)
    path = f"/projects/{project}/dialogues/{created['id']}"
    admin.ok("POST", f"{path}/releases/", {"revision_id": "1"}, expect=201)
    rename = {"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "Survey"}]}}
    revert = {"type": "revert", "properties": {"revision_id": "1"}}

    shown = admin.ok("GET", path)
    assert (shown["has_changes"], shown["revision_id"]) == (False, "1")
    assert admin.ok("PUT", path, shown)["has_changes"] is False
    assert admin.ok("PATCH", path, [])["has_changes"] is False
    assert admin.ok("PATCH", path, rename["properties"]["patch"])["has_changes"] is False
    single = admin.call("POST", f"{path}/revisions/", rename)
    assert (single.status_code, single.json()["number"]) == (200, 1)
    assert admin.call("POST", f"{path}/revisions/", revert).status_code == 200
    bulk = admin.call("POST", f"{path}/revisions/", [rename, revert])
    assert (bulk.status_code, bulk.json()) == (200, [])
    shown = admin.ok("GET", path)
    assert (shown["has_changes"], shown["revision_id"]) == (False, "1")
    assert _revision_numbers(admin, path) == [1]

    # A bulk with some effective revisions writes only those, numbered from the head.
    written = admin.ok("POST", f"{path}/revisions/", [rename, {**rename, "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": "Edited"}]}}, revert], expect=201)
    assert [item["number"] for item in written] == [2, 3]
    assert (admin.ok("GET", path)["has_changes"], _revision_numbers(admin, path)) == (True, [1, 2, 3])
    assert admin.ok("PATCH", path, [])["has_changes"] is True  # unchanged writes keep `true` too
    assert _revision_numbers(admin, path) == [1, 2, 3]


def test_attached_channels_are_available_and_project_id_moves_a_channel(admin):
    first = admin.ok("POST", "/projects/", {"title": f"Fidelity 5a {TAG}"}, expect=201)["id"]
    second = admin.ok("POST", "/projects/", {"title": f"Fidelity 5b {TAG}"}, expect=201)["id"]
    provider = admin.ok("POST", "/providers/", {"title": f"Fidelity {TAG}"}, expect=201)
    channel = admin.ok("POST", "/channels/", {"provider_id": provider["id"], "title": "@fid", "address": "@fid",
                                              "type": "twitter", "project_id": first}, expect=201)
    assert (channel["project_id"], channel["is_available"]) == (first, True)
    path = f"/channels/{channel['id']}"

    moved = admin.ok("PUT", path, {"project_id": second})
    assert (moved["project_id"], moved["is_available"]) == (second, True)
    assert admin.ok("GET", f"/projects/{first}/channels/") == []
    assert [c["id"] for c in admin.ok("GET", f"/projects/{second}/channels/")] == [channel["id"]]

    back = admin.ok("PATCH", path, [{"op": "replace", "path": "/project_id", "value": first}])
    assert (back["project_id"], back["is_available"]) == (first, True)
    assert admin.ok("GET", f"/projects/{second}/channels/") == []
    assert admin.ok("GET", path)["is_available"] is True
    assert [c["is_available"] for c in admin.ok("GET", "/channels/") if c["id"] == channel["id"]] == [True]

    unknown = admin.call("PUT", path, {"project_id": "999999"})
    assert unknown.status_code == 422
    assert admin.ok("GET", path)["project_id"] == first
