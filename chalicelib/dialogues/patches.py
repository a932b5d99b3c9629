"""RFC 6902 patches through jsonpatch, all or nothing: a failing operation is a 422 naming its index."""
import json
from typing import Any

from chalicelib.dialogues.errors import invalid
from chalicelib.dialogues.validation import check, pointer


def apply(document: Any, operations: Any, prefix: tuple = ()) -> Any:
    """`document` with `operations` applied (the original is left as it was). `prefix` is where the operations
    sit in the request body, so an error points at the failing one."""
    import jsonpatch
    import jsonpointer

    check("json_patch", operations, prefix)
    result = json.loads(json.dumps(document))  # a copy: several times faster than deepcopy for JSON values
    for index, operation in enumerate(operations):
        try:
            result = jsonpatch.JsonPatch([operation]).apply(result, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, LookupError, TypeError,
                ValueError) as error:
            raise invalid("patch", pointer((*prefix, index)),
                          f"Operation {index} ({operation['op']} {operation['path']}) failed: {error}") from error
    return result


def difference(before: Any, after: Any) -> list[dict]:
    """The operations that turn `before` into `after`."""
    import jsonpatch

    return jsonpatch.make_patch(before, after).patch
