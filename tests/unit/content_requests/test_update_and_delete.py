"""PUT and DELETE /api/v4/content_requests/<id>: change, cancel, reopen, delete (with the files sent)."""
from datetime import UTC, datetime

import boto3

from chalicelib.content_requests.models import ContentRequest, MediaFile, RequestToken
from chalicelib.jobs.content_expiry import expire_content_requests
from tests.unit.content_requests.conftest import BASE

NOT_AN_ID = {"errors": [{"param": "id", "message": "Must be a Integer"}]}
NOT_FOUND = {"errors": [{"param": "id", "message": "Not found"}]}


def stored():
    """Every request as stored, by id."""
    return {int(r.id): r.attribute_values for r in ContentRequest.scan(consistent_read=True)}


def shape(body, **changes):
    """The documented PUT body: the create body with `changes`."""
    return {**body, **changes}


def put(api, token, id_, **fields):
    return api.put(f"{BASE}/{id_}", {"content_request": fields}, token=token)


def keys_under(bucket, prefix):
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


# --- update ---

def test_put_changes_only_the_given_fields(api, owner, create, fixed_clock):
    body = create()
    before = ContentRequest.get(1)
    fixed_clock.advance(minutes=1)

    status, answer = put(api, owner, 1, name="Renamed party")

    assert (status, answer) == (200, shape(body, name="Renamed party"))
    after = ContentRequest.get(1)
    assert after.name == "Renamed party" and after.updated_at == fixed_clock.now()
    moved = ("name", "name_key", "updated_at")  # the name's sorted-shelf key follows the name
    assert {k: v for k, v in after.attribute_values.items() if k not in moved} == {
        k: v for k, v in before.attribute_values.items() if k not in moved}


def test_put_with_no_fields_changes_nothing_but_answers_the_request(api, owner, create):
    body = create()
    before = stored()[1]

    assert put(api, owner, 1) == (200, body)
    assert {k: v for k, v in stored()[1].items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"}


def test_put_can_change_every_field_at_once(api, owner, create):
    body = create()

    status, answer = put(api, owner, 1, name="New name", recipient="New recipient", prompt="New prompt",
                         expiration_date="2026/12/10", status="canceled")

    assert (status, answer) == (200, shape(body, name="New name", recipient="New recipient", prompt="New prompt",
                                           expiration_date="2026-12-10T00:00:00.000Z", status="canceled"))
    request = ContentRequest.get(1)
    assert (request.name, request.recipient, request.prompt, request.status) == (
        "New name", "New recipient", "New prompt", "canceled")
    assert (request.expiration_date, request.expires_at) == (datetime(2026, 12, 10, tzinfo=UTC),
                                                             datetime(2026, 12, 11, tzinfo=UTC))


def test_canceling_closes_the_request_to_uploads_and_completion(api, owner, create, send, outbox):
    body = create()
    sent = send(body["token"])

    assert put(api, owner, 1, status="canceled") == (200, shape(body, status="canceled"))
    request = ContentRequest.get(1)
    assert (request.status, request.expiring, request.shelf) == ("canceled", None, f"{request.owner_id}#closed")
    assert list(ContentRequest.by_expiry.query("pending")) == []
    before = stored()

    refused = (409, {"errors": [{"param": "status", "message": "The content request was canceled"}]})
    assert api.put(f"{BASE}/{body['token']}/complete", {"media_files": [sent]}) == refused
    assert api.post(f"{BASE}/{body['token']}/uploads", {"name": "b.png", "format_type": "png",
                                                         "media_type": "photo", "size": 10}) == refused
    assert stored() == before
    assert [item.received_at for item in MediaFile.query(1)] == [None]
    assert outbox.sent == []
    assert put(api, owner, 1, status="canceled") == (200, shape(body, status="canceled"))  # again: still canceled
    assert ContentRequest.get(1).status == "canceled"


def test_canceling_a_completed_one_time_request_is_409_and_changes_nothing(api, owner, create, send):
    body = create()
    assert api.put(f"{BASE}/{body['token']}/complete", {"media_files": [send(body["token"])]})[0] == 200
    before = stored()

    assert put(api, owner, 1, status="canceled", name="Too late") == (
        409, {"errors": [{"param": "status", "message": "A completed request cannot be canceled"}]})
    assert stored() == before
    assert api.get(f"{BASE}/{body['token']}")[1]["status"] == "completed"


def test_a_new_expiration_date_reopens_an_expired_request(api, owner, create, fixed_clock, send):
    body = create(expiration_date="2026/11/23")
    fixed_clock.advance(hours=13)
    assert expire_content_requests(fixed_clock.now()).changed == 1
    assert ContentRequest.get(1).status == "expired"
    owner = api.sign_in("owner@example.com")

    assert put(api, owner, 1, expiration_date="2026/11/30") == (
        200, shape(body, expiration_date="2026-11-30T00:00:00.000Z", status="pending"))
    request = ContentRequest.get(1)
    assert (request.status, request.expiring, request.shelf) == ("pending", "pending", f"{request.owner_id}#pending")
    assert request.expires_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert [int(r.id) for r in ContentRequest.by_expiry.query("pending")] == [1]
    assert [r["id"] for r in api.get(f"{BASE}?pending=true", token=owner)[1]["content_requests"]] == [1]
    assert api.put(f"{BASE}/{body['token']}/complete", {"media_files": [send(body["token"])]}) == (
        200, {"success": True})


def test_a_new_expiration_date_extends_a_request_past_its_day_before_the_job_ran(api, owner, create, fixed_clock):
    body = create(expiration_date="2026/11/23")
    fixed_clock.advance(hours=13)
    owner = api.sign_in("owner@example.com")
    assert api.get(f"{BASE}/{body['token']}")[1]["status"] == "expired"

    assert put(api, owner, 1, expiration_date="2026/11/24") == (
        200, shape(body, expiration_date="2026-11-24T00:00:00.000Z", status="pending"))
    assert ContentRequest.get(1).status == "pending"
    assert expire_content_requests(fixed_clock.now()).changed == 0


def test_canceling_wins_over_a_new_expiration_date_and_closes_an_expired_request(api, owner, create, fixed_clock):
    canceled = create()
    put(api, owner, 1, status="canceled")
    expired = create(expiration_date="2026/11/23")
    fixed_clock.advance(hours=13)
    assert expire_content_requests(fixed_clock.now()).changed == 1
    owner = api.sign_in("owner@example.com")

    assert put(api, owner, 1, expiration_date="2026/12/20") == (
        200, shape(canceled, expiration_date="2026-12-20T00:00:00.000Z", status="canceled"))
    assert put(api, owner, 2, status="canceled") == (200, shape(expired, status="canceled"))
    assert put(api, owner, 2, status="canceled", expiration_date="2026/12/20") == (
        200, shape(expired, expiration_date="2026-12-20T00:00:00.000Z", status="canceled"))
    assert {n: (r["status"], r.get("expiring")) for n, r in stored().items()} == {
        1: ("canceled", None), 2: ("canceled", None)}


def test_put_with_a_status_other_than_canceled_is_422_and_changes_nothing(api, owner, create):
    create()
    before = stored()

    for status in ("completed", "pending", "expired", "CANCELED", 1, True):
        assert put(api, owner, 1, status=status) == (422, {"errors": [
            {"param": "content_request[status]", "message": "Must be one of: canceled."}]}), status
    assert stored() == before


def test_put_refuses_invalid_fields_and_changes_nothing(api, owner, create):
    create()
    before = stored()

    def entry(param, message):
        return {"param": f"content_request[{param}]", "message": message}

    for fields, errors in [
        ({"name": 5}, [entry("name", "Must be a String")]),
        ({"recipient": []}, [entry("recipient", "Must be a String")]),
        ({"prompt": " "}, [entry("prompt", "Must not be blank")]),
        ({"expiration_date": "2026/11/22"}, [entry("expiration_date", "Must not be in the past")]),
        ({"expiration_date": "soon"}, [entry("expiration_date", "Must be a date such as 2022/06/07")]),
        ({"name": "", "status": "done", "expiration_date": 5, "recipient": "Fine"},
         [entry("name", "Must not be blank"), entry("expiration_date", "Must be a String"),
          entry("status", "Must be one of: canceled.")]),
    ]:
        assert put(api, owner, 1, **fields) == (422, {"errors": errors}), fields
    for body, message in [({}, "Missing parameter"), ({"name": "flat"}, "Missing parameter"),
                          ({"content_request": "x"}, "Must be a Hash"), ({"content_request": [1]}, "Must be a Hash")]:
        assert api.put(f"{BASE}/1", body, token=owner) == (
            422, {"errors": [{"param": "content_request", "message": message}]}), body
    assert api.call("PUT", f"{BASE}/1", raw="{nope", token=owner) == (400, {"errors": [
        {"param": "body", "message": "Invalid JSON: Expecting property name enclosed in double quotes "
                                     "(line 1, column 2)"}]})
    assert stored() == before


def test_put_and_delete_need_a_numeric_id(api, owner, create):
    body = create()
    before = stored()

    for segment in (body["token"], "abc", "1.5", "-1", "1e3"):
        assert put(api, owner, segment, name="Renamed") == (422, NOT_AN_ID), segment
        assert api.delete(f"{BASE}/{segment}", token=owner) == (422, NOT_AN_ID), segment
    assert stored() == before


def test_put_and_delete_need_a_token(api, create):
    create()
    before = stored()
    missing = (401, {"errors": [{"param": "Authorization", "message": "No token was sent"}]})

    assert put(api, None, 1, name="Renamed") == missing
    assert api.delete(f"{BASE}/1") == missing
    assert api.put(f"{BASE}/1", {"content_request": {"name": "x"}}, headers={"Authorization": "Bearer x"}) == (
        401, {"errors": [{"param": "Authorization", "message": "The token is not valid"}]})
    assert stored() == before


def test_put_to_another_users_or_an_unknown_request_is_404_and_changes_nothing(api, stranger, create):
    create()
    before = stored()

    assert put(api, stranger, 1, name="Mine now", status="canceled") == (404, NOT_FOUND)
    assert put(api, stranger, 2, name="Nobody's") == (404, NOT_FOUND)
    assert stored() == before


def test_delete_of_another_users_or_an_unknown_request_is_404_and_keeps_it(api, owner, stranger, create, send,
                                                                            bucket):
    body = create()
    key = send(body["token"])["s3_key"]
    before = stored()

    assert api.delete(f"{BASE}/1", token=stranger) == (404, NOT_FOUND)
    assert api.delete(f"{BASE}/2", token=owner) == (404, NOT_FOUND)
    assert stored() == before
    assert [t.token for t in RequestToken.scan()] == [body["token"]]
    assert [item.s3_key for item in MediaFile.query(1)] == [key]
    assert keys_under(bucket, "") == [key]


# --- delete ---

def test_delete_removes_the_request_its_link_its_files_and_its_objects(api, owner, create, send, bucket):
    first = create(time_type="multi_use")
    for _ in range(9):
        create()
    tenth = ContentRequest.get(10).token
    received = send(first["token"])
    assert api.put(f"{BASE}/{first['token']}/complete", {"media_files": [received]})[0] == 200
    issued_only = send(first["token"])
    kept = send(tenth)

    assert api.delete(f"{BASE}/1", token=owner) == (200, {"success": True})

    assert sorted(stored()) == list(range(2, 11))
    assert first["token"] not in {t.token for t in RequestToken.scan()} and RequestToken.count() == 9
    assert list(MediaFile.query(1)) == []
    assert [item.s3_key for item in MediaFile.query(10)] == [kept["s3_key"]]
    assert keys_under(bucket, "content-requests/1/") == keys_under(bucket, "uploads/content-requests/1/") == []
    assert keys_under(bucket, "") == [kept["s3_key"]]
    assert api.get(f"{BASE}/{first['token']}") == (404, {"errors": [{"param": "token", "message": "Not found"}]})
    assert api.get(f"{BASE}/1", token=owner) == (404, NOT_FOUND)
    assert api.get(f"{BASE}/1/media_files", token=owner) == (404, NOT_FOUND)
    assert api.put(f"{BASE}/{first['token']}/complete", {"media_files": [issued_only]})[0] == 404
    assert 1 not in [r["id"] for r in api.get(f"{BASE}?pending=true&per_page=100", token=owner)[1]["content_requests"]]


def test_deleting_twice_is_404_the_second_time_and_ids_are_not_reused(api, owner, create, bucket):
    create()

    assert api.delete(f"{BASE}/1", token=owner) == (200, {"success": True})
    assert api.delete(f"{BASE}/1", token=owner) == (404, NOT_FOUND)
    assert api.put(f"{BASE}/1", {"content_request": {"name": "Back"}}, token=owner) == (404, NOT_FOUND)
    assert create()["id"] == 2
    assert [int(r.id) for r in ContentRequest.scan()] == [2]


def test_put_and_delete_work_with_the_authentication_header(api, owner, create, bucket):
    body = create()
    header = {"Authentication": f"Bearer {owner}"}

    assert api.put(f"{BASE}/1", {"content_request": {"prompt": "Videos too"}}, headers=header) == (
        200, shape(body, prompt="Videos too"))
    assert api.delete(f"{BASE}/1", headers=header) == (200, {"success": True})
    assert ContentRequest.count() == 0
