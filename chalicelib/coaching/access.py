"""Who is calling and what they may see: the role comes from the coaching user whose email is the account's, once
the account has verified that email (registering an address proves nothing).

Superadmin: everything (the platform admin is one). Admin: the users and records of their org. Coach:
themselves, their clients and their clients' records. Client: themselves and their own records."""
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chalicelib.coaching.errors import forbidden, invalid_field, not_found
from chalicelib.coaching.models import ADMIN, ALL, CLIENT, COACH, SUPERADMIN, CoachingEmail, CoachingUser, Org
from chalicelib.core.store import ModelT, get_or
from chalicelib.core.transactions import Step
from chalicelib.identity.auth import authenticate


@dataclass(frozen=True)
class Caller:
    role: str
    user: CoachingUser | None  # None only for the platform admin without a coaching user

    @property
    def id(self) -> int | None:
        return int(self.user.id) if self.user else None

    @property
    def org_id(self) -> int | None:
        return int(self.user.org_id) if self.user else None


def user_by_email(email: str) -> CoachingUser | None:
    try:
        claim = CoachingEmail.get(email.strip().lower(), consistent_read=True)
        return CoachingUser.get(int(claim.user_id), consistent_read=True)
    except (CoachingEmail.DoesNotExist, CoachingUser.DoesNotExist):
        return None


def caller(request: Any) -> Caller:
    """The caller's role; a signed-in account with no coaching user, or whose email is not verified (and not the
    admin), is a 403."""
    account = authenticate(request)
    user = user_by_email(account.email)
    if account.is_admin:
        return Caller(SUPERADMIN, user)
    if user is None or not account.email_verified:  # else whoever registers an Admin's email first holds the org
        raise forbidden()
    return Caller(user.type, user)


def sees_user(caller: Caller, user: CoachingUser) -> bool:
    if caller.role == SUPERADMIN:
        return True
    if caller.role == ADMIN:
        return int(user.org_id) == caller.org_id
    if caller.role == COACH:
        return int(user.id) == caller.id or (user.coach_id is not None and int(user.coach_id) == caller.id)
    return int(user.id) == caller.id


def require(allowed: bool) -> None:
    if not allowed:
        raise forbidden()


def is_staff(caller: Caller) -> bool:
    return caller.role != CLIENT


def manages(caller: Caller, user: CoachingUser) -> bool:
    """Staff who may change a user's records: Superadmin, an Admin of the org, the client's coach."""
    return is_staff(caller) and sees_user(caller, user) and (caller.role != COACH or user.type == CLIENT)



def sees_record(caller: Caller, user_id: int, org_id: int, owner: Callable[[], CoachingUser]) -> bool:
    """Whether the caller sees a record of `user_id` (in `org_id`); `owner()` reads the user when a coach asks."""
    if caller.role == SUPERADMIN:
        return True
    if caller.role == ADMIN:
        return org_id == caller.org_id
    if user_id == caller.id:
        return True
    return caller.role == COACH and owner().coach_id == caller.id


def records(caller: Caller, model: Any, clients: Callable[[], list[CoachingUser]]) -> list[Any]:
    """The records of a model that the caller sees, by id, each scope read through an index: every org's for
    a Superadmin, the org's for an Admin, each client's (and the coach's own) for a Coach, the caller's own
    for a Client. No listing reads a whole table."""
    if caller.role == SUPERADMIN:
        found = each(model.by_org, [int(org.id) for org in Org.everything.query(ALL)])
    elif caller.role == ADMIN:
        found = list(model.by_org.query(caller.org_id))
    elif caller.role == COACH:
        found = each(model.by_user, [caller.id, *(int(client.id) for client in clients())])
    else:
        found = list(model.by_user.query(caller.id))
    return sorted(found, key=lambda item: int(item.id))


def each(index: Any, keys: list[Any]) -> list[Any]:
    """The items under each key of an index, Queried 8 at a time."""
    if not keys:
        return []
    with ThreadPoolExecutor(min(8, len(keys))) as pool:
        return [item for items in pool.map(lambda key: list(index.query(key)), keys) for item in items]


def fetch(model: type[ModelT], key: int) -> ModelT:
    """The record under `key`; a 404 if there is none."""
    return get_or(model, key, missing=not_found())


def referenced(model: type[ModelT], key: int, field: str, what: str) -> ModelT:
    """A record a body names: an unknown id is a bad field (400), not a missing page."""
    try:
        return model.get(key, consistent_read=True)
    except model.DoesNotExist as error:
        raise invalid_field(field, f"must be the id of an existing {what}") from error


def refer(model: Any, key: int, change: int, field: str, what: str) -> Step:
    """Count a reference (+1 or -1) on the record a field names, in the transaction that writes the field:
    adding one needs the record to exist (400 otherwise), and a record with references is not deleted."""
    return (lambda tx: tx.update(model(key), actions=[model.referrers.add(change)], condition=model.id.exists()),
            invalid_field(field, f"must be the id of an existing {what}"))
