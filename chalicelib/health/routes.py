"""GET /health: whether each piece of the stack answers, for monitors and for `make status`. No auth, no names."""
from chalice.app import Blueprint, Response

from chalicelib.core.contracts import Contract, Surface
from chalicelib.core.routing import MESSAGE_SCHEMA, invalid_message, json_response, render_message, routes

bp = Blueprint(__name__)
REPORT = {"type": "object", "required": ["status", "checks"], "properties": {
    "status": {"enum": ["ok", "degraded"]},
    "checks": {"type": "object", "additionalProperties": {"enum": ["ok", "unreachable"]}}}}


SURFACE = Surface(tag="Health", invalid=invalid_message, error_schema=MESSAGE_SCHEMA)
route = routes(bp, render_message, SURFACE)


@route("/health", contract=Contract(
        summary="Whether each piece of the stack answers (503 when one does not)",
        answers={200: REPORT, 503: REPORT},
        examples={"response": {"status": "ok", "checks": {"dynamodb": "ok", "s3": "ok"}}}))
def health() -> Response:
    from chalicelib.health import checks

    report = checks.report()
    return json_response(report, 200 if report["status"] == "ok" else 503,
                         headers={"Cache-Control": "no-store"})
