"""The recordings document's JSON shapes, built from stored items and the accounts they name."""
from datetime import datetime
from typing import Any

from chalicelib.identity.models import Account
from chalicelib.recordings.models import Annotation, Code, Comment, Membership, Project, RecordedSession, Topic

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(moment: datetime) -> str:
    """The document's date form, `04-Mar-2018` (month names fixed, whatever the locale)."""
    return f"{moment.day:02d}-{_MONTHS[moment.month - 1]}-{moment.year}"


def person(account: Account | None) -> dict[str, Any]:
    """`{"user_id", "fullname"}` for an account (a deleted one shows as null)."""
    if account is None:
        return {"user_id": None, "fullname": None}
    return {"user_id": int(account.number), "fullname": account.fullname}


def project(item: Project, members: list[Membership], accounts: dict[str, Account]) -> dict[str, Any]:
    return {
        "id": int(item.id),
        "title": item.title,
        "slug": item.slug,
        "description": item.description,
        "creator": person(accounts.get(item.creator_id)),
        "has_consent": item.has_consent,
        "is_public": item.is_public,
        "is_active": item.is_active,
        "members": [member(m, accounts.get(m.account_id)) for m in members],
        "topics": [topic(t, item.id) for t in item.topics],
        "created_on": day(item.created_at),
        "updated_on": day(item.updated_at),
    }


def member(membership: Membership, account: Account | None) -> dict[str, Any]:
    # The document shows members both as {fullname, role, user_id} and {id, name, role, user_id}.
    shown = person(account)
    return {**shown, "id": shown["user_id"], "name": shown["fullname"], "role": membership.role}


def topic(item: Topic, project_id: int) -> dict[str, Any]:
    return {"id": int(item.id), "text": item.text, "is_active": int(item.is_active), "project_id": int(project_id),
            "created_on": day(item.created_at), "updated_on": day(item.updated_at)}


def code(item: Code) -> dict[str, Any]:
    return {"id": int(item.id), "text": item.text, "project_id": int(item.project_id),
            "created_on": day(item.created_at)}


def comment(item: Comment, accounts: dict[str, Account]) -> dict[str, Any]:
    return {
        "id": int(item.id),
        "annotation_id": int(item.annotation_id),
        "session_id": item.session_id,
        "parent_id": None if item.parent_id is None else int(item.parent_id),
        "content": item.content,
        "creator": person(accounts.get(item.creator_id)),
        "replies": [int(reply) for reply in item.replies],
        "created_on": day(item.created_at),
        "updated_on": day(item.updated_at),
    }


def annotation(item: Annotation, comments: list[Comment], codes: dict[int, Code],
               accounts: dict[str, Account]) -> dict[str, Any]:
    labels = [{"id": tag, "text": codes[tag].text} for tag in map(int, item.tags) if tag in codes]
    creator = person(accounts.get(item.creator_id))
    return {
        "id": int(item.id),
        "session_id": item.session_id,
        "content": item.content,
        # The session document's older names for the same things.
        "justification": item.content,
        "codes": labels,
        "start_interval": int(item.start_interval),
        "end_interval": int(item.end_interval),
        "is_active": item.is_active,
        "tags": [int(tag) for tag in item.tags],
        "labels": labels,
        "creator": creator,
        "user_id": creator["user_id"],
        "comments": [comment(c, accounts) for c in comments],
        "created_on": day(item.created_at),
        "updated_on": day(item.updated_at),
    }


def session(item: RecordedSession, annotations: list[dict[str, Any]], accounts: dict[str, Account],
            recording_url: str) -> dict[str, Any]:
    creator = accounts.get(item.creator_id)
    return {
        "id": item.id,
        "project_id": int(item.project_id),
        "creator": {"name": creator.fullname if creator else None,
                    "user_id": int(creator.number) if creator else None},
        "participants": [{"name": p.name, "role": p.role,
                          "user_id": int(accounts[p.account_id].number) if p.account_id in accounts else None}
                         for p in item.participants],
        "topics": [{"id": int(t.topic_id), "start": str(int(t.start)), "end": str(int(t.end)), "text": t.text}
                   for t in item.topics],
        "user_annotations": annotations,
        "recording_url": recording_url,
        "created_on": day(item.created_at),
    }
