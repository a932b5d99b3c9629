"""What the platform uses from outside itself: the clock, the mail sender, the outbound (SMS and Messenger)
sender, and the pause between retries. They are passed in, never swapped: a process builds its set from its
settings on first use, and whoever runs code with others (a test, `make job NOW=...`, the deploy rehearsal)
passes them for that call only, through `using(...)`, as Chalice's `TypedAWSClient(session, sleep=...)` takes
its sleep."""
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, NamedTuple

from chalicelib.core import mail, outbound
from chalicelib.core.clock import Clock, SystemClock
from chalicelib.core.settings import Settings, get_settings


class Collaborators(NamedTuple):
    clock: Clock
    mail: mail.Sender
    outbound: outbound.Sender
    sleep: Callable[[float], None]

    @classmethod
    def from_settings(cls, settings: Settings) -> "Collaborators":
        """The process's own: the system clock, the senders MAIL_BACKEND and OUTBOUND_BACKEND name, time.sleep."""
        return cls(clock=SystemClock(), mail=_chosen("MAIL_BACKEND", settings.mail_backend, {
            "ses": lambda: mail.SesSender(settings.mail_from),
            "outbox": lambda: mail.OutboxFolder(settings.mail_outbox_dir),
            "memory": mail.MemoryOutbox,
        }), outbound=_chosen("OUTBOUND_BACKEND", settings.outbound_backend, {
            "aws": lambda: outbound.AwsSender(settings.fbook_queue_url),
            "outbox": lambda: mail.OutboxFolder(settings.outbound_outbox_dir),
            "memory": mail.MemoryOutbox,
        }), sleep=time.sleep)


def _chosen(variable: str, name: str, makers: dict[str, Callable[[], Any]]) -> Any:
    if name not in makers:
        raise RuntimeError(f"{variable} must be one of {sorted(makers)}")
    return makers[name]()


@cache
def _process() -> Collaborators:
    return Collaborators.from_settings(get_settings())


_given: ContextVar[Collaborators | None] = ContextVar("collaborators", default=None)


def current() -> Collaborators:
    """The collaborators of the code now running: those passed with `using`, else the process's own."""
    return _given.get() or _process()


@contextmanager
def using(**given: Any) -> Iterator[Collaborators]:
    """Run the block with these collaborators in place of the current ones (`using(clock=FixedClock(at))`)."""
    token = _given.set(current()._replace(**given))
    try:
        yield current()
    finally:
        _given.reset(token)


def forget() -> None:
    """Build the process's own again from the settings on next use (after a test changes the environment)."""
    _process.cache_clear()
