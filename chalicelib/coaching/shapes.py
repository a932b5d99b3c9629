"""The coaching document's "Data Shapes": every documented field, times as ISO 8601 with milliseconds and Z."""
from datetime import datetime
from typing import Any

from chalicelib.coaching.models import CoachingUser, HelpRequest, Media, Message, Org, Task, ViewedMedia
from chalicelib.core.clock import iso_millis


def _time(value: datetime | None) -> str | None:
    return iso_millis(value) if value else None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def org(item: Org) -> dict[str, Any]:
    return {"id": int(item.id), "name": item.name, "sms_number": item.sms_number, "logo": item.logo}


def user(item: CoachingUser) -> dict[str, Any]:
    return {
        "id": int(item.id), "first_name": item.first_name, "last_name": item.last_name, "email": item.email,
        "phone": item.phone, "coach_id": _int(item.coach_id), "org_id": int(item.org_id), "color": item.color,
        "goals": list(item.goals or []), "status": item.status, "type": item.type,
        "created_at": _time(item.created_at), "updated_at": _time(item.updated_at), "platform": item.platform,
        "image": item.image, "follow_up_date": _time(item.follow_up_date), "plan_url": item.plan_url,
        "checkin_times": [{"topic": c.topic, "message": c.message, "time": int(c.time)} for c in item.checkin_times],
        "topic": item.topic, "fb_id": item.fb_id, "temp_help_response": item.temp_help_response,
        "auth0_id": item.auth0_id,
    }


def task(item: Task) -> dict[str, Any]:
    recurring = item.recurring
    return {
        "id": int(item.id), "title": item.title, "category": item.category, "description": item.description,
        "status": item.status, "created_by": _int(item.created_by), "user_id": _int(item.user_id),
        "difficulty": item.difficulty, "date_created": _time(item.date_created),
        "date_completed": _time(item.date_completed), "date_assigned": _time(item.date_assigned),
        "recurring": {"frequency": int(recurring.frequency), "duration": int(recurring.duration)} if recurring else {},
        "steps": [{"task_id": _int(step.task_id), "text": step.text} for step in item.steps],
        "order": _int(item.order), "original_task_id": _int(item.original_task_id),
    }


def media(item: Media) -> dict[str, Any]:
    return {"id": int(item.id), "task_id": _int(item.task_id), "title": item.title, "category": item.category,
            "description": item.description, "url": item.url, "image": item.image,
            "published_by": int(item.published_by), "type": item.type}


def message(item: Message) -> dict[str, Any]:
    return {"id": int(item.id), "text": item.text, "to_user": int(item.to_user), "from_user": int(item.from_user),
            "media_id": _int(item.media_id), "request_id": _int(item.request_id),
            "timestamp": _time(item.timestamp), "responses": item.responses, "topic": item.topic}


def viewed_media(item: ViewedMedia) -> dict[str, Any]:
    return {"id": int(item.id), "client_id": int(item.client_id), "media_id": int(item.media_id)}


def request(item: HelpRequest) -> dict[str, Any]:
    return {"id": int(item.id), "status": item.status, "user_id": int(item.user_id), "task_id": int(item.task_id),
            "created_at": _time(item.created_at), "updated_at": _time(item.updated_at)}
