"""Request bodies checked against the document's schemas (schemas.json) with jsonschema: each failure becomes
one validation_error entry whose `type` is the failing keyword and `path` a JSON pointer into the body."""
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.dialogues.errors import Invalid, failure

_SCHEMAS = Path(__file__).with_name("schemas.json")
# A dialogue description may be a few MB; API Gateway takes 10 MB and Lambda 6 MB. Every dialogues route reads
# bodies up to this size, and a patch may not build a document larger than a body could be.
MAX_BODY_BYTES = 5 * 1024 * 1024
# Failures listed in one answer: a body of a million bad items would otherwise list each (finding 200,000 did not
# finish in 5 minutes, as each was compared with all before it), and a client fixes the first ones first.
MAX_PROBLEMS = 100
# jsonschema's messages quote the failing value whole ("[...] is too long"): an answer shows this much of each.
MESSAGE_CHARS = 300


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


def shortened(message: str) -> str:
    """`message`, or its start and its end (which says what failed) when it is longer than MESSAGE_CHARS."""
    if len(message) <= MESSAGE_CHARS:
        return message
    return message[:MESSAGE_CHARS * 2 // 3] + " ... " + message[-(MESSAGE_CHARS // 3):]


def problems(name: str, body: Any, prefix: tuple = ()) -> list[dict]:
    """Every way `body` fails the schema `name` (the first MAX_PROBLEMS of them), in path order; `prefix` places
    the body within a larger one."""
    found: dict[tuple, dict] = {}
    for error in _validator(name).iter_errors(body):
        path = [*prefix, *error.absolute_path]
        if error.validator == "required":  # the document points at the missing property itself
            path.append(error.message.split("'")[1])
        entry = failure(error.validator, pointer(path), shortened(error.message))
        # one value can fail one check through two routes of the schema (allOf): it is listed once
        found.setdefault((entry["path"], entry["type"], entry["message"]), entry)
        if len(found) == MAX_PROBLEMS:
            break
    return sorted(found.values(), key=lambda entry: (entry["path"], entry["type"]))


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
