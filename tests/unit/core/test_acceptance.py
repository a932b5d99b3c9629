"""The fast path of request checks (core/acceptance.py): it accepts only what jsonschema accepts, takes every schema
the API checks, and spares a valid request's first check jsonschema's load."""
import copy
import subprocess
import sys
from pathlib import Path

import pytest

import app
from chalicelib.core import acceptance, contracts
from chalicelib.core.openapi import declared
from chalicelib.dialogues import contracts as dialogues
from chalicelib.recordings import contracts as recordings

ROOT = Path(__file__).resolve().parents[3]


CONTRACTS = [(f"{method} {path}", contract) for path, methods in app.app.routes.items()
             for method, entry in methods.items() if (contract := declared(entry)[0]) is not None]
# What the routes check, and the schemas services check themselves.
CHECKED = [*[(f"{name} body", contract.body) for name, contract in CONTRACTS if contract.body is not None],
           *[(f"{name} query", contract.query_schema) for name, contract in CONTRACTS],
           *[(f"{name} {param}", schema) for name, contract in CONTRACTS for param, schema in contract.params.items()],
           *[(f"dialogues.{name}", getattr(dialogues, name)) for name in (
               "NEW_USER", "USER", "PROJECT", "DESCRIPTION", "SEQUENCE", "CHANNEL", "NEW_CHANNEL", "NEW_PROVIDER",
               "PERMISSION")],
           *[(f"recordings.{name}", getattr(recordings, name)) for name in ("UPLOADED_SESSION", "FORM_METADATA")]]


def _agrees(schema, value) -> bool:
    """The fast path accepts `value` only if jsonschema finds nothing wrong with it."""
    return not acceptance.accepts(schema, value) or not list(contracts._validator(schema).iter_errors(value))


def test_every_schema_the_api_checks_has_a_fast_path():
    assert len(CHECKED) > 300
    assert [name for name, schema in CHECKED if acceptance._check(schema) is None] == []


# Values a field is swapped for: wrong types, whole floats, edges of lengths and bounds, texts regexes trip on.
SWAPS = [None, True, False, 0, 1, -1, 1.0, 0.5, 2 ** 53, 2 ** 64, "", " ", "a\n", "x" * 5000, "\u3000", "a@b",
         "2026-13-45", [], [1], [1.0], {}, {"a": 1}]


def _swapped(value, path=()):
    """`value` with each of its parts, one at a time, swapped for each of SWAPS or dropped."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield {name: part for name, part in value.items() if name != key}
            for swapped in _swapped(item, (*path, key)):
                yield {**value, key: swapped}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for swapped in _swapped(item, (*path, index)):
                yield [*value[:index], swapped, *value[index + 1:]]
    yield from SWAPS


@pytest.mark.parametrize("name,contract", [(name, contract) for name, contract in CONTRACTS
                                           if "request" in contract.examples], ids=lambda value: str(value))
def test_the_fast_path_accepts_no_variant_of_a_documented_request_that_jsonschema_refuses(name, contract):
    example = contract.examples["request"]
    variants = list(_swapped(copy.deepcopy(example)))

    assert acceptance.accepts(contract.body, example)
    assert [variant for variant in variants if not _agrees(contract.body, variant)] == []


INTEGERS = {"type": "object", "properties": {"n": {"type": "integer"}, "e": {"enum": [1, 2]}}}


@pytest.mark.parametrize("value", [{"n": 1.0}, {"e": 1.0}, {"n": float("nan")}, {"n": float("inf")}, {"n": (1,)},
                                   {1: 1}])
def test_values_the_two_validators_type_apart_are_left_to_jsonschema(value):
    assert not acceptance.accepts(INTEGERS, value)


def test_a_whole_float_where_an_integer_goes_is_refused_as_before():
    assert [failure.message for failure in contracts.failures(INTEGERS, {"n": 1.0})] == [
        "1.0 is not of type 'integer'"]
    assert contracts.failures(INTEGERS, {"n": 1, "e": 2}) == []


def test_keywords_beside_a_ref_apply_as_2020_12_reads_them():
    schema = {"$defs": {"Name": {"type": "string"}}, "$ref": "#/$defs/Name", "maxLength": 3}

    assert acceptance.accepts(schema, "abc")
    assert not acceptance.accepts(schema, "abcd")
    assert [failure.keyword for failure in contracts.failures(schema, "abcd")] == ["maxLength"]


def test_a_null_default_or_const_keeps_the_fast_path():
    schema = {"type": "object", "properties": {"a": {"type": ["string", "null"], "default": None},
                                               "b": {"const": None}}}

    assert acceptance.accepts(schema, {"a": None, "b": None})
    assert not acceptance.accepts(schema, {"b": 1})


def test_defaults_are_not_written_into_the_checked_value():
    value = {"a": 1}

    assert acceptance.accepts({"type": "object", "properties": {"b": {"type": "integer", "default": 5}}}, value)
    assert value == {"a": 1}


@pytest.mark.parametrize("schema", [
    {"type": "array", "uniqueItems": True},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "string", "format": "date-time"},
    {"const": {"a": 1}},
    {"$ref": "https://example.com/schema"},
    {"properties": {"a": {"unevaluatedProperties": False}}},
])
def test_schemas_with_keywords_draft_7_may_read_otherwise_have_no_fast_path(schema):
    assert acceptance._check(schema) is None


def test_an_email_is_what_jsonschema_takes_for_one():
    schema = {"type": "string", "format": "email"}

    assert acceptance.accepts(schema, "a@b")
    assert not acceptance.accepts(schema, "ab")
    assert [failure.message for failure in contracts.failures(schema, "ab")] == ["'ab' is not a 'email'"]


def test_a_valid_request_is_checked_without_loading_jsonschema_and_an_invalid_one_loads_it():
    probe = """
import sys, app
from chalicelib.core import contracts
from chalicelib.nearby import contracts as nearby
query = nearby.NEAREST.query_schema
print(contracts.failures(query, {"lat": 51.5, "lon": -0.12}), "jsonschema" in sys.modules)
names = [failure.name for failure in contracts.failures(query, {"lat": 510.5, "lon": -0.12})]
print(names, "jsonschema" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["[] False", "['lat'] True"]
