"""The coaching document's schemas as JSON Schema, and each route's contract. A field's schema names the message
of each keyword it may fail in `x-errors` (`errors.invalid` turns failures into `{field, message}`); `default`
is what null (or, on a create, nothing) becomes. What no schema can say (a time's calendar, a phone number's
normal form) the services check and do (`coercions`, `users.phone_number`)."""
import copy
from typing import Any

from chalicelib.coaching import models
from chalicelib.core import clock
from chalicelib.core.contracts import BEARER, ECHOED, NOT_BLANK, SAFE_INT, Contract

TEXT_MAX, LIST_MAX = 5000, 100
ISO = "must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z"
UNKNOWN = "is not a field of this record"


def _says(message: str, *keywords: str) -> dict[str, Any]:
    return {"x-errors": dict.fromkeys(keywords, message)}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, or null."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, whose null is refused first ("must not be null"; in a nested object, "must have")."""
    return {"not": {"type": "null"}, **schema}


TEXT: dict[str, Any] = {"type": "string", "maxLength": TEXT_MAX, "x-errors": {
    "type": "must be a string", "maxLength": f"must be at most {TEXT_MAX} characters"}}
# Text that a NOT NULL column would not want empty (stored trimmed).
NAME = {**TEXT, "pattern": NOT_BLANK, "x-errors": {**TEXT["x-errors"], "pattern": "must not be blank"}}
INTEGER = {"type": "integer", "minimum": -SAFE_INT, "maximum": SAFE_INT,
           **_says("must be an integer", "type", "minimum", "maximum")}
# A foreign id (the service checks that it exists).
REFERENCE = {"type": "integer", "minimum": 1, "maximum": SAFE_INT,
             **_says("must be the id of an existing record", "type", "minimum", "maximum")}
EMAIL = {"type": "string", "maxLength": 254, "pattern": r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
         **_says("must be an email address", "type", "maxLength", "pattern")}
# 10 digits (any punctuation; stored as +1 and the digits), or + and 7 to 15 digits (stored as + and the digits).
PHONE = {"type": "string",
         "pattern": r"^(?!\s*\+)\D*(?:\d\D*){10}$|^\s*\+(?=(?:\D*\d){7,15}\D*$)[\d\s().-]+$",
         "x-errors": {"type": "must be a string",
                      "pattern": "must be a phone number: 10 digits, or + and the country code"}}
SMS_NUMBER = {"type": "string", "maxLength": 12, "pattern": r"^\+1\d{10}$",
              **_says("must fit the format +15555555555", "type", "maxLength", "pattern")}
# An ISO 8601 time (a date alone is midnight UTC); its calendar is checked where it is read (`coercions`).
MOMENT = {"type": "string", "description": "ISO 8601, e.g. 2018-08-08T00:00:00.000Z", **_says(ISO, "type")}
TEXTS = {"type": "array", "maxItems": LIST_MAX, "items": TEXT,
         **_says(f"must be an array of at most {LIST_MAX} strings", "type", "maxItems")}
EPOCH_MS = {"type": "integer", "minimum": 0, "exclusiveMaximum": clock.to_millis(clock.LATEST),
            **_says("must be a time in epoch milliseconds", "type", "minimum", "exclusiveMaximum")}
DAYS = {"type": "integer", "minimum": 1, "maximum": 3650,
        **_says("must be a number of days from 1 to 3650", "type", "minimum", "maximum")}


def one_of(values: tuple[Any, ...]) -> dict[str, Any]:
    return {"enum": list(values), **_says(f"must be one of: {', '.join(values)}", "enum")}


def _entry(keys: dict[str, dict[str, Any]], required: tuple[Any, ...]) -> dict[str, Any]:
    """A nested object: a key missing or null is "must have KEY"; other keys are let through, not stored."""
    return {"type": "object", "required": list(required),
            "properties": {key: _not_null(schema) if key in required else _nullable(schema)
                           for key, schema in keys.items()},
            **_says(f"must be an object with {', '.join(keys)}", "type")}


def _entries(entry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "maxItems": LIST_MAX, "items": entry,
            **_says(f"must be an array of at most {LIST_MAX} objects", "type", "maxItems")}


CHECKIN = _entry({"topic": TEXT, "message": TEXT, "time": EPOCH_MS}, ("time",))
STEP = _entry({"task_id": REFERENCE, "text": TEXT}, ("text",))
# `{frequency, duration}` in days; `{}` (the schema's default) or `[]` means not recurring.
RECURRING = {"type": ["object", "array"], "maxItems": 0,
             "properties": {key: _not_null(DAYS) for key in ("frequency", "duration")},
             "if": {"minProperties": 1}, "then": {"required": ["frequency", "duration"]},
             **_says("must be an object with frequency, duration", "type", "maxItems")}
# The keys of nested objects, in the order their failures are told.
NESTED_KEYS = (*CHECKIN["properties"], *STEP["properties"], *RECURRING["properties"])

# Fields the API sets itself: sent back (a client PUTs what it read), they are ignored.
READ_ONLY = dict.fromkeys(("id", "created_at", "updated_at"), ECHOED)


def _field(schema: dict[str, Any], *, required: bool = False, default: Any = None,
           not_null: bool = False) -> dict[str, Any]:
    """A record's field: `required` on create; null is its `default`; `not_null` refuses null on update only
    (NOT NULL with a default the service gives on create)."""
    return {**schema, "x-required": required, "x-not-null": not_null,
            **({} if default is None else {"default": default})}


def _record(title: str, fields: dict[str, dict[str, Any]], *, partial: bool) -> dict[str, Any]:
    """The body of a create (`partial` False) or of an update: an object of the fields, none unknown."""
    properties = {}
    for key, spec in fields.items():
        schema = {k: v for k, v in spec.items() if k not in ("x-required", "x-not-null")}
        refuse_null = "default" not in spec and (spec["x-required"] or (partial and spec["x-not-null"]))
        properties[key] = _not_null(schema) if refuse_null else _nullable(schema)
    return {"title": title, "type": "object", "properties": {**properties, **READ_ONLY},
            "required": [] if partial else [key for key, spec in fields.items() if spec["x-required"]],
            "additionalProperties": {"not": {}, **_says(UNKNOWN, "not")},
            **_says("must be a JSON object", "type")}


USER_FIELDS = {
    "first_name": _field(NAME, required=True),
    "last_name": _field(NAME, required=True),
    "email": _field(EMAIL, required=True),
    "phone": _field(PHONE),
    "coach_id": _field(REFERENCE),
    "org_id": _field(REFERENCE, required=True),
    "color": _field(TEXT),
    "goals": _field(TEXTS, default=[]),
    "status": _field(one_of(models.USER_STATUSES), default="WORKING"),
    "type": _field(one_of(models.USER_TYPES), required=True),
    "platform": _field(one_of(models.PLATFORMS), default="SMS"),
    "image": _field(TEXT),
    "follow_up_date": _field(MOMENT),
    "plan_url": _field(TEXT),
    "checkin_times": _field(_entries(CHECKIN), default=[]),
    "topic": _field(TEXT),
    "fb_id": _field(TEXT),
    "temp_help_response": _field(TEXT),
    "auth0_id": _field(TEXT),
}
# On /api/clients and /api/coaches the route gives the type: a create may leave it out.
TYPED_USER_FIELDS = {**USER_FIELDS, "type": _field(one_of(models.USER_TYPES), not_null=True)}
ORG_FIELDS = {"name": _field(NAME, required=True), "sms_number": _field(SMS_NUMBER, required=True),
              "logo": _field(TEXT)}
TASK_FIELDS = {
    "title": _field(NAME, required=True),
    "category": _field(NAME, required=True),
    "description": _field(TEXT),
    "status": _field(one_of(models.TASK_STATUSES), default="ACTIVE"),
    "created_by": _field(REFERENCE),
    "user_id": _field(REFERENCE, required=True),
    "difficulty": _field(one_of(models.DIFFICULTIES)),
    "date_assigned": _field(MOMENT, required=True),
    "date_created": _field(MOMENT, not_null=True),  # NOT NULL, DEFAULT today (given by the service)
    "date_completed": _field(MOMENT),
    "recurring": _field(RECURRING),
    "steps": _field(_entries(STEP), default=[]),
    "order": _field(INTEGER),
    "original_task_id": _field(REFERENCE),
}
MEDIA_FIELDS = {
    "task_id": _field(REFERENCE),
    "title": _field(NAME, required=True),
    "category": _field(NAME, required=True),
    "description": _field(TEXT),
    "url": _field(TEXT),
    "image": _field(TEXT),
    "published_by": _field(INTEGER, default=-1),
    "type": _field(one_of(models.MEDIA_TYPES)),
}
MESSAGE_FIELDS = {
    "text": _field(NAME, required=True),
    "to_user": _field(REFERENCE, required=True),
    "from_user": _field(REFERENCE, required=True),
    "media_id": _field(REFERENCE),
    "request_id": _field(REFERENCE),
    "timestamp": _field(MOMENT, not_null=True),  # NOT NULL, DEFAULT now (given by the service)
    "responses": _field(TEXTS),
    "topic": _field(TEXT),
}
REQUEST_FIELDS = {
    "status": _field(one_of(models.REQUEST_STATUSES), default="NEEDS_ASSISTANCE"),
    "user_id": _field(REFERENCE, required=True),
    "task_id": _field(REFERENCE, required=True),
}


def values(body: dict[str, Any], schema: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """A checked body's fields as a service takes them: read-only ones dropped, null as the field's default,
    and on a create every field (one not given as its default, or None)."""
    fields = {key: spec for key, spec in schema["properties"].items() if not spec.get("x-echoed")}
    given = {key: copy.deepcopy(fields[key].get("default")) if value is None else value
             for key, value in body.items() if key in fields}
    if partial:
        return given
    return {**{key: copy.deepcopy(spec.get("default")) for key, spec in fields.items()}, **given}


# --- answers (shapes.py) ---

STRING, INT = {"type": "string"}, {"type": "integer"}
OPT_STRING, OPT_INT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
OPT_TIME = {"type": ["string", "null"], "format": "date-time"}


def _answer(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"$defs": {name: {"type": "object", "required": list(properties), "properties": properties}},
            "$ref": f"#/$defs/{name}"}


def _many(answer: dict[str, Any]) -> dict[str, Any]:
    return {"$defs": answer["$defs"], "type": "array", "items": {"$ref": answer["$ref"]}}


USER = _answer("CoachingUser", {
    "id": INT, "first_name": STRING, "last_name": STRING, "email": STRING, "phone": OPT_STRING,
    "coach_id": OPT_INT, "org_id": INT, "color": OPT_STRING, "goals": {"type": "array", "items": STRING},
    "status": STRING, "type": STRING, "created_at": OPT_TIME, "updated_at": OPT_TIME, "platform": STRING,
    "image": OPT_STRING, "follow_up_date": OPT_TIME, "plan_url": OPT_STRING,
    "checkin_times": {"type": "array", "items": {"type": "object", "required": ["topic", "message", "time"],
                                                 "properties": {"topic": OPT_STRING, "message": OPT_STRING,
                                                                "time": INT}}},
    "topic": OPT_STRING, "fb_id": OPT_STRING, "temp_help_response": OPT_STRING, "auth0_id": OPT_STRING})
ORG = _answer("CoachingOrg", {"id": INT, "name": STRING, "sms_number": STRING, "logo": OPT_STRING})
TASK = _answer("CoachingTask", {
    "id": INT, "title": STRING, "category": STRING, "description": OPT_STRING, "status": OPT_STRING,
    "created_by": OPT_INT, "user_id": OPT_INT, "difficulty": OPT_STRING, "date_created": OPT_TIME,
    "date_completed": OPT_TIME, "date_assigned": OPT_TIME,
    "recurring": {"type": "object", "description": "{} when not recurring",
                  "properties": {"frequency": INT, "duration": INT}},
    "steps": {"type": "array", "items": {"type": "object", "required": ["task_id", "text"],
                                         "properties": {"task_id": OPT_INT, "text": STRING}}},
    "order": OPT_INT, "original_task_id": OPT_INT})
MEDIA = _answer("CoachingMedia", {
    "id": INT, "task_id": OPT_INT, "title": STRING, "category": STRING, "description": OPT_STRING,
    "url": OPT_STRING, "image": OPT_STRING, "published_by": INT, "type": OPT_STRING})
MESSAGE = _answer("CoachingMessage", {
    "id": INT, "text": STRING, "to_user": INT, "from_user": INT, "media_id": OPT_INT, "request_id": OPT_INT,
    "timestamp": OPT_TIME, "responses": {"type": ["array", "null"], "items": STRING}, "topic": OPT_STRING})
VIEWED_MEDIA = _answer("CoachingViewedMedia", {"id": INT, "client_id": INT, "media_id": INT})
REQUEST = _answer("CoachingRequest", {
    "id": INT, "status": OPT_STRING, "user_id": INT, "task_id": INT, "created_at": OPT_TIME,
    "updated_at": OPT_TIME})
DELETED = {"type": "object", "required": ["deleted"], "properties": {"deleted": {"const": 1}}}

# --- the document's examples ---

EXAMPLES: dict[str, dict[str, Any]] = {
    "org": {"id": 3, "name": "IDEO.org", "sms_number": "+15555555555", "logo": "https://url_to_logo.png"},
    "user": {"id": 111, "first_name": "MC", "last_name": "Hammer", "email": "mc@hammer.net", "phone": "+15555555",
             "coach_id": 222, "org_id": 73, "color": None, "goals": ["Increase credit score to a minimum of 650"],
             "status": "WORKING", "type": "Coach", "created_at": "2018-07-31T15:46:26.306Z",
             "updated_at": "2018-08-01T13:41:41.332Z", "platform": "SMS", "image": None,
             "follow_up_date": "2018-09-19T16:13:08.550Z", "plan_url": None,
             "checkin_times": [{"topic": "introtask", "message": "startprompt", "time": 1536847200042}],
             "topic": "introtask", "fb_id": None, "temp_help_response": None, "auth0_id": None},
    "task": {"id": 918, "title": "Work on developing your small business", "category": "custom",
             "description": "There is a lot that goes into owning and operating a small business",
             "status": "ACTIVE", "created_by": 67, "user_id": 941, "difficulty": None,
             "date_created": "2018-08-08T00:00:00.000Z", "date_completed": None,
             "date_assigned": "2018-08-08T00:00:00.000Z", "recurring": {"frequency": 1, "duration": 30},
             "steps": [{"task_id": None, "text": "Call the Small Business Development Center 651.259.7423 to set "
                                                 "up a free appointment."},
                       {"task_id": None, "text": "Ask specifically about doing a Profit/Loss sheet as well as "
                                                 "learning about taxes."}],
             "order": 2, "original_task_id": None},
    "media": {"id": 46, "task_id": None, "title": "Allene's Story", "category": "STORY",
              "description": "Check out Allene's story and learn how financial coaching helped her.",
              "url": "https://...", "image": "https://s3.amazonaws...", "published_by": 3, "type": "STORY"},
    "message": {"id": 7630, "text": "Here's something inspiring to check out between being a superstar and "
                                    "knocking out all your action items:",
                "to_user": 280, "from_user": 41, "media_id": None, "request_id": None,
                "timestamp": "2018-07-22T14:55:53.564Z", "responses": None, "topic": "checkin"},
    "viewed_media": {"id": 174, "client_id": 297, "media_id": 44},
    "request": {"id": 52, "status": "REPLIED", "user_id": 203, "task_id": 377,
                "created_at": "2018-06-30T23:39:33.230Z", "updated_at": "2018-07-18T15:49:42.882Z"},
}

# --- contracts ---

ID = {"type": "string", "pattern": "^[0-9]{1,15}$", "description": "a record's id (other text: 404)"}


def _contract(summary: str, answers: dict[int, dict[str, Any] | None], **options: Any) -> Contract:
    return Contract(summary=summary, answers=answers, security=(BEARER,), **options)


def crud(path: str, what: str, fields: dict[str, Any], answer: dict[str, Any], *,
         update: bool = True) -> dict[str, Contract]:
    """The contracts of a collection's routes (`index`, `create`, `show`, `update`, `delete`) for records
    `what` of `fields`, answered as `answer`."""
    example = EXAMPLES[what]
    request = {key: value for key, value in example.items() if key not in READ_ONLY}
    doc = {"description": f"`/api{path}`: the document's {what} controller."}
    one: dict[str, Any] = {"params": {"id": ID}, **doc}
    contracts = {
        "index": _contract(f"List the {what} records the caller sees", {200: _many(answer)}, errors=(403,), **doc),
        "create": _contract(f"Create a {what}", {201: answer}, body=_record(f"New {what}", fields, partial=False),
                            errors=(403, 409), examples={"request": request, "response": example}, **doc),
        "show": _contract(f"Get a {what}", {200: answer}, errors=(403, 404), examples={"response": example},
                          **one),
        "delete": _contract(f"Delete a {what}", {200: DELETED}, errors=(403, 404, 409), **one),
    }
    if update:
        contracts["update"] = _contract(f"Change the given fields of a {what}", {200: answer},
                                        body=_record(f"Changed {what}", fields, partial=True),
                                        errors=(403, 404, 409), examples={"response": example}, **one)
    return contracts


TASK_CHANGES = _record("Changed task", TASK_FIELDS, partial=True)
BULK_ENTRY = {**TASK_CHANGES, "title": "Changed task with its id", "required": ["id"],
              "properties": {**TASK_CHANGES["properties"], "id": {
                  **REFERENCE, "x-errors": dict.fromkeys(("type", "minimum", "maximum", "required"),
                                                         "must be the id of an existing record")}},
              **_says("must be the id of an existing record", "type")}
TASKS_UPDATE_MANY = _contract(
    "Change many tasks at once, all or none", {200: _many(TASK)},
    body={"type": "array", "items": BULK_ENTRY, "description": "1 to 100 tasks, each once",
          **_says("must be an array of records, each with its id", "type")},
    errors=(403, 409), examples={"request": [{"id": 918, "order": 1}], "response": [EXAMPLES["task"]]})
CLIENT_RECORDS = {name: _contract(f"The {name.replace('_', ' ')} of a client", {200: _many(answer)},
                                  errors=(403, 404), params={"id": ID})
                  for name, answer in (("tasks", TASK), ("messages", MESSAGE), ("viewed_media", MEDIA),
                                       ("requests", REQUEST))}
_VIEW = {"params": {"id": ID, "media_id": ID}, "errors": (403, 404, 409)}
MARK_VIEWED = _contract("Record that a client was sent a media (200: it was already)",
                        {201: VIEWED_MEDIA, 200: VIEWED_MEDIA}, examples={"response": EXAMPLES["viewed_media"]},
                        **_VIEW)
UNMARK_VIEWED = _contract("Forget that a client was sent a media", {200: DELETED}, **_VIEW)
