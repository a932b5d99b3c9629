"""The events AWS sends the functions: API Gateway REST proxy events (v1), routed by the template's own swagger
as API Gateway routes them, and EventBridge scheduled events."""
import base64
import json
import uuid
from datetime import UTC, datetime

from local.events import scheduled_event
from tests.rehearsal.template import ACCOUNT, REGION


class NoRoute(Exception):
    """API Gateway has no resource for the path: it answers 403 "Missing Authentication Token" itself."""


def _matches(template: str, parts: list[str]) -> int | None:
    """How many literal segments of `template` match `parts`, or None if it does not match."""
    segments = [s for s in template.split("/") if s]
    if len(segments) != len(parts):
        return None
    literal = 0
    for segment, part in zip(segments, parts, strict=True):
        if segment.startswith("{") and segment.endswith("}"):
            continue
        if segment != part:
            return None
        literal += 1
    return literal


def route(swagger: dict, method: str, path: str) -> tuple[str, dict]:
    """The swagger resource API Gateway picks for `path` (literal segments win over parameters), and the path
    parameters it extracts."""
    parts = [p for p in path.split("/") if p]
    candidates = [(score, template) for template, methods in swagger["paths"].items()
                  if method.lower() in methods and (score := _matches(template, parts)) is not None]
    if not candidates:
        raise NoRoute(f"{method} {path}")
    _, template = max(candidates)
    segments = [s for s in template.split("/") if s]
    parameters = {s[1:-1]: part for s, part in zip(segments, parts, strict=True) if s.startswith("{")}
    return template, parameters


class Gateway:
    """Builds the proxy events API Gateway's stage `stage` of REST API `api_id` sends for HTTP requests."""

    def __init__(self, swagger: dict, api_id: str, stage: str):
        self.swagger, self.api_id, self.stage = swagger, api_id, stage
        self.binary_types = set(swagger.get("x-amazon-apigateway-binary-media-types", []))
        self.domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"

    @property
    def base_url(self) -> str:
        return f"https://{self.domain}/{self.stage}"

    def event(self, method: str, path: str, query: dict | None = None, headers: dict | None = None,
              body: bytes | str | None = None) -> dict:
        resource, parameters = route(self.swagger, method, path)
        sent = {"Host": self.domain, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Port": "443", "User-Agent": "rehearsal", **(headers or {})}
        content_type = next((v for k, v in sent.items() if k.lower() == "content-type"), "").split(";")[0].strip()
        binary = content_type in self.binary_types
        if isinstance(body, str):
            body = body.encode()
        text = None
        if body is not None:
            text = base64.b64encode(body).decode() if binary else body.decode()
        now = datetime.now(UTC)
        return {
            "resource": resource, "path": path, "httpMethod": method, "headers": sent,
            "multiValueHeaders": {name: [value] for name, value in sent.items()},
            "queryStringParameters": dict(query) if query else None,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
            "pathParameters": parameters or None, "stageVariables": None,
            "requestContext": {
                "resourceId": "rehearsal", "resourcePath": resource, "httpMethod": method,
                "extendedRequestId": str(uuid.uuid4()), "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "path": f"/{self.stage}{path}", "accountId": ACCOUNT, "protocol": "HTTP/1.1", "stage": self.stage,
                "domainPrefix": self.api_id, "requestTimeEpoch": int(now.timestamp() * 1000),
                "requestId": str(uuid.uuid4()), "domainName": self.domain, "apiId": self.api_id,
                "identity": {"sourceIp": "203.0.113.7", "userAgent": "rehearsal", "accountId": None,
                             "caller": None, "user": None, "userArn": None, "accessKey": None}},
            "body": text, "isBase64Encoded": binary and body is not None}


def answer(result: dict) -> tuple[int, dict, bytes]:
    """A proxy integration's answer as the client gets it: status, headers and the body's bytes."""
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    headers = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = values[-1]
    return result["statusCode"], headers, raw


def json_body(raw: bytes):
    return json.loads(raw) if raw else None


def scheduled(rule: str, when: datetime | None = None) -> dict:
    """The event an EventBridge schedule rule sends its target."""
    return scheduled_event(rule, ACCOUNT, REGION, when)
