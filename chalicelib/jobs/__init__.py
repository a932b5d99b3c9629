"""Scheduled work: each job is a plain `run(now)` registered here with its rate.

`app.py` gives each its own `@app.schedule` handler (`scheduled`), `make run` fires those handlers on a local
timer, and `make job NAME=...` runs one job once. Jobs are idempotent: every item is claimed with a condition.
"""
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from chalice.app import Chalice

    from chalicelib.core.telemetry import Tally


class Job(NamedTuple):
    name: str
    run: Callable[[datetime], "Tally"]
    every_minutes: int
    description: str
    # What the job's own role grants (infra/), and nothing else; each job's tests check it uses exactly these.
    tables: tuple[str, ...]  # registry names (`content-requests`), with their indexes
    sends: tuple[str, ...] = ()  # `sms`, `messenger` (the queue), `push` (the topic), `mail`


JOBS: dict[str, Job] = {}


def job(name: str, every_minutes: int, description: str, *, tables: tuple[str, ...],
        sends: tuple[str, ...] = ()) -> Callable[[Callable[[datetime], "Tally"]], Callable[[datetime], "Tally"]]:
    """Decorator: register `run(now)` as the scheduled job `name`, which uses only `tables` and `sends`."""

    def register(run: Callable[[datetime], "Tally"]) -> Callable[[datetime], "Tally"]:
        JOBS[name] = Job(name, run, every_minutes, description, tables, sends)
        return run

    return register


def handler_name(name: str) -> str:
    """The name of job `name`'s handler in `app.py`: `send-checkins` is `app.send_checkins`."""
    return name.replace("-", "_")


def scheduled(app: "Chalice", name: str) -> Callable[..., Any]:
    """Job `name`'s own `@app.schedule` at its rate, run with the platform clock's time. Assign it in `app.py`
    to `handler_name(name)`: Chalice names the function's handler `app.<the function's __name__>`."""
    from chalice.app import Rate

    from chalicelib.core import clock, telemetry

    def handler(event: object) -> dict[str, int]:
        tally = telemetry.job_run(name, lambda: JOBS[name].run(clock.now()))
        return {"seen": tally.seen, "changed": tally.changed, "failed": tally.failed}

    handler.__name__ = handler.__qualname__ = handler_name(name)
    registered: Callable[..., Any] = app.schedule(Rate(JOBS[name].every_minutes, unit=Rate.MINUTES), name=name)(handler)
    return registered
