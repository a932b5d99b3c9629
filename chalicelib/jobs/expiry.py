"""expire-requests: requests past their end become expired, free their owner's slot and leave the index."""
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.imports import deferred
from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job

if TYPE_CHECKING:
    from chalicelib.nearby import requests
else:  # imported when the job runs (core/imports.py)
    (requests,) = deferred("chalicelib.nearby", "requests")


@job("expire-requests", every_minutes=5,
     description="expire requests past their end: free the owner's slot, drop them from nearest and inboxes",
     tables=("nearby-requests", "nearby-active-requests", "nearby-request-cells", "nearby-deliveries"))
def expire_requests(now: datetime) -> Tally:
    """The requests this run met and expired; a request another run expired is not counted twice."""
    return requests.expire_due(now)
