"""Resources as the dialogues document shows them: string ids and a `url` for each."""
from typing import Any

from chalicelib.dialogues.models import Channel, Dialogue, Project, Provider, Release, Revision
from chalicelib.dialogues.permissions import Grant
from chalicelib.identity.models import Account


def user(account: Account) -> dict[str, Any]:
    return {"id": account.id, "url": f"/users/{account.id}", "email": account.email,
            "first_name": account.first_name, "last_name": account.last_name}


def permission(grant: Grant) -> dict[str, Any]:
    details = {name: str(value) for name, value in
               (("project_id", grant.project_id), ("dialogue_id", grant.dialogue_id)) if value is not None}
    return {"id": grant.id, "type": grant.type, **({"details": details} if details else {})}


def project_summary(project: Project) -> dict[str, Any]:
    return {"id": str(project.id), "url": f"/projects/{project.id}", "title": project.title,
            "is_archived": bool(project.is_archived)}


def project(item: Project, dialogues: list[dict[str, Any]]) -> dict[str, Any]:
    return {**project_summary(item), "dialogues": dialogues}


def dialogue_url(dialogue: Dialogue) -> str:
    return f"/projects/{dialogue.project_id}/dialogues/{dialogue.id}"


def dialogue_summary(dialogue: Dialogue, can_view: bool, can_edit: bool) -> dict[str, Any]:
    published = int(dialogue.release_count) > 0
    return {"id": str(dialogue.id), "url": dialogue_url(dialogue), "revision_id": str(dialogue.head),
            "title": dialogue.title, "is_archived": bool(dialogue.is_archived), "is_published": published,
            "has_changes": published and dialogue.released_revision != dialogue.head,
            "can_view": can_view, "can_edit": can_edit}


def dialogue(item: Dialogue, description: dict[str, Any], can_view: bool, can_edit: bool) -> dict[str, Any]:
    return {**dialogue_summary(item, can_view, can_edit), "sequences": description["sequences"]}


def revision(item: Revision, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(item.number), "number": int(item.number), "user_id": item.user_id, "created": int(item.created),
            "type": item.type, "details": body["details"], "properties": body["properties"]}


def release(dialogue: Dialogue, item: Release) -> dict[str, Any]:
    return {"id": str(item.number), "number": int(item.number),
            "url": f"{dialogue_url(dialogue)}/releases/{item.number}", "revision_id": str(item.revision),
            "created": int(item.created)}


def provider_summary(item: Provider) -> dict[str, Any]:
    return {"id": str(item.id), "url": f"/providers/{item.id}", "title": item.title}


def available(item: Channel) -> bool:
    """"Whether or not this channel is available for use": true unless it cannot be used. Attached channels are
    in use, not unusable (the document's examples show them `true`), and nothing here disables a channel, so
    this is never false today."""
    return True


def channel_summary(item: Channel) -> dict[str, Any]:
    return {"id": str(item.id), "url": f"/channels/{item.id}",
            "project_id": None if item.project_id is None else str(item.project_id), "title": item.title,
            "address": item.address, "type": item.type, "is_available": available(item)}


def channel(item: Channel, provider_title: str | None) -> dict[str, Any]:
    return {**channel_summary(item), "provider": {"id": str(item.provider_id), "title": provider_title}}


def provider(item: Provider, channels: list[Channel]) -> dict[str, Any]:
    return {**provider_summary(item), "channels": [channel_summary(found) for found in channels]}
