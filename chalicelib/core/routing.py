"""Route registration shared by every surface: documented paths, any content type, one error shape."""
import functools
import re
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.core import contracts, telemetry
from chalicelib.core.contracts import Contract, Failure, Surface
from chalicelib.core.errors import ApiError, BadRequest

Render = Callable[[ApiError], Response]
# The documents send JSON with and without a JSON content type (curl -d sends a form type);
# the surfaces parse bodies themselves, so Chalice's own 415 check is switched off.
ANY_CONTENT_TYPE = ["*/*"]


def chalice_path(path: str) -> str:
    """A documented path in the form Chalice accepts: no trailing slash.

    API Gateway and Chalice's local gateway drop a request's trailing slash before
    matching, so `/register/` and `/register` both reach the route `/register`.
    """
    return path.rstrip("/") or "/"


def routes(blueprint: Blueprint, render: Render, surface: Surface | None = None) -> Callable[..., Callable[..., Any]]:
    """A `route(path, methods=..., contract=...)` decorator for one surface: its ApiErrors become
    `render(error)`, and `contracts.body()` / `contracts.query()` check against the route's contract."""

    def route(path: str, methods: tuple[str, ...] = ("GET",), contract: Contract | None = None,
              **options: Any) -> Callable[..., Any]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def handle(**params: Any) -> Any:
                entered = contracts.enter(contract, surface) if contract and surface else None
                try:
                    return view(**params)
                except ApiError as error:
                    response = render(error)
                    response.headers.update(error.headers)
                    return response
                except Exception as error:  # noqa: BLE001  (its trace goes to the request's log line only)
                    telemetry.failed(error)
                    return internal_error()
                finally:
                    if entered is not None:
                        contracts.leave(entered)

            # read by openapi (the contract) and by refuse_other_methods (the render)
            handle.contract, handle.surface, handle.render = contract, surface, render  # type: ignore[attr-defined]

            blueprint.route(chalice_path(path), methods=list(methods),
                            content_types=ANY_CONTENT_TYPE, **options)(handle)
            return view

        return register

    return route


def stage_prefix(request: Any) -> str:
    """The stage's path prefix (`/dev` behind API Gateway's default URL; empty locally or on a custom domain)."""
    context = request.context or {}
    path, resource = context.get("path") or "", context.get("resourcePath") or ""
    return str(path[:-len(resource)]) if resource and path.endswith(resource) else ""


# The error shape of the routes outside the five APIs (docs, health) and of unknown paths: API Gateway's own.
MESSAGE_SCHEMA = {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}


def render_message(error: ApiError) -> Response:
    return json_response({"message": error.message}, error.status)


def invalid_message(failures: list[Failure]) -> ApiError:
    """A request its contract refuses, in that shape: the first failure's message."""
    return BadRequest("invalid", failures[0].message)


def json_response(body: Any, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    return Response(body=body, status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


def internal_error() -> Response:
    """500, in the words Chalice uses for an exception it catches: nothing of the fault reaches the caller."""
    return json_response({"Code": "InternalServerError", "Message": "An internal server error occurred."}, 500)


def no_content() -> Response:
    """204: an empty body."""
    return Response(body="", status_code=204)


# An id in a path: 1 to 15 ASCII digits (no sign, no space, no other script's digits).
DIGITS = re.compile(r"[0-9]{1,15}")


def parse_id(value: str, pattern: re.Pattern[str] = DIGITS, least: int = 0) -> int | None:
    """The integer `value` names if it matches `pattern` whole and is at least `least`; else None."""
    if not pattern.fullmatch(value) or int(value) < least:
        return None
    return int(value)


def path_id(value: str, missing: Callable[[], ApiError] | ApiError, pattern: re.Pattern[str] = DIGITS,
            least: int = 0) -> int:
    """The id a path part names (see `parse_id`); anything else raises the surface's own `missing` error."""
    number = parse_id(value, pattern, least)
    if number is None:
        raise missing if isinstance(missing, ApiError) else missing()
    return number


# The methods a path answers 405 to when it does not serve them (API Gateway itself refuses TRACE and CONNECT).
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def refuse_other_methods(app: Any) -> None:
    """Every path answers a method it does not serve with 405 and `Allow`, in its surface's error shape, on API
    Gateway as locally (without a route of its own, API Gateway answers 403 "Missing Authentication Token")."""
    for number, (path, entries) in enumerate(list(app.routes.items())):
        missing = [method for method in METHODS if method not in entries]
        render = next((getattr(entry.view_function, "render", None) for entry in entries.values()), None)
        if missing and render is not None:
            allow = ", ".join([*sorted(entries), "OPTIONS"])
            app.route(path, methods=missing, content_types=ANY_CONTENT_TYPE,
                      name=f"refuse_{number}")(_refusal(render, allow))


def _refusal(render: Render, allow: str) -> Callable[..., Any]:
    def refuse(**params: Any) -> Response:
        response = render(ApiError("method_not_allowed", "Method not allowed", status=405))
        response.headers["Allow"] = allow
        return response

    refuse.refusal = True  # type: ignore[attr-defined]  # no contract: not an operation of the API
    return refuse


NOT_FOUND = ApiError("not_found", "Not found", status=404)


def surface_prefix(path: str) -> str:
    """The part of a path that names its surface: its first part, or its first two under /api (`/api/auth`)."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:2] if parts[0] == "api" else parts[:1])


def answer_unknown_paths(app: Any) -> None:
    """A path no route serves answers 404: in its surface's error shape where its prefix names a surface (see
    `surface_prefix`), else `{"message": "Not found"}`. One greedy `/{proxy+}` route, which API Gateway tries only
    after every specific route (the local server too: local/gateway.py); `/` itself is the gateway response's."""
    renders: dict[str, Render] = {}
    for path, entries in app.routes.items():
        render = next((getattr(entry.view_function, "render", None) for entry in entries.values()), None)
        if render is not None:
            renders.setdefault(surface_prefix(path), render)

    def unknown(**params: Any) -> Response:
        rest = next(iter((app.current_request.uri_params or {}).values()), "")
        render = renders.get(surface_prefix(rest), render_message)
        return render(NOT_FOUND)

    unknown.refusal = True  # type: ignore[attr-defined]  # no contract: not an operation of the API
    app.route("/{proxy+}", methods=list(METHODS), content_types=ANY_CONTENT_TYPE, name="unknown_path")(unknown)
