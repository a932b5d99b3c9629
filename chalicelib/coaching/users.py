"""Coaching users (clients, coaches, admins, superadmins): unique emails, an existing org, a coach of the
same org, and no deletion (nor change of org) while records still refer to the user. Each invariant is a
condition in the transaction that changes the user."""
import re
from typing import Any

from chalicelib.coaching import access, shapes
from chalicelib.coaching.access import Caller
from chalicelib.coaching.coercions import coerced, moment
from chalicelib.coaching.errors import forbidden, in_use, invalid_field, not_found
from chalicelib.coaching.models import (
    ADMIN,
    ALL,
    CLIENT,
    COACH,
    DUE,
    SUPERADMIN,
    USER_TYPES,
    Checkin,
    CoachingEmail,
    CoachingUser,
    HelpRequest,
    Message,
    Org,
    Task,
    listed_by,
    update_of,
)
from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps
from chalicelib.identity import verification

# Fields a role may not change on a user it may otherwise edit (a 403 names them). A Client's contact and check-in
# fields are their staff's: they say where the org's SMS sender writes, and what.
_LOCKED = {ADMIN: {"org_id"}, COACH: {"type", "org_id", "coach_id"},
           CLIENT: {"type", "org_id", "coach_id", "status", "phone", "platform", "fb_id", "checkin_times", "email"}}
# The records a change of coach moves in its transaction (DynamoDB's 100 items), beside the user, the claim and
# the two coaches' counts.
RELISTED_MAX = 96
_REFERENCES = ("task_count", "request_count", "message_count", "viewed_count", "client_count")


def phone_number(value: str) -> str:
    """A phone number as stored: `+1` and the digits of a 10-digit number, else `+` and the digits."""
    digits = re.sub(r"\D", "", value)
    return f"+1{digits}" if len(digits) == 10 and not value.strip().startswith("+") else f"+{digits}"


def _taken(values: dict[str, Any]) -> dict[str, Any]:
    """A body's fields as stored: names and email trimmed, the phone number normalised, the follow-up time
    read (a 400 if it is none), check-ins cut to their keys."""
    found = coerced(values, trimmed=("first_name", "last_name", "email"), times={"follow_up_date": moment},
                    entries={"checkin_times": ("topic", "message", "time")})
    if found.get("phone") is not None:
        found["phone"] = phone_number(found["phone"])
    return found


def email_key(email: str) -> str:
    return email.strip().lower()


def get(user_id: int, caller: Caller | None = None) -> CoachingUser:
    return access.fetch(CoachingUser, user_id, caller)


def referenced(user_id: int, field: str) -> CoachingUser:
    return access.referenced(CoachingUser, user_id, field, "user")


def visible(caller: Caller, user_id: int, user_type: str | None = None) -> CoachingUser:
    """The user, if the caller may see them; a user of another type than the route's is a 404."""
    user = get(user_id, caller)
    if user_type and user.type != user_type:
        raise not_found()
    access.require(access.sees_user(caller, user))
    return user


def listing(caller: Caller, user_type: str | None = None) -> list[CoachingUser]:
    """The users the caller may see (of one type, or all), by id: one index Query per scope, and the caller's own
    item where it belongs in the listing."""
    wanted = (user_type,) if user_type else USER_TYPES
    if caller.role == SUPERADMIN:
        found = list(CoachingUser.by_type.query(user_type) if user_type else CoachingUser.everything.query(ALL))
    elif caller.role == ADMIN:
        found = list(CoachingUser.by_org.query(caller.org_id))
    elif caller.role == COACH and caller.role in wanted:
        found = _coach_and_clients(caller)
    elif caller.role == COACH:
        found = list(CoachingUser.by_coach.query(caller.id))
    else:
        found = [caller.user()] if caller.role in wanted else []
    return sorted((user for user in found if user.type in wanted), key=lambda user: int(user.id))


def _coach_and_clients(caller: Caller) -> list[CoachingUser]:
    """A Coach and their clients: the users they list (`listed_by`), one Query of `by-listing`. A Coach from before
    `listed_by` was kept is not in it (nor may their clients be): then their own item and their clients by coach.
    (A Coach carries it from when they became one, when they had no clients: each client since carries it too.)"""
    found = list(CoachingUser.by_listing.query(caller.id))
    if any(int(user.id) == caller.id for user in found):
        return found
    return [caller.user(), *CoachingUser.by_coach.query(caller.id)]


def _may_create(caller: Caller, values: dict[str, Any]) -> None:
    if caller.role == SUPERADMIN:
        return
    access.require(access.is_staff(caller) and values["org_id"] == caller.org_id and values["type"] != SUPERADMIN)
    if caller.role == COACH:
        access.require(values["type"] == CLIENT and values.get("coach_id") in (None, caller.id))
        values["coach_id"] = caller.id


def create(caller: Caller, values: dict[str, Any], user_type: str | None = None) -> CoachingUser:
    """A new user (201), of `user_type` where the route gives one; the email, org and coach are checked in the
    transaction that writes it."""
    values = _taken(values)
    if user_type and values.get("type") not in (None, user_type):
        raise invalid_field("type", f"must be {user_type} here")
    values = {**values, "type": user_type or values["type"]}
    _may_create(caller, values)
    now = clock.now()
    user = CoachingUser(next_id("coaching-users"), created_at=now, updated_at=now, client_messages=0, ids_kept=True,
                        **{**values, "checkin_times": [
                            Checkin(**entry)  # type: ignore[no-untyped-call]  # MapAttribute.__init__ is unannotated
                            for entry in values["checkin_times"]]})
    user.listed_by = listed_by(user)
    schedule(user)
    steps: list[Step] = [
        (lambda tx: tx.save(user, condition=CoachingUser.id.does_not_exist()), Conflict("conflict", "Try again")),
        _claim_email(user),
        _join_org(int(user.org_id), 1),
    ]
    if user.coach_id is not None:
        steps.append(_coach_count(int(user.coach_id), int(user.org_id), 1))
    # The role binds only once the mailbox owner follows this link (or verifies an account of their own): it is
    # stored with the user and mailed once that committed.
    link = verification.invitation(user.email, user.first_name, user.last_name)
    transact_steps([*steps, link.step])
    link.send()
    return user


def schedule(user: CoachingUser) -> None:
    """Index the user's next check-in (the job finds due ones through it), or leave the index."""
    times = [int(entry.time) for entry in user.checkin_times]
    user.checkins = DUE if times else None
    user.next_checkin_at = clock.from_millis(min(times)) if times else None


def _claim_email(user: CoachingUser) -> Step:
    """Claim the user's email, carrying their type and org (the caller's role is read from it)."""
    claim = CoachingEmail(email_key(user.email), user_id=int(user.id), type=user.type, org_id=int(user.org_id))
    return (lambda tx: tx.save(claim, condition=CoachingEmail.email.does_not_exist()),
            Conflict("email_taken", "A user with that email already exists"))


def _restate_claim(user: CoachingUser) -> Step:
    """The claim follows a new type or org of its user, in the same transaction: the next request has the role."""
    return (lambda tx: tx.update(CoachingEmail(email_key(user.email)), actions=[
        CoachingEmail.type.set(user.type), CoachingEmail.org_id.set(int(user.org_id))],
        condition=CoachingEmail.user_id == int(user.id)), Conflict("conflict", "The user changed meanwhile: try again"))


def _release_email(email: str, user_id: int) -> Step:
    return (lambda tx: tx.delete(CoachingEmail(email_key(email)), condition=CoachingEmail.user_id == user_id),
            Conflict("conflict", "The user changed meanwhile: try again"))


def _join_org(org_id: int, change: int) -> Step:
    return (lambda tx: tx.update(Org(org_id), actions=[Org.user_count.add(change)], condition=Org.id.exists()),
            invalid_field("org_id", "must be the id of an existing org"))


def _coach_count(coach_id: int, org_id: int, change: int) -> Step:
    """Count a client on their coach (+1, -1), or only check the coach (0); a new coach must be a Coach of
    the client's org."""
    error = invalid_field("coach_id", "must be the id of a Coach of the same org")
    fits = (CoachingUser.type == COACH) & (CoachingUser.org_id == org_id)
    if change == 0:
        return lambda tx: tx.condition_check(CoachingUser, coach_id, condition=fits), error
    return (lambda tx: tx.update(CoachingUser(coach_id), actions=[CoachingUser.client_count.add(change)],
                                 condition=fits if change > 0 else CoachingUser.id.exists()), error)


def _may_change(caller: Caller, user: CoachingUser, changes: dict[str, Any]) -> None:
    if caller.role == SUPERADMIN:
        return
    editable = (access.manages(caller, user) and user.type != SUPERADMIN) or int(user.id) == caller.id
    access.require(editable and changes.get("type") != SUPERADMIN)
    stored = shapes.user(user)  # as the changes are given: a value sent back unchanged is no change
    locked = [key for key in changes if key in _LOCKED[caller.role] and changes[key] != stored[key]]
    if locked:
        role = f"{'an' if caller.role[0] in 'AEIOU' else 'a'} {caller.role}"
        raise forbidden([{"field": key, "message": f"{role} may not change it"} for key in locked])


def update(caller: Caller, user_id: int, changes: dict[str, Any], user_type: str | None = None) -> CoachingUser:
    """Change the fields given; a new email, org or coach moves its claim or counts in the same transaction."""
    changes = _taken(changes)
    user = visible(caller, user_id, user_type)
    _may_change(caller, user, changes)
    before: dict[str, Any] = {key: user.attribute_values.get(key) for key in ("email", "org_id", "coach_id", "type")}
    for key, value in changes.items():
        setattr(user, key, [Checkin(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
            **entry) for entry in value] if key == "checkin_times" else value)
    user.updated_at = clock.now()
    schedule(user)
    condition = None
    steps: list[Step] = []
    if email_key(user.email) != email_key(before["email"]):
        steps += [_claim_email(user), _release_email(before["email"], user_id)]
    elif (user.type, user.org_id) != (before["type"], before["org_id"]):
        steps.append(_restate_claim(user))
    if user.org_id != before["org_id"]:
        condition = _unreferenced()
        steps += [_join_org(int(user.org_id), 1), _join_org(int(before["org_id"]), -1)]
    if user.coach_id is not None and int(user.coach_id) == user_id:
        raise invalid_field("coach_id", "must be the id of another user")
    if user.coach_id != before["coach_id"]:
        steps += [_coach_count(int(c), int(user.org_id), n) for c, n in ((user.coach_id, 1), (before["coach_id"], -1))
                  if c is not None]
    elif user.coach_id is not None and user.org_id != before["org_id"]:
        steps.append(_coach_count(int(user.coach_id), int(user.org_id), 0))
    if before["type"] == COACH and user.type != COACH:
        condition = (CoachingUser.client_count == 0) & condition if condition is not None else (
            CoachingUser.client_count == 0)
    written = {*changes, "updated_at", "checkins", "next_checkin_at"}
    if listed_by(user) != listed_by(CoachingUser(user_id, type=before["type"], coach_id=before["coach_id"])):
        relisting, counted = _relisting(user)
        steps += relisting
        condition = counted if condition is None else condition & counted
        user.listed_by = listed_by(user)
        written.add("listed_by")
    actions, guard = update_of(user, written)
    guard = guard if condition is None else guard & condition
    steps.insert(0, (lambda tx: tx.update(CoachingUser(user_id), actions=actions, condition=guard), in_use(
        "The user changed meanwhile, or still has records (or clients) that keep their org and type")))
    transact_steps(steps)
    return user


def kept_ids(user: CoachingUser, ids: Any, new: set[int]) -> list[Any]:
    """The action adding the ids of `new` records of the user to their set on the user (`ids`: CoachingUser.task_ids,
    request_ids or message_ids), in the transaction counting them: while the user keeps their ids, and only while
    their records (as read) stay within what a change of listing moves at once (RELISTED_MAX)."""
    held = int(user.task_count) + int(user.request_count) + int(user.client_messages or 0)
    return [ids.add(new)] if user.ids_kept and held + len(new) <= RELISTED_MAX else []


def still_listed(user: CoachingUser) -> Any:
    """The condition, on the user's item, that their records still go to the listing they were written for: the
    transaction writing a record keeps it, so that no record misses a change of coach made meanwhile."""
    coach = CoachingUser.coach_id.does_not_exist() if user.coach_id is None else (
        CoachingUser.coach_id == int(user.coach_id))
    return (CoachingUser.type == user.type) & coach


# What a change of listing moves, by kind: the model, the user's count of them and the set of their ids.
_KINDS = ((Task, "task_count", "task_ids"), (HelpRequest, "request_count", "request_ids"),
          (Message, "client_messages", "message_ids"))


def _records_of(user: CoachingUser) -> dict[Any, list[int]]:
    """The ids of the user's tasks, requests and messages, by model: the set on the user where it holds them all (its
    count is its size), else from a Query of the kind (a user from before the sets; one with more records than
    fit); none of a kind the user counts none of (a count of messages from before it was kept is None)."""
    found = {}
    for model, count, ids in _KINDS:
        held, number = getattr(user, ids) or set(), getattr(user, count)
        if user.ids_kept and number is not None and len(held) == number:
            found[model] = sorted(int(key) for key in held)
        else:
            found[model] = [int(record.id) for record in model.by_user.query(int(user.id))] if number != 0 else []
    return found


def _relisting(user: CoachingUser) -> tuple[list[Step], Any]:
    """Every task, request and message of the user follows their new `listed_by`, in the change's transaction;
    and the condition that the user has no record besides those found (one written meanwhile; one a Query of an
    index, read eventually, did not show yet: then the change is a 409 to try again)."""
    counts = int(user.task_count) + int(user.request_count) + int(user.client_messages or 0)
    if counts > RELISTED_MAX:  # at least as many records (messages from before their count may be uncounted)
        raise _too_many()
    found = _records_of(user)
    if sum(len(ids) for ids in found.values()) > RELISTED_MAX:
        raise _too_many()
    counted = ((CoachingUser.task_count <= len(found[Task])) & (CoachingUser.request_count <= len(found[HelpRequest]))
               & (CoachingUser.client_messages.does_not_exist()
                  | (CoachingUser.client_messages <= len(found[Message]))))
    coach = listed_by(user)
    moved = Conflict("conflict", "A record of the user changed meanwhile: try again")
    # mypy cannot infer a lambda whose defaults bind the loop's record against Step
    steps: list[Step] = [(lambda tx, model=model, key=key: tx.update(  # type: ignore[misc]
        model(key), actions=[model.coach_id.set(coach) if coach is not None else model.coach_id.remove()],
        condition=model.id.exists()), moved) for model, keys in found.items() for key in keys]
    return steps, counted


def _too_many() -> Conflict:
    return in_use(f"The user has more than {RELISTED_MAX} tasks, requests and messages: too many to move at once")


def _unreferenced() -> Any:
    condition = None
    for name in _REFERENCES:
        clause = getattr(CoachingUser, name) == 0
        condition = clause if condition is None else condition & clause
    return condition


def delete(caller: Caller, user_id: int, user_type: str | None = None) -> None:
    """Remove a user no record refers to (409 otherwise), with their email claim and counts."""
    user = visible(caller, user_id, user_type)
    access.require(caller.role == SUPERADMIN or (caller.role == ADMIN and user.type != SUPERADMIN))
    steps: list[Step] = [
        (lambda tx: tx.delete(user, condition=_unreferenced()),
         in_use("The user still has tasks, requests, messages, viewed media or clients: delete those first")),
        _release_email(user.email, user_id),
        _join_org(int(user.org_id), -1),
    ]
    if user.coach_id is not None:
        steps.append(_coach_count(int(user.coach_id), int(user.org_id), -1))
    transact_steps(steps)


def require_type(user: CoachingUser, user_type: str, field: str) -> None:
    if user.type != user_type:
        raise invalid_field(field, f"must be the id of a {user_type}")

