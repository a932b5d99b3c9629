"""Coaching fixtures: two orgs, and a signed-in person for each role the rules name; helpers to read what
was stored and the 400 answer."""
from types import SimpleNamespace

import pytest

from chalicelib.coaching.models import CoachingEmail, CoachingUser, HelpRequest, Media, Message, Org, Task, ViewedMedia
from chalicelib.core import collaborators, mail
from chalicelib.identity import service as accounts
from tests.conftest import restore_store, saved_store
from tests.mailbox import accept_invitation

PEOPLE = {  # name: (type, org, coach)
    "admin": ("Admin", "org", None),
    "other_admin": ("Admin", "other_org", None),
    "coach": ("Coach", "org", None),
    "other_coach": ("Coach", "org", None),
    "client": ("Client", "org", "coach"),
    "other_client": ("Client", "org", "other_coach"),
}


def person(name: str, user_type: str, org_id: int, coach_id: int | None = None) -> dict:
    body = {"first_name": name.title(), "last_name": "Tester", "email": f"{name}@example.com", "org_id": org_id,
            "type": user_type, "phone": "555-010-0000"}
    return {**body, "coach_id": coach_id} if coach_id else body


@pytest.fixture(scope="module")
def built_world() -> dict:
    return {}


@pytest.fixture
def world(api, built_world):
    """The people below, built once a module (sign-ups hash passwords: most of a test's time) and given to each
    test again from a copy of the tables it left, with the same ids and tokens."""
    if built_world:
        restore_store(built_world["store"])
    else:
        built_world.update(world=_build_world(api), store=saved_store())
    return built_world["world"]


def _build_world(api):
    """`world.ids[name]` and `world.tokens[name]` for: root (the platform admin: Superadmin), admin and
    other_admin (Admins of org and other_org), coach and other_coach (Coaches of org), client (coach's
    client) and other_client (other_coach's client); `world.orgs` has both org ids; `world.tokens["nobody"]`
    is an account with no coaching user."""
    accounts.register("Root Admin", "root@example.com", "twelve-chars-pw", is_admin=True)
    root = api.sign_in("root@example.com")
    orgs = {}
    for name, number in (("org", "+15555550001"), ("other_org", "+15555550002")):
        status, body = api.post("/api/orgs", {"name": name, "sms_number": number}, token=root)
        assert status == 201, body
        orgs[name] = body["id"]
    ids, tokens = {}, {"root": root}
    for name, (user_type, org, coach) in PEOPLE.items():
        status, body = api.post("/api/users", person(name, user_type, orgs[org], ids.get(coach)), token=root)
        assert status == 201, body
        ids[name] = body["id"]
        tokens[name] = accept_invitation(api, f"{name}@example.com")  # a role binds only to a verified email
    tokens["nobody"] = api.sign_up("nobody@example.com", "No Body")
    return SimpleNamespace(ids=ids, tokens=tokens, orgs=orgs)


@pytest.fixture
def sent():
    """The outbound messages (SMS, Messenger) sent while the test runs."""
    memory = mail.MemoryOutbox()
    with collaborators.using(outbound=memory):
        yield memory.sent


def invalid(*failures):
    """The 400 answer naming each (field, message)."""
    return 400, {"message": "Invalid input", "errors": [{"field": f, "message": m} for f, m in failures]}


def store():
    """Every coaching record as stored (serialized, so that two snapshots compare by value)."""
    return {model.__name__: sorted((item.serialize() for item in model.scan(consistent_read=True)), key=repr)
            for model in (Org, CoachingUser, CoachingEmail, Task, Media, Message, ViewedMedia, HelpRequest)}
