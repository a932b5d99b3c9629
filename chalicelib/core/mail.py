"""Outgoing email behind one interface: SES in AWS, a folder locally, a list in tests (chosen in
`collaborators`)."""
import json
import logging
import os
import uuid
from typing import NamedTuple, Protocol

from chalicelib.core import clock
from chalicelib.core.clients import client

log = logging.getLogger(__name__)


class Email(NamedTuple):
    to: str
    subject: str
    body: str


class MailError(Exception):
    """The message could not be handed to the mail service."""


class Sender(Protocol):
    def send(self, email: Email) -> None: ...


class SesSender:
    def __init__(self, source: str):
        self.source = source

    def send(self, email: Email) -> None:
        from botocore.exceptions import BotoCoreError, ClientError  # only routes that send mail import botocore

        try:
            client("ses").send_email(
                Source=self.source, Destination={"ToAddresses": [email.to]},
                Message={"Subject": {"Data": email.subject}, "Body": {"Text": {"Data": email.body}}})
        except (BotoCoreError, ClientError) as error:
            raise MailError(str(error)) from error


class OutboxFolder:
    """Writes each message as a JSON file (the local stack's outbox, named in docs/local-stack.md)."""

    def __init__(self, folder: str):
        self.folder = folder

    def send(self, email: Email) -> None:
        os.makedirs(self.folder, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        path = os.path.join(self.folder, f"{stamp}-{uuid.uuid4().hex[:8]}.json")
        try:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(email._asdict(), handle, indent=2)
        except OSError as error:
            raise MailError(str(error)) from error


class MemoryOutbox:
    """Keeps sent messages in a list for tests to read."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email) -> None:
        self.sent.append(email)


def notify(email: Email) -> None:
    """Send a courtesy email about something that has already happened: a failure is only logged."""
    from chalicelib.core.collaborators import current  # collaborators build on this module

    try:
        current().mail.send(email)
    except MailError:
        log.exception("could not send %r", email.subject)
