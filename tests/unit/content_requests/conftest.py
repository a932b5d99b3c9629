"""Content request fixtures: an owner and a stranger signed in, a request body, and a way to send files."""
import boto3
import pytest

BASE = "/api/v4/content_requests"
NEW = {"name": "Garden party", "recipient": "Rita Recipient", "prompt": "Photos of the cake, please",
       "expiration_date": "2026/12/01", "time_type": "one_time"}


@pytest.fixture
def owner(api, outbox):
    token = api.sign_up("owner@example.com", "Olga Owner")
    outbox.sent.clear()  # the registration's verification mail: these tests read what requests send
    return token


@pytest.fixture
def stranger(api):
    return api.sign_up("stranger@example.com", "Sam Stranger")


@pytest.fixture
def create(api, owner):
    """Create a request as the owner (fields override NEW) and give its body."""

    def make(**fields):
        status, body = api.post(BASE, {"content_request": {**NEW, **fields}}, token=owner)
        assert status == 201, body
        return body

    return make


@pytest.fixture
def send(api, bucket):
    """Issue an upload form for a request's token and store `data` under its key, as a browser would."""

    def upload(token, data=b"\x89PNG" + b"0" * 60, media_type="photo", format_type="png", content_type="image/png",
               size=None):
        status, form = api.post(f"{BASE}/{token}/uploads", {"name": f"file.{format_type}", "format_type": format_type,
                                                           "media_type": media_type, "size": size or len(data)})
        assert status == 201, form
        boto3.client("s3").put_object(Bucket=bucket, Key=form["s3_key"], Body=data, ContentType=content_type)
        return {"name": "file", "s3_key": form["s3_key"], "format_type": format_type, "media_type": media_type,
                "size": len(data)}

    return upload
