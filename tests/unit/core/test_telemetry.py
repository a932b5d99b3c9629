"""The operators' view (issue 21): one JSON line per request and per job run, EMF metrics, nothing secret logged."""
import json

import jwt
import pytest

from chalicelib.core import telemetry
from tests.conftest import JAY


def test_a_signed_in_request_writes_one_line_with_its_route_account_status_and_round_trips(api, jay, log_lines,
                                                                                            aws_calls):
    aws_calls.clear()
    status, _ = api.get("/api/auth/me/", token=jay["access_token"])

    [line] = log_lines("request")
    assert status == 200
    assert (line["level"], line["route"], line["method"], line["status"]) == ("INFO", "/api/auth/me", "GET", 200)
    subject = jwt.decode(jay["access_token"], options={"verify_signature": False})["sub"]
    assert (line["account_id"], line["surface"]) == (subject, "accounts")
    assert line["dynamodb_calls"] == sum(1 for service, *_ in aws_calls if service == "dynamodb") >= 1
    assert line["dynamodb_capacity"] > 0 and line["other_calls"] == {}
    assert isinstance(line["latency_ms"], float) and isinstance(line["cold_start"], bool)
    assert {"request_id", "timestamp", "service"} <= set(line)


def test_only_the_first_request_of_a_process_is_a_cold_start(api, log_lines, monkeypatch):
    monkeypatch.setattr(telemetry, "_cold", True)
    api.get("/api/projects/")
    api.get("/api/projects/")

    assert [line["cold_start"] for line in log_lines("request")] == [True, False]


def test_a_request_without_a_token_has_no_account_and_its_4xx_is_counted_as_a_client_error(api, log_lines, emf):
    status, _ = api.get("/api/auth/me/")

    [line] = log_lines("request")
    assert status == 401 and line["status"] == 401 and "account_id" not in line  # Powertools drops empty keys
    [document] = emf()
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ServerlessPlatform"
    assert directive["Dimensions"] == [["Stage", "Surface"]]
    assert (document["Stage"], document["Surface"]) == ("test", "accounts")
    assert {metric["Name"] for metric in directive["Metrics"]} == {"Requests", "ClientErrors", "ServerErrors",
                                                                  "Latency"}
    assert (document["Requests"], document["ClientErrors"], document["ServerErrors"]) == ([1.0], [1.0], [0.0])


def test_a_failing_handler_answers_a_bare_500_and_logs_its_trace_on_its_line_only(api, jay, log_lines, emf,
                                                                                 monkeypatch):
    from chalicelib.accounts import routes

    def broken(request):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(routes, "authenticate", broken)
    status, body = api.get("/api/auth/me/", token=jay["access_token"])

    assert (status, body) == (500, {"Code": "InternalServerError", "Message": "An internal server error occurred."})
    [line] = log_lines("request")
    assert (line["level"], line["status"], line["exception_name"]) == ("ERROR", 500, "RuntimeError")
    assert "Traceback" in line["exception"] and "the disk is on fire" in line["exception"]
    assert [document["ServerErrors"] for document in emf()] == [[1.0]]


def test_no_line_holds_a_password_token_or_email(api, log_lines):
    api.post("/api/auth/register/", JAY)
    status, body = api.post("/api/auth/login/", {"email": JAY["email"], "password": JAY["password"]})
    api.get("/api/auth/me/", token=body["data"]["access_token"])

    logged = json.dumps(log_lines())
    assert status == 200 and len(log_lines("request")) == 3
    for secret in (JAY["password"], JAY["email"], body["data"]["access_token"], body["data"]["refresh_token"]):
        assert secret not in logged


def test_a_job_run_writes_its_items_seen_changed_and_failed_and_a_heartbeat(aws, log_lines, emf):
    calls = iter([1, 0, RuntimeError("throttled")])

    def change():
        outcome = next(calls)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def run() -> telemetry.Tally:
        tally = telemetry.Tally()
        for _ in range(3):
            tally.take(change)
        return tally

    tally = telemetry.job_run("expire-requests", run)

    assert (tally.seen, tally.changed, tally.failed) == (3, 1, 1)
    failure, line = log_lines("job")
    assert (failure["level"], failure["exception_name"]) == ("ERROR", "RuntimeError")
    assert (line["level"], line["job"], line["seen"], line["changed"], line["failed"]) == (
        "INFO", "expire-requests", 3, 1, 1)
    [document] = emf()
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Stage", "Job"]]
    assert (document["Job"], document["JobRuns"], document["ItemsChanged"], document["ItemsFailed"],
            document["JobFailed"]) == ("expire-requests", [1.0], [1.0], [1.0], [0.0])


def test_a_job_that_raises_is_logged_with_its_trace_and_counted_as_failed(aws, log_lines, emf):
    def run() -> telemetry.Tally:
        raise ConnectionError("no route to DynamoDB")

    with pytest.raises(ConnectionError):
        telemetry.job_run("send-checkins", run)

    [line] = log_lines("job")
    assert (line["level"], line["job"], line["exception_name"]) == ("ERROR", "send-checkins", "ConnectionError")
    [document] = emf()
    assert (document["JobRuns"], document["JobFailed"]) == ([1.0], [1.0])
