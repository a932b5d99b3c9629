"""The /api/projects routes' contracts: what each takes (JSON Schema, keyed with the document's error keys) and
what each answers (the shapes of `shapes.py`, in the envelope).

A value that fails is named by the first keyword it fails (see `errors.invalid`), so a text field lists
`not: null` first ("required": a null counts as missing), then its type, then `pattern: NOT_BLANK` (a blank text is
missing too, or empty where the document has such a key), then its length."""
from typing import Any

from chalicelib.core.contracts import BEARER, NOT_BLANK, SAFE_INT, Contract
from chalicelib.recordings.errors import envelope_schema

# Bounds that keep every item well under DynamoDB's 400 KB, even in 4-byte UTF-8 characters.
TITLE_MAX, DESCRIPTION_MAX, TOPIC_MAX, TOPICS_MAX = 200, 5000, 280, 100
CONTENT_MAX, TAGS_MAX, CODE_MAX, PARTICIPANTS_MAX, PROMPTS_MAX, EMAIL_MAX = 5000, 50, 200, 50, 100, 254
NOT_NULL = {"type": "null"}


def _text(required: str, not_string: str, limit: int | None = None, too_long: str | None = None,
          empty: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"not": NOT_NULL, "type": "string", "pattern": NOT_BLANK}
    keys: dict[str, str | None] = {"not": required, "required": required, "type": not_string,
                                   "pattern": empty or required}
    if limit is not None:
        schema["maxLength"], keys["maxLength"] = limit, too_long
    return {**schema, "x-errors": keys}


def _keyed(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with `key` for every failure of its own keywords (and for its absence)."""
    return {**schema, "x-errors": {keyword: key for keyword in (*schema, "required")}}


def _list(name: str, items: dict[str, Any], limit: int) -> dict[str, Any]:
    """A session's `participants` or `prompts`: a list of at most `limit` entries, all valid."""
    keys = {"not": f"SESSION_{name}_REQUIRED", "required": f"SESSION_{name}_REQUIRED",
            "type": f"SESSION_{name}_MUST_BE_LIST", "maxItems": f"SESSION_{name}_MUST_BE_LIST"}
    return {"not": NOT_NULL, "type": "array", "maxItems": limit, "items": items, "x-errors": keys}


def _count(key: str) -> dict[str, Any]:
    return _keyed(key, {"type": "integer", "minimum": 0, "maximum": SAFE_INT})


def _interval(name: str) -> dict[str, Any]:
    return {"not": NOT_NULL, "type": "integer", "minimum": 0, "maximum": SAFE_INT,
            "x-errors": {"not": f"{name}_REQUIRED", "required": f"{name}_REQUIRED", "type": f"{name}_IS_NOT_INT",
                         "minimum": f"{name}_MUST_BE_POSITIVE_INT", "maximum": f"{name}_IS_NOT_INT"}}


def _object(properties: dict[str, Any], required: tuple[Any, ...] = ()) -> dict[str, Any]:
    """A request body: anything but a JSON object is invalid JSON, as it was."""
    return {"type": "object", "required": list(required), "properties": properties,
            "x-errors": {"type": "GENERAL_INVALID_JSON"}}


# --- what requests send ---

TITLE = _text("PROJECTS_TITLE_REQUIRED", "PROJECTS_TITLE_IS_NOT_STRING", TITLE_MAX, "PROJECTS_TITLE_TOO_LONG")
DESCRIPTION = _text("PROJECTS_DESCRIPTION_REQUIRED", "PROJECTS_DESCRIPTION_IS_NOT_STRING", DESCRIPTION_MAX,
                    "PROJECTS_DESCRIPTION_TOO_LONG")
PRIVACY = _text("PROJECTS_PRIVACY_REQUIRED", "PROJECTS_PRIVACY_IS_NOT_STRING")
PRIVACY = {**PRIVACY, "enum": ["public", "private"],
           "x-errors": {**PRIVACY["x-errors"], "enum": "PROJECTS_PRIVACY_INVALID"}}

NEW_PROJECT = _object({
    "title": TITLE,
    "description": DESCRIPTION,
    "privacy": PRIVACY,
    "topics": {"not": NOT_NULL, "type": "array", "maxItems": TOPICS_MAX,
               "items": {"type": "string", "pattern": NOT_BLANK, "maxLength": TOPIC_MAX,
                         "x-errors": {"type": "PROJECTS_TOPIC_IS_NOT_STRING", "pattern": "PROJECTS_TOPIC_IS_EMPTY",
                                      "maxLength": "PROJECTS_TOPIC_TOO_LONG"}},
               "x-errors": {"not": "PROJECTS_TOPICS_REQUIRED", "required": "PROJECTS_TOPICS_REQUIRED",
                            "type": "PROJECTS_TOPIC_MUST_BE_LIST", "maxItems": "PROJECTS_TOPICS_TOO_MANY"}},
}, required=("title", "description", "privacy", "topics"))

TOPIC_CHANGE = {
    "type": "object", "required": ["is_active", "text"], "x-errors": {"type": "TOPICS_IS_NOT_DICT"},
    "properties": {
        "is_active": {"type": ["integer", "boolean"], "enum": [0, 1, False, True],
                      "x-errors": {"required": "TOPICS_IS_ACTIVE_KEY_404", "type": "TOPICS_IS_ACTIVE_MUST_BE_INT",
                                   "enum": "TOPICS_IS_ACTIVE_MUST_BE_0_OR_1"}},
        "text": _text("TOPICS_TEXT_KEY_404", "TOPICS_TEXT_IS_NOT_STRING", TOPIC_MAX, "PROJECTS_TOPIC_TOO_LONG"),
        "id": _keyed("TOPICS_ID_NOT_PROJECT", {"type": ["integer", "null"], "minimum": -SAFE_INT,
                                               "maximum": SAFE_INT}),
    },
}
# Each field optional, each checked as on create; the body of a GET sent back passes (its `creator` is an
# object, read-only). An `id` other than the project's (ID_404) and a `creator` no one is (USER_404): projects.update.
PROJECT_CHANGES = _object({
    "id": {"description": "Sent back from a GET, it must be the project's own id (else ID_404)"},
    "title": TITLE,
    "description": DESCRIPTION,
    "privacy": PRIVACY,
    "creator": _keyed("USER_404", {"type": ["integer", "object", "null"], "minimum": -SAFE_INT,
                                   "maximum": SAFE_INT}),
    "topics": {"type": ["array", "null"], "maxItems": TOPICS_MAX, "items": TOPIC_CHANGE,
               "x-errors": {"type": "PROJECTS_TOPIC_MUST_BE_LIST", "maxItems": "PROJECTS_TOPICS_TOO_MANY"}},
})

NEW_CODE = _object({"text": _text("CODE_TEXT_REQUIRED", "CODE_TEXT_IS_NOT_STRING", CODE_MAX, "CODE_TEXT_TOO_LONG")},
                   required=("text",))

# START_BEFORE_END (a start after the end) compares two fields: annotations._intervals.
ANNOTATION = _object({
    "content": _text("CONTENT_REQUIRED", "CONTENT_IS_NOT_STRING", CONTENT_MAX, "CONTENT_TOO_LONG",
                     empty="CONTENT_IS_EMPTY"),
    "start_interval": _interval("START_INTERVAL"),
    "end_interval": _interval("END_INTERVAL"),
    "tags": {"type": ["array", "null"], "maxItems": TAGS_MAX,
             "items": _keyed("TAG_IS_NOT_INT", {"type": "integer", "minimum": -SAFE_INT, "maximum": SAFE_INT}),
             "x-errors": {"type": "TAGS_IS_NOT_LIST", "maxItems": "TAGS_TOO_MANY"}},
}, required=("content", "start_interval", "end_interval"))

COMMENT = _object({"content": _text("USER_COMMENT_CONTENT_KEY_REQUIRED", "USER_COMMENT_IS_NOT_STRING", CONTENT_MAX,
                                    "USER_COMMENT_TOO_LONG", empty="USER_COMMENT_IS_EMPTY")},
                  required=("content",))

PARTICIPANT = _keyed("SESSION_PARTICIPANTS_INVALID", {
    "type": "object", "required": ["Name", "Role"], "properties": {
        "Name": _keyed("SESSION_PARTICIPANTS_INVALID", {"type": "string", "pattern": NOT_BLANK,
                                                        "maxLength": TITLE_MAX}),
        "Email": _keyed("SESSION_PARTICIPANTS_INVALID", {"type": ["string", "null"], "maxLength": EMAIL_MAX}),
        "Role": _keyed("SESSION_PARTICIPANTS_INVALID", {"enum": [0, 1, False, True],
                                                        "description": "1: the interviewer"})}})
# A prompt that ends before it starts is SESSION_PROMPTS_INVALID too: sessions.checked_prompts.
PROMPT = _keyed("SESSION_PROMPTS_INVALID", {
    "type": "object", "required": ["Start", "End", "PromptID"], "properties": {
        "Start": _count("SESSION_PROMPTS_INVALID"), "End": _count("SESSION_PROMPTS_INVALID"),
        "PromptID": _count("SESSION_PROMPTS_INVALID")}})
METADATA = {"participants": _list("PARTICIPANTS", PARTICIPANT, PARTICIPANTS_MAX),
            "prompts": _list("PROMPTS", PROMPT, PROMPTS_MAX)}
# The legacy form's `participants` and `prompts`, once their JSON text is read.
FORM_METADATA = _object(METADATA, required=("participants", "prompts"))
# A session whose recording was uploaded with the presigned POST (JSON, the app's addition to the document).
UPLOADED_SESSION = _object({
    "recording_key": _text("SESSION_RECORDING_KEY_REQUIRED", "SESSION_RECORDING_KEY_IS_NOT_STRING"),
    **METADATA}, required=("recording_key", "participants", "prompts"))
SESSION_FORM = {
    "type": "object", "required": ["recording", "participants", "prompts"],
    "properties": {
        "recording": {"type": "string", "contentMediaType": "audio/*", "description": "The audio, at most 4 MB"},
        "participants": {"type": "string", "contentMediaType": "application/json",
                         "description": "JSON: a list of {Name, Email, Role (1: the interviewer, else 0)}"},
        "prompts": {"type": "string", "contentMediaType": "application/json",
                    "description": "JSON: a list of {Start, End, PromptID (a topic's id)}"},
    },
}

# --- what answers hold ---

_INT, _TEXT, _DAY = {"type": "integer"}, {"type": "string"}, {"type": "string", "examples": ["04-Mar-2018"]}
_MAYBE_INT, _MAYBE_TEXT = {"type": ["integer", "null"]}, {"type": ["string", "null"]}


def _shape(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/Recordings{name}"}


def _many(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


DEFS = {f"Recordings{name}": shape for name, shape in {
    "Person": _shape(user_id=_MAYBE_INT, fullname=_MAYBE_TEXT),
    "Member": _shape(user_id=_MAYBE_INT, fullname=_MAYBE_TEXT, id=_MAYBE_INT, name=_MAYBE_TEXT,
                     role={"enum": ["admin", "user"]}),
    "Topic": _shape(id=_INT, text=_TEXT, is_active={"enum": [0, 1]}, project_id=_INT, created_on=_DAY,
                    updated_on=_DAY),
    "Project": _shape(id=_INT, title=_TEXT, slug=_TEXT, description=_TEXT, creator=_ref("Person"),
                      has_consent={"type": "boolean"}, is_public={"type": "boolean"}, is_active={"type": "boolean"},
                      members=_many("Member"), topics=_many("Topic"), created_on=_DAY, updated_on=_DAY),
    "Code": _shape(id=_INT, text=_TEXT, project_id=_INT, created_on=_DAY),
    "Label": _shape(id=_INT, text=_TEXT),
    "Comment": _shape(id=_INT, annotation_id=_INT, session_id=_TEXT, parent_id=_MAYBE_INT, content=_TEXT,
                      creator=_ref("Person"), replies={"type": "array", "items": _INT}, created_on=_DAY,
                      updated_on=_DAY),
    "Annotation": _shape(id=_INT, session_id=_TEXT, content=_TEXT, justification=_TEXT, codes=_many("Label"),
                         start_interval=_INT, end_interval=_INT, is_active={"type": "boolean"},
                         tags={"type": "array", "items": _INT}, labels=_many("Label"), creator=_ref("Person"),
                         user_id=_MAYBE_INT, comments=_many("Comment"), created_on=_DAY, updated_on=_DAY),
    "Session": _shape(id=_TEXT, project_id=_INT, creator=_shape(name=_MAYBE_TEXT, user_id=_MAYBE_INT),
                      participants={"type": "array", "items": _shape(
                          name=_TEXT, role={"enum": ["interviewer", "interviewee"]}, user_id=_MAYBE_INT)},
                      topics={"type": "array", "items": _shape(id=_INT, start=_TEXT, end=_TEXT, text=_TEXT)},
                      user_annotations=_many("Annotation"), recording_url=_TEXT, created_on=_DAY),
    "UploadForm": _shape(url=_TEXT, fields={"type": "object", "additionalProperties": _TEXT}, key=_TEXT,
                         expires_in=_INT, max_bytes=_INT, content_types={"type": "array", "items": _TEXT}),
}.items()}


def _answer(data: dict[str, Any], **meta: dict[str, Any]) -> dict[str, Any]:
    """The success envelope around `data`, with every shape under `$defs` (hoisted by the OpenAPI document)."""
    schema = envelope_schema(data)
    schema["properties"]["meta"]["properties"].update(meta)
    return {**schema, "$defs": DEFS}


PROJECT, NOTHING = _answer(_ref("Project")), _answer({"type": "null"})
SESSION, ANNOTATION_ANSWER = _answer(_ref("Session")), _answer(_ref("Annotation"))
COMMENT_ANSWER = _answer(_ref("Comment"))

# --- examples, from the document ---

_PROJECT_EXAMPLE = {
    "created_on": "05-Mar-2018", "creator": {"user_id": 22, "fullname": "jay rainey"}, "description": "new desc",
    "has_consent": False, "id": 11, "is_public": True, "is_active": True,
    "members": [{"id": 22, "name": "jay rainey", "fullname": "jay rainey", "role": "admin", "user_id": 22}],
    "slug": "super-new-title", "title": "Super new title",
    "topics": [{"created_on": "05-Mar-2018", "id": 14, "is_active": 1, "project_id": 11, "text": "topics",
                "updated_on": "05-Mar-2018"}],
    "updated_on": "05-Mar-2018"}
_ANNOTATION_REQUEST = {"content": "Now updating", "start_interval": 20, "end_interval": 20, "tags": [1, 2]}
_COMMENT_EXAMPLE = {"annotation_id": 1, "created_on": "09-Mar-2018", "creator": {"fullname": "jay", "user_id": 30},
                    "id": 15, "parent_id": 10, "replies": [], "content": "again ... updates",
                    "session_id": "1cee9eca335b45bf82a6886e424c9e86", "updated_on": "09-Mar-2018"}


def _ok(example: object) -> dict[str, Any]:
    return {"data": example, "meta": {"success": True, "errors": []}}


# --- each route's contract ---

_ID = {"type": "string", "pattern": "^[0-9]{1,15}$"}
_PID = {"pid": _ID}
_SID = {**_PID, "sid": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}
_AID = {**_SID, "aid": _ID}
_CID = {**_AID, "cid": _ID}
_SIGNED_IN: dict[str, Any] = {"security": (BEARER,)}
_ANYONE: dict[str, Any] = {"security": (BEARER,), "optional_auth": True}

INDEX = Contract(
    summary="Projects: the caller's own (personal) and the public ones they are not in",
    description="Anonymous callers get an empty `personal` list.",
    answers={200: _answer(_shape(personal=_many("Project"), public=_many("Project")))},
    examples={"response": _ok({"personal": [], "public": [_PROJECT_EXAMPLE]})},
    round_trips=4, round_trips_why="3 (the caller's memberships, the public projects, then the caller's account, "
    "private projects and the public projects' people in one BatchGetItem); a 4th reads the people of the caller's "
    "private projects when those have members besides the caller (a project made private after others joined)",
    **_ANYONE)
CREATE = Contract(
    summary="Create a project; its creator becomes its admin", answers={201: PROJECT}, body=NEW_PROJECT,
    errors=(409,), examples={"request": {"title": "The title of your neat project",
                                         "description": "Describe your project ...", "privacy": "public",
                                         "topics": ["Topics must strings", "Otherwise madness occurs"]},
                             "response": _ok(_PROJECT_EXAMPLE)}, **_SIGNED_IN)
SHOW = Contract(summary="A project: any public one, or a private one the caller is a member of",
                answers={200: PROJECT}, params=_PID, errors=(403, 404), examples={"response": _ok(_PROJECT_EXAMPLE)},
                **_ANYONE)
UPDATE = Contract(
    summary="Edit a project (its creator only); `topics` without an id are created, `is_active: 0` hides one",
    answers={200: PROJECT}, body=PROJECT_CHANGES, params=_PID, errors=(403, 404, 409),
    description="The document's example also sends the project's `id`, its `creator`'s number and topic ids "
                "(`{\"id\": 4563, \"text\": \"MODIFIED AGAIN\", \"is_active\": 1}`); each must name what "
                "exists: another `id` is `ID_404`, an unknown creator `USER_404`, another project's topic "
                "`TOPICS_ID_NOT_PROJECT`.",
    examples={"request": {"title": "你好吗?", "description": "你好", "privacy": "private",
                          "topics": [{"text": "你好 ANOTHER NEW", "is_active": 1}]}},
    round_trips=4, round_trips_why="a numeric `creator` that is neither the caller's number nor a member's is "
    "looked up (a Query on the accounts' number index) besides the path's read, the members' accounts (read before "
    "the write, for its answer) and the write; the caller's or a member's number is found among the accounts read",
    **_SIGNED_IN)
DESTROY = Contract(summary="Soft-delete a project (its creator only)", answers={200: NOTHING}, params=_PID,
                   errors=(403, 404, 409), **_SIGNED_IN)
JOIN = Contract(summary="Join a public project", answers={200: NOTHING}, params=_PID, errors=(403, 404, 409),
                **_SIGNED_IN)
LEAVE = Contract(summary="Leave a project (not its creator)", answers={200: NOTHING}, params=_PID,
                 errors=(403, 404), **_SIGNED_IN)
CODES = Contract(summary="A project's codes, the tags of annotations", answers={200: _answer(_many("Code"))},
                 params=_PID, errors=(403, 404), **_ANYONE)
CREATE_CODE = Contract(summary="Add a code to a project (members only)", answers={201: _answer(_ref("Code"))},
                       body=NEW_CODE, params=_PID, errors=(403, 404), **_SIGNED_IN)
UPLOAD = Contract(
    summary="A presigned S3 POST for one recording (members only); its `key` then creates the session",
    answers={201: _answer(_ref("UploadForm"))}, params=_PID, errors=(403, 404), **_SIGNED_IN)
SESSIONS = Contract(
    summary="A project's sessions, newest first, a page at a time",
    answers={200: _answer(_many("Session"), next_cursor={"type": ["string", "null"]})},
    query={"limit": {"type": "integer", "minimum": 1, "default": 20, "description": "At most 50 are given"},
           "cursor": {"type": "string", "description": "`meta.next_cursor` of the page before"}},
    params=_PID, errors=(403, 404), **_ANYONE)
CREATE_SESSION = Contract(
    summary="Record a session (members only)",
    description="The document's legacy mobile upload: a multipart form with the `recording` itself (at most "
                "4 MB) and its `participants` and `prompts` as JSON text. The app also takes an "
                "`application/json` body `{recording_key, participants, prompts}` naming a recording uploaded "
                "with `POST .../sessions/uploads/` (up to 500 MB).",
    answers={201: SESSION}, body=SESSION_FORM, media_type="multipart/form-data", params=_PID, errors=(403, 404),
    **_SIGNED_IN)
SHOW_SESSION = Contract(summary="A session with its annotations", answers={200: SESSION}, params=_SID,
                        errors=(403, 404), **_ANYONE)
ANNOTATIONS = Contract(summary="A session's annotations with their comments",
                       answers={200: _answer(_many("Annotation"))}, params=_SID, errors=(403, 404), **_ANYONE)
CREATE_ANNOTATION = Contract(
    summary="Annotate a session (members only)", answers={201: ANNOTATION_ANSWER}, body=ANNOTATION, params=_SID,
    errors=(403, 404), examples={"request": _ANNOTATION_REQUEST}, **_SIGNED_IN)
SHOW_ANNOTATION = Contract(summary="An annotation", answers={200: ANNOTATION_ANSWER}, params=_AID,
                           errors=(403, 404), **_ANYONE)
UPDATE_ANNOTATION = Contract(
    summary="Edit an annotation (its creator only); `tags` left out stay as they are",
    answers={200: ANNOTATION_ANSWER}, body=ANNOTATION, params=_AID, errors=(403, 404),
    examples={"request": {**_ANNOTATION_REQUEST, "tags": []}}, **_SIGNED_IN)
DELETE_ANNOTATION = Contract(summary="Soft-delete an annotation (its creator only)", answers={200: NOTHING},
                             params=_AID, errors=(403, 404), **_SIGNED_IN)
COMMENTS = Contract(summary="An annotation's comments", answers={200: _answer(_many("Comment"))}, params=_AID,
                    errors=(403, 404), **_ANYONE)
CREATE_COMMENT = Contract(
    summary="Comment on an annotation (members only)", answers={201: COMMENT_ANSWER}, body=COMMENT, params=_AID,
    errors=(403, 404, 409), examples={"request": {"content": "The content of the comment"},
                                      "response": _ok({**_COMMENT_EXAMPLE, "parent_id": None})}, **_SIGNED_IN)
SHOW_COMMENT = Contract(summary="A comment", answers={200: COMMENT_ANSWER}, params=_CID, errors=(400, 403, 404),
                        **_ANYONE)
REPLY = Contract(summary="Reply to a comment (members only)", answers={201: COMMENT_ANSWER}, body=COMMENT,
                 params=_CID, errors=(403, 404, 409), examples={"response": _ok(_COMMENT_EXAMPLE)}, **_SIGNED_IN)
UPDATE_COMMENT = Contract(summary="Edit a comment (its creator only)", answers={200: COMMENT_ANSWER}, body=COMMENT,
                          params=_CID, errors=(403, 404), **_SIGNED_IN)
DELETE_COMMENT = Contract(summary="Soft-delete a comment (its creator only)", answers={204: None}, params=_CID,
                          errors=(400, 403, 404), **_SIGNED_IN)
