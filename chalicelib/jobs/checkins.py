"""send-checkins: check-ins whose time has come are stored as messages and sent to their clients once."""
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.core.imports import deferred
from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job

if TYPE_CHECKING:
    from chalicelib.coaching import checkins
else:  # imported when the job runs (core/imports.py)
    (checkins,) = deferred("chalicelib.coaching", "checkins")


@job("send-checkins", every_minutes=15,
     description="send due coaching check-ins (checkin_times entries and recurring tasks) by SMS or Messenger",
     tables=("coaching-users", "coaching-tasks", "coaching-messages", "counters"), sends=("sms", "messenger"))
def send_checkins(now: datetime) -> Tally:
    """The users and tasks this run met, and the check-ins it sent; one another run claimed is not sent again."""
    return checkins.send_due(now)
