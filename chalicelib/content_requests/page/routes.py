"""GET /content_requests/{token}: the page a request's link opens, where its recipient sends photos and videos.

The page is the same for every link: its script reads the request from the path (GET /api/v4/content_requests/
:token), asks the upload route for a form per file, posts each file straight to the bucket and completes. The
HTML holds nothing of the link, only what the upload route accepts (so a file is refused before it is sent) and
where the API is. The link's token is a secret in the URL: no referrer leaves the page, and it runs only its own
script and talks only to the API and the bucket."""
import hashlib
import html
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.content_requests import fields
from chalicelib.content_requests.errors import SURFACE, not_found, render
from chalicelib.core.contracts import Contract
from chalicelib.core.imports import deferred
from chalicelib.core.routing import routes, stage_prefix

if TYPE_CHECKING:
    from chalicelib.files import storage
else:  # imported on the page's first request (core/imports.py)
    (storage,) = deferred("chalicelib.files", "storage")

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)
HERE = Path(__file__).parent
ASSETS = {"page.css": "text/css; charset=utf-8", "page.js": "text/javascript; charset=utf-8"}
# What the upload route accepts (contracts.UPLOAD_BODY), for the script to refuse a file before sending it.
LIMITS = {"media": {kind: {"max_bytes": fields.MAX_BYTES[kind], "types": fields.CONTENT_TYPES[kind]}
                    for kind in fields.CONTENT_TYPES},
          "files_max": fields.FILES_MAX, "name_max": fields.FILE_NAME_MAX}
PAGE = Contract("The page a request's link opens (HTML)", {200: None},
                params={"token": {"type": "string", "description": "The token of the request's link"}},
                description="The same page for every link: its script reads the request and says when the link "
                            "is unknown, closed or expired.")
ASSET = Contract("A file of the request page", {200: None}, errors=(404,),
                 params={"asset": {"type": "string", "enum": sorted(ASSETS)}})


def _policy() -> str:
    """The page runs its own script and style only, and talks to the API and to the bucket (the upload forms)."""
    return (f"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' {storage.upload_origin()}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@route("/content_requests/{token}", contract=PAGE)
def page(token: str) -> Response:
    """The page, whatever the token: it is the script that reads it (through the API, never into the HTML)."""
    base = stage_prefix(bp.current_request)
    text = _read("page.html").replace("{base}", html.escape(base)).replace(
        "{limits}", html.escape(json.dumps(LIMITS, separators=(",", ":"))))
    for name in ASSETS:
        text = text.replace(f"{{{name}}}", _version(name))
    # Revalidated on each visit, so a deploy's new script arrives at once; the page itself is small.
    return Response(text, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", "Content-Security-Policy": _policy(),
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


@route("/content_requests/assets/{asset}", contract=ASSET)
def asset(asset: str) -> Response:
    """page.css or page.js; the page names them with a version of their content, so any cache may keep them."""
    if asset not in ASSETS:
        raise not_found("asset")
    return Response(_read(asset), status_code=200, headers={
        "Content-Type": ASSETS[asset], "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff"})


@cache
def _read(name: str) -> str:
    return (HERE / name).read_text()


@cache
def _version(name: str) -> str:
    return hashlib.sha256(_read(name).encode()).hexdigest()[:12]
