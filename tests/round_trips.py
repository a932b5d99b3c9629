"""Counting a request's DynamoDB round trips (issue 20), for the surfaces' round-trip tests over `aws_calls`."""

# Not counted: the UpdateItem on the `counters` table by which a process reserves a block of 100 ids
# (core/counters.py): a create pays it once per 100 ids in a process, not per request.
ID_BLOCKS = "counters"


def round_trips(calls: list) -> int:
    """The DynamoDB round trips among recorded AWS calls (a batch or a transaction is one call, so one trip), but
    for the reservation of a block of ids."""
    return sum(1 for service, _, params in calls
               if service == "dynamodb" and not params.get("TableName", "").endswith(f"-{ID_BLOCKS}"))


def counted(api, aws_calls: list, method: str, path: str, body=None, token=None) -> tuple[int, object]:
    """One successful call's round trips, and its answer."""
    aws_calls.clear()
    status, answer = api.call(method, path, body, token=token)
    assert 200 <= status < 300, (method, path, status, answer)
    return round_trips(aws_calls), answer
