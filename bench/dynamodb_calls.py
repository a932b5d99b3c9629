"""Counts the DynamoDB work of the code under measure, at PynamoDB's one call site."""
from collections import Counter


def count_dynamodb_calls() -> Counter:
    """From now on, count each operation, the items read (a Query's or Scan's ScannedCount, GetItem's
    item, BatchGetItem's items) and separately the items Queries read."""
    from pynamodb.connection.base import Connection

    counts: Counter = Counter()
    original = Connection._make_api_call

    def counted(self, operation, kwargs):
        response = original(self, operation, kwargs)
        counts[operation] += 1
        scanned = response.get("ScannedCount", len(response.get("Items", [])))
        batched = sum(len(items) for items in response.get("Responses", {}).values())
        counts["items read"] += ("Item" in response) + scanned + batched
        if operation == "Query":
            counts["query items read"] += scanned
        return response

    Connection._make_api_call = counted
    return counts
