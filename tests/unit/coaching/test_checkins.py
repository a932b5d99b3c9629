"""send-checkins: each due `checkin_times` entry and each due occurrence of a recurring task is stored as a
message and sent once to its client (SMS to the phone, Messenger to fb_id), found through the `checkins-due`
index; runs over the same clock, overlapping runs and runs after missed occurrences never send one twice."""
import contextvars
import threading
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.coaching.models import DUE, CoachingUser, Message, Task
from chalicelib.core import clock
from chalicelib.core.outbound import Outbound
from chalicelib.jobs import JOBS
from chalicelib.jobs.checkins import send_checkins
from tests.conftest import NOW
from tests.mailbox import accept_invitation

HOUR = timedelta(hours=1)
CLIENT_PHONE = "+15550100000"  # new_client gives 555-010-0000


def ms(moment: datetime) -> int:
    return clock.to_millis(moment)


def entry(topic: str, at: datetime, message: str | None = None) -> dict:
    return {"topic": topic, "message": message if message is not None else f"How is your {topic} going?",
            "time": ms(at)}


@pytest.fixture
def new_client(api, world):
    """A Client of `coach` in `org`, created by root with the fields given (201); its body."""
    made = []

    def create(**fields):
        body = {"first_name": "Casey", "last_name": "Checkin", "email": f"casey{len(made)}@example.com",
                "org_id": world.orgs["org"], "coach_id": world.ids["coach"], "phone": "555-010-0000", **fields}
        status, created = api.post("/api/clients", body, token=world.tokens["root"])
        assert status == 201, created
        made.append(created)
        return created

    return create


@pytest.fixture
def no_scan(monkeypatch):
    """The job must Query the `checkins-due` index: any Scan of users or tasks fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the check-in job must Query the checkins-due index, never Scan")

    monkeypatch.setattr(CoachingUser, "scan", refuse)
    monkeypatch.setattr(Task, "scan", refuse)


def messages_of(user_id: int) -> list[dict]:
    found = sorted(Message.by_user.query(user_id), key=lambda m: int(m.id))
    return [{"text": m.text, "topic": m.topic, "from_user": int(m.from_user), "to_user": int(m.to_user),
             "timestamp": m.timestamp} for m in found]


def stored_user(user_id: int) -> CoachingUser:
    return CoachingUser.get(user_id, consistent_read=True)


def due_index(now: datetime) -> dict:
    """What the job's Queries find at `now`: user ids and task ids."""
    return {"users": sorted(int(k.id) for k in CoachingUser.due.query(DUE, CoachingUser.next_checkin_at <= now)),
            "tasks": sorted(int(k.id) for k in Task.due.query(DUE, Task.next_checkin_at <= now))}


# --- checkin_times entries ---

def test_each_due_entry_is_sent_once_stored_from_the_coach_and_removed_and_later_ones_stay(
        api, world, sent, new_client, no_scan):
    later = entry("rent", NOW + HOUR)
    client = new_client(checkin_times=[entry("savings", NOW - HOUR), later, entry("budget", NOW - 2 * HOUR),
                                       entry("debt", NOW, message="Any news on the debt?")])
    coach, client_id = world.ids["coach"], client["id"]

    assert send_checkins(NOW).changed == 3

    texts = ["How is your budget going?", "How is your savings going?", "Any news on the debt?"]
    assert [(m.platform, m.to, m.text, m.user_id) for m in sent] == [
        ("SMS", CLIENT_PHONE, text, client_id) for text in texts]
    assert messages_of(client_id) == [
        {"text": text, "topic": topic, "from_user": coach, "to_user": client_id, "timestamp": NOW}
        for text, topic in zip(texts, ("budget", "savings", "debt"), strict=True)]
    assert sorted(m.message_id for m in sent) == [int(m.id) for m in Message.by_user.query(client_id)]
    status, shown = api.get(f"/api/clients/{client_id}", token=world.tokens["coach"])
    assert (status, shown["checkin_times"], shown["topic"]) == (200, [later], "debt")
    status, listed = api.get(f"/api/clients/{client_id}/messages", token=world.tokens["coach"])
    assert (status, [(m["topic"], m["from_user"], m["to_user"]) for m in listed]) == (
        200, [(topic, coach, client_id) for topic in ("budget", "savings", "debt")])
    assert due_index(NOW) == {"users": [], "tasks": []}
    assert due_index(NOW + HOUR) == {"users": [client_id], "tasks": []}

    assert send_checkins(NOW + HOUR - timedelta(milliseconds=1)).changed == 0
    assert send_checkins(NOW + HOUR).changed == 1
    assert (sent[-1].text, len(sent)) == ("How is your rent going?", 4)
    user = stored_user(client_id)
    assert (user.checkin_times, user.topic, user.checkins, user.next_checkin_at) == ([], "rent", None, None)
    assert due_index(NOW + 100 * HOUR) == {"users": [], "tasks": []}


def test_a_messenger_client_is_sent_to_their_fb_id(world, sent, new_client):
    client = new_client(platform="FBOOK", fb_id="fb-4242", checkin_times=[entry("goals", NOW)])

    assert send_checkins(NOW).changed == 1

    [message] = messages_of(client["id"])
    assert sent == [Outbound("FBOOK", "fb-4242", "How is your goals going?", client["id"], sent[0].message_id)]
    assert (message["topic"], message["from_user"]) == ("goals", world.ids["coach"])


def test_a_client_without_a_phone_gets_the_message_stored_and_nothing_sent(world, sent, new_client):
    no_phone = new_client(checkin_times=[entry("budget", NOW - HOUR)], phone=None)
    no_fb_id = new_client(platform="FBOOK", checkin_times=[entry("budget", NOW - HOUR)])
    assert no_phone["phone"] is None

    assert send_checkins(NOW).changed == 2  # stored (claimed) for both, sent to neither

    assert sent == []
    for client in (no_phone, no_fb_id):
        assert [(m["topic"], m["to_user"]) for m in messages_of(client["id"])] == [("budget", client["id"])]
        user = stored_user(client["id"])
        assert (user.checkin_times, user.topic, user.checkins) == ([], "budget", None)
    assert send_checkins(NOW).changed == 0
    assert sum(len(messages_of(c["id"])) for c in (no_phone, no_fb_id)) == 2


def test_a_second_run_over_the_same_clock_sends_nothing(world, sent, new_client, no_scan):
    clients = [new_client(checkin_times=[entry("budget", NOW - HOUR), entry("rent", NOW)]) for _ in range(3)]
    ids = {c["id"] for c in clients}

    assert send_checkins(NOW).changed == 6
    stored = {c["id"]: messages_of(c["id"]) for c in clients}
    assert send_checkins(NOW).changed == 0
    assert send_checkins(NOW + timedelta(minutes=15)).changed == 0

    assert len(sent) == 6 and len({m.message_id for m in sent}) == 6
    assert {m.user_id for m in sent} == ids
    assert {c["id"]: messages_of(c["id"]) for c in clients} == stored
    assert all(len(messages) == 2 for messages in stored.values())


@pytest.fixture
def atomic_moto(monkeypatch):
    """moto applies a transaction's conditions and writes with no lock, so two threads can both pass one
    condition; DynamoDB makes each request atomic. One lock around each request of moto's DynamoDB backend
    gives it that guarantee (the threads still interleave between requests, as two runs do)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "transact_write_items"):
        def atomic(self, *args, _real=getattr(DynamoDBBackend, name), **kwargs):
            with lock:
                return _real(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)


def test_two_concurrent_runs_send_each_due_check_in_exactly_once(world, sent, new_client, atomic_moto):
    clients = [new_client(checkin_times=[entry("budget", NOW - HOUR), entry("rent", NOW)]) for _ in range(4)]
    start = threading.Barrier(2)
    counts, failures = [], []

    def run():
        try:
            start.wait()
            counts.append(send_checkins(NOW).changed)
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    # Each thread in a copy of this context: with the test's clock and outbound sender.
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(run,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sum(counts) == 8
    assert sorted((m.user_id, m.text) for m in sent) == sorted(
        (c["id"], text) for c in clients for text in ("How is your budget going?", "How is your rent going?"))
    assert len({m.message_id for m in sent}) == 8
    assert [len(messages_of(c["id"])) for c in clients] == [2] * 4
    assert send_checkins(NOW).changed == 0


def test_a_run_whose_claim_comes_after_another_runs_claim_sends_nothing(world, sent, new_client, monkeypatch):
    """Overlap made deterministic: run A reads the user, run B then runs whole, and only then does A claim."""
    client = new_client(checkin_times=[entry("budget", NOW - HOUR), entry("rent", NOW)])
    real_get = CoachingUser.get.__func__
    overlapped, reads = [], []

    def get_then_let_another_run_in(cls, *args, **kwargs):
        read = real_get(cls, *args, **kwargs)
        reads.append(args)
        if len(reads) == 1:
            overlapped.append(send_checkins(NOW).changed)  # run B, between A's read and A's claim
        return read

    monkeypatch.setattr(CoachingUser, "get", classmethod(get_then_let_another_run_in))
    assert send_checkins(NOW).changed == 0  # run A: its claim's revision is stale
    monkeypatch.undo()

    assert overlapped == [2]
    assert [(m.user_id, m.text) for m in sent] == [(client["id"], "How is your budget going?"),
                                                   (client["id"], "How is your rent going?")]
    assert len(messages_of(client["id"])) == 2


def test_a_run_that_read_the_index_before_the_coach_changed_the_entries_sends_only_what_is_still_due(
        api, world, sent, new_client, monkeypatch):
    client = new_client(checkin_times=[entry("budget", NOW - HOUR), entry("rent", NOW - HOUR)])
    stale = list(CoachingUser.due.query(DUE, CoachingUser.next_checkin_at <= NOW))
    status, _ = api.put(f"/api/clients/{client['id']}", {"checkin_times": [entry("rent", NOW - HOUR)]},
                        token=world.tokens["coach"])
    assert status == 200
    monkeypatch.setattr(CoachingUser.due, "query", lambda *args, **kwargs: iter(stale))

    assert send_checkins(NOW).changed == 1

    assert [m.text for m in sent] == ["How is your rent going?"]
    assert [m["topic"] for m in messages_of(client["id"])] == ["rent"]


def test_entries_given_later_by_a_put_are_scheduled_and_sent_in_their_turn(api, world, sent, new_client):
    client = new_client()
    assert send_checkins(NOW + 1000 * HOUR).changed == 0
    status, _ = api.put(f"/api/clients/{client['id']}",
                        {"checkin_times": [entry("budget", NOW + 2 * HOUR), entry("rent", NOW + HOUR)]},
                        token=world.tokens["coach"])
    assert status == 200

    assert [send_checkins(NOW + n * HOUR).changed for n in range(4)] == [0, 1, 1, 0]

    assert [m.text for m in sent] == ["How is your rent going?", "How is your budget going?"]
    assert stored_user(client["id"]).topic == "budget"


# --- recurring tasks ---

def recurring_task(api, world, client_id: int, frequency: int, duration: int, assigned: str = "2026-11-23") -> dict:
    status, task = api.post("/api/tasks", {"title": "Open a savings account", "category": "savings",
                                           "user_id": client_id, "date_assigned": assigned,
                                           "recurring": {"frequency": frequency, "duration": duration}},
                            token=world.tokens["coach"])
    assert status == 201, task
    return task


def test_a_recurring_task_gets_a_check_in_on_days_2_4_and_6_of_its_week_as_the_clock_moves(
        api, world, sent, new_client, fixed_clock, no_scan):
    client = new_client()
    task = recurring_task(api, world, client["id"], frequency=2, duration=7)
    assigned = datetime(2026, 11, 23, tzinfo=UTC)

    runs = []
    for _ in range(4 * 10 + 1):  # every 6 hours for 10 days
        runs.append((fixed_clock.now(), send_checkins(fixed_clock.now()).changed))
        fixed_clock.advance(hours=6)

    assert [at for at, count in runs if count] == [assigned + timedelta(days=day) for day in (2, 4, 6)]
    assert sum(count for _, count in runs) == 3
    assert [(m.platform, m.to, m.user_id) for m in sent] == [("SMS", CLIENT_PHONE, client["id"])] * 3
    stored = messages_of(client["id"])
    assert [(m["timestamp"], m["to_user"], m["from_user"], m["topic"]) for m in stored] == [
        (assigned + timedelta(days=day), client["id"], world.ids["coach"], "checkin") for day in (2, 4, 6)]
    assert all("Open a savings account" in m["text"] for m in stored)
    stored_task = Task.get(task["id"], consistent_read=True)
    assert (stored_task.checkins, stored_task.next_checkin_at) == (None, None)
    coach = api.sign_in("coach@example.com")  # the first token has expired on the moved clock
    status, listed = api.get(f"/api/clients/{client['id']}/messages", token=coach)
    assert (status, len(listed)) == (200, 3)


@pytest.mark.parametrize(("frequency", "duration", "expected"), [(1, 1, 1), (3, 9, 3), (7, 6, 0), (5, 12, 2)])
def test_a_recurring_task_gets_floor_of_duration_over_frequency_check_ins(
        api, world, sent, new_client, frequency, duration, expected):
    client = new_client()
    recurring_task(api, world, client["id"], frequency=frequency, duration=duration)
    at = NOW
    total = 0
    for _ in range(4 * (duration + 3)):
        total += send_checkins(at).changed
        at += 6 * HOUR

    assert total == len(sent) == len(messages_of(client["id"])) == expected


def test_missed_occurrences_follow_one_a_run_and_still_total_three(api, world, sent, new_client, no_scan):
    client = new_client()
    recurring_task(api, world, client["id"], frequency=2, duration=7)
    late = datetime(2026, 12, 10, tzinfo=UTC)  # every occurrence (25th, 27th, 29th) long past

    counts = [send_checkins(late + timedelta(minutes=15 * n)).changed for n in range(5)]

    assert counts == [1, 1, 1, 0, 0]
    assert len(sent) == 3 == len(messages_of(client["id"]))
    assert send_checkins(late + 1000 * HOUR).changed == 0


def test_a_recurring_task_check_in_to_a_client_without_a_phone_is_stored_not_sent(api, world, sent, new_client):
    client = new_client(phone=None)
    recurring_task(api, world, client["id"], frequency=1, duration=1)

    assert send_checkins(NOW + 48 * HOUR).changed == 1
    assert send_checkins(NOW + 48 * HOUR).changed == 0

    assert sent == []
    assert [m["to_user"] for m in messages_of(client["id"])] == [client["id"]]


def test_a_recurring_task_and_due_entries_of_one_client_are_all_sent_in_one_run(api, world, sent, new_client):
    client = new_client(checkin_times=[entry("budget", NOW + 24 * HOUR)])
    recurring_task(api, world, client["id"], frequency=1, duration=3)

    assert send_checkins(NOW + 24 * HOUR).changed == 2  # the entry, and the task's first occurrence (the 24th)

    assert sorted(m["topic"] for m in messages_of(client["id"])) == ["budget", "checkin"]
    assert len(sent) == 2


def test_the_check_in_of_a_task_whose_creator_was_deleted_stores_no_phantom_user(api, world, sent, new_client):
    """The task's `created_by` is no reference that stops a deletion; the check-in must not write a user
    record for them again (nor come from a user who does not exist)."""
    root = world.tokens["root"]
    status, admin = api.post("/api/users", {"first_name": "Ada", "last_name": "Gone", "email": "gone@example.com",
                                            "org_id": world.orgs["org"], "type": "Admin"}, token=root)
    assert status == 201
    client = new_client()
    admin_token = accept_invitation(api, "gone@example.com")
    status, _ = api.post("/api/tasks", {"title": "Budget", "category": "money", "user_id": client["id"],
                                        "date_assigned": "2026-11-23", "recurring": {"frequency": 1, "duration": 2}},
                         token=admin_token)
    assert status == 201
    assert api.delete(f"/api/users/{admin['id']}", token=root)[0] == 200

    assert send_checkins(NOW + 24 * HOUR).changed == 1
    with pytest.raises(CoachingUser.DoesNotExist):
        CoachingUser.get(admin["id"], consistent_read=True)
    assert api.get(f"/api/users/{admin['id']}", token=root) == (404, {"message": "Not found"})
    [message] = messages_of(client["id"])
    assert message["from_user"] != admin["id"]


def test_a_task_cannot_name_a_creator_who_does_not_exist(api, world, new_client):
    """Its check-ins would come from nobody: `created_by` is a foreign id, refused with a 400 like the others."""
    client = new_client()

    status, body = api.post("/api/tasks", {"title": "Budget", "category": "money", "user_id": client["id"],
                                           "created_by": 999, "date_assigned": "2026-11-23",
                                           "recurring": {"frequency": 1, "duration": 2}}, token=world.tokens["root"])

    assert (status, [error["field"] for error in (body or {}).get("errors", [])]) == (400, ["created_by"])
    assert list(Task.by_user.query(client["id"])) == []


def test_the_job_is_registered_to_run_every_15_minutes():
    job = JOBS["send-checkins"]

    assert (job.run, job.every_minutes) == (send_checkins, 15)


def test_the_job_uses_exactly_what_its_role_grants(api, world, new_client, aws_calls):
    """SMS and Messenger check-ins, from entries and a recurring task, sent through SNS and SQS (moto)."""
    import boto3

    from chalicelib.core import collaborators, outbound

    queue_url = boto3.client("sqs").create_queue(QueueName="messenger")["QueueUrl"]
    sms = new_client(checkin_times=[entry("budget", NOW - HOUR)])
    new_client(platform="FBOOK", fb_id="fb-4242", checkin_times=[entry("goals", NOW)])
    recurring_task(api, world, sms["id"], frequency=1, duration=1)
    aws_calls.clear()
    with collaborators.using(outbound=outbound.AwsSender(queue_url)):
        assert send_checkins(NOW + 24 * HOUR).changed == 3

    job = JOBS["send-checkins"]
    assert aws_calls.touched() == (set(job.tables), set(job.sends))
