"""A record's body for callers that bypass HTTP (jobs, tests): checked against its route's schema and given its
defaults, as the route gives it to the service."""
from typing import Any

from chalicelib.coaching import contracts
from chalicelib.coaching.errors import SURFACE
from chalicelib.core.contracts import checked

USER = contracts.crud("/users", "user", contracts.USER_FIELDS, contracts.USER)["create"].body


def values(body: dict[str, Any], schema: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    return contracts.values(checked(schema, body, SURFACE), schema, partial=partial)
