"""The deploy rehearsal's walk of every surface through the API function, as a client calls it: each request is an
API Gateway REST proxy event handled by the packaged `app.app` against DynamoDB Local and moto, on both stages.
Uploads and downloads go to the presigned URLs the API answers (moto's S3) with real bytes. Each surface is walked
along its success path, with one bad input answered in the surface's documented error shape, never a 500."""
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from tests.rehearsal.clients import (
    AUDIO,
    PASSWORD,
    PHOTO,
    UPLOADED,
    ContentOwner,
    NearbyUser,
    User,
    admin,
    assert_link_lands_on_this_api,
    call,
    download,
    mailed_link,
    person,
    post_to_s3,
    s3_keys,
    stored_item,
)
from tests.rehearsal.conftest import ADMIN, API
from tests.rehearsal.events import json_body


def test_accounts_walk_registers_signs_in_refreshes_and_resets_a_password_by_its_mailed_link(stage):
    email = "rehearsal-accounts@example.com"

    status, registered = call(stage, "POST", "/api/auth/register/", {"fullname": "Rae Hearsal", "email": email,
                                                                     "password": PASSWORD})
    assert (status, registered["meta"]) == (201, {"success": True, "errors": []})
    assert set(registered["data"]) == {"access_token", "refresh_token"}
    user = User(stage, email, register=False)
    assert user.ok("GET", "/api/auth/me/")["data"] == {"user_id": user.number, "fullname": "Rae Hearsal",
                                                       "email": email, "is_admin": False, "email_verified": False}
    refreshed = call(stage, "POST", "/api/auth/refresh/", {"refresh_token": registered["data"]["refresh_token"]})
    assert refreshed[0] == 200 and set(refreshed[1]["data"]) == {"access_token", "refresh_token"}

    mails_from = len(stage.calls)
    status, forgot = call(stage, "POST", "/api/auth/forgot/", {"email": email})
    link = mailed_link(stage, email, mails_from)
    path = assert_link_lands_on_this_api(stage, link)
    shown = call(stage, "GET", path)
    reset = call(stage, "POST", path, {"password": "rehearsed-password-1"})
    signed_in = call(stage, "POST", "/api/auth/login/", {"email": email, "password": "rehearsed-password-1"})

    assert status == 200
    assert forgot["data"]["reset_url"] is None  # EXPOSE_RESET_URL is off on every deployed stage, dev included
    assert path.startswith("/api/auth/reset/")
    assert shown == (200, {"meta": {"success": True, "errors": []}, "data": {"email": email}})
    assert reset[0] == 200 and set(reset[1]["data"]) == {"access_token", "refresh_token"}
    assert signed_in[0] == 200
    account = stored_item(stage, "account-emails", {"email": {"S": email}})
    assert account is not None and account["account_id"]["S"]

    bad = call(stage, "POST", "/api/auth/register/", raw="{")
    assert (bad[0], bad[1]["meta"]) == (400, {"success": False, "errors": ["GENERAL_INVALID_JSON"]})


def test_recordings_walk_uploads_by_presigned_post_and_by_legacy_multipart_then_annotates(stage):
    ivy = User(stage, "rehearsal-ivy@example.com")
    project = ivy.ok("POST", "/api/projects/", {"title": "Harbour voices", "description": "Dock workers remember",
                                                "privacy": "public", "topics": ["The docks"]}, expect=201)["data"]
    pid, topic = project["id"], project["topics"][0]["id"]
    participants = [{"Name": "Ivy", "Email": "ivy@example.com", "Role": 1}, {"Name": "Guest", "Role": 0}]
    prompts = [{"Start": 0, "End": 4, "PromptID": topic}]

    listing = ivy.ok("GET", "/api/projects/")["data"]
    assert pid in [p["id"] for p in listing["personal"]]  # a member's public project is listed as personal
    form = ivy.ok("POST", f"/api/projects/{pid}/sessions/uploads/", expect=201)["data"]
    uploaded = post_to_s3(form, "talk.mp3", AUDIO, "audio/mpeg", **{"Content-Type": "audio/mpeg"})
    created = ivy.ok("POST", f"/api/projects/{pid}/sessions/", {"recording_key": form["key"],
                                                               "participants": participants, "prompts": prompts},
                     expect=201)["data"]
    shown = ivy.ok("GET", f"/api/projects/{pid}/sessions/{created['id']}/")["data"]

    assert uploaded.status_code in UPLOADED, uploaded.text
    # The upload was moved out of staging to the project's recordings.
    assert s3_keys(stage, form["key"]) == []
    assert len(s3_keys(stage, f"recordings/{pid}/")) == 1
    assert shown["id"] == created["id"]
    assert shown["topics"] == [{"id": topic, "start": "0", "end": "4", "text": "The docks"}]
    assert [p["name"] for p in shown["participants"]] == ["Ivy", "Guest"]
    assert download(shown["recording_url"]) == AUDIO

    # The legacy upload: a multipart form carrying the audio, which API Gateway passes to the function base64.
    legacy_audio = b"\x00\xff" * 4000 + b"\r\n\r\n"
    form_body = requests.Request("POST", "https://example.test/", files={
        "recording": ("interview.m4a", legacy_audio, "audio/mp4"),
        "participants": (None, json.dumps(participants)), "prompts": (None, json.dumps(prompts))}).prepare()
    event = stage.gateway.event("POST", f"/api/projects/{pid}/sessions/", body=form_body.body, headers={
        **ivy.auth(), "Content-Type": form_body.headers["Content-Type"]})
    assert event["isBase64Encoded"] is True
    status, legacy = ivy.call("POST", f"/api/projects/{pid}/sessions/", raw=form_body.body,
                              headers={"Content-Type": form_body.headers["Content-Type"]})
    assert status == 201, legacy
    assert download(legacy["data"]["recording_url"]) == legacy_audio
    listed = ivy.ok("GET", f"/api/projects/{pid}/sessions/")["data"]
    assert {created["id"], legacy["data"]["id"]} <= {s["id"] for s in listed}

    base = f"/api/projects/{pid}/sessions/{created['id']}/annotations/"
    code = ivy.ok("POST", f"/api/projects/{pid}/codes/", {"text": "Memory"}, expect=201)["data"]
    annotation = ivy.ok("POST", base, {"content": "Listen here", "start_interval": 1, "end_interval": 3,
                                       "tags": [code["id"]]}, expect=201)["data"]
    comment = ivy.ok("POST", f"{base}{annotation['id']}/comments/", {"content": "Good bit"}, expect=201)["data"]
    annotations = ivy.ok("GET", base)["data"]

    assert annotation["labels"] == [{"id": code["id"], "text": "Memory"}]
    assert comment["parent_id"] is None and comment["content"] == "Good bit"
    [mine] = [a for a in annotations if a["id"] == annotation["id"]]
    assert [c["content"] for c in mine["comments"]] == ["Good bit"]

    bad = ivy.call("POST", "/api/projects/", raw='{"title": ')
    assert (bad[0], bad[1]["meta"]["errors"]) == (400, ["GENERAL_INVALID_JSON"])


def test_nearby_walk_asks_finds_follows_responds_with_an_upload_notifies_and_renews(stage):
    asker = NearbyUser(stage, "rehearsal-asker@example.com")
    neighbour = NearbyUser(stage, "rehearsal-neighbour@example.com")
    responder = NearbyUser(stage, "rehearsal-responder@example.com")
    lat, lon = 47.6062, -122.3321
    message = "How long is the queue at the rehearsal?"

    asked = asker.call("POST", "/requests", {"location": {"lat": lat, "lon": lon, "radius": 750},
                                             "message": message, "override": True})
    nearest = neighbour.ok("GET", "/requests/nearest", query={"lat": str(lat + 0.001), "lon": str(lon)})
    [found] = [r for r in nearest if r["message"] == message]
    request_id = found["requestId"]
    direct = asker.call("POST", "/requests", {"message": "Can you see the harbour?", "receiverUI": neighbour.number})
    inbox = neighbour.ok("GET", "/requests/direct")

    assert asked == (201, {"Code": 0, "Message": ""})
    assert (found["creator"]["userId"], found["requestType"], found["location"]) == (
        asker.number, 0, {"lat": lat, "lon": lon, "radius": 750})
    assert direct[0] == 201
    assert [(r["requestType"], r["receiverUI"]) for r in inbox if r["message"] == "Can you see the harbour?"] == [
        (1, neighbour.number)]

    # A follower makes the response's notification a BatchWriteItem.
    assert neighbour.call("GET", f"/requests/follow/{request_id}") == (204, None)
    form = responder.ok("POST", f"/requests/{request_id}/responses/uploads", {"type": 0}, expect=201)
    uploaded = post_to_s3(form, "queue.png", PHOTO, "image/png", **{"Content-Type": "image/png"})
    writes_from = len(stage.calls)
    response = responder.ok("POST", f"/requests/{request_id}/responses", {"key": form["key"], "type": 0}, expect=201)
    listed = asker.ok("GET", f"/requests/{request_id}/responses")
    notified = neighbour.ok("GET", "/notifications")
    renewed = asker.ok("GET", f"/requests/renew/{request_id}")

    assert uploaded.status_code in UPLOADED, uploaded.text
    assert (response["requestId"], response["type"], response["responder"]["userId"]) == (
        request_id, 0, responder.number)
    assert [r["responseId"] for r in listed] == [response["responseId"]]
    assert download(listed[0]["media"]) == PHOTO
    assert [(n["requestId"], n["responseId"]) for n in notified] == [(request_id, response["responseId"])]
    assert asker.ok("GET", f"/requests/{request_id}")["responseCount"] == 1
    new_end = datetime.fromisoformat(renewed["newEnd"].replace("Z", "+00:00"))
    assert new_end > datetime.now(UTC)
    batch_writes = [c for logical, c in stage.calls[writes_from:]
                    if logical == API and c["operation"] == "BatchWriteItem"]
    assert batch_writes, "a response to a followed request notifies its followers with BatchWriteItem"

    bad = asker.call("POST", "/requests", {"message": "Nowhere in particular"})
    assert bad == (400, {"error": "REQUIRED_FIELD_MISSING"})


def test_content_requests_walk_answers_by_link_with_an_upload_then_lists_and_deletes(stage):
    owner = ContentOwner(stage, "rehearsal-content-owner@example.com")
    today = datetime.now(UTC).strftime("%Y/%m/%d")
    created = owner.ok("POST", "", {"content_request": {"name": "Rehearsal party", "recipient": "Rita",
                                                        "prompt": "The cake, please", "expiration_date": today,
                                                        "time_type": "one_time"}}, expect=201)
    by_link = f"/api/v4/content_requests/{created['token']}"

    opened = call(stage, "GET", by_link)
    page_status, page_headers, page = stage.http("GET", created["link_for_copy"])
    form = call(stage, "POST", f"{by_link}/uploads", {"name": "cake.png", "format_type": "png",
                                                      "media_type": "photo", "size": len(PHOTO)})
    assert form[0] == 201, form
    # The link opens the recipient's page, served by the API function, allowed to post to the forms' origin.
    bucket = urlsplit(form[1]["url"])
    assert (page_status, page_headers["content-type"]) == (200, "text/html; charset=utf-8"), page
    assert f"connect-src 'self' {bucket.scheme}://{bucket.netloc};" in page_headers["content-security-policy"]
    assert b"/content_requests/assets/page.js?v=" in page
    uploaded = post_to_s3(form[1], "cake.png", PHOTO, "image/png")
    sent = {"name": "cake", "s3_key": form[1]["s3_key"], "format_type": "png", "media_type": "photo",
            "size": len(PHOTO), "note": "The big one"}
    completed = call(stage, "PUT", f"{by_link}/complete", {"media_files": [sent]})
    files = owner.ok("GET", f"/{created['id']}/media_files")
    listed = owner.ok("GET", "", query={"pending": "false"})

    assert (created["status"], created["time_type"]) == ("pending", "One-Time")
    assert opened[0] == 200 and opened[1]["user"]["id"] == owner.number
    assert uploaded.status_code in UPLOADED, uploaded.text
    assert completed == (200, {"success": True})
    [file] = files["media_files"]
    assert (file["name"], file["size"], files["meta"]) == ("cake", len(PHOTO), {"total_count": 1})
    assert s3_keys(stage, f"content-requests/{created['id']}/") == [file["s3_key"]]
    assert download(file["url"]) == PHOTO
    assert [(r["id"], r["status"]) for r in listed["content_requests"] if r["id"] == created["id"]] == [
        (created["id"], "completed")]

    # Deleting a request with files removes their records in the delete's own transaction (up to 97; more go by
    # BatchWriteItem just after it), and the files.
    writes_from = len(stage.calls)
    deleted = owner.call("DELETE", f"/{created['id']}")
    assert deleted == (200, {"success": True})
    assert [c for logical, c in stage.calls[writes_from:] if logical == API and c["operation"] == "TransactWriteItems"]
    assert call(stage, "GET", by_link)[0] == 404
    assert owner.ok("GET", f"/{created['id']}/media_files", expect=404)["errors"]
    assert s3_keys(stage, f"content-requests/{created['id']}/") == []

    other = owner.ok("POST", "", {"content_request": {"name": "Second party", "recipient": "Rob", "prompt": "Photos",
                                                      "expiration_date": today}}, expect=201)
    bad = call(stage, "PUT", f"/api/v4/content_requests/{other['token']}/complete", raw='{"media_files": [}')
    assert bad == (400, {"errors": [{"param": "body", "message": "Invalid JSON: Expecting value (line 1, column 18)"}]})


def test_coaching_walk_the_platform_admin_sets_up_an_org_coach_client_task_and_message(stage):
    root = admin(stage)
    org = root.ok("POST", "/api/orgs", {"name": "Rehearsal org", "sms_number": "+15555550123"}, expect=201)
    coach = root.ok("POST", "/api/coaches", person("coach", org["id"]), expect=201)
    client_ = root.ok("POST", "/api/clients", person("client", org["id"], coach_id=coach["id"]), expect=201)
    task = root.ok("POST", "/api/tasks", {"title": "Budget", "category": "money", "user_id": client_["id"],
                                          "date_assigned": "2026-11-23"}, expect=201)
    message = root.ok("POST", "/api/messages", {"text": "How is it going?", "from_user": coach["id"],
                                                "to_user": client_["id"]}, expect=201)

    assert org == {"id": org["id"], "name": "Rehearsal org", "sms_number": "+15555550123", "logo": None}
    assert (coach["type"], client_["type"], client_["coach_id"], client_["phone"]) == (
        "Coach", "Client", coach["id"], "+15550102233")
    assert (task["user_id"], task["order"], task["status"]) == (client_["id"], 1, "ACTIVE")
    assert (message["from_user"], message["to_user"], message["text"]) == (coach["id"], client_["id"],
                                                                          "How is it going?")
    assert org["id"] in [o["id"] for o in root.ok("GET", "/api/orgs")]
    assert coach["id"] in [c["id"] for c in root.ok("GET", "/api/coaches")]
    assert client_["id"] in [c["id"] for c in root.ok("GET", "/api/clients")]
    assert [t["id"] for t in root.ok("GET", f"/api/clients/{client_['id']}/tasks")] == [task["id"]]
    assert [m["id"] for m in root.ok("GET", f"/api/clients/{client_['id']}/messages")] == [message["id"]]
    assert root.ok("GET", f"/api/tasks/{task['id']}") == task
    assert stored_item(stage, "coaching-users", {"id": {"N": str(client_["id"])}})["type"]["S"] == "Client"

    bad = root.call("POST", "/api/orgs", raw="{")
    assert bad[0] == 400 and bad[1]["message"] and [e["field"] for e in bad[1]["errors"]] == ["body"]


def test_dialogues_walk_the_admin_makes_a_project_dialogue_revision_release_and_channel(stage):
    root = admin(stage)
    me = root.ok("GET", "/user")
    project = root.ok("POST", "/projects/", {"title": f"Maternal Health {stage.name}"}, expect=201)
    p = project["id"]
    dialogue = root.ok("POST", f"/projects/{p}/dialogues/", {"title": "Survey", "sequences": []}, expect=201)
    path = f"/projects/{p}/dialogues/{dialogue['id']}"
    start = {"id": "start", "title": "Start", "blocks": []}
    patched = root.ok("PATCH", path, [{"op": "add", "path": "/sequences/-", "value": start}])
    release = root.ok("POST", f"{path}/releases/", {"revision_id": patched["revision_id"]}, expect=201)
    revisions = root.ok("GET", f"{path}/revisions/", query={"ordering": "number"})

    assert me["email"] == ADMIN[0]
    assert (project["title"], project["dialogues"], project["is_archived"]) == (
        f"Maternal Health {stage.name}", [], False)
    assert (patched["sequences"], patched["revision_id"]) == ([start], "2")
    assert release["number"] == 1
    assert root.ok("GET", f"{path}/releases/1")["description"]["sequences"] == [start]
    assert [r["number"] for r in revisions] == [1, 2]
    summary = root.ok("GET", path)
    assert (summary["is_published"], summary["has_changes"]) == (True, False)

    provider = root.ok("POST", "/providers/", {"title": f"Rehearsal provider {stage.name}"}, expect=201)
    channel = root.ok("POST", "/channels/", {"provider_id": provider["id"], "title": "*120#", "address": "*120#",
                                             "type": "ussd"}, expect=201)
    attached = root.ok("PUT", f"/channels/{channel['id']}", {"project_id": p})
    assert (attached["project_id"], attached["is_available"]) == (p, True)
    assert [c["id"] for c in root.ok("GET", f"/projects/{p}/channels/")] == [channel["id"]]

    forgetful = User(stage, "rehearsal-dialogues@example.com")
    mails_from = len(stage.calls)
    assert root.call("POST", "/password-resets/", {"email": forgetful.email}) == (204, None)
    link_path = assert_link_lands_on_this_api(stage, mailed_link(stage, forgetful.email, mails_from))
    assert call(stage, "GET", link_path) == (200, {"meta": {"success": True, "errors": []},
                                                   "data": {"email": forgetful.email}})

    bad = root.call("POST", "/projects/", raw="{")
    assert bad[0] == 400 and bad[1]["type"] == "parse_error" and {"message", "details"} <= set(bad[1])


def test_a_client_accepting_only_a_binary_type_still_gets_the_json_body(stage):
    user = User(stage, "rehearsal-binary@example.com")

    status, headers, content = stage.http("GET", "/api/auth/me/", headers={**user.auth(), "Accept": "image/png"})

    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert json_body(content)["data"]["email"] == "rehearsal-binary@example.com"
