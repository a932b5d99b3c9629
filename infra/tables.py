"""Table definitions read off the model registry, so that infra never lists a table a second time."""
from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.core.settings import get_settings
from chalicelib.core.tables import registered


@dataclass(frozen=True)
class TableSpec:
    """What CloudFormation needs of one model's table: keys, attribute types, GSIs, projections and TTL."""

    name: str  # without the stage prefix: `accounts`, `dialogue-revisions`
    key_schema: list[dict]
    attributes: list[dict]
    indexes: list[dict]  # {"name", "key_schema", "projection"}
    ttl_attribute: str | None


def _ttl(model: type[Model]) -> str | None:
    return next((attribute.attr_name for attribute in model.get_attributes().values()
                 if isinstance(attribute, TTLAttribute)), None)


def _keys(schema: list[dict]) -> list[dict]:
    """The partition key first, as CloudFormation wants it (PynamoDB may list the sort key first)."""
    return sorted(schema, key=lambda key: key["KeyType"] != "HASH")


def spec(model: type[Model]) -> TableSpec:
    schema = model._get_schema()
    prefix = get_settings().table_prefix + "-"
    definitions = {item["AttributeName"]: item["AttributeType"] for item in schema["attribute_definitions"]}
    indexes = [{"name": index["index_name"], "key_schema": _keys(index["key_schema"]),
                "projection": index["projection"]} for index in schema.get("global_secondary_indexes", [])]
    return TableSpec(model.Meta.table_name.removeprefix(prefix), _keys(schema["key_schema"]),
                     [{"AttributeName": name, "AttributeType": kind} for name, kind in sorted(definitions.items())],
                     sorted(indexes, key=lambda index: index["name"]), _ttl(model))


def specs() -> list[TableSpec]:
    """Every registered table (importing the app registers them all)."""
    import app  # noqa: F401

    return sorted((spec(model) for model in registered()), key=lambda table: table.name)
