"""The DynamoDB round trips of each /api/projects route's success path: at most 3 (a transaction or a BatchGetItem
counts as one) unless the route's contract names why it needs more (`round_trips_why`), and lists that do not grow
with what they list.

The justified exceptions, each with its reason in its contract and each a fixed number whatever the page or project
holds: the projects index (4 only when a private project of the caller's has other members) and a PUT of a project
naming as its numeric `creator` someone who is neither the caller nor a member (4). Every other route is held to 3
here, those two included (this scene has neither case).

Data stored before a route's shortcut costs more, and only that data: a session stored before its annotations were
copied onto the comments table (one Query more), and a project stored before it listed its members.

Not counted: the UpdateItem on the `counters` table by which a process reserves a block of 100 ids
(core/counters.py). A create pays it once per 100 ids of its kind in a process, not per request."""
import boto3
import pytest

from chalicelib.recordings import contracts as c
from chalicelib.recordings.models import Annotation, Comment, RecordedSession
from tests.round_trips import round_trips
from tests.unit.recordings.conftest import PARTICIPANTS, PROJECT, PROMPTS


class Scene:
    """A public project with a member who is not its creator, codes, a session, an annotation, a comment and a
    reply, and a private project of the owner's."""

    def __init__(self, api, owner, bucket):
        self.api, self.owner, self.bucket = api, owner, bucket
        self.member = api.sign_up("member@example.com", "Mia Member")
        assert api.post("/api/projects/", PROJECT, token=owner)[0] == 201
        assert api.post("/api/projects/", {**PROJECT, "title": "Secret", "privacy": "private"}, token=owner)[0] == 201
        assert api.post("/api/projects/1/membership/", token=self.member)[0] == 200
        for text in ("First tag", "Second tag"):
            assert api.post("/api/projects/1/codes/", {"text": text}, token=owner)[0] == 201
        self.sid = self.new_session()
        self.annotations = f"/api/projects/1/sessions/{self.sid}/annotations/"
        note = {"content": "Hello", "start_interval": 3, "end_interval": 10, "tags": [1, 2]}
        status, body = api.post(self.annotations, note, token=owner)
        assert status == 201, body
        self.aid = body["data"]["id"]
        self.comments = f"{self.annotations}{self.aid}/comments/"
        status, body = api.post(self.comments, {"content": "A comment"}, token=self.member)
        assert status == 201, body
        self.cid = body["data"]["id"]
        assert api.post(f"{self.comments}{self.cid}/", {"content": "A reply"}, token=owner)[0] == 201

    def upload(self) -> str:
        _, form = self.api.post("/api/projects/1/sessions/uploads/", token=self.owner)
        key = form["data"]["key"]
        boto3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=b"ID3-audio", ContentType="audio/mpeg")
        return key

    def new_session(self) -> str:
        status, body = self.api.post("/api/projects/1/sessions/", {
            "recording_key": self.upload(), "participants": PARTICIPANTS, "prompts": PROMPTS}, token=self.owner)
        assert status == 201, body
        return body["data"]["id"]


@pytest.fixture
def scene(api, owner, bucket):
    return Scene(api, owner, bucket)


def _routes(scene: Scene):
    """(contract, method, path, body or a function of the scene giving it, who): every route, on success."""
    s = scene
    note = {"content": "Changed", "start_interval": 1, "end_interval": 2, "tags": [1]}
    return [
        (c.INDEX, "GET", "/api/projects/", None, "anonymous"),
        (c.INDEX, "GET", "/api/projects/", None, "owner"),
        (c.INDEX, "GET", "/api/projects/", None, "member"),
        (c.SHOW, "GET", "/api/projects/1/", None, "anonymous"),
        (c.SHOW, "GET", "/api/projects/2/", None, "owner"),
        (c.CREATE, "POST", "/api/projects/", {**PROJECT, "title": "Another"}, "owner"),
        (c.UPDATE, "PUT", "/api/projects/1/", {"title": "Renamed", "topics": [{"text": "New", "is_active": 1}]},
         "owner"),
        (c.UPDATE, "PUT", "/api/projects/1/", {"creator": 1}, "owner"),  # the caller's number
        (c.UPDATE, "PUT", "/api/projects/1/", {"creator": 2}, "owner"),  # a member's
        (c.CODES, "GET", "/api/projects/1/codes/", None, "anonymous"),
        (c.CODES, "GET", "/api/projects/2/codes/", None, "owner"),
        (c.CREATE_CODE, "POST", "/api/projects/1/codes/", {"text": "Third"}, "member"),
        (c.UPLOAD, "POST", "/api/projects/1/sessions/uploads/", None, "member"),
        (c.CREATE_SESSION, "POST", "/api/projects/1/sessions/",
         lambda: {"recording_key": s.upload(), "participants": PARTICIPANTS, "prompts": PROMPTS}, "owner"),
        (c.SESSIONS, "GET", "/api/projects/1/sessions/", None, "anonymous"),
        (c.SESSIONS, "GET", "/api/projects/1/sessions/", None, "member"),
        (c.SHOW_SESSION, "GET", f"/api/projects/1/sessions/{s.sid}/", None, "anonymous"),
        (c.SHOW_SESSION, "GET", f"/api/projects/1/sessions/{s.sid}/", None, "member"),
        (c.ANNOTATIONS, "GET", s.annotations, None, "anonymous"),
        (c.CREATE_ANNOTATION, "POST", s.annotations, note, "member"),
        (c.SHOW_ANNOTATION, "GET", f"{s.annotations}{s.aid}/", None, "anonymous"),
        (c.UPDATE_ANNOTATION, "PUT", f"{s.annotations}{s.aid}/", note, "owner"),
        (c.UPDATE_ANNOTATION, "PUT", f"{s.annotations}{s.aid}/", {**note, "tags": None}, "owner"),  # tags kept
        (c.COMMENTS, "GET", s.comments, None, "anonymous"),
        (c.CREATE_COMMENT, "POST", s.comments, {"content": "More"}, "owner"),
        (c.SHOW_COMMENT, "GET", f"{s.comments}{s.cid}/", None, "anonymous"),
        (c.REPLY, "POST", f"{s.comments}{s.cid}/", {"content": "Again"}, "owner"),
        (c.UPDATE_COMMENT, "PUT", f"{s.comments}{s.cid}/", {"content": "Edited"}, "member"),
        (c.DELETE_COMMENT, "DELETE", f"{s.comments}{s.cid}/", None, "member"),
        (c.DELETE_ANNOTATION, "DELETE", f"{s.annotations}{s.aid}/", None, "owner"),
        (c.LEAVE, "DELETE", "/api/projects/1/membership/", None, "member"),
        (c.JOIN, "POST", "/api/projects/1/membership/", None, "member"),
        (c.DESTROY, "DELETE", "/api/projects/2/", None, "owner"),
    ]


def _tokens(scene: Scene) -> dict:
    return {"anonymous": None, "owner": scene.owner, "member": scene.member}


def _trips(api, aws_calls, method, path, body, token) -> int:
    sent = body() if callable(body) else body
    aws_calls.clear()
    status, answer = api.call(method, path, sent, token=token)
    assert 200 <= status < 300, (method, path, status, answer)
    return round_trips(aws_calls)


EXCEPTIONS = ["INDEX", "UPDATE"]


def test_only_the_named_exceptions_may_take_more_than_three():
    assert sorted(name for name, contract in vars(c).items() if getattr(contract, "round_trips", 3) > 3) == \
        sorted(EXCEPTIONS)


def test_each_route_takes_at_most_three_round_trips(api, scene, aws_calls):
    tokens = _tokens(scene)
    measured = [(method, path, who, _trips(api, aws_calls, method, path, body, tokens[who]))
                for _, method, path, body, who in _routes(scene)]
    over = [(method, path, who, trips) for method, path, who, trips in measured if trips > 3]
    assert not over, over


def test_a_creator_number_of_someone_outside_the_project_is_looked_up(api, scene, aws_calls):
    """The one case of UPDATE's 4th round trip: the number names no one already read (the caller or a member), so
    the number index is Queried."""
    api.sign_up("outsider@example.com", "Otto Outsider")  # account number 3
    assert _trips(api, aws_calls, "PUT", "/api/projects/1/", {"creator": 3}, scene.owner) == c.UPDATE.round_trips
    status, body = api.put("/api/projects/1/", {"creator": 99}, token=scene.owner)
    assert (status, body["meta"]["errors"]) == (400, ["USER_404"])


def _grow(scene: Scene, sessions: int) -> None:
    """More sessions, each annotated and commented, more members and more public projects."""
    api = scene.api
    for number in range(sessions):
        sid = scene.new_session()
        base = f"/api/projects/1/sessions/{sid}/annotations/"
        status, body = api.post(base, {"content": "n", "start_interval": 1, "end_interval": 2, "tags": [2]},
                                token=scene.owner)
        assert status == 201, body
        assert api.post(f"{base}{body['data']['id']}/comments/", {"content": "c"}, token=scene.member)[0] == 201
        assert api.post("/api/projects/", {**PROJECT, "title": f"More {number}"}, token=scene.owner)[0] == 201
        joiner = api.sign_up(f"joiner{number}@example.com", f"Joiner {number}")
        assert api.post("/api/projects/1/membership/", token=joiner)[0] == 200


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize("path", ["/api/projects/", "/api/projects/1/sessions/?limit=20"])
def test_a_listing_costs_the_same_however_much_it_lists(api, scene, aws_calls, path, who):
    token = _tokens(scene)[who]
    before = _trips(api, aws_calls, "GET", path, None, token)
    _grow(scene, 4)
    assert _trips(api, aws_calls, "GET", path, None, token) == before


def test_one_annotation_reads_only_its_own_comments(api, scene, aws_calls):
    """Comments on other annotations of the session are not read to show one annotation: its Query reads its
    comment, the reply and the annotation's own copy (models.annotation_copy)."""
    note = {"content": "Other", "start_interval": 1, "end_interval": 2}
    status, other = api.post(scene.annotations, note, token=scene.owner)
    assert status == 201, other
    for _ in range(5):
        assert api.post(f"{scene.annotations}{other['data']['id']}/comments/", {"content": "x"},
                        token=scene.owner)[0] == 201
    for path in (f"{scene.annotations}{scene.aid}/", scene.comments):
        aws_calls.clear()
        assert api.get(path)[0] == 200
        read = sum(len(answer.get("Items", [])) for answer in _comment_answers(aws_calls))
        assert read <= 3, (path, read)


def _comment_answers(calls):
    """The answers of the Queries made on the comments table (the recorder keeps parameters, not answers)."""
    client = boto3.client("dynamodb")
    for service, operation, params in list(calls):
        if service == "dynamodb" and operation == "Query" and params["TableName"].endswith("-comments"):
            yield client.query(**params)



def _stored_before_copies(sid: str) -> None:
    """Make a session what sessions stored before annotation copies are: no `annotations_copied`, and no copy of
    its annotations on the comments table."""
    RecordedSession(sid).update(actions=[RecordedSession.annotations_copied.remove()])
    for item in Comment.scan(filter_condition=Comment.kind.exists() & (Comment.session_id == sid)):
        item.delete()


def _without_urls(answer):
    """An answer without its presigned recording URLs (signed afresh on each read)."""
    data = answer["data"]
    for session in data if isinstance(data, list) else [data]:
        if isinstance(session, dict):
            session.pop("recording_url", None)
    return answer


def test_a_session_stored_before_annotation_copies_answers_the_same_for_one_round_trip_more(api, scene, aws_calls):
    paths = ["/api/projects/1/sessions/", f"/api/projects/1/sessions/{scene.sid}/", scene.annotations,
             f"{scene.annotations}{scene.aid}/", scene.comments]
    before = {path: (_trips(api, aws_calls, "GET", path, None, None), _without_urls(api.get(path)[1]))
              for path in paths}
    _stored_before_copies(scene.sid)

    for path in paths:
        trips = _trips(api, aws_calls, "GET", path, None, None)
        assert _without_urls(api.get(path)[1]) == before[path][1], path
        assert trips <= before[path][0] + 1, (path, trips)
    note = {"content": "Kept tags", "start_interval": 1, "end_interval": 2}
    assert _trips(api, aws_calls, "PUT", f"{scene.annotations}{scene.aid}/", note, scene.owner) <= 4
    status, body = api.put(f"{scene.annotations}{scene.aid}/", note, token=scene.owner)
    assert (status, [label["text"] for label in body["data"]["labels"]]) == (200, ["First tag", "Second tag"])
    assert len(body["data"]["comments"]) == 2  # the comment and its reply
    status, created = api.post(scene.annotations, note, token=scene.owner)
    assert status == 201, created
    assert api.delete(f"{scene.annotations}{created['data']['id']}/", token=scene.owner)[0] == 200
    assert list(Comment.scan(filter_condition=Comment.kind.exists() & (Comment.session_id == scene.sid))) == []
    assert [a["id"] for a in api.get(scene.annotations)[1]["data"]] == [scene.aid]


def test_an_annotations_copy_follows_each_of_its_writes(api, scene):
    """The copy on the comments table (models.annotation_copy) is written in the transaction of every write of the
    annotation, so the threads read from it are the annotation's."""
    def copy():
        return Comment.get(-scene.aid)

    assert (copy().content, list(copy().tags), copy().annotation_id) == ("Hello", [1, 2], scene.aid)
    note = {"content": "Changed", "start_interval": 4, "end_interval": 9, "tags": [2]}
    assert api.put(f"{scene.annotations}{scene.aid}/", note, token=scene.owner)[0] == 200
    assert (copy().content, copy().start_interval, copy().end_interval, list(copy().tags)) == ("Changed", 4, 9, [2])
    stored = Annotation.get(scene.aid)
    assert (copy().updated_at, copy().session_key) == (stored.updated_at, stored.session_key)
    assert api.delete(f"{scene.annotations}{scene.aid}/", token=scene.owner)[0] == 200
    assert copy().is_active is False
    assert api.get(scene.annotations)[1]["data"] == []
    assert api.get("/api/projects/1/sessions/")[1]["data"][0]["user_annotations"] == []
