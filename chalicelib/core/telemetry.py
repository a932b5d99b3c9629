"""What the platform tells its operators (AWS Lambda Powertools): one JSON line per request and per job run, EMF
metrics, X-Ray subsegments of every AWS call on Lambda, and the count of AWS calls each request made."""
import contextvars
import logging
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from chalicelib.core import metric_names as names
from chalicelib.core.settings import get_settings

SERVICE = names.SERVICE
logger = Logger(service=SERVICE, use_rfc3339=True)
# The route lines and the job lines go to one logger; `kind` tells them apart (`make run` files them apart).
REQUEST, JOB = "request", "job"
# The modules' own loggers (`chalicelib.*`: a mail that could not be sent, ...) write JSON lines the same way.
MODULES = "chalicelib"


def send_lines_to(handlers: list[logging.Handler]) -> None:
    """Write every line (this module's and the modules') to `handlers` instead of stdout, as `make run` does."""
    for name in (SERVICE, MODULES):
        target = logging.getLogger(name)
        for handler in list(target.handlers):
            target.removeHandler(handler)
        for handler in handlers:
            target.addHandler(handler)
        target.propagate = False


send_lines_to([logger.registered_handler])
logging.getLogger(MODULES).setLevel(logging.INFO)


@dataclass
class Work:
    """What one request or one job run did, gathered while it runs."""

    started: float = field(default_factory=time.perf_counter)
    account_id: str | None = None
    dynamodb: int = 0
    items: int = 0
    capacity: float = 0.0
    others: Counter[str] = field(default_factory=Counter)
    error: BaseException | None = None
    counts: dict[str, float] = field(default_factory=dict)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)

    def calls(self) -> dict[str, Any]:
        return {"dynamodb_calls": self.dynamodb, "dynamodb_items": self.items,
                "dynamodb_capacity": round(self.capacity, 2), "other_calls": dict(self.others)}


_work: contextvars.ContextVar[Work | None] = contextvars.ContextVar("work", default=None)
_cold = True


def identify(account_id: str) -> None:
    """Name the account a request acts for (its verified access token's subject) on its line."""
    work = _work.get()
    if work is not None:
        work.account_id = account_id


def failed(error: BaseException) -> None:
    """Keep the exception a request ended with, for its line's stack trace (the answer never shows it)."""
    work = _work.get()
    if work is not None:
        work.error = error


def count(metric: str, value: float) -> None:
    """Add `value` to the request's metric `metric` (for example the items a nearest lookup read)."""
    work = _work.get()
    if work is not None:
        work.counts[metric] = work.counts.get(metric, 0) + value


def items_read() -> int:
    """The DynamoDB items the current request has read so far."""
    work = _work.get()
    return work.items if work is not None else 0


def watch(events: Any) -> None:
    """Count every call of a botocore client (or of a session's future clients) on the request it serves."""
    events.register("after-call", _after_call)


def _after_call(model: Any, parsed: Any = None, **_: Any) -> None:
    work = _work.get()
    if work is None:
        return
    service = model.service_model.service_name
    if service != "dynamodb":
        work.others[service] += 1
        return
    work.dynamodb += 1
    parsed = parsed or {}
    work.items += _items(parsed)
    # A table's operation answers one ConsumedCapacity; a batch or a transaction, one per table.
    consumed = parsed.get("ConsumedCapacity") or []
    for part in consumed if isinstance(consumed, list) else [consumed]:
        work.capacity += float(part.get("CapacityUnits", 0))


def _items(parsed: dict[str, Any]) -> int:
    """The items one DynamoDB answer carries: a Query's count, a GetItem's item, a batch's responses."""
    if "Count" in parsed:
        return int(parsed["Count"])
    if "Item" in parsed:
        return 1
    responses = parsed.get("Responses") or []
    return sum(len(items) for items in responses.values()) if isinstance(responses, dict) else len(responses)


def requests(app: Any) -> Callable[[Any, Callable[[Any], Any]], Any]:
    """Chalice `http` middleware: each request's line and metrics, whatever its answer."""
    surfaces: dict[str, str] = {}

    def middleware(request: Any, get_response: Callable[[Any], Any]) -> Any:
        work = Work()
        token = _work.set(work)
        try:
            response = get_response(request)
        finally:
            _work.reset(token)
        route = request.context.get("resourcePath", "")
        if route not in surfaces:
            surfaces[route] = _surface(app, route)
        _request_line(request, route, surfaces[route], response.status_code, work)
        return response

    return middleware


def _surface(app: Any, route: str) -> str:
    """The surface serving `route`: the package of its views (`chalicelib.<surface>.routes`)."""
    for entry in app.routes.get(route, {}).values():
        parts = entry.view_function.__module__.split(".")
        if parts[0] == "chalicelib" and parts[1] != "core":
            return str(parts[1])
    return "platform"


def _request_line(request: Any, route: str, surface: str, status: int, work: Work) -> None:
    global _cold
    cold, _cold = _cold, False
    latency = work.elapsed_ms()
    # API Gateway's id (the access log's too); the local server and the test client give only Lambda's.
    request_id = request.context.get("requestId") or getattr(request.lambda_context, "aws_request_id", None)
    fields = {"kind": REQUEST, "request_id": request_id, "route": route,
              "method": request.method, "status": status, "latency_ms": latency, "account_id": work.account_id,
              "cold_start": cold, "surface": surface, **work.calls()}
    if status >= 500:
        logger.error("request failed", extra=fields, exc_info=work.error)
    else:
        logger.info("request", extra=fields)
    metrics = _metrics({names.SURFACE: surface})
    metrics.add_metric(names.REQUESTS, MetricUnit.Count, 1)
    metrics.add_metric(names.CLIENT_ERRORS, MetricUnit.Count, int(400 <= status < 500))
    metrics.add_metric(names.SERVER_ERRORS, MetricUnit.Count, int(status >= 500))
    metrics.add_metric(names.LATENCY, MetricUnit.Milliseconds, latency)
    for name, value in work.counts.items():
        metrics.add_metric(name, MetricUnit.Count, value)
    _flush(metrics)


@dataclass
class Tally:
    """What a job run did with the items it met. An item that fails is logged and left for the next run; the
    others go on."""

    seen: int = 0
    changed: int = 0
    failed: int = 0

    def take(self, change: Callable[[], int | bool]) -> None:
        """Count one item, and whether `change()` changed it (true) or found nothing to do (false)."""
        self.seen += 1
        try:
            self.changed += int(change())
        except Exception:  # noqa: BLE001  (one item's fault must not stop the run; its trace is logged)
            self.failed += 1
            logger.exception("job item failed", extra={"kind": JOB})


def job_run(name: str, run: Callable[[], Tally]) -> Tally:
    """Run one job, then write its line and metrics (a heartbeat, items changed and failed) however it ended."""
    work = Work()
    token = _work.set(work)
    tally = Tally()
    try:
        tally = run()
    except Exception as error:
        work.error = error
        raise
    finally:
        _work.reset(token)
        _job_line(name, tally, work)
    return tally


def _job_line(name: str, tally: Tally, work: Work) -> None:
    fields = {"kind": JOB, "job": name, "seen": tally.seen, "changed": tally.changed, "failed": tally.failed,
              "latency_ms": work.elapsed_ms(), **work.calls()}
    if work.error is not None:
        logger.error("job failed", extra=fields, exc_info=work.error)
    else:
        logger.info("job", extra=fields)
    metrics = _metrics({names.JOB: name})
    metrics.add_metric(names.JOB_RUNS, MetricUnit.Count, 1)
    metrics.add_metric(names.ITEMS_CHANGED, MetricUnit.Count, tally.changed)
    metrics.add_metric(names.ITEMS_FAILED, MetricUnit.Count, tally.failed)
    metrics.add_metric(names.JOB_FAILED, MetricUnit.Count, int(work.error is not None))
    _flush(metrics)


def _metrics(dimensions: dict[str, str]) -> EphemeralMetrics:
    # One set per line, so concurrent requests (the local server's threads) never share one. No `service`
    # dimension (Powertools adds one from POWERTOOLS_SERVICE_NAME otherwise): alarms match {Stage, Surface|Job}.
    return EphemeralMetrics(namespace=names.NAMESPACE, service="",
                            default_dimensions={names.STAGE: get_settings().stage, **dimensions})


def _flush(metrics: EphemeralMetrics) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Powertools warns of an empty set when metrics are disabled
        metrics.flush_metrics()


def trace_aws_calls() -> None:
    """On Lambda, X-Ray subsegments for every AWS call (botocore: DynamoDB through PynamoDB, S3, SNS, ...). Only
    there: elsewhere the X-Ray SDK builds sampling clients, over half a second."""
    if not os.environ.get("LAMBDA_TASK_ROOT") or os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() == "true":
        return
    from aws_lambda_powertools import Tracer

    Tracer(service=SERVICE, patch_modules=("botocore",))

