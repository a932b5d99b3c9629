"""The /api/v04 routes of the nearby document (thin: authorize, check, call, shape)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.core import contracts
from chalicelib.core.clock import iso_millis
from chalicelib.core.imports import deferred
from chalicelib.core.routing import json_response, no_content, path_id, routes
from chalicelib.identity.auth import authenticate
from chalicelib.identity.models import Account
from chalicelib.nearby import contracts as nearby
from chalicelib.nearby.errors import SURFACE, render

if TYPE_CHECKING:
    from chalicelib.nearby import requests, responses, shapes
else:  # the services, imported on a request's first use (core/imports.py)
    requests, responses, shapes = deferred("chalicelib.nearby", "requests responses shapes")

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)


def _caller() -> Account:
    # The document's examples send the bare token in Authorization; `Bearer <token>` works too.
    return authenticate(bp.current_request, allow_bare=True)


def _request_id(value: str) -> int:
    return path_id(value, requests.not_found)


def _shaped(listing: requests.Listing) -> list[dict[str, Any]]:
    """Requests in the document's shape."""
    return [shapes.request(r, int(r.id) in listing.seen, listing.people) for r in listing.requests]


@route("/requests", methods=("POST",), contract=nearby.CREATE)
def create() -> Response:
    account = _caller()
    requests.create(account, contracts.body(bp.current_request))
    return json_response({"Code": 0, "Message": ""}, 201)


@route("/requests/nearest", contract=nearby.NEAREST)
def nearest() -> Response:
    account = _caller()
    point = contracts.query(bp.current_request)
    return json_response(_shaped(requests.nearest(point["lat"], point["lon"], account)))


@route("/requests/direct", contract=nearby.DIRECT)
def direct() -> Response:
    account = _caller()
    return json_response(_shaped(requests.direct(account)))


@route("/requests/{request_id}", contract=nearby.SHOW)
def show(request_id: str) -> Response:
    account = _caller()
    request = requests.visible(_request_id(request_id), account)
    return json_response(_shaped(requests.listing([(int(request.id), None)], account, known=[request]))[0])


@route("/requests/{request_id}", methods=("PUT",), contract=nearby.MARK_SEEN)
def mark_seen(request_id: str) -> Response:
    account = _caller()
    request = requests.visible(_request_id(request_id), account)
    requests.mark_seen(request, account, contracts.body(bp.current_request)["seen"])
    return no_content()


@route("/requests/renew/{request_id}", contract=nearby.RENEW)
def renew(request_id: str) -> Response:
    new_end = requests.renew(_request_id(request_id), _caller())
    return json_response({"newEnd": iso_millis(new_end)})


@route("/requests/follow/{request_id}", contract=nearby.FOLLOW)
def follow(request_id: str) -> Response:
    account = _caller()
    requests.follow(requests.visible(_request_id(request_id), account), account)
    return no_content()


@route("/requests/unfollow/{request_id}", contract=nearby.UNFOLLOW)
def unfollow(request_id: str) -> Response:
    account = _caller()
    requests.unfollow(requests.visible(_request_id(request_id), account), account)
    return no_content()


@route("/requests/{request_id}/responses/uploads", methods=("POST",), contract=nearby.UPLOAD_FORM)
def response_upload(request_id: str) -> Response:
    account = _caller()
    request = requests.visible(_request_id(request_id), account)
    body = contracts.body(bp.current_request)
    return json_response(responses.upload_form(request, body["type"], body.get("contentType")), 201)


@route("/requests/{request_id}/responses", methods=("POST",), contract=nearby.CREATE_RESPONSE)
def create_response(request_id: str) -> Response:
    account = _caller()
    request = requests.visible(_request_id(request_id), account)
    body = contracts.body(bp.current_request)
    response = responses.create(request, account, body["key"], body["type"])
    return json_response(shapes.response(response, {account.id: account}), 201)


@route("/requests/{request_id}/responses", contract=nearby.RESPONSES)
def list_responses(request_id: str) -> Response:
    found, people = responses.of_request(_request_id(request_id), _caller())
    return json_response([shapes.response(r, people) for r in found])


@route("/notifications", contract=nearby.NOTIFICATIONS)
def notifications() -> Response:
    return json_response([shapes.notification(n) for n in responses.notifications(_caller())])
