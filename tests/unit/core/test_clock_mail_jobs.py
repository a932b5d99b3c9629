"""The injectable clock, the mail senders and the scheduled-job wiring."""
import json
from datetime import timedelta

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib import jobs
from chalicelib.core import clock, mail
from tests.conftest import NOW, ROOT


def test_a_fixed_clock_stands_still_until_advanced(fixed_clock):
    assert clock.now() == NOW
    fixed_clock.advance(minutes=5)
    assert clock.now() == NOW + timedelta(minutes=5)


def test_the_outbox_folder_writes_each_message_as_json(tmp_path, fixed_clock):
    mail.OutboxFolder(str(tmp_path)).send(mail.Email("a@example.com", "Hi", "Body"))

    [written] = list(tmp_path.iterdir())
    assert written.name.startswith("20261123T120000-")
    assert json.loads(written.read_text()) == {"to": "a@example.com", "subject": "Hi", "body": "Body"}


@pytest.mark.parametrize(("backend", "kind"), [("outbox", mail.OutboxFolder), ("memory", mail.MemoryOutbox),
                                               ("ses", mail.SesSender)])
def test_mail_backend_chooses_the_sender(settings_env, backend, kind):
    settings_env(MAIL_BACKEND=backend)
    mail.use(None)
    try:
        assert isinstance(mail.sender(), kind)
    finally:
        mail.use(None)


def test_the_ses_sender_sends_through_ses(aws):
    import boto3

    boto3.client("ses").verify_email_identity(EmailAddress="no-reply@example.com")
    mail.SesSender("no-reply@example.com").send(mail.Email("a@example.com", "Hi", "Body"))

    assert boto3.client("ses").get_send_quota()["SentLast24Hours"] == 1


def test_the_ses_sender_raises_mail_error_when_ses_refuses(aws):
    with pytest.raises(mail.MailError):
        mail.SesSender("unverified@example.com").send(mail.Email("a@example.com", "Hi", "Body"))


def test_a_registered_job_is_scheduled_and_runs_with_the_platform_clock(monkeypatch, fixed_clock):
    seen = []
    monkeypatch.setattr(jobs, "JOBS", {})
    jobs.job("tick", every_minutes=15, description="test", tables=())(lambda now: seen.append(now))
    app = Chalice("jobs-test")

    jobs.schedule(app)

    [source] = app.event_sources
    assert (source.name, source.schedule_expression.to_string()) == ("tick", "rate(15 minutes)")
    with Client(app, project_dir=str(ROOT / "tests")) as client:
        client.lambda_.invoke("tick", client.events.generate_cw_event("Scheduled Event", "aws.events", {}, []))
    assert seen == [NOW]
