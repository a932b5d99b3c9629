"""Scheduled work: each job is a plain `run(now)` registered here with its rate.

`app.py` wraps each in an `@app.schedule`, `make run` fires them on a local timer, and
`make job NAME=...` runs one once. Jobs are idempotent: every item is claimed with a condition.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]
    every_minutes: int
    description: str
    # What the job's own role grants (infra/), and nothing else; each job's tests check it uses exactly these.
    tables: tuple[str, ...]  # registry names (`content-requests`), with their indexes
    sends: tuple[str, ...] = ()  # `sms`, `messenger` (the queue), `push` (the topic), `mail`


JOBS: dict[str, Job] = {}


def job(name: str, every_minutes: int, description: str, *, tables: tuple[str, ...],
        sends: tuple[str, ...] = ()) -> Callable:
    """Decorator: register `run(now)` as the scheduled job `name`, which uses only `tables` and `sends`."""

    def register(run: Callable[[datetime], object]) -> Callable[[datetime], object]:
        JOBS[name] = Job(name, run, every_minutes, description, tables, sends)
        return run

    return register


def schedule(app: object) -> None:
    """Give every registered job an `@app.schedule` at its rate, run with the platform clock's time."""
    from chalice import Rate

    from chalicelib.core import clock

    for each in JOBS.values():
        def handler(event: object, run: Callable = each.run) -> object:
            return run(clock.now())

        app.schedule(Rate(each.every_minutes, unit=Rate.MINUTES), name=each.name)(handler)
