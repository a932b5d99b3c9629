"""The routes of the dialogues document (thin: parse, authorize, call, shape). Paths end without a slash here;
API Gateway and the local server take both forms."""
from typing import Any

from chalice import Blueprint, Response

from chalicelib.core.bodies import MAX_DEPTH, TooDeep, json_body
from chalicelib.core.errors import InvalidJSON
from chalicelib.core.pagination import page_of
from chalicelib.core.routing import json_response, routes
from chalicelib.dialogues import (
    access,
    channels,
    dialogues,
    history,
    permissions,
    projects,
    releases,
    revisions,
    shapes,
    users,
)
from chalicelib.dialogues.errors import invalid, render
from chalicelib.dialogues.validation import MAX_BODY_BYTES, check, pointer

bp = Blueprint(__name__)
route = routes(bp, render)
PROJECT = "/projects/{project_id}"
DIALOGUE = PROJECT + "/dialogues/{dialogue_id}"


def _caller() -> access.Caller:
    return access.caller(bp.current_request)


def _body() -> Any:
    """The JSON body; an empty one is a parse error like any other text that is not JSON."""
    try:
        body = json_body(bp.current_request, MAX_BODY_BYTES)
    except TooDeep as error:  # JSON, so a validation error here, at the first value too deep
        raise invalid("maxDepth", pointer(error.path), f"Nested deeper than {MAX_DEPTH} levels") from error
    if body is None:
        raise InvalidJSON("Expecting value", 1, 1)
    return body


def _query() -> Any:
    return bp.current_request.query_params or {}


def _no_content() -> Response:
    return Response(body="", status_code=204)


# Users


@route("/user")
def me():
    who = _caller()
    return json_response({**shapes.user(who.account), "permissions": [shapes.permission(g) for g in who.grants]})


@route("/user/password-changes", methods=("POST",))
def change_password():
    users.change_password(_caller().account, _body())
    return _no_content()


@route("/users")
def user_index():
    found = users.listing(_caller(), page_of(_query(), 30, 100))
    return json_response([shapes.user(account) for account in found])


@route("/users", methods=("POST",))
def user_create():
    return json_response(shapes.user(users.create(_caller(), _body())), 201)


@route("/users/{user_id}")
def user_show(user_id):
    return json_response(shapes.user(users.visible(_caller(), user_id)))


@route("/users/{user_id}", methods=("PUT",))
def user_replace(user_id):
    return json_response(shapes.user(users.replace(users.visible(_caller(), user_id), _body())))


@route("/users/{user_id}", methods=("PATCH",))
def user_patch(user_id):
    return json_response(shapes.user(users.patch(users.visible(_caller(), user_id), _body())))


@route("/password-resets", methods=("POST",))
def password_reset():
    users.start_reset(_body())
    return _no_content()


@route("/password-confirmations", methods=("POST",))
def password_confirmation():
    users.confirm_reset(_body())
    return _no_content()


# Permissions


@route("/users/{user_id}/permissions")
def permission_index(user_id):
    account = users.visible(_caller(), user_id)
    return json_response([shapes.permission(grant) for grant in permissions.held(account)])


@route("/users/{user_id}/permissions/{permission_id}")
def permission_show(user_id, permission_id):
    return json_response(shapes.permission(permissions.find(users.visible(_caller(), user_id), permission_id)))


def _granted_to(user_id: str):
    """The account whose grants an admin changes."""
    who = _caller()
    access.require_admin(who)
    return users.visible(who, user_id)


@route("/users/{user_id}/permissions", methods=("POST",))
def permission_grant(user_id):
    account = _granted_to(user_id)
    return json_response(shapes.permission(permissions.grant(account, *permissions.requested(_body()))))


@route("/users/{user_id}/permissions/{permission_id}", methods=("DELETE",))
def permission_revoke(user_id, permission_id):
    return json_response(shapes.permission(permissions.revoke(_granted_to(user_id), permission_id)))


# Projects


def _project(who: access.Caller, project) -> dict:
    return shapes.project(project, dialogues.summaries(who, project))


@route("/projects")
def project_index():
    who = _caller()
    return json_response([shapes.project_summary(p) for p in projects.listing(who, page_of(_query(), 30, 100))])


@route("/projects", methods=("POST",))
def project_create():
    who = _caller()
    return json_response(shapes.project(projects.create(who, _body()), []), 201)


@route(PROJECT)
def project_show(project_id):
    who = _caller()
    return json_response(_project(who, projects.visible(who, project_id)))


@route(PROJECT, methods=("PUT",))
def project_replace(project_id):
    who = _caller()
    return json_response(_project(who, projects.replace(projects.administered(who, project_id), _body())))


@route(PROJECT, methods=("PATCH",))
def project_patch(project_id):
    who = _caller()
    return json_response(_project(who, projects.patch(projects.administered(who, project_id), _body())))


@route(PROJECT + "/channels")
def project_channels(project_id):
    who = _caller()
    return _channels(channels.of_project(projects.visible(who, project_id)))


# Dialogues


@route(PROJECT + "/dialogues")
def dialogue_index(project_id):
    who = _caller()
    return json_response(dialogues.summaries(who, projects.visible(who, project_id), _query()))


@route(PROJECT + "/dialogues", methods=("POST",))
def dialogue_create(project_id):
    who = _caller()
    project = projects.visible(who, project_id)
    return json_response(dialogues.shown(who, *dialogues.create(who, project, _body())), 201)


@route(DIALOGUE)
def dialogue_show(project_id, dialogue_id):
    who = _caller()
    return json_response(dialogues.shown(who, dialogues.viewable(who, projects.visible(who, project_id), dialogue_id)))


def _editable(project_id: str, dialogue_id: str):
    who = _caller()
    return who, dialogues.editable(who, projects.visible(who, project_id), dialogue_id)


@route(DIALOGUE, methods=("PUT",))
def dialogue_replace(project_id, dialogue_id):
    who, dialogue = _editable(project_id, dialogue_id)
    return json_response(dialogues.shown(who, *dialogues.replace(who, dialogue, _body())))


@route(DIALOGUE, methods=("PATCH",))
def dialogue_patch(project_id, dialogue_id):
    who, dialogue = _editable(project_id, dialogue_id)
    return json_response(dialogues.shown(who, *dialogues.patch(who, dialogue, _body())))


# Revisions


def _viewable(project_id: str, dialogue_id: str):
    who = _caller()
    return who, dialogues.viewable(who, projects.visible(who, project_id), dialogue_id)


@route(DIALOGUE + "/revisions")
def revision_index(project_id, dialogue_id):
    _, dialogue = _viewable(project_id, dialogue_id)
    found = revisions.listing(dialogue, history.window(_query()))
    return json_response([shapes.revision(item, body) for item, body in found])


@route(DIALOGUE + "/revisions", methods=("POST",))
def revision_create(project_id, dialogue_id):
    who, dialogue = _editable(project_id, dialogue_id)
    body = _body()
    bulk = isinstance(body, list)
    bodies = check("revisions", body) if bulk else [check("revision", body)]
    dialogue, _, written = revisions.record(who, dialogue, revisions.from_bodies(who, bodies, bulk))
    shown = [shapes.revision(item, body) for item, body in written]
    if bulk:  # only the revisions that change something are written (all of them 201, none 200 with [])
        return json_response(shown, 201 if shown else 200)
    if not shown:  # a revision that changes nothing is not written: 200 with the revision the dialogue is at
        return json_response(shapes.revision(*revisions.head(dialogue)), 200)
    return json_response(shown[0], 201)


# Releases


@route(DIALOGUE + "/releases")
def release_index(project_id, dialogue_id):
    _, dialogue = _viewable(project_id, dialogue_id)
    return json_response([shapes.release(dialogue, item)
                          for item in releases.listing(dialogue, history.window(_query()))])


@route(DIALOGUE + "/releases", methods=("POST",))
def release_create(project_id, dialogue_id):
    who, dialogue = _viewable(project_id, dialogue_id)
    dialogue, release = releases.create(who, dialogue, _body())
    return json_response(shapes.release(dialogue, release), 201)


@route(DIALOGUE + "/releases/{release_id}")
def release_show(project_id, dialogue_id, release_id):
    _, dialogue = _viewable(project_id, dialogue_id)
    release = releases.existing(dialogue, release_id)
    return json_response({**shapes.release(dialogue, release),
                          "description": releases.description(dialogue, release)})


# Channels and providers


def _channels(found: list) -> Response:
    """Channels with their providers' summaries (one BatchGetItem)."""
    providers = channels.providers_of(found)
    return json_response([shapes.channel(channel, providers.get(channel.provider_id)) for channel in found])


def _channel(channel) -> dict:
    return shapes.channel(channel, channels.providers_of([channel]).get(channel.provider_id))


@route("/channels")
def channel_index():
    return _channels(channels.every_channel(_caller()))


@route("/channels", methods=("POST",))
def channel_create():
    return json_response(_channel(channels.create_channel(_caller(), _body())), 201)


@route("/channels/{channel_id}")
def channel_show(channel_id):
    return json_response(_channel(channels.visible(_caller(), channel_id)))


@route("/channels/{channel_id}", methods=("PUT",))
def channel_replace(channel_id):
    return json_response(_channel(channels.replace(channels.administered(_caller(), channel_id), _body())))


@route("/channels/{channel_id}", methods=("PATCH",))
def channel_patch(channel_id):
    return json_response(_channel(channels.patch(channels.administered(_caller(), channel_id), _body())))


@route("/providers")
def provider_index():
    return json_response([shapes.provider_summary(found) for found in channels.every_provider(_caller())])


@route("/providers", methods=("POST",))
def provider_create():
    return json_response(shapes.provider_summary(channels.create_provider(_caller(), _body())), 201)


@route("/providers/{provider_id}")
def provider_show(provider_id):
    return json_response(shapes.provider(*channels.provider(_caller(), provider_id)))
