"""A stage's alarms and dashboard over what its API, functions, jobs and tables emit: API Gateway's and Lambda's
own metrics, DynamoDB's, and the app's (chalicelib/core/metric_names.py). Every alarm notifies the ops topic."""
from collections.abc import Iterable, Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from chalicelib.core import metric_names as names
from chalicelib.jobs import JOBS, Job
from infra.resources import PlatformResources

# The share of the API's requests answering 5xx, over five minutes, that raises its alarm; below this many requests
# in those minutes the rate says nothing (one failure out of three at night) and the alarm stays quiet.
API_5XX_RATE = 0.01
API_5XX_MIN_REQUESTS = 20
# API Gateway's p99 latency that raises its alarm, in 3 of 5 minutes: well above a warm request (tens of ms) and a
# cold start (about a second), well below the 29 s integration timeout; a sustained 3 s is a slow table or service.
P99_LATENCY_MS = 3000
# A job is missed when this many of its intervals pass without a run (its heartbeat, JobRuns).
MISSED_RUNS = 2
# DynamoDB's throttles are per table, and an alarm's metric math reads at most 10 metrics: the tables are watched in
# groups of 5 (reads and writes of each). CloudWatch bills by metric watched, so grouping costs the same as an alarm
# per table while keeping the alarm count low.
TABLES_PER_THROTTLE_ALARM = 5
FIVE_MINUTES = Duration.minutes(5)


def _sum(namespace: str, metric: str, dimensions: Mapping[str, str], period: Duration = FIVE_MINUTES,
         label: str | None = None) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=namespace, metric_name=metric, dimensions_map=dict(dimensions),
                             statistic="Sum", period=period, label=label)


def _groups(items: list, size: int) -> Iterable[list]:
    return (items[start:start + size] for start in range(0, len(items), size))


class Monitoring(Construct):
    """The alarms and the dashboard of one stage. `functions` maps each Lambda function's logical id to its name,
    `job_functions` each job's name to its function's logical id."""

    def __init__(self, scope: Construct, construct_id: str, *, resources: PlatformResources, api_name: str,
                 api_stage: str, functions: Mapping[str, str], job_functions: Mapping[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.resources, self.stage = resources, resources.stage
        self.api = {"ApiName": api_name, "Stage": api_stage}
        self.functions = functions
        self._api_alarms()
        for logical, function_name in functions.items():
            for metric in ("Errors", "Throttles"):
                self._alarm(f"{logical}{metric}", _sum("AWS/Lambda", metric, {"FunctionName": function_name}),
                            f"{logical}: Lambda {metric.lower()}")
        for job in JOBS.values():
            self._job_alarms(job, job_functions[job.name])
        self._table_throttle_alarms()
        self.dashboard = self._dashboard()

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, description: str, threshold: float = 1,
               missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
               **options: object) -> cloudwatch.Alarm:
        return self.resources.notify(cloudwatch.Alarm(
            self, construct_id, metric=metric, threshold=threshold, alarm_description=description,
            treat_missing_data=missing, **{"evaluation_periods": 1, **options}))

    def _api_alarms(self) -> None:
        rate = cloudwatch.MathExpression(
            expression=f"IF(requests >= {API_5XX_MIN_REQUESTS}, errors / requests, 0)", period=FIVE_MINUTES,
            label="share of requests answered 5xx", using_metrics={
                "errors": _sum("AWS/ApiGateway", "5XXError", self.api),
                "requests": _sum("AWS/ApiGateway", "Count", self.api)})
        self._alarm("Api5xx", rate, f"More than {API_5XX_RATE:.0%} of the API's requests answered 5xx (at least "
                                    f"{API_5XX_MIN_REQUESTS} requests in 5 minutes)", threshold=API_5XX_RATE,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD)
        latency = cloudwatch.Metric(namespace="AWS/ApiGateway", metric_name="Latency", dimensions_map=self.api,
                                    statistic="p99", period=Duration.minutes(1))
        self._alarm("ApiP99Latency", latency,
                    f"The API's p99 latency was over {P99_LATENCY_MS} ms in 3 of the last 5 minutes",
                    threshold=P99_LATENCY_MS, evaluation_periods=5, datapoints_to_alarm=3,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    # A quiet minute's p99 is one or two requests: a single cold start would count.
                    evaluate_low_sample_count_percentile="ignore")

    def _job_metric(self, metric: str, job: Job, period: Duration, label: str | None = None) -> cloudwatch.Metric:
        return _sum(names.NAMESPACE, metric, {names.STAGE: self.stage, names.JOB: job.name}, period, label)

    def _job_alarms(self, job: Job, logical: str) -> None:
        """A run that raised, and a job that did not run for `MISSED_RUNS` of its intervals (a stopped schedule, or
        runs killed before they could report: no heartbeat is a missed run)."""
        every = Duration.minutes(job.every_minutes)
        self._alarm(f"{logical}Failed", self._job_metric(names.JOB_FAILED, job, every), f"{job.name}: a run failed")
        missed = Duration.minutes(job.every_minutes * MISSED_RUNS)
        self._alarm(f"{logical}Missed", self._job_metric(names.JOB_RUNS, job, missed),
                    f"{job.name}: no run in {MISSED_RUNS} intervals of {job.every_minutes} min",
                    missing=cloudwatch.TreatMissingData.BREACHING,
                    comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD)

    def _table_names(self) -> list[str]:
        return [str(table.table_name) for table in self.resources.tables.values()]

    def _table_throttle_alarms(self) -> None:
        for number, tables in enumerate(_groups(self._table_names(), TABLES_PER_THROTTLE_ALARM)):
            using = {f"{kind[0].lower()}{index}": _sum("AWS/DynamoDB", f"{kind}ThrottleEvents", {"TableName": table})
                     for index, table in enumerate(tables) for kind in ("Read", "Write")}
            throttles = cloudwatch.MathExpression(expression=f"SUM([{', '.join(using)}])", using_metrics=using,
                                                  period=FIVE_MINUTES, label="throttled reads and writes")
            self._alarm(f"TableThrottles{number}", throttles,
                        f"DynamoDB throttled reads or writes on {', '.join(tables)}")

    def _dashboard(self) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=self.resources.prefix,
                                         default_interval=Duration.hours(3))
        dashboard.add_widgets(cloudwatch.TextWidget(
            markdown=f"# {self.resources.prefix}\nRequests, errors and p99 latency per surface; job heartbeats; "
                     "DynamoDB, Lambda and queues.", width=24, height=2))
        for surface in names.SURFACES:
            dashboard.add_widgets(*self._surface_row(surface))
        dashboard.add_widgets(*self._job_row())
        dashboard.add_widgets(*self._table_row())
        dashboard.add_widgets(*self._function_and_queue_row())
        return dashboard

    def _graph(self, title: str, metrics: list[cloudwatch.IMetric], width: int = 8) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(title=title, left=metrics, width=width, height=6)

    def _surface_row(self, surface: str) -> list[cloudwatch.GraphWidget]:
        """Requests, 4xx and 5xx, p99 latency; and for nearby also the index items its nearest queries read."""
        dimensions = {names.STAGE: self.stage, names.SURFACE: surface}

        def count(metric: str) -> cloudwatch.Metric:
            return _sum(names.NAMESPACE, metric, dimensions, label=metric)

        latency = cloudwatch.Metric(namespace=names.NAMESPACE, metric_name=names.LATENCY, dimensions_map=dimensions,
                                    statistic="p99", period=FIVE_MINUTES, label="p99 (ms)")
        graphs = {f"{surface}: requests": [count(names.REQUESTS)],
                  f"{surface}: errors": [count(names.CLIENT_ERRORS), count(names.SERVER_ERRORS)],
                  f"{surface}: latency": [latency]}
        if surface == names.NEARBY:
            graphs[f"{surface}: items read by nearest"] = [count(names.NEAREST_ITEMS_READ)]
        return [self._graph(title, metrics, width=24 // len(graphs)) for title, metrics in graphs.items()]

    def _job_row(self) -> list[cloudwatch.GraphWidget]:
        jobs = list(JOBS.values())

        def per_job(metric: str) -> list[cloudwatch.IMetric]:
            return [self._job_metric(metric, job, FIVE_MINUTES, label=job.name) for job in jobs]

        return [self._graph("Job runs (heartbeat)", per_job(names.JOB_RUNS), width=6),
                self._graph("Job runs failed", per_job(names.JOB_FAILED), width=6),
                self._graph("Items changed by jobs", per_job(names.ITEMS_CHANGED), width=6),
                self._graph("Items jobs failed on", per_job(names.ITEMS_FAILED), width=6)]

    def _table_row(self) -> list[cloudwatch.GraphWidget]:
        tables = self._table_names()

        def per_table(metric: str) -> list[cloudwatch.IMetric]:
            return [_sum("AWS/DynamoDB", metric, {"TableName": table}, label=table.removeprefix(
                f"{self.resources.prefix}-")) for table in tables]

        return [self._graph("DynamoDB consumed read capacity", per_table("ConsumedReadCapacityUnits"), width=6),
                self._graph("DynamoDB consumed write capacity", per_table("ConsumedWriteCapacityUnits"), width=6),
                self._graph("DynamoDB read throttles", per_table("ReadThrottleEvents"), width=6),
                self._graph("DynamoDB write throttles", per_table("WriteThrottleEvents"), width=6)]

    def _function_and_queue_row(self) -> list[cloudwatch.GraphWidget]:
        def per_function(metric: str) -> list[cloudwatch.IMetric]:
            return [_sum("AWS/Lambda", metric, {"FunctionName": name}, label=logical)
                    for logical, name in self.functions.items()]

        queues = self.resources
        return [self._graph("Lambda errors", per_function("Errors")),
                self._graph("Lambda throttles", per_function("Throttles")),
                self._graph("Messenger queue", [
                    queues.queue.metric_approximate_age_of_oldest_message(statistic="Maximum", label="oldest (s)"),
                    queues.dead_letters.metric_approximate_number_of_messages_visible(
                        statistic="Maximum", label="dead letters")])]
