"""send-checkins: check-ins whose time has come are stored as messages and sent to their clients once."""
from datetime import datetime

from chalicelib.coaching import checkins
from chalicelib.jobs import job


@job("send-checkins", every_minutes=15,
     description="send due coaching check-ins (checkin_times entries and recurring tasks) by SMS or Messenger",
     tables=("coaching-users", "coaching-tasks", "coaching-messages", "counters"), sends=("sms", "messenger"))
def send_checkins(now: datetime) -> int:
    """The number of check-ins this run sent; one another run claimed is not sent again."""
    return checkins.send_due(now)
