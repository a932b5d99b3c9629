"""The content request document's JSON shapes."""
from datetime import datetime
from typing import Any

from chalicelib.content_requests import media, requests
from chalicelib.content_requests.models import MULTI_USE, ONE_TIME, ContentRequest, MediaFile
from chalicelib.core.clock import iso_millis
from chalicelib.identity.models import Account

TIME_TYPES = {ONE_TIME: "One-Time", MULTI_USE: "Multi-Use"}


def content_request(request: ContentRequest, now: datetime) -> dict[str, Any]:
    return {
        "id": int(request.id),
        "name": request.name,
        "recipient": request.recipient,
        "prompt": request.prompt,
        "expiration_date": iso_millis(request.expiration_date),
        "status": requests.status_at(request, now),
        "time_type": TIME_TYPES[request.time_type],
        "link_for_copy": f"/content_requests/{request.token}",
        "token": request.token,
    }


def with_owner(request: ContentRequest, owner: Account | None, now: datetime) -> dict[str, Any]:
    """A request as its link shows it: with the owner who asks."""
    user = None if owner is None else {"id": int(owner.number), "email": owner.email, "first_name": owner.first_name,
                                       "last_name": owner.last_name, "avatar_image": owner.avatar_url}
    return {**content_request(request, now), "user": user}


def media_file(item: MediaFile) -> dict[str, Any]:
    return {
        "name": item.name,
        "s3_key": item.stored_key,  # where the file is kept (the key it was uploaded under is gone)
        "format_type": item.format_type,
        "media_type": item.media_type,
        "size": int(item.size),
        "note": item.note,
        "created_at": iso_millis(item.received_at),
        "url": media.download_url(item),
    }
