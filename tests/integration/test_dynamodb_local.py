"""Platform plumbing on Amazon's engine, where concurrency behaves as in AWS."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.core import counters


def test_next_id_never_repeats_under_concurrency(dynamodb_local):
    start = counters.next_id("race")

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: counters.next_id("race"), range(40)))

    assert sorted(ids) == list(range(start + 1, start + 41))
