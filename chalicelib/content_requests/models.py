"""Content request storage: the requests, the tokens their links carry, and the media files sent."""
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
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

    by_shelf = OwnerShelf()
    by_expiry = ExpiringRequests()


@register
class RequestToken(Model):
    """The token of a request's link, claimed with a condition so that no two requests share one."""

    Meta = table_meta("content-request-tokens")

    token = UnicodeAttribute(hash_key=True)
    request_id = IntegerAttribute()


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
