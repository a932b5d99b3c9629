"""Messages to clients outside the app: SMS through SNS, Facebook Messenger through an SQS queue (a bot
consumes it); locally a folder of JSON files, in tests a list (chosen in `collaborators`)."""
import json
from typing import NamedTuple, Protocol

from chalicelib.core.clients import client


class Outbound(NamedTuple):
    platform: str  # SMS or FBOOK
    to: str  # a phone number, or a Messenger id
    text: str
    user_id: int
    message_id: int


class Sender(Protocol):
    def send(self, message: Outbound) -> None: ...


class AwsSender:
    """SMS by SNS Publish to the phone number; FBOOK by SQS to the Messenger bot's queue."""

    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, message: Outbound) -> None:
        if message.platform == "FBOOK":
            client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message._asdict()))
        else:
            client("sns").publish(PhoneNumber=message.to, Message=message.text)
