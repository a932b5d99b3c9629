"""RFC 6902 patches through jsonpatch, all or nothing: a failing operation is a 422 naming its index.

A client's patch (one applied with `Limits`) costs what it sends, not what it asks the server to build:
- it has at most MAX_OPERATIONS operations;
- no `copy` or `move` takes its `from` at the root or at an ancestor of its `path`: a copy of the document into
  itself doubles it, and 19 such operations in 827 bytes made a 100 MB document in seconds;
- after each operation the document still fits the route's body limit and nests at most MAX_DEPTH deep, so a
  patch reaches no document that a PUT could not send. The size is kept from what each operation adds and takes
  away, not by encoding the whole document again, so a long patch of a large dialogue costs what it touches;
- what its copies duplicate comes to at most COPY_BYTES: copies of two siblings into each other grow a document
  without any ancestor, and each is a deep copy. A move deeper counts too, as its depth is checked by a walk.

Every patch copies only what it changes (see `apply`), so an edit of a large dialogue, and each revision of a bulk,
costs what its operations touch rather than the whole description."""
import json
from dataclasses import dataclass
from typing import Any, cast

from chalicelib.core.bodies import MAX_DEPTH, nesting
from chalicelib.core.contracts import pointer, shortened
from chalicelib.dialogues.errors import MAX_OPERATIONS, invalid, too_many_operations

__all__ = ["MAX_OPERATIONS", "Limits", "apply", "difference"]
# What one request's copies may duplicate in all: a few blocks or a sequence. A copy is a deep copy, about 2 µs a
# byte for the smallest arrays (`[]`, each 3 bytes) with the depth check, so this much costs at most half a second.
COPY_BYTES = 256 * 1024


@dataclass
class Limits:
    """What a client's patches within one request may do: leave documents of at most `max_bytes` (the route's
    body limit, in compact UTF-8 JSON), and copy (or move deeper) `copy_bytes` in all (`copied` so far)."""

    max_bytes: int
    copy_bytes: int = COPY_BYTES
    copied: int = 0
    # The document the last patch made and its size: the next revision of a bulk starts from it, uncounted.
    last: tuple[Any, int] | None = None

    def size_of(self, document: Any) -> int:
        if self.last is not None and self.last[0] is document:
            return self.last[1]
        return _size(document)


class _Refused(Exception):
    """An operation a client's patch may not make; the message says why."""


def apply(document: Any, operations: Any, prefix: tuple[Any, ...] = (), limits: Limits | None = None) -> Any:
    """`document` with `operations` (RFC 6902, checked against the schema already) applied; the original is left
    as it was. `prefix` is where the operations sit in the request body, so an error points at the failing one.
    A client's operations come with `limits`; the platform's own (a PUT's difference, a replay of stored
    revisions) without.

    Only the arrays and objects on the way to what an operation changes are copied (copy on write): the rest is
    shared with `document`, so a patch costs what it touches, not the size of the document, and a value that is
    still `document`'s own object is unchanged (which lets a check skip it)."""
    import jsonpatch
    import jsonpointer

    if limits is not None and len(operations) > MAX_OPERATIONS:
        raise too_many_operations(prefix)
    owned: dict[int, Any] = {}
    result = document
    meter = _Meter(limits.size_of(document), limits) if limits is not None else None
    for index, operation in enumerate(operations):
        try:
            if meter:
                meter.admit(result, operation)
            if operation["op"] != "test":
                result = _own(result, operation, owned)
            result = jsonpatch.JsonPatch([operation]).apply(result, in_place=True)
            if meter:
                meter.settle(result)
        except (_Refused, jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, LookupError, TypeError,
                ValueError, RecursionError) as error:
            reason = f"it nests deeper than {MAX_DEPTH} levels" if isinstance(error, RecursionError) else str(error)
            raise invalid("patch", pointer((*prefix, index)), shortened(
                f"Operation {index} ({operation['op']} {operation['path']}) failed: {reason}")) from error
    if limits is not None:
        limits.last = (result, cast(_Meter, meter).size)  # metered whenever limited
    return result


def _own(document: Any, operation: dict[str, Any], owned: dict[int, Any]) -> Any:
    """`document` with a copy of its own of each array and object that `operation` changes or walks through to
    get there (the containers of `path`, and of `from` for a move), unless this patch made that copy already.
    Where a path does not resolve, the copying stops and jsonpatch reports the failure."""
    import jsonpointer

    def mine(node: Any) -> Any:
        if id(node) in owned or not isinstance(node, (dict, list)):
            return node
        copy = dict(node) if isinstance(node, dict) else list(node)
        owned[id(copy)] = copy  # kept, so that no other object takes its id while the patch runs
        return copy

    def walk(parts: list[str], gone: tuple[Any, ...] | None = None) -> tuple[Any, ...] | None:
        """Own the containers down to the one holding `parts`; where they are once `gone` is removed."""
        node = document
        try:
            for part in parts[:-1]:
                step = jsonpointer.JsonPointer.get_part(node, part)
                if gone is not None and gone[1] is not None and node is gone[0]:
                    if isinstance(node, dict) and step == gone[1]:
                        return None
                    if isinstance(node, list) and isinstance(step, int) and step >= gone[1]:
                        step += 1
                node[step] = child = mine(node[step])
                node = child
            return node, jsonpointer.JsonPointer.get_part(node, parts[-1]) if parts else None
        except (LookupError, TypeError, jsonpointer.JsonPointerException):
            return None

    document = mine(document)
    gone = walk(jsonpointer.JsonPointer(operation["from"]).parts) if operation["op"] == "move" else None
    walk(jsonpointer.JsonPointer(operation["path"]).parts, gone)  # a move's, as they are after its removal
    return document


def _encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON."""
    return len(_encode(value).encode())


def _parts(path: str) -> list[str]:
    import jsonpointer

    return jsonpointer.JsonPointer(path).parts


def _last(document: Any, parts: list[str], gone: tuple[Any, ...] | None = None) -> tuple[Any, Any]:
    """The container that holds `parts` and the key or index in it, as they are once the member `gone`
    (container, key) is removed: a later element of that array is one further on now."""
    import jsonpointer

    node = document
    for part in parts[:-1]:
        step = jsonpointer.JsonPointer.get_part(node, part)
        if gone is not None and node is gone[0]:
            if isinstance(node, dict) and step == gone[1]:
                raise LookupError(step)
            if isinstance(node, list) and isinstance(step, int) and step >= gone[1]:
                step += 1
        node = node[step]
    return node, jsonpointer.JsonPointer.get_part(node, parts[-1])


def _taken(container: Any, key: Any, value_bytes: int) -> int:
    """Bytes an existing member takes with it: its value's, its key and colon in an object, and a comma unless
    it was alone."""
    if isinstance(container, dict):
        return len(_encode(key).encode()) + 1 + value_bytes + (len(container) > 1)
    return value_bytes + (len(container) > 1)


def _placed(container: Any, key: Any, value_bytes: int, gone: tuple[Any, ...] | None = None) -> int:
    """Bytes a value of `value_bytes` adds at `key` of `container` (once the member `gone` is removed): the
    member it replaces goes, or a key, colon and comma come with it."""
    removed = gone is not None and container is gone[0]
    if isinstance(container, dict):
        if key in container and not (removed and key == cast("tuple[Any, ...]", gone)[1]):  # removed: gone is one
            return value_bytes - _size(container[key])
        return len(_encode(key).encode()) + 1 + value_bytes + (len(container) - removed > 0)
    if isinstance(container, list):
        return value_bytes + (len(container) - removed > 0)
    raise TypeError(key)


class _Meter:
    """The compact UTF-8 size of the document a client's patch builds, kept from what each operation adds and
    takes away, and the checks each operation passes before it is applied."""

    def __init__(self, size: int, limits: Limits):
        self.size, self.limits = size, limits
        self.pending: int | None = None  # the size once the admitted operation is applied; None: count then

    def admit(self, document: Any, operation: dict[str, Any]) -> None:
        """Refuse `operation`, or note the size it leaves (None when it cannot be worked out here, which is
        where jsonpatch will report the operation's failure)."""
        import jsonpointer

        op, parts = operation["op"], _parts(operation["path"])
        source = _parts(operation["from"]) if op in ("copy", "move") else None
        if source is not None and len(source) < len(parts) and parts[:len(source)] == source:
            where = "the root" if not source else "an ancestor of 'path'"
            raise _Refused(f"'from' is {where}: a value cannot be {'copied' if op == 'copy' else 'moved'} into itself")
        self.pending = None
        try:
            after = self._after(document, op, parts, source, operation)
        except (LookupError, TypeError, ValueError, RecursionError, jsonpointer.JsonPointerException):
            return
        if after > self.limits.max_bytes:
            raise _Refused(f"the document would be {after} bytes, over the limit of {self.limits.max_bytes}")
        self.pending = after

    def _after(self, document: Any, op: str, parts: list[str], source: list[str] | None,
               operation: dict[str, Any]) -> int:
        if op == "test":
            return self.size
        if op == "remove":
            container, key = _last(document, parts)
            return self.size - _taken(container, key, _size(container[key]))
        if op in ("add", "replace"):
            value = operation["value"]
            self._fits(parts, value)
            added = _size(value)
            if not parts:
                return added
            container, key = _last(document, parts)
            if op == "replace":
                return self.size - _size(container[key]) + added
            return self.size + _placed(container, key, added)
        source = cast("list[str]", source)  # a copy's or move's 'from'
        value = _value(document, source)
        if op == "copy":
            copied = _size(value)
            self._spend(copied)
            if len(parts) > len(source):
                self._fits(parts, value)
            if not parts:
                return copied
            container, key = _last(document, parts)
            return self.size + _placed(container, key, copied)
        # move: the value stays as it is, only its key and commas change (and a member it replaces goes)
        if source[:len(parts)] == parts:
            return self.size  # in place, or up over an ancestor, which only drops what else it held: a bound
        if len(parts) > len(source):
            self._spend(_size(value))  # scanning what goes deeper is a copy's worth of work
            self._fits(parts, value)
        gone = _last(document, source)
        container, key = _last(document, parts, gone)
        return self.size - _taken(*gone, 0) + _placed(container, key, 0, gone)

    def _fits(self, parts: list[str], value: Any) -> None:
        if len(parts) + nesting(value, MAX_DEPTH - len(parts)) > MAX_DEPTH:
            raise _Refused(f"the value would nest deeper than {MAX_DEPTH} levels")

    def _spend(self, copied: int) -> None:
        if self.limits.copied + copied > self.limits.copy_bytes:
            raise _Refused(f"the values copied, or moved deeper, come to more than {self.limits.copy_bytes} bytes")
        self.limits.copied += copied

    def settle(self, document: Any) -> None:
        """Count the operation just applied; one that `admit` could not work out is measured whole."""
        if self.pending is None:
            measured = _size(document)
            self._spend(measured)
            if measured > self.limits.max_bytes:
                raise _Refused(f"the document would be {measured} bytes, over the limit of {self.limits.max_bytes}")
            self.pending = measured
        self.size, self.pending = self.pending, None


def _value(document: Any, parts: list[str]) -> Any:
    if not parts:
        return document
    container, key = _last(document, parts)
    return container[key]


def difference(before: Any, after: Any) -> list[dict[str, Any]]:
    """The operations that turn `before` into `after`."""
    import jsonpatch

    return jsonpatch.make_patch(before, after).patch
