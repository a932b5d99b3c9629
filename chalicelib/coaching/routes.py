"""The coaching routes under /api (thin: authorize, parse, call, shape). Most collections share one shape
of routes (list, get, create, update, delete), registered once by `collection`."""
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from chalice import Blueprint

from chalicelib.coaching import access, fields, help_requests, media, messages, orgs, shapes, tasks, users
from chalicelib.coaching.errors import render
from chalicelib.coaching.models import CLIENT, COACH
from chalicelib.core.bodies import json_body
from chalicelib.core.routing import json_response, routes

bp = Blueprint(__name__)
route = routes(bp, render)
DELETED = {"deleted": 1}


def _caller() -> access.Caller:
    return access.caller(bp.current_request)


def _body() -> Any:
    return json_body(bp.current_request)


def _named(view: Callable, name: str) -> Callable:
    """Views made in a loop get names of their own (Chalice names each route's handler after its view)."""
    view.__name__ = view.__qualname__ = name
    return view


def collection(path: str, service: Any, spec: dict, shape: Callable, *, update: bool = True) -> None:
    """GET and POST on `path`, GET, (PUT) and DELETE on `path/{id}`: the documented CRUD of a collection."""
    name = path.strip("/").replace("/", "_")

    def index():
        return json_response([shape(item) for item in service.listing(_caller())])

    def show(id):
        caller = _caller()
        return json_response(shape(service.visible(caller, fields.record_id(id))))

    def create():
        caller = _caller()
        return json_response(shape(service.create(caller, fields.values(_body(), spec))), 201)

    def change(id):
        caller = _caller()
        record_id = fields.record_id(id)
        return json_response(shape(service.update(caller, record_id, fields.values(_body(), spec, partial=True))))

    def remove(id):
        caller = _caller()
        service.delete(caller, fields.record_id(id))
        return json_response(DELETED)

    route(path)(_named(index, f"{name}_index"))
    route(path, methods=("POST",))(_named(create, f"{name}_create"))
    route(f"{path}/{{id}}")(_named(show, f"{name}_show"))
    route(f"{path}/{{id}}", methods=("DELETE",))(_named(remove, f"{name}_delete"))
    if update:
        route(f"{path}/{{id}}", methods=("PUT",))(_named(change, f"{name}_update"))


def _users_of_type(user_type: str | None) -> SimpleNamespace:
    """The users service seen from `/api/clients` (Client), `/api/coaches` (Coach) or `/api/users` (any)."""
    return SimpleNamespace(
        listing=lambda caller: users.listing(caller, user_type),
        visible=lambda caller, user_id: users.visible(caller, user_id, user_type),
        create=lambda caller, values: users.create(caller, values, user_type),
        update=lambda caller, user_id, changes: users.update(caller, user_id, changes, user_type),
        delete=lambda caller, user_id: users.delete(caller, user_id, user_type))


_TYPED_USER = {**fields.USER, "type": fields.Field(fields.USER["type"].check, nullable=False)}  # the route's type
collection("/clients", _users_of_type(CLIENT), _TYPED_USER, shapes.user)
collection("/coaches", _users_of_type(COACH), _TYPED_USER, shapes.user)
collection("/users", _users_of_type(None), fields.USER, shapes.user)
collection("/orgs", orgs, fields.ORG, shapes.org, update=False)
collection("/tasks", tasks, fields.TASK, shapes.task)
collection("/messages", messages, fields.MESSAGE, shapes.message, update=False)
collection("/media", media, fields.MEDIA, shapes.media, update=False)
collection("/requests", help_requests, fields.REQUEST, shapes.request)


@route("/tasks", methods=("PUT",))
def tasks_update_many():
    """Many tasks at once (`[{id, order, ...}]`), all or none."""
    caller = _caller()
    changes = fields.bulk(_body(), fields.TASK)
    return json_response([shapes.task(task) for task in tasks.update_many(caller, changes)])


def _client_records(records: Callable, shape: Callable) -> Callable:
    def view(id):
        caller = _caller()
        return json_response([shape(item) for item in records(caller, fields.record_id(id))])

    return view


for _records, _shape, _name in ((tasks.of_client, shapes.task, "tasks"),
                                (messages.of_client, shapes.message, "messages"),
                                (media.viewed, shapes.media, "viewed_media"),
                                (help_requests.of_client, shapes.request, "requests")):
    route(f"/clients/{{id}}/{_name}")(_named(_client_records(_records, _shape), f"clients_{_name}"))


@route("/clients/{id}/viewed_media/{media_id}", methods=("POST",))
def clients_mark_viewed(id, media_id):
    caller = _caller()
    record, created = media.mark_viewed(caller, fields.record_id(id), fields.record_id(media_id))
    return json_response(shapes.viewed_media(record), 201 if created else 200)


@route("/clients/{id}/viewed_media/{media_id}", methods=("DELETE",))
def clients_unmark_viewed(id, media_id):
    caller = _caller()
    media.unmark_viewed(caller, fields.record_id(id), fields.record_id(media_id))
    return json_response(DELETED)
