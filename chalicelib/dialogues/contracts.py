"""The dialogues routes' contracts: the document's request bodies as JSON Schema (2020-12), what each route
answers, and the Bearer token every route but the password resets takes. Read-only fields are absent from what
POST and PATCH take (they fail additionalProperties); PUT takes them (ECHOED) and ignores them."""
import dataclasses
import json
from pathlib import Path
from typing import Any

from chalicelib.core.contracts import BEARER, ECHOED, Contract
from chalicelib.dialogues.errors import EMPTY_BODY, MAX_OPERATIONS, TOO_MANY_OPERATIONS

# A dialogue description may be a few MB; API Gateway takes 10 MB and Lambda 6 MB. Every dialogues route reads
# bodies up to this size, and a patch may not build a document larger than a body could be.
MAX_BODY_BYTES = 5 * 1024 * 1024

_POINTER = {"type": "string", "pattern": "^(/[^/~]*(~[01][^/~]*)*)*$"}
_DEFS = {
    "DialogueSymbol": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
    "DialogueId": {"type": "string", "pattern": "^[1-9][0-9]{0,14}$"},
    "DialoguePassword": {"type": "string", "minLength": 12, "maxLength": 1024},
    "DialogueName": {"type": "string", "maxLength": 200},
    "DialogueSequence": {
        "type": "object",
        "required": ["id", "title", "blocks"],
        "properties": {"id": {"$ref": "#/$defs/DialogueSymbol"}, "title": {"type": "string"},
                       "blocks": {"type": "array", "items": {"$ref": "#/$defs/DialogueBlock"}}},
        "additionalProperties": False,
    },
    "DialogueBlock": {
        "type": "object",
        "required": ["id", "type"],
        "properties": {"id": {"$ref": "#/$defs/DialogueSymbol"}, "type": {"$ref": "#/$defs/DialogueSymbol"},
                       "title": {"type": "string"}, "properties": {"type": "object"}},
        "additionalProperties": False,
    },
    "DialogueJsonPatch": {
        "$comment": "RFC 6902, as http://json.schemastore.org/json-patch has it.",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["op", "path"],
            "properties": {"op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                           "path": _POINTER, "from": _POINTER, "value": {}},
            "allOf": [
                {"if": {"required": ["op"], "properties": {"op": {"enum": ["add", "replace", "test"]}}},
                 "then": {"required": ["value"]}},
                {"if": {"required": ["op"], "properties": {"op": {"enum": ["move", "copy"]}}},
                 "then": {"required": ["from"]}},
            ],
        },
    },
    # A revision's `properties` by its type (`type: object` is checked once, by the revision).
    "DialogueEdit": {"required": ["patch"],
                     "properties": {"edit_type": {"type": "string"}, "patch": {"$ref": "#/$defs/DialogueJsonPatch"}}},
    "DialogueRevert": {"required": ["revision_id"], "properties": {"revision_id": {"$ref": "#/$defs/DialogueId"}}},
    "DialogueNewRevision": {
        "type": "object",
        "required": ["type", "properties"],
        "properties": {"type": {"enum": ["edit", "revert"]},
                       "created": {"type": "number", "minimum": 0, "maximum": 100000000000000},
                       "details": {"type": "object"}, "properties": {"type": "object"}},
        "additionalProperties": False,
        "allOf": [
            {"if": {"required": ["type"], "properties": {"type": {"const": "edit"}}},
             "then": {"properties": {"properties": {"$ref": "#/$defs/DialogueEdit"}}}},
            {"if": {"required": ["type"], "properties": {"type": {"const": "revert"}}},
             "then": {"properties": {"properties": {"$ref": "#/$defs/DialogueRevert"}}}},
        ],
    },
}


def _schema(root: dict[str, Any]) -> dict[str, Any]:
    """A schema with the shared parts it may refer to."""
    return {**root, "$defs": _DEFS}


def _ref(name: str) -> dict[str, Any]:
    return _schema({"$ref": f"#/$defs/{name}"})


def _object(required: list[str], properties: dict[str, Any], read_only: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object of exactly `properties`; a PUT's also takes (and ignores) the `read_only` fields."""
    return _schema({"type": "object", "required": required,
                    "properties": {**properties, **dict.fromkeys(read_only, ECHOED)},
                    "additionalProperties": False})


def _request(schema: dict[str, Any]) -> dict[str, Any]:
    """A body checked as the route reads it: an empty (or null) one is a parse error, not a failure."""
    return {**schema, "not": {"type": "null"}, "x-errors": {"not": EMPTY_BODY}}


_NAMES = {"first_name": {"$ref": "#/$defs/DialogueName"}, "last_name": {"$ref": "#/$defs/DialogueName"}}
_PROJECT = {"title": {"type": "string", "minLength": 1, "maxLength": 500}, "is_archived": {"type": "boolean"}}
_DESCRIPTION = {"title": {"type": "string", "maxLength": 500},
                "sequences": {"type": "array", "items": {"$ref": "#/$defs/DialogueSequence"}},
                "is_archived": {"type": "boolean"}}
_ATTACHED = {"project_id": {"anyOf": [{"$ref": "#/$defs/DialogueId"}, {"type": "null"}]}}
_DETAILS = {"project_id": {"$ref": "#/$defs/DialogueId"}, "dialogue_id": {"$ref": "#/$defs/DialogueId"}}


def _grant_details(*scope: str) -> dict[str, Any]:
    return {"required": list(scope), "properties": {name: _DETAILS[name] for name in scope},
            "additionalProperties": False}


def _kinds(*kinds: str) -> dict[str, Any]:
    return {"required": ["type"], "properties": {"type": {"enum": list(kinds)}}}


# Documents: request bodies, and what a patch builds (checked by the services).
USER = _object([], _NAMES)
PROJECT = _object(["title"], _PROJECT)
DESCRIPTION = _object(["title", "sequences"], _DESCRIPTION)
SEQUENCE = _ref("DialogueSequence")
CHANNEL = _object([], _ATTACHED)
NEW_USER = _object(["email", "password"], {"email": {"type": "string", "format": "email", "maxLength": 254},
                                           **_NAMES, "password": {"$ref": "#/$defs/DialoguePassword"}})
NEW_CHANNEL = _object(["provider_id", "title", "address", "type"], {
    "provider_id": {"$ref": "#/$defs/DialogueId"}, "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "address": {"type": "string", "minLength": 1, "maxLength": 200}, "type": {"$ref": "#/$defs/DialogueSymbol"},
    **_ATTACHED})
NEW_PROVIDER = _object(["title"], {"title": {"type": "string", "minLength": 1, "maxLength": 200}})
RELEASE = _object(["revision_id"], {"revision_id": {"type": "string"}})
PERMISSION = {**_object(["type"], {
    "type": {"enum": ["admin", "projects:create", "project:admin", "project:dialogues:read",
                      "project:dialogues:write", "dialogue:read", "dialogue:write"]},
    "details": {"type": "object"}}), "allOf": [
    {"if": _kinds("admin", "projects:create"), "then": {"properties": {"details": {"maxProperties": 0}}}},
    {"if": _kinds("project:admin", "project:dialogues:read", "project:dialogues:write"),
     "then": {"required": ["details"], "properties": {"details": _grant_details("project_id")}}},
    {"if": _kinds("dialogue:read", "dialogue:write"),
     "then": {"required": ["details"], "properties": {"details": _grant_details("project_id", "dialogue_id")}}},
]}

# Bodies the routes check as they read them.
_PATCH = _request(_ref("DialogueJsonPatch"))
# A client's patch of a user or project is refused whole past MAX_OPERATIONS, before its operations are read.
_BOUNDED_PATCH = {**_PATCH, "maxItems": MAX_OPERATIONS,
                  "x-errors": {**_PATCH["x-errors"], "maxItems": TOO_MANY_OPERATIONS}}
_PASSWORD_CHANGE = _request(_object(["old_password", "new_password"], {
    "old_password": {"type": "string"}, "new_password": {"$ref": "#/$defs/DialoguePassword"}}))
_PASSWORD_RESET = _request(_object(["email"], {"email": {"type": "string", "format": "email"}}))
_PASSWORD_CONFIRMATION = _request(_object(["token", "password"], {
    "token": {"type": "string"}, "password": {"$ref": "#/$defs/DialoguePassword"}}))
_USER_PUT = _request(_object([], _NAMES, ("id", "url", "email", "permissions")))
_PROJECT_PUT = _request(_object(["title"], _PROJECT, ("id", "url", "dialogues")))
_DESCRIPTION_PUT = _request(_object(["title", "sequences"], _DESCRIPTION, (
    "id", "url", "revision_id", "is_published", "has_changes", "can_view", "can_edit")))
_CHANNEL_PUT = _request(_object([], _ATTACHED, ("id", "url", "title", "address", "type", "is_available",
                                                "provider")))
# One revision, or a bulk of 1 to 50.
_REVISIONS = _request(_schema({
    "if": {"type": "array"},
    "then": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"$ref": "#/$defs/DialogueNewRevision"}},
    "else": {"$ref": "#/$defs/DialogueNewRevision"}}))

# Answers, as shapes.py writes them.
_TEXT, _FLAG, _COUNT = {"type": "string"}, {"type": "boolean"}, {"type": "integer", "minimum": 0}
_NULLABLE = {"type": ["string", "null"]}


def _shape(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties}


def _list(item: dict[str, Any], **limits: int) -> dict[str, Any]:
    return {"type": "array", "items": item, **limits}


def _is(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/Dialogue{name}"}


_PROJECT_SUMMARY = _shape(id=_TEXT, url=_TEXT, title=_TEXT, is_archived=_FLAG)
_DIALOGUE_SUMMARY = _shape(id=_TEXT, url=_TEXT, revision_id=_TEXT, title=_TEXT, is_archived=_FLAG,
                           is_published=_FLAG, has_changes=_FLAG, can_view=_FLAG, can_edit=_FLAG)
_RELEASE = _shape(id=_TEXT, number=_COUNT, url=_TEXT, revision_id=_TEXT, created=_COUNT)
_PROVIDER_SUMMARY = _shape(id=_TEXT, url=_TEXT, title=_TEXT)
_CHANNEL_SUMMARY = _shape(id=_TEXT, url=_TEXT, project_id=_NULLABLE, title=_TEXT, address=_TEXT, type=_TEXT,
                          is_available=_FLAG)
_SHAPES = {
    "DialogueUser": _shape(id=_TEXT, url=_TEXT, email=_TEXT, first_name=_NULLABLE, last_name=_NULLABLE),
    "DialogueGrant": {**_shape(id=_TEXT, type=_TEXT), "properties": {
        "id": _TEXT, "type": _TEXT, "details": {"type": "object", "additionalProperties": _TEXT}}},
    "DialogueProjectSummary": _PROJECT_SUMMARY,
    "DialogueProject": _shape(**_PROJECT_SUMMARY["properties"], dialogues=_list(_is("Summary"))),
    "DialogueSummary": _DIALOGUE_SUMMARY,
    "DialogueShown": _shape(**_DIALOGUE_SUMMARY["properties"], sequences=_list({"type": "object"})),
    "DialogueRevisionShown": _shape(id=_TEXT, number=_COUNT, user_id=_TEXT, created=_COUNT,
                                    type={"enum": ["edit", "revert"]}, details={"type": "object"},
                                    properties={"type": "object"}),
    "DialogueRelease": _RELEASE,
    "DialogueReleaseShown": _shape(**_RELEASE["properties"], description=_shape(
        title=_TEXT, sequences=_list({"type": "object"}), is_archived=_FLAG)),
    "DialogueChannelSummary": _CHANNEL_SUMMARY,
    "DialogueChannel": _shape(**_CHANNEL_SUMMARY["properties"], provider=_shape(id=_TEXT, title=_NULLABLE)),
    "DialogueProviderSummary": _PROVIDER_SUMMARY,
    "DialogueProvider": _shape(**_PROVIDER_SUMMARY["properties"], channels=_list(_is("ChannelSummary"))),
}


def _one(name: str) -> dict[str, Any]:
    return {**_is(name), "$defs": _SHAPES}


def _many(name: str) -> dict[str, Any]:
    return {**_list(_is(name)), "$defs": _SHAPES}


_ME = {"allOf": [_is("User"), _shape(permissions=_list(_is("Grant")))], "$defs": _SHAPES}
_WRITTEN = {"anyOf": [_is("RevisionShown"), _list(_is("RevisionShown"), minItems=1)], "$defs": _SHAPES}
_UNCHANGED = {"anyOf": [_is("RevisionShown"), _list(_is("RevisionShown"), maxItems=0)], "$defs": _SHAPES}

# Path and query parameters.
_NUMBERED = {"type": "string", "pattern": "^[1-9][0-9]{0,14}$"}
_USER_ID, _PERMISSION_ID = {"user_id": {"type": "string"}}, {"permission_id": {"type": "string"}}
_IN_PROJECT = {"project_id": _NUMBERED}
_IN_DIALOGUE = {**_IN_PROJECT, "dialogue_id": _NUMBERED}
_PAGE = {name: {"type": "integer", "minimum": 1, "description": description}
         for name, description in (("page", "from 1; absent or empty: 1"),
                                   ("per_page", "from 1, 100 at most; absent or empty: 30"))}
_ORDERING = "-?(number|created)"
_HISTORY = {**_PAGE, "ordering": {
    "type": "string", "pattern": rf"^\s*({_ORDERING})?\s*(,\s*({_ORDERING})?\s*)*$",
    "description": "number, -number, created or -created; several separated by commas, or the parameter repeated"}}
_FILTERS = {name: {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[01])$"}
            for name in ("is_archived", "is_published", "has_changes", "can_view", "can_edit")}


def _contract(summary: str, answers: dict[int, dict[str, Any] | None], *errors: int,
              body: dict[str, Any] | None = None, **options: Any) -> Contract:
    """A dialogues route: Bearer token (unless `security` says otherwise), bodies up to MAX_BODY_BYTES, a 422
    for a body outside its schema."""
    if body is not None:
        errors, options = (*errors, 422), {"max_bytes": MAX_BODY_BYTES, **options}
    return Contract(summary, answers, body=body, errors=tuple(sorted(set(errors))),
                    **{"security": (BEARER,), **options})


# Users
ME = _contract("The signed-in user with their permissions", {200: _ME})
PASSWORD_CHANGE = _contract("Change the signed-in user's password", {204: None}, body=_PASSWORD_CHANGE)
USERS = _contract("Every user (admin)", {200: _many("User")}, 400, 403, query=_PAGE)
USER_CREATE = _contract("Create a user (admin)", {201: _one("User")}, 403, body=NEW_USER)
USER_SHOW = _contract("A user (themselves, or admin)", {200: _one("User")}, 403, 404, params=_USER_ID)
USER_REPLACE = _contract("Replace a user's names", {200: _one("User")}, 403, 404, body=_USER_PUT,
                         params=_USER_ID)
USER_PATCH = _contract("Patch a user's names (RFC 6902)", {200: _one("User")}, 403, 404, body=_BOUNDED_PATCH,
                       params=_USER_ID, media_type="application/json-patch+json")
PASSWORD_RESET = _contract("Mail a password reset token", {204: None}, body=_PASSWORD_RESET, security=())
PASSWORD_CONFIRMATION = _contract("Set a new password with a reset token", {204: None},
                                  body=_PASSWORD_CONFIRMATION, security=())

# Permissions
PERMISSIONS = _contract("A user's permissions", {200: _many("Grant")}, 403, 404, params=_USER_ID)
PERMISSION_SHOW = _contract("One of a user's permissions", {200: _one("Grant")}, 403, 404,
                            params={**_USER_ID, **_PERMISSION_ID})
PERMISSION_GRANT = _contract("Grant a permission (admin)", {200: _one("Grant")}, 403, 404, body=PERMISSION,
                             params=_USER_ID)
PERMISSION_REVOKE = _contract("Revoke a permission (admin)", {200: _one("Grant")}, 403, 404, 409,
                              params={**_USER_ID, **_PERMISSION_ID})

# Projects
PROJECTS = _contract("The projects the caller may see", {200: _many("ProjectSummary")}, 400, query=_PAGE)
PROJECT_CREATE = _contract("Create a project", {201: _one("Project")}, 403, body=PROJECT)
PROJECT_SHOW = _contract("A project with its dialogues", {200: _one("Project")}, 403, 404, params=_IN_PROJECT)
PROJECT_REPLACE = _contract("Replace a project", {200: _one("Project")}, 403, 404, body=_PROJECT_PUT,
                            params=_IN_PROJECT)
PROJECT_PATCH = _contract("Patch a project (RFC 6902)", {200: _one("Project")}, 403, 404, body=_BOUNDED_PATCH,
                          params=_IN_PROJECT, media_type="application/json-patch+json")
PROJECT_CHANNELS = _contract("A project's channels", {200: _many("Channel")}, 403, 404, params=_IN_PROJECT)

# Dialogues
DIALOGUES = _contract("A project's dialogues", {200: _many("Summary")}, 400, 403, 404,
                      params=_IN_PROJECT, query=_FILTERS)
DIALOGUE_CREATE = _contract("Create a dialogue", {201: _one("Shown")}, 403, 404, body=DESCRIPTION, params=_IN_PROJECT)
DIALOGUE_SHOW = _contract("A dialogue", {200: _one("Shown")}, 403, 404, params=_IN_DIALOGUE)
DIALOGUE_REPLACE = _contract("Replace a dialogue's description", {200: _one("Shown")}, 403, 404, 409,
                             body=_DESCRIPTION_PUT, params=_IN_DIALOGUE)
DIALOGUE_PATCH = _contract("Patch a dialogue's description (RFC 6902)", {200: _one("Shown")}, 403, 404, 409,
                           body=_PATCH, params=_IN_DIALOGUE, media_type="application/json-patch+json")

# Revisions and releases
REVISIONS = _contract("A dialogue's revisions", {200: _many("RevisionShown")}, 400, 403, 404, params=_IN_DIALOGUE,
                      query=_HISTORY)
REVISION_CREATE = _contract(
    "Add a revision, or a bulk of them", {201: _WRITTEN, 200: _UNCHANGED},
    403, 404, 409, body=_REVISIONS, params=_IN_DIALOGUE,
    description="201 with what was written; 200 when nothing changed: the revision the dialogue is at, or `[]` "
                "for a bulk.")
RELEASES = _contract("A dialogue's releases", {200: _many("Release")}, 400, 403, 404, params=_IN_DIALOGUE,
                     query=_HISTORY)
RELEASE_CREATE = _contract("Release a revision", {201: _one("Release")}, 403, 404, 409, body=RELEASE,
                           params=_IN_DIALOGUE)
RELEASE_SHOW = _contract("A release with its description", {200: _one("ReleaseShown")}, 403, 404,
                         params={**_IN_DIALOGUE, "release_id": _NUMBERED})

# Channels and providers
CHANNELS = _contract("Every channel (admin)", {200: _many("Channel")}, 403)
CHANNEL_CREATE = _contract("Create a channel (admin)", {201: _one("Channel")}, 403, 409, body=NEW_CHANNEL)
CHANNEL_SHOW = _contract("A channel", {200: _one("Channel")}, 403, 404, params={"channel_id": _NUMBERED})
CHANNEL_REPLACE = _contract("Attach a channel to a project, or free it (admin)", {200: _one("Channel")}, 403, 404,
                            body=_CHANNEL_PUT, params={"channel_id": _NUMBERED})
CHANNEL_PATCH = _contract("Patch a channel's project (admin, RFC 6902)", {200: _one("Channel")}, 403, 404, body=_PATCH,
                          params={"channel_id": _NUMBERED}, media_type="application/json-patch+json")
PROVIDERS = _contract("Every provider (admin)", {200: _many("ProviderSummary")}, 403)
PROVIDER_CREATE = _contract("Create a provider (admin)", {201: _one("ProviderSummary")}, 403, body=NEW_PROVIDER)
PROVIDER_SHOW = _contract("A provider with the channels the caller may see", {200: _one("Provider")}, 403, 404,
                          params={"provider_id": _NUMBERED})


def _with_examples(contracts: dict[str, Any]) -> None:
    """Each contract with the document's examples of its request and answer, those that fit its schemas
    (examples.json; the document's others name fields the answers do not have, or passwords too short)."""
    for name, examples in json.loads(Path(__file__).with_name("examples.json").read_text()).items():
        contracts[name] = dataclasses.replace(contracts[name], examples=examples)


_with_examples(globals())
