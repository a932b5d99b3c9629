"""Who is calling and what they may see: the role comes from the coaching user whose email is the account's, once
the account has verified that email (registering an address proves nothing).

Superadmin: everything (the platform admin is one). Admin: the users and records of their org. Coach:
themselves, their clients and their clients' records. Client: themselves and their own records."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from chalicelib.coaching.errors import forbidden, invalid_field, not_found
from chalicelib.coaching.models import ADMIN, ALL, CLIENT, COACH, SUPERADMIN, CoachingEmail, CoachingUser
from chalicelib.core import batch
from chalicelib.core.store import ModelT, find, get_or
from chalicelib.core.transactions import Step
from chalicelib.identity.auth import authenticate


@dataclass(frozen=True)
class Caller:
    role: str
    id: int | None  # None only for the platform admin without a coaching user
    org_id: int | None
    # Records the route named (in its path or body), read in the same BatchGetItem as the caller's claim, by (model,
    # key): the item, or None if there is none. Each is taken once (`fetch`, `read`): a later read reads again.
    prefetched: dict[tuple[Any, Any], Any] = field(default_factory=dict, compare=False, repr=False)

    def user(self) -> CoachingUser:
        """The caller's own coaching user, read (consistently) when a route needs more than the role."""
        return get_or(CoachingUser, self.id, missing=forbidden())


def _claim_key(email: str) -> tuple[Any, str]:
    return CoachingEmail, email.strip().lower()


def identity(email: str, named: Iterable[tuple[Any, Any]] = ()) -> tuple[Caller | None, dict[tuple[Any, Any], Any]]:
    """The coaching user claiming `email` as a caller of its own role, and those of the `named` records that exist:
    one consistent BatchGetItem (a claim from before it carried the role costs a read of its user besides)."""
    found = batch.read([_claim_key(email), *named])
    claim = found.pop(_claim_key(email), None)
    if claim is None:
        return None, found
    if claim.type is None:
        user = find(CoachingUser, int(claim.user_id))
        return (Caller(user.type, int(user.id), int(user.org_id)) if user else None), found
    return Caller(claim.type, int(claim.user_id), int(claim.org_id)), found


def caller(request: Any, named: Iterable[tuple[Any, Any]] = ()) -> Caller:
    """The caller's role; a signed-in account with no coaching user, or whose email is not verified (and not the
    admin), is a 403. The records `named` (model, key) are read with the caller's claim, for `fetch` and `read`."""
    account = authenticate(request)
    wanted = list(dict.fromkeys(named))
    claimed, found = identity(account.email, wanted)
    prefetched = {key: found.get(key) for key in wanted}
    if account.is_admin:
        return Caller(SUPERADMIN, claimed.id if claimed else None, claimed.org_id if claimed else None, prefetched)
    if claimed is None or not account.email_verified:  # else whoever registers an Admin's email first holds the org
        raise forbidden()
    return Caller(claimed.role, claimed.id, claimed.org_id, prefetched)


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



def sees_record(caller: Caller, user_id: int, org_id: int, owner: Callable[[], CoachingUser],
                coach_id: int | None = None) -> bool:
    """Whether the caller sees a record of `user_id` (in `org_id`, listed for `coach_id`); `owner()` reads the user
    when a coach asks about a record not listed for them (another coach's, or one from before `coach_id`)."""
    if caller.role == SUPERADMIN:
        return True
    if caller.role == ADMIN:
        return org_id == caller.org_id
    if user_id == caller.id or (caller.role == COACH and coach_id == caller.id):
        return True
    return caller.role == COACH and owner().coach_id == caller.id


def manages_record(caller: Caller, record: Any, user_id: int, owner: Callable[[], CoachingUser]) -> bool:
    """`manages` the record's user, from what the record carries where it can: its org (the user's, which does not
    change while records refer to them) and the coach it is listed for (kept in the transaction moving the user)."""
    if caller.role == COACH and record.coach_id is not None and int(record.coach_id) == caller.id:
        return user_id != caller.id  # a Client of the caller's (the caller's own are listed for them too)
    if caller.role in (SUPERADMIN, ADMIN) and record.org_id is not None:
        return caller.role == SUPERADMIN or int(record.org_id) == caller.org_id
    return manages(caller, owner())


def records(caller: Caller, model: Any) -> list[Any]:
    """The records of a model that the caller sees, by id, each one index Query (pages aside): all for a Superadmin
    (the constant key of `everything`), the org's for an Admin, the caller's own for a Client, and for a Coach their
    clients' and their own (`by-coach`: see `models.listed_by`)."""
    if caller.role == SUPERADMIN:
        found = list(model.everything.query(ALL))
    elif caller.role == ADMIN:
        found = list(model.by_org.query(caller.org_id))
    elif caller.role == COACH:
        found = list(model.by_coach.query(caller.id))
    else:
        found = list(model.by_user.query(caller.id))
    return sorted(found, key=lambda item: int(item.id))


def fetch(model: type[ModelT], key: int, caller: Caller | None = None) -> ModelT:
    """The record under `key`; a 404 if there is none. Read with the caller's claim if the route named it (taken
    once: a later read in the request reads again)."""
    if caller is not None and (model, key) in caller.prefetched:
        found = caller.prefetched.pop((model, key))
        if found is None:
            raise not_found()
        return cast(ModelT, found)
    return get_or(model, key, missing=not_found())


def read(caller: Caller, wanted: Iterable[tuple[Any, Any]]) -> dict[tuple[Any, Any], Any]:
    """The records that exist among `wanted` (model, key), by (model, key): those the route named taken from the
    caller's read (once, as `fetch`), the others in one consistent BatchGetItem, if any."""
    found, unread = {}, []
    for key in dict.fromkeys(wanted):
        if key in caller.prefetched:
            item = caller.prefetched.pop(key)
            if item is not None:
                found[key] = item
        else:
            unread.append(key)
    return {**found, **(batch.read(unread) if unread else {})}


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
