"""Orgs: created and deleted by Superadmins only, and never deleted while they have users."""
from typing import Any, cast

from pynamodb.exceptions import DeleteError

from chalicelib.coaching import access
from chalicelib.coaching.access import Caller
from chalicelib.coaching.coercions import coerced
from chalicelib.coaching.errors import in_use
from chalicelib.coaching.models import ALL, SUPERADMIN, Org
from chalicelib.core.counters import next_id


def get(org_id: int, caller: Caller | None = None) -> Org:
    return access.fetch(Org, org_id, caller)


def listing(caller: Caller) -> list[Org]:
    """Every org for a Superadmin (one Query of the `everything` index); the caller's own for everyone else."""
    if caller.role == SUPERADMIN:
        return list(Org.everything.query(ALL))
    return [get(cast(int, caller.org_id))]  # not the platform admin: a coaching user, in an org


def visible(caller: Caller, org_id: int) -> Org:
    org = get(org_id, caller)
    access.require(caller.role == SUPERADMIN or org_id == caller.org_id)
    return org


def create(caller: Caller, values: dict[str, Any]) -> Org:
    access.require(caller.role == SUPERADMIN)
    org = Org(next_id("coaching-orgs"), **coerced(values, trimmed=("name",)))
    org.save(condition=Org.id.does_not_exist())
    return org


def delete(caller: Caller, org_id: int) -> None:
    access.require(caller.role == SUPERADMIN)
    org = get(org_id, caller)
    try:
        org.delete(condition=Org.user_count == 0)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise in_use("The org still has users: delete or move them first") from error
