"""The DynamoDB round trips of each coaching route's success path: at most 3 (a transaction or a BatchGetItem
counts as one), whatever the caller's role and however many clients or orgs there are.

Every route of the role matrix (test_roles.ROWS) is called by every caller the rules let through, on the same
scene, and the `dynamodb` calls it makes are counted: the authentication's read of the account, the caller's
coaching identity, and the route's own work. So each route is measured by the role that costs most.

Not counted, the one justified exception: the UpdateItem on the `counters` table by which a process reserves a
block of 100 ids (core/counters.py). A create pays it once per 100 ids of its kind in a process, not per request,
and which request pays it depends on what ran before in the process."""
import pytest

from tests.round_trips import round_trips
from tests.unit.coaching.test_roles import (  # noqa: F401  (snapshots: the module fixture that stage uses)
    CALLERS,
    ROWS,
    Row,
    _case_id,
    _path,
    snapshots,
    stage,
)

BUDGET = 3
# Routes that may take more, by row, with why. None now: a user's invitation is stored in the user's transaction.
EXCEPTIONS: dict[str, tuple[int, str]] = {}


def _succeeds(cell) -> bool:
    return isinstance(cell, str) or 200 <= cell < 300


SUCCESSES = [(row, who) for row in ROWS for who, cell in zip(CALLERS, row.expect, strict=True) if _succeeds(cell)]


def _call(api, snapshot, row: Row, who: str, aws_calls) -> int:
    """The round trips of one successful call of `row` by `who`."""
    sent = row.body(snapshot.ids) if row.body else None
    aws_calls.clear()
    status, body = api.call(row.method, _path(row.path, snapshot.ids), sent, token=snapshot.tokens[who])
    assert 200 <= status < 300, (row.what, who, status, body)
    return round_trips(aws_calls)


@pytest.mark.parametrize(("row", "who"), SUCCESSES, ids=[f"{_case_id(row)}-{who}" for row, who in SUCCESSES])
def test_each_route_takes_at_most_three_round_trips(stage, api, aws_calls, row, who):  # noqa: F811
    snapshot = stage(row.scene)
    trips = _call(api, snapshot, row, who, aws_calls)
    allowed = EXCEPTIONS.get(row.what, (BUDGET, ""))[0]
    assert trips <= allowed, f"{row.method} {row.path} as {who}: {trips} DynamoDB round trips ({allowed} at most)"


LISTINGS = [row for row in ROWS if row.method == "GET" and isinstance(row.expect[0], str)]


@pytest.mark.parametrize("row", LISTINGS, ids=_case_id)
@pytest.mark.parametrize("who", ["root", "coach"])
def test_a_listing_costs_the_same_with_more_clients_and_orgs(stage, api, aws_calls, row, who):  # noqa: F811
    """More clients for the coach, more orgs for the Superadmin: the listing's round trips do not grow."""
    snapshot = stage("full")
    before = _call(api, snapshot, row, who, aws_calls)
    ids, root = snapshot.ids, snapshot.tokens["root"]
    for number in range(4):
        status, org = api.post("/api/orgs", {"name": f"org {number}", "sms_number": "+15555550100"}, token=root)
        assert status == 201, org
        status, client = api.post("/api/clients", {
            "first_name": "More", "last_name": f"Client {number}", "email": f"more{number}@example.com",
            "org_id": ids["org"], "coach_id": ids["coach"]}, token=root)
        assert status == 201, client
        status, task = api.post("/api/tasks", {"title": "t", "category": "custom", "user_id": client["id"],
                                               "date_assigned": "2026-11-20"}, token=root)
        assert status == 201, task
    assert _call(api, snapshot, row, who, aws_calls) == before
