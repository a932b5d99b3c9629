"""Reading one item by its key, the way every surface does: strongly consistent; None, or a surface's own error,
if there is none."""
from typing import Any, TypeVar

from pynamodb.models import Model

from chalicelib.core.errors import ApiError

ModelT = TypeVar("ModelT", bound=Model)


def get_or(model: type[ModelT], *key: Any, missing: ApiError, consistent: bool = True) -> ModelT:
    """The `model` item under `key` (hash key, then range key if any); raises `missing` if there is none."""
    try:
        # `key` is the hash key and at most the range key: it never reaches consistent_read
        return model.get(*key, consistent_read=consistent)  # type: ignore[misc]
    except model.DoesNotExist as error:
        raise missing from error


def find(model: type[ModelT], *key: Any) -> ModelT | None:
    """The `model` item under `key` (hash key, then range key if any), read consistently; None if there is none."""
    try:
        return model.get(*key, consistent_read=True)  # type: ignore[misc]  # as in get_or
    except model.DoesNotExist:
        return None
