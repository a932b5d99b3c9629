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


# The times a client may give: every real date (follow-ups, tasks, messages, check-ins) and room for the arithmetic
# done on them (a recurrence runs up to 10 years past its start). Beyond them datetime itself overflows: 9999-12-31
# at -23:59 is past year 9999 in UTC, 0001-01-01 at +23:59 before year 1, and both raised OverflowError (a 500).
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def now() -> datetime:
    """The current time in UTC, from the clock of the running code's collaborators."""
    from chalicelib.core.collaborators import current  # collaborators build on this module

    return current().clock.now()


def iso_millis(value: datetime) -> str:
    """`2017-03-28T18:45:33.286Z`: UTC with milliseconds, as the nearby and content request documents show."""
    value = value.astimezone(timezone.utc)  # the year padded by hand: strftime's %Y writes year 1 as `1`
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """An ISO 8601 time (`Z` or an offset; none means UTC) in UTC, between EARLIEST and LATEST; anything else,
    an extreme offset at the ends of the calendar included, is a ValueError."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = parsed.astimezone(timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except OverflowError as error:
        raise ValueError(f"{text} is outside the calendar in UTC") from error
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"{text} is not between {EARLIEST.year} and {LATEST.year}")
    return moment


def from_millis(millis: int) -> datetime:
    """A time given in epoch milliseconds (as the coaching document's check-ins are), in UTC."""
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)


def to_millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)
