"""The injectable clock, the mail senders and the scheduled-job wiring."""
import json
from datetime import timedelta

import pytest
from chalice import Chalice
from chalice.local import LambdaContext
from chalice.test import Client

from chalicelib import jobs
from chalicelib.core import clock, collaborators, mail
from chalicelib.core.settings import get_settings
from chalicelib.core.telemetry import Tally
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

    assert isinstance(collaborators.Collaborators.from_settings(get_settings()).mail, kind)


def test_the_ses_sender_sends_through_ses(aws):
    import boto3

    boto3.client("ses").verify_email_identity(EmailAddress="no-reply@example.com")
    mail.SesSender("no-reply@example.com").send(mail.Email("a@example.com", "Hi", "Body"))

    assert boto3.client("ses").get_send_quota()["SentLast24Hours"] == 1


def test_the_ses_sender_raises_mail_error_when_ses_refuses(aws):
    with pytest.raises(mail.MailError):
        mail.SesSender("unverified@example.com").send(mail.Email("a@example.com", "Hi", "Body"))


def scheduled_event(rule: str) -> dict:
    """What EventBridge sends the target of scheduled rule `rule`."""
    return {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-11-23T12:00:00Z", "region": "us-east-1",
            "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"], "detail": {}}


def test_a_job_is_scheduled_at_its_rate_by_a_handler_named_after_it(monkeypatch, fixed_clock):
    seen = []
    monkeypatch.setattr(jobs, "JOBS", {})
    for name, rate in (("tick-tock", 15), ("other", 5)):
        jobs.job(name, every_minutes=rate, description="test", tables=())(
            lambda now, name=name: seen.append((name.split("-")[0], now)) or Tally())
    app = Chalice("jobs-test")

    handler = jobs.scheduled(app, "tick-tock")

    [source] = app.event_sources
    assert (source.name, source.schedule_expression.to_string()) == ("tick-tock", "rate(15 minutes)")
    assert (source.handler_string, handler.func.__name__) == ("app.tick_tock", "tick_tock")
    with Client(app, project_dir=str(ROOT / "tests")) as client:
        client.lambda_.invoke("tick-tock", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))
    assert seen == [("tick", NOW)]


def test_each_scheduled_function_of_the_app_has_a_handler_of_its_own(monkeypatch, fixed_clock):
    """What AWS runs: the template's `Handler: app.<name>`, looked up on the app module and called with the
    rule's event. Each runs its own job, and only that one."""
    import app as module

    ran = []
    for name, job in jobs.JOBS.items():
        run = lambda now, name=name: ran.append((name, now)) or Tally()  # noqa: E731
        monkeypatch.setitem(jobs.JOBS, name, job._replace(run=run))
    sources = module.app.event_sources

    handlers = {source.name: _resolve(module, source.handler_string) for source in sources}

    assert sorted(handlers) == sorted(jobs.JOBS)
    assert len({id(handler) for handler in handlers.values()}) == len(handlers)
    for name, handler in handlers.items():
        ran.clear()
        handler(scheduled_event(name), LambdaContext(name, memory_size=512))
        assert ran == [(name, NOW)]


def _resolve(module: object, handler_string: str) -> object:
    """The callable a Lambda `Handler` string names, as the Python runtime finds it."""
    module_name, _, attribute = handler_string.partition(".")
    assert module_name == module.__name__
    handler = getattr(module, attribute)
    assert callable(handler)
    return handler


def test_each_job_runs_at_its_registered_rate():
    from app import app

    rates = {source.name: source.schedule_expression.to_string() for source in app.event_sources}

    assert rates == {name: f"rate({job.every_minutes} minute{'s' if job.every_minutes > 1 else ''})"
                     for name, job in jobs.JOBS.items()}
