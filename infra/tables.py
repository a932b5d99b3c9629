"""Table definitions read off the model registry, so that infra never lists a table a second time."""
from dataclasses import dataclass, replace

from pynamodb.attributes import Attribute, TTLAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core.settings import get_settings
from chalicelib.core.tables import registered


@dataclass(frozen=True)
class TableSpec:
    """What CloudFormation needs of one model's table: keys, attribute types, GSIs, projections and TTL."""

    name: str  # without the stage prefix: `accounts`, `dialogue-revisions`
    key_schema: list[dict]
    attributes: list[dict]
    indexes: list[dict]  # {"name", "key_schema", "projection": {"ProjectionType"[, "NonKeyAttributes"]}}
    ttl_attribute: str | None


def _ttl(model: type[Model]) -> str | None:
    return next((attribute.attr_name for attribute in model.get_attributes().values()
                 if isinstance(attribute, TTLAttribute)), None)


def _key_attributes(attributes: dict[str, Attribute]) -> list[Attribute]:
    """The hash and range key among `attributes`, the partition key first as CloudFormation wants it."""
    keys = [attribute for attribute in attributes.values() if attribute.is_hash_key or attribute.is_range_key]
    return sorted(keys, key=lambda attribute: not attribute.is_hash_key)


def _key_schema(attributes: dict[str, Attribute]) -> list[dict]:
    return [{"AttributeName": key.attr_name, "KeyType": "HASH" if key.is_hash_key else "RANGE"}
            for key in _key_attributes(attributes)]


def _global_indexes(model: type[Model]) -> list[GlobalSecondaryIndex]:
    """The model's GSIs: the index instances among its (and its bases') class attributes."""
    found = {name: value for klass in reversed(model.__mro__) for name, value in vars(klass).items()
             if isinstance(value, GlobalSecondaryIndex)}
    return list(found.values())


def _projection(index: GlobalSecondaryIndex) -> dict:
    """The index's projection as CloudFormation (and CreateTable) take it: an INCLUDE lists its attributes."""
    projection = index.Meta.projection
    made = {"ProjectionType": projection.projection_type}
    if projection.non_key_attributes:
        made["NonKeyAttributes"] = list(projection.non_key_attributes)
    return made


def spec(model: type[Model]) -> TableSpec:
    """The table of `model`, from PynamoDB's public API: its attributes and its indexes' Meta."""
    prefix = get_settings().table_prefix + "-"
    indexes = _global_indexes(model)
    keys = _key_attributes(model.get_attributes())
    keys += [key for index in indexes for key in _key_attributes(index.Meta.attributes)]
    definitions = {key.attr_name: key.attr_type for key in keys}
    return TableSpec(
        model.Meta.table_name.removeprefix(prefix), _key_schema(model.get_attributes()),
        [{"AttributeName": name, "AttributeType": kind} for name, kind in sorted(definitions.items())],
        sorted(({"name": index.Meta.index_name, "key_schema": _key_schema(index.Meta.attributes),
                 "projection": _projection(index)} for index in indexes), key=lambda index: index["name"]),
        _ttl(model))


def specs() -> list[TableSpec]:
    """Every registered table (importing the app registers them all)."""
    import app  # noqa: F401

    return sorted((spec(model) for model in registered()), key=lambda table: table.name)


def staged(table: TableSpec, deployed: list[str] | None) -> TableSpec:
    """`table` as one stack update may bring it. CloudFormation creates at most one GSI of a table per update, so a
    live table (`deployed` names the indexes it has) gains only the first of its missing indexes, and declares only
    the attributes its keys and those indexes use; a table not yet created (None) gets every index at once."""
    if deployed is None:
        return table
    missing = [index for index in table.indexes if index["name"] not in deployed]
    indexes = [index for index in table.indexes if index["name"] in deployed or index in missing[:1]]
    used = {key["AttributeName"] for schema in [table.key_schema, *(index["key_schema"] for index in indexes)]
            for key in schema}
    return replace(table, indexes=indexes,
                   attributes=[attribute for attribute in table.attributes if attribute["AttributeName"] in used])
