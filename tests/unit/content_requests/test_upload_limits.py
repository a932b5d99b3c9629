"""Uploads by link are raster images and video only, checked at the form and again by what S3 stores; every
download is an attachment of the checked type; and each request caps its forms an hour and its bytes in all."""
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.content_requests import media
from chalicelib.content_requests.models import ContentRequest, MediaFile
from chalicelib.core.errors import ApiError
from tests.unit.content_requests.conftest import BASE
from tests.unit.content_requests.test_media import FORM, SUCCESS, complete, refused, stored, upload

PHOTOS = "Must be one of: jpg, jpeg, png, gif, heic, heif, webp."
VIDEOS = "Must be one of: mp4, m4v, mov, webm, 3gp."
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'


def counters():
    item = ContentRequest.get(1, consistent_read=True)
    return item.upload_bytes, item.forms_hour, item.forms_in_hour


def form_with_headers(api, token, **changes):
    """An upload form request: status, headers and body (the Api helper drops the headers)."""
    response = api.client.http.request("POST", f"{BASE}/{token}/uploads", body=json.dumps({**FORM, **changes}),
                                       headers={"Content-Type": "application/json"})
    return response.status_code, response.headers, json.loads(response.body)


@pytest.mark.parametrize(("changes", "message"), [
    ({"format_type": "svg"}, PHOTOS), ({"format_type": "SVG"}, PHOTOS), ({"format_type": "svgz"}, PHOTOS),
    ({"format_type": "html"}, PHOTOS), ({"format_type": "xml"}, PHOTOS), ({"format_type": "pdf"}, PHOTOS),
    ({"format_type": "raw"}, PHOTOS), ({"format_type": "mp4"}, PHOTOS),
    ({"format_type": "svg", "media_type": "video"}, VIDEOS), ({"format_type": "mkv", "media_type": "video"}, VIDEOS),
    ({"format_type": "png", "media_type": "video"}, VIDEOS)])
def test_an_upload_form_for_anything_but_a_raster_image_or_a_video_is_refused_and_counts_nothing(
        api, create, bucket, changes, message):
    token = create()["token"]

    assert upload(api, token, **changes) == refused("format_type", message)
    assert MediaFile.count() == 0
    assert counters() == (None, None, None)


@pytest.mark.parametrize(("content_type", "param", "message"), [
    ("image/svg+xml", "media_type",
     "The uploaded file's type is not accepted: a photo is one of image/gif, image/heic, image/heif, image/jpeg, "
     "image/png, image/webp"),
    ("text/html", "media_type", "Does not match the uploaded file's type"),
    ("application/xml", "media_type", "Does not match the uploaded file's type"),
    ("image/jpeg", "format_type", "Does not match the uploaded file's type (image/jpeg)"),
])
def test_a_completion_is_refused_by_the_stored_objects_type_and_records_nothing(api, create, send, outbox,
                                                                              content_type, param, message):
    token = create()["token"]
    sent = send(token, data=SVG, content_type=content_type)  # a form for a png, bytes of another type
    before, mailed = stored(), len(outbox.sent)

    assert complete(api, token, [sent]) == refused(f"media_files[0][{param}]", message)
    assert (stored(), len(outbox.sent)) == (before, mailed)
    assert MediaFile.get(1, sent["s3_key"]).received_at is None


def test_a_file_received_is_downloaded_as_an_attachment_of_its_checked_type_and_name(api, owner, create, send):
    token = create()["token"]
    photo = {**send(token), "name": "cake"}
    assert complete(api, token, [photo]) == SUCCESS

    status, body = api.get(f"{BASE}/1/media_files", token=owner)

    assert status == 200
    query = {name: values[0] for name, values in parse_qs(urlsplit(body["media_files"][0]["url"]).query).items()}
    assert query["response-content-type"] == "image/png"
    assert query["response-content-disposition"] == "attachment; filename=\"cake.png\"; filename*=UTF-8''cake.png"
    assert MediaFile.get(1, photo["s3_key"]).content_type == "image/png"


def test_upload_forms_are_capped_an_hour_per_request_with_a_429_and_retry_after(api, create, bucket, fixed_clock,
                                                                                monkeypatch):
    monkeypatch.setattr(media, "FORMS_PER_HOUR", 3)
    token, other = create()["token"], create()["token"]
    fixed_clock.advance(minutes=20)  # 12:20: the hour ends in 40 minutes

    assert [upload(api, token)[0] for _ in range(3)] == [201, 201, 201]
    status, headers, body = form_with_headers(api, token)

    assert (status, body) == (429, {"errors": [{"param": "base", "message":
                                                "At most 3 upload forms an hour per request: try again later"}]})
    assert headers["Retry-After"] == str(40 * 60 + 1)
    assert MediaFile.count(1) == 3
    assert counters() == (3 * FORM["size"], fixed_clock.now().replace(minute=0), 3)
    assert upload(api, other)[0] == 201  # the cap is the link's, not everyone's
    fixed_clock.advance(minutes=40)  # 13:00: a new hour
    assert upload(api, token)[0] == 201
    assert counters() == (4 * FORM["size"], fixed_clock.now(), 1)


def test_the_bytes_of_a_requests_forms_are_capped_over_its_life(api, create, bucket, fixed_clock, monkeypatch):
    monkeypatch.setattr(media, "UPLOAD_BYTES_MAX", 100)
    token = create()["token"]

    assert upload(api, token, size=60)[0] == 201
    assert upload(api, token, size=41) == refused(
        "size", "Must be at most 40: the files of a request may total at most 100 bytes")
    assert upload(api, token, size=40)[0] == 201
    fixed_clock.advance(hours=2)  # a new hour does not give the bytes back
    assert upload(api, token, size=1) == refused(
        "size", "Must be at most 0: the files of a request may total at most 100 bytes")
    assert MediaFile.count(1) == 2 and counters()[0] == 100


def test_a_form_for_a_request_closed_since_it_was_read_counts_nothing(api, owner, create, bucket):
    create()
    stale = ContentRequest.get(1)
    assert api.put(f"{BASE}/1", {"content_request": {"status": "canceled"}}, token=owner)[0] == 200

    now = stale.created_at + timedelta(minutes=1)
    issued = MediaFile(1, "uploads/content-requests/1/x.png", name="x", format_type="png", media_type="photo",
                       size=10, issued_at=now)
    with pytest.raises(ApiError) as error:
        media._reserve(stale, 10, now, issued)

    assert (error.value.status, error.value.message) == (409, "The content request was canceled")
    assert counters() == (None, None, None) and MediaFile.count(1) == 0  # nor records the form


def test_the_caps_are_those_the_readme_and_decisions_give():
    assert (media.FORMS_PER_HOUR, media.UPLOAD_BYTES_MAX) == (100, 5 * 1024 ** 3)
