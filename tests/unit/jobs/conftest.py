"""The jobs' tests use the nearby fixtures: two users in Atlanta at noon."""
from tests.unit.nearby.conftest import alice, atlanta_noon, bob  # noqa: F401
