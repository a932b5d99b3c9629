"""Nearby storage: requests, their geohash index, per-user slots and marks, responses and notifications."""
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.core.tables import IntegerAttribute, register, table_meta

MAP, DIRECT = 0, 1
ACTIVE, EXPIRED = "active", "expired"
# What `reindex-requests` owes a request's index items (`reindex`): its cover refined on (create's budget held it
# back), or its items brought in line with it (a renewal or an expiry had more than its transaction holds).
REFINE, REPAIR = "refine", "repair"
PHOTO, VIDEO = 0, 1
LIFETIME = timedelta(days=7)  # a request's, from its creation or renewal
_STARTED = "%Y-%m-%dT%H:%M:%S.%f"


def position(start: datetime, request_id: int) -> str:
    """Sort key of index and inbox items: creation time, then id (both fixed width)."""
    return f"{start.strftime(_STARTED)}#{request_id:015d}"


def started(at: str) -> datetime:
    """The creation time a `position` holds (UTC)."""
    return datetime.strptime(at.split("#")[0], _STARTED).replace(tzinfo=UTC)


class DiscoverResponse(MapAttribute[str, Any]):
    """One of a request's latest responses, kept on the request so that lists need no extra reads."""

    type = IntegerAttribute()
    card_id = UnicodeAttribute()
    media_key = UnicodeAttribute()
    content_type = UnicodeAttribute(null=True)  # the media's checked type: downloads are served as it


class ExpiringRequests(GlobalSecondaryIndex["NearbyRequest"]):
    """Active requests by end time: only they carry `expiring`, so the expiry job Queries, never Scans."""

    class Meta:
        index_name = "expiring"
        projection = KeysOnlyProjection()

    expiring = UnicodeAttribute(hash_key=True)
    end = UTCDateTimeAttribute(range_key=True)


class Reindexing(GlobalSecondaryIndex["NearbyRequest"]):
    """Map requests whose index items `reindex-requests` owes work: only they carry `reindex`, so it Queries them."""

    class Meta:
        index_name = "reindex"
        projection = KeysOnlyProjection()

    reindex = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


@register
class NearbyRequest(Model):
    Meta = table_meta("nearby-requests")

    id = IntegerAttribute(hash_key=True)
    kind = IntegerAttribute()
    creator_id = UnicodeAttribute()
    message = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    radius = NumberAttribute(null=True)
    cells = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))
    receivers = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))
    # The receivers' userIds, as the request shows them without reading their accounts (None on older requests).
    receiver_numbers = cast("ListAttribute[int] | None", ListAttribute(of=IntegerAttribute, null=True))
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    expiring = UnicodeAttribute(null=True)  # ACTIVE while active, removed when the request expires
    response_count = IntegerAttribute(default=0)
    discover = ListAttribute(of=DiscoverResponse, default=list)
    reindex = UnicodeAttribute(null=True)  # REFINE or REPAIR while `reindex-requests` owes the index work

    by_end = ExpiringRequests()
    reindexing = Reindexing()


@register
class RequestCell(Model):
    """A map request under one geohash cell of its cover: the circle and expiry travel with it."""

    Meta = table_meta("nearby-request-cells")

    cell = UnicodeAttribute(hash_key=True)
    # `<start ISO>#<id>`: a Query newest first is a Query in descending sort order.
    position = UnicodeAttribute(range_key=True)
    request_id = IntegerAttribute()
    creator_id = UnicodeAttribute(null=True)  # so a list reads the creators with the requests (None on older items)
    lat = NumberAttribute()
    lon = NumberAttribute()
    radius = NumberAttribute()
    end = UTCDateTimeAttribute()
    remove_at = TTLAttribute()


@register
class DirectDelivery(Model):
    """A direct request in one receiver's inbox."""

    Meta = table_meta("nearby-deliveries")

    receiver_id = UnicodeAttribute(hash_key=True)
    position = UnicodeAttribute(range_key=True)
    request_id = IntegerAttribute()
    creator_id = UnicodeAttribute(null=True)  # as RequestCell.creator_id
    remove_at = TTLAttribute()


@register
class ActiveRequests(Model):
    """How many active requests an account has: the limit is a condition on this one item."""

    Meta = table_meta("nearby-active-requests")

    account_id = UnicodeAttribute(hash_key=True)
    # Stored as `count`, named apart from Model.count().
    active = IntegerAttribute(attr_name="count", default=0)


@register
class Seen(Model):
    Meta = table_meta("nearby-seen")

    request_id = IntegerAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)
    seen = BooleanAttribute()


@register
class Follow(Model):
    Meta = table_meta("nearby-follows")

    request_id = IntegerAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)
    followed_at = UTCDateTimeAttribute()


@register
class Response(Model):
    """A photo or video answering a request; the media is in the bucket under `media_key`."""

    Meta = table_meta("nearby-responses")

    request_id = IntegerAttribute(hash_key=True)
    id = IntegerAttribute(range_key=True)
    responder_id = UnicodeAttribute()
    type = IntegerAttribute()
    card_id = UnicodeAttribute()
    media_key = UnicodeAttribute()
    content_type = UnicodeAttribute(null=True)  # the media's checked type: downloads are served as it
    created_at = UTCDateTimeAttribute()


@register
class Notification(Model):
    """A new response to a request the account follows."""

    Meta = table_meta("nearby-notifications")

    account_id = UnicodeAttribute(hash_key=True)
    # `<created ISO>#<response id>`: a Query newest first is a Query in descending sort order.
    position = UnicodeAttribute(range_key=True)
    request_id = IntegerAttribute()
    response_id = IntegerAttribute()
    created_at = UTCDateTimeAttribute()
    remove_at = TTLAttribute()
