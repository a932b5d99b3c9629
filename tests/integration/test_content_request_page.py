"""The page a content request's link opens, in headless Chromium (Debian's package, driven by Playwright) against
`make run`'s stack: the recipient sends a real PNG and a small MP4 straight to moto's S3 and the owner lists their
bytes; every end state in words; files refused before any upload; a failed upload retried; the API's refusals in
words; the keyboard alone; a phone's width; and what the page costs to load (bytes and requests, printed).

Set PAGE_SCREENSHOTS to a folder (`PAGE_SCREENSHOTS=docs`) to keep the phone and desktop screenshots there."""
import json
import os
import shutil
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PAGE_BUDGET = 100_000  # bytes to load the page, without the user's files
PROMPT = "Photos and videos of the garden party, please: the cake above all!"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 48, height: int = 32) -> bytes:
    """A real PNG: an RGB gradient, each row filtered with None, deflated."""
    rows = b"".join(b"\x00" + bytes(value for x in range(width) for value in (x * 5 % 256, y * 8 % 256, 160))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4() -> bytes:
    """A small ISO base media (MP4) file: `ftyp`, a `moov` with its movie header, and an `mdat` of media bytes."""
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    movie_header = (bytes(4) + struct.pack(">IIII", 0, 0, 1000, 0) + struct.pack(">IH", 0x10000, 0x100) + bytes(10)
                    + matrix + bytes(24) + struct.pack(">I", 1))
    return (_box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
            + _box(b"moov", _box(b"mvhd", movie_header)) + _box(b"mdat", bytes(range(256)) * 12))


PNG, MP4 = png(), mp4()
CAKE = {"name": "cake.png", "mimeType": "image/png", "buffer": PNG}
PARTY = {"name": "party.mp4", "mimeType": "video/mp4", "buffer": MP4}


class Owner:
    """Olga Owner, signed in, calling /api/v4/content_requests with the `Authentication` header."""

    def __init__(self, stack):
        self.base = stack.base_url + "/api"
        self.http = requests.Session()
        body = {"fullname": "Olga Owner", "email": f"olga-{uuid.uuid4().hex[:8]}@example.com",
                "password": "twelve-chars-pw"}
        answer = self.http.post(f"{self.base}/auth/register/", data=json.dumps(body), timeout=30)
        assert answer.status_code == 201, answer.text
        self.http.headers["Authentication"] = f"Bearer {answer.json()['data']['access_token']}"

    def call(self, method: str, path: str = "", body=None) -> requests.Response:
        return self.http.request(method, f"{self.base}/v4/content_requests{path}", timeout=30,
                                 data=json.dumps(body) if body is not None else None)

    def ask(self, **fields) -> dict:
        day = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y/%m/%d")
        body = {"name": "Garden party", "recipient": "Rita", "prompt": PROMPT, "expiration_date": day, **fields}
        answer = self.call("POST", "", {"content_request": body})
        assert answer.status_code == 201, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def owner(local_stack):
    return Owner(local_stack)


@pytest.fixture
def tab(browser):
    """A fresh browser context (empty cache) at a phone's width, in English as the US writes it."""
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def opened(page, stack, link: str, state: str = "open"):
    """The page of `link`, once its script has read the request and shows `state`."""
    page.goto(stack.base_url + link)
    page.wait_for_selector(f"body[data-state='{state}']")
    return page


def uploaded(page, count: int) -> None:
    page.wait_for_function("count => { const rows = document.querySelectorAll('#files li');"
                           " return rows.length === count && [...rows].every(row =>"
                           " row.dataset.state === 'uploaded' && row.querySelector('progress').value === 100); }",
                           arg=count)


def ended(page, state: str) -> tuple[str, str]:
    page.wait_for_selector(f"body[data-state='{state}']")
    return page.inner_text("#end-title"), page.inner_text("#end-text")


def test_the_recipient_sends_a_png_and_an_mp4_and_the_owner_lists_their_bytes(local_stack, owner, tab):
    made = owner.ask()
    page = opened(tab, local_stack, made["link_for_copy"])
    assert page.inner_text("h1") == "Olga Owner asks you for photos and videos"
    assert page.inner_text("#prompt") == PROMPT
    # The link works to the end of its day (UTC), shown in the recipient's time zone and language.
    last_day = datetime.fromisoformat(made["expiration_date"].replace("Z", "+00:00"))
    closes = (last_day + timedelta(days=1)).astimezone(ZoneInfo("Europe/Paris"))
    assert page.inner_text("#until").replace("\u202f", " ") == closes.strftime("%B %-d, %Y at %-I:%M %p")

    page.set_input_files("#pick", [CAKE, PARTY])
    uploaded(page, 2)
    assert page.inner_text("#send") == "Send 2 files"
    page.click("#send")

    assert ended(page, "sent") == ("Sent", "Thank you. Olga Owner now has your 2 files.")
    assert page.is_hidden("#more")  # a one-time link takes one answer
    listed = owner.call("GET", f"/{made['id']}/media_files").json()
    assert [(item["name"], item["format_type"], item["media_type"], item["size"]) for item in listed["media_files"]] \
        == [("cake.png", "png", "photo", len(PNG)), ("party.mp4", "mp4", "video", len(MP4))]
    assert [requests.get(item["url"], timeout=30).content for item in listed["media_files"]] == [PNG, MP4]

    again = opened(page, local_stack, made["link_for_copy"], "completed")
    assert ended(again, "completed") == ("Already sent", "This request was already answered. Nothing more can "
                                                         "be sent with this link.")


def test_a_multi_use_link_lets_its_recipient_send_more_after_sending(local_stack, owner, tab):
    made = owner.ask(time_type="multi_use")
    page = opened(tab, local_stack, made["link_for_copy"])
    page.set_input_files("#pick", [CAKE])
    uploaded(page, 1)
    page.click("#send")
    assert ended(page, "sent") == ("Sent", "Thank you. Olga Owner now has your file.")

    page.click("#more")
    page.wait_for_selector("body[data-state='open']")
    page.set_input_files("#pick", [PARTY])
    uploaded(page, 1)
    page.click("#send")

    assert ended(page, "sent")[0] == "Sent"
    listed = owner.call("GET", f"/{made['id']}/media_files").json()["media_files"]
    assert [item["size"] for item in listed] == [len(PNG), len(MP4)]


def test_a_canceled_request_says_so(local_stack, owner, tab):
    made = owner.ask()
    assert owner.call("PUT", f"/{made['id']}", {"content_request": {"status": "canceled"}}).status_code == 200

    tab.goto(local_stack.base_url + made["link_for_copy"])

    assert ended(tab, "canceled") == ("This request was canceled", "Olga Owner no longer needs these files.")


def test_an_expired_request_says_until_when_it_was_open(local_stack, owner, tab):
    made = owner.ask()
    past = datetime.now(UTC) - timedelta(minutes=1)
    local_stack.dynamodb().update_item(
        TableName=local_stack.table("content-requests"), Key={"id": {"N": str(made["id"])}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"S": past.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")}})

    tab.goto(local_stack.base_url + made["link_for_copy"])

    title, text = ended(tab, "expired")
    assert title == "This link has expired"
    assert text.startswith("Olga Owner asked for files until ") and text.endswith(". Ask them for a new link.")


@pytest.mark.parametrize("link", ["/content_requests/0123456789abcdef", "/content_requests/%E0%A4%A/", "deleted"])
def test_an_unknown_malformed_or_deleted_link_says_it_does_not_work(local_stack, owner, tab, link):
    if link == "deleted":
        made = owner.ask()
        assert owner.call("DELETE", f"/{made['id']}").status_code == 200
        link = made["link_for_copy"]

    tab.goto(local_stack.base_url + link)

    title, text = ended(tab, "not_found")
    assert title == "This link does not work"
    assert text.startswith("No request is found at this address.")


def test_a_file_of_another_type_empty_or_over_the_limit_is_refused_before_any_upload(local_stack, owner, tab):
    made = owner.ask()
    page = opened(tab, local_stack, made["link_for_copy"])
    forms = []
    page.on("request", lambda request: forms.append(request.url) if "/uploads" in request.url else None)

    page.set_input_files("#pick", [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"},
                                   {"name": "empty.png", "mimeType": "image/png", "buffer": b""}])
    # 50 MiB and one byte, made in the page: over a photo's limit.
    page.evaluate("""() => { const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(50 * 1024 * 1024 + 1)], "huge.png", {type: "image/png"}));
        const input = document.getElementById("pick"); input.files = files.files;
        input.dispatchEvent(new Event("change")); }""")

    rows = page.locator("#files li")
    assert [rows.nth(index).get_attribute("data-state") for index in range(3)] == ["refused"] * 3
    assert [rows.nth(index).locator(".state").inner_text() for index in range(3)] == [
        "This type of file is not accepted: send a photo or a video.", "This file is empty.",
        "This file is too large: a photo may be at most 52.4 MB."]
    assert forms == []
    assert page.is_disabled("#send")


def test_a_failed_upload_is_retried_with_the_same_form(local_stack, owner, tab):
    made = owner.ask()
    bucket = local_stack.env["MEDIA_BUCKET"]
    aborted = []

    def first_post_fails(route):
        if not aborted:
            aborted.append(route.request.url)
            return route.abort("connectionreset")
        return route.continue_()

    tab.route(lambda url: urlsplit(url).path.startswith(f"/{bucket}"), first_post_fails)
    page = opened(tab, local_stack, made["link_for_copy"])
    forms = []
    page.on("request", lambda request: forms.append(request.url) if "/uploads" in request.url else None)

    page.set_input_files("#pick", [CAKE])
    page.wait_for_selector("#files li[data-state='failed']")
    assert page.inner_text("#files .state") == "The upload was interrupted. Check your connection and retry."
    assert page.is_disabled("#send")
    page.get_by_role("button", name="Retry cake.png").click()
    uploaded(page, 1)
    page.click("#send")

    assert ended(page, "sent")[0] == "Sent"
    assert len(aborted) == 1 and len(forms) == 1
    listed = owner.call("GET", f"/{made['id']}/media_files").json()["media_files"]
    assert [requests.get(item["url"], timeout=30).content for item in listed] == [PNG]


def test_the_apis_refusal_of_a_completion_is_shown_in_words_naming_the_file(local_stack, owner, tab):
    made = owner.ask()
    page = opened(tab, local_stack, made["link_for_copy"])
    page.set_input_files("#pick", [CAKE])
    uploaded(page, 1)
    # The staged upload vanishes before the recipient sends it (its lifecycle expired it, say).
    (staged,) = local_stack.keys_under(f"uploads/content-requests/{made['id']}/")
    local_stack.s3().delete_object(Bucket=local_stack.env["MEDIA_BUCKET"], Key=staged)

    page.click("#send")

    page.wait_for_selector("#problem:not(:empty)")
    assert page.inner_text("#problem") == "cake.png: No file was uploaded under this key"
    assert page.get_attribute("body", "data-state") == "open"


def test_a_request_closed_while_the_page_is_open_says_how_it_ended_at_the_next_upload(local_stack, owner, tab):
    made = owner.ask()
    page = opened(tab, local_stack, made["link_for_copy"])
    assert owner.call("PUT", f"/{made['id']}", {"content_request": {"status": "canceled"}}).status_code == 200

    page.set_input_files("#pick", [CAKE])

    assert ended(page, "canceled")[0] == "This request was canceled"


def test_the_keyboard_alone_picks_a_file_and_sends_it(local_stack, owner, tab):
    made = owner.ask()
    page = opened(tab, local_stack, made["link_for_copy"])
    # Playwright asks the browser for file choosers without waiting for it to agree, so a chooser opened at once
    # could go unseen (the test once timed out): subscribe first; the round trips below land it before the key.
    page.on("filechooser", lambda _: None)

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "pick"
    assert page.get_by_label("Choose photos and videos").get_attribute("id") == "pick"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files([CAKE])
    uploaded(page, 1)
    assert page.get_by_label("Upload of cake.png").evaluate("bar => bar.value") == 100
    focused = []
    for _ in range(3):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.getAttribute('aria-label')"))
    assert focused == ["take", "Remove cake.png", "send"]
    page.keyboard.press("Enter")

    assert ended(page, "sent")[0] == "Sent"
    assert page.evaluate("document.activeElement.id") == "end"


def test_the_page_loads_in_under_100_kb(local_stack, owner, tab):
    made = owner.ask()
    finished = []
    tab.on("requestfinished", lambda request: finished.append(request))

    opened(tab, local_stack, made["link_for_copy"])

    sizes = [request.sizes() for request in finished]
    loaded = sum(size["requestHeadersSize"] + size["requestBodySize"] + size["responseHeadersSize"]
                 + size["responseBodySize"] for size in sizes)
    print(f"\npage load: {len(finished)} requests, {loaded} bytes "
          f"({sum(size['responseBodySize'] for size in sizes)} bytes of bodies)")
    assert sorted(urlsplit(request.url).path for request in finished) == sorted([
        made["link_for_copy"], "/content_requests/assets/page.css", "/content_requests/assets/page.js",
        f"/api/v4/content_requests/{made['token']}"])
    assert loaded < PAGE_BUDGET


def test_the_page_fits_a_phone_and_a_desktop_screen(local_stack, owner, browser, tmp_path):
    """No sideways scrolling at a phone's width, with a file whose name has no spaces; screenshots of both."""
    made = owner.ask()
    kept = os.environ.get("PAGE_SCREENSHOTS")
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Europe/Paris")
        try:
            page = opened(context.new_page(), local_stack, made["link_for_copy"])
            page.set_input_files("#pick", [{**CAKE, "name": "garden-party-the-cake-from-above-" * 3 + ".png"},
                                           PARTY])
            uploaded(page, 2)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shot = tmp_path / f"content-request-page-{label}.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            context.close()
        assert shot.read_bytes().startswith(b"\x89PNG")
        if kept:
            shutil.copy(shot, Path(kept) / shot.name)
