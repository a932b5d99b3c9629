"""Nearby storage: requests, their geohash index, per-user slots and marks, responses and notifications."""
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

from chalicelib.core.tables import register, table_meta

MAP, DIRECT = 0, 1
ACTIVE, EXPIRED = "active", "expired"
PHOTO, VIDEO = 0, 1


class DiscoverResponse(MapAttribute):
    """One of a request's latest responses, kept on the request so that lists need no extra reads."""

    type = NumberAttribute()
    card_id = UnicodeAttribute()
    media_key = UnicodeAttribute()
    content_type = UnicodeAttribute(null=True)  # the media's checked type: downloads are served as it


class ExpiringRequests(GlobalSecondaryIndex):
    """Active requests by end time: only they carry `expiring`, so the expiry job Queries, never Scans."""

    class Meta:
        index_name = "expiring"
        projection = KeysOnlyProjection()

    expiring = UnicodeAttribute(hash_key=True)
    end = UTCDateTimeAttribute(range_key=True)


@register
class NearbyRequest(Model):
    Meta = table_meta("nearby-requests")

    id = NumberAttribute(hash_key=True)
    kind = NumberAttribute()
    creator_id = UnicodeAttribute()
    message = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    radius = NumberAttribute(null=True)
    cells = ListAttribute(of=UnicodeAttribute, default=list)
    receivers = ListAttribute(of=UnicodeAttribute, default=list)
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    status = UnicodeAttribute(default=ACTIVE)
    expiring = UnicodeAttribute(null=True)  # ACTIVE while active, removed when the request expires
    response_count = NumberAttribute(default=0)
    discover = ListAttribute(of=DiscoverResponse, default=list)

    by_end = ExpiringRequests()


@register
class RequestCell(Model):
    """A map request under one geohash cell of its cover: the circle and expiry travel with it."""

    Meta = table_meta("nearby-request-cells")

    cell = UnicodeAttribute(hash_key=True)
    # `<start ISO>#<id>`: a Query newest first is a Query in descending sort order.
    position = UnicodeAttribute(range_key=True)
    request_id = NumberAttribute()
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
    request_id = NumberAttribute()
    remove_at = TTLAttribute()


@register
class ActiveRequests(Model):
    """How many active requests an account has: the limit is a condition on this one item."""

    Meta = table_meta("nearby-active-requests")

    account_id = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)


@register
class Seen(Model):
    Meta = table_meta("nearby-seen")

    request_id = NumberAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)
    seen = BooleanAttribute()


@register
class Follow(Model):
    Meta = table_meta("nearby-follows")

    request_id = NumberAttribute(hash_key=True)
    account_id = UnicodeAttribute(range_key=True)
    followed_at = UTCDateTimeAttribute()


@register
class Response(Model):
    """A photo or video answering a request; the media is in the bucket under `media_key`."""

    Meta = table_meta("nearby-responses")

    request_id = NumberAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    responder_id = UnicodeAttribute()
    type = NumberAttribute()
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
    request_id = NumberAttribute()
    response_id = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    remove_at = TTLAttribute()
