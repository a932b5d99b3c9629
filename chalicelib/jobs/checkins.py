"""send-checkins: check-ins whose time has come are stored as messages and sent to their clients once."""
from datetime import datetime

from chalicelib.coaching import checkins
from chalicelib.core.telemetry import Tally
from chalicelib.jobs import job


@job("send-checkins", every_minutes=15,
     description="send due coaching check-ins (checkin_times entries and recurring tasks) by SMS or Messenger",
     tables=("coaching-users", "coaching-tasks", "coaching-messages", "counters"), sends=("sms", "messenger"))
def send_checkins(now: datetime) -> Tally:
    """The users and tasks this run met, and the check-ins it sent; one another run claimed is not sent again."""
    return checkins.send_due(now)
