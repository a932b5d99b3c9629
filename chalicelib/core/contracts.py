"""Each route's contract as data: path parameters, query, body and answers as JSON Schema (2020-12), and the
security schemes it accepts. The same contracts check requests (jsonschema, here, after the fast path of
`core/acceptance.py`) and describe the API (OpenAPI 3.1, `core/openapi.py`). A failed check becomes the
surface's own error through its `invalid` hook.

Schemas may name the surface's error key for a keyword with `x-errors` (`{"type": "TITLE_IS_NOT_STRING"}`);
a `required` failure reads the key from the missing property's own schema."""
import contextvars
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from chalice.app import MultiDict

from chalicelib.core import acceptance
from chalicelib.core.bodies import json_body

# Security schemes a route may accept (OpenAPI `components.securitySchemes`).
BEARER, BARE_TOKEN, AUTHENTICATION = "Bearer", "BareToken", "Authentication"
# JSON's safe integers: beyond them clients lose precision, and DynamoDB refuses numbers over 38 digits.
SAFE_INT = 2 ** 53 - 1
# A field the API sets itself, in a body that may send back what a GET answered: any value, ignored. (Not
# `readOnly`, which tells clients and checkers such as schemathesis that a request must not carry it.)
ECHOED = {"x-echoed": True, "description": "Set by the API: a request may send it back as read, and it is ignored"}
# A text with something besides whitespace, as Python's str.strip() counts whitespace: `\S` differs between
# regex engines (Python's counts \x1c-\x1f as space, ECMA's and Rust's do not), so clients and checkers agree.
NOT_BLANK = r"[^\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# jsonschema's messages quote the failing value whole: an answer shows this much of each.
MESSAGE_CHARS = 300
# Failures reported for one request: a client fixes the first ones first.
MAX_FAILURES = 100

T = TypeVar("T")


# The DynamoDB round trips a route's success path may make (issue 20), unless its contract says why it needs more.
ROUND_TRIPS = 3


@dataclass(frozen=True)
class Contract:
    """What one route takes and answers. `answers` maps a status to the schema of its body (None: no body);
    `errors` lists the error statuses beyond those the contract implies (400/413 for a body, 401 for a token).
    `security` lists accepted schemes; `optional_auth` marks a route anonymous callers may use too. `round_trips`
    is the most DynamoDB round trips its success path may make (a batch or a transaction is one): 3 unless
    `round_trips_why` says why a route needs more; each surface's round-trip test holds its routes to it."""

    summary: str
    answers: dict[int, dict[str, Any] | None]
    body: dict[str, Any] | None = None
    body_required: bool = True
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    security: tuple[str, ...] = ()
    optional_auth: bool = False
    errors: tuple[int, ...] = ()
    max_bytes: int | None = None
    media_type: str = "application/json"
    description: str = ""
    examples: dict[str, Any] = field(default_factory=dict)
    round_trips: int = ROUND_TRIPS
    round_trips_why: str = ""
    query_schema: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.round_trips > ROUND_TRIPS and not self.round_trips_why:
            raise ValueError(f"{self.summary!r}: more than {ROUND_TRIPS} round trips needs round_trips_why")
        object.__setattr__(self, "query_schema", {"type": "object", "properties": self.query,
                                                  "required": list(self.required_query)})


def pointer(parts: Any) -> str:
    """An RFC 6901 JSON pointer to `parts` (keys and indexes); the whole value is `/`."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class Failure(NamedTuple):
    """One way a value fails its schema: where (`path`, keys and indexes), which keyword, the surface's key for
    it when the schema names one, and jsonschema's message."""

    path: tuple[Any, ...]
    keyword: str
    key: str | None
    message: str
    schema: dict[str, Any]

    @property
    def pointer(self) -> str:
        return pointer(self.path)

    @property
    def name(self) -> str:
        """The top-level field (or parameter) the failure is about; `body` for the whole value."""
        return str(self.path[0]) if self.path else "body"


Invalid = Callable[[list[Failure]], Exception]


class Surface(NamedTuple):
    """What a surface contributes to each of its contracts: how its failures are raised, its error body's
    schema, and its OpenAPI tag."""

    tag: str
    invalid: Invalid
    error_schema: dict[str, Any]
    invalid_status: int = 400


_current: contextvars.ContextVar[tuple[Contract, Surface]] = contextvars.ContextVar("contract")


def enter(contract: Contract, surface: Surface) -> contextvars.Token[tuple[Contract, Surface]]:
    """Make `contract` the one `body()` and `query()` check against, for the request being handled."""
    return _current.set((contract, surface))


def leave(token: contextvars.Token[tuple[Contract, Surface]]) -> None:
    _current.reset(token)


Refine = Callable[[Any, list[Failure]], list[Failure]]


def body(request: Any, refine: Refine | None = None) -> Any:
    """The request's JSON body, checked against the current route's body schema (None when absent and
    optional). `refine(value, failures)` gives the failures with those of rules no schema can say (the store's,
    the clock's), so one answer names them all. Raises the surface's invalid error, InvalidJSON or
    PayloadTooLarge."""
    contract, surface = _current.get()
    value = json_body(request, contract.max_bytes)
    if value is None and not contract.body_required:
        return None
    found = failures(contract.body, value) if contract.body is not None else []
    found = refine(value, found) if refine else found
    if found:
        raise surface.invalid(found)
    return value


def query(request: Any) -> dict[str, Any]:
    """The request's query parameters, checked against the route's query schemas; integers are converted, and
    empty ones dropped."""
    contract, surface = _current.get()
    values = {name: _typed(contract.query.get(name, {}), value) for name, value in present(request).items()}
    return checked(contract.query_schema, values, surface)


def present(request: Any) -> Any:
    """The query parameters that have a value, each with all its values (a Chalice MultiDict): an empty one
    (`?page=`) is an absent one, as API Gateway passes it and clients send it for "no value"."""
    params: Any = request.query_params or {}  # a Chalice MultiDict, or None without a query
    given = {name: [value for value in params.getlist(name) if value != ""] for name in params}
    return MultiDict({name: values for name, values in given.items() if values})


_INTEGER = re.compile(r"-?[0-9]{1,16}")
_NUMBER = re.compile(r"-?[0-9]{1,16}(\.[0-9]{1,16})?([eE][-+]?[0-9]{1,3})?")


def _typed(schema: dict[str, Any], value: str) -> Any:
    """A query value as its schema's type, where it reads as one (else the text, which then fails)."""
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind == "number" and _NUMBER.fullmatch(value):
        return float(value)
    return value


def checked(schema: dict[str, Any] | None, value: T, surface: Surface) -> T:
    """`value` when it fits `schema`; else the surface's invalid error naming every failure."""
    found = failures(schema, value) if schema is not None else []
    if found:
        raise surface.invalid(found)
    return value


def failures(schema: dict[str, Any], value: Any) -> list[Failure]:
    """Every way `value` fails `schema` (the first MAX_FAILURES), in the order the schema declares its
    properties, then by path. A value the fast path accepts has none, and jsonschema is not consulted."""
    if acceptance.accepts(schema, value):
        return []
    found = []
    for error in _validator(schema).iter_errors(value):
        found.append(_failure(error))
        if len(found) == MAX_FAILURES:
            break
    order = _property_order(schema)
    return sorted(found, key=lambda f: (order.get(f.name, len(order)), [_part(p) for p in f.path]))


def _part(part: Any) -> tuple[int, int | str]:
    """A path part as a sort key: indexes in number order (2 before 10), before keys."""
    return (0, part) if isinstance(part, int) else (1, str(part))


def _failure(error: Any) -> Failure:
    path, schema = tuple(error.absolute_path), error.schema
    if error.validator == "required":
        missing = error.message.split("'")[1]
        path, schema = (*path, missing), error.schema.get("properties", {}).get(missing, {})
    if not isinstance(schema, dict):
        schema = {}
    key = schema.get("x-errors", {}).get(error.validator)
    return Failure(path, error.validator, key, shortened(error.message), schema)


def _property_order(schema: dict[str, Any]) -> dict[str, int]:
    return {name: index for index, name in enumerate(schema.get("properties", {}))}


def shortened(message: str) -> str:
    """`message`, or its start and its end (which says what failed) when longer than MESSAGE_CHARS."""
    if len(message) <= MESSAGE_CHARS:
        return message
    return message[:MESSAGE_CHARS * 2 // 3] + " ... " + message[-(MESSAGE_CHARS // 3):]


# Validators by the id of their schema; each entry holds its schema, so no id is reused while cached.
_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> Any:
    """The validator of `schema`, built once. jsonschema is imported on the first check, not at cold start."""
    cached = _VALIDATORS.get(id(schema))
    if cached is None:
        cached = schema, _validator_class()(schema, format_checker=_validator_class().FORMAT_CHECKER)
        _VALIDATORS[id(schema)] = cached
    return cached[1]


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 where an integer is what the store keeps as one: JSON Schema counts 1.0 an integer, and
    DynamoDB keys, counters and ids do not (nor did this API ever)."""
    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return validators.extend(Draft202012Validator, type_checker=checker)
