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
CREATE_TRIES = 3  # a create's tries while other writes move its user's counter or listing on meanwhile


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


def named_in(body: Any) -> list[tuple[Any, Any]]:
    """What a create's body names (`scope.named`): the user and what `_references` reads."""
    return scope.named(body, {"user_id": CoachingUser}) + named_in_changes(body)


def named_in_changes(body: Any) -> list[tuple[Any, Any]]:
    """What an update's body names (`scope.named`): what `_references` reads."""
    return scope.named(body, {"created_by": CoachingUser, "original_task_id": Task}) + scope.named_in_steps(body)


def named_in_bulk(body: Any) -> list[tuple[Any, Any]]:
    """What a bulk update's body names (`scope.named`): each entry's task and what `_references` reads."""
    entries = body if isinstance(body, list) else []
    return [ref for entry in entries for ref in scope.named(entry, {"id": Task}) + named_in_changes(entry)]


class _Moved(Exception):
    """A create's user moved on since it was read: their order counter (another task took the order) or listing."""


class _Raised(Exception):
    """A user's order counter is already at least an order given (another write raised it meanwhile)."""

    def __init__(self, user_id: int):
        super().__init__(user_id)
        self.user_id = user_id


def _below(order: int) -> Any:
    """That the user's order counter is still below `order` (it only grows: below one past it is at it)."""
    return CoachingUser.last_task_order.does_not_exist() | (CoachingUser.last_task_order < order)


def _next_order(user: CoachingUser, given: int | None) -> tuple[int, list[Any], Any]:
    """The new task's order, `given` or one past the user's counter (as read); the actions raising the counter to it
    if it passes it, and the condition for them (the counter as read), or none."""
    last = int(user.last_task_order or 0)
    order = last + 1 if given is None else given
    return (order, [], None) if order <= last else (order, [CoachingUser.last_task_order.set(order)], _below(order))


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
    """The user must exist (400) and be managed by the caller (403); what else it names, be in their scope. Its
    order and listing come from the user as read, and the transaction writing it holds only while the user is still
    so: if another write moved them on meanwhile, the user is read again and the task made anew (a few times)."""
    values = _taken(values)
    named = scope.records(caller, [scope.Ref("user_id", CoachingUser, values["user_id"]), *_references(values)],
                          unchecked={"user_id"})
    user = named["user_id"]
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    values = {**values, "created_by": values.get("created_by") or caller.id,
              "date_created": values.get("date_created") or today}
    task_id, given = next_id("coaching-tasks"), values.get("order")
    for _ in range(CREATE_TRIES):
        access.require(access.manages(caller, user))
        try:
            return _create(task_id, user, values)
        except _Moved:
            drawn = _draw(user) if given is None else None  # others may be taking the user's next orders at once
            if drawn is None:
                user = users.referenced(int(user.id), "user_id")
            else:
                user, values = drawn[0], {**values, "order": drawn[1]}
    raise Conflict("conflict", "The user changed meanwhile: try again")


def _draw(user: CoachingUser) -> tuple[CoachingUser, int] | None:
    """The next order of the user's tasks drawn atomically (an ADD on the counter), and the user as that write left
    them (one round trip), so that a create that lost a race for the order cannot lose it again; drawn only while the
    user is still of the type, coach and org read (what the caller's right to create it rests on), else None."""
    drawn = CoachingUser(int(user.id))
    try:
        drawn.update(actions=[CoachingUser.last_task_order.add(1)],
                     condition=users.still_listed(user) & (CoachingUser.org_id == int(user.org_id)))
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return None
    return drawn, int(drawn.last_task_order)


def _create(task_id: int, user: CoachingUser, values: dict[str, Any]) -> Task:
    """Write the task of `user` (as read), counted on them with its order (the counter raised to it, if it passes
    it), in one transaction: _Moved if the user's counter or listing moved on meanwhile."""
    order, raised, below = _next_order(user, values.get("order"))
    task = Task(task_id, org_id=int(user.org_id), coach_id=listed_by(user), **_stored({**values, "order": order}))
    schedule(task)
    listed = users.still_listed(user)
    actions = [CoachingUser.task_count.add(1), *raised, *users.kept_ids(user, CoachingUser.task_ids, {task_id})]
    transact_steps([
        (lambda tx: tx.save(task, condition=Task.id.does_not_exist()), Conflict("conflict", "Try again")),
        (lambda tx: tx.update(CoachingUser(int(user.id)), actions=actions,
                              condition=listed if below is None else listed & below), _Moved()),
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
    task = visible(caller, task_id)
    orders = {task_id: task.order}
    task, changed = _apply(caller, task, changes)
    scope.records(caller, _references(changes))
    _save_all([(task, changed)], orders)
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
    found = {int(task.id): task for task in access.read(caller, [(Task, task_id) for task_id in ids]).values()}
    orders = {task_id: task.order for task_id, task in found.items()}
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
    _save_all(applied, orders)
    return [task for task, _ in applied]


def _save_all(applied: list[tuple[Task, set[str]]], orders: dict[int, Any]) -> None:
    """Write each task's changed attributes, all or none, each only if no other write changed it since; and raise
    the order counter of each user whose tasks were given orders past those they had (`orders`, by task id, as
    read), so that a later task without order still goes last: in the same transaction, while the counter is below
    (a counter found at least as high already is left, and the write tried again without it)."""
    conflict = Conflict("conflict", "A task changed meanwhile: read it again and retry")
    steps: list[WriteStep] = []
    for task, changed in applied:
        actions, guard = update_of(task, changed)
        # mypy cannot infer a lambda whose defaults bind the loop's values against Step (hence the ignore)
        steps.append((lambda tx, key=int(task.id), actions=actions, guard=guard:  # type: ignore[misc]
                      tx.update(Task(key), actions=actions, condition=guard), conflict))
    raises = _raises(applied, orders)
    if len(steps) + len(raises) <= BULK_MAX:
        _write(steps, raises)
    else:  # more than a transaction holds: the counters right after the tasks
        _write(steps, {})
        _write([], raises)


def _write(steps: list[WriteStep], raises: dict[int, int]) -> None:
    """One transaction of `steps` and of the raises of the users' order counters still below their order."""
    while steps or raises:
        try:
            transact_steps(steps + [_raise(user_id, order) for user_id, order in sorted(raises.items())])
            return
        except _Raised as error:
            del raises[error.user_id]


def _raises(applied: list[tuple[Task, set[str]]], orders: dict[int, Any]) -> dict[int, int]:
    """The highest order given to each user's tasks, where it passes every order those tasks had (the counter is at
    least each of those already)."""
    given: dict[int, int] = {}
    had: dict[int, int] = {}
    for task, changed in applied:
        user_id, before = int(task.user_id), orders.get(int(task.id))
        if "order" in changed and task.order is not None:
            given[user_id] = max(given.get(user_id, int(task.order)), int(task.order))
        if before is not None:
            had[user_id] = max(had.get(user_id, int(before)), int(before))
    return {user_id: order for user_id, order in given.items() if user_id not in had or order > had[user_id]}


def _raise(user_id: int, order: int) -> WriteStep:
    return (lambda tx: tx.update(CoachingUser(user_id), actions=[CoachingUser.last_task_order.set(order)],
                                 condition=CoachingUser.id.exists() & _below(order)), _Raised(user_id))


def delete(caller: Caller, task_id: int) -> None:
    task = visible(caller, task_id)
    access.require(access.manages_record(caller, task, int(task.user_id), lambda: users.get(int(task.user_id))))
    transact_steps([
        (lambda tx: tx.delete(task, condition=(Task.request_count == 0) & (Task.referrers == 0)),
         in_use("The task still has help requests or media: delete those first")),
        (lambda tx: tx.update(CoachingUser(int(task.user_id)), actions=[
            CoachingUser.task_count.add(-1), CoachingUser.task_ids.delete({int(task.id)})]),
         Conflict("conflict", "Try again")),
    ])

