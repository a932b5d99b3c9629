"""Coaching fixtures: two orgs, and a signed-in person for each role the rules name."""
from types import SimpleNamespace

import pytest

from chalicelib.accounts import service as accounts
from chalicelib.coaching import outbound
from chalicelib.core import mail

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


@pytest.fixture
def world(api):
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
        tokens[name] = api.sign_up(f"{name}@example.com", f"{name.title()} Tester")
    tokens["nobody"] = api.sign_up("nobody@example.com", "No Body")
    return SimpleNamespace(ids=ids, tokens=tokens, orgs=orgs)


@pytest.fixture
def sent():
    """The outbound messages (SMS, Messenger) sent while the test runs."""
    memory = mail.MemoryOutbox()
    outbound.use(memory)
    yield memory.sent
    outbound.use(None)
