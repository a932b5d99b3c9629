"""expire-content-requests: pending content requests whose day has ended become expired."""
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.imports import deferred
from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job

if TYPE_CHECKING:
    from chalicelib.content_requests import requests
else:  # imported when the job runs (core/imports.py)
    (requests,) = deferred("chalicelib.content_requests", "requests")


@job("expire-content-requests", every_minutes=60,
     description="expire pending content requests past their expiration day (their links stop taking files)",
     tables=("content-requests",))
def expire_content_requests(now: datetime) -> Tally:
    """The requests this run met and expired; a request another run expired is not counted twice."""
    return requests.expire_due(now)
