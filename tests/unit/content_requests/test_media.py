"""Files of a content request: upload forms, completion (every file checked in S3) and the owner's listing."""
import base64
import json
import re
from datetime import timedelta

import boto3
import pytest

from chalicelib.content_requests import media
from chalicelib.content_requests.models import ContentRequest, MediaFile
from chalicelib.core.errors import ApiError
from chalicelib.core.mail import Email
from tests.unit.content_requests.conftest import BASE

FORM = {"name": "cake.png", "format_type": "png", "media_type": "photo", "size": 64}
UNKNOWN = "0123456789abcdef"
SUCCESS = (200, {"success": True})


def upload(api, token, **changes):
    return api.post(f"{BASE}/{token}/uploads", {**FORM, **changes})


def complete(api, token, files):
    return api.put(f"{BASE}/{token}/complete", {"media_files": files})


def policy(form):
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def stored():
    return {int(r.id): r.attribute_values for r in ContentRequest.scan(consistent_read=True)}


def keys_under(bucket, prefix):
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def kept_key(sent):
    return MediaFile.get(1, sent["s3_key"]).stored_key


def refused(param, message, status=422):
    return status, {"errors": [{"param": param, "message": message}]}


def closed(message):
    return refused("status", message, 409)


class Nothing:
    """What a completion could change, read now; `.unchanged()` says whether it still holds."""

    def __init__(self, outbox):
        self.outbox = outbox
        self.requests = stored()

    def unchanged(self):
        return (stored() == self.requests and self.outbox.sent == []
                and all(item.received_at is None for item in MediaFile.scan()))


# --- upload forms ---

def test_upload_form_is_a_presigned_post_for_one_key_of_the_stated_size(api, create, bucket, fixed_clock):
    token = create()["token"]

    status, form = upload(api, token)

    assert status == 201
    assert set(form) == {"url", "fields", "s3_key", "expires_in"} and form["expires_in"] == 3600
    assert re.fullmatch(r"uploads/content-requests/1/[0-9a-f]{32}\.png", form["s3_key"])
    assert bucket in form["url"]
    assert form["fields"]["key"] == form["s3_key"] and form["fields"]["Content-Type"] == "image/png"
    conditions = policy(form)["conditions"]
    assert ["content-length-range", 1, 64] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"key": form["s3_key"]} in conditions and {"bucket": bucket} in conditions
    item = MediaFile.get(1, form["s3_key"])
    assert (item.name, item.format_type, item.media_type, int(item.size)) == ("cake.png", "png", "photo", 64)
    assert (item.issued_at, item.received_at) == (fixed_clock.now(), None)
    assert item.forget_at == fixed_clock.now() + timedelta(days=2)
    assert len({upload(api, token)[1]["s3_key"] for _ in range(3)} | {form["s3_key"]}) == 4  # a key for each form
    assert MediaFile.count(1) == 4


def test_upload_form_gives_each_accepted_extension_its_one_type(api, create, bucket):
    # Other extensions (raw, mkv, svg ...) are refused: tests/unit/content_requests/test_upload_limits.py.
    token = create()["token"]

    for changes, suffix, condition in [
        ({"format_type": "jpg"}, ".jpg", {"Content-Type": "image/jpeg"}),
        ({"format_type": ".PNG"}, ".png", {"Content-Type": "image/png"}),
        ({"format_type": "mp4", "media_type": "video"}, ".mp4", {"Content-Type": "video/mp4"}),
        ({"format_type": "MOV", "media_type": "video"}, ".mov", {"Content-Type": "video/quicktime"}),
        ({"size": 50 * 1024 * 1024}, ".png", ["content-length-range", 1, 50 * 1024 * 1024]),  # a photo's most
    ]:
        status, form = upload(api, token, **changes)
        assert status == 201, changes
        assert form["s3_key"].endswith(suffix), changes
        assert condition in policy(form)["conditions"], changes
        if isinstance(condition, dict):
            assert form["fields"].get("Content-Type") == condition["Content-Type"], changes


def test_upload_form_refuses_invalid_fields_and_records_nothing(api, create):
    token = create()["token"]

    for changes, errors in [
        ({"name": None}, [("name", "Missing parameter")]),
        ({"name": 5}, [("name", "Must be a String")]),
        ({"name": "  "}, [("name", "Must not be blank")]),
        ({"format_type": 5}, [("format_type", "Must be a String")]),
        ({"format_type": "p n g"}, [("format_type", "Must be a file extension such as png or mp4")]),
        ({"media_type": "audio"}, [("media_type", "Must be one of: photo, video.")]),
        ({"media_type": None}, [("media_type", "Missing parameter")]),
        ({"size": "64"}, [("size", "Must be a Integer")]),
        ({"size": 64.5}, [("size", "Must be a Integer")]),
        ({"size": True}, [("size", "Must be a Integer")]),
        ({"size": 0}, [("size", "Must be at least 1")]),
        ({"size": None}, [("size", "Missing parameter")]),
        ({"size": 50 * 1024 * 1024 + 1}, [("size", "Must be at most 52428800 for a photo")]),
        ({"size": 1024 ** 3 + 1, "media_type": "video", "format_type": "mp4"},
         [("size", "Must be at most 1073741824 for a video")]),
        ({"name": 1, "format_type": None, "media_type": "gif", "size": "big"},
         [("name", "Must be a String"), ("format_type", "Missing parameter"),
          ("media_type", "Must be one of: photo, video."), ("size", "Must be a Integer")]),
    ]:
        assert upload(api, token, **changes) == (
            422, {"errors": [{"param": p, "message": m} for p, m in errors]}), changes
    assert api.post(f"{BASE}/{token}/uploads", [FORM]) == refused("body", "Must be a Hash")
    assert api.call("POST", f"{BASE}/{token}/uploads", raw="{") == refused(
        "body", "Invalid JSON: Expecting property name enclosed in double quotes (line 1, column 2)", 400)
    assert MediaFile.count() == 0


def test_upload_form_is_refused_for_canceled_completed_and_expired_requests(api, owner, create, send, bucket,
                                                                           fixed_clock):
    canceled, completed, expiring = create()["token"], create()["token"], create(expiration_date="2026/11/23")["token"]
    assert api.put(f"{BASE}/1", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    assert complete(api, completed, [send(completed)]) == SUCCESS
    fixed_clock.advance(hours=12)  # 2026-11-24 00:00: the third request's day is over
    issued = MediaFile.count()

    assert upload(api, canceled) == closed("The content request was canceled")
    assert upload(api, completed) == closed("The content request was already completed")
    assert upload(api, expiring) == closed("The content request has expired")
    assert MediaFile.count() == issued


def test_upload_form_is_open_through_the_end_of_the_expiration_day(api, create, bucket, fixed_clock):
    token = create()["token"]  # expiration 2026/12/01
    fixed_clock.advance(days=8, hours=11, minutes=59, seconds=59)  # 2026-12-01 23:59:59 UTC

    assert upload(api, token)[0] == 201
    fixed_clock.advance(seconds=1)
    assert upload(api, token) == closed("The content request has expired")
    assert MediaFile.count() == 1


def test_upload_form_for_an_unknown_token_is_404(api, create):
    create()

    for segment in (UNKNOWN, "1", "not-a-token"):
        assert upload(api, segment) == refused("token", "Not found", 404), segment
    assert MediaFile.count() == 0


# --- completion ---

def test_completion_completes_a_one_time_request(api, owner, create, send, fixed_clock):
    token = create()["token"]
    sent = {**send(token), "note": "The cake before it was cut"}
    fixed_clock.advance(minutes=5)

    assert complete(api, token, [sent]) == SUCCESS

    request = ContentRequest.get(1)
    assert (request.status, request.expiring, request.shelf) == ("completed", None, f"{request.owner_id}#closed")
    assert (int(request.file_count), request.updated_at) == (1, fixed_clock.now())
    item = MediaFile.get(1, sent["s3_key"])
    assert (item.name, item.format_type, item.media_type, int(item.size), item.note) == (
        "file", "png", "photo", 64, "The cake before it was cut")
    assert (item.received_at, item.forget_at) == (fixed_clock.now(), None)
    assert api.get(f"{BASE}/{token}")[1]["status"] == "completed"
    assert [r["status"] for r in api.get(f"{BASE}?pending=false", token=owner)[1]["content_requests"]] == [
        "completed"]
    assert api.get(f"{BASE}?pending=true", token=owner)[1] == {"content_requests": [], "meta": {"total_count": 0}}


def test_completion_emails_the_owner(api, create, send, outbox):
    token = create()["token"]

    assert complete(api, token, [send(token)]) == SUCCESS

    assert outbox.sent == [Email(
        "owner@example.com", "Rita Recipient sent 1 file for \u201cGarden party\u201d",
        "Rita Recipient answered your content request \u201cGarden party\u201d with 1 file. "
        "Open the request to see them.\n")]


def test_a_multi_use_request_stays_pending_and_gathers_files(api, owner, create, send, outbox, fixed_clock):
    token = create(time_type="multi_use")["token"]

    assert complete(api, token, [send(token)]) == SUCCESS
    fixed_clock.advance(minutes=1)
    assert complete(api, token, [send(token, media_type="video", format_type="mp4", content_type="video/mp4"),
                                 send(token)]) == SUCCESS

    request = ContentRequest.get(1)
    assert (request.status, request.expiring, int(request.file_count)) == ("pending", "pending", 3)
    assert api.get(f"{BASE}/{token}")[1]["status"] == "pending"
    assert [e.subject for e in outbox.sent] == ["Rita Recipient sent 1 file for \u201cGarden party\u201d",
                                                "Rita Recipient sent 2 files for \u201cGarden party\u201d"]
    listing = api.get(f"{BASE}/1/media_files", token=owner)[1]
    assert listing["meta"] == {"total_count": 3}
    # in the order they arrived, and within one completion in the order it listed them
    assert [f["media_type"] for f in listing["media_files"]] == ["photo", "video", "photo"]


def test_completion_is_refused_for_canceled_completed_and_expired_requests(api, owner, create, send, outbox,
                                                                          fixed_clock):
    canceled, completed, expiring = create()["token"], create()["token"], create(expiration_date="2026/11/23")["token"]
    files = {token: send(token) for token in (canceled, completed, expiring)}
    assert api.put(f"{BASE}/1", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    second = send(completed)
    assert complete(api, completed, [files[completed]]) == SUCCESS
    outbox.sent.clear()
    fixed_clock.advance(hours=12)
    nothing = Nothing(outbox)

    assert complete(api, canceled, [files[canceled]]) == closed("The content request was canceled")
    assert complete(api, completed, [second]) == closed("The content request was already completed")
    assert complete(api, expiring, [files[expiring]]) == closed("The content request has expired")
    assert stored() == nothing.requests and outbox.sent == []
    assert [item.s3_key for item in MediaFile.scan() if item.received_at] == [files[completed]["s3_key"]]


def test_completion_keeps_each_file_out_of_staging_under_a_key_of_its_own(api, create, send, bucket):
    token = create(time_type="multi_use")["token"]
    photo = send(token)
    video = send(token, data=b"v" * 100, media_type="video", format_type="mp4", content_type="video/mp4")

    assert complete(api, token, [photo, video]) == SUCCESS

    s3 = boto3.client("s3")
    for sent, data, content_type in [(photo, b"\x89PNG" + b"0" * 60, "image/png"), (video, b"v" * 100, "video/mp4")]:
        key = kept_key(sent)
        assert re.fullmatch(rf"content-requests/1/[0-9a-f]{{32}}\.{sent['format_type']}", key)
        kept = s3.get_object(Bucket=bucket, Key=key)
        assert (kept["Body"].read(), kept["ContentType"]) == (data, content_type)
    assert keys_under(bucket, "uploads/") == []
    assert keys_under(bucket, "content-requests/") == sorted([kept_key(photo), kept_key(video)])


@pytest.mark.parametrize(("time_type", "refusal"), [
    ("multi_use", (422, [{"param": "media_files[1][s3_key]", "message": "Was already sent"}])),
    ("one_time", (409, [{"param": "status", "message": "The content request was already completed"}]))])
def test_a_completion_whose_upload_another_claimed_meanwhile_is_refused_and_removes_nothing_of_it(
        api, create, send, bucket, outbox, monkeypatch, time_type, refusal):
    token = create(time_type=time_type)["token"]
    other, sent = send(token), send(token)
    request = ContentRequest.get(1)
    assert complete(api, token, [sent]) == SUCCESS
    winner = kept_key(sent)
    monkeypatch.setattr(media, "_checked", lambda *_: ([], "image/png"))  # checks passed before the other claimed it

    with pytest.raises(ApiError) as error:
        media.complete(request, [media.sent_file(other), media.sent_file(sent)])

    assert (error.value.status, error.value.errors) == refusal
    assert keys_under(bucket, "") == sorted([winner, other["s3_key"]]) and kept_key(sent) == winner
    assert int(ContentRequest.get(1).file_count) == 1


def test_a_completion_that_read_the_request_before_another_closed_it_is_409(api, owner, create, send, outbox,
                                                                           bucket):
    one_time, canceled = create()["token"], create()["token"]
    first, late, too_late = send(one_time), send(one_time), send(canceled)
    stale_one_time, stale_canceled = ContentRequest.get(1), ContentRequest.get(2)
    assert complete(api, one_time, [first]) == SUCCESS
    assert api.put(f"{BASE}/2", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200
    before, emails = stored(), list(outbox.sent)

    for stale, sent, message in [(stale_one_time, late, "The content request was already completed"),
                                 (stale_canceled, too_late, "The content request was canceled")]:
        with pytest.raises(ApiError) as refusal:  # as a concurrent completion would: checks passed, write refused
            media.complete(stale, [media.sent_file(sent)])
        assert (refusal.value.status, refusal.value.errors) == (409, [{"param": "status", "message": message}])
    assert stored() == before and outbox.sent == emails
    assert [item.s3_key for item in MediaFile.scan() if item.received_at] == [first["s3_key"]]
    # The refused completions kept no copy; their uploads stay staged for the lifecycle rule.
    assert keys_under(bucket, "content-requests/") == [kept_key(first)]
    assert keys_under(bucket, "uploads/") == sorted([late["s3_key"], too_late["s3_key"]])


def test_completion_for_an_unknown_token_is_404(api, create, send):
    token = create()["token"]
    sent = send(token)

    for segment in (UNKNOWN, "1"):
        assert complete(api, segment, [sent]) == refused("token", "Not found", 404), segment
    assert MediaFile.get(1, sent["s3_key"]).received_at is None


def test_an_unknown_token_is_404_before_the_body_is_checked(api, create, send):
    """The body is read before the token, to name its files in the completion's one read, but its errors come after
    an unknown token's, as they always did."""
    token = create()["token"]
    send(token)

    for body in ({"media_files": []}, {"media_files": [{"s3_key": 3}]}, {}, [1]):
        assert api.put(f"{BASE}/{UNKNOWN}/complete", body) == refused("token", "Not found", 404), body


# --- completion: files that do not hold ---

def test_a_key_never_issued_or_issued_to_another_request_is_refused(api, create, send, bucket, outbox):
    token, other = create()["token"], create()["token"]
    theirs = send(other)
    boto3.client("s3").put_object(Bucket=bucket, Key="content-requests/1/made-up.png",
                                  Body=b"x" * 64, ContentType="image/png")
    nothing = Nothing(outbox)
    message = "Was not issued by this request's upload route"

    assert complete(api, token, [theirs]) == refused("media_files[0][s3_key]", message)
    assert complete(api, token, [{**theirs, "s3_key": "content-requests/1/made-up.png"}]) == refused(
        "media_files[0][s3_key]", message)
    assert nothing.unchanged()


def test_a_key_whose_file_was_never_uploaded_is_refused(api, create, bucket, outbox):
    token = create()["token"]
    key = upload(api, token)[1]["s3_key"]
    nothing = Nothing(outbox)

    assert complete(api, token, [{"name": "cake", "s3_key": key, "format_type": "png", "media_type": "photo",
                                  "size": 64}]) == refused("media_files[0][s3_key]",
                                                           "No file was uploaded under this key")
    assert nothing.unchanged()


def test_a_size_that_differs_from_the_uploaded_file_is_refused(api, create, send, outbox):
    token = create()["token"]
    sent = send(token)  # 64 bytes
    larger = send(token, size=10)  # 64 bytes where the form allowed 10
    nothing = Nothing(outbox)

    assert complete(api, token, [{**sent, "size": 63}]) == refused(
        "media_files[0][size]", "Does not match the uploaded file (64 bytes)")
    assert complete(api, token, [{**sent, "size": 65}]) == refused(
        "media_files[0][size]", "Does not match the uploaded file (64 bytes)")
    assert complete(api, token, [larger]) == refused(
        "media_files[0][size]", "The uploaded file is larger than its upload form allowed")
    assert nothing.unchanged()


def test_a_file_stored_with_a_type_not_of_its_media_is_refused(api, create, send, outbox):
    token = create()["token"]
    text = send(token, content_type="text/plain")
    video = send(token, content_type="video/mp4")
    nothing = Nothing(outbox)

    for sent in (text, video):
        assert complete(api, token, [sent]) == refused(
            "media_files[0][media_type]", "Does not match the uploaded file's type"), sent
    assert nothing.unchanged()


def test_a_media_or_format_type_that_differs_from_the_upload_form_is_refused(api, create, send, outbox):
    token = create()["token"]
    sent = send(token)
    nothing = Nothing(outbox)

    assert complete(api, token, [{**sent, "media_type": "video"}]) == refused(
        "media_files[0][media_type]", "Does not match the upload form (photo)")
    assert complete(api, token, [{**sent, "format_type": "mp4"}]) == refused(
        "media_files[0][format_type]", "Does not match the upload form (png)")
    assert nothing.unchanged()


def test_a_key_listed_twice_is_refused(api, create, send, outbox):
    token = create(time_type="multi_use")["token"]
    sent = send(token)
    nothing = Nothing(outbox)

    assert complete(api, token, [sent, {**sent, "name": "again"}]) == refused(
        "media_files[1][s3_key]", "Is listed twice")
    assert nothing.unchanged()


def test_a_key_sent_by_an_earlier_completion_is_refused(api, create, send, outbox):
    token = create(time_type="multi_use")["token"]
    first, second = send(token), send(token)
    assert complete(api, token, [first]) == SUCCESS
    before, received_at = stored(), MediaFile.get(1, first["s3_key"]).received_at

    assert complete(api, token, [second, first]) == refused("media_files[1][s3_key]", "Was already sent")
    assert stored() == before and int(ContentRequest.get(1).file_count) == 1
    assert MediaFile.get(1, first["s3_key"]).received_at == received_at
    assert MediaFile.get(1, second["s3_key"]).received_at is None
    assert len(api.get(f"{BASE}/1/media_files", token=api.sign_in("owner@example.com"))[1]["media_files"]) == 1


def test_one_bad_file_records_none_of_the_files(api, create, send, outbox):
    token = create()["token"]
    good, bad = send(token), send(token)
    nothing = Nothing(outbox)

    assert complete(api, token, [good, {**bad, "size": 1}]) == refused(
        "media_files[1][size]", "Does not match the uploaded file (64 bytes)")
    assert nothing.unchanged()
    assert complete(api, token, [good, bad]) == SUCCESS


def test_every_failing_file_is_named(api, create, send, outbox):
    token = create()["token"]
    first, second = send(token), send(token)
    nothing = Nothing(outbox)

    assert complete(api, token, [{**first, "size": 2}, {**second, "s3_key": "content-requests/1/none.png"}]) == (
        422, {"errors": [
            {"param": "media_files[0][size]", "message": "Does not match the uploaded file (64 bytes)"},
            {"param": "media_files[1][s3_key]", "message": "Was not issued by this request's upload route"}]})
    assert nothing.unchanged()


# --- completion: the body's shape ---

def test_media_files_must_be_a_non_empty_array_of_hashes(api, create, send, outbox):
    token = create()["token"]
    sent = send(token)
    nothing = Nothing(outbox)

    for body, expected in [
        ({}, refused("media_files", "Missing parameter")),
        ({"media_files": None}, refused("media_files", "Missing parameter")),
        ([sent], refused("media_files", "Missing parameter")),
        (None, refused("media_files", "Missing parameter")),
        ({"media_files": sent}, refused("media_files", "Must be an Array of nested elements")),
        ({"media_files": "file"}, refused("media_files", "Must be an Array of nested elements")),
        ({"media_files": 3}, refused("media_files", "Must be an Array of nested elements")),
        ({"media_files": []}, refused("media_files", "Must not be empty")),
        ({"media_files": ["file"]}, refused("media_files[0]", "Must be a Hash")),
        ({"media_files": [sent, [sent]]}, refused("media_files[1]", "Must be a Hash")),
        ({"media_files": [sent] * 51}, refused("media_files", "Must hold at most 50 files")),
    ]:
        assert api.put(f"{BASE}/{token}/complete", body) == expected, body
    assert api.call("PUT", f"{BASE}/{token}/complete", raw="[1,") == refused(
        "body", "Invalid JSON: Expecting value (line 1, column 4)", 400)
    assert nothing.unchanged()


def test_each_media_file_field_is_checked(api, create, send, outbox):
    token = create()["token"]
    sent, other = send(token), send(token)  # both issued first: a form counts on the request (its upload caps)
    nothing = Nothing(outbox)

    def without(name):
        return {k: v for k, v in sent.items() if k != name}

    for entry, field, message in [
        ({**sent, "name": 5}, "name", "Must be a String"),
        ({**sent, "name": " "}, "name", "Must not be blank"),
        (without("name"), "name", "Missing parameter"),
        ({**sent, "s3_key": 5}, "s3_key", "Must be a String"),
        (without("s3_key"), "s3_key", "Missing parameter"),
        ({**sent, "format_type": ["png"]}, "format_type", "Must be a String"),
        (without("format_type"), "format_type", "Missing parameter"),
        ({**sent, "media_type": "audio"}, "media_type", "Must be one of: photo, video."),
        ({**sent, "media_type": 1}, "media_type", "Must be one of: photo, video."),
        (without("media_type"), "media_type", "Missing parameter"),
        ({**sent, "size": "64"}, "size", "Must be a Integer"),
        ({**sent, "size": 64.0}, "size", "Must be a Integer"),
        ({**sent, "size": False}, "size", "Must be a Integer"),
        ({**sent, "size": 0}, "size", "Must be at least 1"),
        (without("size"), "size", "Missing parameter"),
        ({**sent, "note": 5}, "note", "Must be a String"),
    ]:
        assert complete(api, token, [entry]) == refused(f"media_files[0][{field}]", message), entry
    assert complete(api, token, [sent, {**other, "size": "1", "media_type": "gif"}]) == (422, {"errors": [
        {"param": "media_files[1][media_type]", "message": "Must be one of: photo, video."},
        {"param": "media_files[1][size]", "message": "Must be a Integer"}]})
    assert nothing.unchanged()


# --- the owner's listing of what was sent ---

def test_the_owner_lists_the_files_sent(api, owner, create, send, fixed_clock):
    token = create(time_type="multi_use")["token"]
    first = {**send(token), "name": "cake", "note": "Before"}
    send(token)  # issued and uploaded, never named by a completion
    assert complete(api, token, [first]) == SUCCESS
    fixed_clock.advance(minutes=1)
    second = send(token, media_type="video", format_type="mp4", content_type="video/mp4", data=b"v" * 100)
    assert complete(api, token, [second]) == SUCCESS

    status, body = api.get(f"{BASE}/1/media_files", token=owner)

    assert status == 200
    urls = [f.pop("url") for f in body["media_files"]]
    assert body == {"media_files": [
        {"name": "cake", "s3_key": kept_key(first), "format_type": "png", "media_type": "photo", "size": 64,
         "note": "Before", "created_at": "2026-11-23T12:00:00.000Z"},
        {"name": "file", "s3_key": kept_key(second), "format_type": "mp4", "media_type": "video", "size": 100,
         "note": None, "created_at": "2026-11-23T12:01:00.000Z"}],
        "meta": {"total_count": 2}}
    assert all(kept_key(sent) in url and "X-Amz-Signature=" in url for sent, url in zip([first, second], urls,
                                                                                         strict=True))
    assert "X-Amz-Expires=3600" in urls[0]


def test_the_listing_of_files_pages(api, owner, create, send):
    token = create(time_type="multi_use")["token"]
    files = [send(token) for _ in range(3)]
    assert api.get(f"{BASE}/1/media_files", token=owner) == (200, {"media_files": [], "meta": {"total_count": 0}})
    assert complete(api, token, files) == SUCCESS

    status, body = api.get(f"{BASE}/1/media_files?per_page=2&page=2", token=owner)

    assert status == 200 and body["meta"] == {"total_count": 3} and len(body["media_files"]) == 1
    assert api.get(f"{BASE}/1/media_files?page=0", token=owner) == refused("page", "Must be a positive integer")


def test_the_listing_of_files_is_only_for_the_owner(api, owner, stranger, create, send):
    token = create()["token"]
    assert complete(api, token, [send(token)]) == SUCCESS

    assert api.get(f"{BASE}/1/media_files", token=stranger) == refused("id", "Not found", 404)
    assert api.get(f"{BASE}/2/media_files", token=owner) == refused("id", "Not found", 404)
    assert api.get(f"{BASE}/1/media_files") == refused("Authorization", "No token was sent", 401)
    assert api.get(f"{BASE}/{token}/media_files", token=owner) == refused("id", "Must be a Integer")
    assert api.get(f"{BASE}/1/media_files", headers={"Authentication": f"Bearer {owner}"})[0] == 200
