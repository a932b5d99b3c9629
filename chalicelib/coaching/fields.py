"""The coaching document's schemas as field specs: one checker turns a body into stored values or a 400
naming every failing field (NOT NULL, CHECK, wrong type)."""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.coaching import models
from chalicelib.coaching.errors import invalid, not_found
from chalicelib.core import clock
from chalicelib.core.errors import ApiError
from chalicelib.core.fields import is_int

TEXT_MAX, LIST_MAX = 5000, 100


class Bad(ValueError):
    """A value that does not fit its field; the message says why."""


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Bad("must be a string")
    if len(value) > TEXT_MAX:
        raise Bad(f"must be at most {TEXT_MAX} characters")
    return value


def name(value: Any) -> str:
    """Text that a NOT NULL column would not want empty."""
    if not text(value).strip():
        raise Bad("must not be blank")
    return value.strip()


def integer(value: Any) -> int:
    if not is_int(value):
        raise Bad("must be an integer")
    return value


def reference(value: Any) -> int:
    """A foreign id: an integer from 1 (the service checks that it exists)."""
    if not is_int(value) or value < 1:
        raise Bad("must be the id of an existing record")
    return value


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.fullmatch(value.strip()):
        raise Bad("must be an email address")
    return value.strip()


def phone(value: Any) -> str:
    """`+1` and the digits of a 10-digit number (any punctuation); else an international `+` number."""
    if not isinstance(value, str):
        raise Bad("must be a string")
    digits = re.sub(r"\D", "", value)
    if len(digits) == 10 and not value.strip().startswith("+"):
        return f"+1{digits}"
    if value.strip().startswith("+") and 7 <= len(digits) <= 15 and re.fullmatch(r"\+[\d\s().-]+", value.strip()):
        return f"+{digits}"
    raise Bad("must be a phone number: 10 digits, or + and the country code")


def sms_number(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"\+1\d{10}", value):
        raise Bad("must fit the format +15555555555")
    return value


def one_of(values: tuple) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in values:
            raise Bad(f"must be one of: {', '.join(values)}")
        return value

    return check


def texts(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > LIST_MAX:
        raise Bad(f"must be an array of at most {LIST_MAX} strings")
    return [text(item) for item in value]


def moment(value: Any) -> datetime:
    """An ISO 8601 time (a date alone is midnight UTC); stored in UTC."""
    if not isinstance(value, str):
        raise Bad("must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z")
    try:  # also a time UTC cannot hold (9999-12-31T23:59:59-23:59), or outside the years clock.parse_iso takes
        return clock.parse_iso(value)
    except ValueError as error:
        raise Bad("must be an ISO 8601 time such as 2018-08-08T00:00:00.000Z") from error


def day(value: Any) -> datetime:
    """A date column: the day of an ISO 8601 date or time, at midnight UTC."""
    parsed = moment(value)
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)


def _object(value: Any, keys: dict[str, Callable], required: tuple) -> dict:
    if not isinstance(value, dict):
        raise Bad(f"must be an object with {', '.join(keys)}")
    missing = [key for key in required if value.get(key) is None]
    if missing:
        raise Bad(f"must have {', '.join(missing)}")
    checked = {}
    for key, check in keys.items():
        try:
            checked[key] = None if value.get(key) is None else check(value[key])
        except Bad as error:
            raise Bad(f"has a {key} that {error}") from error
    return checked


def _objects(value: Any, keys: dict[str, Callable], required: tuple) -> list[dict]:
    if not isinstance(value, list) or len(value) > LIST_MAX:
        raise Bad(f"must be an array of at most {LIST_MAX} objects")
    return [_object(item, keys, required) for item in value]


def epoch_ms(value: Any) -> int:
    """Milliseconds from 1970 to before LATEST: a larger one overflowed datetime (a 500)."""
    if not is_int(value) or not 0 <= value < clock.to_millis(clock.LATEST):
        raise Bad("must be a time in epoch milliseconds")
    return value


def checkin_times(value: Any) -> list[dict]:
    return _objects(value, {"topic": text, "message": text, "time": epoch_ms}, ("time",))


def days(value: Any) -> int:
    if not is_int(value) or not 1 <= value <= 3650:
        raise Bad("must be a number of days from 1 to 3650")
    return value


def recurring(value: Any) -> dict | None:
    """`{frequency, duration}` in days; `{}` (the schema's default) means not recurring."""
    if value in ({}, []):
        return None
    return _object(value, {"frequency": days, "duration": days}, ("frequency", "duration"))


def steps(value: Any) -> list[dict]:
    return _objects(value, {"task_id": reference, "text": text}, ("text",))


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any]
    required: bool = False  # a create must give it
    default: Any = None  # what null (or nothing, on create) becomes
    nullable: bool = True  # False: NOT NULL with a default given on create, so an update may not null it


USER = {
    "first_name": Field(name, required=True),
    "last_name": Field(name, required=True),
    "email": Field(email, required=True),
    "phone": Field(phone),
    "coach_id": Field(reference),
    "org_id": Field(reference, required=True),
    "color": Field(text),
    "goals": Field(texts, default=[]),
    "status": Field(one_of(models.USER_STATUSES), default="WORKING"),
    "type": Field(one_of(models.USER_TYPES), required=True),
    "platform": Field(one_of(models.PLATFORMS), default="SMS"),
    "image": Field(text),
    "follow_up_date": Field(moment),
    "plan_url": Field(text),
    "checkin_times": Field(checkin_times, default=[]),
    "topic": Field(text),
    "fb_id": Field(text),
    "temp_help_response": Field(text),
    "auth0_id": Field(text),
}
ORG = {"name": Field(name, required=True), "sms_number": Field(sms_number, required=True), "logo": Field(text)}
TASK = {
    "title": Field(name, required=True),
    "category": Field(name, required=True),
    "description": Field(text),
    "status": Field(one_of(models.TASK_STATUSES), default="ACTIVE"),
    "created_by": Field(reference),
    "user_id": Field(reference, required=True),
    "difficulty": Field(one_of(models.DIFFICULTIES)),
    "date_assigned": Field(day, required=True),
    "date_created": Field(day, nullable=False),  # NOT NULL, DEFAULT today (given by the service)
    "date_completed": Field(day),
    "recurring": Field(recurring),
    "steps": Field(steps, default=[]),
    "order": Field(integer),
    "original_task_id": Field(reference),
}
MEDIA = {
    "task_id": Field(reference),
    "title": Field(name, required=True),
    "category": Field(name, required=True),
    "description": Field(text),
    "url": Field(text),
    "image": Field(text),
    "published_by": Field(integer, default=-1),
    "type": Field(one_of(models.MEDIA_TYPES)),
}
MESSAGE = {
    "text": Field(name, required=True),
    "to_user": Field(reference, required=True),
    "from_user": Field(reference, required=True),
    "media_id": Field(reference),
    "request_id": Field(reference),
    "timestamp": Field(moment, nullable=False),  # NOT NULL, DEFAULT now (given by the service)
    "responses": Field(texts),
    "topic": Field(text),
}
REQUEST = {
    "status": Field(one_of(models.REQUEST_STATUSES), default="NEEDS_ASSISTANCE"),
    "user_id": Field(reference, required=True),
    "task_id": Field(reference, required=True),
}
# Fields the API sets itself: sent back (a client PUTs what it read), they are ignored.
READ_ONLY = {"id", "created_at", "updated_at"}


def values(body: Any, spec: dict[str, Field], *, partial: bool = False) -> dict:
    """The body's fields checked against `spec`: all of them on a create, those given on an update."""
    if not isinstance(body, dict):
        raise invalid([{"field": "body", "message": "must be a JSON object"}])
    errors, found = [], {}
    for key, value in body.items():
        if key in READ_ONLY:
            continue
        field = spec.get(key)
        if field is None:
            errors.append({"field": key, "message": "is not a field of this record"})
        elif value is None:
            if field.default is None and (field.required or (partial and not field.nullable)):
                errors.append({"field": key, "message": "must not be null"})
            else:
                found[key] = field.default
        else:
            try:
                found[key] = field.check(value)
            except Bad as error:
                errors.append({"field": key, "message": str(error)})
    if not partial:
        errors += [{"field": key, "message": "is required"} for key, field in spec.items()
                   if field.required and key not in body]
        found = {**{key: field.default for key, field in spec.items() if key not in found}, **found}
    if errors:
        raise invalid(errors)
    return found


def bulk(body: Any, spec: dict[str, Field]) -> list[tuple[int, dict]]:
    """`[{id, ...changes}]`: each entry's id and checked changes; the fields of a failing entry are
    named with its index (`2.order`)."""
    if not isinstance(body, list):
        raise invalid([{"field": "body", "message": "must be an array of records, each with its id"}])
    changes, errors = [], []
    for index, entry in enumerate(body):
        record = entry.get("id") if isinstance(entry, dict) else None
        if not is_int(record) or record < 1:
            errors.append({"field": f"{index}.id", "message": "must be the id of an existing record"})
            continue
        try:
            changes.append((record, values({k: v for k, v in entry.items() if k != "id"}, spec, partial=True)))
        except ApiError as error:
            errors += [{**failure, "field": f"{index}.{failure['field']}"} for failure in error.errors]
    if errors:
        raise invalid(errors)
    return changes


def record_id(value: str) -> int:
    """A path id; anything but digits is an unknown record."""
    if not re.fullmatch(r"[0-9]{1,15}", value):
        raise not_found()
    return int(value)
