"""Messages to clients outside the app: SMS through SNS, Facebook Messenger through an SQS queue (a bot
consumes it); locally a folder of JSON files, in tests a list."""
import json
from dataclasses import asdict, dataclass
from typing import Protocol

from chalicelib.core import mail
from chalicelib.core.backends import Backends
from chalicelib.core.clients import client


@dataclass(frozen=True)
class Outbound:
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
            client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(asdict(message)))
        else:
            client("sns").publish(PhoneNumber=message.to, Message=message.text)


_senders: Backends[Sender] = Backends("OUTBOUND_BACKEND", lambda settings: (settings.outbound_backend, {
    "aws": lambda: AwsSender(settings.fbook_queue_url),
    "outbox": lambda: mail.OutboxFolder(settings.outbound_outbox_dir),
    "memory": mail.MemoryOutbox,
}))


def sender() -> Sender:
    """The sender chosen by OUTBOUND_BACKEND (aws, outbox or memory), built on first use."""
    return _senders.current()


def use(new_sender: Sender | None) -> Sender | None:
    """Put a sender in use (tests); None goes back to OUTBOUND_BACKEND's. Returns the previous one."""
    return _senders.use(new_sender)
