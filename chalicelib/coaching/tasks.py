"""Tasks of a client: created by their staff, ordered (a task without `order` goes last, atomically),
reordered in bulk all-or-nothing, and never deleted while help requests refer to them."""
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.coaching import access, scope, users
from chalicelib.coaching.access import Caller
from chalicelib.coaching.coercions import coerced, day
from chalicelib.coaching.errors import in_use, invalid_field, invalid_fields
from chalicelib.coaching.models import DUE, CoachingUser, Recurrence, Step, Task, listed_by, update_of
from chalicelib.coaching.records import ClientRecords
from chalicelib.core import clock
from chalicelib.core.counters import next_id
from chalicelib.core.errors import BadRequest, Conflict
from chalicelib.core.transactions import Step as WriteStep
from chalicelib.core.transactions import transact_steps

BULK_MAX = 100  # a DynamoDB transaction's items


_records = ClientRecords(Task, lambda task: int(task.user_id))
get, visible, listing, of_client = _records.get, _records.visible, _records.listing, _records.of_client


def referenced(task_id: int, field: str) -> Task:
    return access.referenced(Task, task_id, field, "task")


def _references(values: dict[str, Any], prefix: str = "") -> list[scope.Ref]:
    """The records a task's fields name besides its user (`prefix`: the entry's index in a bulk update)."""
    refs = [scope.Ref(prefix + key, model, values[key]) for key, model in (
        ("created_by", CoachingUser), ("original_task_id", Task)) if values.get(key) is not None]
    return refs + [scope.Ref(f"{prefix}steps.{index}.task_id", Task, step["task_id"])
                   for index, step in enumerate(values.get("steps") or []) if step.get("task_id") is not None]


def _next_order(user_id: int, given: int | None) -> int:
    """`given`, or one past the user's highest order, drawn atomically from a counter on the user."""
    user = CoachingUser(user_id)
    if given is None:
        user.update(actions=[CoachingUser.last_task_order.add(1)], condition=CoachingUser.id.exists())
        return int(user.last_task_order)
    try:  # keep the counter at the highest order given, so that the next task goes after it
        user.update(actions=[CoachingUser.last_task_order.set(given)],
                    condition=CoachingUser.last_task_order < given)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    return given


def schedule(task: Task, after: datetime | None = None) -> None:
    """The task's next recurring check-in after `after` (the first: one `frequency` after date_assigned),
    or none once `duration` days have passed."""
    recurring = task.recurring
    if recurring is None:
        task.checkins = task.next_checkin_at = None
        return
    step, end = timedelta(days=int(recurring.frequency)), task.date_assigned + timedelta(days=int(recurring.duration))
    due = task.date_assigned + step
    while after is not None and due <= after:
        due += step
    task.checkins, task.next_checkin_at = (DUE, due) if due <= end else (None, None)


def _taken(values: dict[str, Any]) -> dict[str, Any]:
    """A body's fields as a task holds them: title and category trimmed, dates read as days (a 400 for one that
    is none), steps cut to their keys, `{}` (or `[]`) as not recurring."""
    found = coerced(values, trimmed=("title", "category"), entries={"steps": ("task_id", "text")},
                    times=dict.fromkeys(("date_assigned", "date_created", "date_completed"), day))
    if "recurring" in found:
        recurring = found["recurring"]
        found["recurring"] = {key: recurring[key] for key in ("frequency", "duration")} if recurring else None
    return found


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Field values as the model holds them (maps become map attributes)."""
    stored = dict(values)
    if "recurring" in stored and stored["recurring"] is not None:
        stored["recurring"] = Recurrence(**stored["recurring"])  # type: ignore[no-untyped-call]  # unannotated __init__
    if "steps" in stored:
        stored["steps"] = [Step(  # type: ignore[no-untyped-call]  # pynamodb's MapAttribute.__init__ is unannotated
            **step) for step in stored["steps"] or []]
    return stored


def create(caller: Caller, values: dict[str, Any]) -> Task:
    """The user must exist (400) and be managed by the caller (403); what else it names, be in their scope."""
    values = _taken(values)
    named = scope.records(caller, [scope.Ref("user_id", CoachingUser, values["user_id"]), *_references(values)],
                          unchecked={"user_id"})
    user = named["user_id"]
    access.require(access.manages(caller, user))
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    values = {**values, "created_by": values.get("created_by") or caller.id,
              "date_created": values.get("date_created") or today,
              "order": _next_order(int(user.id), values.get("order"))}
    task = Task(next_id("coaching-tasks"), org_id=int(user.org_id), coach_id=listed_by(user), **_stored(values))
    schedule(task)
    transact_steps([
        (lambda tx: tx.save(task, condition=Task.id.does_not_exist()), Conflict("conflict", "Try again")),
        (lambda tx: tx.update(CoachingUser(int(user.id)), actions=[CoachingUser.task_count.add(1)],
                              condition=users.still_listed(user)),
         Conflict("conflict", "The user changed meanwhile: try again")),
    ])
    return task


def _apply(caller: Caller, task: Task, changes: dict[str, Any]) -> tuple[Task, set[str]]:
    """Check and apply changes to a task read before; the task and the names of the attributes changed."""
    access.require(access.manages_record(caller, task, int(task.user_id), lambda: users.get(int(task.user_id))))
    if "user_id" in changes and changes["user_id"] != int(task.user_id):
        raise invalid_field("user_id", "cannot be changed: create the task for the other user")
    for key, value in _stored(changes).items():
        setattr(task, key, value)
    if {"recurring", "date_assigned"} & changes.keys():
        schedule(task, clock.now())
    return task, {*changes, "checkins", "next_checkin_at"}


def update(caller: Caller, task_id: int, changes: dict[str, Any]) -> Task:
    changes = _taken(changes)
    task, changed = _apply(caller, visible(caller, task_id), changes)
    scope.records(caller, _references(changes))
    _save_all([(task, changed)])
    return task


def update_many(caller: Caller, changes: list[tuple[int, dict[str, Any]]]) -> list[Task]:
    """PUT /api/tasks: every task's changes, applied in one transaction or not at all."""
    changes, errors = list(changes), []
    for index, (task_id, entry) in enumerate(changes):
        try:
            changes[index] = task_id, _taken(entry)
        except BadRequest as error:  # a bad field of one entry is named with the entry's index
            errors += [{**e, "field": f"{index}.{e['field']}"} for e in error.errors]
    if errors:
        raise invalid_fields(errors)
    if not 1 <= len(changes) <= BULK_MAX:
        raise invalid_field("body", f"must be an array of 1 to {BULK_MAX} tasks")
    ids = [task_id for task_id, _ in changes]
    if len(set(ids)) != len(ids):
        raise invalid_field("id", "each task may appear once")
    found = {int(task.id): task for task in Task.batch_get(ids, consistent_read=True)}
    missing = [{"field": f"{index}.id", "message": "must be the id of an existing task"}
               for index, task_id in enumerate(ids) if task_id not in found]
    if missing:
        raise invalid_fields(missing)
    applied = []
    for index, (task_id, task_changes) in enumerate(changes):
        try:
            applied.append(_apply(caller, found[task_id], task_changes))
        except BadRequest as error:  # a bad field of one entry is named with the entry's index
            raise invalid_fields([{**e, "field": f"{index}.{e['field']}"} for e in error.errors]) from error
    scope.records(caller, [ref for index, (_, entry) in enumerate(changes) for ref in _references(entry, f"{index}.")])
    _save_all(applied)
    return [task for task, _ in applied]


def _save_all(applied: list[tuple[Task, set[str]]]) -> None:
    """Write each task's changed attributes, all or none, each only if no other write changed it since."""
    conflict = Conflict("conflict", "A task changed meanwhile: read it again and retry")
    steps: list[WriteStep] = []
    for task, changed in applied:
        actions, guard = update_of(task, changed)
        # mypy cannot infer a lambda whose defaults bind the loop's values against Step (hence the ignore)
        steps.append((lambda tx, key=int(task.id), actions=actions, guard=guard:  # type: ignore[misc]
                      tx.update(Task(key), actions=actions, condition=guard), conflict))
    transact_steps(steps)
    for task, changed in applied:
        if "order" in changed and task.order is not None:
            _next_order(int(task.user_id), int(task.order))  # a later task without order still goes last


def delete(caller: Caller, task_id: int) -> None:
    task = visible(caller, task_id)
    access.require(access.manages_record(caller, task, int(task.user_id), lambda: users.get(int(task.user_id))))
    transact_steps([
        (lambda tx: tx.delete(task, condition=(Task.request_count == 0) & (Task.referrers == 0)),
         in_use("The task still has help requests or media: delete those first")),
        (lambda tx: tx.update(CoachingUser(int(task.user_id)), actions=[CoachingUser.task_count.add(-1)]),
         Conflict("conflict", "Try again")),
    ])

