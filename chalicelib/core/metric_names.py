"""The names of the platform's own CloudWatch metrics (embedded metric format), in one place: the code that emits
them and the alarms and dashboard that read them (infra/monitoring.py) import these, so neither can drift.

CloudWatch keys a metric by its namespace, name and its whole set of dimensions: a record emitted with any other
dimension besides these (Powertools adds `service` when it knows a service name) is another metric, unseen by the
alarms."""
from typing import Final

NAMESPACE: Final = "ServerlessPlatform"
# The service name the functions run as (POWERTOOLS_SERVICE_NAME): traces and logs, not a metric dimension.
SERVICE: Final = "serverless-platform"

# Dimensions. STAGE's value is the stage's name (`dev`, `prod`: the STAGE variable), not API Gateway's stage path.
STAGE: Final = "Stage"
SURFACE: Final = "Surface"
JOB: Final = "Job"

# The surfaces a request is counted under (SURFACE's values).
SURFACES: Final = ("accounts", "recordings", "nearby", "content_requests", "coaching", "dialogues", "apidocs")
NEARBY: Final = "nearby"

# Per request of the API function, dimensions (STAGE, SURFACE).
REQUESTS: Final = "Requests"  # Count, 1 a request
CLIENT_ERRORS: Final = "ClientErrors"  # Count, 1 a 4xx answer
SERVER_ERRORS: Final = "ServerErrors"  # Count, 1 a 5xx answer
LATENCY: Final = "Latency"  # Milliseconds, the request's time in the handler
REQUEST_DIMENSIONS: Final = (STAGE, SURFACE)

# Per run of a scheduled job, dimensions (STAGE, JOB); JOB's value is the job's name in chalicelib.jobs.JOBS.
JOB_RUNS: Final = "JobRuns"  # Count, 1 a run, failed or not: the heartbeat the job's "missed" alarm watches
ITEMS_CHANGED: Final = "ItemsChanged"  # Count
ITEMS_FAILED: Final = "ItemsFailed"  # Count
JOB_FAILED: Final = "JobFailed"  # Count, 1 when the run raised
JOB_DIMENSIONS: Final = (STAGE, JOB)

# Per nearest query, dimensions (STAGE, SURFACE) with SURFACE = NEARBY.
NEAREST_ITEMS_READ: Final = "NearestItemsRead"  # Count, the DynamoDB items one nearest request read, sign-in included

# The unit each metric is emitted in.
UNITS: Final = {REQUESTS: "Count", CLIENT_ERRORS: "Count", SERVER_ERRORS: "Count", LATENCY: "Milliseconds",
                JOB_RUNS: "Count", ITEMS_CHANGED: "Count", ITEMS_FAILED: "Count", JOB_FAILED: "Count",
                NEAREST_ITEMS_READ: "Count"}
