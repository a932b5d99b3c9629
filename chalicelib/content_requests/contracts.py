"""The content request routes' contracts: each body, query and answer as JSON Schema, with the document's
sentence for each failing keyword (`x-errors`; `x-param` names the param a body that is not an object fails as).

The document treats a null field as a missing one, so a field it requires is `not: null` (answered "Missing
parameter"), not merely of its type. What no schema can say is the service's: an expiration day that is a real
day and not past (requests.expiration_day), an s3_key listed twice (media.listed_twice), and a size written as a
whole number with a fraction (64.0, which JSON Schema counts as an integer); their refusals join the contract's
in one 422 (`_checked`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalicelib.content_requests import fields
from chalicelib.content_requests.errors import Invalid
from chalicelib.content_requests.models import CANCELED, MULTI_USE, ONE_TIME, PHOTO, VIDEO
from chalicelib.core import contracts as core
from chalicelib.core.contracts import AUTHENTICATION, BEARER, NOT_BLANK, SAFE_INT, Contract, Failure
from chalicelib.core.imports import deferred

if TYPE_CHECKING:
    from chalicelib.content_requests import media, requests
else:  # the rules past the schemas, imported on a request's first use (core/imports.py)
    media, requests = deferred("chalicelib.content_requests", "media requests")

MISSING, STRING, HASH, INTEGER = "Missing parameter", "Must be a String", "Must be a Hash", "Must be a Integer"
ARRAY, BLANK, POSITIVE = "Must be an Array of nested elements", "Must not be blank", "Must be a positive integer"
NOT_NULL = {"type": "null"}
OWNER = (AUTHENTICATION, BEARER)
# A request's id in the path: at most 15 digits (anything else there is 422 naming `id`).
ID = {"token_or_id": {"type": "string", "pattern": "^[0-9]{1,15}$", "description": "The request's id"}}
TOKEN = {"token_or_id": {"type": "string", "description": "The token of the request's link"}}


def one_of(values: Any) -> str:
    return f"Must be one of: {', '.join(values)}."


def text(limit: int, *, required: bool = True, blank_ok: bool = False, **more: Any) -> dict[str, Any]:
    """A string of at most `limit` characters, not blank unless `blank_ok`; null is missing when `required`."""
    schema: dict[str, Any] = {"x-errors": {"required": MISSING, "not": MISSING, "type": STRING, "pattern": BLANK,
                           "maxLength": f"Must be at most {limit} characters"}}
    schema |= {"not": NOT_NULL} if required else {}
    schema |= {"type": ["string", "null"]} | ({} if blank_ok else {"pattern": NOT_BLANK})
    return schema | {"maxLength": limit} | more


def choice(values: tuple[Any, ...], *, required: bool = False) -> dict[str, Any]:
    return {"x-errors": {"required": MISSING, "not": MISSING, "enum": one_of(values)},
            **({"not": NOT_NULL} if required else {}), "enum": [*values, None]}


def _any_case(word: str) -> str:
    return "".join(f"[{char}{char.upper()}]" if char.isalpha() else char for char in word)


def extension_of(extensions: Any) -> str:
    """A pattern for a file extension among `extensions`, in any case, after any dots (`.PNG`)."""
    return rf"^\s*\.*(?:{'|'.join(_any_case(name) for name in extensions)})\s*$"


def day(*, required: bool) -> dict[str, Any]:
    return text(fields.DAY_MAX, required=required,
                allOf=[{"pattern": rf"^\s*{fields.DAY.pattern}\s*$", "x-errors": {"pattern": fields.NO_DAY}}],
                description="A day, today or later: 2022/06/07 (or 2022-06-07, or as the API answers it)",
                examples=["2022/06/07"])


# Its lower case is in a-z and 0-9 (as is that of the Kelvin sign, K).
EXTENSION = text(fields.FILE_NAME_MAX, allOf=[{"pattern": r"^\s*\.*[A-Za-z0-9\u212a]{1,10}\s*$", "x-errors": {
    "pattern": "Must be a file extension such as png or mp4"}}], description="The file's extension, such as png")
MEDIA_TYPE = choice((PHOTO, VIDEO), required=True)
SIZE = {"x-errors": {"required": MISSING, "not": MISSING, "type": INTEGER, "minimum": "Must be at least 1",
                     "maximum": INTEGER},
        "not": NOT_NULL, "type": ["integer", "null"], "minimum": 1, "maximum": SAFE_INT}


def _request_fields(*, create: bool) -> dict[str, Any]:
    """`content_request`: all of name, recipient, prompt and expiration_date to create; any of them to change."""
    properties = {"name": text(fields.NAME_MAX, required=create),
                  "recipient": text(fields.RECIPIENT_MAX, required=create),
                  "prompt": text(fields.PROMPT_MAX, required=create),
                  "expiration_date": day(required=create),
                  **({"time_type": choice((ONE_TIME, MULTI_USE))} if create else {"status": choice((CANCELED,))})}
    content_request = {"x-errors": {"required": MISSING, "not": MISSING, "type": HASH}, "not": NOT_NULL,
                       "type": ["object", "null"], "properties": properties,
                       "required": [name for name in properties if create and name != "time_type"]}
    return {"type": "object", "x-param": "content_request", "x-errors": {"type": MISSING},
            "properties": {"content_request": content_request}, "required": ["content_request"]}


# Each cap that depends on the media type: a photo's size and extensions, a video's. The document names these
# after every other failure (`x-late`), the size first.
_BY_MEDIA = [{"if": {"properties": {"media_type": {"const": kind}}, "required": ["media_type"]},
              "then": {"properties": {
                  "format_type": {"pattern": extension_of(fields.CONTENT_TYPES[kind]), "x-late": 2,
                                  "x-errors": {"pattern": one_of(fields.CONTENT_TYPES[kind])}},
                  "size": {"maximum": fields.MAX_BYTES[kind], "x-late": 1,
                           "x-errors": {"maximum": f"Must be at most {fields.MAX_BYTES[kind]} for a {kind}"}}}}}
             for kind in (PHOTO, VIDEO)]
UPLOAD_BODY = {"type": "object", "x-errors": {"type": HASH}, "required": ["name", "format_type", "media_type", "size"],
               "properties": {"name": text(fields.FILE_NAME_MAX), "format_type": EXTENSION, "media_type": MEDIA_TYPE,
                              "size": {**SIZE, "description": "The most bytes the form allows"}},
               "allOf": _BY_MEDIA}
SENT_FILE = {"type": "object", "x-errors": {"type": HASH},
             "required": ["s3_key", "name", "format_type", "media_type", "size"],
             "properties": {"s3_key": text(fields.KEY_MAX), "name": text(fields.FILE_NAME_MAX),
                            "format_type": EXTENSION, "media_type": MEDIA_TYPE, "size": SIZE,
                            "note": text(fields.NOTE_MAX, required=False, blank_ok=True)}}
COMPLETE_BODY = {"type": "object", "x-param": "media_files", "x-errors": {"type": MISSING}, "required": ["media_files"],
                 "properties": {"media_files": {
                     "x-errors": {"required": MISSING, "not": MISSING, "type": ARRAY, "minItems": "Must not be empty",
                                  "maxItems": f"Must hold at most {fields.FILES_MAX} files"},
                     "not": NOT_NULL, "type": ["array", "null"], "minItems": 1, "maxItems": fields.FILES_MAX,
                     "items": SENT_FILE}}}

_POSITIVE = {"type": "integer", "minimum": 1, "maximum": 10 ** 15 - 1,
             "x-errors": {"type": POSITIVE, "minimum": POSITIVE, "maximum": POSITIVE}}
PAGE = {"page": {**_POSITIVE, "description": "The page, from 1 (default 1)"},
        "per_page": {**_POSITIVE, "description": f"Items a page (default {fields.PER_PAGE}, at most "
                                                f"{fields.PER_PAGE_MAX})"}}
LISTING: dict[str, dict[str, Any]] = {"pending": {"type": "string", "enum": list(fields.PENDING),
                       "x-errors": {"required": MISSING, "enum": one_of(fields.PENDING)}},
           "query": {"type": "string", "maxLength": fields.QUERY_MAX, "description": "Search name, recipient or prompt",
                     "x-errors": {"maxLength": f"Must be at most {fields.QUERY_MAX} characters"}},
           "sort_by": {"type": "string", "enum": list(fields.SORTS), "x-errors": {"enum": one_of(fields.SORTS)}},
           "sort_to": {"type": "string", "enum": ["asc", "desc"], "x-errors": {"enum": one_of(("asc", "desc"))}},
           **PAGE}

# --- answers ---

CONTENT_REQUEST: dict[str, Any]
CONTENT_REQUEST = {"type": "object", "required": ["id", "name", "recipient", "prompt", "expiration_date", "status",
                                                  "time_type", "link_for_copy", "token"],
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                  "recipient": {"type": "string"}, "prompt": {"type": "string"},
                                  "expiration_date": {"type": "string"},
                                  "status": {"enum": ["pending", "completed", "canceled", "expired"]},
                                  "time_type": {"enum": ["One-Time", "Multi-Use"]},
                                  "link_for_copy": {"type": "string"}, "token": {"type": "string"}}}
USER = {"type": ["object", "null"], "required": ["id", "email", "first_name", "last_name", "avatar_image"],
        "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "first_name": {"type": "string"},
                       "last_name": {"type": "string"}, "avatar_image": {"type": ["string", "null"]}}}
WITH_OWNER = {**CONTENT_REQUEST, "required": [*CONTENT_REQUEST["required"], "user"],
              "properties": {**CONTENT_REQUEST["properties"], "user": USER}}
COUNT = {"type": "object", "required": ["total_count"], "properties": {"total_count": {"type": "integer"}}}
MEDIA_FILE = {"type": "object", "required": ["name", "s3_key", "format_type", "media_type", "size", "note",
                                             "created_at", "url"],
              "properties": {"name": {"type": "string"}, "s3_key": {"type": "string"},
                             "format_type": {"type": "string"}, "media_type": {"enum": [PHOTO, VIDEO]},
                             "size": {"type": "integer"}, "note": {"type": ["string", "null"]},
                             "created_at": {"type": "string"}, "url": {"type": "string"}}}
SUCCESS = {"type": "object", "required": ["success"], "properties": {"success": {"const": True}}}
UPLOAD_FORM = {"type": "object", "required": ["url", "fields", "s3_key", "expires_in"],
               "properties": {"url": {"type": "string"}, "fields": {"type": "object"},
                              "s3_key": {"type": "string"}, "expires_in": {"type": "integer"}}}

# --- the document's examples ---

_SHOWN = {"id": 1, "name": "content_request", "recipient": "content_request", "prompt": "content_request",
          "expiration_date": "2022-06-07T00:00:00.000Z", "status": "pending", "time_type": "One-Time",
          "link_for_copy": "/content_requests/4c38da5893b1f793", "token": "4c38da5893b1f793"}

# --- the routes ---

INDEX = Contract("List content requests", {200: {
    "type": "object", "required": ["content_requests", "meta"],
    "properties": {"content_requests": {"type": "array", "items": CONTENT_REQUEST}, "meta": COUNT}}},
    query=LISTING, required_query=("pending",), security=OWNER, errors=(422,),
    examples={"response": {"content_requests": [_SHOWN], "meta": {"total_count": 1}}})
CREATE = Contract("Create a content request", {201: CONTENT_REQUEST}, body=_request_fields(create=True),
                  security=OWNER, errors=(409, 422),
                  examples={"request": {"content_request": {
                      "name": "content_request", "recipient": "content_request", "prompt": "content_request",
                      "expiration_date": "2022/06/07", "time_type": "one_time"}}, "response": _SHOWN})
SHOW = Contract("Get a content request", {200: WITH_OWNER}, params={"token_or_id": {
    "type": "string", "description": "The link's token (anyone with the link), or the request's id (its owner)"}},
    security=OWNER, optional_auth=True, errors=(404,),
    description="By id (at most 15 digits) for its owner only, signed in; by any other segment, read as the "
                "token of its link, for anyone: an unknown token answers 404.",
    examples={"response": {**_SHOWN, "user": {"id": 1, "email": "kruchina.vadim@gmail.com", "first_name": "Vadim",
                                              "last_name": "Kruchina", "avatar_image": None}}})
UPDATE = Contract("Update a content request", {200: CONTENT_REQUEST}, body=_request_fields(create=False),
                  params=ID, security=OWNER, errors=(404, 409, 422),
                  examples={"request": {"content_request": {
                      "name": "updated_content_request", "recipient": "content_request", "prompt": "content_request",
                      "expiration_date": "2022/07/07", "status": "canceled"}},
                      "response": {**_SHOWN, "name": "updated_content_request", "status": "canceled",
                                   "expiration_date": "2022-07-07T00:00:00.000Z"}})
DESTROY = Contract("Delete a content request", {200: SUCCESS}, params=ID, security=OWNER, errors=(404, 422),
                   examples={"response": {"success": True}})
UPLOAD = Contract("Get an upload form for one file", {201: UPLOAD_FORM}, body=UPLOAD_BODY, params=TOKEN,
                  errors=(404, 409, 422, 429),
                  description="For anyone with the link: a presigned POST for one file of at most `size` bytes.")
COMPLETE = Contract("Complete a content request", {200: SUCCESS}, body=COMPLETE_BODY, params=TOKEN,
                    errors=(404, 409, 422),
                    examples={"request": {"media_files": [{"name": "image", "s3_key": "s3_key", "format_type": "png",
                                                           "media_type": "photo", "size": 53324,
                                                           "note": "SOME NOTES"}]},
                              "response": {"success": True}})
MEDIA_FILES = Contract("List the files sent for a content request", {200: {
    "type": "object", "required": ["media_files", "meta"],
    "properties": {"media_files": {"type": "array", "items": MEDIA_FILE}, "meta": COUNT}}},
    query=PAGE, params=ID, security=OWNER, errors=(404, 422))


# --- the service's rules, in the same 422 as the contract's ---

def _checked(request: Any, rules: Any) -> Any:
    """The route's body, checked by its contract and by the service's `rules(body, passed)`, which give
    (path, message, late) for what no schema says, from the parts the contract did not refuse: one 422 names every
    failure of both, in the document's order (the service's word first where both name a param)."""

    def refine(value: Any, found: list[Failure]) -> list[Failure]:
        refused = {failure.path for failure in found}
        extra = [Failure(path, "x-rule", message, message, {"x-late": late}) for path, message, late in
                 rules(value, lambda *path: not any(path[:end] in refused for end in range(len(path) + 1)))]
        return [*extra, *found]

    return core.body(request, refine)


def _day(value: Any, passed: Any) -> list[Any]:
    given = value["content_request"] if passed("content_request", "expiration_date") else {}
    if given.get("expiration_date") is None:
        return []
    try:
        given["expiration_date"] = requests.expiration_day(given["expiration_date"])
    except Invalid as error:
        return [(("content_request", "expiration_date"), error.message, 0)]
    return []


def content_request(request: Any) -> dict[str, Any]:
    """The body's `content_request`, its expiration day read by the service (a day, today or later)."""
    return cast("dict[str, Any]", _checked(request, _day)["content_request"])


def _files(value: Any, passed: Any) -> list[Any]:
    if not passed("media_files"):
        return []
    keys = [file["s3_key"] if passed("media_files", index, "s3_key") else None
            for index, file in enumerate(value["media_files"])]
    return [(("media_files", index, "s3_key"), media.LISTED_TWICE, 3) for index in media.listed_twice(keys)]


def media_files(request: Any) -> list[media.SentFile]:
    """The files a completion names, each size written as an integer; a key listed twice is named last."""
    return [media.sent_file(entry) for entry in _checked(request, _files)["media_files"]]
