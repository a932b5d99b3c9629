"""Identity attacks made over real HTTP against `make run`'s server and DynamoDB Local, each checked to be refused
with nothing changed: an email registered before its coaching Admin could take it over (until the mailbox owner
follows the invitation), a recordings participant linked to whoever registered an address, an older reset link
used after a newer reset, verification or password change, and reset links answered or steered off this API."""
import json
import uuid

import pytest
import requests

from tests.mailbox import PASSWORD, RESET_LINK, outbox_links

TAG = uuid.uuid4().hex[:8]  # the stack is shared: every email of this module carries it
ATTACKER_PASSWORD = "attackers-own-password"


def email(name: str) -> str:
    return f"{name}-{TAG}@identity.example.com"


def post(stack, path, body, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(stack.base_url + path, data=json.dumps(body), headers=headers, timeout=30)


def get(stack, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(stack.base_url + path, headers=headers, timeout=30)


def put(stack, path, body, token):
    return requests.put(stack.base_url + path, data=json.dumps(body), headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def register(stack, address, password=PASSWORD, fullname="Some One") -> dict:
    response = post(stack, "/api/auth/register/", {"fullname": fullname, "email": address, "password": password})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def sign_in(stack, address, password=PASSWORD):
    return post(stack, "/api/auth/login/", {"email": address, "password": password})


def errors(response) -> tuple:
    return response.status_code, response.json()["meta"]["errors"]


@pytest.fixture(scope="module")
def root(local_stack) -> str:
    """The local stack's platform admin (a coaching Superadmin): its access token."""
    response = sign_in(local_stack, "admin@example.com", "admin-password-123")
    assert response.status_code == 200, response.text
    return response.json()["data"]["access_token"]


@pytest.fixture(scope="module")
def org(local_stack, root):
    """An org made by the platform admin, with a client (whose phone an Admin could change) and an Admin coaching
    user whose address nobody has verified yet."""
    def make(path, body):
        response = post(local_stack, path, body, root)
        assert response.status_code == 201, response.text
        return response.json()

    made = make("/api/orgs", {"name": f"Identity {TAG}", "sms_number": "+15555550199"})
    client = make("/api/users", {"first_name": "Cleo", "last_name": "Client", "email": email("client"),
                                 "org_id": made["id"], "type": "Client", "phone": "(555) 010-4455"})
    admin = make("/api/users", {"first_name": "Ada", "last_name": "Admin", "email": email("admin"),
                                "org_id": made["id"], "type": "Admin", "phone": "(555) 010-4466"})
    return {"id": made["id"], "client": client, "admin": admin}


def test_an_attacker_who_registers_a_coaching_admins_email_first_gets_nothing_and_loses_it_to_the_mailbox_owner(
        local_stack, root, org):
    stolen, client_path = email("admin"), f"/api/clients/{org['client']['id']}"
    attacker = register(local_stack, stolen, ATTACKER_PASSWORD, "Eve Attacker")

    # The attack: the unverified account is refused on every coaching route, and changes nothing.
    listing = get(local_stack, "/api/clients", attacker["access_token"])
    rephoned = put(local_stack, client_path, {"phone": "(555) 666-0000"}, attacker["access_token"])
    assert (listing.status_code, rephoned.status_code) == (403, 403)
    assert get(local_stack, client_path, root).json()["phone"] == "+15550104455"
    assert get(local_stack, "/api/auth/me/", attacker["access_token"]).json()["data"]["email_verified"] is False

    # The mailbox owner follows the invitation the platform admin's creation mailed, and chooses a password.
    [invitation] = outbox_links(local_stack, stolen, subject="You are invited")
    shown = requests.get(invitation, timeout=30)
    taken = requests.post(invitation, data=json.dumps({"password": "the-real-admins-password"}), timeout=30)
    owner = taken.json()["data"]["access_token"]

    assert invitation.startswith(f"{local_stack.base_url}/api/auth/verify/")
    assert (shown.status_code, shown.json()["data"]) == (200, {"email": stolen})
    assert taken.status_code == 200 and set(taken.json()["data"]) == {"access_token", "refresh_token"}
    assert get(local_stack, "/api/auth/me/", owner).json()["data"]["email_verified"] is True
    assert org["client"]["id"] in [user["id"] for user in get(local_stack, "/api/clients", owner).json()]
    # Everything the attacker held stops working: tokens, refresh token, password, the used link.
    assert errors(get(local_stack, "/api/auth/me/", attacker["access_token"])) == (401, ["AUTH_TOKEN_INVALID"])
    assert get(local_stack, "/api/clients", attacker["access_token"]).status_code == 401
    assert post(local_stack, "/api/auth/refresh/", {"refresh_token": attacker["refresh_token"]}).status_code == 401
    assert errors(sign_in(local_stack, stolen, ATTACKER_PASSWORD)) == (401, ["AUTH_INCORRECT_PASSWORD"])
    assert sign_in(local_stack, stolen, "the-real-admins-password").status_code == 200
    again = requests.post(invitation, data=json.dumps({"password": ATTACKER_PASSWORD}), timeout=30)
    assert errors(again) == (410, ["TOKEN_USED"])
    assert get(local_stack, client_path, root).json()["phone"] == "+15550104455"


def test_an_invitation_to_an_address_without_an_account_creates_it_verified(local_stack, org):
    [invitation] = outbox_links(local_stack, email("client"), subject="You are invited")

    taken = requests.post(invitation, data=json.dumps({"password": "cleos-own-password"}), timeout=30)
    me = get(local_stack, "/api/auth/me/", taken.json()["data"]["access_token"]).json()["data"]

    assert taken.status_code == 200
    assert (me["fullname"], me["email"], me["email_verified"]) == ("Cleo Client", email("client"), True)
    assert get(local_stack, f"/api/clients/{org['client']['id']}", taken.json()["data"]["access_token"]
               ).status_code == 200


def _session_participant(stack, token, project_id, participant_email) -> dict:
    """A new session of the project (its audio sent by presigned POST) with one participant of that email, as
    shown."""
    form = post(stack, f"/api/projects/{project_id}/sessions/uploads/", {}, token).json()["data"]
    uploaded = requests.post(form["url"], data={**form["fields"], "Content-Type": "audio/mpeg"},
                             files={"file": ("talk.mp3", b"ID3-audio", "audio/mpeg")}, timeout=30)
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    created = post(stack, f"/api/projects/{project_id}/sessions/", {
        "recording_key": form["key"], "participants": [{"Name": "Vic", "Email": participant_email, "Role": 0}],
        "prompts": []}, token)
    assert created.status_code == 201, created.text
    return created.json()["data"]["participants"][0]


def test_a_recordings_participant_links_only_to_an_account_that_verified_its_email(local_stack):
    interviewer = register(local_stack, email("interviewer"))["access_token"]
    project = post(local_stack, "/api/projects/", {"title": f"Voices {TAG}", "description": "Dock workers",
                                                   "privacy": "public", "topics": ["Work"]}, interviewer)
    assert project.status_code == 201, project.text
    victim, project_id = email("participant"), project.json()["data"]["id"]
    register(local_stack, victim, ATTACKER_PASSWORD, "Eve Attacker")

    assert _session_participant(local_stack, interviewer, project_id, victim)["user_id"] is None  # not linked

    owner = requests.post(outbox_links(local_stack, victim)[-1], data=json.dumps({"password": PASSWORD}),
                          timeout=30).json()["data"]["access_token"]
    number = get(local_stack, "/api/auth/me/", owner).json()["data"]["user_id"]
    assert _session_participant(local_stack, interviewer, project_id, victim)["user_id"] == number


def _forgot(stack, address) -> str:
    response = post(stack, "/api/auth/forgot/", {"email": address})
    assert response.status_code == 200, response.text
    return response.json()["data"]["reset_url"]


def _verify(stack, address, tokens):
    return requests.post(outbox_links(stack, address)[-1], data=json.dumps({"password": "newer-password-12"}),
                         timeout=30)


def _change_password(stack, address, tokens):
    return post(stack, "/user/password-changes/", {"old_password": PASSWORD, "new_password": "newer-password-12"},
                tokens["access_token"])


def _newer_reset(stack, address, tokens):
    return requests.post(_forgot(stack, address), data=json.dumps({"password": "newer-password-12"}), timeout=30)


@pytest.mark.parametrize("change", [_newer_reset, _verify, _change_password])
def test_an_older_reset_link_is_refused_after_a_newer_change_and_the_password_stays(local_stack, change):
    address = email(f"reset-{change.__name__.strip('_')}")
    tokens = register(local_stack, address)
    older = _forgot(local_stack, address)

    changed = change(local_stack, address, tokens)
    shown = requests.get(older, timeout=30)
    used = requests.post(older, data=json.dumps({"password": "attackers-password-1"}), timeout=30)

    assert changed.status_code in (200, 204), changed.text
    assert errors(shown) == (410, ["TOKEN_USED"])
    assert errors(used) == (410, ["TOKEN_USED"])
    assert sign_in(local_stack, address, "attackers-password-1").status_code == 401
    assert sign_in(local_stack, address, "newer-password-12").status_code == 200


def test_the_local_stack_answers_reset_url_with_the_mailed_link_whatever_host_the_request_names(local_stack):
    address = email("forgetful")
    register(local_stack, address)

    answered = post(local_stack, "/api/auth/forgot/", {"email": address}, Host="attacker.example.com",
                    **{"X-Forwarded-Host": "attacker.example.com", "X-Forwarded-Proto": "http"})
    [mailed] = outbox_links(local_stack, address, "Reset your password", pattern=RESET_LINK)

    assert answered.json()["data"]["reset_url"] == mailed  # `make run` sets EXPOSE_RESET_URL=true
    assert mailed.startswith(f"{local_stack.base_url}/api/auth/reset/")


def test_the_dialogues_reset_mail_carries_an_absolute_link_that_completes_the_reset(local_stack):
    address = email("dialogues-reset")
    register(local_stack, address)

    asked = post(local_stack, "/password-resets/", {"email": address}, Host="attacker.example.com",
                 **{"X-Forwarded-Host": "attacker.example.com"})
    [link] = outbox_links(local_stack, address, "Reset your password", pattern=RESET_LINK)
    completed = requests.post(link, data=json.dumps({"password": "dialogues-new-pw-1"}), timeout=30)

    assert asked.status_code == 204
    assert link.startswith(f"{local_stack.base_url}/api/auth/reset/")
    assert completed.status_code == 200
    assert sign_in(local_stack, address, "dialogues-new-pw-1").status_code == 200
