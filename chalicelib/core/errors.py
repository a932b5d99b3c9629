"""Errors a request can end in. Services raise these; each surface renders them in its own shape."""
from typing import Any


class ApiError(Exception):
    """A 4xx (or deliberate 5xx) answer: `code` names it, `errors` lists the failures behind it."""

    status = 400
    # Headers the answer carries besides the surface's body (Retry-After on a 429).
    headers: dict[str, str] = {}

    def __init__(self, code: str, message: str = "", *, errors: list[Any] | None = None,
                 details: dict[str, Any] | None = None, status: int | None = None):
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.errors: list[Any] = errors if errors is not None else [code]
        self.details = details or {}
        if status is not None:
            self.status = status


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    """No usable credentials. `code` is one of: token_missing, token_invalid, token_expired, unknown_account."""

    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Gone(ApiError):
    status = 410


class PayloadTooLarge(ApiError):
    status = 413


class TooManyRequests(ApiError):
    """429: not now; `retry_after` seconds from now (the Retry-After header, and `details`)."""

    status = 429

    def __init__(self, code: str, message: str, retry_after: int):
        retry_after = max(1, int(retry_after))
        super().__init__(code, message, details={"retry_after": retry_after})
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class BadGateway(ApiError):
    status = 502


class InvalidJSON(BadRequest):
    """The body is not JSON; `details` carries the parser's reason, line and column."""

    def __init__(self, reason: str, line: int = 1, column: int = 1):
        super().__init__("invalid_json", "Invalid JSON in request body",
                         details={"reason": reason, "line": line, "column": column})

