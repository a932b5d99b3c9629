"""Help requests: a client asks for help with one of their tasks. The request's status sets its user's
(`NEEDS_ASSISTANCE` makes the user `AWAITING_HELP`, any other status `WORKING`) in the same transaction."""
from typing import Any

from chalicelib.coaching import access, scope, users
from chalicelib.coaching.access import Caller
from chalicelib.coaching.errors import in_use, invalid_field, not_found
from chalicelib.coaching.models import CLIENT, CoachingUser, HelpRequest, Task, listed_by
from chalicelib.coaching.records import ClientRecords
from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.transactions import Step, transact_steps

_AGAIN = Conflict("conflict", "Something changed meanwhile: try again")


_records = ClientRecords(HelpRequest, lambda request: int(request.user_id))
get, visible, listing, of_client = _records.get, _records.visible, _records.listing, _records.of_client


def _may_change(caller: Caller, user: CoachingUser) -> None:
    """Staff of the user, or the client themselves."""
    access.require(access.manages(caller, user) or (caller.role == CLIENT and int(user.id) == caller.id))


def _user_steps(request: HelpRequest, count: int = 0, user: CoachingUser | None = None) -> Step:
    """The user's status follows the request's, and the user counts their requests (one item, one update); a new
    request (`user` read) is written for the listing the user is still in."""
    status = "AWAITING_HELP" if request.status == "NEEDS_ASSISTANCE" else "WORKING"
    actions = [CoachingUser.status.set(status)] + ([CoachingUser.request_count.add(count)] if count else [])
    if user is not None:
        actions += users.kept_ids(user, CoachingUser.request_ids, {int(request.id)})
    condition = CoachingUser.id.exists() if user is None else users.still_listed(user)
    return (lambda tx: tx.update(CoachingUser(int(request.user_id)), actions=actions, condition=condition), _AGAIN)


def _task_count(request: HelpRequest, change: int) -> Step:
    """The request counted on its task (a task with requests is not deleted)."""
    return (lambda tx: tx.update(Task(int(request.task_id)), actions=[Task.request_count.add(change)],
                                 condition=Task.id.exists()),
            invalid_field("task_id", "must be the id of an existing task"))


def named_in(body: Any) -> list[tuple[Any, Any]]:
    """What a create's body names (`scope.named`): the user and the task."""
    return scope.named(body, {"user_id": CoachingUser, "task_id": Task})


def create(caller: Caller, values: dict[str, Any]) -> HelpRequest:
    """The user and task are read at once; the user by the rules above (403), the task must be the user's."""
    named = scope.records(caller, [scope.Ref("user_id", CoachingUser, values["user_id"]),
                                   scope.Ref("task_id", Task, values["task_id"])], unchecked={"user_id", "task_id"})
    user, task = named["user_id"], named["task_id"]
    _may_change(caller, user)
    if task.user_id is None or int(task.user_id) != int(user.id):
        raise invalid_field("task_id", "must be a task of the request's user")
    now = clock.now()
    request = HelpRequest(next_id("coaching-requests"), org_id=int(user.org_id), coach_id=listed_by(user),
                          created_at=now, updated_at=now, **values)
    transact_steps([
        (lambda tx: tx.save(request, condition=HelpRequest.id.does_not_exist()), _AGAIN),
        _user_steps(request, 1, user),
        _task_count(request, 1),
    ])
    return request


def update(caller: Caller, request_id: int, changes: dict[str, Any]) -> HelpRequest:
    """Only the status changes (the user and task a request is about stay); the user's status follows."""
    request: HelpRequest = visible(caller, request_id)
    user_id = int(request.user_id)
    access.require((caller.role == CLIENT and user_id == caller.id)
                   or access.manages_record(caller, request, user_id, lambda: users.get(user_id)))
    for key in ("user_id", "task_id"):
        if key in changes and changes[key] != int(getattr(request, key)):
            raise invalid_field(key, "cannot be changed: create a new request")
    if "status" in changes:
        request.status = changes["status"]
    request.updated_at = clock.now()
    transact_steps([(lambda tx: tx.save(request, condition=HelpRequest.id.exists()), not_found()),
                    _user_steps(request)])
    return request


def delete(caller: Caller, request_id: int) -> None:
    request = visible(caller, request_id)
    user_id = int(request.user_id)
    access.require(access.manages_record(caller, request, user_id, lambda: users.get(user_id)))
    transact_steps([
        (lambda tx: tx.delete(request, condition=HelpRequest.referrers == 0),
         in_use("Messages still name this request: delete those first")),
        (lambda tx: tx.update(CoachingUser(int(request.user_id)), actions=[
            CoachingUser.request_count.add(-1), CoachingUser.request_ids.delete({int(request.id)})]), _AGAIN),
        _task_count(request, -1),
    ])
