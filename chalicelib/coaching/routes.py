"""The coaching routes under /api (thin: authorize, parse, call, shape). Most collections share one shape
of routes (list, get, create, update, delete), registered once by `collection` with their contracts."""
from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from chalice.app import Blueprint, Response

from chalicelib.coaching import contracts as coaching
from chalicelib.coaching import shapes
from chalicelib.coaching.errors import SURFACE, in_body_order, not_found, render
from chalicelib.coaching.models import CLIENT, COACH, CoachingUser, HelpRequest, Media, Message, Org, Task
from chalicelib.core import contracts
from chalicelib.core.bodies import json_body
from chalicelib.core.errors import ApiError, BadRequest
from chalicelib.core.imports import deferred
from chalicelib.core.routing import json_response, path_id, routes

if TYPE_CHECKING:
    from chalicelib.coaching import access, help_requests, media, messages, orgs, tasks, users
else:  # the services, imported on a request's first use (core/imports.py)
    access, help_requests, media, messages, orgs, tasks, users = deferred(
        "chalicelib.coaching", "access help_requests media messages orgs tasks users")

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)
DELETED = {"deleted": 1}


def _caller(*named: tuple[Any, int]) -> access.Caller:
    """The caller, and the records the path names (model, id), read in one BatchGetItem with the caller's claim."""
    return access.caller(bp.current_request, named)


def _peeked(contract: contracts.Contract) -> Any:
    """The body if it is JSON (else None), unchecked and without failing: the records it names are read with the
    caller's claim, and its faults are told after the caller's (a 401 or 403 before a 400)."""
    try:
        return json_body(bp.current_request, contract.max_bytes)
    except ApiError:
        return None


def _body(contract: contracts.Contract) -> Any:
    """The body, checked against the route's contract; its fields' failures in the order the body gives them."""
    body = json_body(bp.current_request, contract.max_bytes)
    try:
        contracts.checked(contract.body, body, SURFACE)
    except BadRequest as error:
        raise in_body_order(error, body) from error
    return body


def record_id(value: str) -> int:
    """A path id; anything but digits is an unknown record."""
    return path_id(value, not_found)


def _named(view: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Views made in a loop get names of their own (Chalice names each route's handler after its view)."""
    view.__name__ = view.__qualname__ = name
    return view


def _names(service: Any, names: str, contract: contracts.Contract) -> list[tuple[Any, Any]]:
    """The records the body names that the service reads (its function `names` of the body, if it has one)."""
    named = getattr(service, names, None)
    return named(_peeked(contract)) if named else []


def collection(path: str, service: Any, model: Any, what: str, fields: dict[str, Any], answer: dict[str, Any],
               shape: Callable[..., Any], *, update: bool = True) -> None:
    """GET and POST on `path`, GET, (PUT) and DELETE on `path/{id}`: the documented CRUD of a collection (of
    `model`), each route with its contract (the bodies' schemas made from `fields`)."""
    name = path.strip("/").replace("/", "_")
    contract = coaching.crud(path, what, fields, answer, update=update)

    def index() -> Response:
        return json_response([shape(item) for item in service.listing(_caller())])

    def show(id: str) -> Response:
        key = record_id(id)
        return json_response(shape(service.visible(_caller((model, key)), key)))

    def create() -> Response:
        caller = _caller(*_names(service, "named_in", contract["create"]))
        values = coaching.values(_body(contract["create"]), cast("dict[str, Any]", contract["create"].body))
        return json_response(shape(service.create(caller, values)), 201)

    def change(id: str) -> Response:
        key = record_id(id)
        caller = _caller((model, key), *_names(service, "named_in_changes", contract["update"]))
        changes = coaching.values(_body(contract["update"]), cast("dict[str, Any]", contract["update"].body),
                                  partial=True)
        return json_response(shape(service.update(caller, key, changes)))

    def remove(id: str) -> Response:
        key = record_id(id)
        service.delete(_caller((model, key)), key)
        return json_response(DELETED)

    route(path, contract=contract["index"])(_named(index, f"{name}_index"))
    route(path, methods=("POST",), contract=contract["create"])(_named(create, f"{name}_create"))
    route(f"{path}/{{id}}", contract=contract["show"])(_named(show, f"{name}_show"))
    route(f"{path}/{{id}}", methods=("DELETE",), contract=contract["delete"])(_named(remove, f"{name}_delete"))
    if update:
        route(f"{path}/{{id}}", methods=("PUT",), contract=contract["update"])(_named(change, f"{name}_update"))


def _users_of_type(user_type: str | None) -> SimpleNamespace:
    """The users service seen from `/api/clients` (Client), `/api/coaches` (Coach) or `/api/users` (any)."""
    return SimpleNamespace(
        listing=lambda caller: users.listing(caller, user_type),
        visible=lambda caller, user_id: users.visible(caller, user_id, user_type),
        create=lambda caller, values: users.create(caller, values, user_type),
        update=lambda caller, user_id, changes: users.update(caller, user_id, changes, user_type),
        delete=lambda caller, user_id: users.delete(caller, user_id, user_type))


for _path, _type, _fields in (("/clients", CLIENT, coaching.TYPED_USER_FIELDS),
                               ("/coaches", COACH, coaching.TYPED_USER_FIELDS), ("/users", None, coaching.USER_FIELDS)):
    collection(_path, _users_of_type(_type), CoachingUser, "user", _fields, coaching.USER, shapes.user)
collection("/orgs", orgs, Org, "org", coaching.ORG_FIELDS, coaching.ORG, shapes.org, update=False)
collection("/tasks", tasks, Task, "task", coaching.TASK_FIELDS, coaching.TASK, shapes.task)
collection("/messages", messages, Message, "message", coaching.MESSAGE_FIELDS, coaching.MESSAGE, shapes.message,
           update=False)
collection("/media", media, Media, "media", coaching.MEDIA_FIELDS, coaching.MEDIA, shapes.media, update=False)
collection("/requests", help_requests, HelpRequest, "request", coaching.REQUEST_FIELDS, coaching.REQUEST,
           shapes.request)


@route("/tasks", methods=("PUT",), contract=coaching.TASKS_UPDATE_MANY)
def tasks_update_many() -> Response:
    """Many tasks at once (`[{id, order, ...}]`), all or none."""
    caller = _caller(*_names(tasks, "named_in_bulk", coaching.TASKS_UPDATE_MANY))
    entries = _body(coaching.TASKS_UPDATE_MANY)
    changes = [(entry["id"], coaching.values(entry, coaching.TASK_CHANGES, partial=True)) for entry in entries]
    return json_response([shapes.task(task) for task in tasks.update_many(caller, changes)])


def _client_records(service: Any, records: str, shape: Callable[..., Any]) -> Callable[..., Any]:
    def view(id: str) -> Response:
        client_id = record_id(id)
        found = getattr(service, records)(_caller((CoachingUser, client_id)), client_id)
        return json_response([shape(item) for item in found])

    return view


for _service, _records, _shape, _name in ((tasks, "of_client", shapes.task, "tasks"),
                                          (messages, "of_client", shapes.message, "messages"),
                                          (media, "viewed", shapes.media, "viewed_media"),
                                          (help_requests, "of_client", shapes.request, "requests")):
    route(f"/clients/{{id}}/{_name}", contract=coaching.CLIENT_RECORDS[_name])(
        _named(_client_records(_service, _records, _shape), f"clients_{_name}"))


@route("/clients/{id}/viewed_media/{media_id}", methods=("POST",), contract=coaching.MARK_VIEWED)
def clients_mark_viewed(id: str, media_id: str) -> Response:
    client_id, viewed_id = record_id(id), record_id(media_id)
    caller = _caller((CoachingUser, client_id), (Media, viewed_id))
    record, created = media.mark_viewed(caller, client_id, viewed_id)
    return json_response(shapes.viewed_media(record), 201 if created else 200)


@route("/clients/{id}/viewed_media/{media_id}", methods=("DELETE",), contract=coaching.UNMARK_VIEWED)
def clients_unmark_viewed(id: str, media_id: str) -> Response:
    client_id = record_id(id)
    media.unmark_viewed(_caller((CoachingUser, client_id)), client_id, record_id(media_id))
    return json_response(DELETED)
