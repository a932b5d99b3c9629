"""The /api/v4/content_requests routes of the content request document (thin: authorize, check, call, shape).

The document puts a link's token and a request's id at the same place in the path. One path serves both:
a token is 16 hex digits and an id at most 15 digits, so `requests.is_id` tells them apart. `GET` reads any
segment that is not an id as a token: a malformed or wrongly cased link answers 404 naming `token`, as an
unknown one does, and its recipient is never told to sign in. Its contract (SHOW) therefore accepts the owner's
schemes and anonymous callers alike (`optional_auth`)."""
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.content_requests import contracts
from chalicelib.content_requests.errors import SURFACE, render
from chalicelib.content_requests.models import ContentRequest, OwnerTally
from chalicelib.core import batch, clock
from chalicelib.core.contracts import body, query
from chalicelib.core.errors import ApiError
from chalicelib.core.imports import deferred
from chalicelib.core.routing import json_response, parse_id, routes
from chalicelib.identity import service as accounts
from chalicelib.identity.auth import authenticate, claims
from chalicelib.identity.models import Account

if TYPE_CHECKING:
    from chalicelib.content_requests import media, requests, shapes
else:  # the services, imported on a request's first use (core/imports.py)
    media, requests, shapes = deferred("chalicelib.content_requests", "media requests shapes")

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)
SUCCESS = {"success": True}


# The document names the header `Authentication`; `Authorization` works as well.
OWNER_HEADERS = ("authentication", "authorization")


def _owner() -> Account:
    return authenticate(bp.current_request, headers=OWNER_HEADERS)


def _owner_and_tally() -> tuple[Account, OwnerTally | None]:
    """The signed-in owner and their tally, read in one BatchGetItem."""
    vouched_for = claims(bp.current_request, headers=OWNER_HEADERS)
    found = batch.read([(Account, vouched_for["sub"]), (OwnerTally, vouched_for["sub"])])
    return (accounts.vouched(vouched_for, found.get((Account, vouched_for["sub"]))),
            found.get((OwnerTally, vouched_for["sub"])))


@route("/content_requests", contract=contracts.INDEX)
def index() -> Response:
    account, tally = _owner_and_tally()
    found, total = requests.listing(account, query(bp.current_request), tally)
    now = clock.now()
    return json_response({"content_requests": [shapes.content_request(r, now) for r in found],
                          "meta": {"total_count": total}})


@route("/content_requests", methods=("POST",), contract=contracts.CREATE)
def create() -> Response:
    account = _owner()
    request = requests.create(account, contracts.content_request(bp.current_request))
    return json_response(shapes.content_request(request, clock.now()), 201)


@route("/content_requests/{token_or_id}", contract=contracts.SHOW)
def show(token_or_id: str) -> Response:
    """By id (at most 15 digits): the owner only. By anything else, read as a token: anyone with the link."""
    if requests.is_id(token_or_id):
        request = requests.owned(int(token_or_id), _owner())
    else:
        request = requests.by_token(token_or_id)
    return json_response(shapes.with_owner(request, accounts.get(request.owner_id), clock.now()))


@route("/content_requests/{token_or_id}", methods=("PUT",), contract=contracts.UPDATE)
def update(token_or_id: str) -> Response:
    account = _owner()
    request = requests.update(requests.request_id(token_or_id), account,
                              contracts.content_request(bp.current_request))
    return json_response(shapes.content_request(request, clock.now()))


@route("/content_requests/{token_or_id}", methods=("DELETE",), contract=contracts.DESTROY)
def destroy(token_or_id: str) -> Response:
    vouched_for = claims(bp.current_request, headers=OWNER_HEADERS)
    named = parse_id(token_or_id)
    found = batch.read([(Account, vouched_for["sub"])] + ([(ContentRequest, named)] if named is not None else []))
    account = accounts.vouched(vouched_for, found.get((Account, vouched_for["sub"])))
    request_id = requests.request_id(token_or_id)
    requests.delete(request_id, account, found.get((ContentRequest, request_id)))
    return json_response(SUCCESS)


@route("/content_requests/{token_or_id}/uploads", methods=("POST",), contract=contracts.UPLOAD)
def upload(token_or_id: str) -> Response:
    request = requests.by_token(token_or_id)
    return json_response(media.upload_form(request, body(bp.current_request)), 201)


@route("/content_requests/{token_or_id}/complete", methods=("PUT",), contract=contracts.COMPLETE)
def complete(token_or_id: str) -> Response:
    """The link's token (a GetItem), then the request it names with the files the body names and the owner to
    tell (one BatchGetItem), then the transaction. The body is read first, to name the files, but its errors
    come after an unknown token's, as they always did."""
    files: list[media.SentFile] = []
    refused: ApiError | None = None
    try:
        files = contracts.media_files(bp.current_request)
    except ApiError as error:
        refused = error
    claim = requests.token_claim(token_or_id)
    asked = media.completion_keys(claim, files) if claim is not None else []
    read = batch.read(asked)
    request = requests.named(claim, read)
    if refused is not None:
        raise refused
    media.complete(request, files, read, set(asked))
    return json_response(SUCCESS)


@route("/content_requests/{token_or_id}/media_files", contract=contracts.MEDIA_FILES)
def media_files(token_or_id: str) -> Response:
    account = _owner()
    request = requests.owned(requests.request_id(token_or_id), account)
    page = requests.page(query(bp.current_request))
    received = media.received(request)
    return json_response({"media_files": [shapes.media_file(item) for item in page.slice(received)],
                          "meta": {"total_count": len(received)}})
