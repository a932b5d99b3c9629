"""Bounded JSON patches (issue 16, item 2) and bounded validation answers: a client's patch has at most
MAX_OPERATIONS operations, copies or moves nothing into itself, keeps the document within the body limit and
MAX_DEPTH after each operation (the size counted from what each operation changes, exactly), and copies at most
COPY_BYTES in a request; a refusal is the 422 at the operation's index. The platform's own patches are not bound."""
import json
import random

import jsonpatch
import jsonpointer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.bodies import MAX_DEPTH
from chalicelib.core.contracts import MAX_FAILURES as MAX_PROBLEMS
from chalicelib.core.contracts import MESSAGE_CHARS
from chalicelib.dialogues import patches
from chalicelib.dialogues.contracts import MAX_BODY_BYTES
from chalicelib.dialogues.errors import Invalid
from tests.unit.dialogues.conftest import dialogue_path, stored
from tests.unit.dialogues.conftest import problems as entries

LIMIT = MAX_BODY_BYTES


def size(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def refusal(document, operations, limits=None, prefix=()) -> dict:
    with pytest.raises(Invalid) as caught:
        patches.apply(document, operations, prefix, limits or patches.Limits(LIMIT))
    [entry] = caught.value.details["errors"]
    assert entry["type"] == "patch"
    return entry


def nested(depth: int):
    return json.loads("[" * depth + "]" * depth)


# --- copy and move into themselves ---


@pytest.mark.parametrize(("op", "source", "path", "where"), [
    ("copy", "", "/a", "the root"),
    ("move", "", "/a", "the root"),
    ("copy", "/a", "/a/b", "an ancestor of 'path'"),
    ("copy", "/a", "/a/b/c", "an ancestor of 'path'"),
    ("copy", "/list", "/list/-", "an ancestor of 'path'"),
    ("move", "/a", "/a/b", "an ancestor of 'path'"),
])
def test_copy_or_move_from_the_root_or_an_ancestor_is_refused_at_its_index(op, source, path, where):
    document = {"a": {"b": {}}, "list": [1]}
    operations = [{"op": "test", "path": "/list/0", "value": 1}, {"op": op, "from": source, "path": path}]

    entry = refusal(document, operations)

    assert entry["path"] == "/1"
    assert entry["message"] == (f"Operation 1 ({op} {path}) failed: 'from' is {where}: a value cannot be "
                                f"{'copied' if op == 'copy' else 'moved'} into itself")


@pytest.mark.parametrize(("op", "source", "path"), [
    ("copy", "/a", "/ab"),  # a sibling whose name starts alike is no child
    ("copy", "/a/b", "/a"),  # up over its own parent
    ("copy", "/a", "/a"),
    ("move", "/a/b", "/c"),
    ("copy", "/list/0", "/list/-"),
])
def test_copy_or_move_elsewhere_is_applied(op, source, path):
    document = {"a": {"b": {"x": 1}}, "list": [1]}

    after = patches.apply(document, [{"op": op, "from": source, "path": path}], limits=patches.Limits(LIMIT))

    assert after == jsonpatch.apply_patch(document, [{"op": op, "from": source, "path": path}])


def test_the_reported_attack_is_refused_at_once():
    """19 copies of the root in under 1 KB built a 23 MB document (over 100 MB in memory) in seconds."""
    operations = [{"op": "copy", "from": "", "path": "/" + chr(97 + i)} for i in range(19)]

    entry = refusal({"first_name": "A", "last_name": "B"}, operations)

    assert entry["path"] == "/0"


# --- operations per patch ---


def test_a_patch_of_max_operations_applies():
    operations = [{"op": "replace", "path": "/n", "value": n} for n in range(patches.MAX_OPERATIONS)]

    assert patches.apply({"n": -1}, operations, limits=patches.Limits(LIMIT)) == {"n": patches.MAX_OPERATIONS - 1}


@pytest.mark.parametrize(("prefix", "path"), [((), "/100"), ((3, "properties", "patch"), "/3/properties/patch/100")])
def test_one_operation_more_is_refused_at_the_first_over(prefix, path):
    operations = [{"op": "test", "path": "/n", "value": 1}] * (patches.MAX_OPERATIONS + 1)

    entry = refusal({"n": 1}, operations, prefix=prefix)

    assert entry == {"type": "patch", "path": path,
                     "message": "A patch may have at most 100 operations: send a larger change as a PUT"}


def test_the_platforms_own_patches_have_no_cap():
    operations = [{"op": "add", "path": f"/k{n}", "value": n} for n in range(500)]

    assert len(patches.apply({}, operations)) == 500


# --- size after each operation ---


@pytest.mark.parametrize("operation", [
    {"op": "add", "path": "/b", "value": "x" * 7},
    {"op": "add", "path": "/a", "value": ["x"]},
    {"op": "replace", "path": "/a", "value": "x" * 14},
    {"op": "remove", "path": "/list"},
    {"op": "copy", "from": "/a", "path": "/b"},
    {"op": "copy", "from": "/a", "path": "/list/0"},
    {"op": "move", "from": "/a", "path": "/list/-"},
    {"op": "move", "from": "/list", "path": "/longer key"},
    {"op": "add", "path": "/list/0", "value": "x" * 9},
    {"op": "add", "path": "", "value": {"a": "x" * 18}},
    {"op": "test", "path": "/a", "value": "0123456789"},
])
def test_a_document_may_reach_the_limit_but_not_pass_it(operation):
    document = {"a": "0123456789", "list": [], "n": {"é": [1, 2]}}
    limit = size(jsonpatch.apply_patch(document, [operation]))

    assert size(patches.apply(document, [operation], limits=patches.Limits(limit))) == limit
    entry = refusal(document, [operation], patches.Limits(limit - 1))
    assert entry["path"] == "/0"
    assert entry["message"].endswith(f"the document would be {limit} bytes, over the limit of {limit - 1}")


def test_the_size_counts_utf8_bytes():
    operation = {"op": "add", "path": "/é", "value": "€"}  # {"é":"€"}: 12 bytes, 21 characters as \u escapes

    assert size(patches.apply({}, [operation], limits=patches.Limits(12))) == 12
    assert refusal({}, [operation], patches.Limits(11))["path"] == "/0"


def test_a_patch_may_grow_a_document_only_up_to_the_body_limit():
    document = {"a": "x" * (LIMIT - 100)}

    entry = refusal(document, [{"op": "add", "path": "/b", "value": "y" * 50},
                               {"op": "add", "path": "/c", "value": "z" * 50}])

    assert entry["path"] == "/1" and "over the limit of 5242880" in entry["message"]


def _paths(value, at=()):
    """Every location in `value`, as pointer parts."""
    yield at
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*at, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*at, index))


def _pointer(parts) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _random_patch(rng: random.Random, document, count: int) -> list[dict]:
    """Operations that apply one after another: adds, removes, replaces, tests, copies and moves (none up over an
    ancestor, whose size is a bound rather than exact), with keys that need escaping and non-ASCII values."""
    values = [0, -1.5, True, None, "", "é€", "a/b~c", [], {}, [1, [2]], {"k": {"é": [None]}}]
    operations, state = [], json.loads(json.dumps(document))
    while len(operations) < count:
        places = list(_paths(state))
        containers = [p for p in places if isinstance(_at(state, p), (dict, list))]
        parent = rng.choice(containers)
        holder = _at(state, parent)
        kind = rng.choice(["add", "add", "remove", "replace", "test", "copy", "move"])
        if isinstance(holder, dict):
            new = (*parent, rng.choice(["a", "b", "é", "x/y", "t~", *holder]))
        else:
            new = (*parent, rng.choice(["-", *range(len(holder) + 1)]))
        existing = [p for p in places if p]
        if kind == "add":
            operation = {"op": "add", "path": _pointer(new), "value": rng.choice(values)}
        elif kind in ("remove", "replace", "test"):
            if not existing:
                continue
            target = rng.choice(existing)
            operation = {"op": kind, "path": _pointer(target)}
            if kind != "remove":
                operation["value"] = _at(state, target) if kind == "test" else rng.choice(values)
        else:
            source = rng.choice(existing) if existing else None
            if source is None or new[:len(source)] == source or (kind == "move" and source[:len(new)] == new):
                continue
            operation = {"op": kind, "from": _pointer(source), "path": _pointer(new)}
        try:
            state = jsonpatch.apply_patch(state, [operation])
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, LookupError, TypeError):
            continue  # not one that applies here (an index past the end, a member of an array...)
        operations.append(operation)
    return operations


def _at(value, parts):
    for part in parts:
        value = value[part]
    return value


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2 ** 32), count=st.integers(1, 30))
def test_the_size_kept_from_each_operation_is_the_documents_exact_size(seed, count):
    """Set the limit to the largest size the patch passes through, and it applies; one byte less, and it is
    refused at the first operation that reaches that size: so the size kept is exact after every operation. And
    the document patched is as it was, though the result shares what the patch did not change with it."""
    rng = random.Random(seed)
    document = {"a": {"b": [1, "x", {"é": "€"}]}, "list": [[], {}], "n": None}
    operations = _random_patch(rng, document, count)
    sizes, state = [], json.loads(json.dumps(document))
    for operation in operations:
        state = jsonpatch.apply_patch(state, [operation])
        sizes.append(size(state))
    peak = max(sizes)

    assert patches.apply(document, operations, limits=patches.Limits(peak)) == state
    assert refusal(document, operations, patches.Limits(peak - 1))["path"] == f"/{sizes.index(peak)}"
    assert document == {"a": {"b": [1, "x", {"é": "€"}]}, "list": [[], {}], "n": None}  # copied on write only


def test_a_move_up_over_its_ancestor_keeps_a_bound():
    document = {"a": {"b": "x" * 10, "c": "y" * 100}}

    after = patches.apply(document, [{"op": "move", "from": "/a/b", "path": "/a"}], limits=patches.Limits(200))

    assert after == {"a": "x" * 10}


# --- nesting ---


def test_a_value_may_nest_to_max_depth_but_no_further():
    document = {"a": {"b": {}}}  # the value at /a/b/c sits below three levels

    patches.apply(document, [{"op": "add", "path": "/a/b/c", "value": nested(MAX_DEPTH - 3)}],
                  limits=patches.Limits(LIMIT))
    entry = refusal(document, [{"op": "add", "path": "/a/b/c", "value": nested(MAX_DEPTH - 2)}])

    assert entry["message"].endswith(f"the value would nest deeper than {MAX_DEPTH} levels")


@pytest.mark.parametrize("op", ["copy", "move"])
def test_a_copy_or_move_deeper_may_not_pass_max_depth(op):
    """Patches repeated could otherwise nest a stored document 900 deep, 60 levels a request."""
    document = {"deep": nested(MAX_DEPTH - 1), "box": {}}  # MAX_DEPTH deep, as a body may be

    entry = refusal(document, [{"op": op, "from": "/deep", "path": "/box/deep"}])

    assert entry["path"] == "/0" and "nest deeper" in entry["message"]


def test_a_copy_or_move_no_deeper_is_not_walked():
    document = {"deep": nested(MAX_DEPTH - 1), "box": {}}

    after = patches.apply(document, [{"op": "move", "from": "/deep", "path": "/other"}], limits=patches.Limits(LIMIT))

    assert after["other"] == nested(MAX_DEPTH - 1)


# --- copies in all ---


def test_copies_come_to_at_most_copy_bytes_in_a_request_across_its_patches():
    """Siblings copied into each other grow like Fibonacci without any ancestor; the bound is on what copies
    duplicate, and it is the request's, shared by the revisions of a bulk."""
    block = "x" * (patches.COPY_BYTES // 3)
    limits = patches.Limits(LIMIT)
    patches.apply({"a": block}, [{"op": "copy", "from": "/a", "path": "/b"}], limits=limits)
    patches.apply({"a": block}, [{"op": "copy", "from": "/a", "path": "/b"}], limits=limits)

    entry = refusal({"a": block}, [{"op": "test", "path": "/a", "value": block},
                                   {"op": "copy", "from": "/a", "path": "/b"}], limits)

    assert entry["path"] == "/1"
    assert entry["message"].endswith(f"more than {patches.COPY_BYTES} bytes")


def test_sibling_copies_of_small_arrays_stop_at_the_copy_allowance():
    operations = [{"op": "add", "path": "/a", "value": [[]]}, {"op": "add", "path": "/b", "value": [[]]}]
    operations += [{"op": "copy", "from": "/b", "path": "/a/-"} if n % 2 == 0 else
                   {"op": "copy", "from": "/a", "path": "/b/-"} for n in range(60)]

    entry = refusal({}, operations)

    assert "more than" in entry["message"]


# --- messages and failures ---


def test_a_failure_quoting_a_large_document_is_shortened():
    document = {"items": list(range(100_000))}

    entry = refusal(document, [{"op": "test", "path": "/items", "value": []}])

    assert entry["message"].startswith("Operation 0 (test /items) failed: [0, 1, 2")
    assert len(entry["message"]) <= MESSAGE_CHARS + 5


def test_validation_lists_at_most_max_problems(api, world):
    """Each failure was compared with all before it: 200,000 bad items did not finish in 5 minutes."""

    status, body = api.post(dialogue_path(world) + "/revisions/", [{}] * 200_000, token=world.root)

    found = entries(body)
    assert (status, len(found)) == (422, MAX_PROBLEMS)
    assert all(len(entry["message"]) <= MESSAGE_CHARS + 5 for entry in found)


# --- through the routes (chalice test client on moto) ---


def test_a_bulk_whose_second_patch_copies_the_root_changes_nothing(api, world):
    before = stored()
    bulk = [{"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "Renamed"}]}},
            {"type": "edit", "properties": {"patch": [{"op": "test", "path": "/title", "value": "Renamed"},
                                                      {"op": "copy", "from": "", "path": "/sequences/-"}]}}]

    status, body = api.post(dialogue_path(world) + "/revisions/", bulk, token=world.root)

    assert status == 422
    assert [(e["type"], e["path"]) for e in entries(body)] == [("patch", "/1/properties/patch/1")]
    assert stored() == before


def test_a_dialogue_patch_of_too_many_operations_changes_nothing(api, world):
    before = stored()
    operations = [{"op": "test", "path": "/title", "value": "Survey"}] * 101

    status, body = api.call("PATCH", dialogue_path(world), operations, token=world.root)

    assert (status, [(e["type"], e["path"]) for e in entries(body)]) == (422, [("patch", "/100")])
    assert stored() == before


def test_a_body_nested_past_max_depth_is_a_validation_error_where_it_is(api, world):
    before = stored()
    block = {"id": "b", "type": "question", "properties": {"x": nested(MAX_DEPTH)}}

    status, body = api.post(f"/projects/{world.project}/dialogues/",
                            {"title": "Deep", "sequences": [{"id": "s", "title": "S", "blocks": [block]}]},
                            token=world.root)

    assert status == 422
    [entry] = entries(body)
    assert entry["type"] == "maxDepth"
    assert entry["path"] == "/sequences/0/blocks/0/properties/x" + "/0" * (MAX_DEPTH + 1 - 7)  # x is level 7
    assert stored() == before


def test_a_put_whose_difference_has_hundreds_of_operations_still_applies(api, world, bucket):
    """A PUT's patch is the platform's own: no cap."""
    blocks = [{"id": f"b{n}", "type": "question", "title": f"Q{n}"} for n in range(300)]
    description = {"title": "Survey", "sequences": [{"id": "s", "title": "S", "blocks": blocks}]}

    status, body = api.put(dialogue_path(world), description, token=world.root)

    assert status == 200, body
    assert len(patches.difference({"title": "Survey", "sequences": []}, description)) >= 1
    assert len(body["sequences"][0]["blocks"]) == 300


# --- copy on write, and checking what changed ---


def _description(sequences: int, blocks: int) -> dict:
    return {"title": "Big", "is_archived": False, "sequences": [
        {"id": f"s{n}", "title": "S", "blocks": [{"id": f"b{m}", "type": "q"} for m in range(blocks)]}
        for n in range(sequences)]}


def test_a_patch_copies_only_what_it_changes_and_leaves_the_document_as_it_was():
    document = _description(3, 2)
    original = json.loads(json.dumps(document))

    after = patches.apply(document, [{"op": "replace", "path": "/sequences/2/blocks/1/id", "value": "c"},
                                     {"op": "move", "from": "/sequences/0", "path": "/sequences/-"}])

    assert document == original
    assert after["sequences"][0] is document["sequences"][1]  # untouched: shared
    assert after["sequences"][2] is document["sequences"][0]  # moved, not changed: shared
    assert after["sequences"][1] is not document["sequences"][2]
    assert after["sequences"][1]["blocks"][0] is document["sequences"][2]["blocks"][0]


def test_an_edit_checks_the_sequences_it_changed_and_finds_what_a_whole_check_finds():
    from chalicelib.dialogues import revisions

    document = _description(4, 2)
    operations = [{"op": "replace", "path": "/sequences/3/blocks/0/id", "value": "Not a symbol"},
                  {"op": "add", "path": "/sequences/1/extra", "value": 1},
                  {"op": "add", "path": "/sequences/-", "value": {"id": "new"}},
                  {"op": "replace", "path": "/title", "value": 7}]
    after = patches.apply(document, operations)

    with pytest.raises(Invalid) as changed:
        revisions.fitting(after, known=document)
    with pytest.raises(Invalid) as whole:
        revisions.fitting(json.loads(json.dumps(after)))

    assert changed.value.details == whole.value.details
    assert [entry["path"] for entry in changed.value.details["errors"]] == [
        "/sequences/1", "/sequences/3/blocks/0/id", "/sequences/4/blocks", "/sequences/4/title", "/title"]


def test_a_bulk_of_50_edits_on_a_dialogue_of_100000_blocks_costs_what_it_touches():
    """Each revision copied the whole description and checked it whole: 236 s for this 4 KB bulk."""
    from types import SimpleNamespace

    from chalicelib.dialogues import revisions

    document = _description(250, 400)
    bodies = [{"type": "edit", "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": f"Title {n}"},
        {"op": "replace", "path": f"/sequences/{n}/blocks/3/id", "value": f"x{n}"}]}} for n in range(50)]

    drafts = revisions.from_bodies(None, bodies, bulk=True)(SimpleNamespace(project_id=1, head=1), document)

    assert drafts[-1].description["title"] == "Title 49"
    assert drafts[-1].description["sequences"][49]["blocks"][3]["id"] == "x49"
    assert document["title"] == "Big" and document["sequences"][49]["blocks"][3]["id"] == "b3"
