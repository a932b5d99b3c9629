"""The nearby routes' contracts: what each takes and answers, as JSON Schema. A request's checks run in the
order of the properties declared; errors.invalid picks the one code the document answers."""
from typing import Any

from chalicelib.core.contracts import BARE_TOKEN, BEARER, NOT_BLANK, SAFE_INT, Contract
from chalicelib.geo.cells import MAX_RADIUS_M, MIN_RADIUS_M
from chalicelib.nearby import index

MESSAGE_MAX, RECEIVERS_MAX = 1000, 50
MISSING, LOCATION, RADIUS = "REQUIRED_FIELD_MISSING", "INVALID_LOCATION", "INVALID_RADIUS"
SECURITY = (BARE_TOKEN, BEARER)  # the document sends the bare token in Authorization; `Bearer <token>` works too
NOT_NULL = {"not": {"type": "null"}}  # first: null is a missing field, as an absent one is


def _range(kind: str, low: float, high: float, code: str, absent: dict[str, Any] = NOT_NULL) -> dict[str, Any]:
    return {**absent, "type": kind, "minimum": low, "maximum": high,
            "x-errors": {"required": MISSING, "not": MISSING, "type": code, "minimum": code, "maximum": code}}


USER_ID = {"type": "integer", "minimum": 1, "maximum": SAFE_INT}
CIRCLE = {
    **NOT_NULL, "type": "object", "required": ["lat", "lon", "radius"],
    "properties": {"lat": _range("number", -90, 90, LOCATION), "lon": _range("number", -180, 180, LOCATION),
                   "radius": _range("number", MIN_RADIUS_M, MAX_RADIUS_M, RADIUS)},
    "x-errors": {"required": MISSING, "not": MISSING, "type": LOCATION},
}
NEW_REQUEST = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "pattern": NOT_BLANK, "maxLength": MESSAGE_MAX,
                    "x-errors": {"required": MISSING, "type": MISSING, "pattern": MISSING,
                                 "maxLength": "MESSAGE_TOO_LONG"}},
        "override": {"type": "boolean", "default": False, "x-errors": {"type": "INVALID_OVERRIDE"}},
        "receiverUI": {"anyOf": [{"type": "null"}, USER_ID,
                                 {"type": "array", "items": USER_ID, "minItems": 1, "maxItems": RECEIVERS_MAX}],
                       "description": "A direct request's receivers: a userId or a list of them.",
                       "x-errors": {"anyOf": "INVALID_RECEIVERS"}},
        "location": {"description": "A map request's circle {lat, lon, radius (m)}: required, and read, only when "
                                    "receiverUI is absent."},
    },
    "if": {"properties": {"receiverUI": {"type": "null"}}},
    "then": {"required": ["location"], "properties": {"location": CIRCLE}},
}
# A response's `type`: 0 a photo, 1 a video.
RESPONSE_TYPE = {**NOT_NULL, "type": "integer", "enum": [0, 1],
                 "x-errors": {"required": MISSING, "not": MISSING, "type": "INVALID_RESPONSE_TYPE",
                              "enum": "INVALID_RESPONSE_TYPE"}}
NOT_ALLOWED = "RESPONSE_MEDIA_TYPE_NOT_ALLOWED"

_PERSON = {"type": "object", "required": ["userId", "userName", "userAvatar"], "properties": {
    "userId": {"type": ["integer", "null"]}, "userName": {"type": ["string", "null"]},
    "userAvatar": {"type": ["string", "null"]}}}
_TIME = {"type": "string", "format": "date-time"}
DEFS = {
    "NearbyPerson": _PERSON,
    "NearbyDiscoverResponse": {"type": "object", "required": ["type", "badge", "cardId", "media"], "properties": {
        "type": {"enum": [0, 1]}, "badge": {"type": ["string", "null"]}, "cardId": {"type": "string"},
        "media": {"type": "string"}}},
    "NearbyRequest": {
        "type": "object",
        "required": ["requestId", "message", "start", "end", "requestType", "responseCount", "seen",
                     "discoverResponses", "creator"],
        "properties": {
            "requestId": {"type": "integer"}, "message": {"type": "string"}, "start": _TIME, "end": _TIME,
            "requestType": {"enum": [0, 1], "description": "0 a map request (with location), 1 a direct one"},
            "responseCount": {"type": "integer", "minimum": 0}, "seen": {"type": "boolean"},
            "location": {"type": "object", "required": ["lat", "lon", "radius"], "properties": {
                "lat": {"type": "number"}, "lon": {"type": "number"}, "radius": {"type": "number"}}},
            "receiverUI": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]},
            "discoverResponses": {"type": "array", "maxItems": 3,
                                  "items": {"$ref": "#/$defs/NearbyDiscoverResponse"}},
            "creator": {"$ref": "#/$defs/NearbyPerson"},
        },
    },
    "NearbyResponse": {
        "type": "object",
        "required": ["responseId", "requestId", "type", "cardId", "media", "badge", "responder", "created"],
        "properties": {
            "responseId": {"type": "integer"}, "requestId": {"type": "integer"}, "type": {"enum": [0, 1]},
            "cardId": {"type": "string"}, "media": {"type": "string"}, "badge": {"type": ["string", "null"]},
            "responder": {"$ref": "#/$defs/NearbyPerson"}, "created": _TIME},
    },
}


def _answer(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "$defs": DEFS}


def _list_of(name: str) -> dict[str, Any]:
    return _answer({"type": "array", "items": {"$ref": f"#/$defs/{name}"}})


REQUEST_ID = {"request_id": {"type": "string", "pattern": "^[0-9]{1,15}$"}}
_EXAMPLE_REQUEST = {
    "requestId": 51239, "message": "Can you show me what's happening there?", "start": "2017-03-28T18:45:33.286Z",
    "end": "2017-04-04T18:45:33.286Z", "requestType": 0, "responseCount": 1, "seen": False,
    "location": {"lat": 33.7490, "lon": -84.3884, "radius": 525},
    "discoverResponses": [{"type": 0, "badge": "https://media.ucic.vc/assets/tags/CA.png",
                           "cardId": "F3A0F6F1-E61B-43E0-B78E-9309E0E60A55",
                           "media": "https://media.ucic.vc/media/F3A0F6F1-E61B-43E0-B78E-9309E0E60A55/thumb.jpg"}],
    "creator": {"userId": 39266, "userName": "Billy Jean", "userAvatar":
                "http://staging-media.ucic.vc/media/B94667C1-19A6-4973-9003-9723A36BBF0F/thumb.jpg"},
}


def _on_request(summary: str, answers: dict[int, dict[str, Any] | None], **more: Any) -> Contract:
    """A route about one request (`{request_id}`), which answers 404 REQUEST_NOT_FOUND for one it cannot see."""
    return Contract(summary, answers, params=REQUEST_ID, security=SECURITY, errors=(404, *more.pop("errors", ())),
                    **more)


CREATE = Contract(
    "Create and send a request", {201: {"type": "object", "required": ["Code", "Message"], "properties": {
        "Code": {"const": 0}, "Message": {"type": "string"}}}},
    body=NEW_REQUEST, security=SECURITY,
    description="A map request (location) or a direct request (receiverUI; a location is then ignored). "
                "Errors: REQUIRED_FIELD_MISSING, MESSAGE_TOO_LONG, INVALID_OVERRIDE, INVALID_RECEIVERS, "
                "INVALID_LOCATION, INVALID_RADIUS, RECEIVER_NOT_FOUND, OUTSIDE_REQUEST_HOURS, "
                "MAX_ACTIVE_REQUESTS_EXCEEDED.",
    examples={"request": {"location": {"lat": 33.7490, "lon": -84.3884, "radius": 750},
                          "message": "How are you doing today?", "override": False, "requestType": 1},
              "response": {"Code": 0, "Message": ""}},
    round_trips=2 + max(index.CROWD_ASKS, RECEIVERS_MAX),
    round_trips_why="a map request's cover is refined where the index is crowded: each cell on the circle's "
    "edge is asked how crowded it is (a Query of 16 items, all of a round in parallel; at most 32 in "
    "all, nearby/index.py), so that lookups stay bounded; a direct request finds each receiver by userId (a Query "
    "of the accounts' number index each, in parallel, which no batch can read)")
NEAREST = Contract(
    "Get nearby requests", {200: _list_of("NearbyRequest")}, security=SECURITY,
    query={"lat": _range("number", -90, 90, "INVALID_COORDINATES"),
           "lon": _range("number", -180, 180, "INVALID_COORDINATES")},
    required_query=("lat", "lon"),
    description="The active map requests whose circle holds the point, newest first (at most 25).",
    examples={"response": [_EXAMPLE_REQUEST]},
    round_trips=2 + index.MAX_QUERIES,
    round_trips_why="the point's cell at each of 7 precisions is a Query, the 7 in "
    "parallel, then later pages where hits are still wanted, 12 Queries at most (nearby/index.py); the caller's "
    "account before, and one BatchGetItem of the requests, the seen marks and the creators after")
DIRECT = Contract("Get direct requests", {200: _list_of("NearbyRequest")}, security=SECURITY,
                  description="The active direct requests addressed to the caller, newest first.")
SHOW = _on_request("Get a request by id", {200: _answer({"$ref": "#/$defs/NearbyRequest"})},
                   examples={"response": _EXAMPLE_REQUEST})
MARK_SEEN = _on_request(
    "Update the caller's seen status of a request", {204: None},
    body={"type": "object", "required": ["seen"], "properties": {
        "seen": {"type": "boolean", "x-errors": {"required": "INVALID_SEEN", "type": "INVALID_SEEN"}}}},
    examples={"request": {"seen": True}})
RENEW = _on_request(
    "Renew a request", {200: {"type": "object", "required": ["newEnd"], "properties": {"newEnd": _TIME}}},
    errors=(400, 409), description="The creator moves the request's end to now + 7 days (an expired request "
                                   "becomes active again). Errors: NOT_REQUEST_OWNER, MAX_ACTIVE_REQUESTS_EXCEEDED.",
    examples={"response": {"newEnd": "2017-04-20T16:20:00.000Z"}})
FOLLOW = _on_request("Follow a request", {204: None})
UNFOLLOW = _on_request("Unfollow a request", {204: None})
UPLOAD_FORM = _on_request(
    "Get an upload form for a response's media", {201: {
        "type": "object", "required": ["url", "fields", "key", "expires_in", "max_bytes", "content_types"],
        "properties": {"url": {"type": "string"}, "fields": {"type": "object"}, "key": {"type": "string"},
                       "expires_in": {"type": "integer"}, "max_bytes": {"type": "integer"},
                       "content_types": {"type": "array", "items": {"type": "string"}}}}},
    body={"type": "object", "required": ["type"], "properties": {
        "type": RESPONSE_TYPE,
        "contentType": {"type": ["string", "null"], "description": "The one media type the form then allows",
                        "x-errors": {"type": NOT_ALLOWED}}}},
    examples={"request": {"type": 0, "contentType": "image/jpeg"}})
CREATE_RESPONSE = _on_request(
    "Record a response whose media was uploaded", {201: _answer({"$ref": "#/$defs/NearbyResponse"})},
    body={"type": "object", "required": ["key", "type"], "properties": {
        "key": {"type": "string", "pattern": NOT_BLANK,
                "x-errors": {"required": MISSING, "type": MISSING, "pattern": MISSING}},
        "type": RESPONSE_TYPE}},
    errors=(409,), round_trips=5, round_trips_why="after the caller's account, the request and the write (one "
    "transaction), the request's followers are Queried and their notifications written in one batch: a fan-out")
RESPONSES = _on_request("List a request's responses", {200: _list_of("NearbyResponse")})
NOTIFICATIONS = Contract("The caller's notifications", {200: {"type": "array", "items": {
    "type": "object", "required": ["notificationId", "requestId", "responseId", "created"], "properties": {
        "notificationId": {"type": "string"}, "requestId": {"type": "integer"}, "responseId": {"type": "integer"},
        "created": _TIME}}}}, security=SECURITY)
