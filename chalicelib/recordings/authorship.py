"""What annotations and comments share: only their creator changes them, and a delete only hides them."""
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import Forbidden
from chalicelib.identity.models import Account


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
