"""What annotations and comments share: only their creator changes them, and a delete only hides them."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Forbidden
from chalicelib.identity.models import Account
from chalicelib.recordings.models import session_key


def require_creator(item: Any, account: Account, key: str) -> None:
    if item.creator_id != account.id:
        raise Forbidden(key, "Only its creator may change or delete this")


def soft_delete(item: Any, account: Account, key: str) -> None:
    require_creator(item, account, key)
    model = type(item)
    item.update(actions=[model.is_active.set(False), model.updated_at.set(clock.now())])


def active_of_session(model: Any, session_id: str, limit: int) -> list[Any]:
    """The model's active items of a session, oldest first: one Query on its session index, bounded."""
    return list(model.by_session.query(session_id, limit=limit,
                                       filter_condition=model.is_active == True))  # noqa: E712 (a DynamoDB condition)


def of_page(model: Any, sessions: list[Any], limit: int) -> list[Any]:
    """The model's active items of a page of one project's sessions, oldest first: one Query on its project index
    over the range of the page's session keys, bounded at `limit` a session. Items stored before session keys
    are not on that index (docs/decisions.md)."""
    if not sessions:
        return []
    keys = sorted(session_key(session) for session in sessions)
    wanted = {session.id for session in sessions}
    found = model.by_project.query(sessions[0].project_id, model.session_key.between(keys[0], keys[-1]),
                                   filter_condition=model.is_active == True,  # noqa: E712 (a DynamoDB condition)
                                   limit=limit * len(sessions))
    return sorted((item for item in found if item.session_id in wanted), key=lambda item: int(item.id))
