"""Tasks, requests and messages carry the coach whose listing holds them (`coach_id`, models.listed_by), so a Coach's
listing is one Query. When a client's coach (or type) changes, every one of their records follows in the same
transaction; a record written for a listing the client has left meanwhile is refused; too many to move at once is a
409 that changes nothing."""
import pytest

from chalicelib.coaching import users
from chalicelib.coaching.models import CoachingUser, HelpRequest, Message, Task
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import transact_steps
from tests.unit.coaching.conftest import store
from tests.unit.coaching.test_roles import snapshots, stage  # noqa: F401  (snapshots: the fixture stage uses)

KINDS = ("tasks", "requests", "messages")


def _listed(api, token: str) -> dict[str, set[int]]:
    return {kind: {item["id"] for item in api.get(f"/api/{kind}", token=token)[1]} for kind in KINDS}


def test_a_change_of_coach_moves_every_record_of_the_client_to_the_new_coachs_listing(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    mine = {kind: {item["id"] for item in api.get(f"/api/clients/{ids['client']}/{kind}", token=tokens["root"])[1]}
            for kind in KINDS}
    assert all(mine.values())
    before = _listed(api, tokens["other_coach"])

    status, body = api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])

    assert status == 200, body
    assert all(not (_listed(api, tokens["coach"])[kind] & mine[kind]) for kind in KINDS)
    assert _listed(api, tokens["other_coach"]) == {kind: before[kind] | mine[kind] for kind in KINDS}
    stored = [*Task.by_user.query(ids["client"]), *HelpRequest.by_user.query(ids["client"]),
              *Message.by_user.query(ids["client"])]
    assert {int(record.coach_id) for record in stored} == {ids["other_coach"]}


def test_a_client_made_an_admin_leaves_every_coachs_listing(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens

    assert api.put(f"/api/users/{ids['client']}", {"type": "Admin"}, token=tokens["root"])[0] == 200

    assert _listed(api, tokens["coach"]) == {kind: set() for kind in KINDS}
    assert _listed(api, tokens["admin"])["tasks"] >= {ids["task"], ids["free_task"]}  # still the org's


def test_too_many_records_to_move_at_once_is_a_409_that_changes_nothing(stage, api, monkeypatch):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    monkeypatch.setattr(users, "RELISTED_MAX", 2)  # the client has 2 tasks, 1 request and 1 message
    before = store()

    status, body = api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])

    assert status == 409, body
    assert store() == before


def test_a_record_written_for_a_listing_the_client_left_meanwhile_is_refused(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    read_before = CoachingUser.get(ids["client"], consistent_read=True)  # what a racing create read
    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])[0] == 200

    with pytest.raises(Conflict):
        transact_steps([(lambda tx: tx.update(CoachingUser(ids["client"]), actions=[CoachingUser.task_count.add(1)],
                                              condition=users.still_listed(read_before)), Conflict("conflict", "x"))])
    assert CoachingUser.get(ids["client"], consistent_read=True).task_count == read_before.task_count


# --- the ids a user keeps of their records, so that a change of listing moves them without a Query ---

def _stored_ids(user_id: int) -> dict[str, set[int]]:
    return {"task_ids": {int(task.id) for task in Task.by_user.query(user_id)},
            "request_ids": {int(request.id) for request in HelpRequest.by_user.query(user_id)},
            "message_ids": {int(message.id) for message in Message.by_user.query(user_id)}}


def _kept_ids(user_id: int) -> dict[str, set[int]]:
    user = CoachingUser.get(user_id, consistent_read=True)
    return {name: {int(key) for key in getattr(user, name) or ()}
            for name in ("task_ids", "request_ids", "message_ids")}


def _forget(user_id: int, *names: str) -> None:
    """Make the user look as written before the attributes `names` were kept."""
    CoachingUser(user_id).update(actions=[getattr(CoachingUser, name).remove() for name in names])


def test_a_client_keeps_the_ids_of_their_tasks_requests_and_messages(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    assert _kept_ids(ids["client"]) == _stored_ids(ids["client"]) != {}

    for path in (f"/api/requests/{ids['request']}", f"/api/tasks/{ids['free_task']}",
                 f"/api/messages/{ids['message']}"):
        assert api.delete(path, token=tokens["root"])[0] == 200, path

    assert _kept_ids(ids["client"]) == _stored_ids(ids["client"]) == {
        "task_ids": {ids["task"]}, "request_ids": set(), "message_ids": set()}


def test_a_change_of_coach_moves_the_kept_records_without_a_query(stage, api, aws_calls):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    aws_calls.clear()

    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])[0] == 200

    assert [operation for service, operation, _ in aws_calls if service == "dynamodb"] == [
        "GetItem", "BatchGetItem", "TransactWriteItems"]  # the account, the claim with the client, the change


@pytest.mark.parametrize("forgotten", [("ids_kept",), ("task_ids", "request_ids", "message_ids"),
                                       ("ids_kept", "client_messages")])
def test_a_client_from_before_the_kept_ids_still_moves_every_record(stage, api, forgotten):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    _forget(ids["client"], *forgotten)
    mine = _stored_ids(ids["client"])

    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])[0] == 200

    stored = [*Task.by_user.query(ids["client"]), *HelpRequest.by_user.query(ids["client"]),
              *Message.by_user.query(ids["client"])]
    assert len(stored) == sum(len(kind) for kind in mine.values())
    assert {int(record.coach_id) for record in stored} == {ids["other_coach"]}


def test_past_the_records_a_change_moves_at_once_no_more_ids_are_kept(stage, api, monkeypatch):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    monkeypatch.setattr(users, "RELISTED_MAX", 5)  # the client has 2 tasks, 1 request and 1 message
    made = []
    for title in ("fifth", "sixth"):
        status, body = api.post("/api/tasks", {"title": title, "category": "custom", "user_id": ids["client"],
                                               "date_assigned": "2026-11-20"}, token=tokens["coach"])
        assert status == 201, body
        made.append(body["id"])
    assert _kept_ids(ids["client"])["task_ids"] == {ids["task"], ids["free_task"], made[0]}  # not the sixth
    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]},
                   token=tokens["admin"])[0] == 409  # 6 records: too many

    assert api.delete(f"/api/tasks/{made[0]}", token=tokens["root"])[0] == 200  # 5, but the sixth is not kept
    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])[0] == 200

    assert {int(task.coach_id) for task in Task.by_user.query(ids["client"])} == {ids["other_coach"]}
    assert {int(task.id) for task in Task.by_user.query(ids["client"])} == {ids["task"], ids["free_task"], made[1]}


# --- a Coach's /users: themselves and their clients, one Query of `by-listing` ---

def _names(api, token: str, path: str = "/api/users") -> set[int]:
    status, body = api.get(path, token=token)
    assert status == 200, body
    return {user["id"] for user in body}


def test_a_coachs_users_follow_a_change_of_coach_and_of_type(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens

    assert api.put(f"/api/clients/{ids['client']}", {"coach_id": ids["other_coach"]}, token=tokens["admin"])[0] == 200
    assert _names(api, tokens["coach"]) == {ids["coach"]}
    assert _names(api, tokens["other_coach"]) == {ids["other_coach"], ids["other_client"], ids["client"]}

    assert api.put(f"/api/users/{ids['client']}", {"type": "Admin"}, token=tokens["root"])[0] == 200
    assert _names(api, tokens["other_coach"]) == {ids["other_coach"], ids["other_client"]}


def test_a_coach_from_before_listed_by_still_lists_themselves_and_their_clients(stage, api):  # noqa: F811
    scene = stage("full")
    ids, tokens = scene.ids, scene.tokens
    for name in ("coach", "client"):
        _forget(ids[name], "listed_by")

    assert _names(api, tokens["coach"]) == {ids["coach"], ids["client"]}
    assert _names(api, tokens["coach"], "/api/coaches") == {ids["coach"]}
    assert _names(api, tokens["coach"], "/api/clients") == {ids["client"]}
