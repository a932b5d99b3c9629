"""expire-requests: requests past their end become expired, free their owner's slot and leave the index."""
from datetime import datetime

from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job
from chalicelib.nearby import requests


@job("expire-requests", every_minutes=5,
     description="expire requests past their end: free the owner's slot, drop them from nearest and inboxes",
     tables=("nearby-requests", "nearby-active-requests", "nearby-request-cells", "nearby-deliveries"))
def expire_requests(now: datetime) -> Tally:
    """The requests this run met and expired; a request another run expired is not counted twice."""
    return requests.expire_due(now)
