"""The nearby document's JSON shapes."""

from typing import Any

from chalicelib.core.clock import iso_millis
from chalicelib.files import storage
from chalicelib.identity.models import Account
from chalicelib.nearby.models import MAP, DiscoverResponse, NearbyRequest, Notification, Response

MEDIA_SECONDS = 3600


def creator(account: Account | None) -> dict[str, Any]:
    if account is None:
        return {"userId": None, "userName": None, "userAvatar": None}
    return {"userId": int(account.number), "userName": account.fullname, "userAvatar": account.avatar_url}


def discover(item: DiscoverResponse) -> dict[str, Any]:
    return {"type": int(item.type), "badge": None, "cardId": item.card_id,
            "media": storage.download_url(item.media_key, expires_in=MEDIA_SECONDS, content_type=item.content_type)}


def request(item: NearbyRequest, seen: bool, people: dict[str, Account]) -> dict[str, Any]:
    """A map request with its `location`, or a direct one with `receiverUI` (one id, or a list if several)."""
    shown: dict[str, Any] = {
        "requestId": int(item.id),
        "message": item.message,
        "start": iso_millis(item.start),
        "end": iso_millis(item.end),
        "requestType": int(item.kind),
        "responseCount": int(item.response_count),
        "seen": seen,
        "discoverResponses": [discover(d) for d in item.discover[:3]],
        "creator": creator(people.get(item.creator_id)),
    }
    if item.kind == MAP:
        shown["location"] = {"lat": item.lat, "lon": item.lon, "radius": item.radius}
    else:
        receivers = item.receiver_numbers if item.receiver_numbers is not None else \
            [int(people[r].number) for r in item.receivers if r in people]
        shown["receiverUI"] = receivers[0] if len(receivers) == 1 else receivers
    return shown


def response(item: Response, people: dict[str, Account]) -> dict[str, Any]:
    """A response with its media as a presigned GET and its responder in the creator shape."""
    return {"responseId": int(item.id), "requestId": int(item.request_id), "type": int(item.type),
            "cardId": item.card_id,
            "media": storage.download_url(item.media_key, expires_in=MEDIA_SECONDS, content_type=item.content_type),
            "badge": None, "responder": creator(people.get(item.responder_id)), "created": iso_millis(item.created_at)}


def notification(item: Notification) -> dict[str, Any]:
    return {"notificationId": item.position, "requestId": int(item.request_id), "responseId": int(item.response_id),
            "created": iso_millis(item.created_at)}
