"""What the nearby document asks of each request body and query, checked into its error codes."""
import math
from dataclasses import dataclass

from chalicelib.core.errors import BadRequest
from chalicelib.core.fields import is_int
from chalicelib.geo.cells import MAX_RADIUS_M, MIN_RADIUS_M
from chalicelib.nearby.models import PHOTO, VIDEO

MESSAGE_MAX, RECEIVERS_MAX = 1000, 50


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius: float


@dataclass(frozen=True)
class NewRequest:
    message: str
    circle: Circle | None  # a map request
    receivers: list[int]   # a direct request: the receivers' userIds
    override: bool


def _number(value: object, places: int = 7) -> float | None:
    """A finite number, rounded (7 places of a degree is about 1 cm): this also turns the tiny floats
    that JSON allows but DynamoDB refuses (below 1e-130) into 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return round(float(value), places)


def _valid_point(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


def new_request(body: dict) -> NewRequest:
    message, location, receivers = body.get("message"), body.get("location"), body.get("receiverUI")
    if not isinstance(message, str) or not message.strip() or (location is None and receivers is None):
        raise BadRequest("REQUIRED_FIELD_MISSING", "message, and location or receiverUI, are required")
    if len(message) > MESSAGE_MAX:
        raise BadRequest("MESSAGE_TOO_LONG", f"A message holds at most {MESSAGE_MAX} characters")
    override = body.get("override", False)
    if not isinstance(override, bool):
        raise BadRequest("INVALID_OVERRIDE", "override is true or false")
    if receivers is not None:  # both given: the location is ignored, as documented
        return NewRequest(message.strip(), None, _receivers(receivers), override)
    return NewRequest(message.strip(), _circle(location), [], override)


def _receivers(value: object) -> list[int]:
    ids = value if isinstance(value, list) else [value]
    if not ids or len(ids) > RECEIVERS_MAX or not all(is_int(i) and i > 0 for i in ids):
        raise BadRequest("INVALID_RECEIVERS", f"receiverUI is a userId or a list of 1 to {RECEIVERS_MAX} of them")
    return sorted(set(ids))


def _circle(location: object) -> Circle:
    if not isinstance(location, dict):
        raise BadRequest("INVALID_LOCATION", "location is {lat, lon, radius}")
    # A part that is absent (or null) is a missing field, as a missing location is; INVALID_* is for parts
    # that are present but wrong.
    if any(location.get(part) is None for part in ("lat", "lon", "radius")):
        raise BadRequest("REQUIRED_FIELD_MISSING", "location needs lat, lon and radius")
    lat, lon, radius = _number(location.get("lat")), _number(location.get("lon")), _number(location.get("radius"), 2)
    if not _valid_point(lat, lon):
        raise BadRequest("INVALID_LOCATION", "lat is -90 to 90 and lon -180 to 180")
    if radius is None or not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise BadRequest("INVALID_RADIUS", f"radius is {MIN_RADIUS_M} to {MAX_RADIUS_M} metres")
    return Circle(lat, lon, radius)


def point(query: dict | None) -> tuple[float, float]:
    """`?lat=&lon=` of a nearest query."""
    query = query or {}
    if query.get("lat") in (None, "") or query.get("lon") in (None, ""):
        raise BadRequest("REQUIRED_FIELD_MISSING", "lat and lon are required")
    try:
        lat, lon = _number(float(query["lat"])), _number(float(query["lon"]))
    except ValueError as error:
        raise BadRequest("INVALID_COORDINATES", "lat and lon are numbers") from error
    if not _valid_point(lat, lon):
        raise BadRequest("INVALID_COORDINATES", "lat is -90 to 90 and lon -180 to 180")
    return lat, lon


def seen(body: dict) -> bool:
    if not isinstance(body.get("seen"), bool):
        raise BadRequest("INVALID_SEEN", "seen is true or false")
    return body["seen"]


def response_type(body: dict) -> int:
    """`type` of a response: 0 a photo, 1 a video."""
    kind = body.get("type")
    if kind is None:
        raise BadRequest("REQUIRED_FIELD_MISSING", "type is required")
    if not is_int(kind) or kind not in (PHOTO, VIDEO):
        raise BadRequest("INVALID_RESPONSE_TYPE", "type is 0 (photo) or 1 (video)")
    return kind


def declared_type(body: dict) -> str | None:
    """`contentType` of an upload form request, if given: the one type the form then allows (lowercased)."""
    value = body.get("contentType")
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("RESPONSE_MEDIA_TYPE_NOT_ALLOWED", "contentType is a media type such as image/jpeg")
    return value.strip().lower()


def uploaded_response(body: dict) -> tuple[str, int]:
    """`{"key", "type"}`: the key an upload form gave, and what the media is."""
    key = body.get("key")
    if not isinstance(key, str) or not key.strip():
        raise BadRequest("REQUIRED_FIELD_MISSING", "key is required")
    return key, response_type(body)
