"""`nearest` agrees with a brute-force haversine check over random circles and points."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.geo.cells import contains
from chalicelib.identity.models import Account
from chalicelib.nearby import requests

# Places where geohash cells are awkward, and an ordinary one.
BASES = [(33.749, -84.3884), (0.0, 0.0), (10.0, 179.99), (-10.0, -179.99), (89.9, 0.0), (-89.95, 120.0)]


@st.composite
def scene(draw):
    """A cluster of circles around one base, and points among them."""
    lat0, lon0 = draw(st.sampled_from(BASES))

    def near(spread):
        lat = max(-90.0, min(90.0, lat0 + draw(st.floats(-spread, spread))))
        lon = lon0 + draw(st.floats(-spread, spread))
        return lat, (lon + 180) % 360 - 180

    circles = [(*near(0.05), draw(st.floats(10, 8000))) for _ in range(draw(st.integers(1, 15)))]
    return circles, [near(0.06) for _ in range(4)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=scene())
def test_nearest_returns_the_newest_25_circles_holding_the_point(empty_store, fixed_clock, settings_env, example):
    # Each example starts from empty tables: moto copies every table on each transaction, so a store that
    # kept every example's circles made this test quadratic (minutes).
    empty_store()
    settings_env(MAX_ACTIVE_REQUESTS="100000")
    circles, points = example
    for lat, lon, radius in circles:
        body = {"message": "m", "override": True, "location": {"lat": lat, "lon": lon, "radius": radius}}
        requests.create(Account(id="owner"), body)
        fixed_clock.advance(seconds=1)
    stored = sorted(requests.NearbyRequest.scan(), key=lambda r: -int(r.id))
    for lat, lon in points:
        expected = [int(r.id) for r in stored if contains(r.lat, r.lon, r.radius, lat, lon)]
        found = requests.nearest(lat, lon, Account(id="owner")).requests
        assert [int(r.id) for r in found] == expected[:25], (lat, lon)
