"""Hostile values at the platform's door (issue 16, item 7): JSON nested past MAX_DEPTH, client times at the ends
of the calendar, and page cursors that name keys the Query did not make."""
import base64
import json
from datetime import UTC, datetime

import pytest

from chalicelib.core import clock
from chalicelib.core.bodies import MAX_DEPTH, TooDeep, json_body, nesting, parse_json, too_deep_at
from chalicelib.core.errors import BadRequest, InvalidJSON
from chalicelib.core.pagination import decode_cursor, encode_cursor, key_types


class Raw:
    def __init__(self, raw_body):
        self.raw_body = raw_body


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- nesting ---


@pytest.mark.parametrize(("value", "depth"), [
    (1, 0), ("text", 0), (None, 0), ([], 1), ({}, 1), ([{}], 2), ({"a": [[1]]}, 3),
    ({"a": 1, "b": [{"c": [[]]}]}, 5), (json.loads(arrays(200)), 200)])
def test_nesting_counts_arrays_and_objects(value, depth):
    assert nesting(value, limit=1000) == depth


def test_nesting_stops_one_past_the_limit_however_deep_the_value():
    assert nesting(json.loads(arrays(900)), limit=10) == 11
    assert nesting(json.loads(arrays(900))) == MAX_DEPTH + 1


def test_too_deep_at_names_the_first_container_past_the_limit_in_document_order():
    value = {"a": [1, {"b": json.loads(arrays(3))}], "z": json.loads(arrays(9))}

    assert too_deep_at(value, limit=4) == ("a", 1, "b", 0)  # levels: {} [ {} [ [
    assert too_deep_at(value, limit=20) == ()


def test_a_body_exactly_max_depth_deep_parses():
    assert nesting(json_body(Raw(arrays(MAX_DEPTH).encode()))) == MAX_DEPTH


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900])
def test_a_body_past_max_depth_is_invalid_json_that_says_where(depth):
    """900 parses in Python, then ended in RecursionError (a 500) in whatever read it next."""
    with pytest.raises(TooDeep) as caught:
        json_body(Raw(('{"a": [' + arrays(depth - 2) + "]}").encode()))

    assert isinstance(caught.value, InvalidJSON)  # so each surface answers it in its bad-JSON shape
    assert caught.value.details["reason"] == "Nesting too deep"
    assert caught.value.path == ("a", *[0] * (MAX_DEPTH - 1))


def test_a_body_too_deep_for_the_parser_is_too_deep_at_the_root():
    with pytest.raises(TooDeep) as caught:
        parse_json(arrays(100_000))

    assert caught.value.path == ()


def test_a_wide_body_with_many_brackets_is_not_too_deep():
    text = json.dumps({"rows": [[{"x": [i]}] for i in range(2000)]})

    assert parse_json(text)["rows"][1999] == [{"x": [1999]}]


# --- client times ---


@pytest.mark.parametrize("text", [
    "9999-12-31T23:59:59-23:59",  # past year 9999 in UTC: astimezone raised OverflowError
    "0001-01-01T00:00:00+23:59",  # before year 1 in UTC
    "9999-12-31T23:59:59+23:59",  # UTC can hold it, but it is past LATEST
    "0001-01-01", "1899-12-31T23:59:59.999Z", "9000-01-01T00:00:00Z", "8999-12-31T23:59:59-00:01",
    "soon", "", "2018-13-01",
])
def test_parse_iso_refuses_times_outside_the_calendar_or_the_years_allowed(text):
    with pytest.raises(ValueError):
        clock.parse_iso(text)


@pytest.mark.parametrize(("text", "moment"), [
    ("2018-08-08T00:00:00.000Z", datetime(2018, 8, 8, tzinfo=UTC)),
    ("2018-08-08T02:30:00+02:30", datetime(2018, 8, 8, tzinfo=UTC)),
    ("2018-08-08", datetime(2018, 8, 8, tzinfo=UTC)),  # no offset: UTC
    ("1900-01-01T00:00:00Z", clock.EARLIEST),
    ("8999-12-31T23:59:59.999Z", datetime(8999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
])
def test_parse_iso_gives_utc(text, moment):
    assert clock.parse_iso(text) == moment


def test_the_latest_time_still_has_room_for_a_ten_year_recurrence():
    from datetime import timedelta

    assert clock.LATEST + timedelta(days=2 * 3650) < datetime.max.replace(tzinfo=UTC)


def test_iso_millis_pads_the_year_that_strftime_does_not():
    assert clock.iso_millis(datetime(1, 1, 1, 23, 59, tzinfo=UTC)) == "0001-01-01T23:59:00.000Z"
    assert clock.iso_millis(datetime(2017, 3, 28, 18, 45, 33, 286999, tzinfo=UTC)) == "2017-03-28T18:45:33.286Z"


# --- page cursors ---

KEYS = {"id": "S", "project_id": "N", "created_at": "S"}
GOOD = {"id": {"S": "a1"}, "project_id": {"N": "7"}, "created_at": {"S": "2026-11-23T12:00:00.000000+0000"}}


def forged(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_a_cursor_of_the_right_keys_and_partition_is_the_key():
    assert decode_cursor(encode_cursor(GOOD), KEYS, project_id=7) == GOOD


@pytest.mark.parametrize("key", [
    {},
    {"id": {"S": "a"}},  # the table's key only
    {**GOOD, "extra": {"S": "x"}},
    {name: value for name, value in GOOD.items() if name != "id"},
    {**GOOD, "project_id": {"N": "8"}},  # another project's page
    {**GOOD, "project_id": {"N": "07"}},
    {**GOOD, "project_id": {"S": "7"}},  # wrong types
    {**GOOD, "id": {"N": "1"}},
    {**GOOD, "project_id": {"N": "abc"}},
    {**GOOD, "project_id": {"N": "1e400"}},
    {**GOOD, "project_id": {"N": "1" * 39}},
    {**GOOD, "id": {"S": ""}},
    {**GOOD, "id": {"S": "a" * 1025}},  # DynamoDB Local takes it, AWS refuses it
    {**GOOD, "id": {"S": "\ud800"}},
    {**GOOD, "id": {"S": "a", "N": "1"}},
    {**GOOD, "id": "a"},
    [GOOD],
])
def test_a_cursor_naming_other_keys_types_or_partitions_is_a_400(key):
    with pytest.raises(BadRequest) as caught:
        decode_cursor(forged(key), KEYS, project_id=7)

    assert caught.value.code == "invalid_cursor"


@pytest.mark.parametrize("cursor", ["%%%", "e30", forged("text"), base64.urlsafe_b64encode(b"[" * 5000).decode()])
def test_a_cursor_that_is_not_an_encoded_key_is_a_400_even_without_keys(cursor):
    with pytest.raises(BadRequest):
        decode_cursor(cursor)


def test_key_types_name_the_tables_key_and_the_indexs():
    import app  # noqa: F401  (registers every model)
    from chalicelib.recordings.models import RecordedSession

    assert key_types(RecordedSession) == {"id": "S"}
    assert key_types(RecordedSession, RecordedSession.by_project) == KEYS
