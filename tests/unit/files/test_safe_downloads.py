"""Presigned downloads are attachments of the checked type, and the surfaces accept raster images and video only."""
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from chalicelib.content_requests import fields as content_fields
from chalicelib.content_requests.models import PHOTO, VIDEO
from chalicelib.core import clients
from chalicelib.core.settings import get_settings
from chalicelib.files import storage
from chalicelib.nearby import responses

SCRIPTABLE = ("image/svg+xml", "text/html", "application/xhtml+xml", "text/xml", "application/xml",
              "application/pdf", "application/javascript")


def _query(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_every_download_is_an_attachment_of_the_given_type_and_name(bucket):
    query = _query(storage.download_url("content-requests/1/a.png", content_type="image/png", filename="cake.png"))

    assert query["response-content-type"] == "image/png"
    assert query["response-content-disposition"] == "attachment; filename=\"cake.png\"; filename*=UTF-8''cake.png"
    assert "X-Amz-Signature" in query


def test_a_download_without_a_recorded_type_or_name_is_an_octet_stream_attachment(bucket):
    query = _query(storage.download_url("responses/1/a"))

    assert (query["response-content-type"], query["response-content-disposition"]) == (
        "application/octet-stream", "attachment")


@pytest.mark.parametrize(("given", "served"), [
    ("image/PNG", "image/png"), (" video/mp4 ", "video/mp4"), ("image/svg+xml", "image/svg+xml"),
    ("text/html; charset=utf-8", "application/octet-stream"), ("image/png\r\nX-Evil: 1", "application/octet-stream"),
    ("", "application/octet-stream"), (None, "application/octet-stream"), ("png", "application/octet-stream")])
def test_the_served_type_is_a_bare_media_type_or_an_octet_stream(given, served):
    assert storage.served_type(given) == served


@pytest.mark.parametrize(("name", "disposition"), [
    ('a"b;c\r\n.png', "attachment; filename=\"a_b_c .png\"; filename*=UTF-8''a%22b%3Bc%20.png"),
    ("gâteau.jpg", "attachment; filename=\"g_teau.jpg\"; filename*=UTF-8''g%C3%A2teau.jpg"),
    ("   ", "attachment"),
])
def test_a_file_name_cannot_break_out_of_the_disposition(name, disposition):
    assert storage.attachment(name) == disposition


def test_s3_answers_the_download_as_the_attachment_the_url_asks_for(monkeypatch):
    """moto's server, like S3, applies the signed response-* overrides, whatever type the uploader stored."""
    from moto.server import ThreadedMotoServer

    bucket = get_settings().media_bucket
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://{host}:{port}")
        clients.reset()
        s3 = boto3.client("s3", endpoint_url=f"http://{host}:{port}")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="content-requests/1/x.png", Body=b"<svg onload=alert(1)>",
                      ContentType="image/svg+xml")

        answer = requests.get(storage.download_url("content-requests/1/x.png", content_type="image/png",
                                                   filename="x.png"), timeout=30)
    finally:
        server.stop()
        clients.reset()

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="x.png"')


def test_each_surface_accepts_only_raster_images_and_video():
    content_requests = {kind: set(types.values()) for kind, types in content_fields.CONTENT_TYPES.items()}
    nearby = {kind: set(types) for kind, types in responses.CONTENT_TYPES.items()}

    assert content_requests[PHOTO] <= storage.RASTER_IMAGE_TYPES and nearby[0] <= storage.RASTER_IMAGE_TYPES
    assert content_requests[VIDEO] <= storage.VIDEO_TYPES and nearby[1] <= storage.VIDEO_TYPES
    assert set(responses.EXTENSIONS) == nearby[0] | nearby[1]
    assert not set(SCRIPTABLE) & (storage.RASTER_IMAGE_TYPES | storage.VIDEO_TYPES)
    assert not {"svg", "svgz", "html", "htm", "xhtml", "xml", "pdf", "js"} & {
        extension for types in content_fields.CONTENT_TYPES.values() for extension in types}
