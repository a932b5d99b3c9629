"""The deploy rehearsal's operators' view (issue 21): the packaged functions write, to the log Lambda sends to
CloudWatch, one JSON line per request and per job run, and the EMF documents CloudWatch turns into the metrics that
the stack's alarms and dashboard read, under the template's stage."""
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

from tests.rehearsal.clients import call
from tests.rehearsal.conftest import API
from tests.rehearsal.test_jobs import run_job


def _logged(stage, logical: str, since: int) -> list[dict]:
    """The JSON documents function `logical` wrote to its log after byte `since`."""
    text = stage.functions[logical].log.read_text()[since:]
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _log_size(stage, logical: str) -> int:
    log = stage.functions[logical].log
    return len(log.read_text()) if log.exists() else 0


def _metrics(documents: list[dict]) -> list[dict]:
    return [document for document in documents if "_aws" in document]


def test_a_request_writes_its_line_and_its_emf_metrics_under_the_stage(stage):
    since = _log_size(stage, API)

    status, _ = call(stage, "GET", "/api/auth/me/")

    written = _logged(stage, API, since)
    [line] = [document for document in written if document.get("kind") == "request"]
    assert (status, line["route"], line["method"], line["status"]) == (401, "/api/auth/me", "GET", 401)
    [document] = _metrics(written)
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert (directive["Namespace"], directive["Dimensions"]) == ("ServerlessPlatform", [["Stage", "Surface"]])
    assert (document["Stage"], document["Surface"], document["Requests"], document["ClientErrors"]) == (
        stage.name, "accounts", [1.0], [1.0])


def test_a_job_run_writes_its_line_and_its_heartbeat(stage):
    since = _log_size(stage, "ExpireContentRequests")

    answer = run_job(stage, "ExpireContentRequests", datetime.now(UTC))

    written = _logged(stage, "ExpireContentRequests", since)
    [line] = [document for document in written if document.get("kind") == "job" and "job" in document]
    assert (line["job"], line["changed"], line["failed"]) == ("expire-content-requests", answer["changed"], 0)
    [document] = _metrics(written)
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Stage", "Job"]]
    assert (document["Stage"], document["Job"], document["JobRuns"], document["JobFailed"]) == (
        stage.name, "expire-content-requests", [1.0], [0.0])


def test_a_traced_request_sends_its_dynamodb_and_s3_calls_as_subsegments_of_its_trace(stage):
    seen = len(stage.traces.documents)

    status, answer = call(stage, "GET", "/health")

    assert (status, answer["checks"]) == (200, {"dynamodb": "ok", "s3": "ok"})
    wanted = {("dynamodb", "DescribeTable"), ("s3", "HeadBucket")}
    traces = _calls_by_trace(stage, seen, until=lambda calls: calls >= wanted)
    assert any(calls >= wanted for calls in traces.values()), traces


def _calls_by_trace(stage, since: int, until: Callable[[set], bool], timeout: float = 5) -> dict[str, set]:
    """The AWS calls of the subsegments the stage's functions sent the X-Ray daemon after the first `since`, by
    trace, once one trace's calls satisfy `until` (UDP: a moment). By trace, since a job invoked before may still be
    sending its own."""
    deadline = time.monotonic() + timeout
    while True:
        traces: dict[str, set[tuple[str, str]]] = {}
        for document in stage.traces.documents[since:]:
            if document.get("namespace") == "aws":
                traces.setdefault(document["trace_id"], set()).add((document["name"], document["aws"]["operation"]))
        if any(until(calls) for calls in traces.values()) or time.monotonic() > deadline:
            return traces
        time.sleep(0.05)
