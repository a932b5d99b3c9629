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
