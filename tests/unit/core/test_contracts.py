"""The core of the route contracts: how a query and a body are read and checked, whatever the surface."""
import re
import sys
from types import SimpleNamespace

import pytest
from chalice.app import MultiDict

from chalicelib.core import contracts
from chalicelib.core.contracts import NOT_BLANK, Contract, Surface
from chalicelib.core.errors import BadRequest


class Refused(BadRequest):
    def __init__(self, failures):
        super().__init__("refused")
        self.failures = failures


SURFACE = Surface(tag="Test", invalid=Refused, error_schema={})
PAGED = Contract(summary="A page", answers={200: None}, required_query=("q",),
                 query={"q": {"type": "string"}, "page": {"type": "integer", "minimum": 1},
                        "at": {"type": "number"}})
ITEMS = Contract(summary="Items", answers={200: None}, body={
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "x-errors": {"required": "NAME_REQUIRED"}},
                   "ids": {"type": "array", "items": {"type": "integer"}}}})


def _within(contract, call):
    token = contracts.enter(contract, SURFACE)
    try:
        return call()
    finally:
        contracts.leave(token)


def _query(params: dict):
    request = SimpleNamespace(query_params=MultiDict({name: [value] for name, value in params.items()}))
    return _within(PAGED, lambda: contracts.query(request))


def _body(raw: bytes):
    return _within(ITEMS, lambda: contracts.body(SimpleNamespace(raw_body=raw)))


def test_query_integers_and_numbers_are_converted_and_an_empty_value_is_an_absent_one():
    assert _query({"q": "x", "page": "2", "at": "1.5e2", "unknown": ""}) == {"q": "x", "page": 2, "at": 150.0}


def test_an_empty_required_query_value_is_missing():
    with pytest.raises(Refused) as refused:
        _query({"q": ""})
    assert [(f.name, f.keyword) for f in refused.value.failures] == [("q", "required")]


def test_a_number_with_a_fraction_part_is_not_an_integer_even_when_it_is_whole():
    with pytest.raises(Refused) as refused:
        _body(b'{"name": "n", "ids": [1, 2.0, true]}')
    assert [(f.pointer, f.keyword) for f in refused.value.failures] == [("/ids/1", "type"), ("/ids/2", "type")]


def test_failures_name_their_key_and_come_in_declared_order_then_index_order():
    with pytest.raises(Refused) as refused:
        _body(b'{"ids": [' + b", ".join([b'"x"'] * 12) + b"]}")
    failures = refused.value.failures
    assert (failures[0].pointer, failures[0].key) == ("/name", "NAME_REQUIRED")
    assert [f.path[1] for f in failures[1:]] == list(range(12))


def test_not_blank_agrees_with_python_strip_on_every_whitespace_character():
    spaces = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert all(not re.search(NOT_BLANK, space * 3) for space in spaces)
    assert all(re.search(NOT_BLANK, f" {text} ") for text in ("a", "\u200b", "\ufeff", "-"))


def test_present_query_values_keep_every_value_a_parameter_was_given():
    request = SimpleNamespace(query_params=MultiDict({"ordering": ["created", "", "-number"], "page": [""]}))
    present = contracts.present(request)
    assert present.getlist("ordering") == ["created", "-number"] and "page" not in present


def test_a_contract_over_the_round_trip_budget_must_say_why():
    from chalicelib.core.contracts import ROUND_TRIPS, Contract

    with pytest.raises(ValueError, match="round_trips_why"):
        Contract("A greedy route", {200: None}, round_trips=ROUND_TRIPS + 1)
    assert Contract("A list", {200: None}, round_trips=5, round_trips_why="one Query per page of 5").round_trips == 5
    assert Contract("A read", {200: None}).round_trips == ROUND_TRIPS == 3
