"""The recordings document's JSON shapes, built from stored items and the accounts they name."""
from datetime import datetime

from chalicelib.accounts.models import Account

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(moment: datetime) -> str:
    """The document's date form, `04-Mar-2018` (month names fixed, whatever the locale)."""
    return f"{moment.day:02d}-{_MONTHS[moment.month - 1]}-{moment.year}"


def person(account: Account | None) -> dict:
    """`{"user_id", "fullname"}` for an account (a deleted one shows as null)."""
    if account is None:
        return {"user_id": None, "fullname": None}
    return {"user_id": int(account.number), "fullname": account.fullname}


def project(item, members: list, accounts: dict) -> dict:
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


def member(membership, account: Account | None) -> dict:
    # The document shows members both as {fullname, role, user_id} and {id, name, role, user_id}.
    shown = person(account)
    return {**shown, "id": shown["user_id"], "name": shown["fullname"], "role": membership.role}


def topic(item, project_id: int) -> dict:
    return {"id": int(item.id), "text": item.text, "is_active": int(item.is_active), "project_id": int(project_id),
            "created_on": day(item.created_at), "updated_on": day(item.updated_at)}
