"""Recordings fixtures: a signed-in creator and a project of theirs."""
import pytest

PROJECT = {"title": "Oral histories", "description": "Stories of the estate", "privacy": "public",
           "topics": ["Childhood", "Work"]}


@pytest.fixture
def owner(api):
    return api.sign_up("owner@example.com", "Olive Owner")


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
