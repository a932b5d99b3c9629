"""Request bodies checked against the document's schemas (schemas.json) with jsonschema: each failure becomes
one validation_error entry whose `type` is the failing keyword and `path` a JSON pointer into the body."""
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.dialogues.errors import Invalid, failure

_SCHEMAS = Path(__file__).with_name("schemas.json")


@cache
def _validator(name: str) -> Any:
    # jsonschema is imported here, on the first body checked, not at cold start.
    from jsonschema import Draft7Validator

    root = json.loads(_SCHEMAS.read_text())
    return Draft7Validator({**root, "$ref": f"#/definitions/{name}"}, format_checker=Draft7Validator.FORMAT_CHECKER)


def pointer(parts: Iterable[Any]) -> str:
    """An RFC 6901 pointer; the whole body is `/`, as the document shows it."""
    escaped = [str(part).replace("~", "~0").replace("/", "~1") for part in parts]
    return "/" + "/".join(escaped)


def problems(name: str, body: Any, prefix: tuple = ()) -> list[dict]:
    """Every way `body` fails the schema `name`, in path order; `prefix` places the body within a larger one."""
    found = []
    for error in _validator(name).iter_errors(body):
        path = [*prefix, *error.absolute_path]
        if error.validator == "required":  # the document points at the missing property itself
            path.append(error.message.split("'")[1])
        entry = failure(error.validator, pointer(path), error.message)
        if entry not in found:  # one value can fail one check through two routes of the schema (allOf)
            found.append(entry)
    return sorted(found, key=lambda entry: (entry["path"], entry["type"]))


def check(name: str, body: Any, prefix: tuple = ()) -> Any:
    """`body` if it fits the schema `name`; else Invalid with one entry per failure."""
    found = problems(name, body, prefix)
    if found:
        raise Invalid(found)
    return body


def writable(body: Any, read_only: Iterable[str]) -> Any:
    """A PUT body without the read-only fields, which PUT ignores so that clients can send a description back."""
    if not isinstance(body, dict):
        return body
    dropped = set(read_only)
    return {key: value for key, value in body.items() if key not in dropped}
