"""What the content request document asks of each body and query, checked into its 422 entries.

Each failing param gets one entry, named as the document names it, with the document's sentence."""
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.content_requests.errors import Invalid, invalid
from chalicelib.content_requests.models import CANCELED, MULTI_USE, ONE_TIME, PHOTO, VIDEO
from chalicelib.core import clock
from chalicelib.core.fields import is_int
from chalicelib.core.pagination import Page

MISSING = "Missing parameter"
STRING, HASH, INTEGER = "Must be a String", "Must be a Hash", "Must be a Integer"
ARRAY = "Must be an Array of nested elements"
BLANK = "Must not be blank"

NAME_MAX, RECIPIENT_MAX, PROMPT_MAX, NOTE_MAX, QUERY_MAX = 200, 200, 2000, 2000, 200
FILE_NAME_MAX, FILES_MAX = 255, 50
PER_PAGE, PER_PAGE_MAX = 10, 100
MAX_BYTES = {PHOTO: 50 * 1024 * 1024, VIDEO: 1024 * 1024 * 1024}
# The extensions a file may have, and the one type each is uploaded, stored and served as: raster images and video
# only (storage.RASTER_IMAGE_TYPES, storage.VIDEO_TYPES). Any other extension is refused at the upload form.
CONTENT_TYPES = {
    PHOTO: {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
            "heic": "image/heic", "heif": "image/heif", "webp": "image/webp"},
    VIDEO: {"mp4": "video/mp4", "m4v": "video/x-m4v", "mov": "video/quicktime", "webm": "video/webm",
            "3gp": "video/3gpp"},
}
SORTS = ("created_at", "name", "recipient", "expiration_date")
_DATE = re.compile(r"(\d{4})[/-](\d{2})[/-](\d{2})(T00:00:00(\.000)?Z)?")
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
_ID = re.compile(r"[0-9]{1,15}")
_TOKEN = re.compile(r"[0-9a-f]{16}")
_PENDING = {"true": True, "false": False, "1": True, "0": False}


def one_of(values: tuple) -> str:
    return f"Must be one of: {', '.join(values)}."


class Problems:
    """The failing params of one request, raised together as a 422."""

    def __init__(self):
        self.errors: list[dict] = []

    def add(self, param: str, message: str) -> None:
        self.errors.append({"param": param, "message": message})

    def raise_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def _text(source: dict, key: str, param: str, problems: Problems, *, limit: int, required: bool = True,
          blank_ok: bool = False) -> str | None:
    value = source.get(key)
    if value is None:
        if required:
            problems.add(param, MISSING)
        return None
    if not isinstance(value, str):
        problems.add(param, STRING)
        return None
    if not blank_ok and not value.strip():
        problems.add(param, BLANK)
        return None
    if len(value) > limit:
        problems.add(param, f"Must be at most {limit} characters")
        return None
    return value.strip()


def _choice(source: dict, key: str, param: str, values: tuple, problems: Problems, *,
            required: bool = False) -> str | None:
    value = source.get(key)
    if value is None:
        if required:
            problems.add(param, MISSING)
        return None
    if value not in values:
        problems.add(param, one_of(values))
        return None
    return value


def _hash(body: Any, key: str) -> dict:
    """`body[key]`, which must be a JSON object; otherwise a 422 naming `key`."""
    value = body.get(key) if isinstance(body, dict) else None
    if value is None:
        raise invalid(key, MISSING)
    if not isinstance(value, dict):
        raise invalid(key, HASH)
    return value


def _expiration(source: dict, param: str, problems: Problems, *, required: bool) -> datetime | None:
    """The expiration day (`2022/06/07`, or as the API answers it) as midnight UTC; today or later.

    The document sets no upper bound, so any future day the parser reads is taken, up to 9999/12/31."""
    value = _text(source, "expiration_date", param, problems, limit=40, required=required)
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    try:
        day = date(*(int(part) for part in match.groups()[:3])) if match else None
    except ValueError:
        day = None
    today = clock.now().date()
    if day is None:
        problems.add(param, "Must be a date such as 2022/06/07")
    elif day < today:
        problems.add(param, "Must not be in the past")
    else:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return None


@dataclass(frozen=True)
class NewRequest:
    name: str
    recipient: str
    prompt: str
    expiration_date: datetime
    time_type: str


def new_request(body: Any) -> NewRequest:
    source = _hash(body, "content_request")
    problems = Problems()
    values = NewRequest(
        _text(source, "name", "content_request[name]", problems, limit=NAME_MAX),
        _text(source, "recipient", "content_request[recipient]", problems, limit=RECIPIENT_MAX),
        _text(source, "prompt", "content_request[prompt]", problems, limit=PROMPT_MAX),
        _expiration(source, "content_request[expiration_date]", problems, required=True),
        _choice(source, "time_type", "content_request[time_type]", (ONE_TIME, MULTI_USE), problems) or ONE_TIME)
    problems.raise_any()
    return values


def changes(body: Any) -> dict:
    """The fields a PUT changes (only those given): name, recipient, prompt, expiration_date, status."""
    source = _hash(body, "content_request")
    problems = Problems()
    found = {
        "name": _text(source, "name", "content_request[name]", problems, limit=NAME_MAX, required=False),
        "recipient": _text(source, "recipient", "content_request[recipient]", problems, limit=RECIPIENT_MAX,
                           required=False),
        "prompt": _text(source, "prompt", "content_request[prompt]", problems, limit=PROMPT_MAX, required=False),
        "expiration_date": _expiration(source, "content_request[expiration_date]", problems, required=False),
        "status": _choice(source, "status", "content_request[status]", (CANCELED,), problems),
    }
    problems.raise_any()
    return {name: value for name, value in found.items() if value is not None}


@dataclass(frozen=True)
class Listing:
    pending: bool
    query: str | None
    sort_by: str
    descending: bool
    page: Page


def _positive(query: dict, name: str, default: int, problems: Problems, maximum: int | None = None) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    if not _ID.fullmatch(value) or int(value) < 1:
        problems.add(name, "Must be a positive integer")
        return default
    return min(int(value), maximum) if maximum else int(value)


def listing(query: dict | None) -> Listing:
    """The list's query: `pending` is required; newest first unless `sort_by`/`sort_to` say otherwise."""
    query = query or {}
    problems = Problems()
    pending = query.get("pending")
    if pending is None:
        problems.add("pending", MISSING)
    elif pending not in _PENDING:
        problems.add("pending", one_of(tuple(_PENDING)))
    text = query.get("query")
    if text is not None and len(text) > QUERY_MAX:
        problems.add("query", f"Must be at most {QUERY_MAX} characters")
    sort_by = _choice(query, "sort_by", "sort_by", SORTS, problems)
    sort_to = _choice(query, "sort_to", "sort_to", ("asc", "desc"), problems)
    window = _page(query, problems)
    problems.raise_any()
    descending = sort_to == "desc" if sort_to else sort_by is None  # newest first by default
    return Listing(_PENDING[pending], (text or "").strip().lower() or None, sort_by or "created_at",
                   descending, window)


def _page(query: dict, problems: Problems) -> Page:
    return Page(_positive(query, "page", 1, problems), _positive(query, "per_page", PER_PAGE, problems, PER_PAGE_MAX))


def page(query: dict | None) -> Page:
    """The `page` and `per_page` of a listing (10 a page by default, at most 100)."""
    problems = Problems()
    window = _page(query or {}, problems)
    problems.raise_any()
    return window


def request_id(value: str) -> int:
    if not _ID.fullmatch(value):
        raise invalid("id", INTEGER)
    return int(value)


def is_id(value: str) -> bool:
    """A request's id: at most 15 digits. Any other path segment is read as a link's token."""
    return bool(_ID.fullmatch(value))


def is_token(value: str) -> bool:
    """Tokens are 16 hex digits and ids at most 15 digits, so one path segment is never both."""
    return bool(_TOKEN.fullmatch(value))


def _size(source: dict, param: str, problems: Problems) -> int | None:
    value = source.get("size")
    if value is None:
        problems.add(param, MISSING)
    elif not is_int(value):
        problems.add(param, INTEGER)
    elif value < 1:
        problems.add(param, "Must be at least 1")
    else:
        return value
    return None


def _extension(source: dict, param: str, problems: Problems) -> str | None:
    value = _text(source, "format_type", param, problems, limit=FILE_NAME_MAX)
    if value is None:
        return None
    extension = value.lower().lstrip(".")
    if not _EXTENSION.fullmatch(extension):
        problems.add(param, "Must be a file extension such as png or mp4")
        return None
    return extension


@dataclass(frozen=True)
class Upload:
    """A file the recipient is about to upload: what the form allows."""

    name: str
    format_type: str
    media_type: str
    size: int


def upload(body: Any) -> Upload:
    if not isinstance(body, dict):
        raise invalid("body", HASH)
    problems = Problems()
    values = Upload(_text(body, "name", "name", problems, limit=FILE_NAME_MAX),
                    _extension(body, "format_type", problems),
                    _choice(body, "media_type", "media_type", (PHOTO, VIDEO), problems, required=True),
                    _size(body, "size", problems))
    if values.media_type and values.size and values.size > MAX_BYTES[values.media_type]:
        problems.add("size", f"Must be at most {MAX_BYTES[values.media_type]} for a {values.media_type}")
    if values.media_type and values.format_type and values.format_type not in CONTENT_TYPES[values.media_type]:
        problems.add("format_type", one_of(tuple(CONTENT_TYPES[values.media_type])))
    problems.raise_any()
    return values


@dataclass(frozen=True)
class SentFile:
    """A file named in a completion: its key, and what the recipient says of it."""

    s3_key: str
    name: str
    format_type: str
    media_type: str
    size: int
    note: str | None


def media_files(body: Any) -> list[SentFile]:
    files = body.get("media_files") if isinstance(body, dict) else None
    if files is None:
        raise invalid("media_files", MISSING)
    if not isinstance(files, list):
        raise invalid("media_files", ARRAY)
    if not files:
        raise invalid("media_files", "Must not be empty")
    if len(files) > FILES_MAX:
        raise invalid("media_files", f"Must hold at most {FILES_MAX} files")
    problems = Problems()
    sent = [_sent_file(entry, f"media_files[{index}]", problems) for index, entry in enumerate(files)]
    keys = [entry.s3_key if entry else None for entry in sent]
    for index, key in enumerate(keys):
        if key is not None and key in keys[:index]:
            problems.add(f"media_files[{index}][s3_key]", "Is listed twice")
    problems.raise_any()
    return sent


def _sent_file(entry: Any, param: str, problems: Problems) -> SentFile | None:
    if not isinstance(entry, dict):
        problems.add(param, HASH)
        return None
    return SentFile(_text(entry, "s3_key", f"{param}[s3_key]", problems, limit=1024),
                    _text(entry, "name", f"{param}[name]", problems, limit=FILE_NAME_MAX),
                    _extension(entry, f"{param}[format_type]", problems),
                    _choice(entry, "media_type", f"{param}[media_type]", (PHOTO, VIDEO), problems, required=True),
                    _size(entry, f"{param}[size]", problems),
                    _text(entry, "note", f"{param}[note]", problems, limit=NOTE_MAX, required=False,
                          blank_ok=True) or None)
