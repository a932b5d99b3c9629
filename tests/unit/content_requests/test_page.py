"""GET /content_requests/<token>, the page a request's link opens: one page for every link (its script reads the
request through the API), the upload route's limits in it, nothing of the link written into it, and headers that
keep the token in the URL from leaking and let the page talk only to the API and the bucket."""
import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chalicelib.content_requests import fields
from tests.unit.content_requests.conftest import BASE

PAGE_DIR = Path(__file__).parents[3] / "chalicelib" / "content_requests" / "page"


def _limits(page: str) -> dict:
    return json.loads(html.unescape(re.search(r'data-limits="([^"]*)"', page).group(1)))


def test_a_link_opens_an_html_page_that_names_its_own_script_and_style_by_version(client, create):
    made = create()

    page = client.http.get(made["link_for_copy"])

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    text = page.body.decode()
    for name in ("page.js", "page.css"):
        version = hashlib.sha256((PAGE_DIR / name).read_bytes()).hexdigest()[:12]
        assert f'"/content_requests/assets/{name}?v={version}"' in text
    assert 'data-api="/api/v4/content_requests"' in text
    assert 'accept="image/*,video/*"' in text and 'capture="environment"' in text
    assert "https://" not in text and "//cdn" not in text


def test_the_page_carries_the_upload_routes_limits_so_a_file_is_refused_before_it_is_sent(client, create):
    page = client.http.get(create()["link_for_copy"]).body.decode()

    limits = _limits(page)

    assert limits["media"]["photo"] == {"max_bytes": fields.MAX_BYTES["photo"], "types": fields.CONTENT_TYPES["photo"]}
    assert limits["media"]["video"] == {"max_bytes": fields.MAX_BYTES["video"], "types": fields.CONTENT_TYPES["video"]}
    assert (limits["files_max"], limits["name_max"]) == (fields.FILES_MAX, fields.FILE_NAME_MAX)


def test_nothing_of_the_link_is_written_into_the_page(client, create):
    made = create()

    served = client.http.get(made["link_for_copy"]).body.decode()
    hostile = client.http.get("/content_requests/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")

    assert made["token"] not in served
    assert hostile.status_code == 200
    assert b"alert(1)" not in hostile.body and hostile.body.decode() == served


def test_an_unknown_link_gets_the_same_page_whose_api_read_answers_404(api, client):
    """The recipient sees a page saying the link does not work (the browser test checks the words)."""
    page = client.http.get("/content_requests/0123456789abcdef")
    status, answer = api.get(f"{BASE}/0123456789abcdef")

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert status == 404 and answer == {"errors": [{"param": "token", "message": "Not found"}]}


def test_the_page_lets_no_referrer_out_and_talks_only_to_the_api_and_the_upload_forms_origin(api, client, create,
                                                                                               bucket):
    made = create()
    status, form = api.post(f"{BASE}/{made['token']}/uploads",
                            {"name": "a.png", "format_type": "png", "media_type": "photo", "size": 10})
    assert status == 201
    parts = urlsplit(form["url"])

    headers = client.http.get(made["link_for_copy"]).headers

    policy = dict(directive.strip().split(" ", 1) for directive in headers["Content-Security-Policy"].split(";"))
    assert policy == {"default-src": "'none'", "script-src": "'self'", "style-src": "'self'",
                      "connect-src": f"'self' {parts.scheme}://{parts.netloc}", "base-uri": "'none'",
                      "form-action": "'none'", "frame-ancestors": "'none'"}
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(("name", "content_type"), [("page.js", "text/javascript; charset=utf-8"),
                                                    ("page.css", "text/css; charset=utf-8")])
def test_the_pages_files_are_served_with_their_type_for_any_cache_to_keep(client, name, content_type):
    served = client.http.get(f"/content_requests/assets/{name}?v=1")

    assert served.status_code == 200
    assert served.body == (PAGE_DIR / name).read_bytes()
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_no_other_file_is_served_from_the_pages_folder(api):
    for name in ("page.html", "routes.py", "..%2Froutes.py"):
        assert api.get(f"/content_requests/assets/{name}") == (404, {"errors": [{"param": "asset",
                                                                                  "message": "Not found"}]})


def test_the_page_answers_other_methods_405_with_allow(client):
    posted = client.http.request("POST", "/content_requests/0123456789abcdef", body=b"{}")

    assert posted.status_code == 405
    assert posted.headers["Allow"] == "GET, OPTIONS"
