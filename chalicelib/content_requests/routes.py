"""The /api/v4/content_requests routes of the content request document (thin: parse, authorize, call, shape).

The document puts a link's token and a request's id at the same place in the path. One path serves both:
a token is 16 hex digits and an id at most 15 digits, so `fields.is_id` tells them apart. `GET` reads any
segment that is not an id as a token: a malformed or wrongly cased link answers 404 naming `token`, as an
unknown one does, and its recipient is never told to sign in."""
from chalice import Blueprint

from chalicelib.accounts import service as accounts
from chalicelib.accounts.auth import authenticate
from chalicelib.content_requests import fields, media, requests, shapes
from chalicelib.content_requests.errors import render
from chalicelib.core import clock
from chalicelib.core.bodies import json_body
from chalicelib.core.routing import json_response, routes

bp = Blueprint(__name__)
route = routes(bp, render)
SUCCESS = {"success": True}


def _owner():
    # The document names the header `Authentication`; `Authorization` works as well.
    return authenticate(bp.current_request, headers=("authentication", "authorization"))


@route("/content_requests")
def index():
    account = _owner()
    found, total = requests.listing(account, fields.listing(bp.current_request.query_params))
    now = clock.now()
    return json_response({"content_requests": [shapes.content_request(r, now) for r in found],
                          "meta": {"total_count": total}})


@route("/content_requests", methods=("POST",))
def create():
    account = _owner()
    request = requests.create(account, fields.new_request(json_body(bp.current_request)))
    return json_response(shapes.content_request(request, clock.now()), 201)


@route("/content_requests/{token_or_id}")
def show(token_or_id):
    """By id (at most 15 digits): the owner only. By anything else, read as a token: anyone with the link."""
    if fields.is_id(token_or_id):
        account = _owner()
        request = requests.owned(fields.request_id(token_or_id), account)
    else:
        request = requests.by_token(token_or_id)
    return json_response(shapes.with_owner(request, accounts.get(request.owner_id), clock.now()))


@route("/content_requests/{token_or_id}", methods=("PUT",))
def update(token_or_id):
    account = _owner()
    request = requests.update(fields.request_id(token_or_id), account,
                              fields.changes(json_body(bp.current_request)))
    return json_response(shapes.content_request(request, clock.now()))


@route("/content_requests/{token_or_id}", methods=("DELETE",))
def destroy(token_or_id):
    account = _owner()
    requests.delete(fields.request_id(token_or_id), account)
    return json_response(SUCCESS)


@route("/content_requests/{token_or_id}/uploads", methods=("POST",))
def upload(token_or_id):
    request = requests.by_token(token_or_id)
    return json_response(media.upload_form(request, fields.upload(json_body(bp.current_request))), 201)


@route("/content_requests/{token_or_id}/complete", methods=("PUT",))
def complete(token_or_id):
    request = requests.by_token(token_or_id)
    media.complete(request, fields.media_files(json_body(bp.current_request)))
    return json_response(SUCCESS)


@route("/content_requests/{token_or_id}/media_files")
def media_files(token_or_id):
    account = _owner()
    request = requests.owned(fields.request_id(token_or_id), account)
    page = fields.page(bp.current_request.query_params)
    received = media.received(request)
    return json_response({"media_files": [shapes.media_file(item) for item in page.slice(received)],
                          "meta": {"total_count": len(received)}})
