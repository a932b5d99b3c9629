"""Recordings fixtures: a signed-in creator and a project of theirs."""
import pytest

from tests.mailbox import verified_sign_up

PROJECT = {"title": "Oral histories", "description": "Stories of the estate", "privacy": "public",
           "topics": ["Childhood", "Work"]}


@pytest.fixture
def owner(api):
    return verified_sign_up(api, "owner@example.com", "Olive Owner")  # participants link to verified accounts


@pytest.fixture
def project(api, owner):
    """A public project with two topics, created by `owner`."""
    status, body = api.post("/api/projects/", PROJECT, token=owner)
    assert status == 201, body
    return body["data"]


@pytest.fixture
def private_project(api, owner):
    status, body = api.post("/api/projects/", {**PROJECT, "title": "Secret", "privacy": "private"}, token=owner)
    assert status == 201, body
    return body["data"]


PARTICIPANTS = [{"Name": "Olive", "Email": "owner@example.com", "Role": 1},
                {"Name": "Henry", "Email": "henry@example.com", "Role": 0}]
PROMPTS = [{"Start": 0, "End": 10, "PromptID": 1}, {"Start": 10, "End": 25, "PromptID": 2}]


@pytest.fixture
def recording_session(api, owner, project, bucket):
    """A session of `project`, its audio uploaded through the presigned flow (put straight into moto)."""
    import boto3

    _, form = api.post("/api/projects/1/sessions/uploads/", token=owner)
    key = form["data"]["key"]
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=b"ID3-audio-bytes", ContentType="audio/mpeg")
    status, body = api.post("/api/projects/1/sessions/", {"recording_key": key, "participants": PARTICIPANTS,
                                                          "prompts": PROMPTS}, token=owner)
    assert status == 201, body
    return body["data"]
