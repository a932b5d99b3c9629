"""Check-ins: each `checkin_times` entry whose time has come, and each due occurrence of a recurring task,
is stored as a message and sent once to its client (SMS or Messenger).

Each is claimed by a transaction conditioned on the revision read (the entry leaves the user, the task's
next occurrence moves) that also writes the message; only then is it sent. Two overlapping or retried runs
therefore never send one twice (a send that fails after its claim is logged, not retried)."""
import logging
from datetime import datetime

from chalicelib.coaching import tasks, users
from chalicelib.coaching.models import DUE, CoachingUser, Message, Task, listed_by, update_of
from chalicelib.core import clock
from chalicelib.core.collaborators import current
from chalicelib.core.counters import next_id
from chalicelib.core.errors import Conflict
from chalicelib.core.outbound import Outbound
from chalicelib.core.telemetry import Tally
from chalicelib.core.transactions import ConditionFailed, Step, transact_steps

log = logging.getLogger(__name__)
TASK_TOPIC = "checkin"


def send_due(now: datetime) -> Tally:
    """Send every check-in due at `now`: the users and tasks this run met, and the check-ins it sent."""
    due_users = {int(key.id) for key in CoachingUser.due.query(DUE, CoachingUser.next_checkin_at <= now)}
    # Once each: a task moved to a later occurrence that is still due may be met again on a later page.
    due_tasks = {int(key.id) for key in Task.due.query(DUE, Task.next_checkin_at <= now)}
    tally = Tally()
    for user_id in sorted(due_users):
        tally.take(lambda: _user_checkins(user_id, now))  # noqa: B023  (called at once)
    for task_id in sorted(due_tasks):
        tally.take(lambda: _task_checkin(task_id, now))  # noqa: B023  (called at once)
    return tally


def _claimed(steps: list[Step]) -> bool:
    try:
        transact_steps(steps)
    except (ConditionFailed, Conflict):
        return False  # another run claimed it first
    return True


def _message(user: CoachingUser, from_user: int, text: str, topic: str | None, now: datetime) -> Message:
    return Message(next_id("coaching-messages"), text=text, to_user=int(user.id), from_user=from_user,
                   client_id=int(user.id), org_id=int(user.org_id), coach_id=listed_by(user), timestamp=now,
                   topic=topic)


def _count_on(user_id: int, count: int) -> Step:
    """Count messages on a user who must still exist (an update would otherwise create a bare item)."""
    return (lambda tx: tx.update(CoachingUser(user_id), actions=[CoachingUser.message_count.add(count)],
                                 condition=CoachingUser.id.exists()), Conflict("conflict", "try again"))


def _count_on_client(user: CoachingUser, message: Message) -> Step:
    """Count a check-in on its client, who must still be in the listing the message was written for."""
    return (lambda tx: tx.update(CoachingUser(int(user.id)), actions=[
        CoachingUser.message_count.add(1), CoachingUser.client_messages.add(1),
        *users.kept_ids(user, CoachingUser.message_ids, {int(message.id)})], condition=users.still_listed(user)),
        Conflict("conflict", "try again"))


def _user_checkins(user_id: int, now: datetime) -> int:
    try:
        user = CoachingUser.get(user_id, consistent_read=True)
    except CoachingUser.DoesNotExist:
        return 0
    now_ms = clock.to_millis(now)
    due = sorted((entry for entry in user.checkin_times if int(entry.time) <= now_ms), key=lambda e: int(e.time))
    if not due:
        return 0
    from_user = int(user.coach_id) if user.coach_id is not None else int(user.id)
    messages = [_message(user, from_user, entry.message or entry.topic or "", entry.topic, now) for entry in due]
    user.checkin_times = [entry for entry in user.checkin_times if int(entry.time) > now_ms]
    user.topic = due[-1].topic or user.topic
    users.schedule(user)
    actions, claim = update_of(user, {"checkin_times", "topic", "checkins", "next_checkin_at"})
    # the client is a party of each, once, and their client; the claim's revision keeps them in the listing read
    actions += [CoachingUser.message_count.add(len(messages)), CoachingUser.client_messages.add(len(messages)),
                *users.kept_ids(user, CoachingUser.message_ids, {int(message.id) for message in messages})]
    steps: list[Step] = [(lambda tx: tx.update(CoachingUser(user_id), actions=actions, condition=claim),
                          Conflict("conflict", "claimed"))]
    # mypy cannot infer a lambda whose default binds the loop's message against Step
    steps += [(lambda tx, m=m: tx.save(m), Conflict("conflict", "try again")) for m in messages]  # type: ignore[misc]
    if from_user != user_id:
        steps.append(_count_on(from_user, len(messages)))
    if not _claimed(steps):
        return 0
    for message in messages:
        _send(user, message)
    return len(messages)


def _task_checkin(task_id: int, now: datetime) -> int:
    try:
        task = Task.get(task_id, consistent_read=True)
        user = CoachingUser.get(int(task.user_id), consistent_read=True)
    except (Task.DoesNotExist, CoachingUser.DoesNotExist):
        return 0
    if task.checkins != DUE or task.next_checkin_at > now:
        return 0
    from_user = _sender(task, user)
    message = _message(user, from_user, f"Time to check in on your task: {task.title}", TASK_TOPIC, now)
    tasks.schedule(task, after=task.next_checkin_at)  # missed occurrences follow one a run, none is lost
    actions, claim = update_of(task, {"checkins", "next_checkin_at"})
    steps: list[Step] = [(lambda tx: tx.update(Task(task_id), actions=actions, condition=claim),
                          Conflict("conflict", "claimed")),
                         (lambda tx: tx.save(message), Conflict("conflict", "try again")),
                         _count_on_client(user, message)]
    if from_user != int(user.id):
        steps.append(_count_on(from_user, 1))
    if not _claimed(steps):
        return 0
    _send(user, message)
    return 1


def _sender(task: Task, user: CoachingUser) -> int:
    """Who a task's check-in comes from: its creator, or the client's coach, or the client, whoever exists."""
    for candidate in (task.created_by, user.coach_id):
        if candidate is not None and CoachingUser.count(int(candidate), consistent_read=True):
            return int(candidate)
    return int(user.id)


def _send(user: CoachingUser, message: Message) -> None:
    to = user.fb_id if user.platform == "FBOOK" else user.phone
    if not to:
        log.warning("user %s has no %s address: check-in %s stored, not sent", user.id, user.platform, message.id)
        return
    try:
        current().outbound.send(Outbound(user.platform, to, message.text, int(user.id), int(message.id)))
    except Exception:  # the check-in is claimed and stored; a failed send must not stop the others
        log.exception("could not send check-in %s to user %s", message.id, user.id)
