"""The records a body names must be records the caller may see: a task's `created_by`, `original_task_id` and
steps' `task_id`, a message's `from_user`, `to_user`, `media_id` and `request_id`, a media's `task_id` and
`published_by`, a help request's `user_id` and `task_id`. Otherwise a caller could point a record at another
org's: a message naming another org's help request counts on it, and that request could no longer be deleted.

Every record a body names is read in one BatchGetItem across the coaching tables (with what a Client's scope
needs: their views of the media named), the one that reads the caller's claim where the route named them
(`named`); a Coach's check of a client's task or request reads those clients in another (those not read already).
An id of no record is a 400 on its field; a record out of the caller's scope a 403 naming it."""
from collections.abc import Collection
from typing import Any, NamedTuple

from chalicelib.coaching import access
from chalicelib.coaching.access import Caller
from chalicelib.coaching.errors import forbidden, invalid_fields
from chalicelib.coaching.models import CLIENT, COACH, SUPERADMIN, CoachingUser, HelpRequest, Media, Task, ViewedMedia
from chalicelib.core.contracts import SAFE_INT

_WHAT = {CoachingUser: "user", Task: "task", HelpRequest: "request", Media: "media"}


class Ref(NamedTuple):
    """`field` of a body names the record of `model` under `key`."""

    field: str  # as the errors name it: `created_by`, `steps.0.task_id`, `2.original_task_id` in a bulk
    model: Any
    key: int

    @property
    def what(self) -> str:
        return _WHAT[self.model]


def an_id(value: Any) -> bool:
    """Whether a body's value may be a record's id (the contracts' REFERENCE)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= SAFE_INT


def named(body: Any, fields: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(model, id) for each of `fields` (field: model) that a body (any JSON, not yet checked) gives an id, so that
    a route reads them with the caller's claim (`access.caller`) before it checks the body: its faults still come
    after the caller's (a 401 or 403 before a 400)."""
    if not isinstance(body, dict):
        return []
    return [(model, body[field]) for field, model in fields.items() if an_id(body.get(field))]


def named_in_steps(body: Any) -> list[tuple[Any, Any]]:
    """The tasks a task body's steps name (as `named`)."""
    steps = body.get("steps") if isinstance(body, dict) else None
    return [ref for step in steps for ref in named(step, {"task_id": Task})] if isinstance(steps, list) else []


def records(caller: Caller, refs: list[Ref], unchecked: Collection[str] = ()) -> dict[str, Any]:
    """The record each ref names, by field. A 400 names every id of no record; then a 403 names every record
    out of the caller's scope, but for the fields of `unchecked`, whose rules the service applies itself."""
    extra = [(ViewedMedia, (caller.id, ref.key)) for ref in refs if ref.model is Media and caller.role == CLIENT]
    found = access.read(caller, [*((ref.model, ref.key) for ref in refs), *extra]) if refs else {}
    missing = [{"field": ref.field, "message": f"must be the id of an existing {ref.what}"}
               for ref in refs if (ref.model, ref.key) not in found]
    if missing:
        raise invalid_fields(missing)
    named = {ref.field: found[(ref.model, ref.key)] for ref in refs}
    checked = [ref for ref in refs if ref.field not in unchecked]
    owners = _owners(caller, [named[ref.field] for ref in checked if ref.model in (Task, HelpRequest)], found)
    refused = [{"field": ref.field, "message": f"must be the id of a {ref.what} in your scope"}
               for ref in checked if not _sees(caller, named[ref.field], found, owners)]
    if refused:
        raise forbidden(refused)
    return named


def _owners(caller: Caller, items: list[Any], found: dict[tuple[Any, Any], Any]) -> dict[int, CoachingUser]:
    """The clients of the tasks and requests a Coach names (is the Coach theirs?), those not read already."""
    if caller.role != COACH:
        return {}
    ids = {int(item.user_id) for item in items if item.user_id is not None and int(item.user_id) != caller.id}
    known = {user_id: found[(CoachingUser, user_id)] for user_id in ids if (CoachingUser, user_id) in found}
    fresh = access.read(caller, [(CoachingUser, user_id) for user_id in sorted(ids - set(known))])
    return {**known, **{int(user.id): user for user in fresh.values()}}


def _sees(caller: Caller, record: Any, found: dict[tuple[Any, Any], Any], owners: dict[int, CoachingUser]) -> bool:
    if isinstance(record, CoachingUser):
        return access.sees_user(caller, record)
    if isinstance(record, Media):  # the library is open to staff; a Client sees the media they were sent
        return caller.role != CLIENT or (ViewedMedia, (caller.id, int(record.id))) in found
    if record.user_id is None or record.org_id is None:  # a task of no user: the Superadmin's
        return caller.role == SUPERADMIN
    user_id = int(record.user_id)
    return access.sees_record(caller, user_id, int(record.org_id),
                              lambda: owners.get(user_id) or CoachingUser(user_id, coach_id=None),
                              None if record.coach_id is None else int(record.coach_id))
