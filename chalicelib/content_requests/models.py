"""Content request storage: the requests, the tokens their links carry, and the media files sent."""
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.expressions.operand import Path
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.core.tables import IntegerAttribute, register, table_meta

PENDING, COMPLETED, CANCELED, EXPIRED = "pending", "completed", "canceled", "expired"
ONE_TIME, MULTI_USE = "one_time", "multi_use"
PHOTO, VIDEO = "photo", "video"


def shelf(owner_id: str, status: str) -> str:
    """The owner's list a request sits on: pending, or closed (every other status)."""
    return f"{owner_id}#{'pending' if status == PENDING else 'closed'}"


class OwnerShelf(GlobalSecondaryIndex["ContentRequest"]):
    """An owner's pending or closed requests, by expiry: the listing Queries one shelf, never Scans."""

    class Meta:
        index_name = "by-shelf"
        projection = AllProjection()

    shelf = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute(range_key=True)


def _ordered(index_name: str, range_key: str) -> "GlobalSecondaryIndex[ContentRequest]":
    """A shelf sorted as the listing sorts by one field (ties by id, in the same direction): one Query serves a
    page of that sort."""
    meta = type("Meta", (), {"index_name": index_name, "projection": AllProjection()})
    attributes = {"shelf": UnicodeAttribute(hash_key=True), range_key: UnicodeAttribute(range_key=True)}
    return type(f"Shelf_{range_key}", (GlobalSecondaryIndex,), {"Meta": meta, **attributes})()  # type: ignore[no-any-return]


# What sorts before any character a text holds, so that a text sorts before the longer texts it begins.
_END = "\x00"
_TIMES = UTCDateTimeAttribute()


def sort_keys(request_id: int, created_at: datetime, name: str, recipient: str,
              expiration_date: datetime) -> dict[str, str]:
    """The keys of the sorted shelves: each sorts as the listing's field does (texts case-insensitively), ties by
    id; texts end with a character that sorts before any other, so "ab" comes before "ab c" as in Python."""
    tie = f"{int(request_id):015d}"
    return {"created_key": f"{_TIMES.serialize(created_at)}#{tie}", "name_key": f"{name.lower()}{_END}{tie}",
            "recipient_key": f"{recipient.lower()}{_END}{tie}",
            "expiration_key": f"{_TIMES.serialize(expiration_date)}#{tie}"}


class ExpiringRequests(GlobalSecondaryIndex["ContentRequest"]):
    """Pending requests by expiry: only they carry `expiring`, so the expiry job Queries, never Scans.

    The owner is projected because expiring moves the request to the owner's closed shelf."""

    class Meta:
        index_name = "expiring"
        projection = IncludeProjection(["owner_id"])

    expiring = UnicodeAttribute(hash_key=True)
    expires_at = UTCDateTimeAttribute(range_key=True)


@register
class ContentRequest(Model):
    Meta = table_meta("content-requests")

    id = IntegerAttribute(hash_key=True)
    token = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    recipient = UnicodeAttribute()
    prompt = UnicodeAttribute()
    expiration_date = UTCDateTimeAttribute()  # midnight UTC of the day the owner chose
    expires_at = UTCDateTimeAttribute()  # the end of that day: the link works until then
    time_type = UnicodeAttribute(default=ONE_TIME)
    status = UnicodeAttribute(default=PENDING)
    shelf = UnicodeAttribute()
    expiring = UnicodeAttribute(null=True)  # PENDING while pending, removed otherwise
    file_count = NumberAttribute(default=0)
    # What the link's upload forms may still issue, counted by one conditional UpdateItem per form: the bytes of
    # every form issued (each form's most), and the forms issued in the hour that starts at `forms_hour`.
    upload_bytes = NumberAttribute(null=True)
    forms_hour = UTCDateTimeAttribute(null=True)
    forms_in_hour = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # sort_keys: requests stored before these existed are on no sorted shelf (docs/decisions.md)
    created_key = UnicodeAttribute(null=True)
    name_key = UnicodeAttribute(null=True)
    recipient_key = UnicodeAttribute(null=True)
    expiration_key = UnicodeAttribute(null=True)

    by_shelf = OwnerShelf()
    by_expiry = ExpiringRequests()
    by_created = _ordered("by-created", "created_key")
    by_name = _ordered("by-name", "name_key")
    by_recipient = _ordered("by-recipient", "recipient_key")
    by_expiration = _ordered("by-expiration", "expiration_key")


# The sorted shelf of each of the listing's sorts.
SORTED_BY = {"created_at": ContentRequest.by_created, "name": ContentRequest.by_name,
             "recipient": ContentRequest.by_recipient, "expiration_date": ContentRequest.by_expiration}


@register
class OwnerTally(Model):
    """How many requests an owner has, and how many of those take files, by expiration day: written in the
    transaction of every create, delete and change of status or day, so a listing's `total_count` is exact
    without reading the list. A request is live from its create until it is completed, canceled or deleted; the
    hourly expiry (pending to expired) leaves it live, so the pending list's count is that of the days not yet
    over, and the job writes no tally. Each day is its own top-level number (`live_YYYY-MM-DD`), so that one
    ADD counts it even on an owner's first request."""

    Meta = table_meta("content-request-tallies")

    owner_id = UnicodeAttribute(hash_key=True)
    requests = NumberAttribute(default=0)

    @classmethod
    def from_raw_data(cls, data: dict[str, Any]) -> "OwnerTally":
        tally = super().from_raw_data(data)
        tally.live = {name.removeprefix(LIVE): int(value["N"]) for name, value in data.items()
                      if name.startswith(LIVE)}
        return tally

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: dict[str, int] = {}  # "YYYY-MM-DD" -> live requests expiring that day

    def pending(self, now: datetime) -> int:
        """The live requests whose day is not over at `now`: those the pending list shows."""
        return sum(count for day, count in self.live.items() if day >= now.date().isoformat())


LIVE = "live_"


def live_day(day: datetime) -> Path:
    """The tally's count of the live requests expiring on `day` (an expiration date)."""
    return Path([f"{LIVE}{day.date().isoformat()}"])


@register
class RequestToken(Model):
    """The token of a request's link, claimed with a condition so that no two requests share one."""

    Meta = table_meta("content-request-tokens")

    token = UnicodeAttribute(hash_key=True)
    request_id = IntegerAttribute()
    # The request's owner (who never changes), so that a completion reads the owner it tells with the request
    # itself. None on tokens stored before it: the owner is read after the request.
    owner_id = UnicodeAttribute(null=True)


@register
class MediaFile(Model):
    """A file of a request: issued with its upload form (`s3_key`, staged), received when a completion names
    it and copies it to `stored_key`.

    An issued file that no completion names is removed by its TTL (`forget_at`)."""

    Meta = table_meta("content-request-media")

    request_id = IntegerAttribute(hash_key=True)
    s3_key = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    format_type = UnicodeAttribute()
    media_type = UnicodeAttribute()
    size = NumberAttribute()  # at issue: the most the form allows; once received: the stored size
    note = UnicodeAttribute(null=True)
    issued_at = UTCDateTimeAttribute()
    received_at = UTCDateTimeAttribute(null=True)
    position = NumberAttribute(null=True)  # its place in the completion that sent it
    stored_key = UnicodeAttribute(null=True)  # once received: where the file is kept
    content_type = UnicodeAttribute(null=True)  # once received: the stored type, checked; downloads are served as it
    forget_at = TTLAttribute(null=True)
