"""The events AWS sends a function that the local stack and the deploy rehearsal build alike."""
import uuid
from datetime import UTC, datetime


def scheduled_event(rule: str, account: str, region: str, when: datetime | None = None) -> dict:
    """The event an EventBridge schedule rule `rule` sends its target."""
    when = when or datetime.now(UTC)
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": account, "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [f"arn:aws:events:{region}:{account}:rule/{rule}"], "detail": {}}
