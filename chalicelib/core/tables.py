"""The one registry of tables. Models register themselves; the local stack, tests and infra/ build from it."""
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pynamodb.attributes
import pynamodb.indexes
import pynamodb.models
from pynamodb.attributes import Attribute, NumberAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TableError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, Index
from pynamodb.models import MetaProtocol, Model

from chalicelib.core.settings import get_settings

if TYPE_CHECKING:
    class IntegerAttribute(Attribute[int]):
        """What mypy sees of a NumberAttribute that only ever holds integers (ids, numbers, counts): PynamoDB types
        every NumberAttribute as a float."""
else:
    IntegerAttribute = NumberAttribute  # at runtime, the NumberAttribute itself

M = TypeVar("M", bound=type[Model])
_models: list[type[Model]] = []


def class_members(cls: type, predicate: Callable[[Any], bool]) -> list[tuple[str, Any]]:
    """What `inspect.getmembers(cls, predicate)` answers for the predicates PynamoDB asks (an Attribute, an Index),
    from the namespaces of the class's MRO, each read once: getmembers looks up every name the class has."""
    names = {name for klass in cls.__mro__ for name, value in _own_members(klass) if predicate(value)}
    return [(name, value) for name in sorted(names) if predicate(value := getattr(cls, name))]


@cache
def _own_members(klass: type) -> tuple[tuple[str, Any], ...]:
    """The attributes and indexes a class's own body defines."""
    return tuple((name, value) for name, value in vars(klass).items() if isinstance(value, (Attribute, Index)))


# PynamoDB finds each model's, index's and map's attributes with inspect.getmembers, which reads every name of the
# class, Model's hundred methods included: for this app's 44 models and their indexes, a fifth of what `import app`
# adds to its libraries (docs/decisions.md, "Cold start"). Set before any model class is made.
for _module in (pynamodb.attributes, pynamodb.indexes, pynamodb.models):
    _module.getmembers = class_members  # type: ignore[attr-defined]


def table_name(name: str) -> str:
    """The physical name of a table: `<app>-<stage>-<name>` (the prefix comes from TABLE_PREFIX)."""
    return f"{get_settings().table_prefix}-{name}"


def table_meta(name: str) -> MetaProtocol:
    """A model's Meta: its table `<prefix>-<name>`, billed on demand like every table of the platform."""
    # A class standing for the Meta protocol (PynamoDB fills the attributes it leaves out).
    return cast(MetaProtocol, type("Meta", (), {"table_name": table_name(name), "billing_mode": "PAY_PER_REQUEST"}))


def index(name: str, hash_key: str, hash_type: type[Attribute[Any]] = NumberAttribute) -> GlobalSecondaryIndex[Any]:
    """A GSI `name` on `hash_key`, sorted by the numeric `id`, projecting everything (a listing reads only the
    index). With a constant `hash_key` (`listing`) it lists a small table whole through one Query."""
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    attributes = {hash_key: hash_type(hash_key=True), "id": NumberAttribute(range_key=True)}
    index_class = type(f"Index_{name.replace('-', '_')}", (GlobalSecondaryIndex,), {"Meta": meta, **attributes})
    return cast("GlobalSecondaryIndex[Any]", index_class())


def register(model: M) -> M:
    """Class decorator: add a model to the registry (once), its table reached through the shared connection."""
    if model not in _models:
        _models.append(model)
        setattr(model, "_get_connection", classmethod(_table_connection))  # noqa: B010  (PynamoDB calls it)
    return model


@cache
def connection() -> Connection:
    """The process's one PynamoDB connection, so one botocore session and one DynamoDB client serve every model and
    transaction. PynamoDB gives each model its own: 44 models made up to 44 sessions and clients, each costing
    100-500 ms on its first call after a cold start. Its calls count on the request they serve (telemetry); PynamoDB
    builds a new client only when the old one lost its credentials, and that one's calls would go uncounted."""
    from chalicelib.core import telemetry

    shared = Connection()
    telemetry.watch(shared.client.meta.events)
    return shared


_pynamodb_table_connection = vars(Model)["_get_connection"].__func__


def _table_connection(model: type[Model]) -> TableConnection:
    """PynamoDB's table connection of `model` (built once, with the table's key schema), over the shared one."""
    table: TableConnection = _pynamodb_table_connection(model)
    shared = connection()
    if table.connection is not shared:
        name = model.Meta.table_name
        try:
            shared.get_meta_table(name)
        except TableError:
            with suppress(ValueError):  # another thread added it meanwhile
                shared.add_meta_table(table.connection.get_meta_table(name))
        table.connection = shared
    return table


def registered() -> list[type[Model]]:
    return list(_models)


def create_tables() -> list[str]:
    """Create every registered table that does not exist yet; returns the names created."""
    created = []
    for model in _models:
        if model.exists():
            continue
        model.create_table(wait=True)  # also turns on the model's TTL attribute
        created.append(model.Meta.table_name)
    return created

