"""Holding a route to its contract's DynamoDB round-trip budget (issue 20): the surfaces' round-trip tests call
`within_budget` around one success-path request, with the `aws_calls` fixture recording."""
from collections.abc import Iterator
from contextlib import contextmanager


def round_trips(calls: list) -> int:
    """The DynamoDB round trips among recorded AWS calls (a batch or a transaction is one call, so one trip)."""
    return sum(1 for service, _, _ in calls if service == "dynamodb")


def budget(method: str, path: str) -> int:
    """The round trips route `method path` (its template, e.g. `/api/projects/{project_id}/`) may make."""
    from app import app
    from chalicelib.core.openapi import declared

    contract, _ = declared(app.routes[path][method])
    assert contract is not None, f"{method} {path} declares no contract"
    return contract.round_trips


@contextmanager
def within_budget(aws_calls: list, method: str, path: str) -> Iterator[None]:
    """Fail unless the block makes at most the route's budget of DynamoDB round trips."""
    aws_calls.clear()
    yield
    made, allowed = round_trips(aws_calls), budget(method, path)
    operations = [operation for service, operation, _ in aws_calls if service == "dynamodb"]
    assert made <= allowed, f"{method} {path}: {made} DynamoDB round trips, budget {allowed}: {operations}"
