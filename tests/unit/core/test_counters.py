"""Integer ids by hi/lo (core.counters): each process reserves a block with one write and serves it from memory."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.core import counters
from chalicelib.core.counters import BLOCK, Allocator, Counter


def counter_writes(calls) -> int:
    prefix = "platform-test-counters"
    return sum(1 for service, operation, params in calls
               if (service, operation) == ("dynamodb", "UpdateItem") and params["TableName"] == prefix)


def test_a_fresh_store_counts_from_one_and_reserves_a_block(aws):
    assert [counters.next_id("projects") for _ in range(3)] == [1, 2, 3]
    assert counters.next_ids("projects", 2) == [4, 5]
    assert Counter.get("projects").value == BLOCK  # the highest id reserved, not the highest given


def test_one_write_per_block(aws, aws_calls):
    ids = [counters.next_id("projects") for _ in range(250)]

    assert ids == list(range(1, 251))
    assert counter_writes(aws_calls) == 3  # 1-100, 101-200, 201-300


def test_ids_are_unique_under_concurrent_threads(aws):
    with ThreadPoolExecutor(8) as pool:
        batches = list(pool.map(lambda _: [counters.next_id("comments") for _ in range(200)], range(8)))

    ids = [number for batch in batches for number in batch]
    assert len(set(ids)) == len(ids) == 1600
    assert all(batch == sorted(batch) for batch in batches)  # each thread sees its own ids ascend
    assert Counter.get("comments").value == 1600  # no thread reserved a block it did not need


def test_two_containers_never_give_the_same_id(aws, aws_calls):
    first, second = Allocator(), Allocator()

    ids = [holder.next_ids("topics", 1)[0] for _ in range(150) for holder in (first, second)]

    assert len(set(ids)) == 300
    assert ids[:4] == [1, 101, 2, 102]  # across containers, ids do not follow creation order
    assert counter_writes(aws_calls) == 4
    with ThreadPoolExecutor(8) as pool:
        more = list(pool.map(lambda n: (first, second)[n % 2].next_ids("topics", 7), range(64)))
    assert len({number for batch in more for number in batch} | set(ids)) == 300 + 64 * 7


def test_next_ids_larger_than_what_is_left_reserves_it_in_one_write(aws, aws_calls):
    assert counters.next_ids("topics", 30) == list(range(1, 31))
    aws_calls.clear()

    ids = counters.next_ids("topics", 250)  # 70 left, 180 more: one write of two blocks

    assert ids == list(range(31, 281))
    assert counter_writes(aws_calls) == 1 and Counter.get("topics").value == 300
    assert counters.next_ids("topics", 20) == list(range(281, 301)) and counter_writes(aws_calls) == 1
    assert counters.next_id("topics") == 301 and counter_writes(aws_calls) == 2


def test_a_block_of_one_is_the_old_counter(aws, aws_calls):
    single = Allocator(block=1)

    assert [single.next_ids("codes", 1)[0] for _ in range(3)] == [1, 2, 3]
    assert single.next_ids("codes", 4) == [4, 5, 6, 7]
    assert counter_writes(aws_calls) == 4 and Counter.get("codes").value == 7


def test_nothing_is_asked_for_nothing(aws, aws_calls):
    assert counters.next_ids("topics", 0) == [] and counter_writes(aws_calls) == 0
    with pytest.raises(ValueError):
        Allocator(block=0)


def test_entities_count_apart(aws):
    assert counters.next_id("projects") == 1
    assert counters.next_id("comments") == 1
    assert counters.next_id("projects") == 2


def test_forget_starts_again_from_the_store(aws, empty_store):
    assert counters.next_id("projects") == 1

    counters.forget()
    assert counters.next_id("projects") == BLOCK + 1  # the rest of the first block is skipped, never reused

    empty_store()
    assert counters.next_id("projects") == 1  # fresh tables: the fixture forgot the blocks of the old ones
