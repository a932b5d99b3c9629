"""The media bucket on moto: the upload policy, checks of stored objects, downloads and direct puts."""
import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from chalicelib.core import clients
from chalicelib.core.settings import get_settings
from chalicelib.files import storage
from chalicelib.files.storage import FileMissing, FileTooLarge, StoredObject
from tests.conftest import ROOT


@pytest.fixture
def bucket(aws):
    clients.reset()
    name = get_settings().media_bucket
    boto3.client("s3").create_bucket(Bucket=name)
    yield name
    clients.reset()


def _policy(form: dict) -> dict:
    return json.loads(base64.b64decode(form["fields"]["policy"]))


def test_an_upload_form_allows_exactly_the_key_one_type_and_the_size_range(bucket):
    form = storage.upload_form("recordings/7/a.mp3", max_bytes=5000, content_types=["audio/mpeg"], expires_in=600)

    policy = _policy(form)
    assert {"bucket": bucket} in policy["conditions"]
    assert {"key": "recordings/7/a.mp3"} in policy["conditions"]
    assert ["content-length-range", 1, 5000] in policy["conditions"]
    assert {"Content-Type": "audio/mpeg"} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(seconds=600))) < timedelta(seconds=30)
    assert form["fields"]["key"] == "recordings/7/a.mp3" and form["fields"]["Content-Type"] == "audio/mpeg"
    assert {name: form[name] for name in ("key", "expires_in", "max_bytes", "content_types")} == {
        "key": "recordings/7/a.mp3", "expires_in": 600, "max_bytes": 5000, "content_types": ["audio/mpeg"]}
    assert bucket in form["url"]


def test_several_types_share_a_starts_with_condition_the_client_fills_in(bucket):
    form = storage.upload_form("r/a", max_bytes=10, content_types=["audio/mpeg", "audio/wav", "audio/ogg"])

    assert ["starts-with", "$Content-Type", "audio/"] in _policy(form)["conditions"]
    assert "Content-Type" not in form["fields"]
    assert form["expires_in"] == 900


@pytest.mark.parametrize("types", [["audio/mpeg", "image/png"], []])
def test_types_without_a_common_major_type_are_a_programming_error(bucket, types):
    with pytest.raises(ValueError, match="major type"):
        storage.upload_form("r/a", max_bytes=10, content_types=types)


def test_a_key_ending_in_the_filename_variable_is_refused(bucket):
    with pytest.raises(ValueError, match="exact"):
        storage.upload_form("uploads/${filename}", max_bytes=10, content_types=["audio/mpeg"])


def test_stored_object_reports_what_is_there(bucket):
    boto3.client("s3").put_object(Bucket=bucket, Key="r/a.wav", Body=b"x" * 100, ContentType="audio/wav")

    assert storage.stored_object("r/a.wav", max_bytes=100) == StoredObject("r/a.wav", 100, "audio/wav")


def test_stored_object_of_a_key_never_uploaded_is_missing(bucket):
    with pytest.raises(FileMissing):
        storage.stored_object("r/never.wav", max_bytes=100)


def test_stored_object_larger_than_allowed_is_too_large(bucket):
    boto3.client("s3").put_object(Bucket=bucket, Key="r/big.wav", Body=b"x" * 101, ContentType="audio/wav")

    with pytest.raises(FileTooLarge):
        storage.stored_object("r/big.wav", max_bytes=100)


def test_a_download_url_is_presigned_for_the_key_and_expires(bucket):
    url = urlsplit(storage.download_url("r/a b.wav", expires_in=120))

    query = parse_qs(url.query)
    assert url.netloc.startswith(bucket) and url.path == "/r/a%20b.wav"
    assert query["X-Amz-Expires"] == ["120"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query


def test_put_stores_bytes_that_stored_object_then_finds(bucket):
    data = b"\x00\xff\r\n"

    assert storage.put("legacy/1.mp3", data, "audio/mpeg") == StoredObject("legacy/1.mp3", 4, "audio/mpeg")

    assert storage.stored_object("legacy/1.mp3", max_bytes=4) == StoredObject("legacy/1.mp3", 4, "audio/mpeg")
    assert boto3.client("s3").get_object(Bucket=bucket, Key="legacy/1.mp3")["Body"].read() == data


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"])
def test_a_local_endpoint_gets_path_style_urls_even_if_the_aws_config_asks_otherwise(bucket, monkeypatch, tmp_path,
                                                                                     variable):
    config = tmp_path / "config"
    config.write_text("[default]\ns3 =\n    addressing_style = virtual\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv(variable, "http://localhost:9")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a new session reads the config file
    clients.reset()

    form = storage.upload_form("r/a", max_bytes=10, content_types=["audio/mpeg"])

    assert form["url"] == f"http://localhost:9/{bucket}"
    assert storage.download_url("r/a").startswith(f"http://localhost:9/{bucket}/r/a?")


def test_importing_the_package_does_not_import_boto3():
    code = ("import sys, chalicelib.files.storage, chalicelib.files.multipart; "
            "print('boto3' in sys.modules, 'botocore' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["False", "False"]


def test_delete_prefix_removes_every_object_under_the_prefix_and_nothing_else(bucket):
    s3 = boto3.client("s3")
    for key in ["content-requests/7/a.png", "content-requests/7/b.mp4", "content-requests/70/c.png", "other/7/d"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")

    removed = storage.delete_prefix("content-requests/7/")

    assert removed == 2
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == [
        "content-requests/70/c.png", "other/7/d"]
    assert storage.delete_prefix("content-requests/7/") == 0


def _keys(bucket: str) -> list[str]:
    return sorted(item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


def _stage(bucket: str, prefix: str = "recordings/7/", extension: str = "", data: bytes = b"audio") -> str:
    key = storage.upload_key(prefix, extension)
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType="audio/mpeg")
    return key


def test_an_upload_key_is_fresh_and_staged_under_uploads():
    first, second = storage.upload_key("recordings/7/"), storage.upload_key("content-requests/3/", "png")

    assert first.startswith("uploads/recordings/7/") and len(first) == len("uploads/recordings/7/") + 32
    assert second.startswith("uploads/content-requests/3/") and second.endswith(".png")
    assert storage.upload_key("recordings/7/") != first


@pytest.mark.parametrize(("key", "expected"), [
    ("uploads/recordings/7/" + "a" * 32, True),
    ("uploads/recordings/7/" + "a" * 32 + ".png", True),
    ("recordings/7/" + "a" * 32, False),
    ("uploads/recordings/71/" + "a" * 32, False),
    ("uploads/recordings/7/" + "A" * 32, False),
    ("uploads/recordings/7/" + "a" * 31, False),
    ("uploads/recordings/7/x/" + "a" * 32, False),
    ("uploads/recordings/7/../8/" + "a" * 32, False),
])
def test_is_upload_key_accepts_only_keys_upload_key_makes_for_the_prefix(key, expected):
    assert storage.is_upload_key(key, "recordings/7/") is expected


def test_claiming_copies_each_upload_out_of_staging_and_removes_the_staged_ones(bucket):
    staged = [_stage(bucket, extension="mp3", data=b"one"), _stage(bucket, data=b"two")]

    with storage.claimed(staged) as kept:
        assert _keys(bucket) == sorted(staged + kept)

    assert [key.rsplit("/", 1)[0] for key in kept] == ["recordings/7", "recordings/7"]
    assert kept[0].endswith(".mp3") and "." not in kept[1].rsplit("/", 1)[1]
    assert _keys(bucket) == sorted(kept)
    s3 = boto3.client("s3")
    assert [s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in kept] == [b"one", b"two"]
    assert storage.stored_object(kept[0], max_bytes=10) == StoredObject(kept[0], 3, "audio/mpeg")


def test_a_failed_claim_removes_its_copies_and_leaves_the_uploads_staged(bucket):
    staged = [_stage(bucket), _stage(bucket)]

    with pytest.raises(RuntimeError), storage.claimed(staged):
        raise RuntimeError("the record was refused")

    assert _keys(bucket) == sorted(staged)


def test_claiming_an_upload_that_is_gone_raises_file_missing_and_keeps_nothing(bucket):
    present = _stage(bucket)
    gone = storage.upload_key("recordings/7/")

    with pytest.raises(FileMissing), storage.claimed([present, gone]):
        pytest.fail("the block must not run")

    assert _keys(bucket) == [present]


def test_two_claims_of_one_upload_keep_separate_copies(bucket):
    staged = _stage(bucket)

    with storage.claimed([staged]) as (first,), pytest.raises(RuntimeError), storage.claimed([staged]) as (second,):
        assert first != second
        raise RuntimeError("the second record was refused")

    assert _keys(bucket) == [first]


def test_delete_all_removes_more_than_a_thousand_keys(bucket):
    s3 = boto3.client("s3")
    keys = [f"dialogues/1/{n:04}.json" for n in range(1001)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}")

    storage.delete_all(keys[:-1])

    assert _keys(bucket) == keys[-1:]


def test_a_claim_whose_staged_uploads_cannot_be_removed_still_stands(bucket, monkeypatch, log_lines):
    staged = _stage(bucket)

    def refuse(keys):
        raise RuntimeError("S3 is unavailable")

    with storage.claimed([staged]) as (kept,):
        monkeypatch.setattr(storage, "delete_all", refuse)

    assert _keys(bucket) == sorted([staged, kept])  # the lifecycle rule removes the staged one
    [line] = log_lines()
    assert line["level"] == "ERROR" and "staged uploads not removed" in line["message"]
