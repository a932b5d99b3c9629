"""The dialogues document's revisions and releases: GET/POST /projects/<id>/dialogues/<id>/revisions/ (edits and
reverts, one or a bulk array, all or nothing, numbered 1..N), their ordering and paging, and
GET/POST .../releases/ with GET of one release and its description."""
import copy

import jsonpatch
import pytest

from chalicelib.core import clock
from chalicelib.dialogues import descriptions, documents
from chalicelib.dialogues.models import Dialogue, Release, Revision
from tests.conftest import NOW
from tests.unit.dialogues.conftest import SEQUENCE, dialogue_path, patch, problems, stored

NOW_MS = clock.to_millis(NOW)
SURVEY = {"title": "Survey", "sequences": [SEQUENCE], "is_archived": False}


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def revisions_path(world, dialogue=None):
    return dialogue_path(world, dialogue) + "/revisions/"


def releases_path(world, dialogue=None):
    return dialogue_path(world, dialogue) + "/releases/"


def post(api, world, body, dialogue=None):
    return api.post(revisions_path(world, dialogue), body, token=world.root)


def posted(api, world, body, dialogue=None):
    return _ok(post(api, world, body, dialogue), 201)


def listed(api, world, query="", dialogue=None):
    return _ok(api.get(revisions_path(world, dialogue) + query, token=world.root))


def numbers(body):
    return [item["number"] for item in body]


def current(api, world, dialogue=None):
    """The dialogue's description as GET shows it."""
    body = _ok(api.get(dialogue_path(world, dialogue), token=world.root))
    return {"title": body["title"], "sequences": body["sequences"], "is_archived": body["is_archived"]}


def dialogue_item(world, dialogue=None):
    return Dialogue.get(int(world.project), int(dialogue or world.dialogue), consistent_read=True)


def stored_numbers(world, dialogue=None):
    return [int(item.number) for item in Revision.query(int(dialogue or world.dialogue), consistent_read=True)]


def rename(title, **extra):
    """An edit revision that retitles the dialogue."""
    return {"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": title}]}, **extra}


def revert(revision_id, **extra):
    return {"type": "revert", "properties": {"revision_id": str(revision_id)}, **extra}


def titled(title):
    return {**SURVEY, "title": title}


def root_id(api, world):
    return _ok(api.get("/user", token=world.root))["id"]


# Numbering


def test_revisions_are_numbered_1_to_n_after_mixed_writes(api, world):
    path = dialogue_path(world)
    _ok(api.put(path, {"title": "Put", "sequences": [SEQUENCE]}, token=world.root))
    _ok(patch(api, path, [{"op": "replace", "path": "/title", "value": "Patched"}], world.root))
    posted(api, world, rename("Posted"))
    posted(api, world, [rename("Bulk one"), rename("Bulk two")])
    _ok(api.put(path, {"title": "Bulk two", "sequences": [SEQUENCE]}, token=world.root))
    assert patch(api, path, [{"op": "remove", "path": "/nothing"}], world.root)[0] == 422
    assert post(api, world, [rename("Lost"), revert(99)])[0] == 422
    posted(api, world, revert(2))

    body = listed(api, world, "?ordering=number")

    assert numbers(body) == [1, 2, 3, 4, 5, 6, 7]
    assert [item["id"] for item in body] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [item["type"] for item in body] == ["edit"] * 6 + ["revert"]
    assert [item["properties"].get("edit_type") for item in body[:3]] == ["create", "replace", "patch"]
    assert stored_numbers(world) == [1, 2, 3, 4, 5, 6, 7]
    assert dialogue_item(world).head == 7
    assert _ok(api.get(path, token=world.root))["revision_id"] == "7"
    assert current(api, world)["title"] == "Put"


def test_each_dialogue_numbers_its_own_revisions(api, world):
    posted(api, world, [rename("A"), rename("B")])

    body = posted(api, world, rename("Second's"), world.second)

    assert body["number"] == 2
    assert stored_numbers(world, world.second) == [1, 2]
    assert stored_numbers(world) == [1, 2, 3]


# POST one revision


def test_post_one_edit_answers_the_revision_and_updates_the_description(api, world):
    sent = {"type": "edit", "details": {"id": "end", "title": "End"},
            "properties": {"edit_type": "new_sequence", "patch": [
                {"op": "add", "path": "/sequences/-", "value": {"id": "end", "title": "End", "blocks": []}}]}}

    status, body = post(api, world, sent)

    assert status == 201
    assert body == {"id": "2", "number": 2, "user_id": root_id(api, world), "created": NOW_MS, "type": "edit",
                    "details": sent["details"], "properties": sent["properties"]}
    assert current(api, world) == {**SURVEY, "sequences": [SEQUENCE, {"id": "end", "title": "End", "blocks": []}]}
    assert listed(api, world)[0] == body
    assert dialogue_item(world).head == 2


def test_post_without_details_shows_empty_details(api, world):
    body = posted(api, world, rename("New"))

    assert body["details"] == {}


@pytest.mark.parametrize(("sent", "expected"), [
    ({**rename("X"), "id": "5"}, [("additionalProperties", "/")]),
    ({**rename("X"), "number": 5}, [("additionalProperties", "/")]),
    ({"type": "merge", "properties": {}}, [("enum", "/type")]),
    ({"type": "edit", "properties": {}}, [("required", "/properties/patch")]),
    ({"type": "revert", "properties": {}}, [("required", "/properties/revision_id")]),
    ({"type": "edit", "properties": {"patch": [{"op": "replace", "path": "/title", "value": "X"}]}, "created": -1},
     [("minimum", "/created")]),
])
def test_post_refuses_a_revision_outside_the_schema(api, world, sent, expected):
    before = stored()

    status, body = post(api, world, sent)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == expected
    assert stored() == before


def test_post_by_a_reader_is_forbidden(api, world):
    before = stored()

    status, body = api.post(revisions_path(world), rename("Mine"), token=world.tokens["dialogue_reader"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before


# POST a bulk array


def test_bulk_creates_every_revision_in_order_and_answers_an_array(api, world):
    sent = [{"type": "edit", "details": {"id": "end", "title": "End"},
             "properties": {"edit_type": "new_sequence", "patch": [
                 {"op": "add", "path": "/sequences/-", "value": {"id": "end", "title": "End", "blocks": []}}]}},
            {"type": "edit", "details": {"id": "end", "old_title": "End", "new_title": "Finish"},
             "properties": {"edit_type": "rename_sequence", "patch": [
                 {"op": "replace", "path": "/sequences/1/title", "value": "Finish"}]}},
            rename("Renamed")]

    status, body = post(api, world, sent)

    assert status == 201
    assert isinstance(body, list)
    assert [(item["id"], item["number"]) for item in body] == [("2", 2), ("3", 3), ("4", 4)]
    assert [(item["type"], item["details"], item["properties"]) for item in body] == [
        (item["type"], item.get("details", {}), item["properties"]) for item in sent]
    assert all(item["user_id"] == root_id(api, world) and item["created"] == NOW_MS for item in body)
    assert current(api, world) == {**SURVEY, "title": "Renamed",
                                   "sequences": [SEQUENCE, {"id": "end", "title": "Finish", "blocks": []}]}
    assert listed(api, world, "?ordering=number")[1:] == body
    assert stored_numbers(world) == [1, 2, 3, 4]


def test_bulk_of_one_still_answers_an_array(api, world):
    body = posted(api, world, [rename("One")])

    assert numbers(body) == [2]


def test_bulk_edits_apply_in_order_each_on_the_one_before(api, world):
    body = posted(api, world, [
        {"type": "edit", "properties": {"patch": [{"op": "add", "path": "/sequences/0/blocks/-",
                                                   "value": {"id": "b", "type": "message"}}]}},
        {"type": "edit", "properties": {"patch": [{"op": "move", "from": "/sequences/0/blocks/1",
                                                   "path": "/sequences/0/blocks/0"}]}}])

    assert numbers(body) == [2, 3]
    assert current(api, world)["sequences"][0]["blocks"] == [{"id": "b", "type": "message"},
                                                             {"id": "ask", "type": "question"}]


def _patch_fails(world):
    return [rename("First"), {"type": "edit", "properties": {"patch": [{"op": "remove", "path": "/sequences/9"}]}}]


def _schema_fails(world):
    return [rename("First"), {"type": "edit", "properties": {"patch": [{"op": "remove", "path": "/sequences"}]}}]


def _unknown_revert(world):
    return [rename("First"), revert(50)]


def _forward_revert(world):
    return [rename("First"), revert(4), rename("Third")]


@pytest.mark.parametrize(("bulk", "where"), [
    (_patch_fails, ("patch", "/1/properties/patch/0")),
    (_schema_fails, None),
    (_unknown_revert, ("not_found", "/1/properties/revision_id")),
    (_forward_revert, ("not_found", "/1/properties/revision_id")),
])
def test_a_failing_bulk_creates_none_of_its_revisions(api, world, bulk, where):
    posted(api, world, rename("Before"))
    _ok(api.post(releases_path(world), {"revision_id": "2"}, token=world.root), 201)
    before_description = current(api, world)
    before_listing = listed(api, world)
    before = stored()

    status, body = post(api, world, bulk(world))

    assert status == 422
    if where:
        assert [(p["type"], p["path"]) for p in problems(body)] == [where]
    else:
        assert problems(body)
    assert current(api, world) == before_description == titled("Before")
    assert listed(api, world) == before_listing
    assert numbers(before_listing) == [2, 1]
    assert _ok(api.get(dialogue_path(world), token=world.root))["has_changes"] is False
    assert stored() == before


@pytest.mark.parametrize("sent", [[], [rename(f"T{index}") for index in range(51)]])
def test_a_bulk_must_hold_1_to_50_revisions(api, world, sent):
    before = stored()

    status, body = post(api, world, sent)

    assert status == 422
    assert problems(body)
    assert stored() == before


def test_a_bulk_of_50_revisions_is_accepted(api, world):
    body = posted(api, world, [rename(f"T{index}") for index in range(50)])

    assert numbers(body) == list(range(2, 52))
    assert current(api, world)["title"] == "T49"


def test_a_bulk_with_a_read_only_field_in_its_second_item_creates_nothing(api, world):
    before = stored()

    status, body = post(api, world, [rename("A"), {**rename("B"), "user_id": "x"}])

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("additionalProperties", "/1")]
    assert stored() == before


# Reverts


def test_revert_restores_an_earlier_description_as_a_new_revision(api, world):
    posted(api, world, rename("A"))
    posted(api, world, {"type": "edit", "properties": {"patch": [
        {"op": "replace", "path": "/title", "value": "B"}, {"op": "remove", "path": "/sequences/0"}]}})
    history = listed(api, world, "?ordering=number")

    body = posted(api, world, revert(2, details={"why": "undo"}))

    assert body == {"id": "4", "number": 4, "user_id": root_id(api, world), "created": NOW_MS, "type": "revert",
                    "details": {"why": "undo"}, "properties": {"revision_id": "2"}}
    assert current(api, world) == titled("A")
    after = listed(api, world, "?ordering=number")
    assert after[:3] == history
    assert after[3] == body
    assert stored_numbers(world) == [1, 2, 3, 4]


def test_revert_to_the_first_revision(api, world):
    posted(api, world, [rename("A"), rename("B")])

    posted(api, world, revert(1))

    assert current(api, world) == SURVEY


def test_revert_to_a_revision_in_the_middle_of_an_earlier_bulk(api, world):
    posted(api, world, [rename("A"),
                        {"type": "edit", "properties": {"patch": [{"op": "add", "path": "/sequences/0/blocks/-",
                                                                   "value": {"id": "b", "type": "message"}}]}},
                        rename("C")])
    middle = {**titled("A"), "sequences": [{**SEQUENCE, "blocks": [*SEQUENCE["blocks"],
                                                                   {"id": "b", "type": "message"}]}]}

    body = posted(api, world, revert(3))

    assert body["number"] == 5
    assert current(api, world) == middle
    posted(api, world, revert(2))
    assert current(api, world) == titled("A")


def test_revert_to_a_revision_created_earlier_in_the_same_bulk(api, world):
    body = posted(api, world, [rename("A"), rename("B"), revert(2), {"type": "edit", "properties": {"patch": [
        {"op": "add", "path": "/sequences/-", "value": {"id": "end", "title": "End", "blocks": []}}]}}])

    assert numbers(body) == [2, 3, 4, 5]
    assert body[2]["type"] == "revert" and body[2]["properties"] == {"revision_id": "2"}
    assert current(api, world) == {**titled("A"), "sequences": [SEQUENCE, {"id": "end", "title": "End",
                                                                           "blocks": []}]}


def test_revert_to_a_revision_after_a_revert_that_changed_nothing(api, world):
    assert numbers(posted(api, world, [revert(1), rename("B")])) == [2]  # the no-op revert is not written

    status, body = post(api, world, revert(1))

    assert status == 201, body
    assert body["number"] == 3
    assert current(api, world) == SURVEY


def test_a_revert_that_would_archive_needs_project_admin(api, world):
    _ok(patch(api, dialogue_path(world), [{"op": "replace", "path": "/is_archived", "value": True}], world.root))
    _ok(patch(api, dialogue_path(world), [{"op": "replace", "path": "/is_archived", "value": False}], world.root))
    before = stored()

    status, body = api.post(revisions_path(world), revert(2), token=world.tokens["project_writer"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before


# created


def test_created_given_by_the_client_is_kept(api, world):
    body = posted(api, world, rename("A", created=1459943775033))

    assert body["created"] == 1459943775033
    assert Revision.get(int(world.dialogue), 2).created == 1459943775033
    assert listed(api, world)[0]["created"] == 1459943775033


def test_created_defaults_to_the_clock_in_milliseconds(api, world, fixed_clock):
    fixed_clock.advance(seconds=90)

    body = posted(api, world, [rename("A"), rename("B", created=1000)])

    assert [item["created"] for item in body] == [NOW_MS + 90_000, 1000]
    assert [Revision.get(int(world.dialogue), n).created for n in (2, 3)] == [NOW_MS + 90_000, 1000]


# Listing: ordering and paging


@pytest.fixture
def dated(api, world):
    """Revisions 1..5 created at NOW, 3000, 1000, 4000 and 2000 ms."""
    posted(api, world, [rename("A", created=3000), rename("B", created=1000), rename("C", created=4000),
                        rename("D", created=2000)])


@pytest.mark.parametrize(("query", "expected"), [
    ("", [5, 4, 3, 2, 1]),
    ("?ordering=-number", [5, 4, 3, 2, 1]),
    ("?ordering=number", [1, 2, 3, 4, 5]),
    ("?ordering=created", [3, 5, 2, 4, 1]),
    ("?ordering=-created", [1, 4, 2, 5, 3]),
    ("?ordering=created&ordering=-number", [3, 5, 2, 4, 1]),
    ("?ordering=-created,number", [1, 4, 2, 5, 3]),
    ("?ordering=number&ordering=created", [1, 2, 3, 4, 5]),
    ("?ordering=-number,created", [5, 4, 3, 2, 1]),
])
def test_listing_orders_revisions(api, world, dated, query, expected):
    body = listed(api, world, query)

    assert numbers(body) == expected


def test_listing_with_equal_created_times_orders_by_the_next_ordering(api, world):
    posted(api, world, [rename("A"), rename("B"), rename("C")])

    assert numbers(listed(api, world, "?ordering=created&ordering=-number")) == [4, 3, 2, 1]
    assert numbers(listed(api, world, "?ordering=created,-number")) == [4, 3, 2, 1]
    assert numbers(listed(api, world, "?ordering=-created&ordering=number")) == [1, 2, 3, 4]


@pytest.mark.parametrize(("query", "expected"), [
    ("?ordering=created&ordering=-number", [4, 3, 2, 1]),
    ("?ordering=created&ordering=number", [4, 2, 3, 1]),
    ("?ordering=-created&ordering=-number", [1, 3, 2, 4]),
    ("?ordering=-created,number", [1, 2, 3, 4]),
])
def test_listing_breaks_ties_of_created_by_the_next_ordering(api, world, query, expected):
    posted(api, world, [rename("A", created=1000), rename("B", created=1000), rename("C", created=500)])

    assert numbers(listed(api, world, query)) == expected


def test_listing_refuses_an_unknown_ordering(api, world):
    status, body = api.get(revisions_path(world) + "?ordering=title", token=world.root)

    assert status == 400
    assert set(body) == {"type", "message", "details"}


@pytest.mark.parametrize(("query", "expected"), [
    ("?per_page=2", [5, 4]),
    ("?per_page=2&page=2", [3, 2]),
    ("?per_page=2&page=3", [1]),
    ("?per_page=2&page=4", []),
    ("?page=2", []),
    ("?ordering=number&per_page=3&page=2", [4, 5]),
    ("?ordering=number&per_page=3&page=3", []),
    ("?ordering=created&per_page=2&page=2", [2, 4]),
    ("?ordering=created&per_page=2&page=9", []),
    ("?ordering=-created,number&per_page=4&page=2", [3]),
])
def test_listing_pages_revisions(api, world, dated, query, expected):
    assert numbers(listed(api, world, query)) == expected


def test_listing_shows_30_a_page_by_default_and_at_most_100(api, world):
    posted(api, world, [rename(f"T{index}") for index in range(50)])
    posted(api, world, [rename(f"U{index}") for index in range(50)])

    assert numbers(listed(api, world)) == list(range(101, 71, -1))
    assert numbers(listed(api, world, "?per_page=1000")) == list(range(101, 1, -1))
    assert numbers(listed(api, world, "?per_page=1000&page=2")) == [1]
    assert numbers(listed(api, world, "?per_page=100&ordering=number")) == list(range(1, 101))


def test_replaying_every_revision_from_nothing_gives_the_current_description(api, world):
    path = dialogue_path(world)
    _ok(api.put(path, {"title": "Put", "sequences": [SEQUENCE, {"id": "end", "title": "End", "blocks": []}]},
                token=world.root))
    _ok(patch(api, path, [{"op": "remove", "path": "/sequences/0"}], world.root))
    posted(api, world, [rename("A"), {"type": "edit", "properties": {"patch": [
        {"op": "add", "path": "/sequences/0/blocks/-", "value": {"id": "b", "type": "message"}}]}}, rename("C")])
    posted(api, world, [revert(4), rename("D")])
    _ok(patch(api, path, [{"op": "replace", "path": "/is_archived", "value": True}], world.root))

    history = listed(api, world, "?ordering=number")

    assert numbers(history) == list(range(1, 10))
    states = {}
    document = {}
    for item in history:
        if item["type"] == "edit":
            document = jsonpatch.apply_patch(document, item["properties"]["patch"])
        else:
            document = copy.deepcopy(states[int(item["properties"]["revision_id"])])
        states[item["number"]] = document
    assert document == current(api, world)
    assert document == {"title": "D", "sequences": [{"id": "end", "title": "End", "blocks": []}], "is_archived": True}


def test_a_write_adds_its_patches_to_the_heads_tail_and_writes_no_description(api, world):
    posted(api, world, [rename("A"), rename("B"), rename("C")])

    items = list(Revision.query(int(world.dialogue), consistent_read=True))
    head = dialogue_item(world)

    assert [item.snapshot is not None for item in items] == [True, False, False, False]
    assert (head.base_number, head.tail, documents.load(head.base)) == (
        1, [rename(title)["properties"]["patch"] for title in "ABC"], SURVEY)
    assert head.description is None
    assert descriptions.current(head) == titled("C")


def test_the_base_moves_once_the_tail_is_full_and_its_revision_keeps_the_snapshot(api, world):
    titles = [f"T{n}" for n in range(descriptions.TAIL_REVISIONS + 1)]
    for title in titles:
        posted(api, world, rename(title))

    items = list(Revision.query(int(world.dialogue), consistent_read=True))
    head = dialogue_item(world)

    assert [int(item.number) for item in items if item.snapshot is not None] == [1, len(titles) + 1]
    assert (head.base_number, head.tail, documents.load(head.base)) == (len(titles) + 1, [], titled(titles[-1]))
    for number in (1, 2, len(titles), len(titles) + 1):  # replayed from the first snapshot, or the head's
        _ok(release(api, world, number), 201)
    shown = [_ok(api.get(releases_path(world) + f"{n}/", token=world.root))["description"]["title"]
             for n in range(1, 5)]
    assert shown == ["Survey", titles[0], titles[-2], titles[-1]]


def test_a_dialogue_stored_whole_in_its_item_reads_and_writes_as_before(api, world):
    """Items written before bases keep the description as of the head in `description`."""
    head = dialogue_item(world)
    head.update(actions=[Dialogue.description.set({"value": SURVEY}), Dialogue.base.remove(),
                         Dialogue.base_number.remove(), Dialogue.tail.remove()])

    assert current(api, world) == SURVEY
    posted(api, world, rename("A"))
    moved = dialogue_item(world)
    assert (moved.description, moved.base_number, documents.load(moved.base)) == (None, 2, titled("A"))
    assert current(api, world) == titled("A")


# Releases


def release(api, world, revision_id, dialogue=None):
    return api.post(releases_path(world, dialogue), {"revision_id": str(revision_id)}, token=world.root)


def released(api, world, revision_id, dialogue=None):
    return _ok(release(api, world, revision_id, dialogue), 201)


def test_release_answers_201_with_the_documented_description(api, world):
    status, body = release(api, world, 1)

    assert status == 201
    assert body == {"id": "1", "number": 1, "url": f"{dialogue_path(world)}/releases/1", "revision_id": "1",
                    "created": NOW_MS}
    [item] = Release.query(int(world.dialogue))
    assert (item.number, item.revision, item.created) == (1, 1, NOW_MS)
    stored_dialogue = dialogue_item(world)
    assert (stored_dialogue.release_count, stored_dialogue.released_revision) == (1, 1)


def test_releases_are_numbered_1_to_n(api, world):
    posted(api, world, [rename("A"), rename("B")])

    bodies = [released(api, world, revision) for revision in (2, 3, 1, 3)]

    assert [(body["number"], body["revision_id"]) for body in bodies] == [(1, "2"), (2, "3"), (3, "1"), (4, "3")]
    assert [(item.number, item.revision) for item in Release.query(int(world.dialogue))] == [(1, 2), (2, 3), (3, 1),
                                                                                          (4, 3)]
    assert released(api, world, 1, world.second)["number"] == 1


@pytest.fixture
def three_releases(api, world, fixed_clock):
    """Releases 1..3 of revisions 1..3, a minute apart."""
    posted(api, world, [rename("A"), rename("B")])
    found = []
    for revision in (1, 2, 3):
        found.append(released(api, world, revision))
        fixed_clock.advance(seconds=60)
    return found


@pytest.mark.parametrize(("query", "expected"), [
    ("", [3, 2, 1]),
    ("?ordering=-number", [3, 2, 1]),
    ("?ordering=number", [1, 2, 3]),
    ("?ordering=created", [1, 2, 3]),
    ("?ordering=-created", [3, 2, 1]),
    ("?ordering=-created&ordering=number", [3, 2, 1]),
    ("?per_page=2", [3, 2]),
    ("?per_page=2&page=2", [1]),
    ("?per_page=2&page=3", []),
    ("?ordering=number&per_page=2&page=2", [3]),
    ("?ordering=created&per_page=1&page=2", [2]),
    ("?ordering=created&per_page=1&page=4", []),
])
def test_releases_list_orders_and_pages(api, world, three_releases, query, expected):
    body = _ok(api.get(releases_path(world) + query, token=world.root))

    assert [item["number"] for item in body] == expected
    by_number = {item["number"]: item for item in three_releases}
    assert body == [by_number[number] for number in expected]


def test_release_created_times_follow_the_clock(api, world, three_releases):
    assert [item["created"] for item in three_releases] == [NOW_MS, NOW_MS + 60_000, NOW_MS + 120_000]


def test_get_one_release_shows_the_description_as_of_its_revision(api, world):
    posted(api, world, [rename("A"), {"type": "edit", "properties": {"patch": [
        {"op": "remove", "path": "/sequences/0"}]}}, rename("C")])
    first, middle = released(api, world, 1), released(api, world, 3)
    posted(api, world, rename("Later"))

    shown_first = _ok(api.get(f"{releases_path(world)}{first['id']}", token=world.root))
    shown_middle = _ok(api.get(f"{releases_path(world)}{middle['id']}", token=world.root))

    assert shown_first == {**first, "description": SURVEY}
    assert shown_middle == {**middle, "description": {**titled("A"), "sequences": []}}


def test_get_one_release_of_a_revision_after_a_no_op_revert(api, world):
    posted(api, world, [revert(1), rename("B")])  # the no-op revert is not written: "B" is revision 2
    first, body = released(api, world, 1), released(api, world, 2)

    status, shown = api.get(f"{releases_path(world)}{body['id']}", token=world.root)

    assert status == 200, shown
    assert shown == {**body, "description": titled("B")}
    assert _ok(api.get(f"{releases_path(world)}{first['id']}", token=world.root))["description"] == SURVEY


def test_get_an_unknown_release_is_404(api, world):
    status, body = api.get(f"{releases_path(world)}44", token=world.root)

    assert status == 404
    assert body == {"type": "not_found", "message": "Release 44 not found",
                    "details": {"id": "44", "dialogue_id": world.dialogue}}


@pytest.mark.parametrize("revision_id", ["0", "2", "99", "-1", "abc", ""])
def test_release_of_a_revision_the_dialogue_does_not_have_is_422(api, world, revision_id):
    before = stored()

    status, body = release(api, world, revision_id)

    assert status == 422, body
    assert [p["path"] for p in problems(body)] == ["/revision_id"]
    assert stored() == before
    assert _ok(api.get(dialogue_path(world), token=world.root))["is_published"] is False


@pytest.mark.parametrize("sent", [{}, {"revision_id": 1}, {"revision_id": "1", "id": "1"}])
def test_release_refuses_a_body_outside_the_schema(api, world, sent):
    before = stored()

    status, body = api.post(releases_path(world), sent, token=world.root)

    assert status == 422
    assert problems(body)
    assert stored() == before


def test_releasing_needs_project_admin(api, world):
    before = stored()

    status, body = api.post(releases_path(world), {"revision_id": "1"}, token=world.tokens["project_writer"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before
    assert released(api, world, 1)["number"] == 1


# Writes that change nothing (issue 17, item 4)


def _flags_and_numbers(api, world):
    body = _ok(api.get(dialogue_path(world), token=world.root))
    return body["has_changes"], body["revision_id"], stored_numbers(world)


@pytest.mark.parametrize("published_changes", [False, True])
def test_a_write_that_changes_nothing_writes_no_revision_on_any_path(api, world, published_changes):
    released(api, world, 1)
    if published_changes:
        posted(api, world, rename("Edited"))
    before = _flags_and_numbers(api, world)
    path, shown = dialogue_path(world), _ok(api.get(dialogue_path(world), token=world.root))
    title = shown["title"]

    assert _ok(api.put(path, shown, token=world.root))["has_changes"] is published_changes
    assert _ok(patch(api, path, [], world.root))["has_changes"] is published_changes
    assert _ok(patch(api, path, [{"op": "replace", "path": "/title", "value": title}], world.root))[
        "has_changes"] is published_changes
    head = _ok(post(api, world, rename(title)))
    assert (head["id"], head["properties"]["patch"][0]["value"] if published_changes else None) == (
        before[1], "Edited" if published_changes else None)
    assert _ok(post(api, world, revert(int(before[1]))))["id"] == before[1]
    assert _ok(post(api, world, [rename(title), revert(int(before[1])), {"type": "edit", "properties": {
        "patch": []}}])) == []

    assert _flags_and_numbers(api, world) == before


def test_a_bulk_writes_only_its_revisions_that_change_something(api, world):
    released(api, world, 1)

    body = posted(api, world, [rename("Survey"), rename("A"), rename("A"), rename("B"), revert(2)])

    assert numbers(body) == [2, 3, 4]
    assert [item["type"] for item in body] == ["edit", "edit", "revert"]
    assert [item["properties"].get("revision_id") for item in body] == [None, None, "2"]
    assert current(api, world) == titled("A")
    assert stored_numbers(world) == [1, 2, 3, 4]
    assert _ok(api.get(dialogue_path(world), token=world.root))["has_changes"] is True
