"""Responses are raster images and video only: a declared type is pinned by the form, anything else is refused at
the form and, whatever the form allowed, by the stored object's type; media downloads are attachments of it."""
import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from chalicelib.core.settings import get_settings
from chalicelib.nearby.models import NearbyRequest, Notification, Response

FORMS = "/api/v04/requests/1/responses/uploads"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'


def _form(api, token, body):
    status, form = api.post(FORMS, body, token=token)
    assert status == 201, form
    return form


def _put(key, data, content_type):
    boto3.client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=data, ContentType=content_type)


def _nothing_recorded():
    request = NearbyRequest.get(1)
    return (Response.count(1), int(request.response_count), request.discover, Notification.count()) == (0, 0, [], 0)


@pytest.mark.parametrize(("kind", "content_type", "extension"), [
    (0, "image/jpeg", "jpg"), (0, "IMAGE/PNG", "png"), (0, "image/webp", "webp"), (1, "video/quicktime", "mov")])
def test_a_declared_type_is_pinned_by_the_form_and_named_by_the_key(api, alice, bob, map_request, bucket, kind,
                                                                    content_type, extension):
    form = _form(api, bob, {"type": kind, "contentType": content_type})

    conditions = json.loads(base64.b64decode(form["fields"]["policy"]))["conditions"]
    assert {"Content-Type": content_type.lower()} in conditions
    assert form["fields"]["Content-Type"] == form["content_types"][0] == content_type.lower()
    assert re.fullmatch(rf"uploads/responses/1/[0-9a-f]{{32}}\.{extension}", form["key"])


@pytest.mark.parametrize("body", [
    {"type": 0, "contentType": "image/svg+xml"}, {"type": 0, "contentType": "text/html"},
    {"type": 0, "contentType": "application/xml"}, {"type": 0, "contentType": "image/gif"},
    {"type": 0, "contentType": "video/mp4"}, {"type": 1, "contentType": "image/jpeg"},
    {"type": 0, "contentType": 5}, {"type": 0, "contentType": ["image/png"]}])
def test_a_form_for_any_other_type_is_refused(api, alice, bob, map_request, bucket, body):
    assert api.post(FORMS, body, token=bob) == (400, {"error": "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"})


@pytest.mark.parametrize("content_type", ["image/svg+xml", "text/html", "text/xml", "application/octet-stream"])
def test_media_stored_as_another_type_is_refused_whatever_the_form_allowed_and_nothing_is_recorded(
        api, alice, bob, map_request, bucket, content_type):
    form = _form(api, bob, {"type": 0})  # no declared type: the form allows image/...
    _put(form["key"], SVG, content_type)

    refused = api.post("/api/v04/requests/1/responses", {"key": form["key"], "type": 0}, token=bob)

    assert refused == (400, {"error": "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"})
    assert _nothing_recorded()


def test_media_of_another_accepted_type_than_the_declared_one_is_refused(api, alice, bob, map_request, bucket):
    form = _form(api, bob, {"type": 0, "contentType": "image/jpeg"})
    _put(form["key"], b"\x89PNG a png", "image/png")  # an S3 stand-in that did not enforce the policy

    refused = api.post("/api/v04/requests/1/responses", {"key": form["key"], "type": 0}, token=bob)

    assert refused == (400, {"error": "RESPONSE_MEDIA_WRONG_TYPE"})
    assert _nothing_recorded()


def _query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_a_responses_media_is_downloaded_as_an_attachment_of_its_checked_type(api, alice, bob, map_request, bucket):
    form = _form(api, bob, {"type": 0, "contentType": "image/png"})
    _put(form["key"], b"\x89PNG a png", "image/png")
    status, created = api.post("/api/v04/requests/1/responses", {"key": form["key"], "type": 0}, token=bob)
    assert status == 201, created

    listed = api.get("/api/v04/requests/1/responses", token=alice)[1]
    shown = api.get("/api/v04/requests/1", token=alice)[1]

    for url in (created["media"], listed[0]["media"], shown["discoverResponses"][0]["media"]):
        query = _query(url)
        assert (query["response-content-type"], query["response-content-disposition"]) == ("image/png", "attachment")
    assert Response.get(1, 1).content_type == "image/png"
    assert re.fullmatch(r"responses/1/[0-9a-f]{32}\.png", Response.get(1, 1).media_key)
