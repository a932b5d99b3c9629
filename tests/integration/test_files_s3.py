"""The media bucket on the local stack's moto server: real presigned POSTs and GETs over HTTP."""
import uuid

import pytest
import requests

from chalicelib.core import clients
from chalicelib.core.settings import get_settings
from chalicelib.files import storage
from chalicelib.files.storage import FileMissing, FileTooLarge, StoredObject

DATA = b"\x00\xff\r\n\r\nRIFF\r\x00" * 50
S3_ENVIRONMENT = ("AWS_ENDPOINT_URL_S3", "MEDIA_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                  "AWS_DEFAULT_REGION")


@pytest.fixture
def media(local_stack, monkeypatch):
    """Point settings and the S3 client at the stack's moto server and bucket for one test."""
    for name in S3_ENVIRONMENT:
        monkeypatch.setenv(name, local_stack.env[name])
    get_settings.cache_clear()
    clients.reset()
    yield
    get_settings.cache_clear()
    clients.reset()


def _key() -> str:
    return f"test/{uuid.uuid4().hex}.wav"


def _post(form: dict, data: bytes, content_type: str, **fields: str) -> requests.Response:
    return requests.post(form["url"], data={**form["fields"], **fields},
                         files={"file": ("take.wav", data, content_type)}, timeout=30)


def test_bytes_posted_to_an_upload_form_are_stored_and_download_exactly(media):
    key = _key()
    form = storage.upload_form(key, max_bytes=len(DATA), content_types=["audio/wav"])

    posted = _post(form, DATA, "audio/wav")

    assert posted.status_code == 204, posted.text
    assert storage.stored_object(key, max_bytes=len(DATA)) == StoredObject(key, len(DATA), "audio/wav")
    downloaded = requests.get(storage.download_url(key, expires_in=60), timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == DATA


def test_with_several_types_the_client_sends_its_own_content_type(media):
    key = _key()
    form = storage.upload_form(key, max_bytes=1000, content_types=["audio/mpeg", "audio/wav"])

    posted = _post(form, b"ID3", "audio/mpeg", **{"Content-Type": "audio/mpeg"})

    assert posted.status_code == 204, posted.text
    assert storage.stored_object(key, max_bytes=1000) == StoredObject(key, 3, "audio/mpeg")


def test_a_key_never_uploaded_is_missing(media):
    with pytest.raises(FileMissing):
        storage.stored_object(_key(), max_bytes=1000)


def test_an_upload_over_the_limit_is_caught_by_the_stored_object_check(media):
    # moto's server does not enforce content-length-range (DESIGN.md, "Files"): the API's check is the guard.
    key = _key()
    form = storage.upload_form(key, max_bytes=100, content_types=["audio/wav"])

    assert _post(form, DATA, "audio/wav").status_code == 204

    with pytest.raises(FileTooLarge):
        storage.stored_object(key, max_bytes=100)


def test_put_bytes_download_exactly(media):
    key = _key()

    assert storage.put(key, DATA, "audio/wav") == StoredObject(key, len(DATA), "audio/wav")

    assert requests.get(storage.download_url(key), timeout=30).content == DATA
