"""JSON Patch amplification (issue 16, item 2): what the reported attack costs with and without a client's limits.

Each scenario runs in a fresh interpreter and prints its wall time, the peak memory the process grew by, and the
answer. "unbounded" applies the operations as every route did before (patches.apply without Limits, which the
platform still uses for its own patches); "bounded" is what PATCH /users/<id>, PATCH /projects/<id>, PATCH of a
dialogue and POST of revisions do now. The reported attack: 19 `copy` operations from the root, under 830 bytes,
took 12.7 s and 108 MB on the reviewer's machine. The bulk (50 revisions of two operations on a dialogue of
100,000 blocks) copied and checked the whole description for each revision before: 236 s here.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCENARIO = r"""
import json, resource, sys, time
from chalicelib.dialogues import patches
from chalicelib.dialogues.errors import Invalid
from chalicelib.dialogues.contracts import MAX_BODY_BYTES

name, bounded = sys.argv[1], sys.argv[2] == "bounded"
if name == "copy-from-root":
    document = {"first_name": "Ann", "last_name": "Lee"}
    operations = [{"op": "copy", "from": "", "path": "/" + chr(97 + n)} for n in range(19)]
elif name == "sibling-copies":  # no ancestor anywhere: two arrays copied into each other
    document = {"first_name": "Ann", "last_name": "Lee"}
    operations = [{"op": "add", "path": "/a", "value": [[]]}, {"op": "add", "path": "/b", "value": [[]]}]
    operations += [{"op": "copy", "from": "/b", "path": "/a/-"} if n % 2 == 0 else
                   {"op": "copy", "from": "/a", "path": "/b/-"} for n in range(30)]
elif name == "bulk-100k-blocks":  # POST of 50 revisions, two operations each, to a 2.9 MB dialogue
    from types import SimpleNamespace
    from chalicelib.dialogues import revisions
    blocks = [{"id": f"b{n}", "type": "q"} for n in range(400)]
    document = {"title": "Big", "is_archived": False, "sequences": [
        {"id": f"s{n}", "title": "S", "blocks": [dict(block) for block in blocks]} for n in range(250)]}
    bodies = [{"type": "edit", "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": f"T{n}"},
        {"op": "replace", "path": f"/sequences/{n}/blocks/3/id", "value": f"x{n}"}]}} for n in range(50)]
    operations = [operation for body in bodies for operation in body["properties"]["patch"]]
else:  # a client's ordinary edit of a 2 MB dialogue: 100 replacements
    blocks = [{"id": f"b{n}", "type": "question", "title": "x" * 1000} for n in range(20)]
    document = {"title": "Big", "sequences": [{"id": f"s{n}", "title": "S", "blocks": blocks} for n in range(100)],
                "is_archived": False}
    operations = [{"op": "replace", "path": f"/sequences/{n}/title", "value": f"Sequence {n}"} for n in range(100)]
patches.apply({}, [{"op": "add", "path": "/warm", "value": 1}])  # imports jsonpatch and jsonschema first
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    if name == "bulk-100k-blocks":
        drafts = revisions.from_bodies(None, bodies, bulk=True)(SimpleNamespace(project_id=1, head=1), document)
        result = drafts[-1].description
    else:
        result = patches.apply(document, operations, limits=patches.Limits(MAX_BODY_BYTES) if bounded else None)
    answer = f"applied: a document of {len(json.dumps(result)):,} bytes"
except Invalid as error:
    [entry] = error.details["errors"]
    answer = f"422 at {entry['path']}: {entry['message'][:90]}"
seconds = time.perf_counter() - started
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024
print(json.dumps({"bytes": len(json.dumps(operations)), "ops": len(operations), "seconds": seconds,
                  "mb": grown, "answer": answer}))
"""


def run(name: str, mode: str) -> dict:
    output = subprocess.run([sys.executable, "-c", SCENARIO, name, mode], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    print("JSON Patch amplification, each in a fresh interpreter:")
    for name, modes in (("copy-from-root", ("unbounded", "bounded")), ("sibling-copies", ("unbounded", "bounded")),
                        ("edit-2mb-dialogue", ("unbounded", "bounded")), ("bulk-100k-blocks", ("bounded",))):
        for mode in modes:
            figures = run(name, mode)
            print(f"  {name:18} {mode:9} {figures['ops']:3} ops, {figures['bytes']:5} B in: "
                  f"{figures['seconds'] * 1000:7.0f} ms, +{figures['mb']:4.0f} MB peak; {figures['answer']}")


if __name__ == "__main__":
    main()
