"""The deploy rehearsal's scheduled functions: each job's function, invoked through its template handler with the
event its EventBridge schedule sends, once the API has made something due for it and the job's platform clock has
moved past the due time (as `make job NOW=` does). Its answer is the job's count; its effect is read through the
API, as a client sees it."""
import json
from datetime import UTC, datetime, timedelta

from tests.rehearsal import events
from tests.rehearsal.clients import ContentOwner, NearbyUser, admin, call, person


def scheduled_event(stage, logical: str) -> dict:
    """The event the function's schedule rule (its template `Schedule` event) sends it."""
    [name] = [name for name, event in stage.template.resources[logical]["Properties"]["Events"].items()
              if event["Type"] == "Schedule"]
    return events.scheduled(f"{stage.template.stack_name}-{name}")


def run_job(stage, logical: str, at: datetime):
    """The job's function invoked by its schedule with its clock stopped at `at`: the handler's answer."""
    stage.functions[logical].clock(at.isoformat())
    return stage.invoke(logical, scheduled_event(stage, logical))


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_the_expire_requests_function_expires_a_nearby_request_past_its_end(stage):
    owner = NearbyUser(stage, "rehearsal-job-asker@example.com")
    neighbour = NearbyUser(stage, "rehearsal-job-neighbour@example.com")
    lat, lon, message = 51.5074, -0.1278, "Anyone at the bridge for the rehearsal?"
    assert owner.call("POST", "/requests", {"location": {"lat": lat, "lon": lon, "radius": 750}, "message": message,
                                            "override": True})[0] == 201
    [request_id] = [r["requestId"] for r in neighbour.ok("GET", "/requests/nearest", query={
        "lat": str(lat), "lon": str(lon)}) if r["message"] == message]

    expired = run_job(stage, "ExpireRequests", datetime.now(UTC) + timedelta(days=8))  # requests last 7 days

    assert expired["changed"] >= 1 and expired["failed"] == 0 and expired["seen"] >= expired["changed"]
    assert request_id not in [r["requestId"] for r in neighbour.ok("GET", "/requests/nearest", query={
        "lat": str(lat), "lon": str(lon)})]
    assert run_job(stage, "ExpireRequests", datetime.now(UTC) + timedelta(days=8))["changed"] == 0  # once only
    status, renewed = owner.call("GET", f"/requests/renew/{request_id}")  # the creator brings it back
    assert status == 200 and set(renewed) == {"newEnd"}
    assert request_id in [r["requestId"] for r in neighbour.ok("GET", "/requests/nearest", query={
        "lat": str(lat), "lon": str(lon)})]


def test_the_reindex_requests_function_refines_a_crowded_cover_that_create_held_back(stage):
    askers = [NearbyUser(stage, f"rehearsal-crowd-{n}@example.com") for n in range(2)]
    lat, lon = 33.52, -86.81
    for n in range(13):  # a ring of wide circles whose edges cross the same cells: the last one's cover is held back
        assert askers[n % 2].call("POST", "/requests", {"location": {"lat": lat, "lon": lon + n * 1e-5, "radius": 1800},
                                                        "message": f"Crowd {n}", "override": True})[0] == 201
    [last] = [r["requestId"] for r in askers[0].ok("GET", "/requests/nearest", query={
        "lat": str(lat), "lon": str(lon + 12e-5)}) if r["message"] == "Crowd 12"]

    reindexed = run_job(stage, "ReindexRequests", datetime.now(UTC))

    assert reindexed["changed"] >= 1 and reindexed["failed"] == 0
    assert run_job(stage, "ReindexRequests", datetime.now(UTC))["seen"] == 0  # every mark lifted
    assert [r["requestId"] for r in askers[1].ok("GET", "/requests/nearest", query={
        "lat": str(lat), "lon": str(lon + 12e-5)})].count(last) == 1


def test_the_expire_content_requests_function_expires_a_pending_request_past_its_day(stage):
    owner = ContentOwner(stage, "rehearsal-job-content@example.com")
    now = datetime.now(UTC)

    def ask(name: str, day: datetime) -> dict:
        return owner.ok("POST", "", {"content_request": {"name": name, "recipient": "Rita", "prompt": "Photos",
                                                         "expiration_date": day.strftime("%Y/%m/%d")}}, expect=201)

    today, later = ask("Due today", now), ask("Due next month", now + timedelta(days=30))

    expired = run_job(stage, "ExpireContentRequests", now + timedelta(days=2))

    assert expired["changed"] >= 1 and expired["failed"] == 0
    shown = {r["id"]: call(stage, "GET", f"/api/v4/content_requests/{r['token']}") for r in (today, later)}
    assert (shown[today["id"]][0], shown[today["id"]][1]["status"]) == (200, "expired")
    assert (shown[later["id"]][0], shown[later["id"]][1]["status"]) == (200, "pending")
    refused = call(stage, "POST", f"/api/v4/content_requests/{today['token']}/uploads", {
        "name": "late.png", "format_type": "png", "media_type": "photo", "size": 10})
    assert refused == (409, {"errors": [{"param": "status", "message": "The content request has expired"}]})


def test_the_send_checkins_function_records_and_texts_a_due_check_in(stage):
    root = admin(stage)
    due_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    later = {"topic": "later", "message": "Still on track?", "time": ms(due_at + timedelta(days=30))}
    org = root.ok("POST", "/api/orgs", {"name": "Check-in org", "sms_number": "+15555550124"}, expect=201)
    coach = root.ok("POST", "/api/coaches", person("checkin-coach", org["id"]), expect=201)
    client = root.ok("POST", "/api/clients", person("checkin-client", org["id"], coach_id=coach["id"], checkin_times=[
        {"topic": "rent", "message": "Rent paid this week?", "time": ms(due_at)}, later]), expect=201)
    root.ok("POST", "/api/clients", person("checkin-messenger", org["id"], coach_id=coach["id"], platform="FBOOK",
                                           fb_id="fb-4242", checkin_times=[
        {"topic": "goals", "message": "How are the goals?", "time": ms(due_at)}]), expect=201)
    calls_from = len(stage.calls)

    sent = run_job(stage, "SendCheckins", due_at)

    assert sent["changed"] >= 2 and sent["failed"] == 0
    messages = root.ok("GET", f"/api/clients/{client['id']}/messages")
    assert [(m["text"], m["topic"], m["from_user"], m["to_user"]) for m in messages] == [
        ("Rent paid this week?", "rent", coach["id"], client["id"])]
    held = root.ok("GET", f"/api/clients/{client['id']}")
    assert (held["checkin_times"], held["topic"]) == ([later], "rent")
    texts = [c["params"] for logical, c in stage.calls[calls_from:]
             if logical == "SendCheckins" and (c["service"], c["operation"]) == ("sns", "Publish")]
    assert {"PhoneNumber": "+15550102233", "Message": "Rent paid this week?"} in texts
    queued = [json.loads(c["params"]["MessageBody"]) for logical, c in stage.calls[calls_from:]
              if logical == "SendCheckins" and (c["service"], c["operation"]) == ("sqs", "SendMessage")]
    assert [(m["platform"], m["to"], m["text"]) for m in queued] == [("FBOOK", "fb-4242", "How are the goals?")]
