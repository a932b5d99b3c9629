"""Nearby fixtures: three signed-in users and a map request body."""
import pytest

ATLANTA = {"lat": 33.7490, "lon": -84.3884, "radius": 750}
ASK = {"location": ATLANTA, "message": "How are you doing today?", "override": False}


@pytest.fixture(autouse=True)
def atlanta_noon(fixed_clock):
    """18:00 UTC: noon in Atlanta by its longitude (-84.4: UTC-6), inside the request hours."""
    fixed_clock.advance(hours=6)


@pytest.fixture
def alice(api):
    return api.sign_up("alice@example.com", "Alice Asker")


@pytest.fixture
def bob(api):
    return api.sign_up("bob@example.com", "Bob Builder")


@pytest.fixture
def carol(api):
    return api.sign_up("carol@example.com", "Carol Follower")


@pytest.fixture
def map_request(api, alice):
    status, body = api.post("/api/v04/requests", ASK, token=alice)
    assert status == 201, body
    return 1
