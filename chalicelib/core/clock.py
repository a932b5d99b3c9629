"""The platform's clock: services ask it for the time, so tests and jobs can fix it."""
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until told to move (tests, `make job NOW=...`)."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


_current: Clock = SystemClock()


def now() -> datetime:
    """The current time in UTC, from whichever clock is in use."""
    return _current.now()


def use(clock: Clock) -> Clock:
    """Put `clock` in use and hand back the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


def iso_millis(value: datetime) -> str:
    """`2017-03-28T18:45:33.286Z`: UTC with milliseconds, as the nearby and content request documents show."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def from_millis(millis: int) -> datetime:
    """A time given in epoch milliseconds (as the coaching document's check-ins are), in UTC."""
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)


def to_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)
