"""The routes of the dialogues document (thin: parse, authorize, call, shape), each with its contract
(contracts.py). Paths end without a slash here; API Gateway and the local server take both forms."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.core import contracts
from chalicelib.core.batch import Wanted as Key
from chalicelib.core.bodies import MAX_DEPTH, TooDeep, json_body
from chalicelib.core.errors import ApiError, InvalidJSON
from chalicelib.core.imports import deferred
from chalicelib.core.pagination import page_of
from chalicelib.core.routing import json_response, no_content, routes
from chalicelib.dialogues import contracts as spec
from chalicelib.dialogues.errors import SURFACE, invalid, render
from chalicelib.dialogues.ids import keyable, number
from chalicelib.dialogues.models import Channel, Dialogue, Project, Provider, Release
from chalicelib.identity.auth import authenticate
from chalicelib.identity.models import Account

if TYPE_CHECKING:
    from chalicelib.dialogues import (
        access,
        channels,
        descriptions,
        dialogues,
        history,
        permissions,
        projects,
        releases,
        revisions,
        shapes,
        users,
    )
else:  # the services, imported on a request's first use (core/imports.py)
    (access, channels, descriptions, dialogues, history, permissions, projects, releases, revisions, shapes,
     users) = deferred("chalicelib.dialogues", "access channels descriptions dialogues history permissions projects "
                       "releases revisions shapes users")

bp = Blueprint(__name__)
route = routes(bp, render, SURFACE)
PROJECT = "/projects/{project_id}"
DIALOGUE = PROJECT + "/dialogues/{dialogue_id}"


def _caller() -> access.Caller:
    return access.caller(bp.current_request)


def _body() -> Any:
    """The JSON body, checked against the route's contract."""
    try:
        return contracts.body(bp.current_request)
    except TooDeep as error:  # JSON, so a validation error here, at the first value too deep
        raise _too_deep(error) from error


def _parsed() -> Any:
    """The JSON body, for a service that checks it against the contract's schema once the caller may send it
    (a 403 before a 422); an empty one is a parse error like any other text that is not JSON."""
    try:
        body = json_body(bp.current_request, spec.MAX_BODY_BYTES)
    except TooDeep as error:
        raise _too_deep(error) from error
    if body is None:
        raise InvalidJSON("Expecting value", 1, 1)
    return body


def _too_deep(error: TooDeep) -> Exception:
    return invalid("maxDepth", contracts.pointer(error.path), f"Nested deeper than {MAX_DEPTH} levels")


def _peeked() -> tuple[Any, ApiError | None]:
    """The JSON body (as `_parsed`), or the error that reading it raises: for a route that reads what the body
    names with the caller's account, and so parses it first, but answers a bad body only after a bad token."""
    try:
        return _parsed(), None
    except ApiError as error:
        return None, error


def _query() -> Any:
    return contracts.present(bp.current_request)


def _with_project(project_id: str) -> tuple[access.Caller, Project | None]:
    """The caller and the project the path names (None if there is none), read with the caller's account."""
    key: Key = (Project, (number(project_id),))
    who, found = access.signed_in(bp.current_request, [key] if key[1][0] else [])
    return who, found.get(key)


def _administered(project_id: str) -> tuple[access.Caller, Project]:
    """The caller and the project the path names, for its admins: whether the caller is one (`admin`, or
    `project:admin` on the project) is read by key with the account and the project in one BatchGetItem, so that
    the write and the project's dialogues (a Query) follow within 3 round trips. That caller holds those two grants
    at most: enough for what the routes ask of it, since an admin of the project views and edits its dialogues."""
    key: Key = (Project, (number(project_id),))
    asked = [(access.ADMIN, None), *([(access.PROJECT_ADMIN, key[1][0])] if key[1][0] else [])]
    who, found = access.asking(bp.current_request, asked, [key] if key[1][0] else [])
    return who, projects.administered(who, project_id, found.get(key))


def _user(user_id: str, also: tuple[Key | None, ...] = ()) -> tuple[access.Caller, Account | None, dict[Key, Any]]:
    """The caller, the account the path names (None if there is none) and the items of `also`, read in one
    batch with the caller's account (the caller's own when the path names it)."""
    key = users.key(user_id)
    who, found = access.signed_in(bp.current_request, [item for item in (key, *also) if item is not None])
    return who, found.get(key) if key is not None else None, found


def _visible_user(user_id: str) -> Account:
    who, account, _ = _user(user_id)
    return users.visible(who, user_id, account)


def _dialogue(project_id: str, dialogue_id: str, whole: bool = False,
              also: tuple[Key, ...] = ()) -> tuple[access.Caller, Dialogue, dict[Key, Any]]:
    """The caller and the dialogue the path names, read in one batch with the caller's account and the items of
    `also`. Only `whole` reads the description: the other routes read the head's own fields."""
    key: Key = (Dialogue, (number(project_id), number(dialogue_id)))
    wanted = [key, *also] if all(key[1]) else []
    who, found = access.signed_in(bp.current_request, wanted, None if whole else {Dialogue: descriptions.HEAD_FIELDS})
    return who, dialogues.located(who, project_id, dialogue_id, found.get(key)), found


# Users


@route("/user", contract=spec.ME)
def me() -> Response:
    who = _caller()
    return json_response({**shapes.user(who.account), "permissions": [shapes.permission(g) for g in who.grants]})


@route("/user/password-changes", methods=("POST",), contract=spec.PASSWORD_CHANGE)
def change_password() -> Response:
    users.change_password(authenticate(bp.current_request), _body())  # grants change nothing here: not read
    return no_content()


@route("/users", contract=spec.USERS)
def user_index() -> Response:
    found = users.listing(_caller(), page_of(_query(), 30, 100))
    return json_response([shapes.user(account) for account in found])


@route("/users", methods=("POST",), contract=spec.USER_CREATE)
def user_create() -> Response:
    return json_response(shapes.user(users.create(_caller(), _parsed())), 201)


@route("/users/{user_id}", contract=spec.USER_SHOW)
def user_show(user_id: str) -> Response:
    return json_response(shapes.user(_visible_user(user_id)))


@route("/users/{user_id}", methods=("PUT",), contract=spec.USER_REPLACE)
def user_replace(user_id: str) -> Response:
    return json_response(shapes.user(users.replace(_visible_user(user_id), _body())))


@route("/users/{user_id}", methods=("PATCH",), contract=spec.USER_PATCH)
def user_patch(user_id: str) -> Response:
    return json_response(shapes.user(users.patch(_visible_user(user_id), _body())))


@route("/password-resets", methods=("POST",), contract=spec.PASSWORD_RESET)
def password_reset() -> Response:
    users.start_reset(_body())
    return no_content()


@route("/password-confirmations", methods=("POST",), contract=spec.PASSWORD_CONFIRMATION)
def password_confirmation() -> Response:
    users.confirm_reset(_body())
    return no_content()


# Permissions


@route("/users/{user_id}/permissions", contract=spec.PERMISSIONS)
def permission_index(user_id: str) -> Response:
    who, account, _ = _user(user_id)
    account = users.visible(who, user_id, account)
    held = who.grants if account.id == who.id else permissions.held(account)
    return json_response([shapes.permission(grant) for grant in held])


def _permission_key(user_id: str, permission_id: str) -> Key | None:
    return permissions.key(user_id, permission_id) if keyable(user_id) and keyable(permission_id) else None


@route("/users/{user_id}/permissions/{permission_id}", contract=spec.PERMISSION_SHOW)
def permission_show(user_id: str, permission_id: str) -> Response:
    key = _permission_key(user_id, permission_id)
    who, account, found = _user(user_id, also=(key,))
    item = found.get(key) if key is not None else None
    granted = permissions.granted(users.visible(who, user_id, account), permission_id, item)
    return json_response(shapes.permission(granted))


def _granted_to(user_id: str, also: tuple[Key | None, ...] = ()) -> tuple[Account, dict[Key, Any]]:
    """The account whose grants an admin changes, and the items of `also` read with it."""
    who, account, found = _user(user_id, also)
    access.require_admin(who)
    return users.visible(who, user_id, account), found


@route("/users/{user_id}/permissions", methods=("POST",), contract=spec.PERMISSION_GRANT)
def permission_grant(user_id: str) -> Response:
    account, _ = _granted_to(user_id)
    return json_response(shapes.permission(permissions.grant(account, *permissions.requested(_parsed()))))


@route("/users/{user_id}/permissions/{permission_id}", methods=("DELETE",), contract=spec.PERMISSION_REVOKE)
def permission_revoke(user_id: str, permission_id: str) -> Response:
    key = _permission_key(user_id, permission_id)
    account, found = _granted_to(user_id, also=(key,))
    item = found.get(key) if key is not None else None
    return json_response(shapes.permission(permissions.revoke(account, permission_id, item)))


# Projects


def _project(who: access.Caller, project: Project) -> dict[str, Any]:
    return shapes.project(project, dialogues.summaries(who, project))


@route("/projects", contract=spec.PROJECTS)
def project_index() -> Response:
    who = _caller()
    return json_response([shapes.project_summary(p) for p in projects.listing(who, page_of(_query(), 30, 100))])


@route("/projects", methods=("POST",), contract=spec.PROJECT_CREATE)
def project_create() -> Response:
    who = _caller()
    return json_response(shapes.project(projects.create(who, _parsed()), []), 201)


@route(PROJECT, contract=spec.PROJECT_SHOW)
def project_show(project_id: str) -> Response:
    who, project = _with_project(project_id)
    return json_response(_project(who, projects.visible(who, project_id, project)))


@route(PROJECT, methods=("PUT",), contract=spec.PROJECT_REPLACE)
def project_replace(project_id: str) -> Response:
    who, project = _administered(project_id)
    return json_response(_project(who, projects.replace(project, _body())))


@route(PROJECT, methods=("PATCH",), contract=spec.PROJECT_PATCH)
def project_patch(project_id: str) -> Response:
    who, project = _administered(project_id)
    return json_response(_project(who, projects.patch(project, _body())))


@route(PROJECT + "/channels", contract=spec.PROJECT_CHANNELS)
def project_channels(project_id: str) -> Response:
    who, project = _with_project(project_id)
    return _channels(channels.of_project(projects.visible(who, project_id, project)))


# Dialogues


@route(PROJECT + "/dialogues", contract=spec.DIALOGUES)
def dialogue_index(project_id: str) -> Response:
    who, project = _with_project(project_id)
    return json_response(dialogues.summaries(who, projects.visible(who, project_id, project), _query()))


@route(PROJECT + "/dialogues", methods=("POST",), contract=spec.DIALOGUE_CREATE)
def dialogue_create(project_id: str) -> Response:
    who, project = _with_project(project_id)
    created = dialogues.create(who, projects.visible(who, project_id, project), _parsed())
    return json_response(dialogues.shown(who, *created), 201)


@route(DIALOGUE, contract=spec.DIALOGUE_SHOW)
def dialogue_show(project_id: str, dialogue_id: str) -> Response:
    who, dialogue, _ = _dialogue(project_id, dialogue_id, whole=True)
    return json_response(dialogues.shown(who, dialogues.viewable(who, dialogue)))


def _editable(project_id: str, dialogue_id: str) -> tuple[access.Caller, Dialogue]:
    """The caller and the dialogue they may write, with its description (which every write starts from)."""
    who, dialogue, _ = _dialogue(project_id, dialogue_id, whole=True)
    return who, dialogues.editable(who, dialogue)


@route(DIALOGUE, methods=("PUT",), contract=spec.DIALOGUE_REPLACE)
def dialogue_replace(project_id: str, dialogue_id: str) -> Response:
    who, dialogue = _editable(project_id, dialogue_id)
    return json_response(dialogues.shown(who, *dialogues.replace(who, dialogue, _body())))


@route(DIALOGUE, methods=("PATCH",), contract=spec.DIALOGUE_PATCH)
def dialogue_patch(project_id: str, dialogue_id: str) -> Response:
    who, dialogue = _editable(project_id, dialogue_id)
    return json_response(dialogues.shown(who, *dialogues.patch(who, dialogue, _body())))


# Revisions


def _viewable(project_id: str, dialogue_id: str, also: tuple[Key, ...] = ()) -> tuple[
        access.Caller, Dialogue, dict[Key, Any]]:
    """The caller and the head of a dialogue they may see (without its description), with the items of `also`."""
    who, dialogue, found = _dialogue(project_id, dialogue_id, also=also)
    return who, dialogues.viewable(who, dialogue), found


@route(DIALOGUE + "/revisions", contract=spec.REVISIONS)
def revision_index(project_id: str, dialogue_id: str) -> Response:
    _, dialogue, _ = _viewable(project_id, dialogue_id)
    found = revisions.listing(dialogue, history.window(_query()))
    return json_response([shapes.revision(item, body) for item, body in found])


@route(DIALOGUE + "/revisions", methods=("POST",), contract=spec.REVISION_CREATE)
def revision_create(project_id: str, dialogue_id: str) -> Response:
    who, dialogue = _editable(project_id, dialogue_id)
    body = _body()
    bulk = isinstance(body, list)
    dialogue, _, written = revisions.record(who, dialogue, revisions.from_bodies(who, body if bulk else [body], bulk))
    shown = [shapes.revision(item, body) for item, body in written]
    if bulk:  # only the revisions that change something are written (all of them 201, none 200 with [])
        return json_response(shown, 201 if shown else 200)
    if not shown:  # a revision that changes nothing is not written: 200 with the revision the dialogue is at
        return json_response(shapes.revision(*revisions.head(dialogue)), 200)
    return json_response(shown[0], 201)


# Releases


@route(DIALOGUE + "/releases", contract=spec.RELEASES)
def release_index(project_id: str, dialogue_id: str) -> Response:
    _, dialogue, _ = _viewable(project_id, dialogue_id)
    return json_response([shapes.release(dialogue, item)
                          for item in releases.listing(dialogue, history.window(_query()))])


@route(DIALOGUE + "/releases", methods=("POST",), contract=spec.RELEASE_CREATE)
def release_create(project_id: str, dialogue_id: str) -> Response:
    who, dialogue, _ = _viewable(project_id, dialogue_id)
    dialogue, release = releases.create(who, dialogue, _parsed())
    return json_response(shapes.release(dialogue, release), 201)


@route(DIALOGUE + "/releases/{release_id}", contract=spec.RELEASE_SHOW)
def release_show(project_id: str, dialogue_id: str, release_id: str) -> Response:
    key: Key = (Release, (number(dialogue_id), number(release_id)))
    _, dialogue, found = _viewable(project_id, dialogue_id, also=(key,) if all(key[1]) else ())
    release = found.get(key) or releases.existing(dialogue, release_id)
    return json_response({**shapes.release(dialogue, release),
                          "description": releases.description(dialogue, release)})


# Channels and providers


def _channels(found: list[Channel]) -> Response:
    """Channels with their providers' titles (which they carry)."""
    titles = channels.provider_titles(found)
    return json_response([shapes.channel(channel, titles.get(channel.provider_id)) for channel in found])


def _channel(channel: Channel) -> dict[str, Any]:
    return shapes.channel(channel, channels.provider_titles([channel]).get(channel.provider_id))


def _named(model: type[Channel] | type[Provider], raw_id: str) -> tuple[access.Caller, Any]:
    """The caller, and the channel or provider the path names (None if there is none), read in one batch."""
    key = channels.key(model, raw_id)
    who, found = access.signed_in(bp.current_request, [key] if key is not None else [])
    return who, found.get(key) if key is not None else None


@route("/channels", contract=spec.CHANNELS)
def channel_index() -> Response:
    return _channels(channels.every_channel(_caller()))


@route("/channels", methods=("POST",), contract=spec.CHANNEL_CREATE)
def channel_create() -> Response:
    body, unreadable = _peeked()
    key = channels.provider_key(body)
    who, found = access.signed_in(bp.current_request, [key] if key is not None else [])
    if unreadable is not None:
        raise unreadable
    provider = found.get(key) if key is not None else None
    return json_response(_channel(channels.create_channel(who, body, provider)), 201)


@route("/channels/{channel_id}", contract=spec.CHANNEL_SHOW)
def channel_show(channel_id: str) -> Response:
    who, channel = _named(Channel, channel_id)
    return json_response(_channel(channels.visible(who, channel_id, channel)))


@route("/channels/{channel_id}", methods=("PUT",), contract=spec.CHANNEL_REPLACE)
def channel_replace(channel_id: str) -> Response:
    who, channel = _named(Channel, channel_id)
    return json_response(_channel(channels.replace(channels.administered(who, channel_id, channel), _body())))


@route("/channels/{channel_id}", methods=("PATCH",), contract=spec.CHANNEL_PATCH)
def channel_patch(channel_id: str) -> Response:
    who, channel = _named(Channel, channel_id)
    return json_response(_channel(channels.patch(channels.administered(who, channel_id, channel), _body())))


@route("/providers", contract=spec.PROVIDERS)
def provider_index() -> Response:
    return json_response([shapes.provider_summary(found) for found in channels.every_provider(_caller())])


@route("/providers", methods=("POST",), contract=spec.PROVIDER_CREATE)
def provider_create() -> Response:
    return json_response(shapes.provider_summary(channels.create_provider(_caller(), _parsed())), 201)


@route("/providers/{provider_id}", contract=spec.PROVIDER_SHOW)
def provider_show(provider_id: str) -> Response:
    who, provider = _named(Provider, provider_id)
    return json_response(shapes.provider(*channels.provider(who, provider_id, provider)))
