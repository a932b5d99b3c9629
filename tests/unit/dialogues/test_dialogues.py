"""The dialogues document's dialogues: POST/GET /projects/<id>/dialogues/, GET/PUT/PATCH of one dialogue, each write
through a numbered revision, archiving, and the is_published/has_changes flags releases decide. Descriptions of
several MB live in the media bucket while the dialogue's item stays under DynamoDB's 400 KB."""
import copy
import hashlib
import json
import re

import boto3
import jsonpatch
import pytest

from chalicelib.core import clock
from chalicelib.dialogues import descriptions
from chalicelib.dialogues.models import Dialogue, Release, Revision
from tests.conftest import NOW
from tests.unit.dialogues.conftest import SEQUENCE, dialogue_path, patch, problems, stored

NOW_MS = clock.to_millis(NOW)
ITEM_LIMIT = 400 * 1024
SURVEY = {"title": "Survey", "sequences": [SEQUENCE], "is_archived": False}


def _ok(result, status=200):
    assert result[0] == status, result
    return result[1]


def dialogues_path(world, project=None):
    return f"/projects/{project or world.project}/dialogues/"


def create(api, world, body):
    return _ok(api.post(dialogues_path(world), body, token=world.root), 201)


def stored_dialogue(world, dialogue_id):
    return Dialogue.get(int(world.project), int(dialogue_id), consistent_read=True)


def stored_revisions(dialogue_id):
    return list(Revision.query(int(dialogue_id), consistent_read=True))


def revisions(api, world, dialogue_id, query="?ordering=number"):
    return _ok(api.get(dialogue_path(world, dialogue_id) + "/revisions/" + query, token=world.root))


def description(body):
    """The dialogue description within a dialogue as the API shows it."""
    return {"title": body["title"], "sequences": body["sequences"], "is_archived": body["is_archived"]}


def release(api, world, dialogue_id, revision_id):
    return _ok(api.post(dialogue_path(world, dialogue_id) + "/releases/", {"revision_id": str(revision_id)},
                        token=world.root), 201)


def flags(api, world, dialogue_id):
    body = _ok(api.get(dialogue_path(world, dialogue_id), token=world.root))
    return body["is_published"], body["has_changes"]


def root_id(api, world):
    return _ok(api.get("/user", token=world.root))["id"]


def rename(title):
    return [{"op": "replace", "path": "/title", "value": title}]


# POST /projects/<id>/dialogues/


def test_create_answers_201_with_the_documented_description_and_revision_1(api, world):
    status, body = api.post(dialogues_path(world), {"title": "Service Rating Survey", "sequences": []},
                            token=world.root)

    assert status == 201
    assert body["id"].isdigit()
    assert body == {"id": body["id"], "url": f"/projects/{world.project}/dialogues/{body['id']}",
                    "revision_id": "1", "title": "Service Rating Survey", "sequences": [], "is_archived": False,
                    "is_published": False, "has_changes": False, "can_view": True, "can_edit": True}


def test_create_stores_the_dialogue_with_revision_1_an_edit_that_builds_it(api, world):
    sent = {"title": "Service Rating Survey", "sequences": [SEQUENCE]}

    body = create(api, world, sent)

    item = stored_dialogue(world, body["id"])
    assert (item.title, item.is_archived, item.head, item.release_count) == ("Service Rating Survey", False, 1, 0)
    [revision] = stored_revisions(body["id"])
    assert (revision.number, revision.type, revision.created, revision.user_id) == (1, "edit", NOW_MS,
                                                                                    root_id(api, world))
    [shown] = revisions(api, world, body["id"])
    assert shown["id"] == "1" and shown["number"] == 1 and shown["type"] == "edit"
    assert shown["created"] == NOW_MS and shown["user_id"] == root_id(api, world)
    assert shown["properties"]["edit_type"] == "create"
    assert jsonpatch.apply_patch({}, shown["properties"]["patch"]) == {**sent, "is_archived": False}


def test_create_keeps_is_archived_when_given(api, world):
    body = create(api, world, {"title": "Old", "sequences": [], "is_archived": True})

    assert body["is_archived"] is True
    assert stored_dialogue(world, body["id"]).is_archived is True


@pytest.mark.parametrize(("sent", "expected"), [
    ({"title": "Survey", "sequences": [], "id": "9"}, [("additionalProperties", "/")]),
    ({"title": "Survey", "sequences": [], "is_published": True}, [("additionalProperties", "/")]),
    ({"sequences": []}, [("required", "/title")]),
    ({"title": "Survey", "sequences": [{"id": "Bad Id", "title": "x", "blocks": []}]},
     [("pattern", "/sequences/0/id")]),
])
def test_create_refuses_a_body_outside_the_schema_and_stores_nothing(api, world, sent, expected):
    before = stored()

    status, body = api.post(dialogues_path(world), sent, token=world.root)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == expected
    assert stored() == before


def test_create_needs_project_admin(api, world):
    before = stored()

    status, body = api.post(dialogues_path(world), {"title": "Survey", "sequences": []},
                            token=world.tokens["project_writer"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before


# GET /projects/<id>/dialogues/<id>


def test_get_shows_the_dialogue_description(api, world):
    body = _ok(api.get(dialogue_path(world), token=world.root))

    assert body == {"id": world.dialogue, "url": f"/projects/{world.project}/dialogues/{world.dialogue}",
                    "revision_id": "1", "title": "Survey", "sequences": [SEQUENCE], "is_archived": False,
                    "is_published": False, "has_changes": False, "can_view": True, "can_edit": True}


def test_get_shows_what_a_reader_may_do(api, world):
    body = _ok(api.get(dialogue_path(world), token=world.tokens["dialogue_reader"]))

    assert (body["can_view"], body["can_edit"]) == (True, False)


def test_get_of_an_unknown_dialogue_is_404_naming_the_id(api, world):
    status, body = api.get(dialogue_path(world, "999"), token=world.root)

    assert status == 404
    assert body["type"] == "not_found" and body["message"] == "Dialogue 999 not found"
    assert body["details"]["id"] == "999"


# GET /projects/<id>/dialogues/ with filters


@pytest.fixture
def varied(api, world):
    """world.dialogue released as it is; world.second released then edited; a third, never released, archived."""
    release(api, world, world.dialogue, 1)
    release(api, world, world.second, 1)
    _ok(patch(api, dialogue_path(world, world.second), rename("Second, edited"), world.root))
    third = create(api, world, {"title": "Third", "sequences": [], "is_archived": True})["id"]
    return {"released": world.dialogue, "changed": world.second, "archived": third}


def test_list_shows_every_dialogue_summary(api, world, varied):
    body = _ok(api.get(dialogues_path(world), token=world.root))

    def summary(dialogue_id, title, revision, archived, published, changes):
        return {"id": dialogue_id, "url": f"/projects/{world.project}/dialogues/{dialogue_id}",
                "revision_id": revision, "title": title, "is_archived": archived, "is_published": published,
                "has_changes": changes, "can_view": True, "can_edit": True}

    assert body == [summary(varied["released"], "Survey", "1", False, True, False),
                    summary(varied["changed"], "Second, edited", "2", False, True, True),
                    summary(varied["archived"], "Third", "1", True, False, False)]


@pytest.mark.parametrize(("query", "expected"), [
    ("is_archived=true", ["archived"]),
    ("is_archived=false", ["released", "changed"]),
    ("is_published=true", ["released", "changed"]),
    ("is_published=false", ["archived"]),
    ("has_changes=true", ["changed"]),
    ("has_changes=false", ["released", "archived"]),
    ("is_published=true&has_changes=false", ["released"]),
    ("is_archived=true&is_published=true", []),
])
def test_list_filters_on_the_flags(api, world, varied, query, expected):
    body = _ok(api.get(dialogues_path(world) + "?" + query, token=world.root))

    assert [item["id"] for item in body] == [varied[name] for name in expected]


def test_list_refuses_a_filter_that_is_not_a_boolean(api, world):
    status, body = api.get(dialogues_path(world) + "?is_archived=maybe", token=world.root)

    assert status == 400
    assert set(body) == {"type", "message", "details"}


# PUT /projects/<id>/dialogues/<id>


def test_put_replaces_the_description_ignoring_read_only_fields(api, world):
    current = _ok(api.get(dialogue_path(world), token=world.root))
    sequences = [{**SEQUENCE, "title": "Renamed"}, {"id": "end", "title": "End", "blocks": []}]
    sent = {**current, "title": "Replaced", "sequences": sequences, "id": "999", "url": "/elsewhere",
            "revision_id": "77", "is_published": True, "has_changes": True, "can_view": False, "can_edit": False}

    body = _ok(api.put(dialogue_path(world), sent, token=world.root))

    expected = {**current, "title": "Replaced", "sequences": sequences, "revision_id": "2"}
    assert body == expected
    assert _ok(api.get(dialogue_path(world), token=world.root)) == expected
    assert stored_dialogue(world, world.dialogue).title == "Replaced"


def test_put_writes_one_replace_edit_holding_the_difference(api, world):
    before = _ok(api.get(dialogue_path(world), token=world.root))
    wanted = {"title": "Replaced", "sequences": [], "is_archived": False}

    _ok(api.put(dialogue_path(world), wanted, token=world.root))

    assert [item.number for item in stored_revisions(world.dialogue)] == [1, 2]
    assert stored_dialogue(world, world.dialogue).head == 2
    shown = revisions(api, world, world.dialogue)[1]
    assert (shown["number"], shown["type"], shown["properties"]["edit_type"]) == (2, "edit", "replace")
    assert jsonpatch.apply_patch(description(before), shown["properties"]["patch"]) == wanted


def test_put_without_is_archived_keeps_the_default_false(api, world):
    _ok(patch(api, dialogue_path(world), [{"op": "replace", "path": "/is_archived", "value": True}], world.root))

    body = _ok(api.put(dialogue_path(world), {"title": "Survey", "sequences": [SEQUENCE]}, token=world.root))

    assert body["is_archived"] is False
    assert stored_dialogue(world, world.dialogue).is_archived is False


def test_put_that_changes_nothing_writes_no_revision(api, world):
    current = _ok(api.get(dialogue_path(world), token=world.root))
    before = stored()

    body = _ok(api.put(dialogue_path(world), current, token=world.root))

    assert body == current
    assert body["revision_id"] == "1"
    assert stored() == before


def test_put_refuses_a_description_outside_the_schema(api, world):
    before = stored()

    status, body = api.put(dialogue_path(world), {"title": "Survey"}, token=world.root)

    assert status == 422
    assert [(p["type"], p["path"]) for p in problems(body)] == [("required", "/sequences")]
    assert stored() == before


def test_put_by_a_reader_is_forbidden(api, world):
    before = stored()

    status, body = api.put(dialogue_path(world), {"title": "Mine", "sequences": []},
                           token=world.tokens["dialogue_reader"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before


# PATCH /projects/<id>/dialogues/<id>


def test_patch_applies_the_operations_through_one_patch_edit(api, world):
    operations = [{"op": "replace", "path": "/title", "value": "Patched"},
                  {"op": "add", "path": "/sequences/0/blocks/-", "value": {"id": "thanks", "type": "message"}},
                  {"op": "add", "path": "/sequences/-", "value": {"id": "end", "title": "End", "blocks": []}}]

    body = _ok(patch(api, dialogue_path(world), operations, world.root))

    sequences = [{**SEQUENCE, "blocks": [*SEQUENCE["blocks"], {"id": "thanks", "type": "message"}]},
                 {"id": "end", "title": "End", "blocks": []}]
    assert (body["title"], body["sequences"], body["revision_id"]) == ("Patched", sequences, "2")
    assert _ok(api.get(dialogue_path(world), token=world.root)) == body
    shown = revisions(api, world, world.dialogue)
    assert [item["number"] for item in shown] == [1, 2]
    assert shown[1]["properties"] == {"edit_type": "patch", "patch": operations}
    assert stored_dialogue(world, world.dialogue).head == 2


def test_patch_as_documented_replaces_the_sequences(api, world):
    operations = [{"op": "remove", "path": "/sequences/0"},
                  {"op": "add", "path": "/sequences",
                   "value": [{"id": "start", "title": "Start of sequence", "blocks": []}]}]

    body = _ok(patch(api, dialogue_path(world), operations, world.root))

    assert body["sequences"] == [{"id": "start", "title": "Start of sequence", "blocks": []}]


@pytest.mark.parametrize(("operations", "expected"), [
    ([{"op": "replace", "path": "/title", "value": "Half done"}, {"op": "remove", "path": "/sequences/5"}],
     [("patch", "/1")]),
    ([{"op": "replace", "path": "/title", "value": "Half done"},
      {"op": "test", "path": "/title", "value": "Survey"}], [("patch", "/1")]),
    ([{"op": "replace", "path": "/title", "value": "Half done"}, {"op": "remove", "path": "/title"}], None),
    ([{"op": "add", "path": "/id", "value": "5"}], None),
    ([{"op": "replace", "path": "/sequences/0/id", "value": "Not A Symbol"}], None),
    ([{"op": "jump", "path": "/title"}], None),
])
def test_patch_is_atomic_a_failing_operation_changes_nothing(api, world, operations, expected):
    release(api, world, world.dialogue, 1)
    before_body = _ok(api.get(dialogue_path(world), token=world.root))
    before_revisions = revisions(api, world, world.dialogue)
    before = stored()

    status, body = patch(api, dialogue_path(world), operations, world.root)

    assert status == 422
    if expected is not None:
        assert [(p["type"], p["path"]) for p in problems(body)] == expected
    else:
        assert problems(body)
    after = _ok(api.get(dialogue_path(world), token=world.root))
    assert after == before_body
    assert (after["title"], after["has_changes"]) == ("Survey", False)
    assert revisions(api, world, world.dialogue) == before_revisions
    assert stored() == before


def test_patch_by_a_reader_is_forbidden(api, world):
    before = stored()

    status, body = patch(api, dialogue_path(world), rename("Mine"), world.tokens["dialogue_reader"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before


# Archiving


def test_archive_through_put(api, world):
    current = _ok(api.get(dialogue_path(world), token=world.root))

    body = _ok(api.put(dialogue_path(world), {**current, "is_archived": True}, token=world.root))

    assert body == {**current, "is_archived": True, "revision_id": "2"}
    assert stored_dialogue(world, world.dialogue).is_archived is True
    listed = _ok(api.get(dialogues_path(world) + "?is_archived=true", token=world.root))
    assert [item["id"] for item in listed] == [world.dialogue]


def test_archive_and_restore_through_patch(api, world):
    archived = _ok(patch(api, dialogue_path(world), [{"op": "replace", "path": "/is_archived", "value": True}],
                         world.root))

    assert (archived["is_archived"], archived["revision_id"]) == (True, "2")
    assert _ok(api.get(dialogue_path(world), token=world.root))["is_archived"] is True
    assert stored_dialogue(world, world.dialogue).is_archived is True

    restored = _ok(patch(api, dialogue_path(world), [{"op": "replace", "path": "/is_archived", "value": False}],
                         world.root))

    assert (restored["is_archived"], restored["revision_id"]) == (False, "3")
    assert stored_dialogue(world, world.dialogue).is_archived is False


def test_archiving_needs_project_admin_while_writers_edit(api, world):
    before = stored()
    path = dialogue_path(world)

    status, body = patch(api, path, [{"op": "replace", "path": "/is_archived", "value": True}],
                         world.tokens["project_writer"])

    assert (status, body["type"]) == (403, "forbidden")
    assert stored() == before
    assert _ok(patch(api, path, rename("Edited"), world.tokens["project_writer"]))["title"] == "Edited"
    project_admin = _ok(patch(api, path, [{"op": "replace", "path": "/is_archived", "value": True}],
                              world.tokens["project_admin"]))
    assert project_admin["is_archived"] is True


# is_published and has_changes


def test_is_published_and_has_changes_follow_releases_and_edits(api, world):
    path = dialogue_path(world)
    assert flags(api, world, world.dialogue) == (False, False)

    release(api, world, world.dialogue, 1)
    assert flags(api, world, world.dialogue) == (True, False)

    _ok(patch(api, path, rename("Edited"), world.root))
    assert flags(api, world, world.dialogue) == (True, True)

    release(api, world, world.dialogue, 2)
    assert flags(api, world, world.dialogue) == (True, False)

    current = _ok(api.get(path, token=world.root))
    assert _ok(api.put(path, current, token=world.root))["has_changes"] is False
    assert flags(api, world, world.dialogue) == (True, False)

    release(api, world, world.dialogue, 1)
    assert flags(api, world, world.dialogue) == (True, True)
    item = stored_dialogue(world, world.dialogue)
    assert (item.release_count, item.released_revision, item.head) == (3, 1, 2)


def test_the_flags_of_the_write_responses_and_the_summary_agree(api, world):
    release(api, world, world.dialogue, 1)

    body = _ok(patch(api, dialogue_path(world), rename("Edited"), world.root))

    assert (body["is_published"], body["has_changes"]) == (True, True)
    [summary] = [item for item in _ok(api.get(dialogues_path(world), token=world.root))
                 if item["id"] == world.dialogue]
    assert (summary["is_published"], summary["has_changes"], summary["revision_id"]) == (True, True, "2")
    assert flags(api, world, world.second) == (False, False)


# Descriptions bigger than a DynamoDB item


def big_description(blocks=1000, title_chars=2000):
    """About blocks * title_chars bytes: one sequence of blocks with long titles."""
    return {"title": "Big survey", "is_archived": False, "sequences": [{
        "id": "start", "title": "Start", "blocks": [
            {"id": f"b{index}", "type": "question", "title": f"{index:05d} " + "q" * title_chars}
            for index in range(blocks)]}]}


def raw_item_size(world, dialogue_id):
    """The bytes of the dialogue's item as DynamoDB holds it (names and values)."""
    table = Dialogue.Meta.table_name
    item = boto3.client("dynamodb").get_item(
        TableName=table, Key={"project_id": {"N": str(world.project)}, "id": {"N": str(dialogue_id)}},
        ConsistentRead=True)["Item"]
    return len(json.dumps(item).encode())


def s3_document(bucket, key):
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def test_a_description_over_400_kb_round_trips_through_every_write_and_release(api, world, bucket):
    big = big_description()
    assert len(json.dumps(big)) > 2_000_000

    created = create(api, world, big)
    dialogue_id = created["id"]
    path = dialogue_path(world, dialogue_id)
    assert description(created) == big

    patched = _ok(patch(api, path, [{"op": "replace", "path": "/sequences/0/blocks/0/title", "value": "First"}],
                        world.root))
    expected = copy.deepcopy(big)
    expected["sequences"][0]["blocks"][0]["title"] = "First"
    assert description(patched) == expected
    assert patched["revision_id"] == "2"

    added = {"id": "last", "type": "message", "title": "L" * 3000}
    revision = _ok(api.post(path + "/revisions/", {"type": "edit", "properties": {
        "patch": [{"op": "add", "path": "/sequences/0/blocks/-", "value": added}]}}, token=world.root), 201)
    expected["sequences"][0]["blocks"].append(added)
    assert revision["number"] == 3

    released = release(api, world, dialogue_id, 3)
    shown = _ok(api.get(f"{path}/releases/{released['id']}", token=world.root))
    assert shown["revision_id"] == "3"
    assert shown["description"] == expected
    current = _ok(api.get(path, token=world.root))
    assert description(current) == expected
    assert (current["revision_id"], current["is_published"], current["has_changes"]) == ("3", True, False)

    item = stored_dialogue(world, dialogue_id)  # the base (as created) in S3, the two patches since in the tail
    key = item.base["s3"]
    assert re.fullmatch(rf"dialogues/{dialogue_id}/[0-9a-f]{{64}}\.json", key)
    data = s3_document(bucket, key)
    assert hashlib.sha256(data).hexdigest() == key.split("/")[-1].removesuffix(".json")
    assert (json.loads(data), item.base_number, len(item.tail)) == (big, 1, 2)
    assert descriptions.current(item) == expected
    assert raw_item_size(world, dialogue_id) < 8 * 1024
    assert all(len(json.dumps(entry.serialize()).encode()) < ITEM_LIMIT for entry in stored_revisions(dialogue_id))
    assert [entry.revision for entry in Release.query(int(dialogue_id))] == [3]


def test_a_big_description_replays_from_its_first_revision_and_an_earlier_release(api, world, bucket):
    big = big_description(blocks=400)
    dialogue_id = create(api, world, big)["id"]
    path = dialogue_path(world, dialogue_id)
    release(api, world, dialogue_id, 1)
    _ok(patch(api, path, [{"op": "remove", "path": "/sequences/0/blocks/0"}], world.root))

    [first] = revisions(api, world, dialogue_id, "?ordering=number&per_page=1")
    assert jsonpatch.apply_patch({}, first["properties"]["patch"]) == big
    assert _ok(api.get(f"{path}/releases/1", token=world.root))["description"] == big
    assert flags(api, world, dialogue_id) == (True, True)
    objects = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"dialogues/{dialogue_id}/")["Contents"]
    assert objects and all(re.fullmatch(rf"dialogues/{dialogue_id}/[0-9a-f]{{64}}\.json", entry["Key"])
                           for entry in objects)
    assert "s3" in stored_dialogue(world, dialogue_id).base
