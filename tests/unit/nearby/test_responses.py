"""/api/v04/requests/<id>/responses: presigned uploads, recording a response, the latest three on the
request, listing; and the followers' notifications and the push message."""
import base64
import json
import re

import boto3
import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.core.settings import get_settings
from chalicelib.identity import service as accounts
from chalicelib.nearby import responses
from chalicelib.nearby.models import EXPIRED, NearbyRequest, Notification, Response

PHOTO_BYTES = b"\xff\xd8\xff\xe0 a small jpeg"


@pytest.fixture
def push_queue(aws, settings_env):
    """The push topic, with an SQS queue subscribed to it: what the topic publishes lands there."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="platform-test-push")["TopicArn"]
    queue = sqs.create_queue(QueueName="push")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    settings_env(PUSH_TOPIC_ARN=topic)
    return queue


def upload(api, token, request_id=1, kind=0, data=PHOTO_BYTES, content_type="image/jpeg"):
    """The key of media put where an upload form of the request points (straight into moto)."""
    status, form = api.post(f"/api/v04/requests/{request_id}/responses/uploads", {"type": kind}, token=token)
    assert status == 201, form
    boto3.client("s3").put_object(Bucket=get_settings().media_bucket, Key=form["key"], Body=data,
                                  ContentType=content_type)
    return form["key"]


def respond(api, token, request_id=1, kind=0):
    key = upload(api, token, request_id, kind, content_type="image/jpeg" if kind == 0 else "video/mp4")
    status, body = api.post(f"/api/v04/requests/{request_id}/responses", {"key": key, "type": kind}, token=token)
    assert status == 201, body
    return body


@pytest.mark.parametrize(("kind", "prefix", "max_bytes"), [(0, "image/", 25 * 1024 * 1024),
                                                            (1, "video/", 500 * 1024 * 1024)])
def test_the_upload_form_is_a_presigned_post_for_one_photo_or_video(api, alice, bob, map_request, bucket, kind, prefix,
                                                                    max_bytes):
    status, form = api.post("/api/v04/requests/1/responses/uploads", {"type": kind}, token=bob)

    assert status == 201
    assert re.fullmatch(r"uploads/responses/1/[0-9a-f]{32}", form["key"])
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, max_bytes] in policy["conditions"]
    assert ["starts-with", "$Content-Type", prefix] in policy["conditions"]
    assert {"key": form["key"]} in policy["conditions"]
    assert all(t.startswith(prefix) for t in form["content_types"])


def test_a_response_is_recorded_once_its_media_is_uploaded(api, alice, bob, map_request, bucket):
    key = upload(api, bob)

    status, body = api.post("/api/v04/requests/1/responses", {"key": key, "type": 0}, token=bob)

    assert status == 201
    assert set(body) == {"responseId", "requestId", "type", "cardId", "media", "badge", "responder", "created"}
    assert (body["responseId"], body["requestId"], body["type"], body["badge"]) == (1, 1, 0, None)
    assert body["responder"] == {"userId": 2, "userName": "Bob Builder", "userAvatar": None}
    assert body["created"] == "2026-11-23T18:00:00.000Z"
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", body["cardId"])
    stored = Response.get(1, 1)
    assert re.fullmatch(r"responses/1/[0-9a-f]{32}", stored.media_key)
    assert stored.media_key in body["media"] and "X-Amz-Expires=3600" in body["media"]
    assert (stored.card_id, stored.responder_id) == (body["cardId"], accounts.by_number(2).id)
    # The media is kept out of staging, under its own key; the staged upload is gone.
    s3, bucket_name = boto3.client("s3"), get_settings().media_bucket
    kept = s3.get_object(Bucket=bucket_name, Key=stored.media_key)
    assert (kept["Body"].read(), kept["ContentType"]) == (PHOTO_BYTES, "image/jpeg")
    assert s3.list_objects_v2(Bucket=bucket_name, Prefix="uploads/")["KeyCount"] == 0


def test_an_upload_makes_one_response_only(api, alice, bob, map_request, bucket):
    key = upload(api, bob)
    assert api.post("/api/v04/requests/1/responses", {"key": key, "type": 0}, token=bob)[0] == 201

    assert api.post("/api/v04/requests/1/responses", {"key": key, "type": 0}, token=bob) == (
        400, {"error": "RESPONSE_MEDIA_NOT_UPLOADED"})
    assert Response.count(1) == 1 and NearbyRequest.get(1).response_count == 1


def test_the_request_counts_its_responses_and_shows_the_newest_three(api, alice, bob, map_request, bucket,
                                                                    fixed_clock):
    cards = []
    for n in range(4):
        fixed_clock.advance(minutes=1)
        cards.append(respond(api, api.sign_in("bob@example.com"), kind=n % 2)["cardId"])

    _, shown = api.get("/api/v04/requests/1", token=api.sign_in("alice@example.com"))

    assert shown["responseCount"] == 4
    assert [d["cardId"] for d in shown["discoverResponses"]] == cards[:0:-1]
    assert [d["type"] for d in shown["discoverResponses"]] == [1, 0, 1]
    assert all(d["badge"] is None and "responses/1/" in d["media"] for d in shown["discoverResponses"])
    _, listed = api.get("/api/v04/requests/1/responses", token=api.sign_in("alice@example.com"))
    assert [r["cardId"] for r in listed] == cards[::-1]


def test_a_response_written_from_a_stale_read_retries_and_keeps_both(api, alice, bob, map_request, bucket):
    stale = NearbyRequest.get(1)
    first = respond(api, bob)
    key = upload(api, bob)

    response = responses.create(stale, accounts.by_number(2), key, 0)

    request = NearbyRequest.get(1)
    assert request.response_count == 2
    assert [d.card_id for d in request.discover] == [response.card_id, first["cardId"]]


def test_the_responses_of_a_request_start_empty(api, alice, map_request):
    assert api.get("/api/v04/requests/1/responses", token=alice) == (200, [])


@pytest.mark.parametrize(("body", "code"), [
    ({"key": "uploads/responses/1/" + "0" * 32, "type": 0}, "RESPONSE_MEDIA_NOT_UPLOADED"),
    ({"key": "responses/1/" + "0" * 32, "type": 0}, "RESPONSE_KEY_INVALID"),
    ({"key": "uploads/responses/2/" + "0" * 32, "type": 0}, "RESPONSE_KEY_INVALID"),
    ({"key": "uploads/recordings/1/" + "0" * 32, "type": 0}, "RESPONSE_KEY_INVALID"),
    ({"key": "uploads/responses/1/../2/" + "0" * 32, "type": 0}, "RESPONSE_KEY_INVALID"),
    ({"key": "uploads/responses/1/", "type": 0}, "RESPONSE_KEY_INVALID"),
    ({"key": "uploads/responses/1/" + "0" * 32, "type": 2}, "INVALID_RESPONSE_TYPE"),
    ({"key": "uploads/responses/1/" + "0" * 32, "type": "0"}, "INVALID_RESPONSE_TYPE"),
    ({"key": "uploads/responses/1/" + "0" * 32, "type": True}, "INVALID_RESPONSE_TYPE"),
    ({"key": "uploads/responses/1/" + "0" * 32}, "REQUIRED_FIELD_MISSING"),
    ({"key": " ", "type": 0}, "REQUIRED_FIELD_MISSING"),
    ({"key": 5, "type": 0}, "REQUIRED_FIELD_MISSING"),
    ({"type": 0}, "REQUIRED_FIELD_MISSING"),
])
def test_a_response_is_refused_with_its_code(api, alice, bob, map_request, bucket, body, code):
    assert api.post("/api/v04/requests/1/responses", body, token=bob) == (400, {"error": code})
    assert Response.count(1) == 0 and NearbyRequest.get(1).response_count == 0


@pytest.mark.parametrize("body", [{}, {"type": 3}, {"type": None}])
def test_the_upload_form_needs_a_type(api, alice, bob, map_request, bucket, body):
    assert api.post("/api/v04/requests/1/responses/uploads", body, token=bob)[0] == 400


def test_media_larger_than_allowed_or_of_the_other_type_is_refused(api, alice, bob, map_request, bucket, monkeypatch):
    too_large = upload(api, bob)
    video = upload(api, bob, content_type="video/mp4")
    monkeypatch.setitem(responses.MAX_BYTES, 0, len(PHOTO_BYTES) - 1)

    assert api.post("/api/v04/requests/1/responses", {"key": too_large, "type": 0}, token=bob) == (
        400, {"error": "RESPONSE_MEDIA_TOO_LARGE"})
    monkeypatch.undo()
    assert api.post("/api/v04/requests/1/responses", {"key": video, "type": 0}, token=bob) == (
        400, {"error": "RESPONSE_MEDIA_WRONG_TYPE"})
    assert Response.count(1) == 0


def test_an_expired_request_takes_no_responses(api, alice, bob, map_request, bucket, fixed_clock):
    key = upload(api, bob)
    fixed_clock.advance(days=7)
    bob = api.sign_in("bob@example.com")

    assert api.post("/api/v04/requests/1/responses", {"key": key, "type": 0}, token=bob) == (
        400, {"error": "REQUEST_EXPIRED"})
    assert api.post("/api/v04/requests/1/responses/uploads", {"type": 0}, token=bob) == (
        400, {"error": "REQUEST_EXPIRED"})
    assert Response.count(1) == 0


def test_a_request_the_expiry_job_closed_after_the_read_is_not_answered(api, alice, bob, map_request, bucket):
    stale = NearbyRequest.get(1)
    key = upload(api, bob)
    NearbyRequest.get(1).update(actions=[NearbyRequest.status.set(EXPIRED)])

    with pytest.raises(BadRequest) as refused:
        responses.create(stale, accounts.by_number(2), key, 0)

    assert refused.value.code == "REQUEST_EXPIRED"
    assert Response.count(1) == 0 and NearbyRequest.get(1).response_count == 0


def test_a_direct_request_takes_responses_only_from_its_people(api, alice, bob, carol, bucket):
    api.post("/api/v04/requests", {"message": "psst", "receiverUI": 2}, token=alice)
    key = upload(api, bob)

    assert api.post("/api/v04/requests/1/responses/uploads", {"type": 0}, token=carol) == (
        404, {"error": "REQUEST_NOT_FOUND"})
    assert api.post("/api/v04/requests/1/responses", {"key": key, "type": 0}, token=carol) == (
        404, {"error": "REQUEST_NOT_FOUND"})
    assert api.get("/api/v04/requests/1/responses", token=carol) == (404, {"error": "REQUEST_NOT_FOUND"})
    assert respond(api, bob)["requestId"] == 1


def test_unknown_requests_bad_json_and_missing_tokens(api, alice, bob, map_request, bucket):
    assert api.post("/api/v04/requests/9/responses/uploads", {"type": 0}, token=bob) == (
        404, {"error": "REQUEST_NOT_FOUND"})
    assert api.get("/api/v04/requests/x/responses", token=bob) == (404, {"error": "REQUEST_NOT_FOUND"})
    assert api.get("/api/v04/notifications") == (401, {"error": "AUTH_TOKEN_MISSING"})
    assert api.call("POST", "/api/v04/requests/1/responses", raw="{", token=bob) == (400, {"error": "INVALID_JSON"})


def test_followers_but_the_responder_are_notified_newest_first(api, alice, bob, carol, map_request, bucket,
                                                               fixed_clock):
    for token in (bob, carol):
        assert api.get("/api/v04/requests/follow/1", token=token)[0] == 204
    first = respond(api, bob)
    fixed_clock.advance(minutes=1)
    second = respond(api, api.sign_in("bob@example.com"))

    status, listed = api.get("/api/v04/notifications", token=api.sign_in("carol@example.com"))

    assert status == 200
    assert [(n["requestId"], n["responseId"]) for n in listed] == [(1, second["responseId"]), (1, first["responseId"])]
    assert listed[0]["created"] == "2026-11-23T18:01:00.000Z" and listed[0]["notificationId"]
    assert api.get("/api/v04/notifications", token=api.sign_in("bob@example.com")) == (200, [])
    assert api.get("/api/v04/notifications", token=api.sign_in("alice@example.com")) == (200, [])
    [kept] = Notification.query(accounts.by_number(3).id, limit=1)
    assert (kept.remove_at - kept.created_at).days == 30


def test_a_new_response_is_published_to_the_push_topic(api, alice, bob, carol, map_request, bucket, push_queue):
    api.get("/api/v04/requests/follow/1", token=carol)

    body = respond(api, bob)

    messages = boto3.client("sqs").receive_message(QueueUrl=push_queue, MaxNumberOfMessages=10,
                                                   MessageAttributeNames=["All"])["Messages"]
    assert [json.loads(m["Body"]) for m in messages] == [{"event": "nearby.response", "requestId": 1,
                                                          "responseId": body["responseId"], "type": 0,
                                                          "cardId": body["cardId"]}]
    assert messages[0]["MessageAttributes"]["requestId"]["StringValue"] == "1"


def test_a_failed_publish_is_logged_and_the_response_stands(api, alice, bob, map_request, bucket, settings_env,
                                                           log_lines):
    settings_env(PUSH_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:no-such-topic")

    body = respond(api, bob)

    assert body["responseId"] == 1 and NearbyRequest.get(1).response_count == 1
    [line] = [line for line in log_lines() if line["level"] == "ERROR"]
    assert "push of response 1" in line["message"] and "exception" in line
