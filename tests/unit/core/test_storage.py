"""The table registry, id counters and paging helpers."""
import pytest

from chalicelib.core import counters, tables
from chalicelib.core.errors import BadRequest
from chalicelib.core.pagination import Page, decode_cursor, encode_cursor, page_of


def test_every_model_is_registered_under_the_stage_prefix(aws):
    names = [model.Meta.table_name for model in tables.registered()]

    assert len(names) == len(set(names)) and all(name.startswith("platform-test-") for name in names)
    assert {"platform-test-accounts", "platform-test-account-emails", "platform-test-password-resets",
            "platform-test-redeemed-refresh-tokens", "platform-test-counters", "platform-test-projects"} <= set(names)


def test_create_tables_creates_only_what_is_missing(aws):
    assert tables.create_tables() == []


def test_next_id_counts_up_per_entity(aws):
    # Concurrency is a property of the real engine: tests/integration/test_dynamodb_local.py.
    assert [counters.next_id("projects") for _ in range(3)] == [1, 2, 3]
    assert counters.next_id("comments") == 1


def test_a_cursor_round_trips_a_dynamodb_key_opaquely():
    key = {"id": {"S": "abc"}, "created": {"N": "17"}}

    cursor = encode_cursor(key)

    assert "{" not in cursor and decode_cursor(cursor) == key
    assert encode_cursor(None) is None and decode_cursor("") is None


@pytest.mark.parametrize("cursor", ["not-base64!", "W10", "bnVsbA", "eyJ4IjoxfQ", "eyJpZCI6eyJYIjoiYSJ9fQ"])
def test_a_cursor_not_made_here_is_a_bad_request(cursor):
    with pytest.raises(BadRequest):
        decode_cursor(cursor)


def test_page_of_reads_page_and_per_page_with_defaults_and_a_cap():
    assert page_of(None, 10, 100) == Page(1, 10)
    assert page_of({"page": "3", "per_page": "500"}, 10, 100) == Page(3, 100)
    assert Page(2, 2).slice([1, 2, 3, 4, 5]) == [3, 4]


@pytest.mark.parametrize("query", [{"page": "x"}, {"page": "0"}, {"per_page": "-1"}, {"per_page": "1.5"}])
def test_page_of_refuses_what_is_not_a_positive_integer(query):
    with pytest.raises(BadRequest) as caught:
        page_of(query, 10, 100)

    assert caught.value.details["param"] in query


def test_a_failed_condition_is_reported_at_the_position_the_write_made_it(aws):
    # PynamoDB sends condition checks before updates; the failure must still name the second call.
    from chalicelib.core.counters import Counter
    from chalicelib.core.transactions import ConditionFailed, transact_steps, transact_write

    counters.next_id("present")

    def write(transaction):
        transaction.update(Counter("present"), actions=[Counter.value.add(1)], condition=Counter.name.exists())
        transaction.condition_check(Counter, "absent", condition=Counter.name.exists())

    with pytest.raises(ConditionFailed) as failed:
        transact_write(write)
    assert failed.value.items == [1]
    with pytest.raises(KeyError, match="absent"):
        transact_steps([(lambda tx: tx.update(Counter("present"), actions=[Counter.value.add(1)]), KeyError("present")),
                        (lambda tx: tx.condition_check(Counter, "absent", condition=Counter.name.exists()),
                         KeyError("absent"))])
    assert Counter.get("present").value == counters.BLOCK  # the block next_id reserved, and nothing more
