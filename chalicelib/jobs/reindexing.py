"""reindex-requests: the index work that map requests' own transactions could not hold (nearby/reindex.py)."""
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.imports import deferred
from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job

if TYPE_CHECKING:
    from chalicelib.nearby import reindex
else:  # imported when the job runs (core/imports.py)
    (reindex,) = deferred("chalicelib.nearby", "reindex")


@job("reindex-requests", every_minutes=1,
     description="refine crowded requests' covers beyond create's transaction; finish large renewals' and expiries' "
                 "index writes",
     tables=("nearby-requests", "nearby-request-cells", "nearby-deliveries"))
def reindex_requests(now: datetime) -> Tally:
    """The marked requests this run met, and those whose index items it changed."""
    return reindex.reindex_marked(now)
