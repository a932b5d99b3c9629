"""Optimistic writes tried again after a lost race, the one retry of the platform. Every try draws on one budget
per request: a retry nested in another (a transaction conflict inside a revision that lost its race) shares it,
so a request makes at most BUDGET tries in all, however its retries nest. Pauses are jittered and come from the
collaborators' sleep (or the one passed in)."""
import random
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from chalicelib.core.collaborators import current

T = TypeVar("T")

BUDGET = 12  # tries per request, nested retries included
TRIES = 5  # tries of one retry, within the budget
# Full jitter: the pause before try n (from 1) is uniform in [0, min(CAP, BASE * 2 ** n)] seconds.
BASE, CAP = 0.01, 0.2

_left: ContextVar[int | None] = ContextVar("retry_budget_left", default=None)


class TryAgain(Exception):
    """Raised by a try that lost a race: run it again (if the budget allows)."""


def retried(once: Callable[[], T], contended: Exception, *, tries: int = TRIES,
            on: tuple[type[Exception], ...] = (), sleep: Callable[[float], None] | None = None) -> T:
    """`once()`'s result, trying again while it raises TryAgain (or one of `on`), up to `tries` times and within
    the request's budget; past them raise `contended` (a 409 `contended` for every surface)."""
    outermost = _left.get() is None
    token = _left.set(BUDGET) if outermost else None
    pause = sleep or current().sleep
    lost: Exception | None = None
    retry_on: tuple[type[Exception], ...] = (TryAgain, *on)
    try:
        for attempt in range(tries):
            left = _left.get() or 0
            if left <= 0:
                break
            _left.set(left - 1)
            if attempt:
                pause(random.uniform(0, min(CAP, BASE * 2 ** attempt)))
            try:
                return once()
            except retry_on as error:
                lost = error
        raise contended from lost
    finally:
        if token is not None:
            _left.reset(token)
